//! `UNION [ALL]`, `INTERSECT [ALL]` and `EXCEPT [ALL]`, with ORDER BY, LIMIT and OFFSET
//! on the whole, as PostgreSQL answers them. GlueSQL 0.20 has no set operations: each
//! branch runs as a query of its own through the whole front (so it answers as
//! PostgreSQL, reads through indexes, and counts in the statement's rows examined), and
//! this module combines the rows: duplicates removed by PostgreSQL's rule (NULLs equal),
//! the branches' column types resolved as PostgreSQL resolves them (integer and numeric
//! give numeric; integer and text cannot be matched), then sorted and cut.
//!
//! Set operations inside a subquery, a CTE or FROM are not handled here (GlueSQL refuses
//! them, and so does the playground).

use super::types::PgType;
use crate::engine::storage_api::Run;
use crate::engine::{Database, EngineError, SqlState};
use gluesql::core::executor::Payload;
use gluesql::core::sqlparser::ast::{
    Expr, OrderByExpr, SetExpr, SetOperator, SetQuantifier, Statement, Value as SqlValue,
};
use gluesql::prelude::Value;
use std::cmp::Ordering;
use std::collections::HashMap;

/// One branch's (or combination's) result.
struct Rows {
    labels: Vec<String>,
    rows: Vec<Vec<Value>>,
    types: Vec<Option<PgType>>,
    /// Each branch's own column names, in order (for PostgreSQL's ORDER BY hint).
    branches: Vec<Vec<String>>,
}

/// Whether `statement` is a set operation this module answers.
pub(crate) fn is_set_operation(statement: &Statement) -> bool {
    matches!(statement, Statement::Query(q) if q.with.is_none() && matches!(q.body.as_ref(), SetExpr::SetOperation { .. }))
}

impl Database {
    pub(crate) fn set_operation(
        &mut self,
        statement: &Statement,
        run: &mut Run,
    ) -> Result<Payload, EngineError> {
        let Statement::Query(query) = statement else {
            unreachable!("checked by is_set_operation");
        };
        run.command = Some("SELECT".into());
        let mut combined = self.set_rows(&query.body)?;
        if let Some(order_by) = &query.order_by {
            sort(&mut combined, &order_by.exprs)?;
        }
        let offset = match &query.offset {
            Some(offset) if matches!(offset.value, Expr::Value(SqlValue::Null)) => 0,
            Some(offset) => count(&offset.value)?,
            None => 0,
        };
        let limit = match &query.limit {
            Some(limit) => Some(count(limit)?),
            None => None,
        };
        let rows: Vec<Vec<Value>> = combined
            .rows
            .into_iter()
            .skip(offset)
            .take(limit.unwrap_or(usize::MAX))
            .collect();
        run.result_types = combined.types;
        Ok(Payload::Select {
            labels: combined.labels,
            rows,
        })
    }

    fn set_rows(&mut self, body: &SetExpr) -> Result<Rows, EngineError> {
        match body {
            SetExpr::SetOperation {
                op,
                set_quantifier,
                left,
                right,
            } => {
                let left = self.set_rows(left)?;
                let right = self.set_rows(right)?;
                combine(*op, set_quantifier, left, right)
            }
            SetExpr::Query(query) => self.branch(&query.to_string()),
            other => self.branch(&other.to_string()),
        }
    }

    /// One branch, run as its own query.
    fn branch(&mut self, sql: &str) -> Result<Rows, EngineError> {
        let mut run = Run::default();
        match self.run_finished(sql, &mut run)? {
            Payload::Select { labels, rows } => {
                let mut types = run.result_types;
                types.resize(labels.len(), None);
                Ok(Rows {
                    branches: vec![labels.clone()],
                    labels,
                    rows,
                    types,
                })
            }
            _ => Err(EngineError::unsupported("this branch of a set operation")),
        }
    }
}

fn operator_name(op: SetOperator) -> &'static str {
    match op {
        SetOperator::Union => "UNION",
        SetOperator::Intersect => "INTERSECT",
        SetOperator::Except => "EXCEPT",
    }
}

