//! Index Creation on Large Tables: summary, corrected reference code, notes on the
//! corrections, console script, and the live migration stepper.
//!
//! Lab (`lab_for("concurrent-index")`): `orders (id, user_id, total, created_at)` with
//! `rows` orders (knob `rows`: 1000..100000, presets 1000, 10000, 100000), one a minute;
//! v1 inserts orders and reads the last hour's. Knob `plan`: `safe` (CREATE INDEX
//! CONCURRENTLY in an autocommit block), `unsafe` (plain CREATE INDEX), `in-transaction`
//! (CONCURRENTLY inside the migration's transaction: the engine refuses it). Phases: 0 v1
//! running, 1 create ix_orders_created_at. Actions: `next`, `back`, `reset`.
//! Blocks: the stepper's (see [`crate::migration::blocks`]) plus, after the matrix,
//! `queries` (v1's query per phase: rows, rows examined, access), `simulation` (a
//! Simulation note once the index is built, Info otherwise), `index-build` (metrics
//! `build-ms`, `rows-indexed`, `writes-blocked`, `max-wait-ms`) and `lock-timeline` (lanes
//! "CREATE INDEX" or "CREATE INDEX CONCURRENTLY" with spans "lock" and "build", then
//! "write 1".."write 5" with "blocked" and "write" spans).

use crate::catalogue::{CodeLanguage, Pattern, Section};
use crate::engine::{Database, LogOutcome};
use crate::lab::{
    Block, Cell, CellStatus, KnobSpec, KnobValues, Lab, LabRun, Lane, Metric, NoteKind, Span,
    TableBlock, Timeline,
};
use crate::migration::knobs::{plan_knob, rows_knob, seed_and_start};
use crate::migration::{AppVersion, MigrationPlan, Phase, Step, Stepper};
use crate::rng::SplitMix64;

pub const PATTERN: Pattern = Pattern {
    slug: "concurrent-index",
    title: "Index Creation on Large Tables",
    section: Section::MigrationPatterns,
    summary: "A plain CREATE INDEX blocks writes to the table for the whole build, which on a large table means minutes of downtime. CREATE INDEX CONCURRENTLY builds the index while writes continue, at the cost of running outside a transaction.",
    reference_code: r#"from alembic import op

def upgrade():
    # Use CONCURRENTLY to avoid locking (PostgreSQL); it cannot run inside
    # a transaction, so leave the migration's transaction for this step
    with op.get_context().autocommit_block():
        op.execute(
            'CREATE INDEX CONCURRENTLY ix_orders_created_at '
            'ON orders (created_at)'
        )

def downgrade():
    with op.get_context().autocommit_block():
        op.execute('DROP INDEX CONCURRENTLY ix_orders_created_at')
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Imported op from alembic.",
        "Both statements run in op.get_context().autocommit_block(): PostgreSQL refuses CREATE/DROP INDEX CONCURRENTLY inside a transaction block, and Alembic runs each migration in one.",
    ],
    starter_sql: r#"-- The lab's orders table (phase 0: no index on created_at)
SELECT COUNT(*) AS orders_to_index FROM orders;
-- The query ix_orders_created_at serves: a range on created_at
SELECT id, user_id, created_at FROM orders
WHERE created_at >= '2024-01-01 16:00:00' ORDER BY created_at;
-- Build it without blocking writes (outside a transaction)
CREATE INDEX CONCURRENTLY ix_orders_created_at ON orders (created_at);
SELECT id, user_id, created_at FROM orders
WHERE created_at >= '2024-01-01 16:00:00' ORDER BY created_at;
"#,
    live: true,
};

/// The lab: the index built on a table of `rows` orders while v1 keeps writing.
pub static LAB: Lab = Lab {
    knobs: &KNOBS,
    note: Some("The index build is measured on the engine; the lock timeline around it is a simulation of PostgreSQL's locks."),
    start,
};

static KNOBS: [KnobSpec; 2] = [
    plan_knob(
        &[
            ("safe", "CREATE INDEX CONCURRENTLY (autocommit)"),
            ("unsafe", "CREATE INDEX"),
            (
                "in-transaction",
                "CONCURRENTLY inside the migration's transaction",
            ),
        ],
        "How the migration builds ix_orders_created_at.",
    ),
    rows_knob("Orders", "Rows in orders: the build time grows with them."),
];

