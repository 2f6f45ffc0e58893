//! Values as PostgreSQL's text output writes them (what psql shows), in results, error
//! details and the statement log.

use super::types::PgType;
use gluesql::prelude::Value;

/// A value as PostgreSQL's text output writes it: booleans `t`/`f`, NUMERIC with its scale,
/// UUIDs hyphenated, NULL as `NULL` (psql shows an empty cell; the playground names it).
pub fn pg_text(value: &Value) -> String {
    match value {
        Value::Bool(b) => (if *b { "t" } else { "f" }).to_string(),
        other => String::from(other),
    }
}

/// A value of a column of type `ty`: a TIMESTAMPTZ (stored as UTC) shows its offset.
pub fn pg_text_as(value: &Value, ty: &PgType) -> String {
    match (value, ty) {
        (Value::Timestamp(_), PgType::Timestamp { tz: true }) => format!("{}+00", pg_text(value)),
        _ => pg_text(value),
    }
}

/// PostgreSQL's `Failing row contains (...)` DETAIL: each value as text, NULL as `null`.
pub fn failing_row<'a>(values: impl Iterator<Item = (&'a Value, &'a PgType)>) -> String {
    let cells: Vec<String> = values
        .map(|(value, ty)| match value {
            Value::Null => "null".to_string(),
            value => pg_text_as(value, ty),
        })
        .collect();
    format!("Failing row contains ({}).", cells.join(", "))
}

/// PostgreSQL's `Key (a, b)=(1, x)` for a DETAIL line.
pub fn key_text(columns: &[String], values: &[Value]) -> String {
    let values: Vec<String> = values
        .iter()
        .map(|v| match v {
            Value::Null => "null".to_string(),
            v => pg_text(v),
        })
        .collect();
    format!("Key ({})=({})", columns.join(", "), values.join(", "))
}
