//! NUMERIC results rounded to a scale, as PostgreSQL computes them: `round(x, 2)`,
//! `trunc(x, 1)`, `ceil(x)`, `floor(x)` and casts to `numeric(p, s)` of a select item.
//!
//! GlueSQL has no decimal rounding (its ROUND takes floats only, and its DECIMAL(p, s)
//! cast keeps every digit). For a select item that is one of those calls on a numeric,
//! the front asks GlueSQL for the exact value underneath (`x`) and this module rounds the
//! result column to the scale, in PostgreSQL's direction (half away from zero for round
//! and casts), with the precision check of `numeric(p, s)`. Such an item must not also
//! be what the query orders, groups or de-duplicates by (the rows would be ordered by
//! the unrounded value): that is refused.

use super::types::PgType;
use super::typing::{type_of, Scope};
use crate::engine::EngineError;
use gluesql::core::executor::Payload;
use gluesql::core::sqlparser::ast::{
    CastKind, DataType, ExactNumberInfo, Expr, GroupByExpr, SelectItem, SetExpr, Statement,
    Value as SqlValue,
};
use gluesql::prelude::Value;
use rust_decimal::{Decimal, RoundingStrategy};

/// Which way a value goes to its scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Direction {
    /// round() and casts: half away from zero.
    Nearest,
    /// trunc().
    TowardZero,
    /// ceil().
    Up,
    /// floor().
    Down,
}

/// How one result column is brought to its scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Rounding {
    pub scale: u32,
    /// `numeric(p, s)`: the value must fit p digits.
    pub precision: Option<u32>,
    pub direction: Direction,
}

/// Rewrites the rounding select items of `statement` to the value they round and says
/// how to round each result column (None for the others).
pub(crate) fn plan(
    statement: &mut Statement,
    scope: &Scope,
) -> Result<Vec<Option<Rounding>>, String> {
    let Statement::Query(query) = statement else {
        return Ok(Vec::new());
    };
    let order_by: Vec<Expr> = query
        .order_by
        .as_ref()
        .map(|o| o.exprs.iter().map(|e| e.expr.clone()).collect())
        .unwrap_or_default();
    let SetExpr::Select(select) = query.body.as_mut() else {
        return Ok(Vec::new());
    };
    let group_by: Vec<Expr> = match &select.group_by {
        GroupByExpr::Expressions(exprs, _) => exprs.clone(),
        GroupByExpr::All(_) => Vec::new(),
    };
    let distinct = select.distinct.is_some();
    let mut plan = Vec::with_capacity(select.projection.len());
    for (position, item) in select.projection.iter_mut().enumerate() {
        let (expr, alias) = match item {
            SelectItem::UnnamedExpr(e) => (e, None),
            SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias.value.clone())),
            _ => {
                plan.push(None);
                continue;
            }
        };
        let Some((inner, rounding)) = rounding_of(expr, scope) else {
            plan.push(None);
            continue;
        };
        let referenced = |e: &Expr| match e {
            Expr::Identifier(ident) => alias.as_deref() == Some(ident.value.as_str()),
            Expr::Value(SqlValue::Number(..)) => super::typing::number_literal(match e {
                Expr::Value(v) => v,
                _ => unreachable!(),
            })
            .is_some_and(|(text, _)| text == (position + 1).to_string()),
            other => other == &*expr,
        };
        if distinct || order_by.iter().any(referenced) || group_by.iter().any(referenced) {
            return Err(
                "ordering, grouping or DISTINCT on a rounded numeric column (order by the value it rounds)"
                    .to_string(),
            );
        }
        *expr = inner;
        plan.push(Some(rounding));
    }
    Ok(plan)
}

/// `round(x[, n])`, `trunc(x[, n])`, `ceil(x)`, `floor(x)` of a numeric `x`, or
/// `x::numeric(p, s)`: the value to compute and how to round it.
fn rounding_of(expr: &Expr, scope: &Scope) -> Option<(Expr, Rounding)> {
    let numeric = |e: &Expr| {
        matches!(
            type_of(e, scope),
            Some(PgType::Numeric { .. } | PgType::SmallInt | PgType::Integer | PgType::BigInt)
        )
    };
    let exact = |e: &Expr| matches!(type_of(e, scope), Some(PgType::Numeric { .. }));
    let as_decimal = |e: &Expr| Expr::Cast {
        kind: CastKind::Cast,
        expr: Box::new(Expr::Nested(Box::new(e.clone()))),
        data_type: DataType::Decimal(ExactNumberInfo::None),
        format: None,
    };
    match expr {
        Expr::Cast {
            expr: inner,
            data_type: DataType::Numeric(info) | DataType::Decimal(info) | DataType::Dec(info),
            ..
        } => {
            let (precision, scale) = match info {
                ExactNumberInfo::Precision(p) => (Some(*p as u32), 0),
                ExactNumberInfo::PrecisionAndScale(p, s) => (Some(*p as u32), *s as u32),
                ExactNumberInfo::None => return None,
            };
            Some((
                as_decimal(inner),
                Rounding {
                    scale,
                    precision,
                    direction: Direction::Nearest,
                },
            ))
        }
        Expr::Ceil { expr: inner, .. } | Expr::Floor { expr: inner, .. } if exact(inner) => {
            let direction = if matches!(expr, Expr::Ceil { .. }) {
                Direction::Up
            } else {
                Direction::Down
            };
            Some((
                (**inner).clone(),
                Rounding {
                    scale: 0,
                    precision: None,
                    direction,
                },
            ))
        }
        Expr::Function(function) => {
            let name = function.name.to_string().to_lowercase();
            let args = super::rewrite::unnamed_args(function);
            let direction = match name.as_str() {
                "round" => Direction::Nearest,
                "trunc" => Direction::TowardZero,
                "ceil" | "ceiling" => Direction::Up,
                "floor" => Direction::Down,
                _ => return None,
            };
            let (value, places) = match args.as_slice() {
                [x] if exact(x) => (x, 0),
                [x, Expr::Value(n @ SqlValue::Number(..))]
                    if numeric(x)
                        && matches!(direction, Direction::Nearest | Direction::TowardZero) =>
                {
                    let (text, fraction) = super::typing::number_literal(n)?;
                    if fraction {
                        return None;
                    }
                    (x, text.parse::<u32>().ok()?)
                }
                _ => return None,
            };
            Some((
                as_decimal(value),
                Rounding {
                    scale: places,
                    precision: None,
                    direction,
                },
            ))
        }
        _ => None,
    }
}

