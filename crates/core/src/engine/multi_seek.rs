//! Index reads GlueSQL's planner does not make (its index predicates hold one operator and
//! one value): `col IN (v1, v2, ...)` as one seek per value, where it would scan the whole
//! table, and `col >= x AND col < y` as one read between both bounds, where it would read
//! from one bound to the end of the index. And an OFFSET over an index scan skips its
//! entries in the storage (counted as read, as PostgreSQL reads them) without copying
//! their rows out.
//!
//! The planner pass here gives the table an index access whose predicate is `=` with a
//! marked value holding the whole list ([`list_predicate`]); the storage recognises the
//! mark and seeks each value ([`EngineStorage::seek_each`]). The `IN` stays in the filter,
//! so the seeks only have to find every matching row (a superset is fine), and rows come
//! in primary-key order, as a full scan gives them: results are the same row for row.

use super::index::{value_sql, IndexKind, SecondaryIndex};
use super::planner::{project_mut, split_and};
use super::probe::AccessMethod;
use super::storage::{EngineStorage, Table};
use gluesql::core::ast::{IndexOperator, Literal, UnaryOperator};
use gluesql::core::data::{Key, Schema, Value};
use gluesql::core::plan::{
    plan_scalar_expr, ExprPlan, FilterInputPlan, IndexPredicatePlan, ProjectInputPlan, SourcePlan,
    StatementPlan, TableAccessPlan,
};
use gluesql::core::store::RowIter;
use std::collections::{BTreeMap, HashMap};

/// The key of the one-entry map that marks a list of values to seek one by one. No SQL a
/// learner writes makes a map value to compare an indexed column with.
const SEEK_EACH: &str = "\u{0}sqlpatterns:seek-each";

/// The key of the one-entry map that marks a range with both bounds:
/// `[lower inclusive, lower, upper inclusive, upper]`.
const RANGE: &str = "\u{0}sqlpatterns:range";

/// A range with both bounds, as the storage reads it.
pub(crate) struct BoundedRange<'v> {
    pub lower: (bool, &'v Value),
    pub upper: (bool, &'v Value),
}

/// The bounds of a range predicate, if `value` is one.
pub(crate) fn range_bounds<'v>(op: &IndexOperator, value: &'v Value) -> Option<BoundedRange<'v>> {
    let (IndexOperator::Eq, Value::Map(map)) = (op, value) else {
        return None;
    };
    match map.get(RANGE) {
        Some(Value::List(parts)) if map.len() == 1 => match parts.as_slice() {
            [Value::Bool(li), lower, Value::Bool(ui), upper] => Some(BoundedRange {
                lower: (*li, lower),
                upper: (*ui, upper),
            }),
            _ => None,
        },
        _ => None,
    }
}

/// The planner pass after GlueSQL's index pass (and ours): an index read from one bound
/// whose WHERE also bounds the index from the other side reads between both. The other
/// bound stays in the filter.
pub(crate) fn seek_both_bounds<S: std::hash::BuildHasher>(
    schema_map: &HashMap<String, Schema, S>,
    mut statement: StatementPlan,
) -> StatementPlan {
    let StatementPlan::Query(query) = &mut statement else {
        return statement;
    };
    let Some(project) = project_mut(query) else {
        return statement;
    };
    let ProjectInputPlan::Filter(filter) = &mut project.input else {
        return statement;
    };
    let FilterInputPlan::Source(SourcePlan::Table(table)) = &mut filter.input else {
        return statement;
    };
    let TableAccessPlan::Index {
        name,
        predicate: Some(predicate),
        ..
    } = &mut table.access
    else {
        return statement;
    };
    let Some(index) = schema_map
        .get(&table.name)
        .and_then(|schema| schema.indexes.iter().find(|i| &i.name == name))
    else {
        return statement;
    };
    let index_expr = plan_scalar_expr(index.expr.clone());
    let lower_side = match predicate.operator {
        IndexOperator::Gt | IndexOperator::GtEq => true,
        IndexOperator::Lt | IndexOperator::LtEq => false,
        IndexOperator::Eq => return statement,
    };
    let Some(first) = constant_value(&predicate.expr) else {
        return statement;
    };
    let mut conjuncts = Vec::new();
    split_and(filter.expr.clone(), &mut conjuncts);
    let other = conjuncts.iter().find_map(|c| {
        let (op, constant) = super::planner::index_bound(&index_expr, c)?;
        let inclusive = match (op, lower_side) {
            (IndexOperator::Lt, true) | (IndexOperator::Gt, false) => false,
            (IndexOperator::LtEq, true) | (IndexOperator::GtEq, false) => true,
            _ => return None,
        };
        Some((inclusive, constant_value(&constant)?))
    });
    let Some((other_inclusive, other)) = other else {
        return statement;
    };
    let first_inclusive = matches!(
        predicate.operator,
        IndexOperator::GtEq | IndexOperator::LtEq
    );
    let (lower, upper) = if lower_side {
        ((first_inclusive, first), (other_inclusive, other))
    } else {
        ((other_inclusive, other), (first_inclusive, first))
    };
    *predicate = IndexPredicatePlan {
        operator: IndexOperator::Eq,
        expr: ExprPlan::Value(Value::Map(BTreeMap::from([(
            RANGE.to_string(),
            Value::List(vec![
                Value::Bool(lower.0),
                lower.1,
                Value::Bool(upper.0),
                upper.1,
            ]),
        )]))),
    };
    statement
}

