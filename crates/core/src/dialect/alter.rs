//! ALTER TABLE as Alembic writes it: ADD/DROP/RENAME COLUMN, ALTER COLUMN SET/DROP NOT NULL,
//! TYPE, SET/DROP DEFAULT, ADD CONSTRAINT (CHECK ... NOT VALID, UNIQUE, PRIMARY KEY,
//! FOREIGN KEY), VALIDATE CONSTRAINT, DROP CONSTRAINT. Each statement is atomic.

use super::catalog::{CheckConstraint, KeyConstraint};
use super::constraints::{check_passes, check_row};
use super::create::{create_table, expr, fk_action, object_name, resolve_fk, unique_name};
use super::errors::{self, plain};
use super::types::declare;
use crate::engine::storage_api::{Change, IndexKind, Run, SecondaryIndex};
use crate::engine::{engine_error, Database, EngineError};
use gluesql::core::ast::Expr;
use gluesql::core::data::{Key, Value};
use gluesql::core::executor::{evaluate_stateless, Payload};
use gluesql::core::plan::plan_scalar_expr;
use gluesql::core::sqlparser::ast::{
    AlterColumnOperation, AlterTableOperation, CreateTable, Ident, ObjectName, TableConstraint,
};
use gluesql::core::sqlparser::dialect::PostgreSqlDialect;
use gluesql::core::sqlparser::tokenizer::{Token, Tokenizer};
use gluesql::core::store::AlterTable;
use std::rc::Rc;

/// What the parser cannot read: `... NOT VALID` at the end of ADD CONSTRAINT, and
/// `ALTER TABLE t VALIDATE CONSTRAINT c`.
pub(crate) enum Special {
    /// The statement without its trailing NOT VALID.
    NotValid(String),
    Validate {
        table: String,
        constraint: String,
    },
    /// `DROP INDEX CONCURRENTLY ...` without CONCURRENTLY (one session: the same thing).
    DropConcurrently(String),
}

pub(crate) fn special(sql: &str) -> Option<Special> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql).tokenize().ok()?;
    let words: Vec<(usize, String)> = tokens
        .iter()
        .enumerate()
        .filter(|(_, t)| !matches!(t, Token::Whitespace(_) | Token::SemiColon))
        .map(|(i, t)| (i, t.to_string()))
        .collect();
    let upper: Vec<String> = words.iter().map(|(_, w)| w.to_uppercase()).collect();
    if upper.len() >= 4 && upper[0] == "DROP" && upper[1] == "INDEX" && upper[2] == "CONCURRENTLY" {
        let cut = words[2].0;
        let text: String = tokens[..cut]
            .iter()
            .chain(&tokens[cut + 1..])
            .map(|t| t.to_string())
            .collect();
        return Some(Special::DropConcurrently(text));
    }
    if upper.len() < 4 || upper[0] != "ALTER" || upper[1] != "TABLE" {
        return None;
    }
    let n = upper.len();
    if upper[n - 2] == "NOT" && upper[n - 1] == "VALID" {
        let cut = words[n - 2].0;
        let text: String = tokens[..cut].iter().map(|t| t.to_string()).collect();
        return Some(Special::NotValid(text));
    }
    if n == 6 && upper[3] == "VALIDATE" && upper[4] == "CONSTRAINT" {
        let unquote = |w: &str| w.trim_matches('"').to_string();
        return Some(Special::Validate {
            table: unquote(&words[2].1),
            constraint: unquote(&words[5].1),
        });
    }
    None
}

impl Database {
    pub(crate) fn alter_table(
        &mut self,
        sql: &str,
        name: &ObjectName,
        if_exists: bool,
        operations: &[AlterTableOperation],
        not_valid: bool,
        run: &mut Run,
    ) -> Result<Payload, EngineError> {
        run.command = Some("ALTER TABLE".into());
        self.refuse_read_only("ALTER TABLE")?;
        let table = object_name(name);
        if !self.storage.state.tables.contains_key(&table) {
            if if_exists {
                run.notice = Some(format!("relation \"{table}\" does not exist, skipping"));
                return Ok(Payload::AlterTable);
            }
            return Err(plain(format!("relation \"{table}\" does not exist")));
        }
        self.atomically(|db| {
            for operation in operations {
                db.alter_one(sql, &table, operation, not_valid)?;
            }
            Ok(Payload::AlterTable)
        })
    }

