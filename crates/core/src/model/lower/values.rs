//! Reading Python values: types (annotations and type objects), defaults, literals,
//! server defaults and CHECK conditions as SQL.

use super::super::ast::{kwarg, positional, Arg, Expr, ExprKind};
use super::super::ir::{DefaultValue, EnumDef, KnownCallable, Literal, PyDefault, SqlType};

/// A `Mapped[...]` annotation, unwrapped.
#[derive(Debug, Default)]
pub(super) struct Annotation {
    /// The inner type's dotted name (`str`, `datetime.datetime`, `Order`).
    pub type_name: Option<String>,
    pub optional: bool,
    /// `list[...]`, `set[...]`: a collection relationship.
    pub collection: bool,
}

/// Reads `Mapped[T]`; `None` when the annotation is not `Mapped` (not mapped at all).
pub(super) fn mapped_annotation(annotation: &Expr) -> Option<Annotation> {
    let ExprKind::Subscript(base, inner) = &annotation.kind else {
        return None;
    };
    if !matches!(
        base.last_name(),
        Some("Mapped" | "WriteOnlyMapped" | "DynamicMapped")
    ) {
        return None;
    }
    let mut out = Annotation::default();
    read_inner(inner, &mut out, 0);
    Some(out)
}

fn read_inner(expr: &Expr, out: &mut Annotation, depth: usize) {
    if depth > 8 {
        return;
    }
    match &expr.kind {
        ExprKind::Str(text) => {
            // A forward reference: 'Order', 'Category | None'.
            if let Some(parsed) = super::super::parse_expression(text) {
                read_inner(&parsed, out, depth + 1);
            } else {
                out.type_name = Some(text.trim().to_string());
            }
        }
        ExprKind::BinOp(left, op, right) if op == "|" => {
            for side in [left, right] {
                if is_none(side) {
                    out.optional = true;
                } else {
                    read_inner(side, out, depth + 1);
                }
            }
        }
        ExprKind::Subscript(base, arg) => match base.last_name() {
            Some("Optional") => {
                out.optional = true;
                read_inner(arg, out, depth + 1);
            }
            Some("Union") => read_inner_union(arg, out, depth),
            Some("list" | "List" | "set" | "Set" | "Sequence" | "Collection") => {
                out.collection = true;
                read_inner(arg, out, depth + 1);
            }
            _ => out.type_name = base.dotted(),
        },
        _ => {
            if let Some(name) = expr.dotted() {
                out.type_name = Some(name);
            }
        }
    }
}

fn read_inner_union(arg: &Expr, out: &mut Annotation, depth: usize) {
    if let ExprKind::Tuple(items) = &arg.kind {
        for item in items {
            if is_none(item) {
                out.optional = true;
            } else {
                read_inner(item, out, depth + 1);
            }
        }
    } else {
        read_inner(arg, out, depth + 1);
    }
}

fn is_none(expr: &Expr) -> bool {
    matches!(&expr.kind, ExprKind::Name(n) if n == "None")
        || matches!(&expr.kind, ExprKind::Str(s) if s.trim() == "None")
}

/// SQLAlchemy 2.0's default `type_annotation_map`, plus enums of the file.
/// `Err` names a Python type SQLAlchemy has no default SQL type for.
pub(super) fn type_for_python(type_name: &str, enums: &[EnumDef]) -> Result<SqlType, String> {
    let last = type_name.rsplit('.').next().unwrap_or(type_name);
    Ok(match last {
        "str" => SqlType::Varchar(None),
        "int" => SqlType::Integer,
        "float" => SqlType::Float(None),
        "bool" => SqlType::Boolean,
        "datetime" => SqlType::Timestamp { timezone: false },
        "date" => SqlType::Date,
        "time" => SqlType::Time { timezone: false },
        "timedelta" => SqlType::Interval,
        "Decimal" => SqlType::Numeric(None, None),
        "bytes" => SqlType::Bytea,
        "UUID" => SqlType::Uuid,
        _ => match enums.iter().find(|e| e.name == last) {
            Some(e) => enum_type(e),
            None => return Err(last.to_string()),
        },
    })
}

