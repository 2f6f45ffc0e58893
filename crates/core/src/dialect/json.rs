//! JSON and JSONB operators and functions as PostgreSQL answers them. GlueSQL 0.20 stores
//! `json`/`jsonb` as text and has none of their operators, so the front computes them: each
//! *JSON expression* (the largest part of an expression made of JSON operators, JSON
//! functions and casts from or to json/jsonb, over leaves that are constants or plain
//! expressions of one table's columns) is evaluated in Rust with [`super::json_value`].
//!
//! - An expression whose leaves are all constants is folded to a typed literal.
//! - Otherwise the table its leaves read is read once with the leaves' values
//!   (`SELECT t.*, leaf, ... FROM t`), each JSON expression is computed per row into a
//!   hidden column of a scratch copy of the table (`__json_<n>`, gone when the statement
//!   ends), and the statement reads the scratch copy under the table's name with each JSON
//!   expression replaced by its column. WHERE, JOIN, GROUP BY and ORDER BY then work on the
//!   computed values as on any column. The statement log says which table was read in full.
//!
//! What it does not do it refuses (0A000): leaves over two tables or an outer query, JSON
//! expressions in UPDATE or DELETE that read the row, ordering by a jsonb value.

use super::json_value::{self, JsonError, Jsonb, Step};
use super::rewrite::{children, children_mut};
use super::types::PgType;
use crate::engine::storage_api::{Run, State};
use crate::engine::SqlState;
use crate::engine::{Database, EngineError};
use gluesql::core::executor::Payload;
use gluesql::core::sqlparser::ast::{
    BinaryOperator, CastKind, DataType, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArguments, GroupByExpr, Ident, JoinConstraint, JoinOperator, ObjectName, Query,
    SelectItem, SetExpr, Statement, TableAlias, TableFactor, Value as SqlValue,
};
use gluesql::prelude::Value;

/// Functions this module computes (lower case).
const FUNCTIONS: &[&str] = &[
    "jsonb_typeof",
    "json_typeof",
    "jsonb_array_length",
    "json_array_length",
    "jsonb_extract_path",
    "jsonb_extract_path_text",
    "json_extract_path",
    "json_extract_path_text",
    "jsonb_build_object",
    "jsonb_build_array",
    "to_jsonb",
    "jsonb_strip_nulls",
    "jsonb_set",
];

/// The static type of a JSON expression's part, as PostgreSQL resolves its operators.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Ty {
    Json,
    Jsonb,
    Text,
    /// A quoted literal with no type yet: the operator gives it one.
    Unknown,
    Int(u8),
    Bool,
    Float,
    Numeric,
    TextArray,
    Other,
}

impl Ty {
    fn of(ty: Option<&PgType>) -> Self {
        match ty {
            Some(PgType::Json) => Ty::Json,
            Some(PgType::Jsonb) => Ty::Jsonb,
            Some(PgType::Text | PgType::Varchar(_) | PgType::Char(_) | PgType::Enum(_)) => Ty::Text,
            Some(PgType::SmallInt) => Ty::Int(16),
            Some(PgType::Integer) => Ty::Int(32),
            Some(PgType::BigInt) => Ty::Int(64),
            Some(PgType::Bool) => Ty::Bool,
            Some(PgType::Real | PgType::Double) => Ty::Float,
            Some(PgType::Numeric { .. }) => Ty::Numeric,
            _ => Ty::Other,
        }
    }

    /// PostgreSQL's name in an "operator does not exist" message.
    fn name(self) -> &'static str {
        match self {
            Ty::Json => "json",
            Ty::Jsonb => "jsonb",
            Ty::Text => "text",
            Ty::Unknown => "unknown",
            Ty::Int(16) => "smallint",
            Ty::Int(64) => "bigint",
            Ty::Int(_) => "integer",
            Ty::Bool => "boolean",
            Ty::Float => "double precision",
            Ty::Numeric => "numeric",
            Ty::TextArray => "text[]",
            Ty::Other => "unknown",
        }
    }

    fn is_json(self) -> bool {
        matches!(self, Ty::Json | Ty::Jsonb)
    }

    fn pg(self) -> Option<PgType> {
        Some(match self {
            Ty::Json => PgType::Json,
            Ty::Jsonb => PgType::Jsonb,
            Ty::Text | Ty::Unknown => PgType::Text,
            Ty::Int(16) => PgType::SmallInt,
            Ty::Int(64) => PgType::BigInt,
            Ty::Int(_) => PgType::Integer,
            Ty::Bool => PgType::Bool,
            Ty::Float => PgType::Double,
            Ty::Numeric => PgType::Numeric {
                precision: None,
                scale: None,
            },
            Ty::TextArray | Ty::Other => return None,
        })
    }
}

/// A value inside a JSON expression.
#[derive(Clone, Debug)]
enum JValue {
    Null,
    /// json: the text as written.
    Json(String),
    Jsonb(Jsonb),
    Text(String),
    Int(i64),
    Bool(bool),
    Float(f64),
    Numeric(String),
    TextArray(Vec<Option<String>>),
}

/// The operators, by what they compute.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    /// `->`
    Get,
    /// `->>`
    GetText,
    /// `#>`
    Path,
    /// `#>>`
    PathText,
    /// `@>`
    Contains,
    /// `<@`
    ContainedBy,
    /// `?`
    Exists,
    /// `?|`
    ExistsAny,
    /// `?&`
    ExistsAll,
    Eq,
    NotEq,
    /// `||`
    Concat,
    /// `-`
    Minus,
}

impl Op {
    fn of(op: &BinaryOperator) -> Option<Self> {
        Some(match op {
            BinaryOperator::Arrow => Op::Get,
            BinaryOperator::LongArrow => Op::GetText,
            BinaryOperator::HashArrow => Op::Path,
            BinaryOperator::HashLongArrow => Op::PathText,
            BinaryOperator::AtArrow => Op::Contains,
            BinaryOperator::ArrowAt => Op::ContainedBy,
            BinaryOperator::Question => Op::Exists,
            BinaryOperator::QuestionPipe => Op::ExistsAny,
            BinaryOperator::QuestionAnd => Op::ExistsAll,
            BinaryOperator::Eq => Op::Eq,
            BinaryOperator::NotEq => Op::NotEq,
            BinaryOperator::StringConcat => Op::Concat,
            BinaryOperator::Minus => Op::Minus,
            _ => return None,
        })
    }

    /// Whether the operator is JSON's whatever its operands' types (the others are JSON's
    /// only with a json/jsonb operand).
    fn only_json(self) -> bool {
        !matches!(self, Op::Eq | Op::NotEq | Op::Concat | Op::Minus)
    }

    fn symbol(self) -> &'static str {
        match self {
            Op::Get => "->",
            Op::GetText => "->>",
            Op::Path => "#>",
            Op::PathText => "#>>",
            Op::Contains => "@>",
            Op::ContainedBy => "<@",
            Op::Exists => "?",
            Op::ExistsAny => "?|",
            Op::ExistsAll => "?&",
            Op::Eq => "=",
            Op::NotEq => "<>",
            Op::Concat => "||",
            Op::Minus => "-",
        }
    }
}

/// A JSON expression, typed.
#[derive(Clone, Debug)]
enum Node {
    /// A leaf computed by the engine: its index among the select's leaves.
    Leaf(usize, Ty),
    Const(JValue, Ty),
    Binary(Op, Box<Node>, Box<Node>, Ty),
    Call(String, Vec<Node>, Ty),
    Cast(Box<Node>, Ty),
    /// `x IN (...)` on jsonb: equality with each.
    InList(Box<Node>, Vec<Node>, bool),
}

impl Node {
    fn ty(&self) -> Ty {
        match self {
            Node::Leaf(_, ty)
            | Node::Const(_, ty)
            | Node::Binary(.., ty)
            | Node::Call(.., ty)
            | Node::Cast(_, ty) => *ty,
            Node::InList(..) => Ty::Bool,
        }
    }

    fn leaves(&self, out: &mut Vec<usize>) {
        match self {
            Node::Leaf(k, _) => out.push(*k),
            Node::Const(..) => {}
            Node::Binary(_, l, r, _) => {
                l.leaves(out);
                r.leaves(out);
            }
            Node::Call(_, args, _) => args.iter().for_each(|a| a.leaves(out)),
            Node::Cast(inner, _) => inner.leaves(out),
            Node::InList(e, list, _) => {
                e.leaves(out);
                list.iter().for_each(|a| a.leaves(out));
            }
        }
    }
}

/// A leaf the engine computes: its expression and the FROM item it reads (None: no column).
#[derive(Clone, Debug)]
struct Leaf {
    expr: Expr,
    factor: Option<usize>,
}

