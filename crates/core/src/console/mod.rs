//! The SQL console's logic: split a script into statements, run them one by one on a
//! [`Database`], and turn each result into display-ready cells.
//!
//! Running stops at the first failing statement (as `psql -v ON_ERROR_STOP=1` does), so an
//! error is reported at the statement that caused it and nothing after it runs unseen.

mod budget;
mod result;
mod split;

pub use budget::ScriptBudget;
pub use result::{pg_text, Cell, CellKind, ResultSet, StatementOutcome};
pub use split::{split_statements, StatementSpan};

use crate::engine::Database;
use serde::Serialize;

/// The most text the console accepts in one run; a bigger paste gets a clear error
/// instead of freezing the tab.
pub const MAX_SCRIPT_BYTES: usize = 256 * 1024;

/// A statement that failed, as psql reports it (SQLSTATE, message, DETAIL, HINT), and its
/// position in the whole script when known.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConsoleError {
    /// PostgreSQL's SQLSTATE, e.g. `23505`; `0A000` for what the playground refuses.
    pub code: String,
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
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
    /// Rows the engine read to answer it, all tables and access paths together.
    pub rows_examined: u64,
    /// How each table was read, e.g. "items: index range on items_created_idx (created > 9) · 20 rows".
    pub accesses: Vec<String>,
    /// The EXPLAIN-like plan it ran with.
    pub plan: Option<String>,
    /// What PostgreSQL would print as a NOTICE.
    pub notice: Option<String>,
    /// The one line saying how this answer differs from PostgreSQL's, when the statement
    /// runs into a known difference (KNOWN_DIFFERENCES.md): (id, line).
    pub known_difference: Option<(String, String)>,
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

/// Runs every statement of `script` in order on `db`, stopping at the first error, within
/// the default [`ScriptBudget`].
pub fn run_script(db: &mut Database, script: &str) -> ScriptRun {
    run_script_within(db, script, &ScriptBudget::default())
}

/// Runs every statement of `script` in order on `db`, stopping at the first error or
/// where the script's `budget` runs out.
pub fn run_script_within(db: &mut Database, script: &str, budget: &ScriptBudget) -> ScriptRun {
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
    let started = web_time::Instant::now();
    let mut examined = 0u64;
    let statement_budget = db.budget();
    for (i, span) in spans.iter().enumerate() {
        let left = budget.left(started.elapsed(), examined);
        if left.is_spent() {
            run.skipped = spans.len() - i;
            run.script_error = Some(format!(
                "The script stopped at its budget ({} ms, {} rows examined) before statement {} (line {}); {} statements did not run.",
                budget.max_duration.as_millis(),
                budget.max_rows_examined,
                i + 1,
                span.line,
                run.skipped
            ));
            break;
        }
        db.set_budget(left.narrow(statement_budget));
        let result = db.execute(&span.sql);
        db.set_budget(statement_budget);
        let result = result.map_err(|mut err| {
            if let Some(exceeded) = db.last_budget_exceeded() {
                if left.was_the_script(statement_budget, exceeded) {
                    err.message =
                        budget::script_stopped(budget, exceeded, i + 1, spans.len() - i - 1);
                }
            }
            err
        });
        let entry = db.log().entries().last().cloned();
        examined += entry.as_ref().map_or(0, |e| e.rows_examined);
        let command = entry
            .as_ref()
            .map(|e| e.command.clone())
            .unwrap_or_default();
        let outcome = result
            .map(
                |payload| match StatementOutcome::with_types(payload, db.result_types()) {
                    // The command tag tells apart statements GlueSQL reports alike
                    // (SAVEPOINT and BEGIN, RELEASE and COMMIT).
                    StatementOutcome::Done(_) if !command.is_empty() => {
                        StatementOutcome::Done(command)
                    }
                    other => other,
                },
            )
            .map_err(|err| {
                let (line, column, exact) = match err.position {
                    Some((l, c)) => {
                        let line = span.line + l - 1;
                        let column = if l == 1 { span.column + c - 1 } else { c };
                        (line, column, true)
                    }
                    None => (span.line, span.column, false),
                };
                ConsoleError {
                    code: err.code.0.to_string(),
                    message: err.message,
                    detail: err.detail,
                    hint: err.hint,
                    line,
                    column,
                    exact,
                }
            });
        let failed = outcome.is_err();
        let entry = entry.unwrap_or_else(|| unreachable_entry(&span.sql));
        run.statements.push(StatementRun {
            index: i + 1,
            sql: span.sql.clone(),
            line: span.line,
            duration_ms: entry.duration_ms,
            outcome,
            rows_examined: entry.rows_examined,
            accesses: entry
                .accesses
                .iter()
                .map(|a| {
                    let rows = if a.rows_examined == 1 { "row" } else { "rows" };
                    format!(
                        "{}: {} · {} {rows}",
                        a.table,
                        a.method.describe(),
                        a.rows_examined
                    )
                })
                .collect(),
            plan: entry.plan,
            notice: entry.notice,
            known_difference: entry
                .difference
                .map(|d| (d.id.to_string(), d.line.to_string())),
        });
        if failed {
            run.skipped = spans.len() - i - 1;
            break;
        }
    }
    run
}