/// One order a minute from 2024-01-01 00:00: `created_at` of row `i`.
fn created_at(i: i64) -> String {
    const DAYS: [i64; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let minutes = i - 1;
    let (mut day, hour, minute) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    let mut month = 0;
    while month < 11 && day >= DAYS[month] {
        day -= DAYS[month];
        month += 1;
    }
    format!(
        "2024-{:02}-{:02} {hour:02}:{minute:02}:00",
        month + 1,
        day + 1
    )
}

fn versions(rows: i64) -> Vec<AppVersion> {
    // The dashboard's query: the last hour of orders (60 seed rows and the new ones).
    let cutoff = created_at((rows - 59).max(1));
    vec![AppVersion {
        id: "v1",
        summary: "writes new orders, reads the last hour's",
        writes: vec!["INSERT INTO orders (id, user_id, total, created_at) VALUES ({id}, 7, 42, '2024-12-31 12:00:00')".into()],
        reads: vec![format!(
            "SELECT id, user_id, total FROM orders WHERE created_at >= '{cutoff}' ORDER BY created_at"
        )],
    }]
}

/// The plan for knobs `plan` and `rows`.
pub fn plan(variant: &str, rows: i64) -> MigrationPlan {
    let build = match variant {
        "unsafe" => Phase::schema(
            "create ix_orders_created_at",
            vec![Step::sql(
                "CREATE INDEX ix_orders_created_at ON orders (created_at)",
            )],
            vec![Step::sql("DROP INDEX ix_orders_created_at")],
        ),
        "in-transaction" => Phase::schema(
            "create ix_orders_created_at",
            vec![Step::sql(CREATE_CONCURRENTLY)],
            vec![Step::sql(DROP_CONCURRENTLY)],
        ),
        _ => Phase::schema(
            "create ix_orders_created_at",
            vec![Step::sql(CREATE_CONCURRENTLY)],
            vec![Step::sql(DROP_CONCURRENTLY)],
        )
        .autocommit(),
    };
    MigrationPlan {
        tables: vec!["orders".into()],
        versions: versions(rows),
        phases: vec![Phase::deploy("v1 running", &["v1"]), build],
    }
}

const CREATE_CONCURRENTLY: &str =
    "CREATE INDEX CONCURRENTLY ix_orders_created_at ON orders (created_at)";
const DROP_CONCURRENTLY: &str = "DROP INDEX CONCURRENTLY ix_orders_created_at";

fn start(knobs: &KnobValues, db: &mut Database) -> Result<Box<dyn LabRun>, String> {
    let rows = knobs.int("rows");
    let stepper = seed_and_start(
        db,
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, total INTEGER NOT NULL, created_at TIMESTAMP NOT NULL)",
        "orders (id, user_id, total, created_at)",
        rows,
        |i| {
            format!(
                "({i}, {}, {}, '{}')",
                i % 500 + 1,
                i % 97 + 5,
                created_at(i)
            )
        },
        plan(knobs.get("plan"), rows),
    )?;
    Ok(Box::new(stepper.with_extras(extras)))
}

/// The queries' rows examined at each phase, and the build's lock timeline.
fn extras(stepper: &Stepper, db: &mut Database) -> Vec<Block> {
    let mut blocks = vec![Block::Table(queries(stepper))];
    let build = stepper
        .columns
        .get(1)
        .and_then(|c| c.migration.as_ref())
        .and_then(|m| m.log.iter().find(|e| e.sql.starts_with("CREATE")).cloned());
    match build {
        Some(entry) if matches!(entry.outcome, LogOutcome::Done) => {
            let rows = db.row_count("orders").unwrap_or(0);
            let write_ms = mean_write_ms(stepper);
            let sim = simulate(
                entry.sql.contains("CONCURRENTLY"),
                entry.duration_ms,
                write_ms,
                rows as u64,
            );
            blocks.push(Block::note(
                "simulation",
                NoteKind::Simulation,
                format!("Simulation: one engine session cannot take writes during a build, so the timeline is drawn. The build time is the CREATE INDEX measured here ({:.1} ms for {rows} rows), each write lasts v1's measured insert ({write_ms:.2} ms), and who waits is PostgreSQL's lock behaviour: CREATE INDEX holds a SHARE lock that blocks INSERT, UPDATE and DELETE for the whole build; CONCURRENTLY holds SHARE UPDATE EXCLUSIVE, which lets them run (it scans the table twice and waits for open transactions, not drawn).", entry.duration_ms),
            ));
            blocks.push(Block::Metrics {
                id: "index-build".into(),
                title: "Index build".into(),
                items: vec![
                    Metric::new("build-ms", "Build (measured)", format!("{:.1} ms", entry.duration_ms)),
                    Metric::new("rows-indexed", "Rows indexed", entry.rows_examined.to_string()),
                    Metric::new("writes-blocked", "Writes blocked (simulated)", sim.blocked.to_string())
                        .with_status(if sim.blocked == 0 { CellStatus::Ok } else { CellStatus::Bad }),
                    Metric::new("max-wait-ms", "Longest wait (simulated)", format!("{:.1} ms", sim.max_wait_ms)),
                ],
            });
            blocks.push(Block::Timeline(sim.timeline));
        }
        Some(_) => blocks.push(Block::note(
            "simulation",
            NoteKind::Info,
            "The index build failed before it started: no lock was taken and no write waited.",
        )),
        None => blocks.push(Block::note(
            "simulation",
            NoteKind::Info,
            "Step to phase 1 to build the index: the page then draws the writes that arrive during the build.",
        )),
    }
    blocks
}

