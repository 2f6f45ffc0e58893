//! A data change in batches of key ranges, each its own statement (and so its own short
//! transaction): no long lock, progress after every batch, and a stop in the middle loses
//! nothing. The template's own guard (`... AND full_name IS NULL`, `NOT EXISTS (...)`)
//! makes it idempotent: a batch run twice changes nothing the second time.

use crate::engine::Database;
use gluesql::core::data::Value;
use gluesql::core::executor::Payload;

#[derive(Clone, Debug)]
pub struct Backfill {
    /// The table whose integer key is split in ranges.
    pub table: String,
    pub key: String,
    /// One batch's statement, with `{lo}` and `{hi}` for the range `lo <= key < hi`.
    pub template: String,
    /// Keys per batch.
    pub batch: i64,
    /// A query counting what a batch already did in its range (`{lo}`, `{hi}`): a batch
    /// whose count is not 0 is skipped. Each batch is one atomic statement, so a range is
    /// either done or untouched: this makes a rerun change nothing, where a row-level
    /// `NOT EXISTS` guard would cost a scan of the target per row on our engine.
    pub done_check: Option<String>,
}

/// What one batch did, from the engine's statement log.
#[derive(Clone, Debug, PartialEq)]
pub struct BatchRun {
    pub lo: i64,
    pub hi: i64,
    /// Rows the statement changed (inserted, updated or deleted).
    pub changed: usize,
    pub rows_examined: u64,
    pub duration_ms: f64,
    pub error: Option<String>,
    /// The done check found the range already done: nothing ran.
    pub skipped: bool,
}

impl Backfill {
    pub fn new(table: &str, key: &str, template: &str, batch: i64) -> Self {
        Self {
            table: table.into(),
            key: key.into(),
            template: template.into(),
            batch: batch.max(1),
            done_check: None,
        }
    }

    pub fn with_done_check(mut self, query: &str) -> Self {
        self.done_check = Some(query.into());
        self
    }

    /// The batch statement for one range.
    pub fn statement(&self, lo: i64, hi: i64) -> String {
        self.template
            .replace("{lo}", &lo.to_string())
            .replace("{hi}", &hi.to_string())
    }

    /// As migration code shows it: the loop and its statement.
    pub fn display(&self) -> String {
        let check = self.done_check.as_ref().map_or(String::new(), |c| {
            format!(
                "-- skip the batch if it is done already:\n-- {};\n",
                c.replace("{lo}", ":lo").replace("{hi}", ":lo + batch")
            )
        });
        check
            + &format!(
            "-- in batches of {} {} keys, one statement (one transaction) each,\n-- for lo = MIN({}) .. MAX({}) step {}:\n{};",
            self.batch,
            self.table,
            self.key,
            self.key,
            self.batch,
            self.template.replace("{lo}", ":lo").replace("{hi}", ":lo + batch")
        )
    }

    /// The key range to cover now, read with a real query (None: the table is empty).
    pub fn bounds(&self, db: &mut Database) -> Result<Option<(i64, i64)>, String> {
        let sql = format!(
            "SELECT MIN({key}), MAX({key}) FROM {table}",
            key = self.key,
            table = self.table
        );
        match db.execute(&sql).map_err(|e| e.message)? {
            Payload::Select { rows, .. } => match rows.first().map(|r| (&r[0], &r[1])) {
                Some((Value::I64(lo), Value::I64(hi))) => Ok(Some((*lo, *hi))),
                Some((Value::I32(lo), Value::I32(hi))) => Ok(Some((*lo as i64, *hi as i64))),
                _ => Ok(None),
            },
            _ => Ok(None),
        }
    }

    /// Runs the batch starting at `lo` (or skips it if its `done_check` counts rows).
    pub fn run_batch(&self, db: &mut Database, lo: i64) -> BatchRun {
        let hi = lo + self.batch;
        if let Some(check) = &self.done_check {
            let sql = check
                .replace("{lo}", &lo.to_string())
                .replace("{hi}", &hi.to_string());
            let done = db.execute(&sql);
            let entry = db.log().entries().last();
            let (rows_examined, duration_ms) = entry
                .map(|e| (e.rows_examined, e.duration_ms))
                .unwrap_or_default();
            match done {
                Ok(Payload::Select { rows, .. })
                    if !matches!(rows.first().and_then(|r| r.first()), Some(Value::I64(0))) =>
                {
                    return BatchRun {
                        lo,
                        hi,
                        changed: 0,
                        rows_examined,
                        duration_ms,
                        error: None,
                        skipped: true,
                    };
                }
                Ok(_) => {}
                Err(e) => {
                    return BatchRun {
                        lo,
                        hi,
                        changed: 0,
                        rows_examined,
                        duration_ms,
                        error: Some(e.message),
                        skipped: false,
                    }
                }
            }
        }
        let result = db.execute(&self.statement(lo, hi));
        let entry = db.log().entries().last();
        let (rows_examined, duration_ms) = entry
            .map(|e| (e.rows_examined, e.duration_ms))
            .unwrap_or_default();
        let (changed, error) = match result {
            Ok(Payload::Insert(n) | Payload::Update(n) | Payload::Delete(n)) => (n, None),
            Ok(_) => (0, None),
            Err(e) => (0, Some(e.message)),
        };
        BatchRun {
            lo,
            hi,
            changed,
            rows_examined,
            duration_ms,
            error,
            skipped: false,
        }
    }

    /// Runs every batch from `start` (or the lowest key) to the highest key, stopping at
    /// the first failed batch (its error is in the last [`BatchRun`]). Returns the batches
    /// run and where the next one would start. `Err` only if the bounds query failed.
    pub fn run_from(
        &self,
        db: &mut Database,
        start: Option<i64>,
    ) -> Result<(Vec<BatchRun>, i64), String> {
        let Some((min, max)) = self.bounds(db)? else {
            return Ok((Vec::new(), start.unwrap_or(0)));
        };
        let mut lo = start.unwrap_or(min).max(min);
        let mut runs = Vec::new();
        while lo <= max {
            let run = self.run_batch(db, lo);
            let failed = run.error.is_some();
            runs.push(run);
            if failed {
                // Resume here: the failed batch changed nothing (one statement is atomic).
                break;
            }
            lo += self.batch;
        }
        Ok((runs, lo))
    }
}
