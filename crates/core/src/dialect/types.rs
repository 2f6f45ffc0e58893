//! PostgreSQL column types mapped onto GlueSQL's, with the rules GlueSQL does not keep
//! (VARCHAR length, NUMERIC precision and scale, integer ranges, JSON syntax, enum labels).

use gluesql::core::ast::DataType;
use gluesql::core::data::Value;
use gluesql::core::sqlparser::ast::{
    CharacterLength, DataType as SqlDataType, ExactNumberInfo, TimezoneInfo,
};
use serde::Serialize;

/// A column's PostgreSQL type, as declared.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PgType {
    SmallInt,
    Integer,
    BigInt,
    Numeric {
        precision: Option<u32>,
        scale: Option<u32>,
    },
    Real,
    Double,
    Varchar(Option<u32>),
    Char(u32),
    Text,
    Bool,
    Timestamp {
        tz: bool,
    },
    Date,
    Time,
    Interval,
    Bytea,
    Uuid,
    Json,
    Jsonb,
    /// A type made by `CREATE TYPE name AS ENUM (...)`, stored as text.
    Enum(String),
    /// A GlueSQL-only type (MAP, LIST, ...), passed through.
    Native(String),
}

/// A declared type: the PostgreSQL type and whether it is a SERIAL (a sequence default).
pub struct Declared {
    pub ty: PgType,
    pub serial: bool,
}

impl PgType {
    /// The GlueSQL type that stores it.
    pub fn storage(&self) -> DataType {
        match self {
            Self::SmallInt | Self::Integer | Self::BigInt => DataType::Int,
            Self::Numeric { .. } => DataType::Decimal,
            Self::Real | Self::Double => DataType::Float,
            Self::Varchar(_)
            | Self::Char(_)
            | Self::Text
            | Self::Json
            | Self::Jsonb
            | Self::Enum(_) => DataType::Text,
            Self::Bool => DataType::Boolean,
            Self::Timestamp { .. } => DataType::Timestamp,
            Self::Date => DataType::Date,
            Self::Time => DataType::Time,
            Self::Interval => DataType::Interval,
            Self::Bytea => DataType::Bytea,
            Self::Uuid => DataType::Uuid,
            Self::Native(name) => match name.as_str() {
                "MAP" => DataType::Map,
                "LIST" => DataType::List,
                "POINT" => DataType::Point,
                "INET" => DataType::Inet,
                "FLOAT32" => DataType::Float32,
                _ => DataType::Text,
            },
        }
    }

    /// PostgreSQL's name for the type, as in its messages (`character varying(20)`).
    pub fn pg_name(&self) -> String {
        match self {
            Self::SmallInt => "smallint".into(),
            Self::Integer => "integer".into(),
            Self::BigInt => "bigint".into(),
            Self::Numeric {
                precision: Some(p),
                scale,
            } => format!("numeric({p},{})", scale.unwrap_or(0)),
            Self::Numeric { .. } => "numeric".into(),
            Self::Real => "real".into(),
            Self::Double => "double precision".into(),
            Self::Varchar(Some(n)) => format!("character varying({n})"),
            Self::Varchar(None) => "character varying".into(),
            Self::Char(n) => format!("character({n})"),
            Self::Text => "text".into(),
            Self::Bool => "boolean".into(),
            Self::Timestamp { tz: true } => "timestamp with time zone".into(),
            Self::Timestamp { tz: false } => "timestamp without time zone".into(),
            Self::Date => "date".into(),
            Self::Time => "time".into(),
            Self::Interval => "interval".into(),
            Self::Bytea => "bytea".into(),
            Self::Uuid => "uuid".into(),
            Self::Json => "json".into(),
            Self::Jsonb => "jsonb".into(),
            Self::Enum(name) => name.clone(),
            Self::Native(name) => name.to_lowercase(),
        }
    }