    pub(crate) fn validate_constraint(
        &mut self,
        table: &str,
        constraint: &str,
        run: &mut Run,
    ) -> Result<Payload, EngineError> {
        run.command = Some("ALTER TABLE".into());
        self.refuse_read_only("ALTER TABLE")?;
        let Some(t) = self.storage.state.tables.get(table) else {
            return Err(plain(format!("relation \"{table}\" does not exist")));
        };
        if t.meta.foreign_keys.iter().any(|f| f.name == constraint) {
            // A NOT VALID foreign key: every existing row must find its parent now.
            return self
                .enforce_foreign_keys_on_all_rows(table)
                .map(|_| Payload::AlterTable);
        }
        let Some(position) = t.meta.checks.iter().position(|c| c.name == constraint) else {
            if t.meta.constraint_names().contains(&constraint) {
                return Ok(Payload::AlterTable);
            }
            return Err(plain(format!(
                "constraint \"{constraint}\" of relation \"{table}\" does not exist"
            )));
        };
        let check = t.meta.checks[position].clone();
        self.validate_check(table, &check)?;
        let t = self.storage.state.tables.get_mut(table).expect("exists");
        t.meta.checks[position].validated = true;
        Ok(Payload::AlterTable)
    }

    fn validate_check(&self, table: &str, check: &CheckConstraint) -> Result<(), EngineError> {
        let t = self.storage.state.tables.get(table).expect("exists");
        for values in t.rows.values() {
            if !check_passes(table, &t.columns, values, &check.expr)
                .map_err(|e| engine_error(&e))?
            {
                return Err(plain(format!(
                    "check constraint \"{}\" of relation \"{table}\" is violated by some row",
                    check.name
                )));
            }
        }
        Ok(())
    }

