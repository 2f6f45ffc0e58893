//! Attribute values of ORM objects, their SQL literals and their conversion from the engine.

use gluesql::prelude::Value as EngineValue;
use serde::Serialize;

/// A Python attribute value as the emulation keeps it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// ISO text as Python's `str(datetime)` prints it (`2025-01-01 00:00:00+00:00`).
    Timestamp(String),
    /// A JSON document, as its text.
    Json(String),
}

impl Value {
    /// The value as a SQL literal, for the statement the engine runs.
    pub fn sql_literal(&self) -> String {
        match self {
            Value::Null => "NULL".into(),
            Value::Bool(true) => "TRUE".into(),
            Value::Bool(false) => "FALSE".into(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => {
                if f.is_finite() && f.fract() == 0.0 {
                    format!("{f:.1}")
                } else {
                    f.to_string()
                }
            }
            Value::Str(s) | Value::Timestamp(s) | Value::Json(s) => {
                format!("'{}'", s.replace('\'', "''"))
            }
        }
    }

    /// How Python's echo would print the parameter (`'a'`, `None`, `1`).
    pub fn python_repr(&self) -> String {
        match self {
            Value::Null => "None".into(),
            Value::Bool(true) => "True".into(),
            Value::Bool(false) => "False".into(),
            other => other.sql_literal(),
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) | Value::Timestamp(s) | Value::Json(s) => Some(s),
            _ => None,
        }
    }

    /// A key that identifies the value inside an identity key (type-insensitive for
    /// numbers and text, as a database key compares them).
    pub(crate) fn key_text(&self) -> String {
        match self {
            Value::Null => "\u{0}".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Str(s) | Value::Timestamp(s) | Value::Json(s) => s.clone(),
        }
    }

    /// Converts what a query returned.
    pub fn from_engine(value: &EngineValue) -> Value {
        match value {
            EngineValue::Null => Value::Null,
            EngineValue::Bool(b) => Value::Bool(*b),
            EngineValue::I8(i) => Value::Int(i64::from(*i)),
            EngineValue::I16(i) => Value::Int(i64::from(*i)),
            EngineValue::I32(i) => Value::Int(i64::from(*i)),
            EngineValue::I64(i) => Value::Int(*i),
            EngineValue::U8(i) => Value::Int(i64::from(*i)),
            EngineValue::U16(i) => Value::Int(i64::from(*i)),
            EngineValue::U32(i) => Value::Int(i64::from(*i)),
            EngineValue::F32(f) => Value::Float(f64::from(*f)),
            EngineValue::F64(f) => Value::Float(*f),
            EngineValue::Str(s) => Value::Str(s.clone()),
            EngineValue::Timestamp(t) => {
                Value::Timestamp(t.format("%Y-%m-%d %H:%M:%S%.f").to_string())
            }
            EngineValue::Map(_) | EngineValue::List(_) => Value::Json(String::from(value)),
            other => Value::Str(String::from(other)),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Str(s)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}