fn no_operator(left: Ty, op: &str, right: Ty) -> EngineError {
    EngineError::coded(
        SqlState::UNDEFINED_FUNCTION,
        format!(
            "operator does not exist: {} {op} {}\nHINT:  No operator matches the given name and argument types. You might need to add explicit type casts.",
            left.name(),
            right.name()
        ),
    )
}

fn json_error(error: JsonError) -> EngineError {
    EngineError::coded(SqlState(error.sqlstate), error.message)
}

/// Whether a statement may have a JSON expression: a cheap test on the text and the
/// catalog before the exact one on the tree.
pub(crate) fn may_use_json(sql: &str, state: &State) -> bool {
    let lower = sql.to_ascii_lowercase();
    ["->", "@>", "<@", "?", "#>", "json"]
        .iter()
        .any(|t| lower.contains(t))
        || state.tables.values().any(|t| {
            t.meta
                .columns
                .iter()
                .any(|c| matches!(c.ty, PgType::Json | PgType::Jsonb))
        })
}

/// The catalog's view a statement's expressions are typed in.
struct Types<'a> {
    state: &'a State,
    scope: super::typing::Scope,
}

impl Types<'_> {
    fn leaf_ty(&self, expr: &Expr) -> Ty {
        Ty::of(super::typing::type_of(expr, &self.scope).as_ref())
    }

    /// Whether `expr` is the top of a JSON expression.
    fn is_root(&self, expr: &Expr) -> bool {
        match expr {
            Expr::BinaryOp { left, op, right } => match Op::of(op) {
                Some(op) if op.only_json() => true,
                Some(_) => self.json_typed(left) || self.json_typed(right),
                None => false,
            },
            Expr::InList { expr, .. } => self.json_typed(expr),
            Expr::Function(function) => {
                function_name(function).is_some_and(|name| FUNCTIONS.contains(&name.as_str()))
            }
            Expr::Cast {
                expr, data_type, ..
            } => {
                let target = Ty::of(cast_target(data_type).as_ref());
                match (target, expr.as_ref()) {
                    (_, Expr::Value(SqlValue::Null)) => false,
                    // A literal already in jsonb's normal form is left to the engine
                    // (which is also what a folded literal is).
                    (Ty::Jsonb, Expr::Value(SqlValue::SingleQuotedString(text))) => {
                        Jsonb::parse(text).map_or(true, |v| v.to_text() != *text)
                    }
                    (Ty::Json, Expr::Value(SqlValue::SingleQuotedString(_))) => false,
                    (Ty::Json | Ty::Jsonb, _) => true,
                    (Ty::Text, inner) => self.is_root(inner),
                    _ => self.json_typed(expr),
                }
            }
            _ => false,
        }
    }

    /// Whether `expr` is of type json or jsonb.
    fn json_typed(&self, expr: &Expr) -> bool {
        match expr {
            Expr::Nested(inner) => self.json_typed(inner),
            Expr::Value(_) => false,
            e if self.is_root(e) => self
                .build(e, &mut Vec::new(), &|_| None)
                .is_ok_and(|n| n.ty().is_json()),
            e => self.leaf_ty(e).is_json(),
        }
    }

    /// Builds the JSON expression at `expr`; `factor_of` says which FROM item a leaf reads.
    fn build(
        &self,
        expr: &Expr,
        leaves: &mut Vec<Leaf>,
        factor_of: &dyn Fn(&Expr) -> Option<Result<usize, EngineError>>,
    ) -> Result<Node, EngineError> {
        match expr {
            Expr::Nested(inner) => self.build(inner, leaves, factor_of),
            Expr::Value(SqlValue::SingleQuotedString(s)) => {
                Ok(Node::Const(JValue::Text(s.clone()), Ty::Unknown))
            }
            Expr::Value(SqlValue::Null) => Ok(Node::Const(JValue::Null, Ty::Unknown)),
            Expr::Value(SqlValue::Boolean(b)) => Ok(Node::Const(JValue::Bool(*b), Ty::Bool)),
            Expr::Value(n @ SqlValue::Number(..)) => Ok(number_node(n, false)),
            Expr::UnaryOp {
                op: gluesql::core::sqlparser::ast::UnaryOperator::Minus,
                expr: inner,
            } if matches!(inner.as_ref(), Expr::Value(SqlValue::Number(..))) => {
                let Expr::Value(n) = inner.as_ref() else {
                    unreachable!("matched above");
                };
                Ok(number_node(n, true))
            }
            Expr::Array(array)
                if array
                    .elem
                    .iter()
                    .all(|e| matches!(e, Expr::Value(SqlValue::SingleQuotedString(_)))) =>
            {
                let items = array
                    .elem
                    .iter()
                    .filter_map(|e| match e {
                        Expr::Value(SqlValue::SingleQuotedString(s)) => Some(Some(s.clone())),
                        _ => None,
                    })
                    .collect();
                Ok(Node::Const(JValue::TextArray(items), Ty::TextArray))
            }
            Expr::BinaryOp { left, op, right } if self.is_root(expr) => {
                let op = Op::of(op).expect("a JSON operator (is_root)");
                let left = self.build(left, leaves, factor_of)?;
                let right = self.build(right, leaves, factor_of)?;
                let ty = binary_type(op, left.ty(), right.ty())?;
                Ok(Node::Binary(op, Box::new(left), Box::new(right), ty))
            }
            Expr::InList {
                expr: inner,
                list,
                negated,
            } if self.is_root(expr) => {
                let inner = self.build(inner, leaves, factor_of)?;
                let list = list
                    .iter()
                    .map(|e| self.build(e, leaves, factor_of))
                    .collect::<Result<Vec<_>, _>>()?;
                for item in &list {
                    binary_type(Op::Eq, inner.ty(), item.ty())?;
                }
                Ok(Node::InList(Box::new(inner), list, *negated))
            }
            Expr::Function(function) if self.is_root(expr) => {
                let name = function_name(function).expect("a named function (is_root)");
                let args = plain_args(function).ok_or_else(|| {
                    EngineError::unsupported(format!("{name}() with these arguments"))
                })?;
                let args = args
                    .into_iter()
                    .map(|a| self.build(a, leaves, factor_of))
                    .collect::<Result<Vec<_>, _>>()?;
                let ty = function_type(&name, &args)?;
                Ok(Node::Call(name, args, ty))
            }
            Expr::Cast {
                expr: inner,
                data_type,
                ..
            } if self.is_root(expr) || matches!(inner.as_ref(), Expr::Value(_)) => {
                let target = Ty::of(cast_target(data_type).as_ref());
                if target == Ty::Other {
                    return Err(EngineError::unsupported(format!(
                        "casting a JSON value to {data_type}"
                    )));
                }
                let inner = self.build(inner, leaves, factor_of)?;
                cast_allowed(inner.ty(), target)?;
                Ok(Node::Cast(Box::new(inner), target))
            }
            other => {
                if contains_aggregate(other) {
                    return Err(EngineError::unsupported(
                        "JSON operators on an aggregate's or a window function's result",
                    ));
                }
                let ty = self.leaf_ty(other);
                let factor = factor_of(other).transpose()?;
                leaves.push(Leaf {
                    expr: other.clone(),
                    factor,
                });
                Ok(Node::Leaf(leaves.len() - 1, ty))
            }
        }
    }
}

fn number_node(n: &SqlValue, negative: bool) -> Node {
    let SqlValue::Number(text, _) = n else {
        return Node::Const(JValue::Null, Ty::Unknown);
    };
    let text: String = if negative {
        format!("-{text}")
    } else {
        text.to_string()
    };
    match text.parse::<i64>() {
        Ok(i) if i32::try_from(i).is_ok() => Node::Const(JValue::Int(i), Ty::Int(32)),
        Ok(i) => Node::Const(JValue::Int(i), Ty::Int(64)),
        Err(_) => Node::Const(JValue::Numeric(text), Ty::Numeric),
    }
}

fn function_name(function: &Function) -> Option<String> {
    (function.over.is_none() && function.name.0.len() == 1)
        .then(|| function.name.0[0].value.to_lowercase())
}

fn plain_args(function: &Function) -> Option<Vec<&Expr>> {
    match &function.args {
        FunctionArguments::List(list) if list.duplicate_treatment.is_none() => list
            .args
            .iter()
            .map(|a| match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                _ => None,
            })
            .collect(),
        FunctionArguments::None => Some(Vec::new()),
        _ => None,
    }
}

/// Aggregates and window calls cannot be a JSON expression's leaf: their value is not a
/// row's.
fn contains_aggregate(expr: &Expr) -> bool {
    if let Expr::Function(f) = expr {
        if f.over.is_some()
            || f.name
                .0
                .last()
                .is_some_and(|n| super::grouping::is_aggregate_name(&n.value.to_lowercase()))
        {
            return true;
        }
    }
    children(expr).into_iter().any(contains_aggregate)
}