    fn alter_one(
        &mut self,
        sql: &str,
        table: &str,
        operation: &AlterTableOperation,
        not_valid: bool,
    ) -> Result<(), EngineError> {
        let map = |e: gluesql::core::error::Error| engine_error(&e);
        match operation {
            AlterTableOperation::AddColumn {
                if_not_exists,
                column_def,
                column_position: None,
                ..
            } => {
                let t = &self.storage.state.tables[table];
                if t.meta.position(&column_def.name.value).is_some() {
                    if *if_not_exists {
                        return Ok(());
                    }
                    return Err(plain(format!(
                        "column \"{}\" of relation \"{table}\" already exists",
                        column_def.name.value
                    )));
                }
                self.add_column(sql, table, column_def)
            }
            AlterTableOperation::DropColumn {
                column_name,
                if_exists,
                ..
            } => {
                let column = column_name.value.clone();
                if self.storage.state.tables[table]
                    .meta
                    .position(&column)
                    .is_none()
                {
                    if *if_exists {
                        return Ok(());
                    }
                    return Err(plain(format!(
                        "column \"{column}\" of relation \"{table}\" does not exist"
                    )));
                }
                let dependents: Vec<String> = self
                    .storage
                    .state
                    .tables
                    .values()
                    .filter(|t| t.schema.table_name != table)
                    .flat_map(|t| {
                        t.meta
                            .foreign_keys
                            .iter()
                            .filter(|f| f.ref_table == table && f.ref_columns.contains(&column))
                            .map(|f| {
                                format!(
                                    "constraint {} on table {} depends on column {column} of table {table}",
                                    f.name, t.schema.table_name
                                )
                            })
                    })
                    .collect();
                if !dependents.is_empty() {
                    return Err(plain(format!(
                        "cannot drop column {column} of table {table} because other objects depend on it\nDETAIL:  {}\nHINT:  {}",
                        dependents.join("\n"),
                        crate::dialect::errors::CASCADE_HINT
                    )));
                }
                if self.storage.state.tables[table].primary_key_position()
                    == self.storage.state.tables[table].meta.position(&column)
                {
                    // GlueSQL keys the rows by it.
                    return Err(errors::unsupported(
                        sql,
                        "dropping the primary-key column",
                        &column,
                    ));
                }
                self.storage.drop_column(table, &column, false).map_err(map)
            }
            AlterTableOperation::RenameColumn {
                old_column_name,
                new_column_name,
            } => {
                let (from, to) = (&old_column_name.value, &new_column_name.value);
                if self.storage.state.tables[table]
                    .meta
                    .position(from)
                    .is_none()
                {
                    return Err(plain(format!("column \"{from}\" does not exist")));
                }
                if self.storage.state.tables[table].meta.position(to).is_some() {
                    return Err(plain(format!(
                        "column \"{to}\" of relation \"{table}\" already exists"
                    )));
                }
                self.storage.rename_column(table, from, to).map_err(map)?;
                let names: Vec<String> = self.storage.state.tables.keys().cloned().collect();
                for name in names {
                    if let Some(t) = self.storage.state.tables.get_mut(&name) {
                        t.meta.rename_referenced(table, from, to);
                    }
                }
                Ok(())
            }
            AlterTableOperation::AlterColumn { column_name, op } => {
                self.alter_column(sql, table, &column_name.value, op)
            }
            AlterTableOperation::RenameTable { table_name } => {
                let new_name = object_name(table_name);
                if self.storage.state.tables.contains_key(&new_name) {
                    return Err(plain(format!("relation \"{new_name}\" already exists")));
                }
                self.storage.rename_schema(table, &new_name).map_err(map)?;
                let names: Vec<String> = self.storage.state.tables.keys().cloned().collect();
                for name in names {
                    if let Some(t) = self.storage.state.tables.get_mut(&name) {
                        for fk in t.meta.foreign_keys.iter_mut() {
                            if fk.ref_table == table {
                                new_name.clone_into(&mut fk.ref_table);
                            }
                        }
                    }
                }
                Ok(())
            }
            AlterTableOperation::AddConstraint(constraint) => {
                self.add_constraint(sql, table, constraint, not_valid)
            }
            AlterTableOperation::DropConstraint {
                if_exists, name, ..
            } => self.drop_constraint(table, &name.value, *if_exists),
            other => Err(errors::unsupported(
                sql,
                &format!("ALTER TABLE {other}"),
                &other.to_string(),
            )),
        }
    }

    fn add_column(
        &mut self,
        sql: &str,
        table: &str,
        column_def: &gluesql::core::sqlparser::ast::ColumnDef,
    ) -> Result<(), EngineError> {
        let mut synthetic = empty_create(table);
        synthetic.columns = vec![column_def.clone()];
        let def = create_table(sql, &synthetic, &self.storage.state, &[])?;
        let glue_def = def.schema.column_defs.clone().unwrap_or_default().remove(0);
        if glue_def.unique.is_some() {
            return Err(errors::unsupported(
                sql,
                "ADD COLUMN ... PRIMARY KEY",
                "PRIMARY",
            ));
        }
        let enums = self.storage.state.enums.clone();
        let default = glue_def.default.clone().map(plan_scalar_expr);
        let t = self.storage.state.tables.get_mut(table).expect("exists");
        let taken: Vec<String> = t
            .meta
            .constraint_names()
            .into_iter()
            .map(String::from)
            .collect();
        t.schema
            .column_defs
            .get_or_insert_with(Vec::new)
            .push(glue_def.clone());
        t.meta.columns.push(def.meta.columns[0].clone());
        for mut check in def.meta.checks {
            check.name = unique_name(&taken, check.name);
            t.meta.checks.push(check);
        }
        t.refresh_columns();
        let keys: Vec<Key> = t.rows.keys().cloned().collect();
        for key in &keys {
            let mut values = t.rows[key].as_ref().clone();
            // Evaluated per row: a volatile DEFAULT (gen_random_uuid()) differs per row.
            let value = match &default {
                Some(d) => evaluate_stateless(None, d)
                    .and_then(|v| v.try_into_value(&glue_def.data_type, true))
                    .map_err(|e| engine_error(&e))?,
                None => Value::Null,
            };
            values.push(value);
            check_row(t, &enums, &mut values, Some(&[])).map_err(|e| {
                let e = engine_error(&e);
                if e.message.starts_with("null value in column") {
                    plain(format!(
                        "column \"{}\" of relation \"{table}\" contains null values",
                        glue_def.name
                    ))
                } else {
                    e
                }
            })?;
            t.rows.insert(key.clone(), Rc::new(values));
        }
        t.rebuild_indexes().map_err(|e| engine_error(&e))?;
        for key in def.meta.uniques {
            self.add_key(table, key, false)?;
        }
        for fk in def.meta.foreign_keys {
            self.add_fk_checked(table, fk)?;
        }
        Ok(())
    }