/// SQLAlchemy's `Enum(PyEnum)`: a native type named after the class, labelled by
/// member names (not values).
pub(super) fn enum_type(e: &EnumDef) -> SqlType {
    SqlType::Enum {
        name: e.name.to_lowercase(),
        labels: e.members.iter().map(|(name, _)| name.clone()).collect(),
    }
}

/// A type object (`String(50)`, `DateTime(timezone=True)`, `JSON`); `None` when the
/// expression is not a type we recognise as one.
pub(super) fn type_object(expr: &Expr, enums: &[EnumDef]) -> Option<SqlType> {
    let (name, args) = match &expr.kind {
        ExprKind::Call(func, args) => (func.last_name()?, args.as_slice()),
        _ => (expr.last_name()?, &[][..]),
    };
    let number = |index: usize, keyword: &str| -> Option<u32> {
        let value = kwarg(args, keyword).or_else(|| positional(args).nth(index))?;
        match &value.kind {
            ExprKind::Num(n) => n.replace('_', "").parse().ok(),
            _ => None,
        }
    };
    let timezone = kwarg(args, "timezone")
        .or_else(|| positional(args).next())
        .is_some_and(|v| matches!(&v.kind, ExprKind::Name(n) if n == "True"));
    Some(match name {
        "String" | "Unicode" | "VARCHAR" | "NVARCHAR" => SqlType::Varchar(number(0, "length")),
        "CHAR" | "NCHAR" => SqlType::Char(number(0, "length")),
        "Text" | "UnicodeText" | "TEXT" => SqlType::Text,
        "Integer" | "INTEGER" | "INT" => SqlType::Integer,
        "BigInteger" | "BIGINT" => SqlType::BigInteger,
        "SmallInteger" | "SMALLINT" => SqlType::SmallInteger,
        "Float" | "FLOAT" => SqlType::Float(number(0, "precision")),
        "Double" | "DOUBLE_PRECISION" | "DOUBLE" => SqlType::Double,
        "Numeric" | "NUMERIC" => SqlType::Numeric(number(0, "precision"), number(1, "scale")),
        "Boolean" | "BOOLEAN" => SqlType::Boolean,
        "Date" | "DATE" => SqlType::Date,
        "DateTime" | "TIMESTAMP" => SqlType::Timestamp { timezone },
        "Time" | "TIME" => SqlType::Time { timezone },
        "Interval" | "INTERVAL" => SqlType::Interval,
        "LargeBinary" | "BYTEA" => SqlType::Bytea,
        "Uuid" | "UUID" => SqlType::Uuid,
        // ARRAY(String(30)) is VARCHAR(30)[]: kept as text (the engine has no arrays, and
        // says so when the DDL runs).
        "ARRAY" => {
            let inner = positional(args)
                .next()
                .and_then(|t| type_object(t, enums))?;
            SqlType::Other(format!("{}[]", inner.to_sql()))
        }
        "JSON" => SqlType::Json,
        "JSONB" => SqlType::Jsonb,
        "Enum" => {
            let spec = enum_spec(args, enums);
            if spec.native {
                SqlType::Enum {
                    name: spec.name,
                    labels: spec.labels,
                }
            } else {
                let longest = spec.labels.iter().map(|l| l.chars().count()).max();
                SqlType::Varchar(spec.length.or(longest.map(|n| n as u32)))
            }
        }
        _ => return None,
    })
}

/// What `Enum(...)` says: the labels (member names, or what `values_callable` gives:
/// the values), the type or constraint name (`name=`, else the class name lower-cased),
/// and, for `native_enum=False`, the VARCHAR length and whether a CHECK is created.
pub(super) struct EnumSpec {
    pub labels: Vec<String>,
    pub name: String,
    pub native: bool,
    pub length: Option<u32>,
    pub create_constraint: bool,
}