/// The branches' column types as PostgreSQL resolves them, converting values to match.
fn resolve_types(op: SetOperator, left: &mut Rows, right: &mut Rows) -> Result<(), EngineError> {
    use super::typing::{base_name, category, Category};
    let rank = |t: &PgType| match t {
        PgType::SmallInt => 0,
        PgType::Integer => 1,
        PgType::BigInt => 2,
        PgType::Numeric { .. } => 3,
        PgType::Real => 4,
        PgType::Double => 5,
        _ => 0,
    };
    for position in 0..left.types.len() {
        // A quoted literal (no type yet) takes the other branch's number type, as
        // PostgreSQL reads `SELECT 1 UNION SELECT '2'`.
        let left_type = left.types[position].clone();
        adopt_number_type(left_type, right, position)?;
        let right_type = right.types[position].clone();
        adopt_number_type(right_type, left, position)?;
        let (Some(l), Some(r)) = (left.types[position].clone(), right.types[position].clone())
        else {
            continue;
        };
        let (lc, rc) = (category(&l), category(&r));
        if lc != rc && lc != Category::Other && rc != Category::Other {
            return Err(EngineError::coded(
                SqlState::DATATYPE_MISMATCH,
                format!(
                    "{} types {} and {} cannot be matched",
                    operator_name(op),
                    base_name(&l),
                    base_name(&r)
                ),
            ));
        }
        if lc != Category::Number || l == r {
            continue;
        }
        let resolved = match (rank(&l), rank(&r)) {
            // Branches of different types: the common type, without a length or scale.
            (3, _) | (_, 3) => PgType::Numeric {
                precision: None,
                scale: None,
            },
            (a, b) if a >= b => l,
            _ => r,
        };
        for rows in [&mut *left, &mut *right] {
            rows.types[position] = Some(resolved.clone());
            for row in rows.rows.iter_mut() {
                if let Some(value) = row.get_mut(position) {
                    *value = convert(std::mem::replace(value, Value::Null), &resolved);
                }
            }
        }
    }
    Ok(())
}

/// Untyped (quoted-literal) values of column `position` read as the number type `ty`.
fn adopt_number_type(
    ty: Option<PgType>,
    untyped: &mut Rows,
    position: usize,
) -> Result<(), EngineError> {
    use super::typing::{base_name, category, Category};
    let Some(ty) = ty.filter(|t| category(t) == Category::Number) else {
        return Ok(());
    };
    if untyped.types[position].is_some() {
        return Ok(());
    }
    for row in untyped.rows.iter_mut() {
        if let Some(Value::Str(text)) = row.get(position) {
            let value = match text.trim().parse::<i64>() {
                Ok(n) => Value::I64(n),
                Err(_) => {
                    return Err(EngineError::new(format!(
                        "invalid input syntax for type {}: \"{text}\"",
                        base_name(&ty)
                    )))
                }
            };
            row[position] = value;
        }
    }
    untyped.types[position] = Some(ty);
    Ok(())
}

fn convert(value: Value, to: &PgType) -> Value {
    match (to, value) {
        (PgType::Numeric { .. }, Value::I64(n)) => Value::Decimal(n.into()),
        (PgType::Numeric { .. }, Value::I32(n)) => Value::Decimal(n.into()),
        (PgType::Numeric { .. }, Value::I16(n)) => Value::Decimal(n.into()),
        (PgType::Real | PgType::Double, Value::I64(n)) => Value::F64(n as f64),
        (PgType::Real | PgType::Double, Value::Decimal(d)) => {
            Value::F64(d.to_string().parse().unwrap_or(f64::NAN))
        }
        (_, value) => value,
    }
}

/// A row's identity for duplicate removal: NULLs equal each other, 1.0 equals 1.00.
pub(crate) fn row_key(row: &[Value]) -> Vec<String> {
    row.iter()
        .map(|v| match v {
            Value::Decimal(d) => format!("n:{}", d.normalize()),
            Value::Null => "null".to_string(),
            other => format!("{other:?}"),
        })
        .collect()
}

fn combine(
    op: SetOperator,
    quantifier: &SetQuantifier,
    mut left: Rows,
    mut right: Rows,
) -> Result<Rows, EngineError> {
    if left.labels.len() != right.labels.len() {
        return Err(EngineError::coded(
            SqlState::SYNTAX_ERROR,
            format!(
                "each {} query must have the same number of columns",
                operator_name(op)
            ),
        ));
    }
    let all = match quantifier {
        SetQuantifier::All => true,
        SetQuantifier::None | SetQuantifier::Distinct => false,
        _ => return Err(EngineError::unsupported("this set quantifier")),
    };
    resolve_types(op, &mut left, &mut right)?;
    let mut right_counts: HashMap<Vec<String>, usize> = HashMap::new();
    for row in &right.rows {
        *right_counts.entry(row_key(row)).or_default() += 1;
    }
    let mut seen: HashMap<Vec<String>, ()> = HashMap::new();
    let mut rows = Vec::new();
    match (op, all) {
        (SetOperator::Union, true) => {
            rows = left.rows;
            rows.extend(right.rows);
        }
        (SetOperator::Union, false) => {
            for row in left.rows.into_iter().chain(right.rows) {
                if seen.insert(row_key(&row), ()).is_none() {
                    rows.push(row);
                }
            }
        }
        (SetOperator::Intersect, _) => {
            for row in left.rows {
                let key = row_key(&row);
                let Some(remaining) = right_counts.get_mut(&key).filter(|n| **n > 0) else {
                    continue;
                };
                if all {
                    *remaining -= 1;
                    rows.push(row);
                } else if seen.insert(key, ()).is_none() {
                    rows.push(row);
                }
            }
        }
        (SetOperator::Except, _) => {
            for row in left.rows {
                let key = row_key(&row);
                let in_right = right_counts.get_mut(&key).filter(|n| **n > 0);
                if all {
                    match in_right {
                        Some(remaining) => *remaining -= 1,
                        None => rows.push(row),
                    }
                } else if in_right.is_none() && seen.insert(key, ()).is_none() {
                    rows.push(row);
                }
            }
        }
    }
    let mut branches = left.branches;
    branches.extend(right.branches);
    Ok(Rows {
        labels: left.labels,
        rows,
        types: left.types,
        branches,
    })
}