    fn add_key(
        &mut self,
        table: &str,
        key: KeyConstraint,
        primary: bool,
    ) -> Result<(), EngineError> {
        if self.storage.table_of_index(&key.name).is_some() {
            return Err(plain(format!("relation \"{}\" already exists", key.name)));
        }
        let t = self.storage.state.tables.get_mut(table).expect("exists");
        for column in &key.columns {
            let Some(position) = t.meta.position(column) else {
                return Err(plain(format!(
                    "column \"{column}\" named in key does not exist"
                )));
            };
            if primary {
                if t.rows.values().any(|r| r[position].is_null()) {
                    return Err(plain(format!(
                        "column \"{column}\" of relation \"{table}\" contains null values"
                    )));
                }
                t.meta.columns[position].not_null = true;
            }
        }
        let exprs = key.columns.iter().cloned().map(Expr::Identifier).collect();
        let index =
            SecondaryIndex::composite(&key.name, exprs, None, IndexKind::Unique, &t.columns);
        t.push_index(index);
        t.rebuild_indexes().map_err(|e| engine_error(&e))?;
        let keys: Vec<Key> = t.rows.keys().cloned().collect();
        super::constraints::check_unique_on_create(t, &keys, &key.name)?;
        if primary {
            t.meta.primary_key = Some(key);
        } else {
            t.meta.uniques.push(key);
        }
        Ok(())
    }

    fn add_fk_checked(
        &mut self,
        table: &str,
        fk: super::catalog::ForeignKey,
    ) -> Result<(), EngineError> {
        let t = self.storage.state.tables.get_mut(table).expect("exists");
        t.meta.foreign_keys.push(fk);
        self.enforce_foreign_keys_on_all_rows(table)
    }

    /// Checks `table`'s foreign keys against every row it holds, as if each were written.
    fn enforce_foreign_keys_on_all_rows(&mut self, table: &str) -> Result<(), EngineError> {
        let keys: Vec<Key> = self.storage.state.tables[table]
            .rows
            .keys()
            .cloned()
            .collect();
        self.storage.changes = keys
            .into_iter()
            .map(|key| Change::Put {
                table: table.to_string(),
                key,
                old: None,
            })
            .collect();
        let result = super::foreign::enforce(&mut self.storage);
        self.storage.changes.clear();
        result.map_err(|e| engine_error(&e))
    }

