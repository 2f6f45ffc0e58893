//! One statement run and read back from the statement log: its rows, the rows it examined,
//! the access path it took and how long it ran.

use crate::engine::{Database, LogEntry};
use gluesql::core::data::Value;
use gluesql::core::executor::Payload;

/// What one query returned and cost, as the statement log recorded it.
#[derive(Clone, Debug, Default)]
pub struct Measured {
    /// The rows returned, each value as text (`NULL` for null).
    pub rows: Vec<Vec<String>>,
    pub rows_examined: u64,
    /// Access paths, `; `-separated (`index range on ix (created_at <= '...', backward)`).
    pub access: String,
    pub plan: Option<String>,
    /// The duration the log measured, in milliseconds.
    pub time_ms: f64,
    /// The statement as it ran.
    pub sql: String,
}

impl Measured {
    /// Whether any table was read through a secondary index or the primary key's order.
    pub fn used_index(&self) -> bool {
        self.access.contains("index") || self.access.contains("primary-key")
    }
}

/// The text of a value as the UI shows it.
pub fn value_text(value: &Value) -> String {
    match value {
        Value::Null => "NULL".to_string(),
        other => String::from(other),
    }
}

/// The access paths of a log entry, `; `-separated.
pub fn access_text(entry: &LogEntry) -> String {
    entry
        .accesses
        .iter()
        .map(|a| a.method.describe())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Runs `sql` on `db` (logged, like any statement) and reads its cost from the log.
pub fn run(db: &mut Database, sql: &str) -> Result<Measured, String> {
    let payload = db.execute(sql).map_err(|e| e.message)?;
    let entry = db
        .log()
        .entries()
        .last()
        .ok_or("the statement was not logged")?;
    let rows = match payload {
        Payload::Select { rows, .. } => rows
            .iter()
            .map(|row| row.iter().map(value_text).collect())
            .collect(),
        _ => Vec::new(),
    };
    Ok(Measured {
        rows,
        rows_examined: entry.rows_examined,
        access: access_text(entry),
        plan: entry.plan.clone(),
        time_ms: entry.duration_ms,
        sql: sql.to_string(),
    })
}

/// Runs `sql` `times` times (at least once) and keeps the run with the median duration:
/// one slow run (an allocation, a page fault) should not set the chart's point.
pub fn run_median(db: &mut Database, sql: &str, times: usize) -> Result<Measured, String> {
    let mut runs = (0..times.max(1))
        .map(|_| run(db, sql))
        .collect::<Result<Vec<_>, _>>()?;
    runs.sort_by(|a, b| a.time_ms.total_cmp(&b.time_ms));
    let middle = runs.len() / 2;
    Ok(runs.swap_remove(middle))
}

/// A duration for a metric or cell: `0.42 ms`, `12.3 ms`, `1,204 ms`.
pub fn ms(value: f64) -> String {
    if value < 1.0 {
        format!("{value:.2} ms")
    } else if value < 100.0 {
        format!("{value:.1} ms")
    } else {
        format!("{} ms", thousands(value.round() as u64))
    }
}

/// `50020` as `50,020` (the labs' shared grouping).
pub use crate::lab::thousands;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(thousands(50_020), "50,020");
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(ms(0.4213), "0.42 ms");
        assert_eq!(ms(1204.4), "1,204 ms");
    }

    #[test]
    fn a_run_reads_rows_and_cost_from_the_log() {
        let mut db = Database::new();
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)")
            .unwrap();
        db.execute("INSERT INTO t VALUES (1, 10), (2, 20), (3, NULL)")
            .unwrap();
        let m = run(&mut db, "SELECT id, n FROM t WHERE id > 1").unwrap();
        assert_eq!(m.rows, vec![vec!["2", "20"], vec!["3", "NULL"]]);
        assert!(m.rows_examined >= 2);
        assert!(!m.access.is_empty());
        assert!(run(&mut db, "SELECT nope FROM t").is_err());
    }
}