/// `Database::execute` always logs; this stands in if that ever changes, rather than panic.
fn unreachable_entry(sql: &str) -> crate::engine::LogEntry {
    let mut log = crate::engine::StatementLog::default();
    log.push(sql, 0.0, crate::engine::LogOutcome::Done).clone()
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
    fn statements_carry_rows_examined_access_path_and_command_tag() {
        let mut db = Database::new();
        let mut script =
            String::from("CREATE TABLE items (id INTEGER PRIMARY KEY, created INTEGER);\n");
        for chunk in 0..10 {
            let values: Vec<String> = (0..100)
                .map(|i| {
                    let id = chunk * 100 + i;
                    format!("({id}, {})", id * 10)
                })
                .collect();
            script.push_str(&format!(
                "INSERT INTO items VALUES {};\n",
                values.join(", ")
            ));
        }
        script.push_str(
            "CREATE INDEX items_created_idx ON items (created);\n\
             SELECT id FROM items WHERE created > 9000 ORDER BY created LIMIT 20;\n\
             SELECT id FROM items ORDER BY created LIMIT 20 OFFSET 900;\n\
             BEGIN;\nSAVEPOINT before_risk;\nRELEASE SAVEPOINT before_risk;\nCOMMIT;",
        );
        let run = run_script(&mut db, &script);
        assert!(!run.failed(), "{:?}", run.statements.last());
        let keyset = &run.statements[12];
        assert_eq!(keyset.rows_examined, 20);
        assert!(
            keyset.accesses[0].contains("items_created_idx"),
            "{:?}",
            keyset.accesses
        );
        assert!(keyset.plan.is_some());
        let offset = &run.statements[13];
        assert!(offset.rows_examined >= 920, "{}", offset.rows_examined);
        let tags: Vec<_> = run.statements[14..]
            .iter()
            .map(|s| match &s.outcome {
                Ok(StatementOutcome::Done(tag)) => tag.as_str(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(tags, ["BEGIN", "SAVEPOINT", "RELEASE", "COMMIT"]);
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

    /// A table of 1,000 rows; each `SELECT count(*) ... WHERE id > 0` of it reads all of
    /// them (a bare count answers from the row count, reading none).
    fn thousand_rows() -> Database {
        let mut db = Database::new();
        let setup = run_script(
            &mut db,
            "CREATE TABLE t (id INTEGER PRIMARY KEY);\n\
             INSERT INTO t SELECT g FROM generate_series(1, 1000) AS g;",
        );
        assert!(!setup.failed(), "{setup:?}");
        db
    }

    #[test]
    fn the_script_budget_stops_the_statement_that_crosses_it_and_the_rest_do_not_run() {
        let mut db = thousand_rows();
        let script = "SELECT count(*) FROM t WHERE id > 0;\n".repeat(20);
        let budget = ScriptBudget {
            max_rows_examined: 5_500,
            ..ScriptBudget::UNLIMITED
        };
        let run = run_script_within(&mut db, &script, &budget);
        // Five statements read 5,000 rows; the sixth had 500 left and was stopped inside.
        assert_eq!(run.statements.len(), 6);
        assert!(run.statements[..5].iter().all(|s| s.outcome.is_ok()));
        let error = run.statements[5].outcome.as_ref().unwrap_err();
        assert_eq!(
            error.message,
            "script stopped: the script examined more than 5500 rows, its budget; statements 1 to 5 ran, statement 6 was stopped and changed nothing, 14 after it did not run"
        );
        assert_eq!(error.code, "54000");
        assert_eq!(error.line, 6);
        assert_eq!(run.skipped, 14);
        // The statement budget is back as it was for what runs next.
        assert_eq!(db.budget(), crate::engine::Budget::default());
    }

    #[test]
    fn a_statement_over_its_own_budget_says_so_not_the_script() {
        let mut db = thousand_rows();
        db.set_budget(crate::engine::Budget {
            max_rows_examined: 10,
            ..crate::engine::Budget::default()
        });
        let run = run_script(&mut db, "SELECT count(*) FROM t WHERE id > 0;\nSELECT 1;");
        let error = run.statements[0].outcome.as_ref().unwrap_err();
        assert!(
            error
                .message
                .starts_with("statement stopped: it examined more than 10 rows"),
            "{}",
            error.message
        );
        assert_eq!(run.skipped, 1);
    }

    #[test]
    fn writes_of_the_stopped_statement_are_undone() {
        let mut db = thousand_rows();
        let budget = ScriptBudget {
            max_rows_examined: 1_500,
            ..ScriptBudget::UNLIMITED
        };
        let run = run_script_within(
            &mut db,
            "SELECT count(*) FROM t WHERE id > 0;\nDELETE FROM t WHERE id > 0;",
            &budget,
        );
        assert!(run.statements[1].outcome.is_err(), "{run:?}");
        let after = run_script(&mut db, "SELECT count(*) FROM t;");
        match &after.statements[0].outcome {
            Ok(StatementOutcome::Rows(rs)) => assert_eq!(rs.rows[0][0].text, "1000"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_script_budget_of_time_stops_a_script_of_sleeps() {
        let mut db = Database::new();
        let script = "SELECT pg_sleep(0.05);\n".repeat(20);
        let budget = ScriptBudget {
            max_duration: web_time::Duration::from_millis(120),
            ..ScriptBudget::UNLIMITED
        };
        let run = run_script_within(&mut db, &script, &budget);
        // Two sleeps fit in 120 ms, the third crosses it (a slow machine stops sooner).
        assert!(run.statements.len() <= 3, "{}", run.statements.len());
        let last = run.statements.last().unwrap();
        let error = last.outcome.as_ref().unwrap_err();
        assert!(
            error
                .message
                .starts_with("script stopped: the script ran longer than its 120 ms budget"),
            "{}",
            error.message
        );
        assert_eq!(run.skipped, 20 - run.statements.len());
    }
}
