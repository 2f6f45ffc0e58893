//! Live traffic: one request of an app version, run for real on the current schema. A
//! request stops at its first failing statement, as application code would raise there;
//! the error kept is the engine's own text.

use super::AppVersion;
use crate::engine::Database;

/// One read a version ran, with what the engine measured.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadStat {
    pub sql: String,
    pub rows: usize,
    pub rows_examined: u64,
    pub plan: Option<String>,
}

/// What one request of a version did.
#[derive(Clone, Debug, PartialEq)]
pub struct VersionRun {
    pub version: &'static str,
    /// The row id the request's writes used.
    pub row_id: i64,
    /// The engine's error and the statement it came from, if the request failed.
    pub error: Option<(String, String)>,
    /// Statements that ran (the failing one included).
    pub statements: usize,
    pub reads: Vec<ReadStat>,
    /// Measured durations of the writes that succeeded.
    pub write_ms: Vec<f64>,
}

impl VersionRun {
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

/// The SQL of `template` for row `id` (`{id:06}`: zero-padded, for a text key).
pub fn instantiate(template: &str, id: i64) -> String {
    template
        .replace("{id:06}", &format!("{id:06}"))
        .replace("{id}", &id.to_string())
}

/// Runs one request of `version`: its writes (for row `row_id`), then its reads.
pub fn run_request(db: &mut Database, version: &AppVersion, row_id: i64) -> VersionRun {
    let mut run = VersionRun {
        version: version.id,
        row_id,
        error: None,
        statements: 0,
        reads: Vec::new(),
        write_ms: Vec::new(),
    };
    for template in &version.writes {
        let sql = instantiate(template, row_id);
        run.statements += 1;
        match db.execute(&sql) {
            Ok(_) => {
                if let Some(entry) = db.log().entries().last() {
                    run.write_ms.push(entry.duration_ms);
                }
            }
            Err(e) => {
                run.error = Some((e.message, sql));
                return run;
            }
        }
    }
    for template in &version.reads {
        let sql = instantiate(template, row_id);
        run.statements += 1;
        match db.execute(&sql) {
            Ok(payload) => {
                let rows = match payload {
                    gluesql::core::executor::Payload::Select { rows, .. } => rows.len(),
                    _ => 0,
                };
                let entry = db.log().entries().last();
                run.reads.push(ReadStat {
                    sql,
                    rows,
                    rows_examined: entry.map(|e| e.rows_examined).unwrap_or(0),
                    plan: entry.and_then(|e| e.plan.clone()),
                });
            }
            Err(e) => {
                run.error = Some((e.message, sql));
                return run;
            }
        }
    }
    run
}
