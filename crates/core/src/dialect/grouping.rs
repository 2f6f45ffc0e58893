//! Checks PostgreSQL makes before running a SELECT, which GlueSQL does not make and so
//! answers instead of failing:
//! - a column outside an aggregate must be grouped by (or be functionally dependent on a
//!   grouped primary key): `SELECT customer, count(*) FROM orders` is 42803, not one row;
//! - `SELECT DISTINCT a ... ORDER BY b` needs b in the select list (42P10);
//! - one FROM may not name the same table twice without aliases (42712);
//! - `JOIN t` needs ON or USING (a syntax error at its end);
//! - min() and max() of a boolean or uuid do not exist (42883); `||` between two numbers
//!   does not exist (42883).

use super::types::PgType;
use super::typing::{type_of, Scope};
use gluesql::core::sqlparser::ast::{
    BinaryOperator, Expr, GroupByExpr, JoinConstraint, JoinOperator, OrderByExpr, Query,
    SelectItem, SetExpr, Statement, TableFactor,
};
use std::collections::HashSet;

/// PostgreSQL's error for `statement`, if it gives one before reading a row.
pub fn check(
    statement: &Statement,
    scope: &Scope,
    keys: &dyn Fn(&str) -> Vec<String>,
) -> Result<(), String> {
    let Statement::Query(query) = statement else {
        return Ok(());
    };
    check_query(query, scope, keys)
}

fn check_query(
    query: &Query,
    scope: &Scope,
    keys: &dyn Fn(&str) -> Vec<String>,
) -> Result<(), String> {
    let SetExpr::Select(select) = query.body.as_ref() else {
        return Ok(());
    };
    // FROM: names unique, joins with a condition.
    let mut names = HashSet::new();
    let mut tables: Vec<(String, String)> = Vec::new(); // (name used, real table)
    for table in &select.from {
        for (factor, join) in std::iter::once((&table.relation, None)).chain(
            table
                .joins
                .iter()
                .map(|j| (&j.relation, Some(&j.join_operator))),
        ) {
            if let Some(JoinOperator::Inner(JoinConstraint::None)) = join {
                return Err("syntax error at end of input".into());
            }
            if let TableFactor::Table {
                name,
                alias,
                args: None,
                ..
            } = factor
            {
                let real = super::create::object_name(name);
                let used = alias
                    .as_ref()
                    .map_or(real.clone(), |a| a.name.value.clone());
                if !names.insert(used.clone()) {
                    return Err(format!("table name \"{used}\" specified more than once"));
                }
                tables.push((used, real));
            }
        }
    }
    let items: Vec<&Expr> = select
        .projection
        .iter()
        .filter_map(|i| match i {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => Some(e),
            _ => None,
        })
        .collect();
    for expr in &items {
        functions_exist(expr, scope)?;
    }
    let order_by: Vec<&OrderByExpr> = query.order_by.iter().flat_map(|o| &o.exprs).collect();
    if select.distinct.is_some() {
        for key in &order_by {
            let aliased = matches!(&key.expr, Expr::Identifier(i) if select.projection.iter().any(|p| matches!(p, SelectItem::ExprWithAlias { alias, .. } if alias.value == i.value)));
            if !aliased && !items.iter().any(|e| same(e, &key.expr)) && !positional(&key.expr) {
                return Err(
                    "for SELECT DISTINCT, ORDER BY expressions must appear in select list".into(),
                );
            }
        }
    }
    // Grouping: only when the query aggregates or groups, over plain tables.
    let grouped: Vec<&Expr> = match &select.group_by {
        GroupByExpr::Expressions(exprs, _) => exprs.iter().collect(),
        _ => Vec::new(),
    };
    let aggregates =
        items.iter().any(|e| has_aggregate(e)) || select.having.as_ref().is_some_and(has_aggregate);
    if grouped.is_empty() && !aggregates {
        return Ok(());
    }
    // ROLLUP, CUBE and GROUPING SETS are refused elsewhere; their columns are grouped.
    if grouped
        .iter()
        .any(|g| matches!(g, Expr::Rollup(_) | Expr::Cube(_) | Expr::GroupingSets(_)))
    {
        return Ok(());
    }
    if tables.len() != select.from.iter().map(|t| 1 + t.joins.len()).sum::<usize>() {
        return Ok(());
    }
    // Tables whose whole primary key is grouped: all their columns may be selected.
    let dependent: Vec<&str> = tables
        .iter()
        .filter(|(used, real)| {
            let key = keys(real);
            !key.is_empty()
                && key.iter().all(|k| {
                    grouped.iter().any(|g| {
                        column_of(g).is_some_and(|(t, c)| c == k && t.is_none_or(|t| t == used))
                    })
                })
        })
        .map(|(used, _)| used.as_str())
        .collect();
    let mut checked: Vec<&Expr> = items.clone();
    checked.extend(order_by.iter().map(|o| &o.expr));
    checked.extend(select.having.as_ref());
    for expr in checked {
        if let Some((table, column)) = ungrouped(expr, &grouped, scope, &tables, &dependent) {
            return Err(format!(
                "column \"{table}.{column}\" must appear in the GROUP BY clause or be used in an aggregate function"
            ));
        }
    }
    Ok(())
}

