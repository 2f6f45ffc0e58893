//! Shared machinery of the transaction labs (savepoints, read-only transactions, session
//! context): statement groups run for real on an engine [`Database`] with PostgreSQL's
//! command tags, a trail of what ran in which session, and tables read without touching
//! the statement log (even inside an aborted transaction), and the actions of a lab whose
//! steps run one at a time ([`step_actions`], [`steps_for_action`]).

use crate::engine::{Database, LogEntry, LogOutcome};
use crate::lab::{ActionSpec, Cell, CellStatus, TableBlock};
use gluesql::core::executor::Payload;

/// One statement that really ran: in which session, its text, and its command tag
/// (`INSERT 0 1`, `SELECT 3`, `ROLLBACK`) or the engine's error.
#[derive(Clone, Debug, PartialEq)]
pub struct Ran {
    /// The step (action id) it belongs to.
    pub step: String,
    pub session: String,
    pub sql: String,
    pub result: Result<String, String>,
    /// What a query returned: column labels and rows as text.
    pub rows: Option<(Vec<String>, Vec<Vec<String>>)>,
}

impl Ran {
    /// The rows a query returned, as a table block (empty if it returned none or failed).
    pub fn table(&self, id: &str, title: &str) -> TableBlock {
        let (columns, rows) = self.rows.clone().unwrap_or_default();
        TableBlock {
            id: id.into(),
            title: title.into(),
            columns,
            rows: rows
                .into_iter()
                .map(|row| row.into_iter().map(Cell::plain).collect())
                .collect(),
            omitted: 0,
        }
    }
}

/// Runs `statements` in order on `db` for `step`, stopping at the first error (as a
/// Python function stops at its first exception). Returns what ran.
pub fn run_group(db: &mut Database, step: &str, session: &str, statements: &[String]) -> Vec<Ran> {
    let mut ran = Vec::new();
    for sql in statements {
        let mut rows = None;
        let result = db
            .execute(sql)
            .map(|payload| {
                if let Payload::Select {
                    labels,
                    rows: found,
                } = payload
                {
                    let found = found
                        .iter()
                        .map(|row| row.iter().map(String::from).collect())
                        .collect();
                    rows = Some((labels, found));
                }
                db.log()
                    .entries()
                    .last()
                    .map(command_tag)
                    .unwrap_or_default()
            })
            .map_err(|e| e.message);
        let failed = result.is_err();
        ran.push(Ran {
            step: step.to_string(),
            session: session.to_string(),
            sql: sql.clone(),
            result,
            rows,
        });
        if failed {
            break;
        }
    }
    ran
}

/// The first error among `ran`, if any.
pub fn first_error(ran: &[Ran]) -> Option<String> {
    ran.iter().find_map(|r| r.result.clone().err())
}

/// PostgreSQL's command tag for a logged statement: `INSERT 0 1`, `UPDATE 2`, `SELECT 3`,
/// `BEGIN`, `ROLLBACK` (also for the COMMIT of an aborted transaction).
pub fn command_tag(entry: &LogEntry) -> String {
    match (&entry.outcome, entry.command.as_str()) {
        (LogOutcome::Affected(n), "INSERT") => format!("INSERT 0 {n}"),
        (LogOutcome::Affected(n), command) | (LogOutcome::Rows(n), command) => {
            format!("{command} {n}")
        }
        (_, command) => command.to_string(),
    }
}

/// The trail of statements as a table: step, session, statement, result (green, or red
/// with the engine's error as the detail).
pub fn trail_table(id: &str, title: &str, ran: &[Ran]) -> TableBlock {
    TableBlock {
        id: id.into(),
        title: title.into(),
        columns: ["step", "session", "statement", "result"]
            .map(String::from)
            .to_vec(),
        rows: ran
            .iter()
            .map(|r| {
                let result = match &r.result {
                    Ok(tag) => Cell::status(tag.clone(), CellStatus::Ok),
                    Err(e) => Cell::status("ERROR", CellStatus::Bad).with_detail(e.clone()),
                };
                vec![
                    Cell::plain(r.step.clone()),
                    Cell::plain(r.session.clone()),
                    Cell::plain(r.sql.clone()),
                    result,
                ]
            })
            .collect(),
        omitted: 0,
    }
}

/// Reads `sql` on a copy of `db` as it is now (its open transaction's changes included),
/// so the page's statement log is untouched and an aborted transaction can still be
/// looked at. An error becomes one red cell.
pub fn read_table(db: &Database, id: &str, title: &str, sql: &str) -> TableBlock {
    let mut copy = Database::new();
    copy.restore(&db.snapshot());
    let mut table = TableBlock {
        id: id.into(),
        title: title.into(),
        ..TableBlock::default()
    };
    match copy.peek(sql) {
        Ok(Payload::Select { labels, rows }) => {
            table.columns = labels;
            table.rows = rows
                .iter()
                .map(|row| row.iter().map(|v| Cell::plain(String::from(v))).collect())
                .collect();
        }
        Ok(_) => {}
        Err(e) => {
            table.columns = vec!["error".into()];
            table.rows = vec![vec![
                Cell::status("ERROR", CellStatus::Bad).with_detail(e.message)
            ]];
        }
    }
    table
}

