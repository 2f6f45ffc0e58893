//! The same queries under different sets of indexes: the reference's, none, and an
//! alternative (the columns reversed, a full index instead of a partial one, a plain column
//! index instead of an expression index). Each set is built on a snapshot of the page's
//! database, which is put back afterwards: the page keeps the reference's indexes.

use super::measure::{run_median, Measured};
use crate::engine::Database;

/// One set of indexes to measure the queries under.
#[derive(Clone, Copy, Debug)]
pub struct IndexSet {
    /// Stable kebab-case key (`with`, `without`, `reversed`, `full`, `column`).
    pub key: &'static str,
    pub label: &'static str,
    /// `(table, index)` of the indexes this set has: the reference's are dropped first,
    /// then these are created by `create`.
    pub indexes: &'static [(&'static str, &'static str)],
    pub create: &'static [&'static str],
}

/// A query of the reference, with a short name for the table's first column.
#[derive(Clone, Debug)]
pub struct Query {
    pub label: &'static str,
    pub sql: String,
}

/// What one set of indexes gave.
#[derive(Clone, Debug)]
pub struct SetResult {
    pub set: IndexSet,
    /// One per query, in order: its measurement, or the engine's error.
    pub queries: Vec<Result<Measured, String>>,
    /// `(index, entries)` for each index of the set.
    pub entries: Vec<(String, usize)>,
    /// The DDL that built the set (DROP and CREATE INDEX), as it ran.
    pub ddl: Vec<String>,
}

/// Runs `queries` under each of `sets`. `reference` lists the `(table, index)` pairs the
/// page's database holds now; they are dropped before a set's own indexes are created.
pub fn compare(
    db: &mut Database,
    reference: &[(&str, &str)],
    sets: &[IndexSet],
    queries: &[Query],
    runs: usize,
) -> Result<Vec<SetResult>, String> {
    sets.iter()
        .map(|set| {
            let snapshot = db.snapshot();
            let result = measure_set(db, reference, set, queries, runs);
            db.restore(&snapshot);
            result
        })
        .collect()
}

fn measure_set(
    db: &mut Database,
    reference: &[(&str, &str)],
    set: &IndexSet,
    queries: &[Query],
    runs: usize,
) -> Result<SetResult, String> {
    let mut ddl = Vec::new();
    let is_reference = set.create.is_empty() && set.indexes == reference;
    if !is_reference {
        for (_, index) in reference {
            let sql = format!("DROP INDEX {index}");
            db.execute(&sql).map_err(|e| format!("{sql}: {e}"))?;
            ddl.push(sql);
        }
        db.unbudgeted(|db| {
            set.create.iter().try_for_each(|sql| {
                db.execute(sql).map_err(|e| format!("{sql}: {e}"))?;
                ddl.push(sql.to_string());
                Ok::<(), String>(())
            })
        })?;
    }
    let queries = queries
        .iter()
        .map(|q| run_median(db, &q.sql, runs))
        .collect();
    let entries = set
        .indexes
        .iter()
        .map(|(table, index)| {
            let n = db.index_entry_count(table, index).unwrap_or(0);
            (index.to_string(), n)
        })
        .collect();
    Ok(SetResult {
        set: *set,
        queries,
        entries,
        ddl,
    })
}