    fn alter_column(
        &mut self,
        sql: &str,
        table: &str,
        column: &str,
        op: &AlterColumnOperation,
    ) -> Result<(), EngineError> {
        let enums = self.storage.state.enums.clone();
        let t = self.storage.state.tables.get_mut(table).expect("exists");
        let Some(position) = t.meta.position(column) else {
            return Err(plain(format!(
                "column \"{column}\" of relation \"{table}\" does not exist"
            )));
        };
        match op {
            AlterColumnOperation::SetNotNull => {
                if t.rows.values().any(|r| r[position].is_null()) {
                    return Err(plain(format!(
                        "column \"{column}\" of relation \"{table}\" contains null values"
                    )));
                }
                t.meta.columns[position].not_null = true;
            }
            AlterColumnOperation::DropNotNull => {
                if t.meta
                    .primary_key
                    .as_ref()
                    .is_some_and(|k| k.columns.iter().any(|c| c == column))
                {
                    return Err(plain(format!("column \"{column}\" is in a primary key")));
                }
                t.meta.columns[position].not_null = false;
            }
            AlterColumnOperation::SetDefault { value } => {
                let default_sql = value.to_string();
                let value = expr(sql, value, &[])?;
                let t = self.storage.state.tables.get_mut(table).expect("exists");
                t.meta.columns[position].default_sql = Some(default_sql);
                if let Some(defs) = t.schema.column_defs.as_mut() {
                    defs[position].default = Some(value);
                }
            }
            AlterColumnOperation::DropDefault => {
                t.meta.columns[position].default_sql = None;
                if let Some(defs) = t.schema.column_defs.as_mut() {
                    defs[position].default = None;
                }
            }
            AlterColumnOperation::SetDataType { data_type, using } => {
                let declared = declare(data_type, |n| enums.contains_key(n))
                    .map_err(|m| errors::at(sql, m, &data_type.to_string()))?;
                let using = match using {
                    Some(u) => Some(plan_scalar_expr(expr(sql, u, &[])?)),
                    None => None,
                };
                let t = self.storage.state.tables.get_mut(table).expect("exists");
                let storage_type = declared.ty.storage();
                let pg_name = declared.ty.pg_name();
                let keys: Vec<Key> = t.rows.keys().cloned().collect();
                let mut rows = Vec::with_capacity(keys.len());
                for key in keys {
                    let mut values = t.rows[&key].as_ref().clone();
                    let value = match &using {
                        Some(u) => {
                            let row = gluesql::core::data::Row {
                                columns: Rc::clone(&t.columns),
                                values: values.clone(),
                            };
                            let context = gluesql::core::executor::RowContext::new(
                                table,
                                std::borrow::Cow::Owned(row),
                                None,
                            );
                            evaluate_stateless(Some(context), u)
                                .and_then(|v| v.try_into())
                                .map_err(|e| engine_error(&e))?
                        }
                        None => values[position].clone(),
                    };
                    let cast = value.cast(&storage_type).map_err(|_| {
                        plain(format!(
                            "column \"{column}\" cannot be cast automatically to type {pg_name}\nHINT:  You might need to specify \"USING {column}::{pg_name}\"."
                        ))
                    })?;
                    values[position] = declared.ty.coerce(cast, None).map_err(plain)?;
                    rows.push((key, values));
                }
                if let Some(defs) = t.schema.column_defs.as_mut() {
                    defs[position].data_type = storage_type;
                }
                t.meta.columns[position].ty = declared.ty;
                for (key, values) in rows {
                    t.rows.insert(key, Rc::new(values));
                }
                t.rebuild_indexes().map_err(|e| engine_error(&e))?;
            }
            other => {
                return Err(errors::unsupported(
                    sql,
                    &format!("ALTER COLUMN ... {other}"),
                    &other.to_string(),
                ))
            }
        }
        Ok(())
    }

