//! Query planning: GlueSQL's own passes, plus its index pass (which its default planner
//! leaves out), one pass of ours that lets an ORDER BY index also seek, and one
//! (`tiebreak`) that lets an index on `a` serve `ORDER BY a, id`.

use super::storage::EngineStorage;
use gluesql::core::ast::{BinaryOperator, IndexOperator};
use gluesql::core::data::{Schema, Value};
use gluesql::core::error::Result;
use gluesql::core::plan::{
    plan_scalar_expr, DistinctInputPlan, ExprPlan, FilterInputPlan, FunctionExprPlan,
    IndexPredicatePlan, LimitInputPlan, OffsetInputPlan, ProjectInputPlan, ProjectPlan, QueryPlan,
    SeriesSourcePlan, SourcePlan, StatementPlan, TableAccessPlan, TableAliasPlan,
};
use gluesql::core::planner::{
    fetch_schema_map, plan_aggregate, plan_hash_join, plan_index, plan_primary_key,
    plan_schemaless, validate,
};
use gluesql::core::store::Planner;
use std::collections::HashMap;

impl Planner for EngineStorage {
    fn plan(&self, statement: StatementPlan) -> Result<StatementPlan> {
        let mut schema_map = fetch_schema_map(self, &statement)?;
        hide_partial_indexes(self, &statement, &mut schema_map);
        validate(&schema_map, &statement)?;
        let statement = plan_schemaless(&schema_map, statement)?;
        let statement = plan_primary_key(&schema_map, statement);
        let statement = unqualify_single_table(statement);
        let statement = super::tiebreak::drop_implied_primary_key_order(&schema_map, statement);
        let statement = plan_index(&schema_map, statement);
        let statement = seek_ordered_index(&schema_map, statement);
        let statement = super::multi_seek::seek_in_lists(self, &schema_map, statement);
        let statement = super::multi_seek::seek_both_bounds(&schema_map, statement);
        let statement = plan_hash_join(&schema_map, statement);
        let statement = plan_aggregate(statement);
        Ok(super::multi_seek::skip_in_index(statement))
    }
}

/// A partial index holds only the rows its predicate selects, so a query may use it only
/// when its WHERE implies the predicate: here, when every conjunct of the predicate is also
/// a conjunct of the statement's top-level WHERE. Other partial indexes are hidden from the
/// planner for this statement.
fn hide_partial_indexes<S: std::hash::BuildHasher>(
    storage: &EngineStorage,
    statement: &StatementPlan,
    schema_map: &mut HashMap<String, Schema, S>,
) {
    let mut filter = Vec::new();
    match statement {
        StatementPlan::Query(query) => {
            let mut query = query.clone();
            if let Some(project) = project_mut(&mut query) {
                if let ProjectInputPlan::Filter(f) = &project.input {
                    split_and(f.expr.clone(), &mut filter);
                }
            }
        }
        StatementPlan::Update {
            selection: Some(expr),
            ..
        }
        | StatementPlan::Delete {
            selection: Some(expr),
            ..
        } => split_and(expr.clone(), &mut filter),
        _ => {}
    }
    for (name, schema) in schema_map.iter_mut() {
        let Some(table) = storage.state.table(name) else {
            continue;
        };
        schema.indexes.retain(|schema_index| {
            let Some(predicate) = table
                .index(&schema_index.name)
                .and_then(|i| i.predicate.clone())
            else {
                return true;
            };
            let mut needed = Vec::new();
            split_and(plan_scalar_expr(predicate), &mut needed);
            needed.iter().all(|c| filter.contains(c))
        });
    }
}

/// SQLAlchemy qualifies every column (`WHERE 5 = orders.user_id`), but GlueSQL's index
/// pass matches an index's expression (`user_id`) only as written. In a query over one
/// table the two name the same column, so this pass drops the table's qualifier from the
/// WHERE's columns before the index pass (subqueries are left as they are).
fn unqualify_single_table(mut statement: StatementPlan) -> StatementPlan {
    if let StatementPlan::Query(query) = &mut statement {
        if let Some(project) = project_mut(query) {
            if let ProjectInputPlan::Filter(filter) = &mut project.input {
                if let FilterInputPlan::Source(SourcePlan::Table(table)) = &filter.input {
                    let qualifier = table.alias.as_ref().map_or(&table.name, |a| &a.name);
                    let qualifier = qualifier.clone();
                    unqualify(&mut filter.expr, &qualifier);
                }
            }
        }
    }
    statement
}