fn cast_target(data_type: &DataType) -> Option<PgType> {
    super::types::declare(data_type, |_| false)
        .ok()
        .map(|d| d.ty)
}

/// The result type of `left op right`, or PostgreSQL's error for operand types it has no
/// such operator for.
fn binary_type(op: Op, left: Ty, right: Ty) -> Result<Ty, EngineError> {
    let error = || Err(no_operator(left, op.symbol(), right));
    match op {
        Op::Get | Op::Path | Op::GetText | Op::PathText => {
            let key_ok = match op {
                Op::Get | Op::GetText => {
                    matches!(right, Ty::Text | Ty::Unknown | Ty::Int(_))
                }
                _ => matches!(right, Ty::TextArray | Ty::Unknown),
            };
            match left {
                Ty::Json | Ty::Jsonb if key_ok => Ok(match op {
                    Op::GetText | Op::PathText => Ty::Text,
                    _ => left,
                }),
                Ty::Unknown => Err(EngineError::coded(
                    SqlState::AMBIGUOUS_FUNCTION,
                    format!(
                        "operator is not unique: unknown {} {}\nHINT:  Could not choose a best candidate operator. You might need to add explicit type casts.",
                        op.symbol(),
                        right.name()
                    ),
                )),
                _ => error(),
            }
        }
        Op::Contains | Op::ContainedBy | Op::Eq | Op::NotEq => {
            let jsonb = |t: Ty| matches!(t, Ty::Jsonb | Ty::Unknown);
            if left == Ty::Jsonb && jsonb(right) || right == Ty::Jsonb && jsonb(left) {
                Ok(Ty::Bool)
            } else {
                error()
            }
        }
        Op::Exists | Op::ExistsAny | Op::ExistsAll => {
            let key_ok = match op {
                Op::Exists => matches!(right, Ty::Text | Ty::Unknown),
                _ => matches!(right, Ty::TextArray | Ty::Unknown),
            };
            if left == Ty::Jsonb && key_ok {
                Ok(Ty::Bool)
            } else {
                error()
            }
        }
        Op::Concat => {
            let jsonb = |t: Ty| matches!(t, Ty::Jsonb | Ty::Unknown);
            if left == Ty::Jsonb && jsonb(right) || right == Ty::Jsonb && jsonb(left) {
                Ok(Ty::Jsonb)
            } else if left.is_json() || right.is_json() {
                Err(EngineError::unsupported(format!(
                    "{} || {} (this concatenation)",
                    left.name(),
                    right.name()
                )))
            } else {
                error()
            }
        }
        Op::Minus => {
            if left == Ty::Jsonb && matches!(right, Ty::Text | Ty::Unknown | Ty::Int(_)) {
                Ok(Ty::Jsonb)
            } else {
                error()
            }
        }
    }
}

fn function_type(name: &str, args: &[Node]) -> Result<Ty, EngineError> {
    let arity = |ok: bool| -> Result<(), EngineError> {
        if ok {
            Ok(())
        } else {
            let types: Vec<&str> = args.iter().map(|a| a.ty().name()).collect();
            Err(EngineError::coded(
                SqlState::UNDEFINED_FUNCTION,
                format!(
                    "function {name}({}) does not exist\nHINT:  No function matches the given name and argument types. You might need to add explicit type casts.",
                    types.join(", ")
                ),
            ))
        }
    };
    let first = args.first().map(Node::ty);
    let is = |t: Option<Ty>, want: Ty| t == Some(want) || t == Some(Ty::Unknown);
    Ok(match name {
        "jsonb_typeof" => {
            arity(args.len() == 1 && is(first, Ty::Jsonb))?;
            Ty::Text
        }
        "json_typeof" => {
            arity(args.len() == 1 && is(first, Ty::Json))?;
            Ty::Text
        }
        "jsonb_array_length" => {
            arity(args.len() == 1 && is(first, Ty::Jsonb))?;
            Ty::Int(32)
        }
        "json_array_length" => {
            arity(args.len() == 1 && is(first, Ty::Json))?;
            Ty::Int(32)
        }
        "jsonb_extract_path"
        | "jsonb_extract_path_text"
        | "json_extract_path"
        | "json_extract_path_text" => {
            let want = if name.starts_with("jsonb") {
                Ty::Jsonb
            } else {
                Ty::Json
            };
            arity(
                !args.is_empty()
                    && is(first, want)
                    && args[1..]
                        .iter()
                        .all(|a| matches!(a.ty(), Ty::Text | Ty::Unknown)),
            )?;
            if name.ends_with("_text") {
                Ty::Text
            } else {
                want
            }
        }
        "jsonb_build_object" => {
            if args.len() % 2 == 1 {
                return Err(EngineError::coded(
                    SqlState::INVALID_PARAMETER_VALUE,
                    "argument list must have even number of elements\nHINT:  The arguments of jsonb_build_object() must consist of alternating keys and values.",
                ));
            }
            Ty::Jsonb
        }
        "jsonb_build_array" => Ty::Jsonb,
        "to_jsonb" => {
            arity(args.len() == 1)?;
            if first == Some(Ty::Unknown) {
                return Err(EngineError::coded(
                    SqlState("42P18"),
                    "could not determine polymorphic type because input has type unknown",
                ));
            }
            Ty::Jsonb
        }
        "jsonb_strip_nulls" => {
            arity(args.len() == 1 && is(first, Ty::Jsonb))?;
            Ty::Jsonb
        }
        "jsonb_set" => {
            arity(
                (3..=4).contains(&args.len())
                    && is(first, Ty::Jsonb)
                    && matches!(args[1].ty(), Ty::TextArray | Ty::Unknown)
                    && matches!(args[2].ty(), Ty::Jsonb | Ty::Unknown)
                    && args
                        .get(3)
                        .is_none_or(|a| matches!(a.ty(), Ty::Bool | Ty::Unknown)),
            )?;
            Ty::Jsonb
        }
        _ => return Err(EngineError::unsupported(format!("function {name}()"))),
    })
}

/// PostgreSQL's casts between json/jsonb and other types (the rest are 42846).
fn cast_allowed(from: Ty, to: Ty) -> Result<(), EngineError> {
    if from == Ty::Other {
        return Err(EngineError::unsupported(format!(
            "casting a value of this type to {}",
            to.name()
        )));
    }
    let ok = match (from, to) {
        (_, Ty::Text) | (Ty::Unknown, _) | (Ty::Text, Ty::Json | Ty::Jsonb) => true,
        (Ty::Json | Ty::Jsonb, Ty::Json | Ty::Jsonb) => true,
        (Ty::Jsonb, Ty::Int(_) | Ty::Float | Ty::Numeric | Ty::Bool) => true,
        (Ty::Json, _) | (_, Ty::Json | Ty::Jsonb) => false,
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(EngineError::coded(
            SqlState("42846"),
            format!("cannot cast type {} to {}", from.name(), to.name()),
        ))
    }
}

/// Reads a leaf's value as the JSON evaluation sees it.
fn from_engine(value: &Value, ty: Ty) -> Result<JValue, EngineError> {
    Ok(match value {
        Value::Null => JValue::Null,
        Value::Str(s) => match ty {
            Ty::Jsonb => JValue::Jsonb(Jsonb::parse(s).map_err(json_error)?),
            Ty::Json => JValue::Json(s.clone()),
            _ => JValue::Text(s.clone()),
        },
        Value::Bool(b) => JValue::Bool(*b),
        Value::I8(n) => JValue::Int(i64::from(*n)),
        Value::I16(n) => JValue::Int(i64::from(*n)),
        Value::I32(n) => JValue::Int(i64::from(*n)),
        Value::I64(n) => JValue::Int(*n),
        Value::F32(f) => JValue::Float(f64::from(*f)),
        Value::F64(f) => JValue::Float(*f),
        Value::Decimal(d) => JValue::Numeric(d.to_string()),
        other => {
            return Err(EngineError::unsupported(format!(
                "JSON operators on a value of this type ({})",
                String::from(other)
            )))
        }
    })
}

/// A computed value as the engine stores it.
fn to_engine(value: JValue) -> Value {
    match value {
        JValue::Null => Value::Null,
        JValue::Json(s) | JValue::Text(s) => Value::Str(s),
        JValue::Jsonb(v) => Value::Str(v.to_text()),
        JValue::Int(n) => Value::I64(n),
        JValue::Bool(b) => Value::Bool(b),
        JValue::Float(f) => Value::F64(f),
        JValue::Numeric(s) => s.parse().map(Value::Decimal).unwrap_or(Value::Str(s)),
        JValue::TextArray(items) => Value::Str(format!(
            "{{{}}}",
            items
                .iter()
                .map(|i| i.as_deref().unwrap_or("NULL"))
                .collect::<Vec<_>>()
                .join(",")
        )),
    }
}

