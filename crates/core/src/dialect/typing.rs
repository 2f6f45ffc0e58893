//! Static PostgreSQL types of expressions, from the catalog, and the rewrites that need
//! them.
//!
//! GlueSQL evaluates numbers by their runtime values: a literal `1.50` is a float, an
//! INTEGER times a NUMERIC converts the numeric to an integer (order totals lost their
//! cents), `7 / 2` folds to 3.5. PostgreSQL types each expression first: `1.50` is
//! `numeric` with scale 2, integer x numeric is numeric, integer / integer is integer.
//! This pass types arithmetic operands (literals, casts, and columns of the statement's
//! tables) and writes out the casts PostgreSQL applies implicitly, so GlueSQL computes
//! in the right type. It also answers the types of a query's result columns, which the
//! output uses (a TIMESTAMPTZ shows its offset).
//!
//! A column name is typed only when every table in the statement that has it agrees on
//! its type; anything it cannot type it leaves to GlueSQL as before.

use super::types::PgType;
use crate::engine::storage_api::State;
use gluesql::core::sqlparser::ast::{
    BinaryOperator, CastKind, DataType, Expr, JoinConstraint, JoinOperator, Query, SelectItem,
    SetExpr, Statement, TableFactor, TableWithJoins, Value,
};

/// The tables a statement reads or writes, by the names it refers to them by.
pub struct Scope {
    /// (name or alias, columns with their types).
    tables: Vec<(String, Vec<(String, PgType)>)>,
    /// (name or alias, the table's own name), in the same order.
    names: Vec<(String, String)>,
}

impl Scope {
    pub(crate) fn of(statement: &Statement, state: &State) -> Self {
        let mut scope = Scope {
            tables: Vec::new(),
            names: Vec::new(),
        };
        let mut add = |name: &str, alias: Option<&str>| {
            if let Some(table) = state.table(name) {
                scope
                    .names
                    .push((alias.unwrap_or(name).to_string(), name.to_string()));
                let columns = table
                    .meta
                    .columns
                    .iter()
                    .map(|c| (c.name.clone(), c.ty.clone()))
                    .collect();
                scope
                    .tables
                    .push((alias.unwrap_or(name).to_string(), columns));
            }
        };
        visit_tables(statement, &mut add);
        scope
    }

    /// Whether the table the statement calls `table` has a column `column`.
    pub(crate) fn has_column(&self, table: &str, column: &str) -> bool {
        self.tables
            .iter()
            .any(|(name, columns)| name == table && columns.iter().any(|(c, _)| c == column))
    }

    fn column(&self, table: Option<&str>, column: &str) -> Option<PgType> {
        let mut found: Option<&PgType> = None;
        for (name, columns) in &self.tables {
            if table.is_some_and(|t| t != name) {
                continue;
            }
            if let Some((_, ty)) = columns.iter().find(|(c, _)| c == column) {
                match found {
                    Some(other) if other != ty => return None,
                    _ => found = Some(ty),
                }
            }
        }
        found.cloned()
    }

    /// The columns `*` (or `t.*`) stands for, in order.
    fn wildcard(&self, table: Option<&str>) -> Vec<Option<PgType>> {
        self.tables
            .iter()
            .filter(|(name, _)| table.is_none_or(|t| t == name))
            .flat_map(|(_, columns)| columns.iter().map(|(_, ty)| Some(ty.clone())))
            .collect()
    }
}

fn visit_tables(statement: &Statement, add: &mut dyn FnMut(&str, Option<&str>)) {
    match statement {
        Statement::Query(query) => visit_query(query, add),
        Statement::Insert(insert) => {
            add(&super::create::object_name(&insert.table_name), None);
            if let Some(source) = &insert.source {
                visit_query(source, add);
            }
        }
        Statement::Update { table, from, .. } => {
            visit_table(table, add);
            if let Some(from) = from {
                visit_table(from, add);
            }
        }
        Statement::Delete(delete) => {
            let tables = match &delete.from {
                gluesql::core::sqlparser::ast::FromTable::WithFromKeyword(t)
                | gluesql::core::sqlparser::ast::FromTable::WithoutKeyword(t) => t,
            };
            tables.iter().for_each(|t| visit_table(t, add));
        }
        _ => {}
    }
}

fn visit_query(query: &Query, add: &mut dyn FnMut(&str, Option<&str>)) {
    visit_set(&query.body, add);
}

fn visit_set(body: &SetExpr, add: &mut dyn FnMut(&str, Option<&str>)) {
    match body {
        SetExpr::Select(select) => select.from.iter().for_each(|t| visit_table(t, add)),
        SetExpr::Query(query) => visit_query(query, add),
        SetExpr::SetOperation { left, right, .. } => {
            visit_set(left, add);
            visit_set(right, add);
        }
        _ => {}
    }
}

fn visit_table(table: &TableWithJoins, add: &mut dyn FnMut(&str, Option<&str>)) {
    for factor in std::iter::once(&table.relation).chain(table.joins.iter().map(|j| &j.relation)) {
        match factor {
            TableFactor::Table { name, alias, .. } => {
                add(
                    &super::create::object_name(name),
                    alias.as_ref().map(|a| a.name.value.as_str()),
                );
            }
            TableFactor::Derived { subquery, .. } => visit_query(subquery, add),
            _ => {}
        }
    }
}