fn unqualify(expr: &mut ExprPlan, qualifier: &str) {
    match expr {
        ExprPlan::CompoundIdentifier { alias, ident } if alias == qualifier => {
            *expr = ExprPlan::Identifier(std::mem::take(ident));
        }
        ExprPlan::BinaryOp { left, right, .. } => {
            unqualify(left, qualifier);
            unqualify(right, qualifier);
        }
        ExprPlan::Nested(inner)
        | ExprPlan::UnaryOp { expr: inner, .. }
        | ExprPlan::IsNull(inner)
        | ExprPlan::IsNotNull(inner) => unqualify(inner, qualifier),
        ExprPlan::InList { expr, list, .. } => {
            unqualify(expr, qualifier);
            list.iter_mut().for_each(|item| unqualify(item, qualifier));
        }
        ExprPlan::Between {
            expr, low, high, ..
        } => {
            unqualify(expr, qualifier);
            unqualify(low, qualifier);
            unqualify(high, qualifier);
        }
        _ => {}
    }
}

/// GlueSQL's index pass gives an `ORDER BY col` index no predicate and leaves `col < x` in
/// the filter, so a keyset page (`WHERE col < x ORDER BY col DESC LIMIT 20`) would walk the
/// index from its end and read every row past the cursor. This pass moves such a bound
/// into the index predicate, so the scan starts at the cursor and reads only the page.
fn seek_ordered_index<S: std::hash::BuildHasher>(
    schema_map: &HashMap<String, Schema, S>,
    mut statement: StatementPlan,
) -> StatementPlan {
    if let StatementPlan::Query(query) = &mut statement {
        if let Some(project) = project_mut(query) {
            seek_in_project(schema_map, project);
        }
    }
    statement
}

pub(crate) fn project_mut(query: &mut QueryPlan) -> Option<&mut ProjectPlan> {
    fn distinct(input: &mut DistinctInputPlan) -> &mut ProjectPlan {
        match input {
            DistinctInputPlan::Project(project) => project,
            DistinctInputPlan::SelectOrderBy(order_by) => &mut order_by.input,
        }
    }
    fn offset(input: &mut OffsetInputPlan) -> Option<&mut ProjectPlan> {
        match input {
            OffsetInputPlan::Project(project) => Some(project),
            OffsetInputPlan::SelectOrderBy(order_by) => Some(&mut order_by.input),
            OffsetInputPlan::Distinct(d) => Some(distinct(&mut d.input)),
            OffsetInputPlan::Values(_) | OffsetInputPlan::ValuesOrderBy(_) => None,
        }
    }
    match query {
        QueryPlan::Project(project) => Some(project),
        QueryPlan::SelectOrderBy(order_by) => Some(&mut order_by.input),
        QueryPlan::Distinct(d) => Some(distinct(&mut d.input)),
        QueryPlan::Offset(o) => offset(&mut o.input),
        QueryPlan::Limit(limit) => match &mut limit.input {
            LimitInputPlan::Project(project) => Some(project),
            LimitInputPlan::SelectOrderBy(order_by) => Some(&mut order_by.input),
            LimitInputPlan::Distinct(d) => Some(distinct(&mut d.input)),
            LimitInputPlan::Offset(o) => offset(&mut o.input),
            LimitInputPlan::Values(_) | LimitInputPlan::ValuesOrderBy(_) => None,
        },
        QueryPlan::Values(_) | QueryPlan::ValuesOrderBy(_) => None,
    }
}