/// A computed constant as a literal of its type, for the engine.
fn literal(value: JValue, ty: Ty) -> Expr {
    let cast = |expr: Expr, data_type: DataType| Expr::Cast {
        kind: CastKind::Cast,
        expr: Box::new(expr),
        data_type,
        format: None,
    };
    let text = |s: String| Expr::Value(SqlValue::SingleQuotedString(s));
    let data_type = match ty {
        Ty::Json => DataType::JSON,
        Ty::Jsonb => DataType::JSONB,
        Ty::Int(16) => DataType::SmallInt(None),
        Ty::Int(64) => DataType::BigInt(None),
        Ty::Int(_) => DataType::Integer(None),
        Ty::Bool => DataType::Boolean,
        Ty::Float => DataType::DoublePrecision,
        Ty::Numeric => DataType::Numeric(gluesql::core::sqlparser::ast::ExactNumberInfo::None),
        _ => DataType::Text,
    };
    match value {
        JValue::Null => cast(Expr::Value(SqlValue::Null), data_type),
        JValue::Bool(b) => Expr::Value(SqlValue::Boolean(b)),
        JValue::Int(n) => cast(text(n.to_string()), data_type),
        JValue::Float(f) => cast(text(super::output::float_text(f)), data_type),
        other => match to_engine(other) {
            Value::Str(s) => cast(text(s), data_type),
            Value::Decimal(d) => cast(text(d.to_string()), data_type),
            _ => cast(Expr::Value(SqlValue::Null), data_type),
        },
    }
}

fn unknown_as_jsonb(value: JValue, ty: Ty) -> Result<JValue, EngineError> {
    match (value, ty) {
        (JValue::Text(s), Ty::Unknown | Ty::Text) => parse_jsonb(&s).map(JValue::Jsonb),
        (JValue::Json(s), _) => parse_jsonb(&s).map(JValue::Jsonb),
        (other, _) => Ok(other),
    }
}

fn parse_jsonb(text: &str) -> Result<Jsonb, EngineError> {
    super::types::jsonb_input(text).map_err(EngineError::new)
}

fn text_array(value: JValue) -> Result<Vec<Option<String>>, EngineError> {
    match value {
        JValue::TextArray(items) => Ok(items),
        JValue::Text(s) => json_value::parse_text_array(&s).map_err(json_error),
        _ => Ok(Vec::new()),
    }
}

/// Evaluates a JSON expression on one row's leaf values.
fn evaluate(node: &Node, leaves: &[JValue]) -> Result<JValue, EngineError> {
    Ok(match node {
        Node::Leaf(k, _) => leaves[*k].clone(),
        Node::Const(value, _) => value.clone(),
        Node::InList(inner, list, negated) => {
            let left = evaluate(inner, leaves)?;
            let mut any_null = matches!(left, JValue::Null);
            let mut found = false;
            for item in list {
                match evaluate(
                    &Node::Binary(Op::Eq, inner.clone(), Box::new(item.clone()), Ty::Bool),
                    leaves,
                )? {
                    JValue::Bool(true) => found = true,
                    JValue::Null => any_null = true,
                    _ => {}
                }
            }
            if found {
                JValue::Bool(!negated)
            } else if any_null {
                JValue::Null
            } else {
                JValue::Bool(*negated)
            }
        }
        Node::Binary(op, l, r, _) => {
            let (left, right) = (evaluate(l, leaves)?, evaluate(r, leaves)?);
            if matches!(left, JValue::Null) || matches!(right, JValue::Null) {
                return Ok(JValue::Null);
            }
            binary(*op, left, l.ty(), right, r.ty())?
        }
        Node::Call(name, args, _) => {
            let values = args
                .iter()
                .map(|a| evaluate(a, leaves))
                .collect::<Result<Vec<_>, _>>()?;
            call(name, values, args)?
        }
        Node::Cast(inner, target) => cast(evaluate(inner, leaves)?, inner.ty(), *target)?,
    })
}

fn binary(op: Op, left: JValue, lt: Ty, right: JValue, rt: Ty) -> Result<JValue, EngineError> {
    fn step(right: &JValue) -> Option<Step<'_>> {
        match right {
            JValue::Text(s) => Some(Step::Key(s)),
            JValue::Int(i) => Some(Step::Index(*i)),
            _ => None,
        }
    }
    Ok(match op {
        Op::Get | Op::GetText => {
            let Some(step) = step(&right) else {
                return Ok(JValue::Null);
            };
            let got = match &left {
                JValue::Jsonb(doc) => doc.get(step).cloned().map(JValue::Jsonb),
                JValue::Json(doc) | JValue::Text(doc) => json_value::json_get(doc, step)
                    .map_err(json_error)?
                    .map(JValue::Json),
                _ => None,
            };
            match (got, op) {
                (None, _) => JValue::Null,
                (Some(v), Op::Get) => v,
                (Some(v), _) => as_text(v),
            }
        }
        Op::Path | Op::PathText => {
            let path = text_array(right)?;
            let got = match &left {
                JValue::Jsonb(doc) => doc.get_path(&path).cloned().map(JValue::Jsonb),
                JValue::Json(doc) | JValue::Text(doc) => json_value::json_get_path(doc, &path)
                    .map_err(json_error)?
                    .map(JValue::Json),
                _ => None,
            };
            match (got, op) {
                (None, _) => JValue::Null,
                (Some(v), Op::Path) => v,
                (Some(v), _) => as_text(v),
            }
        }
        Op::Contains | Op::ContainedBy | Op::Eq | Op::NotEq | Op::Concat => {
            let left = jsonb_of(unknown_as_jsonb(left, lt)?)?;
            let right = jsonb_of(unknown_as_jsonb(right, rt)?)?;
            match op {
                Op::Contains => JValue::Bool(left.contains(&right)),
                Op::ContainedBy => JValue::Bool(right.contains(&left)),
                Op::Eq => JValue::Bool(left == right),
                Op::NotEq => JValue::Bool(left != right),
                _ => JValue::Jsonb(left.concat(&right)),
            }
        }
        Op::Exists => {
            let JValue::Text(key) = right else {
                return Ok(JValue::Null);
            };
            JValue::Bool(jsonb_of(left)?.exists(&key))
        }
        Op::ExistsAny | Op::ExistsAll => {
            let doc = jsonb_of(left)?;
            let keys = text_array(right)?;
            JValue::Bool(if op == Op::ExistsAny {
                keys.iter().flatten().any(|k| doc.exists(k))
            } else {
                keys.iter().flatten().all(|k| doc.exists(k))
            })
        }
        Op::Minus => {
            let doc = jsonb_of(left)?;
            JValue::Jsonb(match right {
                JValue::Int(i) => doc.delete_index(i).map_err(json_error)?,
                JValue::Text(key) => doc.delete_key(&key).map_err(json_error)?,
                _ => doc,
            })
        }
    })
}

fn jsonb_of(value: JValue) -> Result<Jsonb, EngineError> {
    match value {
        JValue::Jsonb(v) => Ok(v),
        JValue::Json(s) | JValue::Text(s) => parse_jsonb(&s),
        other => Err(EngineError::unsupported(format!(
            "this JSON operand ({other:?})"
        ))),
    }
}

/// `->>`'s conversion of a json/jsonb value to text (a JSON null is SQL NULL).
fn as_text(value: JValue) -> JValue {
    let text = match value {
        JValue::Jsonb(v) => v.as_text(),
        JValue::Json(raw) => json_value::json_as_text(&raw),
        other => return other,
    };
    text.map_or(JValue::Null, JValue::Text)
}