/// The PostgreSQL type of `expr`, when this pass can tell.
pub fn type_of(expr: &Expr, scope: &Scope) -> Option<PgType> {
    match expr {
        Expr::Identifier(ident) => scope.column(None, &ident.value),
        Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
            scope.column(Some(&parts[0].value), &parts[1].value)
        }
        Expr::Nested(inner) => type_of(inner, scope),
        Expr::Value(number @ Value::Number(..)) => literal_type(number, false),
        Expr::Value(Value::Boolean(_)) => Some(PgType::Bool),
        Expr::Cast { data_type, .. } | Expr::TypedString { data_type, .. } => {
            super::types::declare(data_type, |_| false)
                .ok()
                .map(|d| d.ty)
        }
        // `-2147483648` is one integer constant, not the negation of a bigint.
        Expr::UnaryOp {
            op: gluesql::core::sqlparser::ast::UnaryOperator::Minus,
            expr: inner,
        } if matches!(inner.as_ref(), Expr::Value(Value::Number(..))) => match inner.as_ref() {
            Expr::Value(number) => literal_type(number, true),
            _ => None,
        },
        Expr::UnaryOp { expr, .. } => type_of(expr, scope),
        Expr::BinaryOp {
            op:
                BinaryOperator::Eq
                | BinaryOperator::NotEq
                | BinaryOperator::Lt
                | BinaryOperator::LtEq
                | BinaryOperator::Gt
                | BinaryOperator::GtEq
                | BinaryOperator::And
                | BinaryOperator::Or,
            ..
        }
        | Expr::IsNull(_)
        | Expr::IsNotNull(_)
        | Expr::IsDistinctFrom(..)
        | Expr::IsNotDistinctFrom(..)
        | Expr::Like { .. }
        | Expr::ILike { .. }
        | Expr::InList { .. }
        | Expr::Between { .. } => Some(PgType::Bool),
        // textcat: text (or varchar, or a value cast to text) || anything is text.
        Expr::BinaryOp {
            left,
            op: BinaryOperator::StringConcat,
            right,
        } => {
            let sides = [type_of(left, scope), type_of(right, scope)];
            let text = |t: &Option<PgType>| {
                matches!(t, Some(PgType::Text | PgType::Varchar(_) | PgType::Char(_)))
            };
            let json = |t: &Option<PgType>| matches!(t, Some(PgType::Json | PgType::Jsonb));
            (sides.iter().any(text) && !sides.iter().any(json)).then_some(PgType::Text)
        }
        Expr::BinaryOp { left, op, right } if is_arithmetic(op) => {
            let (l, r) = (type_of(left, scope)?, type_of(right, scope)?);
            let integer =
                |t: &PgType| matches!(t, PgType::SmallInt | PgType::Integer | PgType::BigInt);
            match (&l, op, &r) {
                (
                    PgType::Timestamp { tz },
                    BinaryOperator::Plus | BinaryOperator::Minus,
                    PgType::Interval,
                )
                | (PgType::Interval, BinaryOperator::Plus, PgType::Timestamp { tz }) => {
                    Some(PgType::Timestamp { tz: *tz })
                }
                (PgType::Date, BinaryOperator::Plus | BinaryOperator::Minus, PgType::Interval)
                | (PgType::Interval, BinaryOperator::Plus, PgType::Date) => {
                    Some(PgType::Timestamp { tz: false })
                }
                (PgType::Date, BinaryOperator::Minus, PgType::Date) => Some(PgType::Integer),
                (PgType::Date, BinaryOperator::Plus | BinaryOperator::Minus, n) if integer(n) => {
                    Some(PgType::Date)
                }
                (n, BinaryOperator::Plus, PgType::Date) if integer(n) => Some(PgType::Date),
                _ => arithmetic_type(&l, op, &r),
            }
        }
        Expr::Interval(_) => Some(PgType::Interval),
        // PostgreSQL 14 and later: EXTRACT gives numeric.
        Expr::Extract { .. } => Some(PgType::Numeric {
            precision: None,
            scale: None,
        }),
        Expr::Ceil { expr, .. } | Expr::Floor { expr, .. } => match type_of(expr, scope)? {
            PgType::Numeric { .. } => Some(PgType::Numeric {
                precision: None,
                scale: Some(0),
            }),
            PgType::SmallInt | PgType::Integer | PgType::BigInt => Some(PgType::Double),
            other => Some(other),
        },
        Expr::Function(function) => {
            let name = function.name.to_string().to_lowercase();
            let arg = first_arg(function).and_then(|a| type_of(a, scope));
            match name.as_str() {
                "count" => Some(PgType::BigInt),
                "min" | "max" | "abs" | "nullif" => arg,
                // One type for all branches; a numeric keeps its scale only if every
                // branch has it (`coalesce(sum(total), 0)` prints `0`).
                "coalesce" | "greatest" | "least" => {
                    let types: Vec<Option<PgType>> = super::rewrite::unnamed_args(function)
                        .iter()
                        .map(|a| type_of(a, scope))
                        .collect();
                    let first = types.iter().flatten().next()?.clone();
                    if types.iter().all(|t| t.as_ref() == Some(&first)) {
                        Some(first)
                    } else if matches!(first, PgType::Numeric { .. })
                        || types
                            .iter()
                            .flatten()
                            .any(|t| matches!(t, PgType::Numeric { .. }))
                    {
                        Some(PgType::Numeric {
                            precision: None,
                            scale: None,
                        })
                    } else {
                        Some(first)
                    }
                }
                "length" | "char_length" | "character_length" | "octet_length" | "strpos"
                | "position" | "ascii" => Some(PgType::Integer),
                "lower" | "upper" | "trim" | "btrim" | "ltrim" | "rtrim" | "substr"
                | "substring" | "replace" | "concat" | "left" | "right" | "repeat" | "reverse"
                | "lpad" | "rpad" | "initcap" | "chr" | "md5" => Some(PgType::Text),
                "sum" => match arg? {
                    PgType::SmallInt | PgType::Integer => Some(PgType::BigInt),
                    PgType::BigInt => Some(PgType::Numeric {
                        precision: None,
                        scale: None,
                    }),
                    other => Some(other),
                },
                "now" | "current_timestamp" => Some(PgType::Timestamp { tz: true }),
                // A date is truncated as a timestamptz (its implicit cast).
                "date_trunc" => match super::rewrite::unnamed_args(function)
                    .get(1)
                    .and_then(|a| type_of(a, scope))?
                {
                    PgType::Timestamp { tz } => Some(PgType::Timestamp { tz }),
                    PgType::Date => Some(PgType::Timestamp { tz: true }),
                    _ => None,
                },
                "avg" => match arg? {
                    PgType::Real | PgType::Double => Some(PgType::Double),
                    _ => Some(PgType::Numeric {
                        precision: None,
                        scale: None,
                    }),
                },
                // Integers go to double precision; numeric stays numeric.
                "sign" | "round" | "ceil" | "ceiling" | "floor" | "trunc" => match arg? {
                    PgType::SmallInt | PgType::Integer | PgType::BigInt if name == "sign" => {
                        Some(PgType::Double)
                    }
                    // round(7) is round(double precision): an integer casts to it.
                    PgType::SmallInt | PgType::Integer | PgType::BigInt => Some(PgType::Double),
                    PgType::Numeric { .. } if name == "sign" => Some(PgType::Numeric {
                        precision: None,
                        scale: Some(0),
                    }),
                    PgType::Numeric { .. } => Some(PgType::Numeric {
                        precision: None,
                        scale: rounding_scale(function),
                    }),
                    other => Some(other),
                },
                "div" => Some(PgType::Numeric {
                    precision: None,
                    scale: Some(0),
                }),
                "mod" => {
                    let second = super::rewrite::unnamed_args(function)
                        .get(1)
                        .and_then(|a| type_of(a, scope))?;
                    arithmetic_type(&arg?, &BinaryOperator::Modulo, &second)
                }
                "date" => Some(PgType::Date),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The scale `round(x, n)` / `trunc(x, n)` gives a numeric: n (0 without it).
fn rounding_scale(function: &gluesql::core::sqlparser::ast::Function) -> Option<u32> {
    match super::rewrite::unnamed_args(function).get(1) {
        None => Some(0),
        Some(Expr::Value(literal @ Value::Number(..))) => number_literal(literal)
            .filter(|(_, numeric)| !numeric)
            .and_then(|(text, _)| text.parse().ok()),
        Some(_) => None,
    }
}

fn first_arg(function: &gluesql::core::sqlparser::ast::Function) -> Option<&Expr> {
    super::rewrite::unnamed_args(function).into_iter().next()
}

/// A number literal's exact text (`0.0`, `1.50`, `1e3` as `1000`) and whether it is a
/// numeric constant (written with a point or an exponent) rather than an integer one. The
/// parser keeps the literal as a decimal with its scale; its own text drops the scale
/// of a zero (`0.0` reads `0`), which would change both the type and the output.
pub(crate) fn number_literal(value: &Value) -> Option<(String, bool)> {
    let Value::Number(n, _) = value else {
        return None;
    };
    let (digits, scale) = n.as_bigint_and_exponent();
    let digits = digits.to_string();
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(d) => ("-", d.to_string()),
        None => ("", digits),
    };
    let text = if scale <= 0 {
        if digits == "0" {
            digits
        } else {
            format!("{digits}{}", "0".repeat(scale.unsigned_abs() as usize))
        }
    } else {
        let places = scale as usize;
        let padded = format!("{digits:0>width$}", width = places + 1);
        let (whole, fraction) = padded.split_at(padded.len() - places);
        format!("{whole}.{fraction}")
    };
    Some((format!("{sign}{text}"), scale != 0))
}

/// The type of a number literal: integer (bigint past int4, numeric past int8), or
/// numeric with the literal's scale.
fn literal_type(value: &Value, negative: bool) -> Option<PgType> {
    let (text, numeric) = number_literal(value)?;
    let text = if negative { format!("-{text}") } else { text };
    Some(if numeric {
        PgType::Numeric {
            precision: None,
            scale: Some(text.split_once('.').map_or(0, |(_, f)| f.len() as u32)),
        }
    } else {
        number_type(&text)
    })
}

/// An unadorned numeric literal: `12` is integer (bigint past int4), `1.50` numeric.
fn number_type(text: &str) -> PgType {
    if text.contains(['.', 'e', 'E']) {
        let scale = text
            .split_once('.')
            .map(|(_, f)| f.chars().take_while(|c| c.is_ascii_digit()).count() as u32);
        PgType::Numeric {
            precision: None,
            scale,
        }
    } else if text.parse::<i32>().is_ok() {
        PgType::Integer
    } else if text.parse::<i64>().is_ok() {
        PgType::BigInt
    } else {
        PgType::Numeric {
            precision: None,
            scale: Some(0),
        }
    }
}

fn is_arithmetic(op: &BinaryOperator) -> bool {
    matches!(
        op,
        BinaryOperator::Plus
            | BinaryOperator::Minus
            | BinaryOperator::Multiply
            | BinaryOperator::Divide
            | BinaryOperator::Modulo
    )
}

/// What class a type's arithmetic belongs to.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum NumberClass {
    Integer,
    Numeric,
    Float,
}

fn class(ty: &PgType) -> Option<NumberClass> {
    match ty {
        PgType::SmallInt | PgType::Integer | PgType::BigInt => Some(NumberClass::Integer),
        PgType::Numeric { .. } => Some(NumberClass::Numeric),
        PgType::Real | PgType::Double => Some(NumberClass::Float),
        _ => None,
    }
}

fn arithmetic_type(l: &PgType, op: &BinaryOperator, r: &PgType) -> Option<PgType> {
    let (lc, rc) = (class(l)?, class(r)?);
    Some(match lc.max(rc) {
        NumberClass::Integer => {
            if matches!(l, PgType::BigInt) || matches!(r, PgType::BigInt) {
                PgType::BigInt
            } else if matches!((l, r), (PgType::SmallInt, PgType::SmallInt)) {
                PgType::SmallInt
            } else {
                PgType::Integer
            }
        }
        NumberClass::Float => PgType::Double,
        NumberClass::Numeric => {
            let scale_of = |t: &PgType| match t {
                PgType::Numeric { scale, .. } => *scale,
                _ => Some(0),
            };
            // (An unknown scale on either side leaves the result's unknown, not its type.)
            let (ls, rs) = (scale_of(l), scale_of(r));
            let scale = match op {
                BinaryOperator::Plus | BinaryOperator::Minus => ls.zip(rs).map(|(a, b)| a.max(b)),
                BinaryOperator::Multiply => ls.zip(rs).map(|(a, b)| a + b),
                _ => None,
            };
            PgType::Numeric {
                precision: None,
                scale,
            }
        }
    })
}

/// Writes out PostgreSQL's implicit numeric casts in every arithmetic expression of
/// `statement`, types its numeric literals as PostgreSQL does, and gives a quoted literal
/// compared with a number, uuid or boolean column that column's type (`qty = '10'`).
pub fn numeric_casts(statement: &mut Statement, scope: &Scope) {
    decimal_items(statement);
    super::rewrite::walk_statement(statement, &mut |expr| {
        numeric_functions(expr, scope);
        common_type(expr, scope);
        greatest_least(expr);
        text_conversions(expr, scope);
        date_arithmetic(expr, scope);
        cast_node(expr, scope);
        literal_comparison(expr, scope);
    });
}

/// Rounding and absolute values as PostgreSQL computes them where GlueSQL's functions
/// go through floats: `round(double)` and a double cast to an integer round half to even
/// (GlueSQL: half away from zero, or truncation); a numeric cast to an integer rounds half
/// away from zero (GlueSQL truncates); `abs(numeric)` keeps the exact value and its scale.
fn numeric_functions(expr: &mut Expr, scope: &Scope) {
    let half_even = |x: &Expr| {
        format!(
            "(CASE WHEN ({x}) - FLOOR({x}) = 0.5 THEN 2 * ROUND(({x}) / 2) ELSE ROUND({x}) END)"
        )
    };
    // Numeric input text as PostgreSQL reads it: blanks around, an exponent.
    if let Expr::Cast {
        expr: inner,
        data_type: DataType::Numeric(_) | DataType::Decimal(_) | DataType::Dec(_),
        ..
    } = expr
    {
        if let Expr::Value(Value::SingleQuotedString(text)) = inner.as_mut() {
            let trimmed = text.trim();
            if let Ok(d) = rust_decimal::Decimal::from_scientific(trimmed) {
                if trimmed.contains(['e', 'E']) {
                    *text = d.normalize().to_string();
                } else {
                    *text = trimmed.to_string();
                }
            } else {
                *text = trimmed.to_string();
            }
        }
    }
    let float = |e: &Expr| matches!(type_of(e, scope), Some(PgType::Double | PgType::Real));
    let date = |e: &Expr| matches!(type_of(e, scope), Some(PgType::Date));
    let interval = |e: &Expr| matches!(type_of(e, scope), Some(PgType::Interval));
    let datetime = |e: &Expr| {
        matches!(
            type_of(e, scope),
            Some(PgType::Date | PgType::Timestamp { .. })
        )
    };
    let rewritten = match &*expr {
        // A whole number of months or years added to a date or timestamp: PostgreSQL
        // moves the date that many months, clamped to the month's last day
        // (`2024-01-31 + 1 month` is 2024-02-29), and keeps the time of day. GlueSQL's
        // interval arithmetic fails past a month's end; its ADD_MONTH clamps as
        // PostgreSQL does.
        Expr::BinaryOp {
            left,
            op: op @ (BinaryOperator::Plus | BinaryOperator::Minus),
            right,
        } if datetime(left) && whole_months(right).is_some() => {
            let months = whole_months(right).expect("checked");
            let months = if *op == BinaryOperator::Minus {
                -months
            } else {
                months
            };
            Some(add_months(left, months))
        }
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Plus,
            right,
        } if whole_months(left).is_some() && datetime(right) => {
            Some(add_months(right, whole_months(left).expect("checked")))
        }
        // date +/- interval is a timestamp in PostgreSQL; GlueSQL has no such operator
        // on a date, and adds an interval to a timestamp.
        Expr::BinaryOp {
            left,
            op: op @ (BinaryOperator::Plus | BinaryOperator::Minus),
            right,
        } if date(left) && interval(right) => {
            Some(format!("(CAST(({left}) AS TIMESTAMP) {op} ({right}))"))
        }
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Plus,
            right,
        } if interval(left) && date(right) => {
            Some(format!("(CAST(({right}) AS TIMESTAMP) + ({left}))"))
        }
        // GlueSQL's float equality allows an epsilon (0.1 + 0.2 = 0.3 was true); its
        // orderings are exact, as PostgreSQL's equality is.
        Expr::BinaryOp {
            left,
            op: op @ (BinaryOperator::Eq | BinaryOperator::NotEq),
            right,
        } if float(left) || float(right) => Some(if *op == BinaryOperator::Eq {
            format!("(({left}) <= ({right}) AND ({left}) >= ({right}))")
        } else {
            format!("(({left}) < ({right}) OR ({left}) > ({right}))")
        }),
        Expr::Function(function) => {
            let name = function.name.to_string().to_lowercase();
            let args = super::rewrite::unnamed_args(function);
            match (name.as_str(), args.as_slice()) {
                ("sum", [x]) if matches!(type_of(x, scope), Some(PgType::BigInt)) => {
                    // sum(bigint) is numeric: it does not overflow at 2^63.
                    Some(format!("SUM(CAST(({x}) AS DECIMAL))"))
                }
                ("date_trunc", [Expr::Value(Value::SingleQuotedString(unit)), x])
                    if matches!(
                        type_of(x, scope),
                        Some(PgType::Timestamp { .. } | PgType::Date)
                    ) =>
                {
                    date_trunc(&unit.to_ascii_lowercase(), x)
                }
                ("round", [x])
                    if matches!(type_of(x, scope), Some(PgType::Double | PgType::Real)) =>
                {
                    Some(half_even(x))
                }
                ("abs", [x]) if matches!(type_of(x, scope), Some(PgType::Numeric { .. })) => {
                    // (A literal is written as the exact decimal it is.)
                    let mut exact: Box<Expr> = Box::new((*x).clone());
                    if is_literal(x) {
                        as_decimal(&mut exact);
                    }
                    Some(format!(
                        "(CASE WHEN ({exact}) < 0 THEN -({exact}) ELSE ({exact}) END)"
                    ))
                }
                _ => None,
            }
        }
        Expr::Cast {
            expr: inner,
            data_type,
            ..
        } => {
            let target = super::types::declare(data_type, |_| false)
                .ok()
                .map(|d| d.ty);
            let integer = matches!(
                target,
                Some(PgType::SmallInt | PgType::Integer | PgType::BigInt)
            );
            let literal = matches!(inner.as_ref(), Expr::Value(_));
            match type_of(inner, scope) {
                Some(PgType::Double | PgType::Real) if integer && !literal => {
                    Some(format!("CAST({} AS {data_type})", half_even(inner)))
                }
                Some(PgType::Numeric { .. }) if integer && !literal => Some(format!(
                    "CAST((CASE WHEN ({inner}) < 0 THEN ({inner}) - 0.5 ELSE ({inner}) + 0.5 END) AS {data_type})"
                )),
                _ => None,
            }
        }
        _ => None,
    };
    if let Some(parsed) = rewritten.as_deref().and_then(parse_sql_expr) {
        *expr = parsed;
    }
}

