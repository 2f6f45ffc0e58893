//! The original models as Alembic sees them once PostgreSQL holds them: reflected from
//! the catalog, so with the names PostgreSQL generated for unnamed constraints and the
//! default expressions as PostgreSQL stores them.

use crate::model::ir::{Column, ForeignKey, SqlType, Table};

/// PostgreSQL's name for the primary key: `users_pkey` unless the model named it.
pub fn primary_key_name(table: &Table) -> String {
    table
        .primary_key_name
        .clone()
        .unwrap_or_else(|| format!("{}_pkey", table.name))
}

/// PostgreSQL's name for a unique constraint the model left unnamed: `users_email_key`.
pub fn unique_name(table: &str, name: &Option<String>, columns: &[String]) -> String {
    name.clone()
        .unwrap_or_else(|| format!("{table}_{}_key", columns.join("_")))
}

/// PostgreSQL's name for an unnamed foreign key: `books_author_id_fkey`.
pub fn foreign_key_name(table: &str, fk: &ForeignKey) -> String {
    fk.name
        .clone()
        .unwrap_or_else(|| format!("{table}_{}_fkey", fk.columns.join("_")))
}

/// A partial index's condition as PostgreSQL prints it back: in parentheses.
pub fn where_sql(condition: &str) -> String {
    if condition.starts_with('(') && condition.ends_with(')') {
        condition.to_string()
    } else {
        format!("({condition})")
    }
}

/// The column's default as `pg_get_expr` gives it back: a string literal carries its
/// cast (`'active'::character varying`), a quoted number on a numeric column is a
/// number, calls and keywords are as written. `None` for a SERIAL column (its
/// `nextval(...)` default is the serial itself, which Alembic leaves out).
pub fn default_sql(column: &Column) -> Option<String> {
    if column.autoincrement {
        return None;
    }
    let sql = column.server_default.as_ref()?;
    let Some(inner) = string_literal(sql) else {
        return Some(sql.clone());
    };
    let numeric = matches!(
        column.sql_type,
        SqlType::Integer
            | SqlType::BigInteger
            | SqlType::SmallInteger
            | SqlType::Numeric(..)
            | SqlType::Float(_)
            | SqlType::Double
    );
    if numeric && !inner.starts_with('-') && inner.parse::<f64>().is_ok() {
        return Some(inner);
    }
    Some(format!("{sql}::{}", type_name(&column.sql_type)))
}

/// The text of a lone SQL string literal (`'it''s'` -> `it's`).
fn string_literal(sql: &str) -> Option<String> {
    let body = sql.strip_prefix('\'')?.strip_suffix('\'')?;
    // A literal followed by more SQL (`'a' || 'b'`) is not one literal.
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' && chars.next() != Some('\'') {
            return None;
        }
    }
    Some(body.replace("''", "'"))
}

/// The type's name in PostgreSQL's catalog, as a cast in a reflected default writes it.
pub fn type_name(sql_type: &SqlType) -> String {
    match sql_type {
        SqlType::Varchar(_) => "character varying".into(),
        SqlType::Char(_) => "bpchar".into(),
        SqlType::Text => "text".into(),
        SqlType::Integer => "integer".into(),
        SqlType::BigInteger => "bigint".into(),
        SqlType::SmallInteger => "smallint".into(),
        SqlType::Float(Some(p)) if *p <= 24 => "real".into(),
        SqlType::Float(_) | SqlType::Double => "double precision".into(),
        SqlType::Numeric(..) => "numeric".into(),
        SqlType::Boolean => "boolean".into(),
        SqlType::Date => "date".into(),
        SqlType::Time { timezone: false } => "time without time zone".into(),
        SqlType::Time { timezone: true } => "time with time zone".into(),
        SqlType::Timestamp { timezone: false } => "timestamp without time zone".into(),
        SqlType::Timestamp { timezone: true } => "timestamp with time zone".into(),
        SqlType::Interval => "interval".into(),
        SqlType::Bytea => "bytea".into(),
        SqlType::Uuid => "uuid".into(),
        SqlType::Json => "json".into(),
        SqlType::Jsonb => "jsonb".into(),
        SqlType::Enum { name, .. } => name.clone(),
        SqlType::Other(name) => name.to_lowercase(),
    }
}

/// Whether two server defaults are the same to PostgreSQL (Alembic asks the database
/// `SELECT a = b`): equal once a literal's cast and outer parentheses are set aside.
pub fn same_default(a: Option<&str>, b: Option<&str>) -> bool {
    fn normal(sql: &str) -> String {
        let mut s = sql.trim().to_string();
        while s.starts_with('(') && s.ends_with(')') {
            s = s[1..s.len() - 1].trim().to_string();
        }
        if let Some(at) = s.rfind("::") {
            if s[..at].ends_with('\'') {
                s.truncate(at);
            }
        }
        if let Some(inner) = string_literal(&s) {
            return inner;
        }
        s.to_lowercase()
    }
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => normal(a) == normal(b),
        _ => false,
    }
}