fn call(name: &str, values: Vec<JValue>, args: &[Node]) -> Result<JValue, EngineError> {
    // Every function here but the builders is strict: NULL in, NULL out.
    let builds = matches!(name, "jsonb_build_object" | "jsonb_build_array");
    if !builds && values.iter().any(|v| matches!(v, JValue::Null)) {
        return Ok(JValue::Null);
    }
    let mut values = values.into_iter();
    let mut next = || values.next().unwrap_or(JValue::Null);
    Ok(match name {
        "jsonb_typeof" => JValue::Text(
            jsonb_of(unknown_as_jsonb(next(), args[0].ty())?)?
                .type_name()
                .into(),
        ),
        "json_typeof" => match next() {
            JValue::Json(s) | JValue::Text(s) => {
                JValue::Text(json_value::json_typeof(&s).map_err(json_error)?.into())
            }
            _ => JValue::Null,
        },
        "jsonb_array_length" => JValue::Int(
            jsonb_of(unknown_as_jsonb(next(), args[0].ty())?)?
                .array_length()
                .map_err(json_error)?,
        ),
        "json_array_length" => match next() {
            JValue::Json(s) | JValue::Text(s) => {
                JValue::Int(json_value::json_array_length(&s).map_err(json_error)?)
            }
            _ => JValue::Null,
        },
        "jsonb_extract_path"
        | "jsonb_extract_path_text"
        | "json_extract_path"
        | "json_extract_path_text" => {
            let doc = next();
            let path: Vec<Option<String>> = (1..args.len())
                .map(|_| match next() {
                    JValue::Text(s) => Some(s),
                    _ => None,
                })
                .collect();
            let op = if name.ends_with("_text") {
                Op::PathText
            } else {
                Op::Path
            };
            let doc = if name.starts_with("jsonb") {
                unknown_as_jsonb(doc, args[0].ty())?
            } else {
                match doc {
                    JValue::Text(s) => JValue::Json(s),
                    other => other,
                }
            };
            binary(
                op,
                doc,
                args[0].ty(),
                JValue::TextArray(path),
                Ty::TextArray,
            )?
        }
        "jsonb_build_object" => {
            let mut pairs: Vec<(String, Jsonb)> = Vec::new();
            for (i, arg) in args.iter().enumerate().step_by(2) {
                let key = match next() {
                    JValue::Null => {
                        return Err(EngineError::coded(
                            SqlState::INVALID_PARAMETER_VALUE,
                            format!("argument {}: key must not be null", i + 1),
                        ))
                    }
                    JValue::Jsonb(v) => v.to_text(),
                    JValue::Json(s) => s,
                    JValue::Text(s) => s,
                    other => match to_jsonb(other, arg.ty())? {
                        Jsonb::String(s) => s,
                        v => v.to_text(),
                    },
                };
                let value = to_jsonb(next(), args[i + 1].ty())?;
                pairs.push((key, value));
            }
            // Keys as jsonb keeps them: sorted, the last of a repeated key.
            JValue::Jsonb(parse_jsonb(&Jsonb::Object(pairs).to_text())?)
        }
        "jsonb_build_array" => {
            let items = args
                .iter()
                .map(|a| to_jsonb(next(), a.ty()))
                .collect::<Result<Vec<_>, _>>()?;
            JValue::Jsonb(Jsonb::Array(items))
        }
        "to_jsonb" => JValue::Jsonb(to_jsonb(next(), args[0].ty())?),
        "jsonb_strip_nulls" => {
            JValue::Jsonb(jsonb_of(unknown_as_jsonb(next(), args[0].ty())?)?.strip_nulls())
        }
        "jsonb_set" => {
            let doc = jsonb_of(unknown_as_jsonb(next(), args[0].ty())?)?;
            let path = text_array(next())?;
            let new = jsonb_of(unknown_as_jsonb(next(), args[2].ty())?)?;
            let create = match next() {
                JValue::Bool(b) => b,
                JValue::Text(s) => !matches!(
                    s.trim().to_lowercase().as_str(),
                    "f" | "false" | "no" | "off" | "0"
                ),
                _ => true,
            };
            JValue::Jsonb(doc.set(&path, new, create).map_err(json_error)?)
        }
        _ => return Err(EngineError::unsupported(format!("function {name}()"))),
    })
}

/// to_jsonb of an SQL value (also the values of jsonb_build_object and _array).
fn to_jsonb(value: JValue, ty: Ty) -> Result<Jsonb, EngineError> {
    Ok(match value {
        JValue::Null => Jsonb::Null,
        JValue::Jsonb(v) => v,
        JValue::Json(s) => parse_jsonb(&s)?,
        JValue::Text(s) if ty == Ty::Jsonb => parse_jsonb(&s)?,
        JValue::Text(s) => Jsonb::from_sql_text(&s),
        JValue::Int(n) => Jsonb::from_number_text(&n.to_string()),
        JValue::Numeric(s) => Jsonb::from_number_text(&s),
        JValue::Float(f) if f.is_finite() => Jsonb::from_number_text(&super::output::float_text(f)),
        JValue::Float(f) => Jsonb::from_sql_text(&super::output::float_text(f)),
        JValue::Bool(b) => Jsonb::Bool(b),
        JValue::TextArray(items) => Jsonb::Array(
            items
                .iter()
                .map(|s| s.as_deref().map_or(Jsonb::Null, Jsonb::from_sql_text))
                .collect(),
        ),
    })
}

fn cast(value: JValue, from: Ty, to: Ty) -> Result<JValue, EngineError> {
    if matches!(value, JValue::Null) {
        return Ok(JValue::Null);
    }
    Ok(match (value, to) {
        (JValue::Text(s), Ty::Jsonb) => JValue::Jsonb(parse_jsonb(&s)?),
        (JValue::Text(s), Ty::Json) => {
            parse_jsonb(&s)?;
            JValue::Json(s)
        }
        (JValue::Json(s), Ty::Jsonb) => JValue::Jsonb(parse_jsonb(&s)?),
        (JValue::Jsonb(v), Ty::Json) => JValue::Json(v.to_text()),
        (v @ (JValue::Json(_) | JValue::Jsonb(_)), Ty::Json | Ty::Jsonb) => v,
        (JValue::Jsonb(v), Ty::Text) => JValue::Text(v.to_text()),
        (JValue::Json(s), Ty::Text) => JValue::Text(s),
        (JValue::Jsonb(v), Ty::Int(bits)) => {
            JValue::Int(v.to_int(u32::from(bits)).map_err(json_error)?)
        }
        (JValue::Jsonb(v), Ty::Float) => JValue::Float(v.to_f64().map_err(json_error)?),
        (JValue::Jsonb(v), Ty::Numeric) => {
            JValue::Numeric(v.to_numeric_text().map_err(json_error)?)
        }
        (JValue::Jsonb(v), Ty::Bool) => JValue::Bool(v.to_bool().map_err(json_error)?),
        (JValue::Text(s), Ty::Text) => JValue::Text(s),
        (JValue::Int(n), Ty::Text) => JValue::Text(n.to_string()),
        (JValue::Bool(b), Ty::Text) => JValue::Text(if b { "true" } else { "false" }.into()),
        (JValue::Text(s), Ty::Int(_)) if from == Ty::Unknown => match s.trim().parse() {
            Ok(n) => JValue::Int(n),
            Err(_) => {
                return Err(EngineError::coded(
                    SqlState::INVALID_TEXT_REPRESENTATION,
                    format!("invalid input syntax for type integer: \"{s}\""),
                ))
            }
        },
        (v, _) => {
            return Err(EngineError::unsupported(format!(
                "casting {v:?} to {} inside a JSON expression",
                to.name()
            )))
        }
    })
}

/// A FROM item of a select, with the name the select calls it by.
struct Factor {
    /// The name or alias it is read by.
    name: String,
    table: String,
    /// Index in `select.from` and, within it, 0 for the relation or 1 + the join's.
    at: (usize, usize),
    columns: Vec<String>,
}

fn factors(select: &gluesql::core::sqlparser::ast::Select, state: &State) -> Vec<Option<Factor>> {
    let mut out = Vec::new();
    for (i, t) in select.from.iter().enumerate() {
        for (j, factor) in std::iter::once(&t.relation)
            .chain(t.joins.iter().map(|j| &j.relation))
            .enumerate()
        {
            out.push(match factor {
                TableFactor::Table { name, alias, .. } => {
                    let table = super::create::object_name(name);
                    state.table(&table).map(|t| Factor {
                        name: alias
                            .as_ref()
                            .map_or(table.clone(), |a| a.name.value.clone()),
                        table: table.clone(),
                        at: (i, j),
                        columns: t.meta.columns.iter().map(|c| c.name.clone()).collect(),
                    })
                }
                _ => None,
            });
        }
    }
    out
}

