//! The whole-model pass: foreign keys checked against the tables of the file, types of
//! untyped foreign-key columns, primary keys, SERIAL, and the derived constraints and
//! indexes (`unique=True`, `index=True`) in SQLAlchemy's order and naming.

use std::collections::HashMap;

use super::super::ir::{Constraint, ForeignKey, Index, SqlType, Table};
use super::columns::ColumnSpec;
use super::{Lowerer, PendingTable};

impl Lowerer<'_> {
    pub(super) fn resolve(
        &mut self,
        mut pending: Vec<PendingTable>,
        table_vars: &HashMap<String, String>,
    ) -> Vec<Table> {
        // A table name defined twice: SQLAlchemy refuses; we keep the later one.
        let mut keep = vec![true; pending.len()];
        for (k, t) in pending.iter().enumerate() {
            if let Some(later) = pending[k + 1..]
                .iter()
                .find(|o| o.table.name == t.table.name)
            {
                self.error(
                    later.pos,
                    format!(
                        "table '{}' is already defined at line {}; this one replaces it",
                        t.table.name, t.pos.line
                    ),
                );
                keep[k] = false;
            }
        }
        let mut flags = keep.into_iter();
        pending.retain(|_| flags.next().unwrap_or(true));

        let class_tables: HashMap<String, String> = pending
            .iter()
            .filter_map(|p| {
                p.table
                    .class_name
                    .clone()
                    .map(|c| (c, p.table.name.clone()))
            })
            .collect();
        self.resolve_fk_targets(&mut pending, &class_tables);
        copy_foreign_key_types(&mut pending);

        let columns_by_table: HashMap<String, Vec<String>> = pending
            .iter()
            .map(|p| {
                (
                    p.table.name.clone(),
                    p.specs.iter().map(|s| s.column.name.clone()).collect(),
                )
            })
            .collect();
        let mut tables = Vec::new();
        for p in pending {
            let table = self.finish_table(p, &columns_by_table, table_vars);
            tables.push(table);
        }
        tables
    }

    /// `ForeignKey(User.id)` names a class attribute: turn it into `users.id`.
    fn resolve_fk_targets(
        &mut self,
        pending: &mut [PendingTable],
        class_tables: &HashMap<String, String>,
    ) {
        let attribute_names: HashMap<(String, String), String> = pending
            .iter()
            .flat_map(|p| {
                p.specs.iter().map(|s| {
                    (
                        (p.table.name.clone(), s.column.attribute.clone()),
                        s.column.name.clone(),
                    )
                })
            })
            .collect();
        for p in pending.iter_mut() {
            for constraint in &mut p.extras.constraints {
                let Constraint::ForeignKey(fk) = constraint else {
                    continue;
                };
                if let Some(table) = class_tables.get(&fk.ref_table) {
                    for column in &mut fk.ref_columns {
                        if let Some(name) = attribute_names.get(&(table.clone(), column.clone())) {
                            *column = name.clone();
                        }
                    }
                    fk.ref_table = table.clone();
                }
            }
            for spec in &mut p.specs {
                for fk in &mut spec.foreign_keys {
                    if let Some((class, attr)) = fk.target.rsplit_once('.') {
                        if let Some(table) = class_tables.get(class) {
                            let column = attribute_names
                                .get(&(table.clone(), attr.to_string()))
                                .cloned()
                                .unwrap_or_else(|| attr.to_string());
                            fk.target = format!("{table}.{column}");
                        }
                    }
                }
            }
        }
    }

    fn finish_table(
        &mut self,
        p: PendingTable,
        columns_by_table: &HashMap<String, Vec<String>>,
        table_vars: &HashMap<String, String>,
    ) -> Table {
        let PendingTable {
            mut table,
            specs,
            extras,
            mapped,
            pos,
        } = p;
        let mut seen = std::collections::HashSet::new();
        for spec in &specs {
            if !seen.insert(spec.column.name.clone()) {
                self.error(
                    pos,
                    format!(
                        "column '{}' appears twice in table '{}'",
                        spec.column.name, table.name
                    ),
                );
            }
        }
        let extras_comment = extras.comment;
        let mut table_options = extras.table_options;
        table_options.sort_by_key(|(order, _)| *order);
        let mut constraints = extras.constraints;
        let mut indexes = extras.indexes;
        for spec in &specs {
            let column = &spec.column;
            if column.index {
                // Named by the naming convention (SQLAlchemy's default: ix_<table>_<col>).
                indexes.push(Index::on_columns(
                    String::new(),
                    vec![column.name.clone()],
                    column.unique,
                ));
            } else if column.unique {
                constraints.push(Constraint::Unique {
                    name: None,
                    columns: vec![column.name.clone()],
                });
            }
            if let Some((name, labels)) = &spec.enum_check {
                let labels: Vec<String> = labels
                    .iter()
                    .map(|l| format!("'{}'", l.replace('\'', "''")))
                    .collect();
                constraints.push(Constraint::Check {
                    name: Some(name.clone()),
                    sql: format!("{} IN ({})", column.name, labels.join(", ")),
                });
            }
            for fk in &spec.foreign_keys {
                let Some((ref_table, ref_column)) = fk.target.rsplit_once('.') else {
                    self.error(
                        fk.pos,
                        format!("ForeignKey target '{}' should be 'table.column'", fk.target),
                    );
                    continue;
                };
                constraints.push(Constraint::ForeignKey(ForeignKey {
                    name: fk.name.clone(),
                    columns: vec![column.name.clone()],
                    ref_table: ref_table.to_string(),
                    ref_columns: vec![ref_column.to_string()],
                    ondelete: fk.ondelete.clone(),
                    onupdate: fk.onupdate.clone(),
                    use_alter: fk.use_alter,
                }));
            }
        }
        for fk in constraints.iter().filter_map(|c| match c {
            Constraint::ForeignKey(fk) => Some(fk),
            _ => None,
        }) {
            match columns_by_table.get(&fk.ref_table) {
                None => self.error(
                    pos,
                    format!(
                        "{}: no table '{}' in this file for its foreign key",
                        table.name, fk.ref_table
                    ),
                ),
                Some(cols) => {
                    for c in fk.ref_columns.iter().filter(|c| !cols.contains(c)) {
                        self.error(
                            pos,
                            format!(
                                "{}: table '{}' has no column '{c}'",
                                table.name, fk.ref_table
                            ),
                        );
                    }
                }
            }
        }
        let mut columns: Vec<_> = specs.iter().map(|s| s.column.clone()).collect();
        if let Some(pk) = &extras.primary_key {
            for column in &mut columns {
                if pk.contains(&column.name) {
                    column.primary_key = true;
                    column.nullable = false;
                }
            }
            table.primary_key = pk.clone();
            table.primary_key_name = extras.primary_key_name.clone();
        } else {
            table.primary_key = columns
                .iter()
                .filter(|c| c.primary_key)
                .map(|c| c.name.clone())
                .collect();
        }
        if mapped && table.primary_key.is_empty() {
            self.error(
                pos,
                format!(
                    "table '{}' has no primary key; SQLAlchemy cannot map it",
                    table.name
                ),
            );
        }
        if let [only] = table.primary_key.as_slice() {
            let spec = specs.iter().find(|s| &s.column.name == only);
            let is_fk = constraints
                .iter()
                .any(|c| matches!(c, Constraint::ForeignKey(fk) if fk.columns.contains(only)));
            if let (Some(spec), Some(column)) = (spec, columns.iter_mut().find(|c| &c.name == only))
            {
                column.autoincrement = is_serial(spec, is_fk);
            }
        }
        for rel in &mut table.relationships {
            if let Some(name) = rel.secondary.as_ref().and_then(|s| table_vars.get(s)) {
                rel.secondary = Some(name.clone());
            }
        }
        table.columns = columns;
        table.constraints = constraints;
        table.indexes = indexes;
        table.comment = extras_comment;
        table.options = table_options
            .into_iter()
            .map(|(_, clause)| clause)
            .collect();
        table
    }
}

