//! Reading `users` page by page, newest first (`ORDER BY created_at DESC, id`, the
//! reference's order), by OFFSET or by keyset, with or without the `(created_at, id)` index;
//! the reference's separate COUNT; a depth profile; and a reader paging while rows arrive.
//!
//! The keyset predicate spells out the reference's mixed order (`created_at` descending, `id`
//! ascending), which a row value `(created_at, id) < (...)` cannot express:
//! `created_at <= c AND (created_at < c OR (created_at = c AND id > i))`. Its first conjunct
//! is what lets the engine start the index scan at the cursor.

use super::measure::{run, run_median, Measured};
use crate::engine::Database;
use std::collections::{BTreeMap, BTreeSet};

/// The index keyset pagination needs (and OFFSET uses to avoid a sort).
pub const INDEX_NAME: &str = "ix_users_created_id";
pub const CREATE_INDEX: &str = "CREATE INDEX ix_users_created_id ON users (created_at, id)";
pub const DROP_INDEX: &str = "DROP INDEX ix_users_created_id";

const COLUMNS: &str = "id, email, created_at";
const FILTER: &str = "is_active = TRUE";
const ORDER: &str = "ORDER BY created_at DESC, id";

/// The reference's total: a COUNT over the same filtered query, as a subquery.
pub const COUNT_SQL: &str =
    "SELECT COUNT(*) FROM (SELECT * FROM users WHERE is_active = TRUE) AS base_query";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    Offset,
    Keyset,
    /// Keyset on the same table with the `(created_at, id)` index dropped for the read.
    KeysetNoIndex,
}

impl Strategy {
    pub const ALL: [Strategy; 3] = [Self::Offset, Self::Keyset, Self::KeysetNoIndex];

    pub fn id(self) -> &'static str {
        match self {
            Self::Offset => "offset",
            Self::Keyset => "keyset",
            Self::KeysetNoIndex => "keyset-noindex",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Offset => "OFFSET / LIMIT",
            Self::Keyset => "keyset (index)",
            Self::KeysetNoIndex => "keyset, no index",
        }
    }

    pub fn from_id(id: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|s| s.id() == id)
            .unwrap_or(Self::Offset)
    }

    pub fn is_keyset(self) -> bool {
        self != Self::Offset
    }
}

/// Where the next keyset page starts: the last row of the page before.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// The `created_at` text as the engine returned it.
    pub created_at: String,
    pub id: i64,
}

impl Cursor {
    /// The cursor after `row` (`id, email, created_at`).
    pub fn after(row: &[String]) -> Option<Self> {
        Some(Self {
            id: row.first()?.parse().ok()?,
            created_at: row.get(2)?.clone(),
        })
    }
}

pub fn offset_sql(offset: usize, per_page: usize) -> String {
    format!("SELECT {COLUMNS} FROM users WHERE {FILTER} {ORDER} LIMIT {per_page} OFFSET {offset}")
}

/// The page with its total beside it: `count(*) OVER ()` counts the rows before LIMIT.
pub fn windowed_sql(offset: usize, per_page: usize) -> String {
    format!(
        "SELECT {COLUMNS}, count(*) OVER () AS total FROM users WHERE {FILTER} {ORDER} LIMIT {per_page} OFFSET {offset}"
    )
}

pub fn keyset_sql(cursor: Option<&Cursor>, per_page: usize) -> String {
    match cursor {
        None => format!("SELECT {COLUMNS} FROM users WHERE {FILTER} {ORDER} LIMIT {per_page}"),
        Some(Cursor { created_at: c, id }) => format!(
            "SELECT {COLUMNS} FROM users WHERE {FILTER} AND created_at <= '{c}' \
             AND (created_at < '{c}' OR (created_at = '{c}' AND id > {id})) {ORDER} LIMIT {per_page}"
        ),
    }
}

/// Runs `f` with the `(created_at, id)` index dropped, then puts the database back exactly
/// as it was (an O(1) snapshot restore). The DROP INDEX is logged like any statement.
pub fn without_index<T>(
    db: &mut Database,
    f: impl FnOnce(&mut Database) -> Result<T, String>,
) -> Result<T, String> {
    let snapshot = db.snapshot();
    let result = db
        .execute(DROP_INDEX)
        .map_err(|e| e.message)
        .and_then(|_| f(db));
    db.restore(&snapshot);
    result
}