/// Which of `factors` the columns of `expr` read: None for no column, an error for more
/// than one or a column none of them has.
fn factor_of(expr: &Expr, factors: &[Option<Factor>]) -> Option<Result<usize, EngineError>> {
    let mut found: Option<usize> = None;
    let mut failure: Option<EngineError> = None;
    fn visit(
        expr: &Expr,
        factors: &[Option<Factor>],
        found: &mut Option<usize>,
        failure: &mut Option<EngineError>,
    ) {
        let owner = match expr {
            Expr::Identifier(column) => {
                let owners: Vec<usize> = factors
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| {
                        f.as_ref()
                            .is_some_and(|f| f.columns.contains(&column.value))
                    })
                    .map(|(i, _)| i)
                    .collect();
                Some(if owners.len() == 1 {
                    Some(owners[0])
                } else {
                    None
                })
            }
            Expr::CompoundIdentifier(parts) if parts.len() == 2 => Some(
                factors
                    .iter()
                    .position(|f| f.as_ref().is_some_and(|f| f.name == parts[0].value)),
            ),
            Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => {
                *failure = Some(EngineError::unsupported(
                    "a subquery inside a JSON expression",
                ));
                return;
            }
            _ => None,
        };
        match owner {
            Some(Some(i)) if found.is_none_or(|f| f == i) => *found = Some(i),
            Some(_) => {
                *failure = Some(EngineError::unsupported(
                    "a JSON expression over columns of more than one table, of a subquery or of an outer query",
                ))
            }
            None => children(expr)
                .into_iter()
                .for_each(|c| visit(c, factors, found, failure)),
        }
    }
    visit(expr, factors, &mut found, &mut failure);
    match (failure, found) {
        (Some(error), _) => Some(Err(error)),
        (None, Some(i)) => Some(Ok(i)),
        (None, None) => None,
    }
}

/// The JSON expressions of one select, by FROM item.
struct Lifted {
    leaves: Vec<Leaf>,
    /// (factor, node, its hidden column's name).
    roots: Vec<(usize, Node, String)>,
    /// Constant expressions waiting for their leaves' values: (node, a place holder id).
    constants: Vec<Node>,
    /// Each root's text as written and its hidden column: the same expression in the
    /// select list and GROUP BY is one column.
    written: Vec<(String, String)>,
}

/// The statement log's account of what was computed.
#[derive(Default)]
struct Account {
    read: Vec<(String, usize)>,
    computed: usize,
}

impl Database {
    /// Whether `statement` has a JSON expression this module computes.
    pub(crate) fn uses_json(&self, statement: &Statement) -> bool {
        let types = Types {
            state: &self.storage.state,
            scope: super::typing::Scope::of(statement, &self.storage.state),
        };
        let mut probe = statement.clone();
        let mut found = false;
        super::rewrite::walk_statement(&mut probe, &mut |e| found |= types.is_root(e));
        found || refuses_json_order(statement, &types).is_err()
    }

    /// Runs a statement with JSON expressions (see the module's comment).
    pub(crate) fn json_statement(
        &mut self,
        statement: &Statement,
        run: &mut Run,
    ) -> Result<Payload, EngineError> {
        self.with_scratch(|db, scratch| db.json_statement_inner(statement, run, scratch))
    }

    fn json_statement_inner(
        &mut self,
        statement: &Statement,
        run: &mut Run,
        scratch: &mut Vec<String>,
    ) -> Result<Payload, EngineError> {
        let original = statement.to_string();
        let mut statement = statement.clone();
        super::names::name_columns(&mut statement);
        let scope = super::typing::Scope::of(&statement, &self.storage.state);
        let mut account = Account::default();
        {
            let types = Types {
                state: &self.storage.state,
                scope,
            };
            refuses_json_order(&statement, &types)?;
        }
        match &mut statement {
            Statement::Query(query) => self.json_query(query, scratch, &mut account)?,
            Statement::Insert(insert) => {
                if let Some(source) = insert.source.as_mut() {
                    self.json_query(source, scratch, &mut account)?;
                }
            }
            Statement::Update { .. } | Statement::Delete(_) => {
                self.json_constants(&mut statement)?;
            }
            _ => {}
        }
        let rewritten = statement.to_string();
        if rewritten == original {
            // Nothing here computed the JSON expressions (a shape the JSON pass does not
            // reach into): running the same text again would come back here forever.
            return Err(EngineError::unsupported(
                "JSON expressions in a statement of this shape (inside a subquery whose FROM the JSON pass does not read)",
            ));
        }
        let mut inner = Run::default();
        let payload = self.run(&rewritten, &mut inner)?;
        run.command = inner.command;
        run.result_types = inner.result_types;
        run.rounding = inner.rounding;
        run.difference = inner.difference;
        let mut plan = Vec::new();
        for (table, rows) in &account.read {
            plan.push(format!(
                "JSON: {table} read in full ({rows} row{}) to compute its JSON expressions",
                if *rows == 1 { "" } else { "s" }
            ));
        }
        plan.extend(inner.plan);
        run.plan = (!plan.is_empty()).then(|| plan.join("\n"));
        Ok(payload)
    }

    /// UPDATE and DELETE: JSON expressions over constants are folded; one that reads the
    /// row is refused.
    fn json_constants(&mut self, statement: &mut Statement) -> Result<(), EngineError> {
        let types = Types {
            state: &self.storage.state,
            scope: super::typing::Scope::of(statement, &self.storage.state),
        };
        let mut folds: Vec<(Node, Vec<Leaf>)> = Vec::new();
        let mut failure = None;
        let reads_a_row = |e: &Expr| {
            any_column(e).then(|| {
                Err(EngineError::unsupported(
                    "JSON operators on a row's columns in UPDATE or DELETE (compute the new value with a SELECT first)",
                ))
            })
        };
        walk_roots(statement, &mut |expr: &mut Expr| {
            if failure.is_some() || !types.is_root(expr) {
                return false;
            }
            let mut leaves = Vec::new();
            match types.build(expr, &mut leaves, &reads_a_row) {
                Ok(node) => {
                    *expr = placeholder(folds.len());
                    folds.push((node, leaves));
                }
                Err(error) => failure = Some(error),
            }
            true
        });
        if let Some(error) = failure {
            return Err(error);
        }
        let mut values = Vec::new();
        for (node, leaves) in &folds {
            values.push(self.fold(node, leaves)?);
        }
        super::rewrite::walk_statement(statement, &mut |e| replace_placeholder(e, &values));
        Ok(())
    }

    /// A constant JSON expression's value as a literal.
    fn fold(&mut self, node: &Node, leaves: &[Leaf]) -> Result<Expr, EngineError> {
        let values = self.constant_leaves(leaves)?;
        let value = evaluate(node, &values)?;
        Ok(literal(value, node.ty()))
    }

    /// The values of leaves that read no column, computed by the engine in one query.
    fn constant_leaves(&mut self, leaves: &[Leaf]) -> Result<Vec<JValue>, EngineError> {
        if leaves.is_empty() {
            return Ok(Vec::new());
        }
        let items: Vec<String> = leaves.iter().map(|l| l.expr.to_string()).collect();
        let rows = self.query_rows(&format!("SELECT {}", items.join(", ")))?;
        let row = rows.rows.first().cloned().unwrap_or_default();
        row.iter()
            .zip(&rows.types)
            .map(|(v, t)| from_engine(v, Ty::of(t.as_ref())))
            .collect()
    }

    /// Lifts the JSON expressions of every select of `query`.
    fn json_query(
        &mut self,
        query: &mut Query,
        scratch: &mut Vec<String>,
        account: &mut Account,
    ) -> Result<(), EngineError> {
        if let Some(with) = query.with.as_mut() {
            for cte in with.cte_tables.iter_mut() {
                self.json_query(&mut cte.query, scratch, account)?;
            }
        }
        let order_by = query.order_by.as_mut().map(|o| &mut o.exprs);
        self.json_set(&mut query.body, order_by, scratch, account)
    }