    /// Applies the type's rules to a value GlueSQL already converted to the storage type:
    /// the value to store, or PostgreSQL's error message.
    pub fn coerce(&self, value: Value, enum_labels: Option<&[String]>) -> Result<Value, String> {
        if value.is_null() {
            return Ok(value);
        }
        match (self, value) {
            (Self::SmallInt, Value::I64(n)) if i16::try_from(n).is_err() => {
                Err("smallint out of range".into())
            }
            (Self::Integer, Value::I64(n)) if i32::try_from(n).is_err() => {
                Err("integer out of range".into())
            }
            (Self::Numeric { precision, scale }, Value::Decimal(d)) => {
                let d = match scale {
                    // PostgreSQL rounds half away from zero (12.345 -> 12.35); `round_dp`
                    // would round half to even.
                    Some(s) if d.scale() > *s => {
                        match parse_like(&d, &format!("0.{}5", "0".repeat(*s as usize))) {
                            Some(half) => {
                                let away = if d.is_sign_negative() {
                                    d - half
                                } else {
                                    d + half
                                };
                                away.trunc_with_scale(*s)
                            }
                            None => d.round_dp(*s),
                        }
                    }
                    _ => d,
                };
                // NUMERIC(p, s) shows s digits after the point: 0 is stored as 0.00.
                let d = match scale {
                    Some(s) if d.scale() < *s => {
                        let mut d = d;
                        d.rescale(*s);
                        d
                    }
                    _ => d,
                };
                if let Some(p) = precision {
                    let s = scale.unwrap_or(0);
                    let integer_digits = d.trunc().abs().to_string().trim_start_matches('0').len();
                    if integer_digits as u32 > p.saturating_sub(s) {
                        // PostgreSQL shows 10^0 as 1.
                        let limit = match p.saturating_sub(s) {
                            0 => "1".to_string(),
                            digits => format!("10^{digits}"),
                        };
                        return Err(format!(
                            "numeric field overflow\nDETAIL:  A field with precision {p}, scale {s} must round to an absolute value less than {limit}."
                        ));
                    }
                }
                Ok(Value::Decimal(d))
            }
            (Self::Varchar(Some(n)) | Self::Char(n), Value::Str(s)) => {
                let limit = *n as usize;
                match s.char_indices().nth(limit) {
                    None => Ok(Value::Str(s)),
                    // PostgreSQL cuts trailing spaces past the length instead of failing.
                    Some((at, _)) if s[at..].chars().all(|c| c == ' ') => {
                        Ok(Value::Str(s[..at].to_string()))
                    }
                    Some(_) => Err(format!("value too long for type {}", self.pg_name())),
                }
            }
            (Self::Json, Value::Str(s)) => match serde_json::from_str::<serde_json::Value>(&s) {
                Ok(_) => Ok(Value::Str(s)),
                Err(error) => Err(json_input_error(&s, &error)),
            },
            // jsonb is stored as PostgreSQL stores it: keys sorted and unique, numbers
            // as numeric prints them, so it prints back as PostgreSQL prints it.
            (Self::Jsonb, Value::Str(s)) => jsonb_input(&s).map(|v| Value::Str(v.to_text())),
            (Self::Enum(name), Value::Str(s)) => match enum_labels {
                Some(labels) if !labels.iter().any(|l| l == &s) => {
                    Err(format!("invalid input value for enum {name}: \"{s}\""))
                }
                _ => Ok(Value::Str(s)),
            },
            (_, value) => Ok(value),
        }
    }
}

