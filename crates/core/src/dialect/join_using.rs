//! `JOIN ... USING (cols)` and `NATURAL JOIN`, which GlueSQL refuses, as PostgreSQL reads
//! them: the join condition is `left.c = right.c` for each shared column; the shared
//! column appears once, first, in `SELECT *` (then the left side's other columns, then the
//! right side's); and an unqualified reference to it is the left side's value (the right
//! side's in a RIGHT JOIN, the non-NULL one of the pair in a FULL JOIN). The front rewrites
//! the query that way, with the tables' columns from the catalog, before anything else
//! reads it. Subqueries keep their own scope and are not rewritten here.

use super::create::object_name;
use crate::engine::storage_api::State;
use crate::engine::{EngineError, SqlState};
use gluesql::core::sqlparser::ast::{
    BinaryOperator, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentList,
    FunctionArguments, Ident, JoinConstraint, JoinOperator, ObjectName, SelectItem, SetExpr,
    Statement, TableFactor,
};

/// Whether `statement` is a query whose joins use USING or NATURAL.
pub(crate) fn uses_join_using(statement: &Statement) -> bool {
    let Statement::Query(query) = statement else {
        return false;
    };
    let SetExpr::Select(select) = query.body.as_ref() else {
        return false;
    };
    select.from.iter().flat_map(|t| &t.joins).any(|j| {
        matches!(
            constraint(&j.join_operator),
            Some(JoinConstraint::Using(_) | JoinConstraint::Natural)
        )
    })
}

fn constraint(op: &JoinOperator) -> Option<&JoinConstraint> {
    match op {
        JoinOperator::Inner(c)
        | JoinOperator::LeftOuter(c)
        | JoinOperator::RightOuter(c)
        | JoinOperator::FullOuter(c) => Some(c),
        _ => None,
    }
}

fn constraint_mut(op: &mut JoinOperator) -> Option<&mut JoinConstraint> {
    match op {
        JoinOperator::Inner(c)
        | JoinOperator::LeftOuter(c)
        | JoinOperator::RightOuter(c)
        | JoinOperator::FullOuter(c) => Some(c),
        _ => None,
    }
}

/// One column a join's output offers: its name and the expression that reads it.
#[derive(Clone)]
struct Visible {
    name: String,
    expr: Expr,
}

fn qualified(table: &str, column: &str) -> Expr {
    Expr::CompoundIdentifier(vec![Ident::new(table), Ident::new(column)])
}

/// The name a relation goes by in the query and its columns, in order.
fn relation_columns(
    factor: &TableFactor,
    state: &State,
) -> Result<(String, Vec<String>), EngineError> {
    match factor {
        TableFactor::Table { name, alias, .. } => {
            let table = object_name(name);
            let Some(t) = state.table(&table) else {
                return Err(EngineError::coded(
                    SqlState::UNDEFINED_TABLE,
                    format!("relation \"{table}\" does not exist"),
                ));
            };
            let called = alias.as_ref().map_or(table, |a| a.name.value.clone());
            Ok((
                called,
                t.meta.columns.iter().map(|c| c.name.clone()).collect(),
            ))
        }
        _ => Err(EngineError::unsupported(
            "JOIN ... USING or NATURAL JOIN with a subquery or function in FROM",
        )),
    }
}