fn seek_in_project<S: std::hash::BuildHasher>(
    schema_map: &HashMap<String, Schema, S>,
    project: &mut ProjectPlan,
) {
    let ProjectInputPlan::Filter(filter) = &mut project.input else {
        return;
    };
    let FilterInputPlan::Source(SourcePlan::Table(table)) = &mut filter.input else {
        return;
    };
    let TableAccessPlan::Index {
        name,
        asc,
        predicate: predicate @ None,
    } = &mut table.access
    else {
        return;
    };
    let Some(index) = schema_map
        .get(&table.name)
        .and_then(|schema| schema.indexes.iter().find(|i| &i.name == name))
    else {
        return;
    };
    let index_expr = plan_scalar_expr(index.expr.clone());
    let descending = *asc == Some(false);

    let mut conjuncts = Vec::new();
    split_and(filter.expr.clone(), &mut conjuncts);
    // (operator, constant, exact): an exact bound says all the conjunct says and leaves
    // the filter; an OR's common bound only narrows the read, and the OR stays.
    let candidates: Vec<Option<(IndexOperator, ExprPlan, bool)>> = conjuncts
        .iter()
        .map(|c| {
            index_bound(&index_expr, c)
                .map(|(op, e)| (op, e, true))
                .or_else(|| or_bound(&index_expr, c).map(|(op, e)| (op, e, false)))
        })
        .collect();
    // The bound the scan starts from saves the most reading; an equality beats any bound.
    let rank = |op: &IndexOperator| match (op, descending) {
        (IndexOperator::Eq, _) => 0,
        (IndexOperator::Gt | IndexOperator::GtEq, false) => 1,
        (IndexOperator::Lt | IndexOperator::LtEq, true) => 1,
        _ => 2,
    };
    let Some(chosen) = candidates
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.as_ref().map(|(op, _, _)| (i, rank(op))))
        .min_by_key(|(_, rank)| *rank)
        .map(|(i, _)| i)
    else {
        return;
    };
    let (operator, expr, exact) = candidates[chosen].clone().expect("chosen is a candidate");
    *predicate = Some(IndexPredicatePlan { operator, expr });
    if !exact {
        return;
    }
    conjuncts.remove(chosen);

    set_filter(project, conjuncts);
}

/// Puts `conjuncts` back as the project's filter, dropping the Filter node when none is
/// left (the whole filter became the index predicate).
pub(crate) fn set_filter(project: &mut ProjectPlan, conjuncts: Vec<ExprPlan>) {
    let ProjectInputPlan::Filter(filter) = &mut project.input else {
        return;
    };
    let residual = conjuncts
        .into_iter()
        .reduce(|left, right| ExprPlan::BinaryOp {
            left: Box::new(left),
            op: BinaryOperator::And,
            right: Box::new(right),
        });
    match residual {
        Some(expr) => filter.expr = expr,
        None => {
            let input = std::mem::replace(&mut filter.input, empty_source());
            project.input = match input {
                FilterInputPlan::Source(source) => ProjectInputPlan::Source(source),
                FilterInputPlan::InnerJoin(join) => ProjectInputPlan::InnerJoin(join),
                FilterInputPlan::LeftOuterJoin(join) => ProjectInputPlan::LeftOuterJoin(join),
            };
        }
    }
}

/// A stand-in for a moment, while a node is moved out of the plan.
fn empty_source() -> FilterInputPlan {
    FilterInputPlan::Source(SourcePlan::Series(SeriesSourcePlan {
        alias: TableAliasPlan {
            name: String::new(),
            columns: Vec::new(),
        },
        size: ExprPlan::Value(Value::I64(0)),
    }))
}

pub(crate) fn split_and(expr: ExprPlan, out: &mut Vec<ExprPlan>) {
    match expr {
        ExprPlan::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            split_and(*left, out);
            split_and(*right, out);
        }
        ExprPlan::Nested(inner)
            if matches!(
                *inner,
                ExprPlan::BinaryOp {
                    op: BinaryOperator::And,
                    ..
                }
            ) =>
        {
            split_and(*inner, out);
        }
        other => out.push(other),
    }
}