fn positional(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::Value(gluesql::core::sqlparser::ast::Value::Number(..))
    )
}

fn same(a: &Expr, b: &Expr) -> bool {
    a.to_string().eq_ignore_ascii_case(&b.to_string())
}

fn column_of(expr: &Expr) -> Option<(Option<&str>, &str)> {
    match expr {
        Expr::Identifier(i) => Some((None, &i.value)),
        Expr::CompoundIdentifier(p) if p.len() == 2 => Some((Some(&p[0].value), &p[1].value)),
        Expr::Nested(inner) => column_of(inner),
        _ => None,
    }
}

const AGGREGATES: &[&str] = &[
    "count",
    "sum",
    "avg",
    "min",
    "max",
    "string_agg",
    "array_agg",
    "bool_and",
    "bool_or",
    "every",
    "json_agg",
    "jsonb_agg",
];

fn is_aggregate(expr: &Expr) -> bool {
    matches!(expr, Expr::Function(f) if f.over.is_none()
        && is_aggregate_name(&f.name.to_string().to_lowercase()))
}

/// Whether `name` (lower case) is an aggregate function PostgreSQL knows.
pub(crate) fn is_aggregate_name(name: &str) -> bool {
    AGGREGATES.contains(&name)
}

/// Whether `expr` aggregates at this query's level (a subquery's aggregate is its own).
fn has_aggregate(expr: &Expr) -> bool {
    is_aggregate(expr)
        || super::rewrite::children(expr)
            .into_iter()
            .any(has_aggregate)
}

/// The first column reference in `expr`, outside aggregates and grouped expressions, that
/// is not grouped: (table as named in the query, column).
fn ungrouped(
    expr: &Expr,
    grouped: &[&Expr],
    scope: &Scope,
    tables: &[(String, String)],
    dependent: &[&str],
) -> Option<(String, String)> {
    if grouped.iter().any(|g| same(g, expr)) || is_aggregate(expr) {
        return None;
    }
    match expr {
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) => {
            let (table, column) = column_of(expr)?;
            let owner = match table {
                Some(t) => t.to_string(),
                None => tables
                    .iter()
                    .find(|(used, _)| scope.has_column(used, column))
                    .map(|(used, _)| used.clone())?,
            };
            if dependent.contains(&owner.as_str()) {
                return None;
            }
            let grouped_column = grouped.iter().any(|g| {
                column_of(g).is_some_and(|(t, c)| c == column && t.is_none_or(|t| t == owner))
            });
            (!grouped_column).then(|| (owner, column.to_string()))
        }
        Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => None,
        Expr::Value(_) | Expr::TypedString { .. } => None,
        other => {
            // Look into the children, one level at a time (a grouped sub-expression is fine).
            let mut result = None;
            for child in super::rewrite::children(other) {
                if result.is_none() {
                    result = ungrouped(child, grouped, scope, tables, dependent);
                }
            }
            result
        }
    }
}

/// The direct sub-expressions of the forms a learner groups by.
/// `<construct> types text and integer cannot be matched`, when typed branches mix text
/// and numbers.
fn unmatched(construct: &str, branches: &[&Expr], scope: &Scope) -> Option<String> {
    let typed: Vec<PgType> = branches
        .iter()
        .filter(|b| {
            !matches!(
                b,
                Expr::Value(
                    gluesql::core::sqlparser::ast::Value::SingleQuotedString(_)
                        | gluesql::core::sqlparser::ast::Value::Null
                )
            )
        })
        .filter_map(|b| type_of(b, scope))
        .collect();
    let text = |t: &PgType| matches!(t, PgType::Text | PgType::Varchar(_) | PgType::Char(_));
    let number = |t: &PgType| {
        matches!(
            t,
            PgType::SmallInt
                | PgType::Integer
                | PgType::BigInt
                | PgType::Numeric { .. }
                | PgType::Real
                | PgType::Double
        )
    };
    let first = typed.first()?;
    let other = typed
        .iter()
        .find(|t| (text(first) && number(t)) || (number(first) && text(t)))?;
    let name = |t: &PgType| match t {
        PgType::Numeric { .. } => "numeric".to_string(),
        PgType::Varchar(_) => "character varying".to_string(),
        PgType::Char(_) => "character".to_string(),
        other => other.pg_name(),
    };
    Some(format!(
        "{construct} types {} and {} cannot be matched",
        name(first),
        name(other)
    ))
}