/// The key of the one-entry map that marks an index scan skipping its first entries.
const SKIP: &str = "\u{0}sqlpatterns:skip";

/// The entries an index scan skips, if `value` is a skip mark.
pub(crate) fn skip_count(op: &IndexOperator, value: &Value) -> Option<usize> {
    let (IndexOperator::Eq, Value::Map(map)) = (op, value) else {
        return None;
    };
    match map.get(SKIP) {
        Some(Value::I64(n)) if map.len() == 1 => usize::try_from(*n).ok(),
        _ => None,
    }
}

/// The planner pass after GlueSQL's aggregate pass: `... ORDER BY <index> OFFSET n` read
/// straight from an index, with no filter, grouping or DISTINCT between, skips its `n`
/// entries in the storage instead of copying `n` rows out for the executor to drop.
pub(crate) fn skip_in_index(mut statement: StatementPlan) -> StatementPlan {
    use gluesql::core::plan::{LimitInputPlan, OffsetInputPlan, OffsetPlan, QueryPlan};
    let StatementPlan::Query(query) = &mut statement else {
        return statement;
    };
    let offset: &mut OffsetPlan = match query {
        QueryPlan::Offset(offset) => offset,
        QueryPlan::Limit(limit) => match &mut limit.input {
            LimitInputPlan::Offset(offset) => offset,
            _ => return statement,
        },
        _ => return statement,
    };
    let Some(Value::I64(n)) = constant_value(&offset.count) else {
        return statement;
    };
    if n <= 0 {
        return statement;
    }
    let OffsetInputPlan::Project(project) = &mut offset.input else {
        return statement;
    };
    let ProjectInputPlan::Source(SourcePlan::Table(table)) = &mut project.input else {
        return statement;
    };
    let TableAccessPlan::Index {
        predicate: predicate @ None,
        ..
    } = &mut table.access
    else {
        return statement;
    };
    *predicate = Some(IndexPredicatePlan {
        operator: IndexOperator::Eq,
        expr: ExprPlan::Value(Value::Map(BTreeMap::from([(
            SKIP.to_string(),
            Value::I64(n),
        )]))),
    });
    offset.count = ExprPlan::Value(Value::I64(0));
    statement
}

/// An index predicate that seeks each of `values`.
fn list_predicate(values: Vec<Value>) -> IndexPredicatePlan {
    IndexPredicatePlan {
        operator: IndexOperator::Eq,
        expr: ExprPlan::Value(Value::Map(BTreeMap::from([(
            SEEK_EACH.to_string(),
            Value::List(values),
        )]))),
    }
}

/// The values of a seek-each predicate, if `value` is one.
pub(crate) fn seek_each_values<'v>(op: &IndexOperator, value: &'v Value) -> Option<&'v [Value]> {
    let (IndexOperator::Eq, Value::Map(map)) = (op, value) else {
        return None;
    };
    match map.get(SEEK_EACH) {
        Some(Value::List(values)) if map.len() == 1 => Some(values),
        _ => None,
    }
}

