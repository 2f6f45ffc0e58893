//! What a run cost, read from the engine's statement log: statements, rows returned,
//! cells transferred (rows x columns of each result) and time.

use crate::engine::{Database, LogEntry, LogOutcome, StatementKind};
use crate::lab::Metric;
use web_time::Instant;

/// The statements one run executed and what they returned.
#[derive(Clone, Debug, Default)]
pub struct RunMeasure {
    /// Every statement the run executed, transaction control (BEGIN, COMMIT, ROLLBACK)
    /// aside, in order.
    pub entries: Vec<LogEntry>,
    /// Rows the queries returned.
    pub rows: usize,
    /// Rows x columns of each query's result: what travels over the wire. A joined load
    /// repeats the parent's columns on every child row.
    pub cells: usize,
    /// Wall time of the whole run (the ORM's work included).
    pub time_ms: f64,
    /// Time the engine spent in the statements (the log's durations).
    pub engine_ms: f64,
    /// COMMITs the run sent (each a transaction the database made durable).
    pub commits: usize,
}

impl RunMeasure {
    pub fn statements(&self) -> usize {
        self.entries.len()
    }

    /// Rows the statements read from tables (the log's rows examined).
    pub fn rows_examined(&self) -> u64 {
        self.entries.iter().map(|e| e.rows_examined).sum()
    }

    /// The headline numbers, keyed `statements`, `rows`, `cells`, `time`.
    pub fn metrics(&self) -> Vec<Metric> {
        vec![
            Metric::new("statements", "Statements", self.statements().to_string()),
            Metric::new("rows", "Rows returned", thousands(self.rows)),
            Metric::new("cells", "Cells transferred", thousands(self.cells)),
            Metric::new("time", "Time", ms(self.time_ms)),
        ]
    }
}

/// Runs `body` and measures the statements it executed on `db`.
pub fn measure<T>(db: &mut Database, body: impl FnOnce(&mut Database) -> T) -> (T, RunMeasure) {
    let from = db.log().last_seq();
    let started = Instant::now();
    let value = body(db);
    let time_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut run = RunMeasure {
        time_ms,
        ..RunMeasure::default()
    };
    for entry in db.log().since(from) {
        if entry.kind == StatementKind::Transaction {
            run.commits += usize::from(entry.command == "COMMIT");
            continue;
        }
        run.engine_ms += entry.duration_ms;
        if let LogOutcome::Rows(n) = entry.outcome {
            run.rows += n;
            run.cells += n * select_list_width(&entry.sql).unwrap_or(0);
        }
        run.entries.push(entry.clone());
    }
    (value, run)
}

/// How many columns a query's select list has: top-level items between its first
/// SELECT and the FROM at the same depth. None for `*` (the labs' queries name their
/// columns) or text that is not a plain SELECT.
pub fn select_list_width(sql: &str) -> Option<usize> {
    let upper = sql.to_ascii_uppercase();
    let start = upper.find("SELECT")? + "SELECT".len();
    let bytes = upper.as_bytes();
    let (mut depth, mut items, mut in_string) = (0usize, 1usize, false);
    let mut i = start;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\'' => in_string = !in_string,
            _ if in_string => {}
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => items += 1,
            b'*' if depth == 0 => return None,
            _ if depth == 0 && upper[i..].starts_with("FROM") && is_boundary(bytes, i, 4) => {
                return Some(items);
            }
            _ => {}
        }
        i += 1;
    }
    // A SELECT without FROM (SELECT 1, 2).
    Some(items)
}

fn is_boundary(bytes: &[u8], at: usize, len: usize) -> bool {
    let before = at == 0 || !bytes[at - 1].is_ascii_alphanumeric() && bytes[at - 1] != b'_';
    let after = bytes
        .get(at + len)
        .is_none_or(|c| !c.is_ascii_alphanumeric() && *c != b'_');
    before && after
}

/// `12,345` (the labs' shared grouping, [`crate::lab::thousands`], for a count).
pub fn thousands(n: usize) -> String {
    crate::lab::thousands(n as u64)
}

/// `3.14 ms` / `0.042 ms`.
pub fn ms(value: f64) -> String {
    if value >= 10.0 {
        format!("{value:.1} ms")
    } else if value >= 1.0 {
        format!("{value:.2} ms")
    } else {
        format!("{value:.3} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gluesql::core::executor::Payload;

    #[test]
    fn select_list_width_matches_the_engines_result_columns() {
        let mut db = Database::new();
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b INTEGER)")
            .unwrap();
        db.execute("INSERT INTO t VALUES (1, 'x, y', 2), (2, 'from', 3)")
            .unwrap();
        for sql in [
            "SELECT t.id AS t_id, t.a AS t_a \nFROM t",
            "SELECT id, COALESCE(a, 'from, x'), b FROM t WHERE a <> ','",
            "SELECT anon_1.t_id AS anon_1_t_id, t.b AS t_b \nFROM (SELECT t.id AS t_id \nFROM t) AS anon_1 JOIN t ON anon_1.t_id = t.id",
            "SELECT 1, 2",
            "SELECT fromage.id FROM t AS fromage",
        ] {
            let Ok(Payload::Select { labels, .. }) = db.execute(sql) else {
                panic!("{sql}");
            };
            assert_eq!(select_list_width(sql), Some(labels.len()), "{sql}");
        }
        assert_eq!(select_list_width("SELECT * FROM t"), None);
    }

    #[test]
    fn a_measured_run_counts_rows_and_cells_from_the_log() {
        let mut db = Database::new();
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT)")
            .unwrap();
        db.execute("INSERT INTO t VALUES (1, 'x'), (2, 'y'), (3, 'z')")
            .unwrap();
        let (_, run) = measure(&mut db, |db| {
            db.execute("BEGIN").unwrap();
            db.execute("SELECT id, a FROM t").unwrap();
            db.execute("SELECT id FROM t WHERE id = 2").unwrap();
            db.execute("COMMIT").unwrap();
        });
        assert_eq!(run.statements(), 2);
        assert_eq!(run.rows, 4);
        assert_eq!(run.cells, 3 * 2 + 1);
        assert_eq!(run.commits, 1);
    }

    #[test]
    fn numbers_are_formatted_for_reading() {
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(12), "12");
        assert_eq!(ms(0.0421), "0.042 ms");
        assert_eq!(ms(12.34), "12.3 ms");
    }
}