/// Rewrites USING and NATURAL joins into ON joins, `*` into the columns PostgreSQL lists,
/// and unqualified shared columns into the expression PostgreSQL reads for them.
pub(crate) fn rewrite(statement: &mut Statement, state: &State) -> Result<(), EngineError> {
    let Statement::Query(query) = statement else {
        return Ok(());
    };
    let SetExpr::Select(select) = query.body.as_mut() else {
        return Ok(());
    };
    let mut all_visible: Vec<Visible> = Vec::new();
    let mut merged: Vec<Visible> = Vec::new();
    for from in select.from.iter_mut() {
        let (first, columns) = relation_columns(&from.relation, state)?;
        let mut visible: Vec<Visible> = columns
            .iter()
            .map(|c| Visible {
                name: c.clone(),
                expr: qualified(&first, c),
            })
            .collect();
        for join in from.joins.iter_mut() {
            let (right, right_columns) = relation_columns(&join.relation, state)?;
            let kind = match &join.join_operator {
                JoinOperator::RightOuter(_) => "right",
                JoinOperator::FullOuter(_) => "full",
                _ => "left",
            };
            let shared: Option<Vec<String>> = match constraint(&join.join_operator) {
                Some(JoinConstraint::Using(names)) => {
                    Some(names.iter().map(|n| n.value.clone()).collect())
                }
                Some(JoinConstraint::Natural) => Some(
                    visible
                        .iter()
                        .map(|v| v.name.clone())
                        .filter(|n| right_columns.contains(n))
                        .collect(),
                ),
                _ => None,
            };
            let Some(shared) = shared else {
                visible.extend(right_columns.iter().map(|c| Visible {
                    name: c.clone(),
                    expr: qualified(&right, c),
                }));
                continue;
            };
            let mut conditions = Vec::new();
            let mut first_columns = Vec::new();
            for column in &shared {
                let matching: Vec<&Visible> =
                    visible.iter().filter(|v| v.name == *column).collect();
                let left = match matching.as_slice() {
                    [one] => one.expr.clone(),
                    [] => {
                        return Err(EngineError::coded(
                            SqlState::UNDEFINED_COLUMN,
                            format!("column \"{column}\" specified in USING clause does not exist in left table"),
                        ))
                    }
                    _ => {
                        return Err(EngineError::coded(
                            SqlState::AMBIGUOUS_COLUMN,
                            format!("common column name \"{column}\" appears more than once in left table"),
                        ))
                    }
                };
                if !right_columns.contains(column) {
                    return Err(EngineError::coded(
                        SqlState::UNDEFINED_COLUMN,
                        format!("column \"{column}\" specified in USING clause does not exist in right table"),
                    ));
                }
                let right_expr = qualified(&right, column);
                conditions.push(Expr::BinaryOp {
                    left: Box::new(left.clone()),
                    op: BinaryOperator::Eq,
                    right: Box::new(right_expr.clone()),
                });
                let expr = match kind {
                    "right" => right_expr,
                    "full" => Expr::Function(Function {
                        name: ObjectName(vec![Ident::new("coalesce")]),
                        parameters: FunctionArguments::None,
                        args: FunctionArguments::List(FunctionArgumentList {
                            duplicate_treatment: None,
                            args: vec![
                                FunctionArg::Unnamed(FunctionArgExpr::Expr(left)),
                                FunctionArg::Unnamed(FunctionArgExpr::Expr(right_expr)),
                            ],
                            clauses: Vec::new(),
                        }),
                        filter: None,
                        null_treatment: None,
                        over: None,
                        within_group: Vec::new(),
                    }),
                    _ => left,
                };
                first_columns.push(Visible {
                    name: column.clone(),
                    expr,
                });
            }
            let condition = conditions
                .into_iter()
                .reduce(|a, b| Expr::BinaryOp {
                    left: Box::new(a),
                    op: BinaryOperator::And,
                    right: Box::new(b),
                })
                .unwrap_or(Expr::Value(gluesql::core::sqlparser::ast::Value::Boolean(
                    true,
                )));
            if let Some(c) = constraint_mut(&mut join.join_operator) {
                *c = JoinConstraint::On(condition);
            }
            merged.retain(|m| !shared.contains(&m.name));
            merged.extend(first_columns.iter().cloned());
            let rest_left = visible.into_iter().filter(|v| !shared.contains(&v.name));
            let rest_right = right_columns
                .iter()
                .filter(|c| !shared.contains(c))
                .map(|c| Visible {
                    name: c.clone(),
                    expr: qualified(&right, c),
                });
            visible = first_columns
                .into_iter()
                .chain(rest_left)
                .chain(rest_right)
                .collect();
        }
        all_visible.extend(visible);
    }
    // `SELECT *`: the columns in PostgreSQL's order, each named as PostgreSQL names it.
    let mut projection = Vec::new();
    for item in select.projection.drain(..) {
        match item {
            SelectItem::Wildcard(_) => {
                for v in &all_visible {
                    projection.push(SelectItem::ExprWithAlias {
                        expr: v.expr.clone(),
                        alias: Ident::with_quote('"', v.name.clone()),
                    });
                }
            }
            other => projection.push(other),
        }
    }
    select.projection = projection;
    // An unqualified shared column: the expression PostgreSQL reads for it.
    let replace = |expr: &mut Expr| replace_unqualified(expr, &merged);
    for item in select.projection.iter_mut() {
        match item {
            SelectItem::UnnamedExpr(e) => {
                if let Expr::Identifier(name) = e {
                    if let Some(m) = merged.iter().find(|m| m.name == name.value) {
                        *item = SelectItem::ExprWithAlias {
                            expr: m.expr.clone(),
                            alias: Ident::with_quote('"', m.name.clone()),
                        };
                        continue;
                    }
                }
                replace(e)
            }
            SelectItem::ExprWithAlias { expr, .. } => replace(expr),
            _ => {}
        }
    }
    if let Some(e) = select.selection.as_mut() {
        replace(e);
    }
    if let Some(e) = select.having.as_mut() {
        replace(e);
    }
    if let gluesql::core::sqlparser::ast::GroupByExpr::Expressions(exprs, _) = &mut select.group_by
    {
        exprs.iter_mut().for_each(replace);
    }
    if let Some(order_by) = query.order_by.as_mut() {
        for o in order_by.exprs.iter_mut() {
            replace(&mut o.expr);
        }
    }
    Ok(())
}

/// Replaces unqualified references to `merged` columns in `expr`, not inside subqueries.
fn replace_unqualified(expr: &mut Expr, merged: &[Visible]) {
    if let Expr::Identifier(name) = expr {
        if let Some(m) = merged.iter().find(|m| m.name == name.value) {
            *expr = m.expr.clone();
        }
        return;
    }
    for child in super::rewrite::children_mut(expr) {
        replace_unqualified(child, merged);
    }
}
