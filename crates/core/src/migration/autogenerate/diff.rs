//! The comparison autogenerate makes between the database (the original models, as
//! reflected) and the metadata (the edited models), in Alembic 1.x's order.

use super::ops::{AlterColumn, Op, ServerDefault, Side, UniqueKey};
use super::reflect;
use crate::model::ir::{Column, Constraint, Index, ModelIr, Table};
use crate::model::sort::create_order;

/// The upgrade operations from `before` to `after`.
pub fn compare(before: &ModelIr, after: &ModelIr) -> Vec<Op> {
    let mut ops = Vec::new();
    // New tables, in MetaData.sorted_tables order (dependencies first, by name within).
    let order = create_order(after);
    for layer in &order.layers {
        let mut names: Vec<&Table> = layer.iter().map(|&t| &after.tables[t]).collect();
        names.sort_by(|a, b| a.name.cmp(&b.name));
        for table in names {
            if before.table(&table.name).is_none() {
                ops.push(Op::CreateTable {
                    table: table.clone(),
                    side: Side::Model,
                });
                indexes_and_uniques(&mut ops, &table.name, None, Some(table));
                foreign_keys(&mut ops, &table.name, None, Some(table));
            }
        }
    }
    // Dropped tables (Alembic iterates a set; one at a time is stable).
    for table in &before.tables {
        if after.table(&table.name).is_none() {
            indexes_and_uniques(&mut ops, &table.name, Some(table), None);
            ops.push(Op::DropTable {
                table: table.clone(),
                side: Side::Database,
            });
        }
    }
    // Kept tables, by name.
    let mut kept: Vec<(&Table, &Table)> = after
        .tables
        .iter()
        .filter_map(|t| Some((before.table(&t.name)?, t)))
        .collect();
    kept.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    for (old, new) in kept {
        columns_and_table(&mut ops, old, new);
    }
    ops
}

fn columns_and_table(ops: &mut Vec<Op>, old: &Table, new: &Table) {
    for column in &new.columns {
        if old.column(&column.name).is_none() {
            ops.push(Op::AddColumn {
                table: new.name.clone(),
                column: column.clone(),
                side: Side::Model,
            });
        }
    }
    for column in &new.columns {
        if let Some(existing) = old.column(&column.name) {
            if let Some(alter) = alter_column(&new.name, existing, column) {
                ops.push(Op::AlterColumn(alter));
            }
        }
    }
    indexes_and_uniques(ops, &new.name, Some(old), Some(new));
    foreign_keys(ops, &new.name, Some(old), Some(new));
    let (was, is) = (
        old.comment.as_deref().filter(|c| !c.is_empty()),
        new.comment.as_deref().filter(|c| !c.is_empty()),
    );
    if was != is {
        ops.push(Op::TableComment {
            table: new.name.clone(),
            comment: is.map(str::to_string),
            existing: was.map(str::to_string),
        });
    }
    for column in &old.columns {
        if new.column(&column.name).is_none() {
            ops.push(Op::DropColumn {
                table: new.name.clone(),
                column: column.clone(),
                side: Side::Database,
            });
        }
    }
}

/// The column comparators: type, nullable, server default, comment.
fn alter_column(table: &str, old: &Column, new: &Column) -> Option<AlterColumn> {
    let existing_default = ServerDefault::of(old, Side::Database);
    let new_default = ServerDefault::of(new, Side::Model);
    let defaults_differ = !reflect::same_default(
        existing_default.as_ref().map(|d| d.sql.as_str()),
        new_default.as_ref().map(|d| d.sql.as_str()),
    );
    let (old_comment, new_comment) = (
        old.comment.clone().filter(|c| !c.is_empty()),
        new.comment.clone().filter(|c| !c.is_empty()),
    );
    let alter = AlterColumn {
        table: table.to_string(),
        column: new.name.clone(),
        existing_type: (old.sql_type.clone(), Side::Database),
        modify_type: (old.sql_type != new.sql_type).then(|| (new.sql_type.clone(), Side::Model)),
        existing_nullable: old.nullable,
        modify_nullable: (old.nullable != new.nullable).then_some(new.nullable),
        existing_server_default: existing_default,
        modify_server_default: defaults_differ.then_some(new_default),
        existing_comment: old_comment.clone(),
        modify_comment: (old_comment != new_comment).then_some(new_comment),
        autoincrement: new.autoincrement,
    };
    let changed = alter.modify_type.is_some()
        || alter.modify_nullable.is_some()
        || alter.modify_server_default.is_some()
        || alter.modify_comment.is_some();
    changed.then_some(alter)
}

/// A unique constraint or an index, by the name the comparison keys it by.
#[derive(Clone)]
enum Keyed {
    Unique(UniqueKey),
    Index(Index, bool),
}

fn uniques(table: &Table, side: Side) -> Vec<UniqueKey> {
    table
        .constraints
        .iter()
        .filter_map(|c| match c {
            Constraint::Unique { name, columns } => Some(match side {
                Side::Model => UniqueKey {
                    name: name.clone(),
                    columns: columns.clone(),
                    conventional: name
                        .as_ref()
                        .is_some_and(|n| table.conventional_names.contains(n)),
                },
                Side::Database => UniqueKey {
                    name: Some(reflect::unique_name(&table.name, name, columns)),
                    columns: columns.clone(),
                    conventional: true,
                },
            }),
            _ => None,
        })
        .collect()
}

