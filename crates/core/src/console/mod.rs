//! The SQL console's logic: split a script into statements, run them one by one on a
//! [`Database`], and turn each result into display-ready cells.
//!
//! Running stops at the first failing statement (as `psql -v ON_ERROR_STOP=1` does), so an
//! error is reported at the statement that caused it and nothing after it runs unseen.

mod result;
mod split;

pub use result::{Cell, CellKind, ResultSet, StatementOutcome};
pub use split::{split_statements, StatementSpan};

use crate::engine::Database;
use serde::Serialize;

/// The most text the console accepts in one run; a bigger paste gets a clear error
/// instead of freezing the tab.
pub const MAX_SCRIPT_BYTES: usize = 256 * 1024;

/// A statement that failed: message, and its position in the whole script when known.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConsoleError {
    pub message: String,
    /// 1-based line and column in the script.
    pub line: u32,
    pub column: u32,
    /// True when the engine gave the column; false when it points at the statement's start.
    pub exact: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatementRun {
    /// 1-based index of the statement in the script.
    pub index: usize,
    pub sql: String,
    /// 1-based line where the statement starts in the script.
    pub line: u32,
    pub duration_ms: f64,
    pub outcome: Result<StatementOutcome, ConsoleError>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ScriptRun {
    pub statements: Vec<StatementRun>,
    /// Statements after a failure that were not run.
    pub skipped: usize,
    /// A problem with the script as a whole (too big, nothing to run).
    pub script_error: Option<String>,
}

impl ScriptRun {
    pub fn failed(&self) -> bool {
        self.script_error.is_some() || self.statements.iter().any(|s| s.outcome.is_err())
    }
}

/// Runs every statement of `script` in order on `db`, stopping at the first error.
pub fn run_script(db: &mut Database, script: &str) -> ScriptRun {
    if script.len() > MAX_SCRIPT_BYTES {
        return ScriptRun {
            script_error: Some(format!(
                "The script is {} KB; the console runs at most {} KB at once. Split it into smaller runs.",
                script.len() / 1024,
                MAX_SCRIPT_BYTES / 1024
            )),
            ..ScriptRun::default()
        };
    }
    let spans = split_statements(script);
    if spans.is_empty() {
        return ScriptRun {
            script_error: Some("Nothing to run: the script has no SQL statement.".into()),
            ..ScriptRun::default()
        };
    }
    let mut run = ScriptRun::default();
    for (i, span) in spans.iter().enumerate() {
        let result = db.execute(&span.sql);
        let duration_ms = db.log().entries().last().map_or(0.0, |e| e.duration_ms);
        let outcome = result.map(StatementOutcome::from).map_err(|err| {
            let (line, column, exact) = match err.position {
                Some((l, c)) => {
                    let line = span.line + l - 1;
                    let column = if l == 1 { span.column + c - 1 } else { c };
                    (line, column, true)
                }
                None => (span.line, span.column, false),
            };
            ConsoleError {
                message: err.message,
                line,
                column,
                exact,
            }
        });
        let failed = outcome.is_err();
        run.statements.push(StatementRun {
            index: i + 1,
            sql: span.sql.clone(),
            line: span.line,
            duration_ms,
            outcome,
        });
        if failed {
            run.skipped = spans.len() - i - 1;
            break;
        }
    }
    run
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_a_multi_statement_script_with_one_result_per_statement() {
        let mut db = Database::new();
        let run = run_script(
            &mut db,
            "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n\
             INSERT INTO users VALUES (1, 'a@x.io'), (2, 'b@x.io');\n\
             SELECT email FROM users ORDER BY id;\n\
             SELECT COUNT(*) AS n FROM users;",
        );
        assert!(!run.failed());
        assert_eq!(run.statements.len(), 4);
        match &run.statements[2].outcome {
            Ok(StatementOutcome::Rows(rs)) => {
                assert_eq!(rs.columns, ["email"]);
                assert_eq!(rs.rows[1][0].text, "b@x.io");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            run.statements[1].outcome,
            Ok(StatementOutcome::Affected {
                verb: "inserted",
                count: 2
            })
        );
        assert_eq!(run.statements[3].line, 4);
        assert_eq!(db.log().entries().len(), 4);
    }

    #[test]
    fn stops_at_the_failing_statement_and_places_the_error() {
        let mut db = Database::new();
        let run = run_script(&mut db, "SELECT 1;\nSELECT 2;\n  SELEC 3;\nSELECT 4;");
        assert!(run.failed());
        assert_eq!(run.statements.len(), 3);
        assert_eq!(run.skipped, 1);
        let err = run.statements[2].outcome.as_ref().unwrap_err();
        assert_eq!((err.line, err.column, err.exact), (3, 3, true));
        assert!(err.message.contains("SELEC"), "{}", err.message);
    }

    #[test]
    fn runtime_errors_point_at_the_statement_start() {
        let mut db = Database::new();
        let run = run_script(&mut db, "SELECT 1;\n\n   SELECT * FROM nowhere;");
        let err = run.statements[1].outcome.as_ref().unwrap_err();
        assert_eq!((err.line, err.column, err.exact), (3, 4, false));
    }

    #[test]
    fn empty_and_oversized_scripts_are_refused_clearly() {
        let mut db = Database::new();
        let run = run_script(&mut db, "  -- just a comment\n ; ");
        assert!(run.script_error.unwrap().contains("no SQL statement"));
        let huge = "SELECT 1;".repeat(MAX_SCRIPT_BYTES / 9 + 1);
        let run = run_script(&mut db, &huge);
        assert!(run.script_error.unwrap().contains("at most"));
        assert!(db.log().entries().is_empty());
    }
}