pub(super) fn enum_spec(args: &[Arg], enums: &[EnumDef]) -> EnumSpec {
    let flag =
        |k: &str| kwarg(args, k).map(|v| matches!(&v.kind, ExprKind::Name(n) if n == "True"));
    let class = positional(args)
        .next()
        .and_then(|f| f.last_name())
        .and_then(|n| enums.iter().find(|e| e.name == n));
    let labels = match class {
        Some(e) if kwarg(args, "values_callable").is_some() => e
            .members
            .iter()
            .map(|(name, value)| match value {
                Literal::Str(s) => s.clone(),
                Literal::Number(n) => n.clone(),
                _ => name.clone(),
            })
            .collect(),
        Some(e) => e.members.iter().map(|(name, _)| name.clone()).collect(),
        None => positional(args)
            .filter_map(|a| a.as_str().map(str::to_string))
            .collect(),
    };
    let name = kwarg(args, "name")
        .and_then(Expr::as_str)
        .map(str::to_string)
        .or_else(|| class.map(|e| e.name.to_lowercase()))
        .unwrap_or_default();
    let length = kwarg(args, "length").and_then(|v| match &v.kind {
        ExprKind::Num(n) => n.parse().ok(),
        _ => None,
    });
    EnumSpec {
        labels,
        name,
        native: flag("native_enum") != Some(false),
        length,
        create_constraint: flag("create_constraint") == Some(true),
    }
}

/// Whether a callee or name looks like a SQLAlchemy type we do not know (upper camel
/// case, not a known constructor): reported rather than silently dropped.
pub(super) fn looks_like_type(expr: &Expr) -> Option<String> {
    let name = match &expr.kind {
        ExprKind::Call(func, _) => func.last_name()?,
        _ => expr.last_name()?,
    };
    let skip = [
        "ForeignKey",
        "Sequence",
        "Identity",
        "Computed",
        "FetchedValue",
    ];
    (name.chars().next()?.is_uppercase() && !skip.contains(&name)).then(|| name.to_string())
}

pub(super) fn literal(expr: &Expr) -> Option<Literal> {
    Some(match &expr.kind {
        ExprKind::Str(s) => Literal::Str(s.clone()),
        ExprKind::Num(n) => Literal::Number(n.clone()),
        ExprKind::Name(n) if n == "True" => Literal::Bool(true),
        ExprKind::Name(n) if n == "False" => Literal::Bool(false),
        ExprKind::Name(n) if n == "None" => Literal::None,
        ExprKind::Unary(op, inner) if op == "-" => match &inner.kind {
            ExprKind::Num(n) => Literal::Number(format!("-{n}")),
            _ => return None,
        },
        _ => return None,
    })
}

/// `OrderStatus.PENDING.value` / `.name` of an enum of the file, as a literal.
pub(super) fn enum_member_literal(expr: &Expr, enums: &[EnumDef]) -> Option<Literal> {
    let ExprKind::Attr(member, which) = &expr.kind else {
        return None;
    };
    let ExprKind::Attr(class, member_name) = &member.kind else {
        return None;
    };
    let def = enums
        .iter()
        .find(|e| Some(e.name.as_str()) == class.last_name())?;
    let (name, value) = def.members.iter().find(|(n, _)| n == member_name)?;
    match which.as_str() {
        "value" => Some(value.clone()),
        "name" => Some(Literal::Str(name.clone())),
        _ => None,
    }
}

pub(super) fn py_default(expr: &Expr, chars: &[char], enums: &[EnumDef]) -> PyDefault {
    let value = if let Some(lit) = literal(expr).or_else(|| enum_member_literal(expr, enums)) {
        DefaultValue::Literal(lit)
    } else {
        match &expr.kind {
            ExprKind::Lambda(body) => {
                known_call(body).map_or(DefaultValue::Opaque, DefaultValue::Known)
            }
            _ => known_callable(expr).map_or(DefaultValue::Opaque, DefaultValue::Known),
        }
    };
    PyDefault {
        source: expr.source(chars),
        value,
    }
}

