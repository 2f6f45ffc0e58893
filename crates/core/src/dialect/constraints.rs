//! Row-level constraints, checked by the engine's storage as each row is written: types
//! (length, precision, ranges, JSON, enums), SERIAL defaults, NOT NULL, CHECK and UNIQUE.
//! Foreign keys are checked at the end of the statement (see `foreign`).

use super::errors;
use crate::engine::storage_api::{IndexKind, Table};
use gluesql::core::data::{Key, Row, Value};
use gluesql::core::error::{Error, Result};
use gluesql::core::executor::{evaluate_stateless, RowContext};
use gluesql::core::plan::plan_scalar_expr;
use im::OrdMap;
use std::borrow::Cow;
use std::rc::Rc;

/// Checks and completes one row about to be written to `table`. `inserted` is Some for an
/// INSERT, with the columns it gives values for: a SERIAL column it leaves out (NULL here)
/// takes its sequence's next value. Every column is completed before NOT NULL is checked,
/// as PostgreSQL builds the whole row first (the DETAIL shows it).
pub(crate) fn check_row(
    table: &mut Table,
    enums: &OrdMap<String, Rc<Vec<String>>>,
    values: &mut [Value],
    inserted: Option<&[String]>,
) -> Result<()> {
    let table_name = table.schema.table_name.clone();
    // Values first: a value that does not fit its column fails before the row takes a
    // sequence number (PostgreSQL folds such a constant while planning, before nextval).
    for (position, column) in table.meta.columns.iter().enumerate() {
        let Some(value) = values.get_mut(position) else {
            break;
        };
        if value.is_null() {
            continue;
        }
        let labels = match &column.ty {
            super::types::PgType::Enum(name) => enums.get(name).map(|l| l.as_slice()),
            _ => None,
        };
        *value = column
            .ty
            .coerce(std::mem::replace(value, Value::Null), labels)
            .map_err(errors::msg)?;
    }
    let mut null_in = None;
    for (position, column) in table.meta.columns.iter_mut().enumerate() {
        let Some(value) = values.get_mut(position) else {
            break;
        };
        let left_out = inserted.is_some_and(|named| !named.contains(&column.name));
        if left_out && value.is_null() {
            if let Some(last) = column.sequence.as_mut() {
                *last += 1;
                *value = Value::I64(*last);
            }
        }
        if value.is_null() && column.not_null && null_in.is_none() {
            null_in = Some(column.name.clone());
        }
    }
    if let Some(column) = null_in {
        let message = errors::not_null(&column, &table_name);
        return Err(errors::msg(format!(
            "{message}\nDETAIL:  {}",
            failing_row(&table.meta.columns, values)
        )));
    }
    if table.meta.checks.is_empty() {
        return Ok(());
    }
    for check in &table.meta.checks {
        if !check_passes(&table_name, &table.columns, values, &check.expr)? {
            let message = errors::check(&table_name, &check.name);
            return Err(errors::msg(format!(
                "{message}\nDETAIL:  {}",
                failing_row(&table.meta.columns, values)
            )));
        }
    }
    Ok(())
}

fn failing_row(columns: &[super::catalog::ColumnMeta], values: &[Value]) -> String {
    super::output::failing_row(values.iter().zip(columns.iter().map(|c| &c.ty)))
}

/// Whether a CHECK condition holds for a row: true or NULL pass, as in PostgreSQL.
pub(crate) fn check_passes(
    table: &str,
    columns: &Rc<[String]>,
    values: &[Value],
    expr: &gluesql::core::ast::Expr,
) -> Result<bool> {
    let row = Row {
        columns: Rc::clone(columns),
        values: values.to_vec(),
    };
    let context = RowContext::new(table, Cow::Owned(row), None);
    let value: Value =
        evaluate_stateless(Some(context), &plan_scalar_expr(expr.clone()))?.try_into()?;
    Ok(!matches!(value, Value::Bool(false)))
}

/// PostgreSQL's error for a repeated primary key.
pub(crate) fn duplicate_primary_key(table: &Table, key: &Key) -> Error {
    errors::msg(primary_key_message(table, key))
}