/// The planner pass: a single-table query read by a full scan (or in primary-key order)
/// whose WHERE has a conjunct `indexed_expr IN (constants)` seeks each constant instead.
pub(crate) fn seek_in_lists<S: std::hash::BuildHasher>(
    storage: &EngineStorage,
    schema_map: &HashMap<String, Schema, S>,
    mut statement: StatementPlan,
) -> StatementPlan {
    let StatementPlan::Query(query) = &mut statement else {
        return statement;
    };
    let Some(project) = project_mut(query) else {
        return statement;
    };
    let ProjectInputPlan::Filter(filter) = &mut project.input else {
        return statement;
    };
    let FilterInputPlan::Source(SourcePlan::Table(table)) = &mut filter.input else {
        return statement;
    };
    let (Some(schema), Some(stored)) = (
        schema_map.get(&table.name),
        storage.state.table(&table.name),
    ) else {
        return statement;
    };
    // A full scan, or a scan in primary-key order (ORDER BY the key): seeks that return
    // rows in key order keep either one's order.
    let asc = match &table.access {
        TableAccessPlan::FullScan => None,
        TableAccessPlan::Index {
            name,
            asc,
            predicate: None,
        } if stored
            .index(name)
            .is_some_and(|i| i.kind == IndexKind::PrimaryKey) =>
        {
            *asc
        }
        _ => return statement,
    };
    let mut conjuncts = Vec::new();
    split_and(filter.expr.clone(), &mut conjuncts);
    for (position, conjunct) in conjuncts.iter().enumerate() {
        let ExprPlan::InList {
            expr,
            list,
            negated: false,
        } = conjunct
        else {
            continue;
        };
        let Some(values) = list.iter().map(constant_value).collect::<Option<Vec<_>>>() else {
            continue;
        };
        let index = schema.indexes.iter().find(|i| {
            &plan_scalar_expr(i.expr.clone()) == expr.as_ref()
                && stored.index(&i.name).is_some_and(|s| s.predicate.is_none())
        });
        let Some(index) = index else {
            continue;
        };
        let exact = seeks_exactly(schema, expr, &values);
        table.access = TableAccessPlan::Index {
            name: index.name.clone(),
            asc,
            predicate: Some(list_predicate(values)),
        };
        if exact {
            // The seeks find exactly the rows the IN keeps: testing each row against a
            // list of 1,000 values again would cost more than the seeks.
            conjuncts.remove(position);
            super::planner::set_filter(project, conjuncts);
        }
        break;
    }
    statement
}

/// Whether seeking `values` in an index on `expr` finds exactly the rows `expr IN
/// (values)` keeps: a plain integer column and integer values (which convert exactly; a
/// seek of any other type may convert where the IN would compare otherwise).
fn seeks_exactly(schema: &Schema, expr: &ExprPlan, values: &[Value]) -> bool {
    use gluesql::core::ast::DataType;
    let ExprPlan::Identifier(column) = expr else {
        return false;
    };
    let integer_column = schema
        .column_defs
        .iter()
        .flatten()
        .find(|c| &c.name == column)
        .is_some_and(|c| {
            matches!(
                c.data_type,
                DataType::Int8
                    | DataType::Int16
                    | DataType::Int32
                    | DataType::Int
                    | DataType::Int128
            )
        });
    integer_column && values.iter().all(|v| matches!(v, Value::I64(_)))
}

/// A constant of the IN list as the value it evaluates to; None for anything else.
fn constant_value(expr: &ExprPlan) -> Option<Value> {
    match expr {
        ExprPlan::Value(value) => Some(value.clone()),
        ExprPlan::Literal(Literal::QuotedString(s)) => Some(Value::Str(s.clone())),
        ExprPlan::Literal(Literal::Number(n)) => number_value(&n.to_string(), false),
        ExprPlan::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match expr.as_ref() {
            ExprPlan::Literal(Literal::Number(n)) => number_value(&n.to_string(), true),
            _ => None,
        },
        ExprPlan::Nested(inner) => constant_value(inner),
        _ => None,
    }
}