/// GREATEST and LEAST skip NULLs in PostgreSQL (NULL only when every argument is);
/// GlueSQL's fail on one. Each argument is read as the first non-NULL of itself and the
/// others, so a NULL never reaches GlueSQL's comparison.
fn greatest_least(expr: &mut Expr) {
    let Expr::Function(function) = &*expr else {
        return;
    };
    let name = function.name.to_string().to_uppercase();
    if name != "GREATEST" && name != "LEAST" {
        return;
    }
    let args = super::rewrite::unnamed_args(function);
    if args.len() < 2 {
        return;
    }
    let texts: Vec<String> = args.iter().map(|a| format!("({a})")).collect();
    let firsts: Vec<String> = (0..texts.len())
        .map(|i| {
            let mut order = vec![texts[i].clone()];
            order.extend(
                texts
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, t)| t.clone()),
            );
            format!("COALESCE({})", order.join(", "))
        })
        .collect();
    // GlueSQL has GREATEST but no LEAST: the least is the first argument no greater than
    // every later one (O(n^2) comparisons, each argument evaluated where it is compared).
    let pick = if name == "GREATEST" {
        format!("GREATEST({})", firsts.join(", "))
    } else {
        let (last, earlier) = firsts.split_last().expect("two or more arguments");
        let whens: String = earlier
            .iter()
            .enumerate()
            .map(|(i, candidate)| {
                let no_greater: Vec<String> = firsts[i + 1..]
                    .iter()
                    .map(|later| format!("{candidate} <= {later}"))
                    .collect();
                format!(" WHEN {} THEN {candidate}", no_greater.join(" AND "))
            })
            .collect();
        format!("CASE{whens} ELSE {last} END")
    };
    let sql = format!(
        "CASE WHEN COALESCE({}) IS NULL THEN NULL ELSE {pick} END",
        texts.join(", ")
    );
    if let Some(rewritten) = parse_sql_expr(&sql) {
        *expr = rewritten;
    }
}

/// The number of months an interval literal is, when it is only years and months
/// (`'1 month'`, `'1 year 2 mons'`, `'3' MONTH`); None for anything with days or time.
fn whole_months(expr: &Expr) -> Option<i64> {
    use gluesql::core::sqlparser::ast::DateTimeField;
    let Expr::Interval(interval) = expr else {
        return None;
    };
    let Expr::Value(Value::SingleQuotedString(text)) = interval.value.as_ref() else {
        return None;
    };
    if interval.last_field.is_some() {
        return None;
    }
    let per_unit = |unit: &str| match unit.to_ascii_lowercase().as_str() {
        "year" | "years" | "y" | "yr" | "yrs" => Some(12),
        "month" | "months" | "mon" | "mons" => Some(1),
        _ => None,
    };
    match &interval.leading_field {
        Some(DateTimeField::Year) => text.trim().parse::<i64>().ok()?.checked_mul(12),
        Some(DateTimeField::Month) => text.trim().parse::<i64>().ok(),
        Some(_) => None,
        None => {
            let words: Vec<&str> = text.split_whitespace().collect();
            if words.is_empty() || !words.len().is_multiple_of(2) {
                return None;
            }
            let mut months = 0i64;
            for pair in words.chunks(2) {
                let count: i64 = pair[0].parse().ok()?;
                months = months.checked_add(count.checked_mul(per_unit(pair[1])?)?)?;
            }
            // Beyond chrono's range ADD_MONTH fails; leave such a literal to GlueSQL.
            (months.abs() <= 120_000).then_some(months)
        }
    }
}

/// `x + n months` as PostgreSQL computes it: the date moved by ADD_MONTH (clamped to
/// the month's end), plus x's time of day.
fn add_months(x: &Expr, months: i64) -> String {
    let day = format!("CAST(CAST(({x}) AS DATE) AS TIMESTAMP)");
    format!(
        "(CAST(ADD_MONTH(CAST(CAST(({x}) AS DATE) AS TEXT), {months}) AS TIMESTAMP) + (CAST(({x}) AS TIMESTAMP) - {day}))"
    )
}

/// `date_trunc(unit, x)` from the fields GlueSQL can read, for the units where that is
/// exact (None leaves the call to GlueSQL, which refuses it).
fn date_trunc(unit: &str, x: &Expr) -> Option<String> {
    let field = |name: &str, width: usize| {
        format!("LPAD(CAST(EXTRACT({name} FROM ({x})) AS TEXT), {width}, '0')")
    };
    let day = format!("CAST(CAST(({x}) AS DATE) AS TEXT)");
    let text = match unit {
        "year" => format!("{} || '-01-01'", field("YEAR", 4)),
        "month" => format!(
            "{} || '-' || {} || '-01'",
            field("YEAR", 4),
            field("MONTH", 2)
        ),
        "quarter" => format!(
            "{} || '-' || LPAD(CAST(((EXTRACT(MONTH FROM ({x})) - 1) / 3 * 3 + 1) AS TEXT), 2, '0') || '-01'",
            field("YEAR", 4)
        ),
        "day" => day,
        "hour" => format!("{day} || ' ' || {} || ':00:00'", field("HOUR", 2)),
        "minute" => format!(
            "{day} || ' ' || {} || ':' || {} || ':00'",
            field("HOUR", 2),
            field("MINUTE", 2)
        ),
        // An ISO week starts on Monday: the Monday of x's ISO year and week.
        "week" => format!(
            "CAST(TO_DATE(FORMAT(CAST(({x}) AS DATE), '%G-W%V') || '-1', '%G-W%V-%u') AS TEXT)"
        ),
        "second" => format!("FORMAT(CAST(({x}) AS TIMESTAMP), '%Y-%m-%d %H:%M:%S')"),
        "milliseconds" => format!("FORMAT(CAST(({x}) AS TIMESTAMP), '%Y-%m-%d %H:%M:%S%.3f')"),
        "microseconds" => format!("FORMAT(CAST(({x}) AS TIMESTAMP), '%Y-%m-%d %H:%M:%S%.6f')"),
        _ => return None,
    };
    Some(format!("CAST({text} AS TIMESTAMP)"))
}