    fn add_constraint(
        &mut self,
        sql: &str,
        table: &str,
        constraint: &TableConstraint,
        not_valid: bool,
    ) -> Result<(), EngineError> {
        let taken: Vec<String> = self.storage.state.tables[table]
            .meta
            .constraint_names()
            .into_iter()
            .map(String::from)
            .collect();
        let named = |name: &Option<Ident>, base: String| {
            name.as_ref()
                .map(|n| n.value.clone())
                .unwrap_or_else(|| unique_name(&taken, base))
        };
        if let Some(Ident { value, .. }) = constraint_name(constraint) {
            if taken.contains(value) {
                return Err(plain(format!(
                    "constraint \"{value}\" for relation \"{table}\" already exists"
                )));
            }
        }
        match constraint {
            TableConstraint::Check { name, expr: e } => {
                let check = CheckConstraint {
                    name: named(name, format!("{table}_check")),
                    sql: e.to_string(),
                    expr: expr(sql, e, &[])?,
                    validated: !not_valid,
                };
                if !not_valid {
                    self.validate_check(table, &check)?;
                }
                let t = self.storage.state.tables.get_mut(table).expect("exists");
                t.meta.checks.push(check);
                Ok(())
            }
            _ if not_valid && !matches!(constraint, TableConstraint::ForeignKey { .. }) => Err(
                errors::unsupported(sql, "NOT VALID on this kind of constraint", "NOT VALID"),
            ),
            TableConstraint::Unique { name, columns, .. } => {
                let columns: Vec<String> = columns.iter().map(|c| c.value.clone()).collect();
                let name = named(name, format!("{table}_{}_key", columns.join("_")));
                self.add_key(table, KeyConstraint { name, columns }, false)
            }
            TableConstraint::PrimaryKey { name, columns, .. } => {
                if self.storage.state.tables[table].meta.primary_key.is_some() {
                    return Err(plain(format!(
                        "multiple primary keys for table \"{table}\" are not allowed"
                    )));
                }
                let columns: Vec<String> = columns.iter().map(|c| c.value.clone()).collect();
                let name = named(name, format!("{table}_pkey"));
                self.add_key(table, KeyConstraint { name, columns }, true)
            }
            TableConstraint::ForeignKey {
                name,
                columns,
                foreign_table,
                referred_columns,
                on_delete,
                on_update,
                ..
            } => {
                let t = &self.storage.state.tables[table];
                let fk = resolve_fk(
                    sql,
                    table,
                    &t.meta,
                    &self.storage.state,
                    name.as_ref().map(|n| n.value.clone()),
                    columns.iter().map(|c| c.value.clone()).collect(),
                    &object_name(foreign_table),
                    referred_columns.iter().map(|c| c.value.clone()).collect(),
                    &taken,
                )?;
                let fk = super::catalog::ForeignKey {
                    on_delete: fk_action(on_delete.as_ref()),
                    on_update: fk_action(on_update.as_ref()),
                    ..fk
                };
                if not_valid {
                    let t = self.storage.state.tables.get_mut(table).expect("exists");
                    t.meta.foreign_keys.push(fk);
                    return Ok(());
                }
                self.add_fk_checked(table, fk)
            }
            other => Err(errors::unsupported(
                sql,
                &format!("ADD CONSTRAINT {other}"),
                &other.to_string(),
            )),
        }
    }

    fn drop_constraint(
        &mut self,
        table: &str,
        name: &str,
        if_exists: bool,
    ) -> Result<(), EngineError> {
        let t = self.storage.state.tables.get_mut(table).expect("exists");
        let before = t.meta.constraint_names().len();
        if t.meta.primary_key.as_ref().is_some_and(|k| k.name == name) {
            if t.primary_key_position().is_some() {
                return Err(plain(format!(
                    "feature not supported in this playground: dropping the single-column primary key \"{name}\" (rows are stored by it)"
                )));
            }
            t.meta.primary_key = None;
            t.drop_index_named(name);
        }
        if t.meta.uniques.iter().any(|k| k.name == name) {
            t.meta.uniques.retain(|k| k.name != name);
            t.drop_index_named(name);
        }
        t.meta.checks.retain(|c| c.name != name);
        t.meta.foreign_keys.retain(|f| f.name != name);
        if t.meta.constraint_names().len() == before && !if_exists {
            return Err(plain(format!(
                "constraint \"{name}\" of relation \"{table}\" does not exist"
            )));
        }
        Ok(())
    }
}

fn constraint_name(constraint: &TableConstraint) -> Option<&Ident> {
    match constraint {
        TableConstraint::Check { name, .. }
        | TableConstraint::Unique { name, .. }
        | TableConstraint::PrimaryKey { name, .. }
        | TableConstraint::ForeignKey { name, .. } => name.as_ref(),
        _ => None,
    }
}

/// A CREATE TABLE with no columns, to reuse the column translation for ADD COLUMN.
fn empty_create(table: &str) -> CreateTable {
    match gluesql::core::parse_sql::parse("CREATE TABLE t (x INT)")
        .ok()
        .and_then(|mut s| s.pop())
    {
        Some(gluesql::core::sqlparser::ast::Statement::CreateTable(mut create)) => {
            create.columns.clear();
            create.name = ObjectName(vec![Ident::new(table)]);
            create
        }
        _ => unreachable!("a fixed statement parses"),
    }
}