/// Integers only: a seek converts the value to the column's type, and integers convert
/// exactly.
fn number_value(text: &str, negative: bool) -> Option<Value> {
    let n: i64 = text.parse().ok()?;
    Some(Value::I64(if negative { -n } else { n }))
}

impl EngineStorage {
    /// The rows of `table` whose `index` key equals one of `values`, in primary-key order
    /// (backward when `descending`), counted through `slot`.
    pub(crate) fn seek_each<'a>(
        &'a self,
        table: &'a Table,
        index: &'a SecondaryIndex,
        values: &[Value],
        slot: usize,
        descending: bool,
    ) -> RowIter<'a> {
        let mut row_keys: Vec<Key> = Vec::new();
        for value in values {
            let Some(key) = super::storage::seek_key(table, index, value) else {
                continue;
            };
            if matches!(key, Key::None) {
                continue; // `IN` never matches NULL
            }
            match index.kind {
                IndexKind::PrimaryKey => {
                    if table.rows.contains_key(&key) {
                        row_keys.push(key);
                    }
                }
                _ => {
                    if let Some(keys) = index.entries.get(&key) {
                        row_keys.extend(keys.iter().cloned());
                    }
                }
            }
        }
        row_keys.sort();
        row_keys.dedup();
        if descending {
            row_keys.reverse();
        }
        let probe = &self.probe;
        Box::new(row_keys.into_iter().filter_map(move |key| {
            let values = table.rows.get(&key)?;
            self.capture_key(&key);
            Some(
                probe
                    .count_row(slot)
                    .map(|()| (key, values.as_ref().clone())),
            )
        }))
    }
}

impl EngineStorage {
    /// The rows of `table` whose `index` key lies in `range`, in index order.
    pub(crate) fn read_range<'a>(
        &'a self,
        table: &'a Table,
        index: &'a SecondaryIndex,
        range: &BoundedRange<'_>,
        slot: usize,
        descending: bool,
    ) -> RowIter<'a> {
        let bound = |(inclusive, value): (bool, &Value)| {
            super::storage::seek_key(table, index, value).map(|key| {
                if inclusive {
                    std::ops::Bound::Included(key)
                } else {
                    std::ops::Bound::Excluded(key)
                }
            })
        };
        match (bound(range.lower), bound(range.upper)) {
            (Some(lower), Some(upper)) if !empty_range(&lower, &upper) => {
                self.index_rows(table, index, slot, (lower, upper), descending)
            }
            _ => Box::new(std::iter::empty()),
        }
    }
}

/// Whether no key lies between the bounds (ordered maps panic on such a range).
fn empty_range(lower: &std::ops::Bound<Key>, upper: &std::ops::Bound<Key>) -> bool {
    use std::ops::Bound::{Excluded, Included};
    match (lower, upper) {
        (Included(l), Included(u)) => l > u,
        (Included(l) | Excluded(l), Excluded(u)) | (Excluded(l), Included(u)) => l >= u,
        _ => false,
    }
}

/// How the statement log shows a range with both bounds: `a >= 1000 AND a < 1500`.
pub(crate) fn range_method(
    index_name: &str,
    expr_sql: &str,
    range: &BoundedRange<'_>,
    descending: bool,
) -> AccessMethod {
    let (li, lower) = range.lower;
    let (ui, upper) = range.upper;
    AccessMethod::IndexRange {
        index: index_name.to_string(),
        condition: format!(
            "{expr_sql} {} {} AND {expr_sql} {} {}",
            if li { ">=" } else { ">" },
            value_sql(lower),
            if ui { "<=" } else { "<" },
            value_sql(upper)
        ),
        descending,
    }
}

/// How the statement log shows a seek of each value: `parent_id IN (1, 6, 11)`, or the
/// first five and how many in all.
pub(crate) fn seek_each_method(index_name: &str, expr_sql: &str, values: &[Value]) -> AccessMethod {
    let shown: Vec<String> = values.iter().take(5).map(value_sql).collect();
    let list = if values.len() > shown.len() {
        format!("{}, … {} values", shown.join(", "), values.len())
    } else {
        shown.join(", ")
    };
    AccessMethod::IndexSeek {
        index: index_name.to_string(),
        condition: format!("{expr_sql} IN ({list})"),
    }
}