/// Reads one page. `offset` is the page's position (used by OFFSET); `cursor` is the last
/// row before it (used by keyset; None on the first page).
pub fn read_page(
    db: &mut Database,
    strategy: Strategy,
    offset: usize,
    cursor: Option<&Cursor>,
    per_page: usize,
    runs: usize,
) -> Result<Measured, String> {
    match strategy {
        Strategy::Offset => run_median(db, &offset_sql(offset, per_page), runs),
        Strategy::Keyset => run_median(db, &keyset_sql(cursor, per_page), runs),
        Strategy::KeysetNoIndex => {
            without_index(db, |db| run_median(db, &keyset_sql(cursor, per_page), runs))
        }
    }
}

/// The reference's total, and what counting cost.
pub fn count(db: &mut Database) -> Result<(usize, Measured), String> {
    let measured = run(db, COUNT_SQL)?;
    let total = measured
        .rows
        .first()
        .and_then(|r| r.first())
        .and_then(|v| v.parse().ok())
        .ok_or("COUNT returned no number")?;
    Ok((total, measured))
}

/// The keyset cursor a reader at row `offset` would hold: the row just before it. Read
/// with `peek` (not logged, not timed): a keyset reader cannot jump, it pages there.
pub fn cursor_at(db: &mut Database, offset: usize) -> Result<Option<Cursor>, String> {
    if offset == 0 {
        return Ok(None);
    }
    let sql = offset_sql(offset - 1, 1);
    let payload = db.peek(&sql).map_err(|e| e.message)?;
    let gluesql::core::executor::Payload::Select { rows, .. } = payload else {
        return Ok(None);
    };
    Ok(rows.first().and_then(|row| {
        let texts: Vec<String> = row.iter().map(super::measure::value_text).collect();
        Cursor::after(&texts)
    }))
}

/// The page depths the profile measures, in percent of the pages.
pub const DEPTHS: [usize; 6] = [0, 10, 25, 50, 75, 99];

/// The offset of the page at `percent` of `total` rows, on a page boundary.
pub fn offset_at(percent: usize, total: usize, per_page: usize) -> usize {
    let per_page = per_page.max(1);
    let pages = total.div_ceil(per_page).max(1);
    let page = (pages - 1) * percent.min(100) / 100;
    page * per_page
}

/// One measured page of the profile.
#[derive(Clone, Debug)]
pub struct DepthPoint {
    pub strategy: Strategy,
    pub percent: usize,
    pub offset: usize,
    pub page: Measured,
}

/// Measures one page at each of [`DEPTHS`] for each strategy. Keyset pages (well under a
/// millisecond, so noisy) are the median of `runs` runs; OFFSET and unindexed pages, which
/// cost up to a full read of the table, run once. Keyset without the index runs with the
/// index dropped for the whole series.
pub fn profile(
    db: &mut Database,
    total: usize,
    per_page: usize,
    runs: usize,
) -> Result<Vec<DepthPoint>, String> {
    let mut positions = Vec::new();
    for percent in DEPTHS {
        let offset = offset_at(percent, total, per_page);
        positions.push((percent, offset, cursor_at(db, offset)?));
    }
    let mut points = Vec::new();
    for strategy in Strategy::ALL {
        let mut series = |db: &mut Database| -> Result<(), String> {
            for (percent, offset, cursor) in &positions {
                let sql = match strategy {
                    Strategy::Offset => offset_sql(*offset, per_page),
                    _ => keyset_sql(cursor.as_ref(), per_page),
                };
                points.push(DepthPoint {
                    strategy,
                    percent: *percent,
                    offset: *offset,
                    page: run_median(
                        db,
                        &sql,
                        if strategy == Strategy::Keyset {
                            runs
                        } else {
                            1
                        },
                    )?,
                });
            }
            Ok(())
        };
        match strategy {
            Strategy::KeysetNoIndex => without_index(db, series)?,
            _ => series(db)?,
        }
    }
    Ok(points)
}

/// A reader paging while a writer adds new users between its page reads.
#[derive(Clone, Debug, Default)]
pub struct ConcurrentRun {
    /// Each page's ids, in the order read.
    pub pages: Vec<Vec<i64>>,
    /// Ids read on more than one page, with the pages (1-based) they appeared on.
    pub duplicates: BTreeMap<i64, Vec<usize>>,
    /// Ids that were, when the reader started, within the rows it went on to cover, and that
    /// it never read.
    pub skipped: Vec<i64>,
    /// Rows inserted while it paged.
    pub inserted: usize,
    /// Every statement's SQL, reads and writes, in order.
    pub statements: Vec<String>,
}