/// ORDER BY on the whole result: result column names or positions only, as PostgreSQL.
fn sort(rows: &mut Rows, order_by: &[OrderByExpr]) -> Result<(), EngineError> {
    let mut keys = Vec::new();
    for item in order_by {
        let position = match &item.expr {
            Expr::Identifier(ident) => rows.labels.iter().position(|l| *l == ident.value),
            Expr::Value(n @ SqlValue::Number(..)) => super::typing::number_literal(n)
                .and_then(|(text, _)| text.parse::<usize>().ok())
                .filter(|p| (1..=rows.labels.len()).contains(p))
                .map(|p| p - 1),
            _ => None,
        };
        let Some(position) = position else {
            return Err(match &item.expr {
                Expr::Identifier(ident) => {
                    let elsewhere = rows
                        .branches
                        .iter()
                        .position(|labels| labels.contains(&ident.value))
                        .map(|branch| {
                            format!(
                                "\nHINT:  There is a column named \"{}\" in table \"*SELECT* {}\", but it cannot be referenced from this part of the query.",
                                ident.value,
                                branch + 1
                            )
                        })
                        .unwrap_or_default();
                    EngineError::coded(
                        SqlState::UNDEFINED_COLUMN,
                        format!("column \"{}\" does not exist{elsewhere}", ident.value),
                    )
                }
                Expr::Value(_) => EngineError::coded(
                    SqlState::INVALID_COLUMN_REFERENCE,
                    format!("ORDER BY position {} is not in select list", item.expr),
                ),
                _ => EngineError::coded(
                    SqlState::FEATURE_NOT_SUPPORTED,
                    "invalid UNION/INTERSECT/EXCEPT ORDER BY clause\nDETAIL:  Only result column names can be used, not expressions or functions.\nHINT:  Add the expression/function to every SELECT, or move the UNION into a FROM clause.",
                ),
            });
        };
        let descending = item.asc == Some(false);
        // PostgreSQL: NULLs sort as larger than any value unless told otherwise.
        let nulls_first = item.nulls_first.unwrap_or(descending);
        keys.push((position, descending, nulls_first));
    }
    rows.rows.sort_by(|a, b| {
        for (position, descending, nulls_first) in &keys {
            let (x, y) = (&a[*position], &b[*position]);
            let ordering = match (x.is_null(), y.is_null()) {
                (true, true) => Ordering::Equal,
                (true, false) => {
                    if *nulls_first {
                        Ordering::Less
                    } else {
                        Ordering::Greater
                    }
                }
                (false, true) => {
                    if *nulls_first {
                        Ordering::Greater
                    } else {
                        Ordering::Less
                    }
                }
                (false, false) => {
                    let o = x.evaluate_cmp(y).unwrap_or(Ordering::Equal);
                    if *descending {
                        o.reverse()
                    } else {
                        o
                    }
                }
            };
            if ordering != Ordering::Equal {
                return ordering;
            }
        }
        Ordering::Equal
    });
    Ok(())
}

/// A LIMIT or OFFSET count (a non-negative integer constant; NULL or ALL is no limit).
fn count(expr: &Expr) -> Result<usize, EngineError> {
    match expr {
        Expr::Value(n @ SqlValue::Number(..)) => super::typing::number_literal(n)
            .and_then(|(text, _)| text.parse().ok())
            .ok_or_else(|| EngineError::unsupported("this LIMIT or OFFSET")),
        Expr::Value(SqlValue::Null) => Ok(usize::MAX),
        _ => Err(EngineError::unsupported(
            "a LIMIT or OFFSET that is not a constant on a set operation",
        )),
    }
}