/// Rounds the planned result columns of `payload`. A NUMERIC column whose scale
/// PostgreSQL's rules give (`price * qty` has the scales' sum) shows that many digits:
/// GlueSQL's decimals sometimes drop trailing zeros (39.0000 came out as 39.00). Only
/// zeros are added there, never a digit rounded off.
pub(crate) fn apply(
    payload: Payload,
    plan: &[Option<Rounding>],
    types: &[Option<PgType>],
) -> Result<Payload, EngineError> {
    let padded = |position: usize| match types.get(position) {
        Some(Some(PgType::Numeric {
            scale: Some(scale), ..
        })) => Some(*scale),
        _ => None,
    };
    let any_padding = (0..types.len()).any(|p| padded(p).is_some());
    if plan.iter().all(Option::is_none) && !any_padding {
        return Ok(payload);
    }
    let Payload::Select { labels, mut rows } = payload else {
        return Ok(payload);
    };
    for row in rows.iter_mut() {
        for (position, value) in row.iter_mut().enumerate() {
            match plan.get(position).copied().flatten() {
                Some(rounding) => {
                    *value = round_value(std::mem::replace(value, Value::Null), &rounding)?;
                }
                None => {
                    if let (Some(scale), Value::Decimal(d)) = (padded(position), &mut *value) {
                        if d.scale() < scale {
                            d.rescale(scale);
                        }
                    }
                }
            }
        }
    }
    Ok(Payload::Select { labels, rows })
}

fn round_value(value: Value, rounding: &Rounding) -> Result<Value, EngineError> {
    let decimal = match value {
        Value::Decimal(d) => d,
        Value::I64(n) => Decimal::from(n),
        Value::I32(n) => Decimal::from(n),
        Value::I16(n) => Decimal::from(n),
        // (A float GlueSQL computed for a numeric, e.g. an average, read back by its
        // shortest digits.)
        Value::F64(f) => match format!("{f}").parse() {
            Ok(d) => d,
            Err(_) => return Ok(Value::F64(f)),
        },
        other => return Ok(other),
    };
    Ok(Value::Decimal(to_scale(decimal, rounding)?))
}

/// `d` at `rounding.scale` digits after the point.
pub(crate) fn to_scale(d: Decimal, rounding: &Rounding) -> Result<Decimal, EngineError> {
    let strategy = match rounding.direction {
        Direction::Nearest => RoundingStrategy::MidpointAwayFromZero,
        Direction::TowardZero => RoundingStrategy::ToZero,
        Direction::Up => RoundingStrategy::ToPositiveInfinity,
        Direction::Down => RoundingStrategy::ToNegativeInfinity,
    };
    let mut rounded = d.round_dp_with_strategy(rounding.scale, strategy);
    rounded.rescale(rounding.scale);
    if let Some(p) = rounding.precision {
        let digits = rounded
            .trunc()
            .abs()
            .to_string()
            .trim_start_matches('0')
            .len() as u32;
        let allowed = p.saturating_sub(rounding.scale);
        if digits > allowed {
            let limit = match allowed {
                0 => "1".to_string(),
                n => format!("10^{n}"),
            };
            return Err(EngineError::new(format!(
                "numeric field overflow\nDETAIL:  A field with precision {p}, scale {} must round to an absolute value less than {limit}.",
                rounding.scale
            )));
        }
    }
    Ok(rounded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(text: &str, scale: u32, direction: Direction) -> String {
        let rounding = Rounding {
            scale,
            precision: None,
            direction,
        };
        to_scale(text.parse().unwrap(), &rounding)
            .unwrap()
            .to_string()
    }

    #[test]
    fn rounds_as_postgresql() {
        assert_eq!(round("2.675", 2, Direction::Nearest), "2.68");
        assert_eq!(round("-2.5", 0, Direction::Nearest), "-3");
        assert_eq!(round("10", 3, Direction::Nearest), "10.000");
        assert_eq!(round("-4.19", 1, Direction::TowardZero), "-4.1");
        assert_eq!(round("4.1", 0, Direction::Up), "5");
        assert_eq!(round("-4.1", 0, Direction::Down), "-5");
        let overflow = to_scale(
            "1000".parse().unwrap(),
            &Rounding {
                scale: 2,
                precision: Some(5),
                direction: Direction::Nearest,
            },
        )
        .unwrap_err();
        assert_eq!(overflow.code.0, "22003");
    }
}