/// The branches of COALESCE, GREATEST, LEAST and CASE take one type, as PostgreSQL
/// resolves it: with a numeric branch, integer literals become decimals (GlueSQL would
/// mix a decimal and an integer, which it sorts apart); with a boolean branch, a quoted
/// literal becomes a boolean (`CASE ... THEN 'true' ELSE FALSE END` is `t`).
fn common_type(expr: &mut Expr, scope: &Scope) {
    let branches: Vec<&mut Expr> = match expr {
        Expr::Function(function) => {
            let name = function.name.to_string().to_lowercase();
            if !matches!(name.as_str(), "coalesce" | "greatest" | "least") {
                return;
            }
            match &mut function.args {
                gluesql::core::sqlparser::ast::FunctionArguments::List(list) => list
                    .args
                    .iter_mut()
                    .filter_map(|a| match a {
                        gluesql::core::sqlparser::ast::FunctionArg::Unnamed(
                            gluesql::core::sqlparser::ast::FunctionArgExpr::Expr(e),
                        ) => Some(e),
                        _ => None,
                    })
                    .collect(),
                _ => return,
            }
        }
        Expr::Case {
            results,
            else_result,
            ..
        } => results
            .iter_mut()
            .chain(else_result.iter_mut().map(|b| b.as_mut()))
            .collect(),
        _ => return,
    };
    let types: Vec<Option<PgType>> = branches.iter().map(|b| type_of(b, scope)).collect();
    let numeric = types
        .iter()
        .zip(&branches)
        .any(|(t, b)| matches!(t, Some(PgType::Numeric { .. })) && !is_literal(b));
    let boolean = types.iter().any(|t| matches!(t, Some(PgType::Bool)));
    for branch in branches {
        if numeric && is_literal(branch) {
            let mut boxed = Box::new(branch.clone());
            as_decimal(&mut boxed);
            *branch = *boxed;
        } else if boolean && matches!(branch, Expr::Value(Value::SingleQuotedString(_))) {
            if let Some(typed) = super::assign::typed_literal(branch, &PgType::Bool) {
                *branch = typed;
            }
        }
    }
}

/// An expression from SQL text (the rewrites below print their operands back).
fn parse_sql_expr(text: &str) -> Option<Expr> {
    gluesql::core::sqlparser::parser::Parser::new(
        &gluesql::core::sqlparser::dialect::PostgreSqlDialect {},
    )
    .try_with_sql(text)
    .and_then(|mut p| p.parse_expr())
    .ok()
}

/// Text from booleans and CONCAT as PostgreSQL makes it: `TRUE::text` and `'x' || TRUE`
/// are `true` (GlueSQL: `TRUE`), CONCAT skips NULLs (GlueSQL: NULL) and shows a boolean
/// as `t`.
fn text_conversions(expr: &mut Expr, scope: &Scope) {
    let is_bool = |e: &Expr| matches!(type_of(e, scope), Some(PgType::Bool));
    let spelled = |e: &Expr, yes: &str, no: &str| {
        parse_sql_expr(&format!(
            "CASE WHEN ({e}) THEN '{yes}' WHEN NOT ({e}) THEN '{no}' END"
        ))
    };
    match expr {
        Expr::Cast {
            expr: inner,
            data_type,
            ..
        } if is_bool(inner)
            && matches!(
                super::types::declare(data_type, |_| false).map(|d| d.ty),
                Ok(PgType::Text | PgType::Varchar(_))
            ) =>
        {
            if let Some(text) = spelled(inner, "true", "false") {
                *expr = text;
            }
        }
        Expr::BinaryOp {
            left,
            op: BinaryOperator::StringConcat,
            right,
        } => {
            for side in [left, right] {
                if is_bool(side) {
                    if let Some(text) = spelled(side, "true", "false") {
                        **side = text;
                    }
                }
            }
        }
        Expr::Function(function) if function.name.to_string().eq_ignore_ascii_case("concat") => {
            let args = super::rewrite::unnamed_args(function);
            if args.is_empty() {
                return;
            }
            let parts: Vec<String> = args
                .iter()
                .map(|a| {
                    if is_bool(a) {
                        format!(
                            "COALESCE(CASE WHEN ({a}) THEN 't' WHEN NOT ({a}) THEN 'f' END, '')"
                        )
                    } else {
                        format!("COALESCE(CAST(({a}) AS TEXT), '')")
                    }
                })
                .collect();
            if let Some(rewritten) = parse_sql_expr(&format!("CONCAT({})", parts.join(", "))) {
                *expr = rewritten;
            }
        }
        _ => {}
    }
}

/// PostgreSQL's date arithmetic in GlueSQL's terms: `date - date` is a number of days
/// (GlueSQL: an interval), `date ± integer` a date (GlueSQL has no such operator).
fn date_arithmetic(expr: &mut Expr, scope: &Scope) {
    let Expr::BinaryOp { left, op, right } = &*expr else {
        return;
    };
    if !matches!(op, BinaryOperator::Plus | BinaryOperator::Minus) {
        return;
    }
    let (Some(l), Some(r)) = (type_of(left, scope), type_of(right, scope)) else {
        return;
    };
    // PostgreSQL adds days of type integer (smallint widens to it); `date + bigint` has no
    // operator there, and left alone it is refused here (GlueSQL's interval of that many
    // days overflowed its decimal arithmetic, a panic).
    let integer = |t: &PgType| matches!(t, PgType::SmallInt | PgType::Integer);
    let sign = if matches!(op, BinaryOperator::Plus) {
        "+"
    } else {
        "-"
    };
    let text = match (&l, &r) {
        (PgType::Date, PgType::Date) if sign == "-" => {
            format!("EXTRACT(DAY FROM (({left}) - ({right})))")
        }
        (PgType::Date, n) if integer(n) => {
            format!("CAST(({left}) {sign} CAST(({right}) || ' DAY' AS INTERVAL) AS DATE)")
        }
        (n, PgType::Date) if integer(n) && sign == "+" => {
            format!("CAST(({right}) + CAST(({left}) || ' DAY' AS INTERVAL) AS DATE)")
        }
        _ => return,
    };
    if let Some(rewritten) = parse_sql_expr(&text) {
        *expr = rewritten;
    }
}

/// `SELECT 1.50`: a numeric literal shown as itself is an exact NUMERIC with its scale
/// (GlueSQL would make it the float 1.5).
fn decimal_items(statement: &mut Statement) {
    let Statement::Query(query) = statement else {
        return;
    };
    let SetExpr::Select(select) = query.body.as_mut() else {
        return;
    };
    for item in &mut select.projection {
        if let SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } = item {
            let (negative, literal) = match &*e {
                Expr::UnaryOp {
                    op: gluesql::core::sqlparser::ast::UnaryOperator::Minus,
                    expr,
                } => (true, expr.as_ref().clone()),
                other => (false, other.clone()),
            };
            let Expr::Value(literal) = literal else {
                continue;
            };
            let Some((text, true)) = number_literal(&literal) else {
                continue;
            };
            let text = if negative { format!("-{text}") } else { text };
            *e = Expr::Cast {
                kind: CastKind::Cast,
                expr: Box::new(Expr::Value(Value::SingleQuotedString(text))),
                data_type: decimal(),
                format: None,
            };
        }
    }
}

fn literal_comparison(expr: &mut Expr, scope: &Scope) {
    let Expr::BinaryOp { left, op, right } = expr else {
        return;
    };
    if !matches!(
        op,
        BinaryOperator::Eq
            | BinaryOperator::NotEq
            | BinaryOperator::Lt
            | BinaryOperator::LtEq
            | BinaryOperator::Gt
            | BinaryOperator::GtEq
    ) {
        return;
    }
    // An exact number compared with a numeric expression (`sum(n) = 1`, `0.1 + 0.2 =
    // 0.3`) is compared as a decimal: GlueSQL would compare a decimal with an integer or a
    // float and answer false.
    let numeric = |e: &Expr| matches!(type_of(e, scope), Some(PgType::Numeric { .. }));
    let computed_numeric =
        |e: &Expr| !matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_)) && numeric(e);
    if is_literal(left) && is_literal(right) {
        if numeric(left) || numeric(right) {
            as_decimal(left);
            as_decimal(right);
        }
    } else if is_literal(right) && computed_numeric(left) {
        as_decimal(right);
    } else if is_literal(left) && computed_numeric(right) {
        as_decimal(left);
    }
    let left_type = operand_type(left, scope);
    let right_type = operand_type(right, scope);
    for (ty, literal) in [(left_type, right), (right_type, left)] {
        let Some(ty) = ty else {
            continue;
        };
        // Dates and text GlueSQL already compares with a quoted literal as PostgreSQL
        // does (and the planner seeks indexes with it as it is).
        if !matches!(
            category(&ty),
            Category::Number | Category::Uuid | Category::Boolean
        ) {
            continue;
        }
        if let Some(typed) = super::assign::typed_literal(literal, &ty) {
            **literal = typed;
        }
    }
}