/// SQLAlchemy's `_autoincrement_column`: the lone integer primary key, not a foreign
/// key, with no default of either kind (unless `autoincrement=True`).
fn is_serial(spec: &ColumnSpec, is_foreign_key: bool) -> bool {
    let column = &spec.column;
    if !column.sql_type.is_integer() || spec.autoincrement == Some(false) {
        return false;
    }
    if spec.autoincrement == Some(true) {
        return true;
    }
    column.default.is_none() && column.server_default.is_none() && !is_foreign_key
}

/// `Column('x', ForeignKey('t.id'))` without a type takes the referred column's type
/// (repeated so chains of such columns resolve).
fn copy_foreign_key_types(pending: &mut [PendingTable]) {
    for _ in 0..4 {
        let known: HashMap<(String, String), SqlType> = pending
            .iter()
            .flat_map(|p| {
                p.specs.iter().filter_map(|s| {
                    s.sql_type
                        .clone()
                        .map(|t| ((p.table.name.clone(), s.column.name.clone()), t))
                })
            })
            .collect();
        let mut changed = false;
        for p in pending.iter_mut() {
            for spec in p.specs.iter_mut().filter(|s| s.sql_type.is_none()) {
                let found = spec.foreign_keys.iter().find_map(|fk| {
                    let (t, c) = fk.target.rsplit_once('.')?;
                    known.get(&(t.to_string(), c.to_string())).cloned()
                });
                if let Some(t) = found {
                    spec.column.sql_type = t.clone();
                    spec.sql_type = Some(t);
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
}