/// PostgreSQL's message and DETAIL for a repeated primary key.
pub(crate) fn primary_key_message(table: &Table, key: &Key) -> String {
    let (name, columns) = match table.meta.primary_key.as_ref() {
        Some(k) => (k.name.clone(), k.columns.clone()),
        None => (format!("{}_pkey", table.schema.table_name), Vec::new()),
    };
    let message = errors::unique(&name);
    if columns.len() == 1 {
        let value = Value::from(key.clone());
        let detail = super::output::key_text(&columns, &[value]);
        format!("{message}\nDETAIL:  {detail} already exists.")
    } else {
        message
    }
}

/// After rows were written: no unique index may now hold two rows with the same key
/// (NULLs are distinct, and a partial index only holds the rows it covers).
/// An index key expression as PostgreSQL deparses it in a DETAIL: a column, or `lower`/
/// `upper` of one (a VARCHAR argument shown with its implicit `::text` cast).
fn key_expr_text(table: &Table, expr: &gluesql::core::ast::Expr) -> Option<String> {
    use gluesql::core::ast::{Expr, Function};
    let column_text = |name: &str| -> String {
        let varchar = table
            .meta
            .columns
            .iter()
            .any(|c| c.name == name && matches!(c.ty, super::types::PgType::Varchar(_)));
        if varchar {
            format!("{name}::text")
        } else {
            name.to_string()
        }
    };
    match expr {
        Expr::Identifier(name) => Some(name.clone()),
        Expr::Function(function) => match function.as_ref() {
            Function::Lower(Expr::Identifier(c)) => Some(format!("lower({})", column_text(c))),
            Function::Upper(Expr::Identifier(c)) => Some(format!("upper({})", column_text(c))),
            _ => None,
        },
        _ => None,
    }
}

/// [`check_unique`] for building a unique index over rows already there: PostgreSQL's
/// `could not create unique index` with the duplicated key.
pub(crate) fn check_unique_on_create(
    table: &Table,
    written: &[Key],
    name: &str,
) -> std::result::Result<(), crate::engine::EngineError> {
    check_unique(table, written).map_err(|error| {
        let mut message = format!("could not create unique index \"{name}\"");
        if let Error::StorageMsg(text) = &error {
            if let Some((_, detail)) = text.split_once("\nDETAIL:  ") {
                let key = detail.trim_end_matches(" already exists.");
                message.push_str(&format!("\nDETAIL:  {key} is duplicated."));
            }
        }
        errors::plain(message)
    })
}

pub(crate) fn check_unique(table: &Table, written: &[Key]) -> Result<()> {
    let table_name = &table.schema.table_name;
    for index in &table.indexes {
        if !index.kind.is_unique() || index.kind == IndexKind::PrimaryKey {
            continue;
        }
        for row_key in written {
            let Some(values) = table.rows.get(row_key) else {
                continue;
            };
            if !index.covers(table_name, &table.columns, values)? {
                continue;
            }
            let key = index.key_of(table_name, &table.columns, values)?;
            if matches!(key, Key::None) {
                continue;
            }
            let Some(bucket) = index.entries.get(&key) else {
                continue;
            };
            if bucket.len() < 2 {
                continue;
            }
            let rest = index.rest_values(table_name, &table.columns, values)?;
            if rest.iter().any(Value::is_null) {
                continue;
            }
            for other in bucket.iter().filter(|k| *k != row_key) {
                let Some(other_values) = table.rows.get(other) else {
                    continue;
                };
                let other_rest = index.rest_values(table_name, &table.columns, other_values)?;
                let same = rest
                    .iter()
                    .zip(&other_rest)
                    .all(|(a, b)| a.evaluate_eq(b) == gluesql::core::data::Tribool::True);
                if same {
                    let message = errors::unique(&index.name);
                    // PostgreSQL deparses an expression key (`lower(email::text)`); the
                    // DETAIL names columns and one-column functions of them only.
                    let columns: Option<Vec<String>> =
                        index.exprs().map(|e| key_expr_text(table, e)).collect();
                    let Some(columns) = columns else {
                        return Err(errors::msg(message));
                    };
                    let mut key_values =
                        vec![index.value_of(table_name, &table.columns, values)?];
                    key_values.extend(rest);
                    let detail = super::output::key_text(&columns, &key_values);
                    return Err(errors::msg(format!(
                        "{message}\nDETAIL:  {detail} already exists."
                    )));
                }
            }
        }
    }
    Ok(())
}