fn cast_node(expr: &mut Expr, scope: &Scope) {
    let Expr::BinaryOp { left, op, right } = expr else {
        return;
    };
    if !is_arithmetic(op) {
        return;
    }
    let (Some(l), Some(r)) = (type_of(left, scope), type_of(right, scope)) else {
        return;
    };
    let (Some(lc), Some(rc)) = (class(&l), class(&r)) else {
        return;
    };
    let target = lc.max(rc);
    match target {
        // Integer arithmetic: literals must not fold as exact decimals (`7 / 2` is 3).
        // (A computed side, such as NULLIF(4, 0), may reach GlueSQL as a decimal: both
        // sides are made integers unless they are columns.)
        NumberClass::Integer => {
            let column = |e: &Expr| matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_));
            if is_literal(left) && is_literal(right) {
                wrap(left, DataType::BigInt(None));
            } else if !column(left) || !column(right) {
                for side in [left, right] {
                    if !column(side) && !is_literal(side) {
                        wrap(side, DataType::BigInt(None));
                    }
                }
            }
        }
        NumberClass::Numeric => {
            for (side, class) in [(left, lc), (right, rc)] {
                if is_literal(side) || class != NumberClass::Numeric {
                    as_decimal(side);
                }
            }
        }
        NumberClass::Float => {
            for (side, class) in [(left, lc), (right, rc)] {
                if class != NumberClass::Float {
                    wrap(side, DataType::Float(None));
                }
            }
        }
    }
}

fn is_literal(expr: &Expr) -> bool {
    match expr {
        Expr::Value(Value::Number(..)) => true,
        Expr::UnaryOp { expr, .. } | Expr::Nested(expr) => is_literal(expr),
        _ => false,
    }
}

/// A numeric literal as the exact decimal it is (`'1.50'` keeps its scale); anything else
/// cast to DECIMAL.
fn as_decimal(side: &mut Box<Expr>) {
    let negated = match side.as_ref() {
        Expr::UnaryOp {
            op: gluesql::core::sqlparser::ast::UnaryOperator::Minus,
            expr,
        } => match expr.as_ref() {
            Expr::Value(literal @ Value::Number(..)) => number_literal(literal),
            _ => None,
        },
        _ => None,
    };
    if let Some((text, _)) = negated {
        **side = Expr::Cast {
            kind: CastKind::Cast,
            expr: Box::new(Expr::Value(Value::SingleQuotedString(format!("-{text}")))),
            data_type: decimal(),
            format: None,
        };
        return;
    }
    if let Expr::Value(literal @ Value::Number(..)) = side.as_ref() {
        let (text, _) = number_literal(literal).expect("a number");
        **side = Expr::Cast {
            kind: CastKind::Cast,
            expr: Box::new(Expr::Value(Value::SingleQuotedString(text))),
            data_type: decimal(),
            format: None,
        };
        return;
    }
    if matches!(side.as_ref(), Expr::Cast { data_type, .. } if *data_type == decimal()) {
        return;
    }
    wrap(side, decimal());
}

fn decimal() -> DataType {
    DataType::Decimal(gluesql::core::sqlparser::ast::ExactNumberInfo::None)
}

fn wrap(side: &mut Box<Expr>, data_type: DataType) {
    let inner = std::mem::replace(side.as_mut(), Expr::Value(Value::Null));
    **side = Expr::Cast {
        kind: CastKind::Cast,
        expr: Box::new(inner),
        data_type,
        format: None,
    };
}

/// The types of a query's result columns, where this pass can tell (`None` elsewhere).
pub fn result_types(statement: &Statement, scope: &Scope) -> Vec<Option<PgType>> {
    let items: &[SelectItem] = match statement {
        Statement::Query(query) => match query.body.as_ref() {
            SetExpr::Select(select) => &select.projection,
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    let mut types = Vec::new();
    for item in items {
        match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                types.push(type_of(e, scope))
            }
            SelectItem::Wildcard(_) => types.extend(scope.wildcard(None)),
            SelectItem::QualifiedWildcard(name, _) => {
                types.extend(scope.wildcard(Some(&super::create::object_name(name))))
            }
        }
    }
    types
}

/// The type category PostgreSQL's operator resolution works by.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Category {
    Number,
    String,
    Boolean,
    DateTime,
    Uuid,
    Json,
    Other,
}

pub(crate) fn category(ty: &PgType) -> Category {
    match ty {
        PgType::SmallInt
        | PgType::Integer
        | PgType::BigInt
        | PgType::Numeric { .. }
        | PgType::Real
        | PgType::Double => Category::Number,
        PgType::Varchar(_) | PgType::Char(_) | PgType::Text => Category::String,
        PgType::Bool => Category::Boolean,
        PgType::Timestamp { .. } | PgType::Date | PgType::Time | PgType::Interval => {
            Category::DateTime
        }
        PgType::Uuid => Category::Uuid,
        PgType::Json | PgType::Jsonb => Category::Json,
        _ => Category::Other,
    }
}

/// The type's name without its modifier, as operator errors spell it.
pub(crate) fn base_name(ty: &PgType) -> String {
    match ty {
        PgType::Numeric { .. } => "numeric".into(),
        PgType::Varchar(_) => "character varying".into(),
        PgType::Char(_) => "character".into(),
        other => other.pg_name(),
    }
}

/// A comparison between operands of types PostgreSQL has no operator for (`uuid =
/// character varying`, `integer = text`, `boolean = integer`): PostgreSQL's error, where
/// GlueSQL would compare the values anyway. Only typed operands count: a quoted literal
/// is `unknown` and takes the other side's type, as in PostgreSQL.
pub fn check_comparisons(statement: &mut Statement, scope: &Scope) -> Result<(), String> {
    let mut error = None;
    super::rewrite::walk_statement(statement, &mut |expr| {
        if error.is_some() {
            return;
        }
        if let Some(out_of_range) = literal_out_of_range(expr) {
            error = Some(out_of_range);
            return;
        }
        if let Some(found) = expression_error(expr, scope) {
            error = Some(found);
            return;
        }
        let Expr::BinaryOp { left, op, right } = expr else {
            return;
        };
        let symbol = match op {
            BinaryOperator::Eq => "=",
            BinaryOperator::NotEq => "<>",
            BinaryOperator::Lt => "<",
            BinaryOperator::LtEq => "<=",
            BinaryOperator::Gt => ">",
            BinaryOperator::GtEq => ">=",
            BinaryOperator::Plus => "+",
            BinaryOperator::Minus => "-",
            BinaryOperator::Multiply => "*",
            BinaryOperator::Divide => "/",
            BinaryOperator::Modulo => "%",
            _ => return,
        };
        let (Some(l), Some(r)) = (operand_type(left, scope), operand_type(right, scope)) else {
            return;
        };
        if is_arithmetic(op) {
            if !arithmetic_exists(&l, op, &r) {
                error = Some(format!(
                    "operator does not exist: {} {symbol} {}\nHINT:  No operator matches the given name and argument types. You might need to add explicit type casts.",
                    base_name(&l),
                    base_name(&r)
                ));
            }
            return;
        }
        let (lc, rc) = (category(&l), category(&r));
        let json_equality = lc == Category::Json
            && rc == Category::Json
            && (matches!(l, PgType::Json) || matches!(r, PgType::Json));
        let mismatch = lc != rc && lc != Category::Other && rc != Category::Other;
        if mismatch || json_equality {
            error = Some(format!(
                "operator does not exist: {} {symbol} {}\nHINT:  No operator matches the given name and argument types. You might need to add explicit type casts.",
                base_name(&l),
                base_name(&r)
            ));
        }
    });
    error.map_or(Ok(()), Err)
}

/// COALESCE as PostgreSQL's planner folds it: the arguments after the first non-NULL
/// constant are never evaluated (`COALESCE(1, 1 / 0)` is 1). Runs before the checks.
pub fn fold_coalesce(statement: &mut Statement) {
    super::rewrite::walk_statement(statement, &mut |expr| {
        let Expr::Function(function) = expr else {
            return;
        };
        if !function.name.to_string().eq_ignore_ascii_case("coalesce") {
            return;
        }
        if let gluesql::core::sqlparser::ast::FunctionArguments::List(list) = &mut function.args {
            let constant = list.args.iter().position(|a| {
                matches!(
                    a,
                    gluesql::core::sqlparser::ast::FunctionArg::Unnamed(
                        gluesql::core::sqlparser::ast::FunctionArgExpr::Expr(e)
                    ) if is_literal(e) || matches!(e, Expr::Value(Value::SingleQuotedString(_) | Value::Boolean(_)))
                )
            });
            if let Some(first) = constant {
                list.args.truncate(first + 1);
            }
        }
    });
}

/// `1 / 0` written with constants: PostgreSQL folds it while planning, so the statement
/// fails even where no row would reach it (`CASE WHEN stock >= 0 THEN 1 ELSE 1 / 0 END`),
/// except in what the folding itself drops: CASE arms after a constant-true condition (or
/// under a constant-false one) and COALESCE arguments after a constant.
/// `x AT TIME ZONE z` on a timestamp without time zone (or a date) gives a timestamptz in
/// PostgreSQL (the local time in z, as UTC); the engine only converts a timestamptz to
/// UTC, and would print the timestamp unchanged without its offset, so it is refused.
pub fn check_at_time_zone(statement: &mut Statement, scope: &Scope) -> Result<(), String> {
    let mut found = false;
    super::rewrite::walk_statement(statement, &mut |expr| {
        if let Expr::AtTimeZone { timestamp, .. } = expr {
            found |= matches!(
                type_of(timestamp, scope),
                Some(PgType::Timestamp { tz: false } | PgType::Date)
            );
        }
    });
    if found {
        Err("AT TIME ZONE on a timestamp without time zone (PostgreSQL reads it as local time in that zone and gives a timestamptz)".into())
    } else {
        Ok(())
    }
}

