//! PostgreSQL's wording for constraint violations and the front's own errors.

use crate::engine::EngineError;
use gluesql::core::error::Error;

/// A message carried through GlueSQL's executor as a storage error; the engine shows it
/// as is.
pub(crate) fn msg(message: impl Into<String>) -> Error {
    Error::StorageMsg(message.into())
}

/// PostgreSQL's HINT when a DROP would break objects that depend on what it drops.
pub const CASCADE_HINT: &str = "Use DROP ... CASCADE to drop the dependent objects too.";

pub fn not_null(column: &str, table: &str) -> String {
    format!(
        "null value in column \"{column}\" of relation \"{table}\" violates not-null constraint"
    )
}

pub fn check(table: &str, constraint: &str) -> String {
    format!("new row for relation \"{table}\" violates check constraint \"{constraint}\"")
}

pub fn unique(constraint: &str) -> String {
    format!("duplicate key value violates unique constraint \"{constraint}\"")
}

pub fn fk_insert(table: &str, constraint: &str) -> String {
    format!(
        "insert or update on table \"{table}\" violates foreign key constraint \"{constraint}\""
    )
}

pub fn fk_delete(parent: &str, constraint: &str, child: &str) -> String {
    format!(
        "update or delete on table \"{parent}\" violates foreign key constraint \"{constraint}\" on table \"{child}\""
    )
}

/// A construct the front does not support, with where it is in the statement's text
/// (found by searching for `needle`, case-insensitively).
pub fn unsupported(sql: &str, construct: &str, needle: &str) -> EngineError {
    // A construct that is PostgreSQL's own error (`type "x" does not exist`) says so.
    let error = if construct.ends_with(" does not exist") {
        EngineError::new(construct)
    } else {
        EngineError::unsupported(construct)
    };
    error.at(position_of(sql, needle))
}

/// An error at the place `needle` first occurs in `sql`.
pub fn at(sql: &str, message: impl Into<String>, needle: &str) -> EngineError {
    EngineError::new(message).at(position_of(sql, needle))
}

pub fn plain(message: impl Into<String>) -> EngineError {
    EngineError::new(message)
}

/// 1-based line and column of the first case-insensitive occurrence of `needle`.
pub fn position_of(sql: &str, needle: &str) -> Option<(u32, u32)> {
    if needle.is_empty() {
        return None;
    }
    let lower = sql.to_lowercase();
    // Lower-casing can change byte lengths outside ASCII; only trust an ASCII match.
    if lower.len() != sql.len() {
        return None;
    }
    let at = lower.find(&needle.to_lowercase())?;
    let before = &sql[..at];
    let line = before.matches('\n').count() as u32 + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
    Some((line, column))
}