/// Maps a declared SQL type; `is_enum` tells whether a custom name is a known enum type.
pub fn declare(
    data_type: &SqlDataType,
    is_enum: impl Fn(&str) -> bool,
) -> Result<Declared, String> {
    let plain = |ty| Ok(Declared { ty, serial: false });
    let length = |len: &Option<CharacterLength>| match len {
        Some(CharacterLength::IntegerLength { length, .. }) => Some(*length as u32),
        _ => None,
    };
    match data_type {
        SqlDataType::SmallInt(_) | SqlDataType::Int2(_) | SqlDataType::Int16 => {
            plain(PgType::SmallInt)
        }
        SqlDataType::Int(_)
        | SqlDataType::Integer(_)
        | SqlDataType::Int4(_)
        | SqlDataType::Int32 => plain(PgType::Integer),
        SqlDataType::BigInt(_) | SqlDataType::Int8(_) | SqlDataType::Int64 => plain(PgType::BigInt),
        SqlDataType::Numeric(info) | SqlDataType::Decimal(info) | SqlDataType::Dec(info) => {
            let (precision, scale) = match info {
                ExactNumberInfo::None => (None, None),
                ExactNumberInfo::Precision(p) => (Some(*p as u32), Some(0)),
                ExactNumberInfo::PrecisionAndScale(p, s) => (Some(*p as u32), Some(*s as u32)),
            };
            if let (Some(p), Some(s)) = (precision, scale) {
                if p == 0 || p > 1000 {
                    return Err(format!("NUMERIC precision {p} must be between 1 and 1000"));
                }
                if s > p {
                    return Err(format!(
                        "NUMERIC scale {s} must be between 0 and precision {p}"
                    ));
                }
            }
            plain(PgType::Numeric { precision, scale })
        }
        SqlDataType::Real | SqlDataType::Float4 => plain(PgType::Real),
        SqlDataType::Float(Some(p)) if *p <= 24 => plain(PgType::Real),
        SqlDataType::Float(_)
        | SqlDataType::Float8
        | SqlDataType::Float64
        | SqlDataType::Double
        | SqlDataType::DoublePrecision => plain(PgType::Double),
        SqlDataType::Varchar(len)
        | SqlDataType::CharacterVarying(len)
        | SqlDataType::CharVarying(len) => {
            if length(len) == Some(0) {
                return Err("length for type varchar must be at least 1".into());
            }
            plain(PgType::Varchar(length(len)))
        }
        SqlDataType::Char(len) | SqlDataType::Character(len) => {
            if length(len) == Some(0) {
                return Err("length for type char must be at least 1".into());
            }
            plain(PgType::Char(length(len).unwrap_or(1)))
        }
        SqlDataType::Text | SqlDataType::String(None) => plain(PgType::Text),
        SqlDataType::Bool | SqlDataType::Boolean => plain(PgType::Bool),
        SqlDataType::Timestamp(_, tz) => plain(PgType::Timestamp {
            tz: matches!(tz, TimezoneInfo::WithTimeZone | TimezoneInfo::Tz),
        }),
        SqlDataType::Date => plain(PgType::Date),
        SqlDataType::Time(_, _) => plain(PgType::Time),
        SqlDataType::Interval => plain(PgType::Interval),
        SqlDataType::Bytea => plain(PgType::Bytea),
        SqlDataType::Uuid => plain(PgType::Uuid),
        SqlDataType::JSON => plain(PgType::Json),
        SqlDataType::JSONB => plain(PgType::Jsonb),
        SqlDataType::Custom(name, modifiers) if modifiers.is_empty() => {
            let last = name.0.last().map(|i| i.value.clone()).unwrap_or_default();
            let upper = last.to_uppercase();
            let serial = |ty| Ok(Declared { ty, serial: true });
            match upper.as_str() {
                "SERIAL" | "SERIAL4" => serial(PgType::Integer),
                "BIGSERIAL" | "SERIAL8" => serial(PgType::BigInt),
                "SMALLSERIAL" | "SERIAL2" => serial(PgType::SmallInt),
                "TIMESTAMPTZ" => plain(PgType::Timestamp { tz: true }),
                "TIMETZ" => plain(PgType::Time),
                "BOOL" => plain(PgType::Bool),
                "MAP" | "LIST" | "POINT" | "INET" => plain(PgType::Native(upper)),
                _ if is_enum(&last.to_lowercase()) => plain(PgType::Enum(last.to_lowercase())),
                _ => Err(format!("type \"{}\" does not exist", last.to_lowercase())),
            }
        }
        SqlDataType::Array(_) => {
            Err("feature not supported in this playground: array columns".to_string())
        }
        // Other databases' type names PostgreSQL does not have.
        other => {
            let name = other.to_string().to_lowercase();
            let word = name
                .split(['(', ' '])
                .next()
                .unwrap_or_default()
                .to_string();
            if matches!(
                word.as_str(),
                "datetime"
                    | "tinyint"
                    | "mediumint"
                    | "nvarchar"
                    | "nchar"
                    | "longtext"
                    | "mediumtext"
                    | "tinytext"
                    | "blob"
                    | "longblob"
                    | "string"
                    | "int64"
                    | "float64"
                    | "unsigned"
                    | "datetime64"
                    | "nullable"
                    | "uint8"
                    | "uint16"
                    | "uint32"
                    | "uint64"
                    | "int128"
            ) {
                Err(format!("type \"{word}\" does not exist"))
            } else {
                Err(format!("type {other} is not supported"))
            }
        }
    }
}