/// GREATEST over a numeric literal with trailing zeros (`4.0`, `2.50`): GlueSQL's
/// GREATEST answers such an argument without its scale (4 where PostgreSQL answers 4.0),
/// so the playground refuses it (the 0A000 text names it).
pub fn check_greatest_literals(statement: &mut Statement) -> Result<(), String> {
    let mut found = None;
    super::rewrite::walk_statement(statement, &mut |expr| {
        let Expr::Function(function) = expr else {
            return;
        };
        if !function.name.to_string().eq_ignore_ascii_case("greatest") || found.is_some() {
            return;
        }
        for arg in super::rewrite::unnamed_args(function) {
            let mut probe = arg.clone();
            super::rewrite::walk_expr(&mut probe, &mut |e| {
                if let Expr::Value(n @ Value::Number(..)) = e {
                    if let Some((text, true)) = number_literal(n) {
                        if text.contains('.') && text.ends_with('0') {
                            found.get_or_insert(text);
                        }
                    }
                }
            });
        }
    });
    match found {
        Some(literal) => Err(format!(
            "GREATEST over a numeric literal with trailing zeros ({literal}): write it without them, or cast it"
        )),
        None => Ok(()),
    }
}

pub fn check_constant_division(statement: &mut Statement) -> Result<(), String> {
    if !has_constant_division(statement) {
        return Ok(());
    }
    let mut pruned = statement.clone();
    fold_coalesce(&mut pruned);
    super::rewrite::walk_statement(&mut pruned, &mut |expr| {
        let Expr::Case {
            operand: None,
            conditions,
            results,
            else_result,
        } = expr
        else {
            return;
        };
        let mut kept = Vec::new();
        let mut decided = None;
        for (condition, result) in conditions.iter().zip(results.iter()) {
            match constant_truth(condition) {
                Some(false) => continue,
                Some(true) => {
                    decided = Some(result.clone());
                    break;
                }
                None => kept.push((condition.clone(), result.clone())),
            }
        }
        if let Some(result) = decided {
            *else_result = Some(Box::new(result));
        }
        *conditions = kept.iter().map(|(c, _)| c.clone()).collect();
        *results = kept.into_iter().map(|(_, r)| r).collect();
    });
    if has_constant_division(&mut pruned) {
        Err("division by zero".to_string())
    } else {
        Ok(())
    }
}

/// Whether `statement` divides a constant by a zero constant anywhere (it only reads).
fn has_constant_division(statement: &mut Statement) -> bool {
    let mut found = false;
    super::rewrite::walk_statement(statement, &mut |expr| {
        if let Expr::BinaryOp {
            left,
            op: BinaryOperator::Divide | BinaryOperator::Modulo,
            right,
        } = expr
        {
            let zero = matches!(right.as_ref(), Expr::Value(n @ Value::Number(..))
                if number_literal(n).is_some_and(|(t, _)| t.trim_matches(['0', '.']).is_empty()));
            found |= zero && is_literal(left);
        }
    });
    found
}

/// The value of a condition made of constants only (`1 > 0`, `TRUE`), when it is simple
/// enough to read here.
fn constant_truth(condition: &Expr) -> Option<bool> {
    let number = |e: &Expr| -> Option<f64> {
        match e {
            Expr::Value(n @ Value::Number(..)) => number_literal(n)?.0.parse().ok(),
            Expr::UnaryOp {
                op: gluesql::core::sqlparser::ast::UnaryOperator::Minus,
                expr,
            } => match expr.as_ref() {
                Expr::Value(n @ Value::Number(..)) => {
                    number_literal(n)?.0.parse::<f64>().ok().map(|v| -v)
                }
                _ => None,
            },
            _ => None,
        }
    };
    match condition {
        Expr::Value(Value::Boolean(b)) => Some(*b),
        Expr::Nested(inner) => constant_truth(inner),
        Expr::BinaryOp { left, op, right } => {
            let (l, r) = (number(left)?, number(right)?);
            match op {
                BinaryOperator::Eq => Some(l == r),
                BinaryOperator::NotEq => Some(l != r),
                BinaryOperator::Lt => Some(l < r),
                BinaryOperator::LtEq => Some(l <= r),
                BinaryOperator::Gt => Some(l > r),
                BinaryOperator::GtEq => Some(l >= r),
                _ => None,
            }
        }
        _ => None,
    }
}

/// PostgreSQL's errors for one expression node that its parser or type resolution
/// raises before any row is read: a comparison chain (`1 < 2 < 3`), a number where a
/// boolean belongs, a quoted literal that cannot become the type it is compared or
/// combined with, an aggregate of an untyped NULL, a function PostgreSQL does not have.
fn expression_error(expr: &Expr, scope: &Scope) -> Option<String> {
    let number_type = |e: &Expr| operand_type(e, scope).filter(|t| category(t) == Category::Number);
    let comparison = |op: &BinaryOperator| {
        matches!(
            op,
            BinaryOperator::Eq
                | BinaryOperator::NotEq
                | BinaryOperator::Lt
                | BinaryOperator::LtEq
                | BinaryOperator::Gt
                | BinaryOperator::GtEq
        )
    };
    // A quoted literal PostgreSQL would read as `ty` and cannot.
    let unreadable = |items: &[&Expr], ty: &PgType| -> Option<String> {
        items.iter().find_map(|item| match item {
            Expr::Value(Value::SingleQuotedString(text)) if text.trim().parse::<f64>().is_err() => {
                Some(format!(
                    "invalid input syntax for type {}: \"{text}\"",
                    base_name(ty)
                ))
            }
            _ => None,
        })
    };
    match expr {
        Expr::BinaryOp { left, op, .. } if comparison(op) => match left.as_ref() {
            Expr::BinaryOp { op: inner, .. } if comparison(inner) => {
                Some(format!("syntax error at or near \"{op}\""))
            }
            _ => None,
        },
        Expr::BinaryOp {
            left,
            op: op @ (BinaryOperator::And | BinaryOperator::Or),
            right,
        } => [left, right].into_iter().find_map(|side| {
            number_type(side).map(|ty| {
                format!(
                    "argument of {op} must be type boolean, not type {}",
                    base_name(&ty)
                )
            })
        }),
        Expr::Case {
            operand: None,
            conditions,
            ..
        } => conditions.iter().find_map(|c| {
            number_type(c).map(|ty| {
                format!(
                    "argument of CASE/WHEN must be type boolean, not type {}",
                    base_name(&ty)
                )
            })
        }),
        Expr::Extract { field, .. } => {
            use gluesql::core::sqlparser::ast::DateTimeField;
            matches!(
                field,
                DateTimeField::Second
                    | DateTimeField::Epoch
                    | DateTimeField::Milliseconds
                    | DateTimeField::Microseconds
            )
            .then(|| {
                format!("feature not supported in this playground: EXTRACT({field} FROM ...) (fractional seconds)")
            })
        }
        Expr::BinaryOp {
            left,
            op: BinaryOperator::StringConcat,
            right,
        } if [left, right]
            .iter()
            .any(|s| matches!(type_of(s, scope), Some(PgType::Json | PgType::Jsonb))) =>
        {
            Some(
                "feature not supported in this playground: jsonb || (merging JSON documents)"
                    .to_string(),
            )
        }
        Expr::Value(n @ Value::Number(..))
            if number_literal(n)
                .is_some_and(|(t, _)| t.chars().filter(char::is_ascii_digit).count() > 28) =>
        {
            Some(
                "feature not supported in this playground: numeric values of more than 28 digits"
                    .to_string(),
            )
        }
        Expr::Cast {
            expr: inner,
            data_type: DataType::Numeric(_) | DataType::Decimal(_) | DataType::Dec(_),
            ..
        } if matches!(inner.as_ref(), Expr::Value(Value::SingleQuotedString(t))
            if matches!(t.trim().to_ascii_lowercase().trim_start_matches(['+', '-']), "nan" | "infinity" | "inf")) =>
        {
            Some(
                "feature not supported in this playground: NaN and Infinity as numeric values"
                    .to_string(),
            )
        }
        // GlueSQL keeps an interval as months or as microseconds, so its interval
        // arithmetic loses PostgreSQL's separate days (`'2 days' - '1 hour'`).
        Expr::BinaryOp { left, op, right }
            if is_arithmetic(op)
                && [left, right]
                    .iter()
                    .any(|s| matches!(type_of(s, scope), Some(PgType::Interval)))
                && [left, right].iter().all(|s| {
                    matches!(
                        type_of(s, scope).map(|t| category(&t)),
                        Some(Category::Number) | None
                    ) || matches!(type_of(s, scope), Some(PgType::Interval))
                }) =>
        {
            Some("feature not supported in this playground: arithmetic on intervals (PostgreSQL keeps their days and hours apart)".to_string())
        }
        Expr::InList { expr, list, .. } => {
            let ty = number_type(expr)?;
            unreadable(&list.iter().collect::<Vec<_>>(), &ty)
        }
        Expr::Function(function) => {
            let name = function.name.to_string().to_lowercase();
            let args = super::rewrite::unnamed_args(function);
            match name.as_str() {
                "coalesce" | "greatest" | "least" => {
                    let ty = args.iter().find_map(|a| number_type(a))?;
                    unreadable(&args, &ty)
                }
                "sqrt" | "power" | "pow" | "exp" | "ln" | "log" | "cbrt"
                    if args
                        .iter()
                        .any(|a| matches!(type_of(a, scope), Some(PgType::Numeric { .. }))) =>
                {
                    Some(format!(
                        "feature not supported in this playground: {name}() of a numeric (its exact result is not computed here; cast to float8: {name}(x::float8))"
                    ))
                }
                "sqrt" if matches!(args.as_slice(), [Expr::UnaryOp { op: gluesql::core::sqlparser::ast::UnaryOperator::Minus, expr }] if matches!(expr.as_ref(), Expr::Value(Value::Number(..))) && !matches!(number_literal(match expr.as_ref() { Expr::Value(v) => v, _ => unreachable!() }), Some((ref t, _)) if t.trim_matches(['0', '.']).is_empty())) => {
                    Some("cannot take square root of a negative number".to_string())
                }
                "chr" if matches!(args.as_slice(), [Expr::Value(n @ Value::Number(..))] if number_literal(n).is_some_and(|(t, _)| t == "0")) => {
                    Some("null character not permitted".to_string())
                }
                "sum" | "avg" if matches!(args.as_slice(), [Expr::Value(Value::Null)]) => Some(format!(
                    "function {name}(unknown) is not unique\nHINT:  Could not choose a best candidate function. You might need to add explicit type casts."
                )),
                // Other databases' names for COALESCE and friends.
                "ifnull" | "nvl" | "isnull" | "datediff" | "curdate" | "date_format" => {
                    let types: Option<Vec<String>> = args
                        .iter()
                        .map(|a| match a {
                            Expr::Value(Value::Null | Value::SingleQuotedString(_)) => {
                                Some("unknown".to_string())
                            }
                            other => operand_type(other, scope).map(|t| base_name(&t)),
                        })
                        .collect();
                    Some(format!(
                        "function {name}({}) does not exist\nHINT:  No function matches the given name and argument types. You might need to add explicit type casts.",
                        types?.join(", ")
                    ))
                }
                _ => None,
            }
        }
        _ => None,
    }
}