    fn json_set(
        &mut self,
        body: &mut SetExpr,
        order_by: Option<&mut Vec<gluesql::core::sqlparser::ast::OrderByExpr>>,
        scratch: &mut Vec<String>,
        account: &mut Account,
    ) -> Result<(), EngineError> {
        match body {
            SetExpr::Select(select) => self.json_select(select, order_by, scratch, account),
            SetExpr::Query(query) => self.json_query(query, scratch, account),
            SetExpr::SetOperation { left, right, .. } => {
                self.json_set(left, None, scratch, account)?;
                self.json_set(right, None, scratch, account)
            }
            SetExpr::Values(values) => {
                for row in values.rows.iter_mut() {
                    for expr in row.iter_mut() {
                        self.fold_all(expr)?;
                    }
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Folds every constant JSON expression inside `expr` (a VALUES row reads no table).
    fn fold_all(&mut self, expr: &mut Expr) -> Result<(), EngineError> {
        let types = Types {
            state: &self.storage.state,
            scope: super::typing::Scope::of(
                &Statement::Query(Box::new(empty_query())),
                &self.storage.state,
            ),
        };
        if types.is_root(expr) {
            let mut leaves = Vec::new();
            let node = types.build(expr, &mut leaves, &|_| None)?;
            *expr = self.fold(&node, &leaves)?;
            return Ok(());
        }
        for child in children_mut(expr) {
            self.fold_all(child)?;
        }
        Ok(())
    }

    fn json_select(
        &mut self,
        select: &mut gluesql::core::sqlparser::ast::Select,
        order_by: Option<&mut Vec<gluesql::core::sqlparser::ast::OrderByExpr>>,
        scratch: &mut Vec<String>,
        account: &mut Account,
    ) -> Result<(), EngineError> {
        let found = factors(select, &self.storage.state);
        let probe_statement = Statement::Query(Box::new(Query {
            body: Box::new(SetExpr::Select(Box::new(select.clone()))),
            ..empty_query()
        }));
        let types = Types {
            state: &self.storage.state,
            scope: super::typing::Scope::of(&probe_statement, &self.storage.state),
        };
        let mut lifted = Lifted {
            leaves: Vec::new(),
            roots: Vec::new(),
            constants: Vec::new(),
            written: Vec::new(),
        };
        let mut failure: Option<EngineError> = None;
        {
            let mut lift =
                |expr: &mut Expr| lift_expr(expr, &types, &found, &mut lifted, &mut failure);
            for item in select.projection.iter_mut() {
                if let SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } = item
                {
                    lift(e);
                }
            }
            if let Some(e) = select.selection.as_mut() {
                lift(e);
            }
            if let GroupByExpr::Expressions(exprs, _) = &mut select.group_by {
                exprs.iter_mut().for_each(&mut lift);
            }
            if let Some(e) = select.having.as_mut() {
                lift(e);
            }
            for t in select.from.iter_mut() {
                for join in t.joins.iter_mut() {
                    if let JoinOperator::Inner(JoinConstraint::On(on))
                    | JoinOperator::LeftOuter(JoinConstraint::On(on))
                    | JoinOperator::RightOuter(JoinConstraint::On(on))
                    | JoinOperator::FullOuter(JoinConstraint::On(on)) = &mut join.join_operator
                    {
                        lift(on);
                    }
                }
            }
            if let Some(order_by) = order_by {
                for item in order_by.iter_mut() {
                    lift(&mut item.expr);
                }
            }
        }
        if let Some(error) = failure {
            return Err(error);
        }
        // Subqueries are selects of their own.
        self.json_subqueries_of(select, scratch, account)?;
        // Constants: fold in place.
        let mut folded = Vec::new();
        for node in &lifted.constants {
            let leaves: Vec<Leaf> = lifted.leaves.clone();
            let mut used = Vec::new();
            node.leaves(&mut used);
            let values =
                self.constant_leaves(&used.iter().map(|&k| leaves[k].clone()).collect::<Vec<_>>())?;
            let mut all = vec![JValue::Null; leaves.len()];
            for (k, v) in used.into_iter().zip(values) {
                all[k] = v;
            }
            folded.push(literal(evaluate(node, &all)?, node.ty()));
        }
        replace_placeholders(select, &folded);
        // Per FROM item: read the table with its leaves, compute, and read the copy.
        let mut by_factor: Vec<usize> = lifted.roots.iter().map(|(f, ..)| *f).collect();
        by_factor.sort_unstable();
        by_factor.dedup();
        if !by_factor.is_empty() {
            expand_wildcards(select, &found)?;
        }
        for f in by_factor {
            let factor = found[f].as_ref().expect("a base table (factor_of)");
            let roots: Vec<&(usize, Node, String)> =
                lifted.roots.iter().filter(|(g, ..)| *g == f).collect();
            let mut used = Vec::new();
            for (_, node, _) in &roots {
                node.leaves(&mut used);
            }
            used.sort_unstable();
            used.dedup();
            let alias = quote(&factor.name);
            let mut items = vec![format!("{alias}.*")];
            for &k in &used {
                items.push(lifted.leaves[k].expr.to_string());
            }
            // The WHERE's conditions on this table alone read it first, so that only the
            // rows PostgreSQL evaluates the JSON expressions on are computed (a cast that
            // fails on a row the WHERE drops must not fail the statement).
            let filter = pushed_down(select, &found, f);
            let rows = self.query_rows(&format!(
                "SELECT {} FROM {} AS {alias}{filter}",
                items.join(", "),
                quote(&factor.table)
            ))?;
            let width = factor.columns.len();
            let mut table_rows = Vec::with_capacity(rows.rows.len());
            let mut values = vec![JValue::Null; lifted.leaves.len()];
            for row in rows.rows {
                for (j, &k) in used.iter().enumerate() {
                    let ty = roots
                        .iter()
                        .find_map(|(_, n, _)| leaf_type(n, k))
                        .unwrap_or(Ty::Other);
                    values[k] = from_engine(&row[width + j], ty)?;
                }
                let mut out: Vec<Value> = row[..width].to_vec();
                for (_, node, _) in &roots {
                    out.push(to_engine(evaluate(node, &values)?));
                }
                table_rows.push(out);
            }
            let mut labels = rows.labels[..width].to_vec();
            let mut column_types = rows.types[..width].to_vec();
            for (_, node, name) in &roots {
                labels.push(name.clone());
                column_types.push(node.ty().pg());
            }
            let internal = format!("__json_{}", self.storage.state.tables.len());
            let materialized = super::cte::Materialized {
                labels,
                types: column_types,
                rows: Vec::new(),
            };
            account.read.push((factor.table.clone(), table_rows.len()));
            account.computed += roots.len();
            self.create_scratch(&internal, &materialized, scratch)?;
            self.replace_scratch_rows(&internal, table_rows)?;
            let (i, j) = factor.at;
            let relation = if j == 0 {
                &mut select.from[i].relation
            } else {
                &mut select.from[i].joins[j - 1].relation
            };
            *relation = TableFactor::Table {
                name: ObjectName(vec![Ident::new(internal)]),
                alias: Some(TableAlias {
                    name: Ident::with_quote('"', factor.name.clone()),
                    columns: Vec::new(),
                }),
                args: None,
                with_hints: Vec::new(),
                version: None,
                with_ordinality: false,
                partitions: Vec::new(),
            };
        }
        Ok(())
    }
}

impl Database {
    /// The subqueries in a select's expressions, each lifted as a query of its own.
    fn json_subqueries_of(
        &mut self,
        select: &mut gluesql::core::sqlparser::ast::Select,
        scratch: &mut Vec<String>,
        account: &mut Account,
    ) -> Result<(), EngineError> {
        let mut exprs: Vec<&mut Expr> = Vec::new();
        for item in select.projection.iter_mut() {
            if let SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } = item {
                exprs.push(e);
            }
        }
        exprs.extend(select.selection.as_mut());
        exprs.extend(select.having.as_mut());
        for e in exprs {
            self.json_subqueries(e, scratch, account)?;
        }
        Ok(())
    }

    fn json_subqueries(
        &mut self,
        expr: &mut Expr,
        scratch: &mut Vec<String>,
        account: &mut Account,
    ) -> Result<(), EngineError> {
        match expr {
            Expr::Subquery(query)
            | Expr::Exists {
                subquery: query, ..
            } => self.json_query(query, scratch, account),
            Expr::InSubquery { expr, subquery, .. } => {
                self.json_subqueries(expr, scratch, account)?;
                self.json_query(subquery, scratch, account)
            }
            other => {
                for child in children_mut(other) {
                    self.json_subqueries(child, scratch, account)?;
                }
                Ok(())
            }
        }
    }
}

/// ` WHERE ...` of the conjuncts of `select`'s WHERE that read only FROM item `f` (and no
/// computed column), when `f` is not the nullable side of an outer join.
fn pushed_down(
    select: &gluesql::core::sqlparser::ast::Select,
    factors: &[Option<Factor>],
    f: usize,
) -> String {
    let Some(factor) = factors[f].as_ref() else {
        return String::new();
    };
    let nullable = select.from.iter().enumerate().any(|(i, t)| {
        t.joins
            .iter()
            .enumerate()
            .any(|(j, join)| match &join.join_operator {
                JoinOperator::LeftOuter(_) => factor.at == (i, j + 1),
                JoinOperator::Inner(_) | JoinOperator::CrossJoin => false,
                _ => true,
            })
    });
    let Some(selection) = select.selection.as_ref().filter(|_| !nullable) else {
        return String::new();
    };
    fn conjuncts<'a>(expr: &'a Expr, out: &mut Vec<&'a Expr>) {
        match expr {
            Expr::BinaryOp {
                left,
                op: BinaryOperator::And,
                right,
            } => {
                conjuncts(left, out);
                conjuncts(right, out);
            }
            Expr::Nested(inner) => conjuncts(inner, out),
            other => out.push(other),
        }
    }
    fn computed(expr: &Expr) -> bool {
        let hidden = |i: &Ident| i.value.starts_with("__json_");
        match expr {
            Expr::Identifier(i) => hidden(i),
            Expr::CompoundIdentifier(parts) => parts.iter().any(hidden),
            Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => true,
            other => children(other).into_iter().any(computed),
        }
    }
    let mut parts = Vec::new();
    conjuncts(selection, &mut parts);
    let pushed: Vec<String> = parts
        .into_iter()
        .filter(|c| {
            !computed(c)
                && !contains_aggregate(c)
                && matches!(factor_of(c, factors), Some(Ok(g)) if g == f)
        })
        .map(|c| format!("({c})"))
        .collect();
    if pushed.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", pushed.join(" AND "))
    }
}

