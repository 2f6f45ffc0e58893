//! Query forms GlueSQL reads differently from PostgreSQL, put in a form it reads the same
//! way, or refused:
//! - `agg(x) FILTER (WHERE c)` becomes `agg(CASE WHEN c THEN x END)` (GlueSQL ignored the
//!   filter);
//! - `GROUP BY 1` groups by the first select item (GlueSQL made one group of a constant);
//! - `FROM a, b` and `CROSS JOIN` become `JOIN ... ON TRUE` (GlueSQL refused both);
//! - window functions (`OVER (...)`) that `dialect::window` did not take (one in a WHERE
//!   subquery, say) are refused: GlueSQL collapsed them to one row.

use super::rewrite::walk_statement;
use gluesql::core::sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, GroupByExpr, Ident, Join,
    JoinConstraint, JoinOperator, Query, SelectItem, SetExpr, Statement, TableAlias, TableFactor,
    Value, Values,
};

/// Why a statement cannot run as PostgreSQL would run it.
#[derive(Debug, PartialEq, Eq)]
pub enum ShapeError {
    /// A construct the playground does not support (0A000).
    Unsupported(String),
    /// PostgreSQL's own error, with its wording.
    Postgres(String),
}

pub fn reshape(statement: &mut Statement) -> Result<(), ShapeError> {
    let mut error = None;
    walk_statement(statement, &mut |expr| {
        if error.is_none() {
            if let Err(e) = reshape_expr(expr) {
                error = Some(e);
            }
        }
    });
    if let Some(error) = error {
        return Err(error);
    }
    match statement {
        Statement::Query(query) => reshape_query(query),
        Statement::Insert(insert) => match insert.source.as_mut() {
            Some(source) => reshape_query(source),
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

/// `x op ANY (...)` and `x op ALL (...)`, which GlueSQL refuses, in forms it reads with
/// the same three-valued answer:
/// - over an array: `x = ANY (ARRAY[a, b])` is `x IN (a, b)`, `x <> ALL (...)` is
///   `x NOT IN (...)`, any other operator an OR (ANY) or AND (ALL) of the comparisons;
/// - over a subquery: `= ANY` is `IN`, `<> ALL` is `NOT IN`; any other operator a CASE
///   that is TRUE (ANY) or FALSE (ALL) when some row decides it, NULL when no row does
///   but a comparison was NULL, and otherwise FALSE (ANY) or TRUE (ALL), as PostgreSQL.
fn quantified(expr: &mut Expr) -> Result<(), ShapeError> {
    use gluesql::core::sqlparser::ast::BinaryOperator;
    let (left, op, right, any) = match expr {
        Expr::AnyOp {
            left,
            compare_op,
            right,
            ..
        } => (left, compare_op.clone(), right, true),
        Expr::AllOp {
            left,
            compare_op,
            right,
        } => (left, compare_op.clone(), right, false),
        _ => return Ok(()),
    };
    let mut right = right.as_ref();
    while let Expr::Nested(inner) = right {
        right = inner;
    }
    let left = left.as_ref().clone();
    let rewritten = match (right, &op, any) {
        (Expr::Array(array), BinaryOperator::Eq, true) => Expr::InList {
            expr: Box::new(left),
            list: array.elem.clone(),
            negated: false,
        },
        (Expr::Array(array), BinaryOperator::NotEq, false) => Expr::InList {
            expr: Box::new(left),
            list: array.elem.clone(),
            negated: true,
        },
        (Expr::Array(array), _, _) => {
            let joiner = if any {
                BinaryOperator::Or
            } else {
                BinaryOperator::And
            };
            let comparisons = array.elem.iter().map(|e| Expr::BinaryOp {
                left: Box::new(left.clone()),
                op: op.clone(),
                right: Box::new(e.clone()),
            });
            comparisons
                .reduce(|a, b| Expr::BinaryOp {
                    left: Box::new(a),
                    op: joiner.clone(),
                    right: Box::new(b),
                })
                .map(|e| Expr::Nested(Box::new(e)))
                .unwrap_or(Expr::Value(Value::Boolean(!any)))
        }
        (Expr::Subquery(query), BinaryOperator::Eq, true) => Expr::InSubquery {
            expr: Box::new(left),
            subquery: query.clone(),
            negated: false,
        },
        (Expr::Subquery(query), BinaryOperator::NotEq, false) => Expr::InSubquery {
            expr: Box::new(left),
            subquery: query.clone(),
            negated: true,
        },
        (Expr::Subquery(query), _, _) => {
            // The subquery as a derived table of one column, `__v`, so that the outer
            // `x` keeps its meaning inside the EXISTS (no inner column captures it). A
            // correlated subquery cannot be a derived table: its condition goes into the
            // subquery's own WHERE instead, when `x` names no column it could capture.
            let quantifier = if any { "ANY" } else { "ALL" };
            let correlated = is_correlated(query);
            if correlated && has_unqualified_column(&left) {
                return Err(ShapeError::Unsupported(format!(
                    "{op} {quantifier} over a correlated subquery with an unqualified column on the left (qualify it: t.col)"
                )));
            }
            let inline = |condition: &str| -> Option<Expr> {
                let SetExpr::Select(select) = query.body.as_ref() else {
                    return None;
                };
                let [SelectItem::UnnamedExpr(value) | SelectItem::ExprWithAlias { expr: value, .. }] =
                    select.projection.as_slice()
                else {
                    return None;
                };
                if select.group_by != GroupByExpr::Expressions(Vec::new(), Vec::new())
                    || select.having.is_some()
                    || select.distinct.is_some()
                    || query.limit.is_some()
                    || query.offset.is_some()
                {
                    return None;
                }
                let from: Vec<String> = select.from.iter().map(|t| t.to_string()).collect();
                let condition = condition.replace("__v", &format!("({value})"));
                let filter = match &select.selection {
                    Some(existing) => format!("({existing}) AND ({condition})"),
                    None => condition,
                };
                super::logic::parse_exists(&format!(
                    "SELECT 1 FROM {} WHERE {filter}",
                    from.join(", ")
                ))
            };
            let rows = |condition: &str| {
                if correlated {
                    inline(condition)
                } else {
                    super::logic::parse_exists(&format!(
                        "SELECT 1 FROM ({query}) AS __quantified (__v) WHERE {condition}"
                    ))
                }
            };
            let deciding = if any {
                format!("({left}) {op} __v")
            } else {
                format!("NOT (({left}) {op} __v)")
            };
            let unknown = format!("({left}) IS NULL OR __v IS NULL");
            let (Some(deciding), Some(unknown)) = (rows(&deciding), rows(&unknown)) else {
                return Err(ShapeError::Unsupported(format!(
                    "{op} {} over this subquery",
                    if any { "ANY" } else { "ALL" }
                )));
            };
            Expr::Case {
                operand: None,
                conditions: vec![deciding, unknown],
                results: vec![Expr::Value(Value::Boolean(any)), Expr::Value(Value::Null)],
                else_result: Some(Box::new(Expr::Value(Value::Boolean(!any)))),
            }
        }
        _ => {
            return Err(ShapeError::Unsupported(format!(
                "{op} {} over this expression (an array or a subquery only)",
                if any { "ANY" } else { "ALL" }
            )))
        }
    };
    *expr = rewritten;
    Ok(())
}

/// Whether `query` names a table it does not read itself (`outer.col`): a correlated
/// subquery.
fn is_correlated(query: &Query) -> bool {
    let SetExpr::Select(select) = query.body.as_ref() else {
        return true;
    };
    let own: Vec<String> = select
        .from
        .iter()
        .flat_map(|t| std::iter::once(&t.relation).chain(t.joins.iter().map(|j| &j.relation)))
        .filter_map(|f| match f {
            TableFactor::Table { name, alias, .. } => Some(
                alias
                    .as_ref()
                    .map_or_else(|| name.to_string(), |a| a.name.value.clone()),
            ),
            TableFactor::Derived { alias, .. } => alias.as_ref().map(|a| a.name.value.clone()),
            _ => None,
        })
        .collect();
    let mut probe = Statement::Query(Box::new(query.clone()));
    let mut outer = false;
    walk_statement(&mut probe, &mut |e| {
        if let Expr::CompoundIdentifier(parts) = e {
            if parts.len() == 2 && !own.contains(&parts[0].value) {
                outer = true;
            }
        }
    });
    outer
}

fn has_unqualified_column(expr: &Expr) -> bool {
    let mut probe = expr.clone();
    let mut found = false;
    super::rewrite::walk_expr(&mut probe, &mut |e| {
        found |= matches!(e, Expr::Identifier(_))
    });
    found
}

fn reshape_expr(expr: &mut Expr) -> Result<(), ShapeError> {
    quantified(expr)?;
    let Expr::Function(function) = expr else {
        return Ok(());
    };
    if function.over.is_some() {
        let name = function.name.to_string().to_lowercase();
        return Err(ShapeError::Unsupported(format!(
            "window functions ({name}(...) OVER (...))"
        )));
    }
    let Some(condition) = function.filter.take() else {
        return Ok(());
    };
    let FunctionArguments::List(list) = &mut function.args else {
        return Err(ShapeError::Unsupported("FILTER on this function".into()));
    };
    match list.args.as_mut_slice() {
        [FunctionArg::Unnamed(arg)] => {
            let value = match arg {
                FunctionArgExpr::Wildcard => Expr::Value(Value::Number(1i32.into(), false)),
                FunctionArgExpr::Expr(e) => e.clone(),
                FunctionArgExpr::QualifiedWildcard(_) => {
                    return Err(ShapeError::Unsupported("FILTER with t.*".into()))
                }
            };
            *arg = FunctionArgExpr::Expr(Expr::Case {
                operand: None,
                conditions: vec![*condition],
                results: vec![value],
                else_result: None,
            });
            Ok(())
        }
        _ => Err(ShapeError::Unsupported(
            "FILTER on an aggregate of several arguments".into(),
        )),
    }
}

fn reshape_query(query: &mut Query) -> Result<(), ShapeError> {
    if let Some(with) = query.with.as_mut() {
        for cte in &mut with.cte_tables {
            reshape_query(&mut cte.query)?;
        }
    }
    reshape_set(&mut query.body)?;
    nulls_order(query);
    // FETCH FIRST n ROWS ONLY is the standard's LIMIT n (WITH TIES and PERCENT are not).
    if let Some(fetch) = query.fetch.take() {
        if fetch.with_ties || fetch.percent || query.limit.is_some() {
            query.fetch = Some(fetch);
        } else {
            query.limit = Some(fetch.quantity.unwrap_or(Expr::Value(
                gluesql::core::sqlparser::ast::Value::Number(1.into(), false),
            )));
        }
    }
    Ok(())
}

/// `ORDER BY x [ASC|DESC] NULLS FIRST|LAST`. GlueSQL sorts NULL last ascending and first
/// descending, as PostgreSQL does by default, but reads no NULLS clause: the default is
/// dropped, the other order gets a key before `x` that puts the NULLs where asked.
fn nulls_order(query: &mut Query) {
    let Some(order_by) = query.order_by.as_mut() else {
        return;
    };
    let projection: Vec<SelectItem> = match query.body.as_ref() {
        SetExpr::Select(select) => select.projection.clone(),
        _ => Vec::new(),
    };
    let mut keys = Vec::new();
    for mut item in std::mem::take(&mut order_by.exprs) {
        let Some(nulls_first) = item.nulls_first.take() else {
            keys.push(item);
            continue;
        };
        let descending = item.asc == Some(false);
        if nulls_first != descending {
            // Not the default for this direction: sort on "is it NULL?" first.
            let value = match &item.expr {
                Expr::Identifier(name) => projection
                    .iter()
                    .find_map(|p| match p {
                        SelectItem::ExprWithAlias { expr, alias } if alias.value == name.value => {
                            Some(expr.clone())
                        }
                        _ => None,
                    })
                    .unwrap_or_else(|| item.expr.clone()),
                other => other.clone(),
            };
            let (null_rank, other_rank) = if nulls_first { (0, 1) } else { (1, 0) };
            keys.push(gluesql::core::sqlparser::ast::OrderByExpr {
                expr: Expr::Case {
                    operand: None,
                    conditions: vec![Expr::IsNull(Box::new(value))],
                    results: vec![Expr::Value(Value::Number(null_rank.into(), false))],
                    else_result: Some(Box::new(Expr::Value(Value::Number(
                        other_rank.into(),
                        false,
                    )))),
                },
                asc: None,
                nulls_first: None,
                with_fill: None,
            });
        }
        keys.push(item);
    }
    order_by.exprs = keys;
}

fn reshape_set(body: &mut SetExpr) -> Result<(), ShapeError> {
    match body {
        SetExpr::Select(select) => {
            // FROM a, b: one relation joined to the next ON TRUE, as PostgreSQL reads it.
            if select.from.len() > 1 {
                let mut tables = std::mem::take(&mut select.from).into_iter();
                let mut first = tables.next().expect("two or more");
                for next in tables {
                    first.joins.push(Join {
                        relation: next.relation,
                        global: false,
                        join_operator: JoinOperator::Inner(JoinConstraint::On(Expr::Value(
                            Value::Boolean(true),
                        ))),
                    });
                    first.joins.extend(next.joins);
                }
                select.from = vec![first];
            }
            for table in &mut select.from {
                for join in &mut table.joins {
                    if matches!(join.join_operator, JoinOperator::CrossJoin) {
                        join.join_operator = JoinOperator::Inner(JoinConstraint::On(Expr::Value(
                            Value::Boolean(true),
                        )));
                    }
                }
                for factor in std::iter::once(&mut table.relation)
                    .chain(table.joins.iter_mut().map(|j| &mut j.relation))
                {
                    series_as_values(factor)?;
                    if let TableFactor::Derived { subquery, .. } = factor {
                        reshape_query(subquery)?;
                    }
                }
            }
            if let GroupByExpr::Expressions(exprs, _) = &mut select.group_by {
                for expr in exprs.iter_mut() {
                    let Some(position) = ordinal(expr) else {
                        continue;
                    };
                    let item = position
                        .checked_sub(1)
                        .and_then(|i| select.projection.get(i));
                    *expr = match item {
                        Some(SelectItem::UnnamedExpr(e))
                        | Some(SelectItem::ExprWithAlias { expr: e, .. }) => e.clone(),
                        Some(_) => {
                            return Err(ShapeError::Unsupported(
                                "GROUP BY the position of a *".into(),
                            ))
                        }
                        None => {
                            return Err(ShapeError::Postgres(format!(
                                "GROUP BY position {position} is not in select list"
                            )))
                        }
                    };
                }
            }
            Ok(())
        }
        SetExpr::Query(query) => reshape_query(query),
        SetExpr::SetOperation { left, right, .. } => {
            reshape_set(left)?;
            reshape_set(right)
        }
        _ => Ok(()),
    }
}

/// The most rows `generate_series` makes in the playground.
pub const MAX_SERIES_ROWS: i64 = 100_000;

/// `FROM generate_series(a, b [, step]) AS g` over integer constants: the same rows as a
/// VALUES list, one column named like the alias (PostgreSQL's naming), which GlueSQL reads.
fn series_as_values(factor: &mut TableFactor) -> Result<(), ShapeError> {
    let TableFactor::Table {
        name,
        alias,
        args: Some(args),
        ..
    } = factor
    else {
        return Ok(());
    };
    if !name.to_string().eq_ignore_ascii_case("generate_series") {
        return Ok(());
    }
    let numbers: Option<Vec<i64>> = args
        .args
        .iter()
        .map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => integer(e),
            _ => None,
        })
        .collect();
    let (start, stop, step) = match numbers.as_deref() {
        Some([a, b]) => (*a, *b, 1),
        Some([a, b, s]) => (*a, *b, *s),
        _ => {
            return Err(ShapeError::Unsupported(
                "generate_series over anything but integer constants".into(),
            ))
        }
    };
    if step == 0 {
        return Err(ShapeError::Postgres("step size cannot equal zero".into()));
    }
    let count = if (step > 0 && stop < start) || (step < 0 && stop > start) {
        0
    } else {
        (stop - start) / step + 1
    };
    if count > MAX_SERIES_ROWS {
        return Err(ShapeError::Unsupported(format!(
            "generate_series of more than {MAX_SERIES_ROWS} rows"
        )));
    }
    if count == 0 {
        return Err(ShapeError::Unsupported("an empty generate_series".into()));
    }
    let rows = (0..count)
        .map(|i| vec![Expr::Value(Value::Number((start + i * step).into(), false))])
        .collect();
    let mut alias = alias.take().unwrap_or_else(|| TableAlias {
        name: Ident::new("generate_series"),
        columns: Vec::new(),
    });
    if alias.columns.is_empty() {
        alias.columns = vec![alias.name.clone()];
    }
    *factor = TableFactor::Derived {
        lateral: false,
        subquery: Box::new(Query {
            with: None,
            body: Box::new(SetExpr::Values(Values {
                explicit_row: false,
                rows,
            })),
            order_by: None,
            limit: None,
            limit_by: vec![],
            offset: None,
            fetch: None,
            locks: vec![],
            for_clause: None,
            settings: None,
            format_clause: None,
        }),
        alias: Some(alias),
    };
    Ok(())
}

fn integer(expr: &Expr) -> Option<i64> {
    match expr {
        Expr::Value(Value::Number(n, _)) => n.to_string().parse().ok(),
        Expr::UnaryOp {
            op: gluesql::core::sqlparser::ast::UnaryOperator::Minus,
            expr,
        } => integer(expr).map(|n| -n),
        Expr::Nested(inner) => integer(inner),
        _ => None,
    }
}

/// `GROUP BY 2`: an integer constant is a position in the select list.
fn ordinal(expr: &Expr) -> Option<usize> {
    match expr {
        Expr::Value(Value::Number(n, _)) => n.to_string().parse().ok(),
        _ => None,
    }
}
