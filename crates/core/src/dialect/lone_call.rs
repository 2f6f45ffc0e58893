//! Statements that are one plain SELECT of one function call, which the front answers
//! itself (`SELECT pg_sleep(n)`, `SELECT count(*) FROM t`).

use gluesql::core::sqlparser::ast::{
    Expr, Function, GroupByExpr, Select, SelectItem, SetExpr, Statement,
};

/// When `statement` is `SELECT name(...) [AS label] [FROM ...]` and nothing more (no WITH,
/// WHERE, GROUP BY, HAVING, DISTINCT, ORDER BY, LIMIT, OFFSET, FETCH, FOR UPDATE; no
/// FILTER, OVER or WITHIN GROUP on the call): the SELECT (for its FROM), the call, and
/// the result column's name (the alias, or the function's name, as PostgreSQL names it).
pub(crate) fn lone_call<'a>(
    statement: &'a Statement,
    name: &str,
) -> Option<(&'a Select, &'a Function, String)> {
    let Statement::Query(query) = statement else {
        return None;
    };
    if query.with.is_some()
        || query.order_by.is_some()
        || query.limit.is_some()
        || query.offset.is_some()
        || query.fetch.is_some()
        || !query.locks.is_empty()
    {
        return None;
    }
    let SetExpr::Select(select) = query.body.as_ref() else {
        return None;
    };
    if select.distinct.is_some()
        || select.selection.is_some()
        || select.having.is_some()
        || select.group_by != GroupByExpr::Expressions(Vec::new(), Vec::new())
        || select.projection.len() != 1
    {
        return None;
    }
    let (expr, label) = match &select.projection[0] {
        SelectItem::UnnamedExpr(expr) => (expr, name.to_string()),
        SelectItem::ExprWithAlias { expr, alias } => (expr, alias.value.clone()),
        _ => return None,
    };
    let Expr::Function(function) = expr else {
        return None;
    };
    let plain = function.name.to_string().eq_ignore_ascii_case(name)
        && function.filter.is_none()
        && function.over.is_none()
        && function.within_group.is_empty();
    plain.then_some((select.as_ref(), function, label))
}
