//! Foreign keys, checked when a statement has written its rows (as PostgreSQL checks NO
//! ACTION keys at the end of the statement): deleted or re-keyed parents apply their
//! ON DELETE / ON UPDATE action to the children (CASCADE, SET NULL, SET DEFAULT, RESTRICT,
//! NO ACTION), then every written child row must find its parent.

use super::catalog::{FkAction, ForeignKey};
use super::constraints::check_row;
use super::errors::{self, msg};
use crate::engine::storage_api::{AccessMethod, Change, EngineStorage, Table};
use gluesql::core::data::{Key, Tribool, Value};
use gluesql::core::error::Result;
use gluesql::core::executor::evaluate_stateless;
use gluesql::core::plan::plan_scalar_expr;
use std::rc::Rc;

/// Every foreign key in the database, with the table that holds it.
fn all_foreign_keys(storage: &EngineStorage) -> Vec<(String, ForeignKey)> {
    storage
        .state
        .tables
        .values()
        .flat_map(|t| {
            t.meta
                .foreign_keys
                .iter()
                .map(|fk| (t.schema.table_name.clone(), fk.clone()))
        })
        .collect()
}

fn column_values(table: &Table, values: &[Value], columns: &[String]) -> Vec<Value> {
    columns
        .iter()
        .map(|c| {
            table
                .meta
                .position(c)
                .and_then(|p| values.get(p).cloned())
                .unwrap_or(Value::Null)
        })
        .collect()
}

fn same(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.evaluate_eq(y) == Tribool::True)
}

/// Applies the foreign keys to the rows the statement changed; an error undoes the
/// statement (the caller restores the state).
pub(crate) fn enforce(storage: &mut EngineStorage) -> Result<()> {
    if storage.changes.is_empty() {
        return Ok(());
    }
    let fks = all_foreign_keys(storage);
    if fks.is_empty() {
        return Ok(());
    }
    let mut index = 0;
    while index < storage.changes.len() {
        let change = storage.changes[index].clone();
        index += 1;
        let (parent, old, new) = match &change {
            Change::Put {
                table,
                key,
                old: Some(old),
            } => {
                let new = storage
                    .state
                    .tables
                    .get(table)
                    .and_then(|t| t.rows.get(key))
                    .cloned();
                (table, old.clone(), new)
            }
            Change::Deleted { table, old, .. } => (table, old.clone(), None),
            Change::Put { old: None, .. } => continue,
        };
        for (child, fk) in fks.iter().filter(|(_, fk)| &fk.ref_table == parent) {
            parent_changed(
                storage,
                parent,
                &old,
                new.as_ref().map(|n| n.as_slice()),
                child,
                fk,
            )?;
        }
    }
    // Every written child row must reference an existing parent.
    let changes = std::mem::take(&mut storage.changes);
    for change in &changes {
        let Change::Put { table, key, .. } = change else {
            continue;
        };
        let Some(child) = storage.state.tables.get(table) else {
            continue;
        };
        if child.meta.foreign_keys.is_empty() {
            continue;
        }
        let Some(values) = child.rows.get(key).cloned() else {
            continue;
        };
        for fk in &child.meta.foreign_keys {
            let wanted = column_values(child, &values, &fk.columns);
            if wanted.iter().any(Value::is_null) {
                continue;
            }
            if !parent_exists(storage, &fk.ref_table, &fk.ref_columns, &wanted)? {
                let key = super::output::key_text(&fk.columns, &wanted);
                return Err(msg(format!(
                    "{}\nDETAIL:  {key} is not present in table \"{}\".",
                    errors::fk_insert(table, &fk.name),
                    fk.ref_table
                )));
            }
        }
    }
    storage.changes = changes;
    Ok(())
}

fn parent_exists(
    storage: &EngineStorage,
    parent: &str,
    columns: &[String],
    wanted: &[Value],
) -> Result<bool> {
    let Some(table) = storage.state.tables.get(parent) else {
        return Ok(false);
    };
    // The primary key: one lookup.
    if let Some(position) = table.primary_key_position() {
        if columns.len() == 1 && table.meta.columns[position].name == columns[0] {
            let slot = storage.probe.open(parent, AccessMethod::PrimaryKeyLookup);
            let Ok(key) = Key::try_from(wanted[0].clone()) else {
                return Ok(false);
            };
            return Ok(match table.rows.get(&key) {
                Some(_) => {
                    storage.probe.count_row(slot)?;
                    true
                }
                None => false,
            });
        }
    }
    let found = matching_rows(storage, table, columns, wanted, 1)?;
    Ok(!found.is_empty())
}

