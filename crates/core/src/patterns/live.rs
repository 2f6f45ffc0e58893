//! Small helpers shared by the live pages' steps: run a step without panicking, query
//! through the logged engine, find objects through the session.

use gluesql::core::executor::Payload;

use crate::demo::{DemoContext, StepOutcome};
use crate::engine::Database;
use crate::orm::{ObjId, Select, Session, Value};

pub(crate) type R<T> = Result<T, String>;

/// Runs a step body; an unexpected error (models edited so the step no longer fits)
/// rolls the session back and becomes a failed outcome, never a panic.
pub(crate) fn guard(
    ctx: &mut DemoContext,
    body: impl FnOnce(&mut DemoContext) -> R<StepOutcome>,
) -> StepOutcome {
    match body(ctx) {
        Ok(outcome) => outcome,
        Err(e) => {
            let _ = ctx.session.rollback(ctx.db);
            StepOutcome::failed(
                "This step could not run on these models (it expects the reference code's tables and columns).",
                e,
            )
        }
    }
}

/// Runs one statement through the engine (so it is in the log).
pub(crate) fn exec(db: &mut Database, sql: &str) -> R<Payload> {
    db.execute(sql).map_err(|e| e.message)
}

/// The rows of a query, as ORM values.
pub(crate) fn rows(db: &mut Database, sql: &str) -> R<Vec<Vec<Value>>> {
    match exec(db, sql)? {
        Payload::Select { rows, .. } => Ok(rows
            .iter()
            .map(|r| r.iter().map(Value::from_engine).collect())
            .collect()),
        _ => Err(format!("not a query: {sql}")),
    }
}

/// The first column of the first row as an integer (COUNT(*)).
pub(crate) fn count(db: &mut Database, sql: &str) -> R<i64> {
    match rows(db, sql)?.first().and_then(|r| r.first()) {
        Some(Value::Int(n)) => Ok(*n),
        Some(Value::Float(f)) => Ok(*f as i64),
        other => Err(format!("expected a count from {sql}, got {other:?}")),
    }
}

/// A value as display text (`NULL` for None).
pub(crate) fn text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "NULL".into(),
        Some(Value::Int(i)) => i.to_string(),
        Some(Value::Float(f)) => format!("{f}"),
        Some(Value::Bool(b)) => b.to_string(),
        Some(other) => other.as_str().unwrap_or_default().to_string(),
    }
}

/// `session.scalars(select(Class).where(Class.attr == value)).first()`, required.
/// How many statements of the page's log since `seq` start with `prefix`.
pub(crate) fn counted(ctx: &DemoContext, seq: u64, prefix: &str) -> usize {
    ctx.db
        .log()
        .since(seq)
        .iter()
        .filter(|e| e.sql.starts_with(prefix))
        .count()
}

pub(crate) fn one(ctx: &mut DemoContext, class: &str, attr: &str, value: &str) -> R<ObjId> {
    let found = ctx
        .session
        .execute(ctx.db, &Select::new(class).where_eq(attr, value))
        .map_err(|e| e.to_string())?;
    found
        .first()
        .copied()
        .ok_or_else(|| format!("no {class} with {attr} = '{value}' (an earlier step removed it?)"))
}

/// `session.commit()`; on failure the session is rolled back and the engine's message
/// returned (what the page shows as the error).
pub(crate) fn commit(session: &mut Session, db: &mut Database) -> Result<(), String> {
    match session.commit(db) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = session.rollback(db);
            Err(e.to_string())
        }
    }
}

/// `session.add(Class(**attrs))` with string attributes.
pub(crate) fn add(ctx: &mut DemoContext, class: &str, attrs: &[(&str, &str)]) -> R<ObjId> {
    let values: Vec<(&str, Value)> = attrs.iter().map(|(k, v)| (*k, Value::from(*v))).collect();
    ctx.session
        .add_new(class, &values)
        .map_err(|e| e.to_string())
}

/// A fresh database with `source`'s models (for comparisons).
pub(crate) fn fresh(source: &str) -> Database {
    crate::model_editor::build(source).database
}

/// A statement's result as one line: its rows or its error.
pub(crate) fn line(db: &mut Database, sql: &str) -> String {
    match db.execute(sql) {
        Ok(Payload::Select { rows, .. }) => {
            let shown: Vec<String> = rows
                .iter()
                .map(|r| {
                    let cells: Vec<String> = r
                        .iter()
                        .map(|v| text(Some(&Value::from_engine(v))))
                        .collect();
                    format!("({})", cells.join(", "))
                })
                .collect();
            format!("{sql}\n  -> {} row(s) {}", rows.len(), shown.join(" "))
        }
        Ok(Payload::Insert(n)) | Ok(Payload::Update(n)) | Ok(Payload::Delete(n)) => {
            format!("{sql}\n  -> {n} row(s)")
        }
        Ok(_) => format!("{sql}\n  -> ok"),
        Err(e) => format!("{sql}\n  -> ERROR: {}", e.message),
    }
}