/// One integer a query returns (e.g. a COUNT), read like [`read_table`]; None if it fails.
pub fn read_number(db: &Database, sql: &str) -> Option<f64> {
    let table = read_table(db, "n", "", sql);
    table.rows.first()?.first()?.text.parse().ok()
}

/// The actions of a lab whose steps (`(id, label)`, in order) run one at a time, `done`
/// of them already: one per step, only the next one enabled; then `extra`; then the
/// primary `run` (labelled `run_label`, enabled while a step remains) and `reset`.
pub fn step_actions(
    steps: &[(&'static str, &'static str)],
    done: usize,
    extra: Option<ActionSpec>,
    run_label: &str,
) -> Vec<ActionSpec> {
    let next = steps.get(done).map(|(id, _)| *id);
    let mut actions: Vec<ActionSpec> = steps
        .iter()
        .map(|(id, label)| ActionSpec::new(*id, *label).enabled(next == Some(*id)))
        .collect();
    actions.extend(extra);
    actions.push(
        ActionSpec::new("run", run_label)
            .primary()
            .enabled(next.is_some()),
    );
    actions.push(ActionSpec::new("reset", "Reset"));
    actions
}

/// How many steps action `id` runs in a lab of [`step_actions`] (`ids` in order, `done`
/// of them already): `run` runs all that remain (the error `already_ran` once none do),
/// the next step's id runs that step; another step's id is "not the next step", any
/// other id unknown. The page handles its own actions (`reset`, ...) before this.
pub fn steps_for_action(
    ids: &[&str],
    done: usize,
    id: &str,
    already_ran: &str,
) -> Result<usize, String> {
    if id == "run" {
        return if done >= ids.len() {
            Err(already_ran.to_string())
        } else {
            Ok(ids.len() - done)
        };
    }
    match ids.get(done) {
        Some(next) if *next == id => Ok(1),
        _ if ids.contains(&id) => Err(format!("'{id}' is not the next step")),
        _ => Err(format!("unknown action '{id}'")),
    }
}

/// Quotes `text` as a PostgreSQL string literal.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_stops_at_its_first_error_and_tags_what_ran() {
        let mut db = Database::new();
        let sqls: Vec<String> = [
            "CREATE TABLE t (id INTEGER PRIMARY KEY)",
            "INSERT INTO t VALUES (1), (2)",
            "INSERT INTO t VALUES (1)",
            "SELECT * FROM t",
        ]
        .map(String::from)
        .to_vec();
        let ran = run_group(&mut db, "s", "main", &sqls);
        assert_eq!(ran.len(), 3);
        assert_eq!(ran[1].result.as_deref(), Ok("INSERT 0 2"));
        assert!(first_error(&ran).is_some());
        let table = read_table(&db, "t", "t", "SELECT id FROM t ORDER BY id");
        assert_eq!(table.rows.len(), 2);
        assert_eq!(read_number(&db, "SELECT COUNT(*) FROM t"), Some(2.0));
    }

    #[test]
    fn steps_run_in_order_one_or_all() {
        let ids = ["begin", "work", "commit"];
        assert_eq!(steps_for_action(&ids, 0, "begin", "ran"), Ok(1));
        assert_eq!(steps_for_action(&ids, 1, "run", "ran"), Ok(2));
        assert_eq!(steps_for_action(&ids, 3, "run", "ran"), Err("ran".into()));
        assert_eq!(
            steps_for_action(&ids, 0, "commit", "ran"),
            Err("'commit' is not the next step".into())
        );
        assert_eq!(
            steps_for_action(&ids, 0, "nope", "ran"),
            Err("unknown action 'nope'".into())
        );
        let actions = step_actions(&[("begin", "BEGIN"), ("commit", "COMMIT")], 1, None, "Run");
        let ids: Vec<(&str, bool)> = actions.iter().map(|a| (a.id.as_str(), a.enabled)).collect();
        assert_eq!(
            ids,
            [
                ("begin", false),
                ("commit", true),
                ("run", true),
                ("reset", true)
            ]
        );
    }

    #[test]
    fn reading_an_aborted_transaction_shows_its_rows_without_logging() {
        let mut db = Database::new();
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
            .unwrap();
        db.execute("BEGIN").unwrap();
        db.execute("INSERT INTO t VALUES (1)").unwrap();
        assert!(db.execute("INSERT INTO t VALUES (1)").is_err());
        let before = db.log().entries().len();
        assert_eq!(read_number(&db, "SELECT COUNT(*) FROM t"), Some(1.0));
        assert_eq!(db.log().entries().len(), before);
    }
}