/// `2147483648::int`, `'99999999999'::integer`: a constant cast to an integer type it
/// does not fit (GlueSQL's integers are all 64-bit, so it would not notice).
fn literal_out_of_range(expr: &Expr) -> Option<String> {
    let Expr::Cast {
        expr: inner,
        data_type,
        ..
    } = expr
    else {
        return None;
    };
    let ty = super::types::declare(data_type, |_| false).ok()?.ty;
    let fits = |text: &str| -> Option<bool> {
        let text = text.trim();
        match ty {
            PgType::SmallInt => Some(text.parse::<i16>().is_ok()),
            PgType::Integer => Some(text.parse::<i32>().is_ok()),
            PgType::BigInt => Some(text.parse::<i64>().is_ok()),
            _ => None,
        }
    };
    let all_digits = |t: &str| {
        let t = t.trim().trim_start_matches(['-', '+']);
        !t.is_empty() && t.chars().all(|c| c.is_ascii_digit())
    };
    match inner.as_ref() {
        Expr::Value(literal @ Value::Number(..)) => {
            let (text, numeric) = number_literal(literal)?;
            (!numeric && all_digits(&text) && !fits(&text)?)
                .then(|| format!("{} out of range", base_name(&ty)))
        }
        Expr::Value(Value::SingleQuotedString(text)) if all_digits(text) => {
            (!fits(text)?).then(|| {
                format!(
                    "value \"{text}\" is out of range for type {}",
                    base_name(&ty)
                )
            })
        }
        _ => None,
    }
}

/// Whether PostgreSQL has the arithmetic operator `op` for these two (known) types.
/// Types outside the categories checked (json, enums, ...) are given the benefit.
fn arithmetic_exists(l: &PgType, op: &BinaryOperator, r: &PgType) -> bool {
    use Category::*;
    let (lc, rc) = (category(l), category(r));
    if lc == Other || rc == Other {
        return true;
    }
    let is = |t: &PgType, want: fn(&PgType) -> bool| want(t);
    let interval = |t: &PgType| matches!(t, PgType::Interval);
    let date = |t: &PgType| matches!(t, PgType::Date);
    // PostgreSQL adds days of type integer (smallint widens to it); `date + bigint` has no
    // operator there, and left alone it is refused here (GlueSQL's interval of that many
    // days overflowed its decimal arithmetic, a panic).
    let integer = |t: &PgType| matches!(t, PgType::SmallInt | PgType::Integer);
    let point = |t: &PgType| matches!(t, PgType::Date | PgType::Timestamp { .. });
    match (lc, rc) {
        (Number, Number) => true,
        (String | Boolean | Uuid, _) | (_, String | Boolean | Uuid) => false,
        (DateTime, DateTime) => match op {
            BinaryOperator::Plus => {
                is(l, interval)
                    || is(r, interval)
                    || (date(l) && matches!(r, PgType::Time))
                    || (date(r) && matches!(l, PgType::Time))
            }
            BinaryOperator::Minus => {
                !((is(l, interval) || matches!(l, PgType::Time)) && is(r, point))
            }
            _ => false,
        },
        (DateTime, Number) => match op {
            BinaryOperator::Plus | BinaryOperator::Minus => date(l) && integer(r),
            BinaryOperator::Multiply | BinaryOperator::Divide => interval(l),
            _ => false,
        },
        (Number, DateTime) => match op {
            BinaryOperator::Plus => integer(l) && date(r),
            BinaryOperator::Multiply => interval(r),
            _ => false,
        },
        _ => true,
    }
}

/// Columns, explicit casts and number literals (`12` is integer, `1.5` numeric); a quoted
/// literal is `unknown` and coerces, so it has no type here.
fn operand_type(expr: &Expr, scope: &Scope) -> Option<PgType> {
    match expr {
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) => type_of(expr, scope),
        Expr::Value(Value::Number(..) | Value::Boolean(_)) | Expr::TypedString { .. } => {
            type_of(expr, scope)
        }
        Expr::UnaryOp {
            op: gluesql::core::sqlparser::ast::UnaryOperator::Minus,
            expr: inner,
        } if matches!(inner.as_ref(), Expr::Value(Value::Number(..))) => type_of(expr, scope),
        Expr::Cast {
            expr: inner,
            data_type,
            ..
        } => {
            // `'2024-01-01'::date` is a typed value; so is `col::text`.
            let _ = inner;
            super::types::declare(data_type, |_| false)
                .ok()
                .map(|d| d.ty)
        }
        Expr::Nested(inner) => operand_type(inner, scope),
        _ => None,
    }
}

/// `SELECT misspelled FROM t`: a bare column name that no table of the statement has is
/// PostgreSQL's `column "misspelled" does not exist`, even when no row is read (GlueSQL
/// only notices while evaluating a row, so an empty table answered zero rows). Checked
/// only for plain SELECTs over tables, where the scope is every name a column can have.
pub fn check_columns(statement: &Statement, scope: &Scope) -> Result<(), String> {
    if let Statement::Insert(insert) = statement {
        // The target table comes first in the scope.
        let table = super::create::object_name(&insert.table_name);
        if let Some((_, columns)) = scope.tables.first().filter(|(name, _)| *name == table) {
            if let Some(missing) = insert
                .columns
                .iter()
                .find(|c| !columns.iter().any(|(name, _)| *name == c.value))
            {
                return Err(format!(
                    "column \"{}\" of relation \"{table}\" does not exist",
                    missing.value
                ));
            }
        }
        return Ok(());
    }
    let Statement::Query(query) = statement else {
        return Ok(());
    };
    if query.with.is_some() || scope.tables.is_empty() {
        return Ok(());
    }
    let SetExpr::Select(select) = query.body.as_ref() else {
        return Ok(());
    };
    check_derived_references(select)?;
    let plain_tables = select.from.iter().all(|t| {
        std::iter::once(&t.relation)
            .chain(t.joins.iter().map(|j| &j.relation))
            .all(|f| matches!(f, TableFactor::Table { args: None, .. }))
    });
    if !plain_tables {
        return Ok(());
    }
    // A table that does not exist is PostgreSQL's first complaint (GlueSQL's too).
    let named = select.from.iter().map(|t| 1 + t.joins.len()).sum::<usize>();
    if named > scope.tables.len() {
        return Ok(());
    }
    let mut exprs: Vec<&Expr> = select
        .projection
        .iter()
        .filter_map(|item| match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => Some(e),
            _ => None,
        })
        .collect();
    exprs.extend(select.selection.as_ref());
    // An output alias names a whole ORDER BY item only, not a part of an expression.
    let order_exprs: Vec<&Expr> = query
        .order_by
        .iter()
        .flat_map(|o| o.exprs.iter().map(|e| &e.expr))
        .filter(|e| !matches!(e, Expr::Identifier(_) | Expr::Value(_)))
        .collect();
    exprs.extend(order_exprs);
    // A join's ON sees the tables joined so far, not the ones after it.
    let mut visible: Vec<String> = Vec::new();
    for table in &select.from {
        visible.push(factor_name(&table.relation));
        for join in &table.joins {
            visible.push(factor_name(&join.relation));
            let on = match &join.join_operator {
                JoinOperator::Inner(JoinConstraint::On(e))
                | JoinOperator::LeftOuter(JoinConstraint::On(e))
                | JoinOperator::RightOuter(JoinConstraint::On(e))
                | JoinOperator::FullOuter(JoinConstraint::On(e)) => e,
                _ => continue,
            };
            if let Some(later) = qualifiers(on).into_iter().find(|q| !visible.contains(q)) {
                return Err(format!("missing FROM-clause entry for table \"{later}\""));
            }
        }
    }
    for expr in exprs {
        if let Some(table) = unknown_table(expr, scope) {
            // The table's own name where the statement gave it an alias.
            if let Some((alias, _)) = scope
                .names
                .iter()
                .find(|(alias, real)| *real == table && *alias != table)
            {
                return Err(format!(
                    "invalid reference to FROM-clause entry for table \"{table}\"\nHINT:  Perhaps you meant to reference the table alias \"{alias}\"."
                ));
            }
            return Err(format!("missing FROM-clause entry for table \"{table}\""));
        }
        if let Some(name) = unknown_column(expr, scope) {
            let hint = closest_column(&name, scope)
                .map(|(table, column)| {
                    format!(
                        "\nHINT:  Perhaps you meant to reference the column \"{table}.{column}\"."
                    )
                })
                .unwrap_or_default();
            return Err(format!("column \"{name}\" does not exist{hint}"));
        }
    }
    Ok(())
}