/// A callable passed directly: `uuid4`, `datetime.now`, `datetime.utcnow`.
fn known_callable(expr: &Expr) -> Option<KnownCallable> {
    match expr.dotted()?.as_str() {
        "uuid4" | "uuid.uuid4" => Some(KnownCallable::Uuid4),
        "datetime.now" | "datetime.datetime.now" => Some(KnownCallable::NowLocal),
        "datetime.utcnow" | "datetime.datetime.utcnow" => Some(KnownCallable::NowUtc),
        _ => None,
    }
}

/// The body of a lambda: `str(uuid4())`, `uuid4()`, `datetime.now(UTC)`.
fn known_call(body: &Expr) -> Option<KnownCallable> {
    let ExprKind::Call(func, args) = &body.kind else {
        return None;
    };
    let callee = func.dotted()?;
    if callee == "str" {
        let inner = positional(args).next()?;
        return match &inner.kind {
            ExprKind::Call(f, a)
                if a.is_empty() && known_callable(f) == Some(KnownCallable::Uuid4) =>
            {
                Some(KnownCallable::Uuid4String)
            }
            _ => None,
        };
    }
    match known_callable(func)? {
        KnownCallable::NowLocal => {
            let zone = kwarg(args, "tz").or_else(|| positional(args).next());
            match zone.and_then(Expr::dotted).as_deref() {
                Some("UTC" | "timezone.utc" | "datetime.UTC" | "datetime.timezone.utc") => {
                    Some(KnownCallable::NowUtc)
                }
                None => Some(KnownCallable::NowLocal),
                Some(_) => None,
            }
        }
        known if args.is_empty() => Some(known),
        _ => None,
    }
}

/// A literal as SQL (literal_binds): strings quoted, booleans lower-case.
pub(super) fn literal_sql(lit: &Literal) -> String {
    match lit {
        Literal::Str(s) => format!("'{}'", s.replace('\'', "''")),
        Literal::Number(n) => n.replace('_', ""),
        Literal::Bool(b) => b.to_string(),
        Literal::None => "NULL".into(),
    }
}

/// ANSI functions SQLAlchemy renders without parentheses.
const ANSI_FUNCTIONS: &[&str] = &[
    "current_timestamp",
    "current_date",
    "current_time",
    "localtime",
    "localtimestamp",
    "current_user",
    "session_user",
    "user",
];

/// `server_default=`: a string (quoted), `text('...')` (verbatim), `func.f(...)`, or
/// `false()` / `true()`.
pub(super) fn server_default_sql(expr: &Expr) -> Result<String, &'static str> {
    match &expr.kind {
        ExprKind::Str(s) => Ok(literal_sql(&Literal::Str(s.clone()))),
        ExprKind::Call(func, args) => {
            let dotted = func.dotted().unwrap_or_default();
            // sqlalchemy's false() / true() (also sql.expression.false()): the SQL literals.
            let last = dotted.rsplit('.').next().unwrap_or_default();
            if matches!(last, "false" | "true") && args.is_empty() {
                return Ok(last.to_string());
            }
            if dotted == "text" || dotted.ends_with(".text") {
                return positional(args)
                    .next()
                    .and_then(Expr::as_str)
                    .map(str::to_string)
                    .ok_or("text() needs a string");
            }
            function_sql(&dotted, args.iter().map(|a| &a.value))
        }
        _ => Err("server_default must be a string, text(...), func.<name>(...), false() or true()"),
    }
}

fn function_sql<'a>(
    dotted: &str,
    args: impl Iterator<Item = &'a Expr>,
) -> Result<String, &'static str> {
    let Some(name) = dotted
        .strip_prefix("func.")
        .or_else(|| dotted.split_once(".func.").map(|(_, n)| n))
    else {
        return Err("server_default must be a string, text(...) or func.<name>(...)");
    };
    let args: Vec<String> = args
        .map(|a| {
            literal(a)
                .map(|l| literal_sql(&l))
                .ok_or("func arguments must be literals")
        })
        .collect::<Result<_, _>>()?;
    if args.is_empty() && ANSI_FUNCTIONS.contains(&name.to_lowercase().as_str()) {
        return Ok(name.to_uppercase());
    }
    Ok(format!("{name}({})", args.join(", ")))
}