fn named(table: &Table, side: Side) -> Vec<(String, Keyed)> {
    let mut out: Vec<(String, Keyed)> = uniques(table, side)
        .into_iter()
        .filter_map(|u| Some((u.name.clone()?, Keyed::Unique(u))))
        .collect();
    for index in &table.indexes {
        let conventional = side == Side::Database || table.conventional_names.contains(&index.name);
        let mut index = index.clone();
        if side == Side::Database {
            index.where_sql = index.where_sql.as_deref().map(reflect::where_sql);
        }
        out.push((index.name.clone(), Keyed::Index(index, conventional)));
    }
    out
}

fn same_index(a: &Index, b: &Index) -> bool {
    let normal = |w: &Option<String>| w.as_deref().map(|w| reflect::where_sql(w.trim()));
    a.elements == b.elements
        && a.unique == b.unique
        && normal(&a.where_sql) == normal(&b.where_sql)
        && a.options == b.options
}

/// `_compare_indexes_and_uniques`: removed by name, changed by name, added by name, then
/// unnamed unique constraints by their columns. A new or dropped table's unique
/// constraints are inline in CREATE TABLE and not listed.
fn indexes_and_uniques(ops: &mut Vec<Op>, table: &str, old: Option<&Table>, new: Option<&Table>) {
    let conn = old.map(|t| named(t, Side::Database)).unwrap_or_default();
    let meta = new.map(|t| named(t, Side::Model)).unwrap_or_default();
    let whole_table = old.is_none() || new.is_none();
    let unnamed_meta: Vec<UniqueKey> = new
        .map(|t| uniques(t, Side::Model))
        .unwrap_or_default()
        .into_iter()
        .filter(|u| u.name.is_none())
        .collect();
    let conn_unique_columns: Vec<Vec<String>> = conn
        .iter()
        .filter_map(|(_, k)| match k {
            Keyed::Unique(u) => Some(u.columns.clone()),
            Keyed::Index(..) => None,
        })
        .collect();
    let find = |list: &[(String, Keyed)], name: &str| -> Option<Keyed> {
        list.iter().find(|(n, _)| n == name).map(|(_, k)| k.clone())
    };
    let removed = |ops: &mut Vec<Op>, keyed: Keyed| match keyed {
        Keyed::Index(index, conventional) => ops.push(Op::DropIndex {
            table: table.to_string(),
            index,
            side: Side::Database,
            conventional,
        }),
        Keyed::Unique(unique) if !whole_table => ops.push(Op::DropUnique {
            table: table.to_string(),
            unique,
            side: Side::Database,
        }),
        Keyed::Unique(_) => {}
    };
    let added = |ops: &mut Vec<Op>, keyed: Keyed| match keyed {
        Keyed::Index(index, conventional) => ops.push(Op::CreateIndex {
            table: table.to_string(),
            index,
            side: Side::Model,
            conventional,
        }),
        Keyed::Unique(unique) if !whole_table => ops.push(Op::AddUnique {
            table: table.to_string(),
            unique,
            side: Side::Model,
        }),
        Keyed::Unique(_) => {}
    };
    let mut conn_names: Vec<&String> = conn.iter().map(|(n, _)| n).collect();
    conn_names.sort();
    let mut meta_names: Vec<&String> = meta.iter().map(|(n, _)| n).collect();
    meta_names.sort();
    for name in &conn_names {
        if meta_names.contains(name) {
            continue;
        }
        let keyed = find(&conn, name).expect("listed");
        if let Keyed::Unique(u) = &keyed {
            if unnamed_meta.iter().any(|m| m.columns == u.columns) {
                continue;
            }
        }
        removed(ops, keyed);
    }
    for name in &meta_names {
        if !conn_names.contains(name) {
            continue;
        }
        let (was, is) = (
            find(&conn, name).expect("listed"),
            find(&meta, name).expect("listed"),
        );
        let differs = match (&was, &is) {
            (Keyed::Index(a, _), Keyed::Index(b, _)) => !same_index(a, b),
            (Keyed::Unique(a), Keyed::Unique(b)) => a.columns != b.columns,
            _ => true,
        };
        if differs {
            removed(ops, was);
            added(ops, is);
        }
    }
    for name in &meta_names {
        if !conn_names.contains(name) {
            added(ops, find(&meta, name).expect("listed"));
        }
    }
    for unique in unnamed_meta {
        if !conn_unique_columns.contains(&unique.columns) {
            added(ops, Keyed::Unique(unique));
        }
    }
}

/// `_compare_foreign_keys`: by columns, referred table and columns, and actions.
fn foreign_keys(ops: &mut Vec<Op>, table: &str, old: Option<&Table>, new: Option<&Table>) {
    // A new table's foreign keys are inline in its CREATE TABLE; a dropped one's go with it.
    let (Some(old), Some(new)) = (old, new) else {
        return;
    };
    let signature = |fk: &crate::model::ir::ForeignKey| {
        (
            fk.columns.clone(),
            fk.ref_table.clone(),
            fk.ref_columns.clone(),
            fk.ondelete.clone().map(|a| a.to_uppercase()),
            fk.onupdate.clone().map(|a| a.to_uppercase()),
        )
    };
    for fk in old.foreign_keys() {
        if !new.foreign_keys().any(|n| signature(n) == signature(fk)) {
            let mut reflected = fk.clone();
            reflected.name = Some(reflect::foreign_key_name(table, fk));
            ops.push(Op::DropForeignKey {
                table: table.to_string(),
                fk: reflected,
                side: Side::Database,
                conventional: true,
            });
        }
    }
    for fk in new.foreign_keys() {
        if !old.foreign_keys().any(|o| signature(o) == signature(fk)) {
            ops.push(Op::AddForeignKey {
                table: table.to_string(),
                fk: fk.clone(),
                side: Side::Model,
                conventional: fk
                    .name
                    .as_ref()
                    .is_some_and(|n| new.conventional_names.contains(n)),
            });
        }
    }
}