/// Rows of `table` whose `columns` equal `wanted`: through an index on the first column
/// when there is one, else a full scan (both counted in the statement's accesses).
fn matching_rows(
    storage: &EngineStorage,
    table: &Table,
    columns: &[String],
    wanted: &[Value],
    limit: usize,
) -> Result<Vec<Key>> {
    let name = &table.schema.table_name;
    let first = gluesql::core::ast::Expr::Identifier(columns[0].clone());
    // The primary key (rows are stored by it) or an index led by the first column.
    if let Some(position) = table.primary_key_position() {
        if columns.len() == 1 && table.meta.columns[position].name == columns[0] {
            let slot = storage.probe.open(name, AccessMethod::PrimaryKeyLookup);
            let Ok(key) = Key::try_from(wanted[0].clone()) else {
                return Ok(Vec::new());
            };
            return Ok(match table.rows.get(&key) {
                Some(_) => {
                    storage.probe.count_row(slot)?;
                    vec![key]
                }
                None => Vec::new(),
            });
        }
    }
    let index = table.indexes.iter().find(|i| {
        i.expr == first
            && i.predicate.is_none()
            && i.kind != crate::engine::storage_api::IndexKind::PrimaryKey
    });
    let mut out = Vec::new();
    let candidates: Box<dyn Iterator<Item = (&Key, &Rc<Vec<Value>>)>> = match index {
        Some(index) => {
            let slot = storage.probe.open(
                name,
                AccessMethod::IndexSeek {
                    index: index.name.clone(),
                    condition: format!(
                        "{} = {}",
                        columns[0],
                        crate::engine::storage_api::value_sql(&wanted[0])
                    ),
                },
            );
            let key = Key::try_from(wanted[0].clone())?;
            let keys: Vec<Key> = index
                .entries
                .get(&key)
                .map(|set| set.iter().cloned().collect())
                .unwrap_or_default();
            let mut rows = Vec::new();
            for key in keys {
                if let Some((k, v)) = table.rows.get_key_value(&key) {
                    storage.probe.count_row(slot)?;
                    rows.push((k, v));
                }
            }
            Box::new(rows.into_iter())
        }
        None => {
            let slot = storage.probe.open(name, AccessMethod::FullScan);
            let mut rows = Vec::new();
            for (k, v) in table.rows.iter() {
                storage.probe.count_row(slot)?;
                rows.push((k, v));
            }
            Box::new(rows.into_iter())
        }
    };
    for (key, values) in candidates {
        if same(&column_values(table, values, columns), wanted) {
            out.push(key.clone());
            if out.len() >= limit {
                break;
            }
        }
    }
    Ok(out)
}

fn parent_changed(
    storage: &mut EngineStorage,
    parent: &str,
    old: &[Value],
    new: Option<&[Value]>,
    child_name: &str,
    fk: &ForeignKey,
) -> Result<()> {
    let Some(parent_table) = storage.state.tables.get(parent) else {
        return Ok(());
    };
    let old_ref = column_values(parent_table, old, &fk.ref_columns);
    if old_ref.iter().any(Value::is_null) {
        return Ok(());
    }
    let new_ref = new.map(|n| column_values(parent_table, n, &fk.ref_columns));
    if new_ref.as_deref().is_some_and(|n| same(n, &old_ref)) {
        return Ok(());
    }
    let Some(child) = storage.state.tables.get(child_name) else {
        return Ok(());
    };
    let children = matching_rows(storage, child, &fk.columns, &old_ref, usize::MAX)?;
    if children.is_empty() {
        return Ok(());
    }
    let action = if new.is_none() {
        fk.on_delete
    } else {
        fk.on_update
    };
    if !matches!(action, FkAction::NoAction | FkAction::Restrict) {
        let label = format!(
            "ON {} {}",
            if new.is_none() { "DELETE" } else { "UPDATE" },
            action.sql()
        );
        let rows = children.len() as u64;
        match storage
            .constraint_actions
            .iter_mut()
            .find(|a| a.table == child_name && a.constraint == fk.name && a.action == label)
        {
            Some(existing) => existing.rows += rows,
            None => storage
                .constraint_actions
                .push(super::catalog::ConstraintAction {
                    table: child_name.to_string(),
                    constraint: fk.name.clone(),
                    action: label,
                    rows,
                }),
        }
    }
    let enums = storage.state.enums.clone();
    let child = storage
        .state
        .tables
        .get_mut(child_name)
        .expect("child table exists");
    match action {
        FkAction::NoAction | FkAction::Restrict => {
            let key = super::output::key_text(&fk.ref_columns, &old_ref);
            return Err(msg(format!(
                "{}\nDETAIL:  {key} is still referenced from table \"{child_name}\".",
                errors::fk_delete(parent, &fk.name, child_name)
            )));
        }
        FkAction::Cascade if new.is_none() => {
            for key in children {
                if let Some(old) = child.delete_row(&key)? {
                    storage.changes.push(Change::Deleted {
                        table: child_name.to_string(),
                        old,
                    });
                }
            }
        }
        FkAction::Cascade | FkAction::SetNull | FkAction::SetDefault => {
            for key in children {
                let Some(old) = child.rows.get(&key).cloned() else {
                    continue;
                };
                let mut values = old.as_ref().clone();
                for (i, column) in fk.columns.iter().enumerate() {
                    let Some(position) = child.meta.position(column) else {
                        continue;
                    };
                    values[position] = match action {
                        FkAction::Cascade => new_ref.as_ref().expect("an update")[i].clone(),
                        FkAction::SetNull => Value::Null,
                        _ => match child
                            .schema
                            .column_defs
                            .as_ref()
                            .and_then(|d| d.get(position))
                            .and_then(|d| d.default.clone())
                        {
                            Some(default) => {
                                evaluate_stateless(None, &plan_scalar_expr(default))?.try_into()?
                            }
                            None => Value::Null,
                        },
                    };
                }
                check_row(child, &enums, &mut values, None)?;
                child.put_row(key.clone(), values)?;
                storage.changes.push(Change::Put {
                    table: child_name.to_string(),
                    key,
                    old: Some(old),
                });
            }
        }
    }
    Ok(())
}