/// Pages through `pages` pages of `per_page` with `strategy` (OFFSET or keyset, with the
/// index), inserting `per_gap` new, newest users between two reads. The database is put
/// back as it was afterwards (snapshot restore), so the page's data does not grow.
pub fn concurrent(
    db: &mut Database,
    strategy: Strategy,
    pages: usize,
    per_page: usize,
    per_gap: usize,
) -> Result<ConcurrentRun, String> {
    let snapshot = db.snapshot();
    let result = concurrent_inner(db, strategy, pages, per_page, per_gap);
    db.restore(&snapshot);
    result
}

fn concurrent_inner(
    db: &mut Database,
    strategy: Strategy,
    pages: usize,
    per_page: usize,
    per_gap: usize,
) -> Result<ConcurrentRun, String> {
    // What the first `pages` pages held before anyone wrote: a reader should see exactly
    // these rows, each once (new rows are newer than where it started).
    let before = run(db, &offset_sql(0, pages * per_page))?;
    let expected: Vec<i64> = before
        .rows
        .iter()
        .filter_map(|r| r.first()?.parse().ok())
        .collect();
    let (mut next_id, mut newest) = newest_user(db)?;
    let mut out = ConcurrentRun::default();
    let mut cursor: Option<Cursor> = None;
    for page in 0..pages {
        if page > 0 {
            let rows: Vec<String> = (0..per_gap)
                .map(|_| {
                    next_id += 1;
                    newest += 1;
                    format!(
                        "({next_id}, 'new.{next_id}@example.com', TRUE, {})",
                        super::seed::timestamp_sql(newest)
                    )
                })
                .collect();
            let sql = format!("INSERT INTO users VALUES {}", rows.join(", "));
            db.execute(&sql).map_err(|e| e.message)?;
            out.statements.push(sql);
            out.inserted += per_gap;
        }
        let read = match strategy {
            Strategy::Offset => run(db, &offset_sql(page * per_page, per_page))?,
            _ => run(db, &keyset_sql(cursor.as_ref(), per_page))?,
        };
        out.statements.push(read.sql.clone());
        cursor = read.rows.last().and_then(|r| Cursor::after(r));
        out.pages.push(
            read.rows
                .iter()
                .filter_map(|r| r.first()?.parse().ok())
                .collect(),
        );
    }
    let mut seen_on: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (page, ids) in out.pages.iter().enumerate() {
        for id in ids {
            seen_on.entry(*id).or_default().push(page + 1);
        }
    }
    let seen: BTreeSet<i64> = seen_on.keys().copied().collect();
    // A row is skipped when the reader went past it without reading it: it lies before the
    // last row, in the original order, that the reader did see. (Rows after that one were
    // simply not reached yet.)
    let reached = expected.iter().rposition(|id| seen.contains(id));
    out.skipped = reached
        .map(|last| {
            expected[..=last]
                .iter()
                .copied()
                .filter(|id| !seen.contains(id))
                .collect()
        })
        .unwrap_or_default();
    out.duplicates = seen_on.into_iter().filter(|(_, p)| p.len() > 1).collect();
    Ok(out)
}

/// The largest user id and the newest signup time, in seconds since 1970, so new users
/// come after every existing one.
fn newest_user(db: &mut Database) -> Result<(i64, i64), String> {
    let payload = db
        .peek("SELECT MAX(id), MAX(created_at) FROM users")
        .map_err(|e| e.message)?;
    let gluesql::core::executor::Payload::Select { rows, .. } = payload else {
        return Err("no newest user".into());
    };
    let row = rows.first().ok_or("no newest user")?;
    let id = match row.first() {
        Some(gluesql::core::data::Value::I32(n)) => i64::from(*n),
        Some(gluesql::core::data::Value::I64(n)) => *n,
        _ => 0,
    };
    let newest = match row.get(1) {
        Some(gluesql::core::data::Value::Timestamp(t)) => t.and_utc().timestamp(),
        _ => 1_704_067_200,
    };
    Ok((id, newest))
}