/// The name a FROM item is referred to by (its alias, else its table's name).
fn factor_name(factor: &TableFactor) -> String {
    match factor {
        TableFactor::Table { name, alias, .. } => alias
            .as_ref()
            .map(|a| a.name.value.clone())
            .unwrap_or_else(|| super::create::object_name(name)),
        TableFactor::Derived { alias, .. } => alias
            .as_ref()
            .map(|a| a.name.value.clone())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// The table qualifiers (`u` of `u.id`) used in `expr`, outside its subqueries.
fn qualifiers(expr: &Expr) -> Vec<String> {
    let mut found = Vec::new();
    let mut probe = expr.clone();
    super::rewrite::walk_expr(&mut probe, &mut |e| {
        if let Expr::CompoundIdentifier(parts) = e {
            if parts.len() == 2 {
                found.push(parts[0].value.clone());
            }
        }
    });
    found
}

/// A subquery in FROM (not LATERAL) cannot see the FROM items beside it.
fn check_derived_references(select: &gluesql::core::sqlparser::ast::Select) -> Result<(), String> {
    let outer: Vec<String> = select
        .from
        .iter()
        .flat_map(|t| std::iter::once(&t.relation).chain(t.joins.iter().map(|j| &j.relation)))
        .map(factor_name)
        .collect();
    for factor in select
        .from
        .iter()
        .flat_map(|t| std::iter::once(&t.relation).chain(t.joins.iter().map(|j| &j.relation)))
    {
        let TableFactor::Derived {
            lateral: false,
            subquery,
            ..
        } = factor
        else {
            continue;
        };
        let SetExpr::Select(inner) = subquery.body.as_ref() else {
            continue;
        };
        let own: Vec<String> = inner
            .from
            .iter()
            .flat_map(|t| std::iter::once(&t.relation).chain(t.joins.iter().map(|j| &j.relation)))
            .map(factor_name)
            .collect();
        let mut used: Vec<String> = inner.selection.iter().flat_map(qualifiers).collect();
        for item in &inner.projection {
            if let SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } = item {
                used.extend(qualifiers(e));
            }
        }
        if let Some(name) = used
            .into_iter()
            .find(|q| !own.contains(q) && outer.contains(q))
        {
            return Err(format!(
                "invalid reference to FROM-clause entry for table \"{name}\"\nHINT:  There is an entry for table \"{name}\", but it cannot be referenced from this part of the query."
            ));
        }
    }
    Ok(())
}

/// PostgreSQL's guess for a misspelt column: the one column of the statement's tables
/// nearest by edit distance, at most 3 edits and at most half the typed name's length
/// (a tie names none).
fn closest_column(typed: &str, scope: &Scope) -> Option<(String, String)> {
    nearest_column(
        typed,
        scope
            .tables
            .iter()
            .flat_map(|(table, columns)| columns.iter().map(move |(c, _)| (table, c))),
    )
}

/// PostgreSQL's HINT for a misspelt column of one table (empty when it guesses none).
pub(crate) fn column_hint<'a>(
    typed: &str,
    table: &str,
    columns: impl Iterator<Item = &'a String>,
) -> String {
    let table = table.to_string();
    nearest_column(typed, columns.map(|c| (&table, c))).map_or(String::new(), |(t, c)| {
        format!("\nHINT:  Perhaps you meant to reference the column \"{t}.{c}\".")
    })
}

fn nearest_column<'a>(
    typed: &str,
    candidates: impl Iterator<Item = (&'a String, &'a String)>,
) -> Option<(String, String)> {
    let mut best: Option<(usize, String, String)> = None;
    let mut tied = false;
    {
        for (table, column) in candidates {
            let distance = levenshtein(column, typed);
            if distance > 3 || distance > typed.chars().count() / 2 {
                continue;
            }
            match &best {
                Some((d, _, _)) if distance > *d => {}
                Some((d, _, _)) if distance == *d => tied = true,
                _ => {
                    best = Some((distance, table.clone(), column.clone()));
                    tied = false;
                }
            }
        }
    }
    best.filter(|_| !tied).map(|(_, t, c)| (t, c))
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// `GROUP BY who` where `who` is an output alias and no input column: PostgreSQL groups by
/// the aliased expression (GlueSQL knows no such name).
pub fn group_by_aliases(statement: &mut Statement, scope: &Scope) {
    let Statement::Query(query) = statement else {
        return;
    };
    let SetExpr::Select(select) = query.body.as_mut() else {
        return;
    };
    let aliases: Vec<(String, Expr)> = select
        .projection
        .iter()
        .filter_map(|item| match item {
            SelectItem::ExprWithAlias { expr, alias } => Some((alias.value.clone(), expr.clone())),
            _ => None,
        })
        .collect();
    let gluesql::core::sqlparser::ast::GroupByExpr::Expressions(exprs, _) = &mut select.group_by
    else {
        return;
    };
    for expr in exprs.iter_mut() {
        let Expr::Identifier(ident) = expr else {
            continue;
        };
        let is_column = scope
            .tables
            .iter()
            .any(|(_, columns)| columns.iter().any(|(c, _)| *c == ident.value));
        if is_column {
            continue;
        }
        if let Some((_, aliased)) = aliases.iter().find(|(a, _)| *a == ident.value) {
            *expr = aliased.clone();
        }
    }
}

/// `x.id` where no table of the statement is called `x`.
fn unknown_table(expr: &Expr, scope: &Scope) -> Option<String> {
    let mut found = None;
    let mut probe = expr.clone();
    super::rewrite::walk_expr(&mut probe, &mut |e| {
        if let Expr::CompoundIdentifier(parts) = e {
            if parts.len() == 2
                && found.is_none()
                && !scope.tables.iter().any(|(name, _)| *name == parts[0].value)
            {
                found = Some(parts[0].value.clone());
            }
        }
    });
    found.filter(|name| !mentions_subquery_name(expr, name))
}

/// Clauses PostgreSQL rejects before running anything: a negative LIMIT or OFFSET, an
/// aggregate in WHERE.
pub fn check_clauses(statement: &Statement) -> Result<(), String> {
    let Statement::Query(query) = statement else {
        return Ok(());
    };
    let negative = |e: &Expr| {
        matches!(e, Expr::UnaryOp {
            op: gluesql::core::sqlparser::ast::UnaryOperator::Minus,
            expr,
        } if matches!(expr.as_ref(), Expr::Value(Value::Number(..))))
    };
    if query.limit.as_ref().is_some_and(negative) {
        return Err("LIMIT must not be negative".into());
    }
    if query.offset.as_ref().is_some_and(|o| negative(&o.value)) {
        return Err("OFFSET must not be negative".into());
    }
    if let SetExpr::Select(select) = query.body.as_ref() {
        if let Some(selection) = &select.selection {
            let mut aggregate = false;
            let mut probe = selection.clone();
            super::rewrite::walk_expr(&mut probe, &mut |e| {
                if let Expr::Function(f) = e {
                    aggregate |= matches!(
                        f.name.to_string().to_lowercase().as_str(),
                        "count"
                            | "sum"
                            | "avg"
                            | "min"
                            | "max"
                            | "string_agg"
                            | "array_agg"
                            | "bool_and"
                            | "bool_or"
                    );
                }
            });
            if aggregate && !mentions_subquery_name(selection, "") {
                return Err("aggregate functions are not allowed in WHERE".into());
            }
        }
    }
    Ok(())
}

/// The first bare identifier of `expr` (outside subqueries) that no table has.
fn unknown_column(expr: &Expr, scope: &Scope) -> Option<String> {
    let mut found = None;
    let mut probe = expr.clone();
    super::rewrite::walk_expr(&mut probe, &mut |e| {
        if found.is_some() {
            return;
        }
        if let Expr::Identifier(ident) = e {
            let known = scope
                .tables
                .iter()
                .any(|(_, columns)| columns.iter().any(|(c, _)| *c == ident.value));
            if !known && ident.quote_style.is_none_or(|q| q == '"') {
                found = Some(ident.value.clone());
            }
        }
    });
    // Subqueries have tables of their own: only trust a name that appears outside them.
    found.filter(|name| !mentions_subquery_name(expr, name))
}

fn mentions_subquery_name(expr: &Expr, _name: &str) -> bool {
    let mut has_subquery = false;
    let mut probe = expr.clone();
    super::rewrite::walk_expr(&mut probe, &mut |e| {
        if matches!(
            e,
            Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. }
        ) {
            has_subquery = true;
        }
    });
    has_subquery
}

/// `pg_typeof(expr)`: the name of the type this pass gives `expr` (`integer`, `numeric`,
/// `timestamp with time zone`; a quoted literal is `unknown`). Left as it is (and refused)
/// where the pass cannot tell.
pub fn pg_typeof(statement: &mut Statement, scope: &Scope) {
    super::rewrite::walk_statement(statement, &mut |expr| {
        let Expr::Function(function) = expr else {
            return;
        };
        if !function.name.to_string().eq_ignore_ascii_case("pg_typeof") {
            return;
        }
        let name = match first_arg(function) {
            Some(Expr::Value(Value::SingleQuotedString(_))) => Some("unknown".to_string()),
            Some(arg) => type_of(arg, scope).map(|t| base_name(&t)),
            None => None,
        };
        let (Some(name), Some(arg)) = (name, first_arg(function).cloned()) else {
            return;
        };
        // Still evaluated (an aggregate keeps the query an aggregate query, an error
        // still raises), but answered by its static type.
        let literal = Expr::Value(Value::SingleQuotedString(name));
        *expr = Expr::Case {
            operand: None,
            conditions: vec![Expr::IsNull(Box::new(arg))],
            results: vec![literal.clone()],
            else_result: Some(Box::new(literal)),
        };
    });
}

/// `WHERE 1` and `NOT 1`: PostgreSQL wants a boolean there (42804); GlueSQL failed with its
/// own words, or with none when no row was read.
pub fn check_boolean_arguments(statement: &Statement, scope: &Scope) -> Result<(), String> {
    let Statement::Query(query) = statement else {
        return Ok(());
    };
    let SetExpr::Select(select) = query.body.as_ref() else {
        return Ok(());
    };
    let not_boolean = |e: &Expr| type_of(e, scope).filter(|t| category(t) == Category::Number);
    if let Some(ty) = select.selection.as_ref().and_then(not_boolean) {
        return Err(format!(
            "argument of WHERE must be type boolean, not type {}",
            base_name(&ty)
        ));
    }
    for item in &select.projection {
        let (SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) = item else {
            continue;
        };
        if let Expr::UnaryOp {
            op: gluesql::core::sqlparser::ast::UnaryOperator::Not,
            expr,
        } = e
        {
            if let Some(ty) = not_boolean(expr) {
                return Err(format!(
                    "argument of NOT must be type boolean, not type {}",
                    base_name(&ty)
                ));
            }
        }
    }
    Ok(())
}