fn leaf_type(node: &Node, k: usize) -> Option<Ty> {
    match node {
        Node::Leaf(j, ty) if *j == k => Some(*ty),
        Node::Leaf(..) | Node::Const(..) => None,
        Node::Binary(_, l, r, _) => leaf_type(l, k).or_else(|| leaf_type(r, k)),
        Node::Call(_, args, _) => args.iter().find_map(|a| leaf_type(a, k)),
        Node::Cast(inner, _) => leaf_type(inner, k),
        Node::InList(e, list, _) => {
            leaf_type(e, k).or_else(|| list.iter().find_map(|a| leaf_type(a, k)))
        }
    }
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn empty_query() -> Query {
    Query {
        with: None,
        body: Box::new(SetExpr::Values(gluesql::core::sqlparser::ast::Values {
            explicit_row: false,
            rows: Vec::new(),
        })),
        order_by: None,
        limit: None,
        limit_by: Vec::new(),
        offset: None,
        fetch: None,
        locks: Vec::new(),
        for_clause: None,
        settings: None,
        format_clause: None,
    }
}

const CONSTANT_MARK: &str = "__json_constant_";

/// Lifts the JSON expressions in `expr`: a constant one becomes a placeholder (folded
/// later), one that reads a table becomes that table's hidden column.
fn lift_expr(
    expr: &mut Expr,
    types: &Types,
    factors: &[Option<Factor>],
    lifted: &mut Lifted,
    failure: &mut Option<EngineError>,
) {
    if failure.is_some() {
        return;
    }
    match expr {
        Expr::Subquery(_) | Expr::Exists { .. } => return,
        Expr::InSubquery { expr: inner, .. } => {
            lift_expr(inner, types, factors, lifted, failure);
            return;
        }
        _ => {}
    }
    if !types.is_root(expr) {
        for child in children_mut(expr) {
            lift_expr(child, types, factors, lifted, failure);
        }
        return;
    }
    let text = expr.to_string();
    if let Some((_, name)) = lifted.written.iter().find(|(t, _)| *t == text) {
        let owner = lifted
            .roots
            .iter()
            .find(|(_, _, n)| n == name)
            .and_then(|(f, ..)| factors[*f].as_ref());
        if let Some(factor) = owner {
            *expr = Expr::CompoundIdentifier(vec![
                Ident::with_quote('"', factor.name.clone()),
                Ident::new(name.clone()),
            ]);
            return;
        }
    }
    let mut leaves = std::mem::take(&mut lifted.leaves);
    let built = types.build(expr, &mut leaves, &|e| factor_of(e, factors));
    lifted.leaves = leaves;
    let node = match built {
        Ok(node) => node,
        Err(error) => {
            *failure = Some(error);
            return;
        }
    };
    let mut used = Vec::new();
    node.leaves(&mut used);
    let mut owners: Vec<usize> = used
        .iter()
        .filter_map(|&k| lifted.leaves[k].factor)
        .collect();
    owners.sort_unstable();
    owners.dedup();
    match owners.as_slice() {
        [] => {
            lifted.constants.push(node);
            *expr = placeholder(lifted.constants.len() - 1);
        }
        [f] => {
            let name = format!("__json_{}", lifted.roots.len());
            let factor = factors[*f].as_ref().expect("a base table (factor_of)");
            lifted.roots.push((*f, node, name.clone()));
            lifted.written.push((text, name.clone()));
            *expr = Expr::CompoundIdentifier(vec![
                Ident::with_quote('"', factor.name.clone()),
                Ident::new(name),
            ]);
        }
        _ => {
            *failure = Some(EngineError::unsupported(
                "a JSON expression over columns of more than one table",
            ))
        }
    }
}

fn placeholder(k: usize) -> Expr {
    Expr::Identifier(Ident::new(format!("{CONSTANT_MARK}{k}")))
}

fn replace_placeholder(e: &mut Expr, folded: &[Expr]) {
    if let Expr::Identifier(ident) = e {
        if let Some(value) = ident
            .value
            .strip_prefix(CONSTANT_MARK)
            .and_then(|k| k.parse::<usize>().ok())
            .and_then(|k| folded.get(k))
        {
            *e = value.clone();
        }
    }
}

fn replace_placeholders(select: &mut gluesql::core::sqlparser::ast::Select, folded: &[Expr]) {
    if folded.is_empty() {
        return;
    }
    let mut query = Query {
        body: Box::new(SetExpr::Select(Box::new(select.clone()))),
        ..empty_query()
    };
    super::rewrite::walk_query(&mut query, &mut |e| replace_placeholder(e, folded));
    if let SetExpr::Select(done) = *query.body {
        *select = *done;
    }
}

fn any_column(e: &Expr) -> bool {
    matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
        || children(e).into_iter().any(any_column)
}

/// `*` and `t.*` over a table read through its copy: the copy's hidden columns must not
/// show, so they stand for the table's own columns, named.
fn expand_wildcards(
    select: &mut gluesql::core::sqlparser::ast::Select,
    factors: &[Option<Factor>],
) -> Result<(), EngineError> {
    let mut projection = Vec::new();
    for item in std::mem::take(&mut select.projection) {
        let wanted: Option<Option<String>> = match &item {
            SelectItem::Wildcard(_) => Some(None),
            SelectItem::QualifiedWildcard(name, _) => Some(Some(super::create::object_name(name))),
            _ => None,
        };
        let Some(wanted) = wanted else {
            projection.push(item);
            continue;
        };
        if wanted.is_none() && factors.iter().any(Option::is_none) {
            return Err(EngineError::unsupported(
                "SELECT * beside a JSON expression over a join with a subquery",
            ));
        }
        for factor in factors.iter().flatten() {
            if wanted.as_ref().is_some_and(|w| *w != factor.name) {
                continue;
            }
            for column in &factor.columns {
                projection.push(SelectItem::ExprWithAlias {
                    expr: Expr::CompoundIdentifier(vec![
                        Ident::with_quote('"', factor.name.clone()),
                        Ident::with_quote('"', column.clone()),
                    ]),
                    alias: Ident::with_quote('"', column.clone()),
                });
            }
        }
    }
    select.projection = projection;
    Ok(())
}

/// Applies `f` to the top of every expression of an UPDATE or DELETE that may hold a
/// JSON expression.
fn walk_roots(statement: &mut Statement, f: &mut dyn FnMut(&mut Expr) -> bool) {
    fn down(expr: &mut Expr, f: &mut dyn FnMut(&mut Expr) -> bool) {
        if !f(expr) {
            for child in children_mut(expr) {
                down(child, f);
            }
        }
    }
    match statement {
        Statement::Update {
            assignments,
            selection,
            returning,
            ..
        } => {
            for a in assignments.iter_mut() {
                down(&mut a.value, f);
            }
            if let Some(s) = selection {
                down(s, f);
            }
            for item in returning.iter_mut().flatten() {
                if let SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } = item
                {
                    down(e, f);
                }
            }
        }
        Statement::Delete(delete) => {
            if let Some(s) = delete.selection.as_mut() {
                down(s, f);
            }
            for item in delete.returning.iter_mut().flatten() {
                if let SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } = item
                {
                    down(e, f);
                }
            }
        }
        _ => {}
    }
}

/// ORDER BY a json or jsonb value: PostgreSQL orders jsonb by its own rules (not the
/// text's) and has no ordering for json.
fn refuses_json_order(statement: &Statement, types: &Types) -> Result<(), EngineError> {
    let Statement::Query(query) = statement else {
        return Ok(());
    };
    let Some(order_by) = &query.order_by else {
        return Ok(());
    };
    for item in &order_by.exprs {
        let ty = if types.is_root(&item.expr) {
            types
                .build(&item.expr, &mut Vec::new(), &|_| None)
                .map(|n| n.ty())
                .unwrap_or(Ty::Other)
        } else {
            types.leaf_ty(&item.expr)
        };
        match ty {
            Ty::Json => {
                return Err(EngineError::coded(
                    SqlState::UNDEFINED_FUNCTION,
                    "could not identify an ordering operator for type json\nHINT:  Use an explicit ordering operator or modify the query.",
                ))
            }
            Ty::Jsonb => {
                return Err(EngineError::unsupported(
                    "ORDER BY a jsonb value (PostgreSQL's jsonb ordering)",
                ))
            }
            _ => {}
        }
    }
    let _ = types.state;
    Ok(())
}