/// min()/max() of types PostgreSQL has no such aggregate for, and `||` of two numbers.
fn functions_exist(expr: &Expr, scope: &Scope) -> Result<(), String> {
    let mut error = None;
    let mut probe = expr.clone();
    super::rewrite::walk_expr(&mut probe, &mut |e| {
        if error.is_some() {
            return;
        }
        match e {
            Expr::Function(f) if f.name.to_string().eq_ignore_ascii_case("coalesce") => {
                let args = super::rewrite::unnamed_args(f);
                if let Some(message) = unmatched("COALESCE", &args, scope) {
                    error = Some(message);
                }
            }
            Expr::Function(f) => {
                let name = f.name.to_string().to_lowercase();
                let text_function = matches!(
                    name.as_str(),
                    "lower"
                        | "upper"
                        | "length"
                        | "char_length"
                        | "reverse"
                        | "initcap"
                        | "ltrim"
                        | "rtrim"
                        | "btrim"
                        | "trim"
                );
                let number_aggregate = matches!(name.as_str(), "sum" | "avg");
                if !matches!(name.as_str(), "min" | "max") && !text_function && !number_aggregate {
                    return;
                }
                let Some(arg) = super::rewrite::unnamed_args(f).into_iter().next() else {
                    return;
                };
                let Some(ty) = type_of(arg, scope) else {
                    return;
                };
                let number = matches!(
                    ty,
                    PgType::SmallInt
                        | PgType::Integer
                        | PgType::BigInt
                        | PgType::Numeric { .. }
                        | PgType::Real
                        | PgType::Double
                );
                let text = matches!(ty, PgType::Text | PgType::Varchar(_) | PgType::Char(_));
                let missing = if text_function {
                    number
                } else if number_aggregate {
                    text || matches!(
                        ty,
                        PgType::Bool | PgType::Uuid | PgType::Date | PgType::Timestamp { .. }
                    )
                } else {
                    matches!(ty, PgType::Bool | PgType::Uuid | PgType::Json)
                };
                if missing {
                    let ty = match ty {
                        PgType::Numeric { .. } => PgType::Numeric {
                            precision: None,
                            scale: None,
                        },
                        PgType::Varchar(_) => PgType::Varchar(None),
                        other => other,
                    };
                    error = Some(format!(
                        "function {name}({}) does not exist\nHINT:  No function matches the given name and argument types. You might need to add explicit type casts.",
                        ty.pg_name()
                    ));
                }
            }
            // COALESCE and CASE branches of types PostgreSQL cannot match (text and
            // integer): 42804. A quoted literal is `unknown` and matches anything.
            Expr::Case {
                results,
                else_result,
                ..
            } => {
                // PostgreSQL resolves the ELSE branch first, and names it first.
                let branches: Vec<&Expr> = else_result
                    .iter()
                    .map(|b| b.as_ref())
                    .chain(results.iter())
                    .collect();
                if let Some(message) = unmatched("CASE", &branches, scope) {
                    error = Some(message);
                }
            }
            Expr::BinaryOp {
                left,
                op: BinaryOperator::StringConcat,
                right,
            } => {
                let number = |x: &Expr| {
                    matches!(
                        type_of(x, scope),
                        Some(
                            PgType::SmallInt
                                | PgType::Integer
                                | PgType::BigInt
                                | PgType::Numeric { .. }
                        )
                    )
                };
                if number(left) && number(right) {
                    let name = |x: &Expr| {
                        type_of(x, scope).map(|t| match t {
                            PgType::Numeric { .. } => "numeric".to_string(),
                            other => other.pg_name(),
                        })
                    };
                    error = Some(format!(
                        "operator does not exist: {} || {}\nHINT:  No operator matches the given name and argument types. You might need to add explicit type casts.",
                        name(left).unwrap_or_default(),
                        name(right).unwrap_or_default()
                    ));
                }
            }
            _ => {}
        }
    });
    error.map_or(Ok(()), Err)
}