impl PgType {
    /// The PostgreSQL type of a GlueSQL storage type (for tables GlueSQL created itself).
    pub fn from_storage(data_type: &DataType) -> Self {
        match data_type {
            DataType::Int8 | DataType::Int16 => Self::SmallInt,
            DataType::Int32 => Self::Integer,
            DataType::Int => Self::BigInt,
            DataType::Float32 => Self::Real,
            DataType::Float => Self::Double,
            DataType::Decimal => Self::Numeric {
                precision: None,
                scale: None,
            },
            DataType::Text => Self::Text,
            DataType::Boolean => Self::Bool,
            DataType::Timestamp => Self::Timestamp { tz: false },
            DataType::Date => Self::Date,
            DataType::Time => Self::Time,
            DataType::Interval => Self::Interval,
            DataType::Bytea => Self::Bytea,
            DataType::Uuid => Self::Uuid,
            other => Self::Native(format!("{other}")),
        }
    }
}

/// Parses `text` as the same type as `_like` (a way to build a decimal constant without
/// naming GlueSQL's decimal crate).
fn parse_like<T: std::str::FromStr>(_like: &T, text: &str) -> Option<T> {
    text.parse().ok()
}

/// jsonb's input: the value, or PostgreSQL's error for text that is not JSON.
pub(crate) fn jsonb_input(text: &str) -> Result<super::json_value::Jsonb, String> {
    super::json_value::Jsonb::parse(text).map_err(|error| {
        match serde_json::from_str::<serde_json::Value>(text) {
            Err(syntax) if error.sqlstate == "22P02" && !error.message.contains("\nDETAIL:") => {
                json_input_error(text, &syntax)
            }
            _ => error.message,
        }
    })
}

/// PostgreSQL's error for text that is not JSON (json and jsonb both say `type json`),
/// with its DETAIL for the two cases a learner meets: a bare word, and cut-off input.
fn json_input_error(text: &str, error: &serde_json::Error) -> String {
    let message = "invalid input syntax for type json";
    if error.is_eof() {
        return format!("{message}\nDETAIL:  The input string ended unexpectedly.");
    }
    let at = text
        .lines()
        .nth(error.line().saturating_sub(1))
        .and_then(|line| line.chars().nth(error.column().saturating_sub(1)));
    let word_start = text
        .lines()
        .nth(error.line().saturating_sub(1))
        .map(|line| {
            let chars: Vec<char> = line.chars().collect();
            let mut start = error.column().saturating_sub(1).min(chars.len());
            while start > 0 && chars[start - 1].is_alphanumeric() {
                start -= 1;
            }
            chars[start..]
                .iter()
                .take_while(|c| c.is_alphanumeric())
                .collect::<String>()
        });
    match (at, word_start) {
        // A value was due and punctuation came: `{"a": }`.
        (Some(c), _) if "}],:".contains(c) && error.to_string().starts_with("expected value") => {
            format!("{message}\nDETAIL:  Expected JSON value, but found \"{c}\".")
        }
        (Some(c), Some(word)) if c.is_alphanumeric() && !word.is_empty() => {
            format!("{message}\nDETAIL:  Token \"{word}\" is invalid.")
        }
        _ => message.to_string(),
    }
}
