//! `ORDER BY a, id` served by an index on `a` (or on `(a, id)`), `id` being the primary key.
//!
//! GlueSQL's index pass only serves the *last* ORDER BY term from an index (and sorts the
//! rest), so `ORDER BY created_at DESC, id` read the whole table through the primary key and
//! sorted it, even with an index on `(created_at, id)`. Our index entries hold, per key, the
//! primary keys of their rows in ascending order, in both scan directions: an index on `a`
//! read forward gives `a, id` and read backward gives `a DESC, id`. So when the trailing
//! term is the primary key ascending and an index on the leading term exists, the trailing
//! term is already implied and this pass drops it; GlueSQL's pass then picks the index for
//! `a` (and our seek pass starts the scan at a keyset cursor).

use gluesql::core::ast::ColumnUniqueOption;
use gluesql::core::data::{Schema, SchemaIndexOrd};
use gluesql::core::plan::{
    plan_scalar_expr, ExprPlan, FilterInputPlan, LimitInputPlan, OffsetInputPlan, OrderByExprPlan,
    ProjectInputPlan, QueryPlan, SelectOrderByPlan, SourcePlan, StatementPlan, TableAccessPlan,
};
use std::collections::HashMap;

pub(crate) fn drop_implied_primary_key_order<S: std::hash::BuildHasher>(
    schema_map: &HashMap<String, Schema, S>,
    mut statement: StatementPlan,
) -> StatementPlan {
    if let StatementPlan::Query(query) = &mut statement {
        if let Some(order_by) = select_order_by_mut(query) {
            trim(schema_map, order_by);
        }
    }
    statement
}

fn select_order_by_mut(query: &mut QueryPlan) -> Option<&mut SelectOrderByPlan> {
    fn offset(input: &mut OffsetInputPlan) -> Option<&mut SelectOrderByPlan> {
        match input {
            OffsetInputPlan::SelectOrderBy(order_by) => Some(order_by),
            _ => None,
        }
    }
    match query {
        QueryPlan::SelectOrderBy(order_by) => Some(order_by),
        QueryPlan::Offset(o) => offset(&mut o.input),
        QueryPlan::Limit(limit) => match &mut limit.input {
            LimitInputPlan::SelectOrderBy(order_by) => Some(order_by),
            LimitInputPlan::Offset(o) => offset(&mut o.input),
            _ => None,
        },
        _ => None,
    }
}

fn trim<S: std::hash::BuildHasher>(
    schema_map: &HashMap<String, Schema, S>,
    order_by: &mut SelectOrderByPlan,
) {
    let [leading, trailing] = order_by.exprs.as_slice() else {
        return;
    };
    // Only a plain table read, not yet given an access path: then GlueSQL's index pass
    // serves the leading term from the index we found (it checks ORDER BY first).
    let source = match &order_by.input.input {
        ProjectInputPlan::Source(source) => source,
        ProjectInputPlan::Filter(filter) => match &filter.input {
            FilterInputPlan::Source(source) => source,
            _ => return,
        },
        _ => return,
    };
    let SourcePlan::Table(table) = source else {
        return;
    };
    if table.access != TableAccessPlan::FullScan {
        return;
    }
    let Some(schema) = schema_map.get(&table.name) else {
        return;
    };
    if trailing.asc == Some(false) || !is_primary_key(schema, &trailing.expr) {
        return;
    }
    if has_ordered_index(schema, leading) {
        order_by.exprs.pop();
    }
}

fn is_primary_key(schema: &Schema, expr: &ExprPlan) -> bool {
    let ExprPlan::Identifier(name) = expr else {
        return false;
    };
    schema
        .column_defs
        .iter()
        .flatten()
        .any(|c| &c.name == name && c.unique == Some(ColumnUniqueOption { is_primary: true }))
}

/// The same test GlueSQL's index pass makes before it serves an ORDER BY term.
fn has_ordered_index(schema: &Schema, term: &OrderByExprPlan) -> bool {
    schema.indexes.iter().any(|index| {
        plan_scalar_expr(index.expr.clone()) == term.expr
            && matches!(
                (term.asc, &index.order),
                (_, SchemaIndexOrd::Both)
                    | (Some(true) | None, SchemaIndexOrd::Asc)
                    | (Some(false), SchemaIndexOrd::Desc)
            )
    })
}