/// `index_expr op constant` (either side) as an index predicate.
pub(crate) fn index_bound(
    index_expr: &ExprPlan,
    conjunct: &ExprPlan,
) -> Option<(IndexOperator, ExprPlan)> {
    let ExprPlan::BinaryOp { left, op, right } = conjunct else {
        return None;
    };
    let op = match op {
        BinaryOperator::Eq => IndexOperator::Eq,
        BinaryOperator::Lt => IndexOperator::Lt,
        BinaryOperator::LtEq => IndexOperator::LtEq,
        BinaryOperator::Gt => IndexOperator::Gt,
        BinaryOperator::GtEq => IndexOperator::GtEq,
        _ => return None,
    };
    if left.as_ref() == index_expr && is_constant(right) {
        Some((op, right.as_ref().clone()))
    } else if right.as_ref() == index_expr && is_constant(left) {
        Some((op.reverse(), left.as_ref().clone()))
    } else {
        None
    }
}

/// The bound every branch of an OR shares on `index_expr`: the textbook keyset predicate
/// `a > x OR (a = x AND id > y)` reads nothing below `a >= x`. Each branch must bound the
/// index from the same side with the same constant (as a comparison, or a conjunct of an
/// AND); the bound is strict only when every branch's is.
fn or_bound(index_expr: &ExprPlan, conjunct: &ExprPlan) -> Option<(IndexOperator, ExprPlan)> {
    let mut branches = Vec::new();
    split_or(conjunct.clone(), &mut branches);
    if branches.len() < 2 {
        return None;
    }
    let mut common: Option<(bool, bool, ExprPlan)> = None; // (lower side, strict, constant)
    for branch in &branches {
        let mut parts = Vec::new();
        split_and(branch.clone(), &mut parts);
        let (lower, strict, constant) = parts.iter().find_map(|part| {
            let (op, constant) = index_bound(index_expr, part)?;
            let (lower, strict) = match op {
                IndexOperator::Gt => (Some(true), true),
                IndexOperator::GtEq => (Some(true), false),
                IndexOperator::Lt => (Some(false), true),
                IndexOperator::LtEq => (Some(false), false),
                IndexOperator::Eq => (None, false),
            };
            Some((lower, strict, constant))
        })?;
        common = match common {
            None => Some((lower.unwrap_or(true), strict, constant)),
            Some((side, was_strict, c)) => {
                if c != constant || lower.is_some_and(|l| l != side) {
                    return None;
                }
                Some((side, was_strict && strict, c))
            }
        };
    }
    let (lower, strict, constant) = common?;
    // A branch that is only `a = x` leaves the side open: it fits either.
    let op = match (lower, strict) {
        (true, true) => IndexOperator::Gt,
        (true, false) => IndexOperator::GtEq,
        (false, true) => IndexOperator::Lt,
        (false, false) => IndexOperator::LtEq,
    };
    Some((op, constant))
}

fn split_or(expr: ExprPlan, out: &mut Vec<ExprPlan>) {
    match expr {
        ExprPlan::BinaryOp {
            left,
            op: BinaryOperator::Or,
            right,
        } => {
            split_or(*left, out);
            split_or(*right, out);
        }
        ExprPlan::Nested(inner) => split_or(*inner, out),
        // The three-valued-logic pass writes each side of an OR as COALESCE(side, false),
        // which holds exactly where the side holds.
        ExprPlan::Function(function) => match *function {
            FunctionExprPlan::Coalesce(mut args)
                if args.len() == 2 && args[1] == ExprPlan::Value(Value::Bool(false)) =>
            {
                args.truncate(1);
                split_or(args.remove(0), out);
            }
            other => out.push(ExprPlan::Function(Box::new(other))),
        },
        other => out.push(other),
    }
}

/// A literal that is not NULL: the only operands this pass seeks with, since the index
/// predicate is evaluated once, without a row.
fn is_constant(expr: &ExprPlan) -> bool {
    match expr {
        ExprPlan::Literal(_) | ExprPlan::TypedString { .. } => true,
        ExprPlan::Value(value) => !value.is_null(),
        ExprPlan::Nested(inner) | ExprPlan::UnaryOp { expr: inner, .. } => is_constant(inner),
        _ => false,
    }
}