/// v1's read at every phase reached: what the index changes.
fn queries(stepper: &Stepper) -> TableBlock {
    let rows = stepper
        .columns
        .iter()
        .filter_map(|c| {
            let read = c.runs.first()?.reads.first()?;
            let access = read
                .plan
                .as_deref()
                .and_then(|p| p.lines().last())
                .unwrap_or("")
                .trim()
                .trim_start_matches("-> ")
                .to_string();
            Some(vec![
                Cell::plain(stepper.plan.phase_title(c.phase)),
                Cell::plain(read.rows.to_string()),
                Cell::plain(read.rows_examined.to_string()),
                Cell::plain(access),
            ])
        })
        .collect();
    TableBlock {
        id: "queries".into(),
        title: "v1's last-hour query after each phase".into(),
        columns: ["phase", "rows", "rows examined", "access"]
            .map(String::from)
            .to_vec(),
        rows,
        omitted: 0,
    }
}

fn mean_write_ms(stepper: &Stepper) -> f64 {
    let all: Vec<f64> = stepper
        .columns
        .iter()
        .flat_map(|c| &c.runs)
        .flat_map(|r| r.write_ms.iter().copied())
        .collect();
    if all.is_empty() {
        0.05
    } else {
        (all.iter().sum::<f64>() / all.len() as f64).max(0.01)
    }
}

pub struct LockSimulation {
    pub timeline: Timeline,
    pub blocked: usize,
    pub max_wait_ms: f64,
}

/// Writes arriving during the build (deterministic for the table size), and what
/// PostgreSQL's locks would make them do.
pub fn simulate(concurrently: bool, build_ms: f64, write_ms: f64, seed: u64) -> LockSimulation {
    const WRITES: usize = 5;
    let mut rng = SplitMix64::new(seed);
    let build_label = if concurrently {
        "CREATE INDEX CONCURRENTLY"
    } else {
        "CREATE INDEX"
    };
    let lock = if concurrently {
        Span {
            start_ms: 0.0,
            end_ms: build_ms,
            kind: "lock".into(),
            label: "SHARE UPDATE EXCLUSIVE: writes go on".into(),
        }
    } else {
        Span {
            start_ms: 0.0,
            end_ms: build_ms,
            kind: "lock".into(),
            label: "SHARE lock on orders: writes wait".into(),
        }
    };
    let mut lanes = vec![Lane {
        label: build_label.into(),
        spans: vec![
            lock,
            Span {
                start_ms: 0.0,
                end_ms: build_ms,
                kind: "build".into(),
                label: format!("index build (measured {build_ms:.1} ms)"),
            },
        ],
    }];
    let (mut blocked, mut max_wait_ms) = (0, 0.0_f64);
    for k in 0..WRITES {
        let jitter = rng.unit();
        let arrival = build_ms * (k as f64 + jitter) / WRITES as f64;
        let mut spans = Vec::new();
        let begin = if concurrently {
            arrival
        } else {
            blocked += 1;
            max_wait_ms = max_wait_ms.max(build_ms - arrival);
            spans.push(Span {
                start_ms: arrival,
                end_ms: build_ms,
                kind: "blocked".into(),
                label: format!("waits {:.1} ms for the SHARE lock", build_ms - arrival),
            });
            build_ms
        };
        spans.push(Span {
            start_ms: begin,
            end_ms: begin + write_ms,
            kind: "write".into(),
            label: "INSERT INTO orders".into(),
        });
        lanes.push(Lane {
            label: format!("write {}", k + 1),
            spans,
        });
    }
    LockSimulation {
        timeline: Timeline {
            id: "lock-timeline".into(),
            title: "Writes during the index build (simulated locks, measured build)".into(),
            lanes,
            markers: vec![(build_ms, "index ready".into())],
        },
        blocked,
        max_wait_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_at_counts_minutes_across_months() {
        assert_eq!(created_at(1), "2024-01-01 00:00:00");
        assert_eq!(created_at(61), "2024-01-01 01:00:00");
        assert_eq!(created_at(31 * 1440 + 1), "2024-02-01 00:00:00");
        assert_eq!(created_at(60 * 1440 + 1), "2024-03-01 00:00:00");
    }

    #[test]
    fn a_plain_build_blocks_every_write_and_a_concurrent_one_none() {
        let plain = simulate(false, 100.0, 1.0, 7);
        assert_eq!(plain.blocked, 5);
        assert!(plain.max_wait_ms > 0.0 && plain.max_wait_ms <= 100.0);
        let concurrent = simulate(true, 100.0, 1.0, 7);
        assert_eq!(concurrent.blocked, 0);
        assert_eq!(plain.timeline.lanes.len(), 6);
        assert_eq!(simulate(false, 100.0, 1.0, 7).timeline, plain.timeline);
    }
}
