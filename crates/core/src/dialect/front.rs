//! The front's dispatch: which statements it runs itself, which it rewrites for GlueSQL.

use super::create::{create_table, object_name};
use super::errors;
use super::rewrite::rewrite_statement;
use crate::engine::storage_api::{IndexKind, Run, SecondaryIndex};
use crate::engine::{Database, EngineError};
use gluesql::core::ast::Expr;
use gluesql::core::executor::Payload;
use gluesql::core::sqlparser::ast::{Statement, UserDefinedTypeRepresentation};
use gluesql::core::store::StoreMut;
use std::rc::Rc;

impl Database {
    /// Runs `statement` in the front when it is one of ours (Some), or rewrites it in place
    /// for GlueSQL (None).
    pub(crate) fn front(
        &mut self,
        sql: &str,
        statement: &mut Statement,
        run: &mut Run,
    ) -> Result<Option<Payload>, EngineError> {
        match statement {
            Statement::CreateTable(create) if create.query.is_none() => {
                run.command = Some("CREATE TABLE".into());
                self.refuse_read_only("CREATE TABLE")?;
                let name = object_name(&create.name);
                if self.storage.state.tables.contains_key(&name) {
                    return if create.if_not_exists {
                        run.notice = Some(format!("relation \"{name}\" already exists, skipping"));
                        Ok(Some(Payload::Create))
                    } else {
                        Err(errors::plain(format!("relation \"{name}\" already exists")))
                    };
                }
                let def = create_table(sql, create, &self.storage.state, &self.params)?;
                self.atomically(|db| db.install_table(def))?;
                Ok(Some(Payload::Create))
            }
            Statement::AlterTable {
                name,
                if_exists,
                operations,
                ..
            } => {
                let (name, operations) = (name.clone(), operations.clone());
                self.alter_table(sql, &name, *if_exists, &operations, self.not_valid, run)
                    .map(Some)
            }
            Statement::Drop {
                object_type: gluesql::core::sqlparser::ast::ObjectType::Table,
                names,
                cascade,
                ..
            } => {
                let dropped: Vec<String> = names.iter().map(object_name).collect();
                if dropped
                    .iter()
                    .any(|d| !self.storage.state.tables.contains_key(d))
                {
                    // GlueSQL reports the missing table (or skips it with IF EXISTS).
                    return Ok(None);
                }
                let mut notices = Vec::new();
                for (table, t) in self.storage.state.tables.iter() {
                    if dropped.contains(table) {
                        continue;
                    }
                    for fk in &t.meta.foreign_keys {
                        if dropped.contains(&fk.ref_table) {
                            notices.push((table.clone(), fk.name.clone(), fk.ref_table.clone()));
                        }
                    }
                }
                if let (Some((_, _, first)), false) = (notices.first(), *cascade) {
                    let detail: Vec<String> = notices
                        .iter()
                        .map(|(table, fk, parent)| {
                            format!("constraint {fk} on table {table} depends on table {parent}")
                        })
                        .collect();
                    return Err(errors::plain(format!(
                        "cannot drop table {first} because other objects depend on it\nDETAIL:  {}\nHINT:  {}",
                        detail.join("\n"),
                        errors::CASCADE_HINT
                    )));
                }
                // CASCADE drops the referencing constraints, not the tables.
                for (table, name, _) in &notices {
                    if let Some(t) = self.storage.state.tables.get_mut(table) {
                        t.meta.foreign_keys.retain(|f| &f.name != name);
                    }
                }
                if !notices.is_empty() {
                    run.notice = Some(
                        notices
                            .iter()
                            .map(|(t, n, _)| {
                                format!("drop cascades to constraint {n} on table {t}")
                            })
                            .collect::<Vec<_>>()
                            .join("\n"),
                    );
                }
                Ok(None)
            }
            Statement::CreateIndex(create) => {
                let create = create.clone();
                self.create_index(sql, &create, run).map(Some)
            }
            Statement::CreateType {
                name,
                representation,
            } => {
                run.command = Some("CREATE TYPE".into());
                self.refuse_read_only("CREATE TYPE")?;
                let UserDefinedTypeRepresentation::Enum { labels } = representation else {
                    return Err(errors::unsupported(
                        sql,
                        "composite types (CREATE TYPE ... AS (...))",
                        "AS",
                    ));
                };
                let name = object_name(name).to_lowercase();
                if self.storage.state.enums.contains_key(&name) {
                    return Err(errors::plain(format!("type \"{name}\" already exists")));
                }
                let labels = labels.iter().map(|l| l.value.clone()).collect();
                self.storage.state.enums.insert(name, Rc::new(labels));
                Ok(Some(Payload::Create))
            }
            Statement::Query(_)
            | Statement::Insert(_)
            | Statement::Update { .. }
            | Statement::Delete(_) => {
                match super::sleep::sleep_of(sql, statement) {
                    Some(super::sleep::Sleep::Alone { seconds, name }) => {
                        run.command = Some("SELECT".into());
                        return self.sleep(seconds, name).map(Some);
                    }
                    Some(super::sleep::Sleep::Elsewhere) => {
                        return Err(EngineError::unsupported(
                            "pg_sleep() other than alone, as SELECT pg_sleep(seconds)",
                        ))
                    }
                    None => {}
                }
                match super::setval::setval_of(sql, statement) {
                    Some(super::setval::SetVal::Alone(call)) => {
                        run.command = Some("SELECT".into());
                        self.refuse_read_only("setval()")?;
                        return self.setval(call).map(Some);
                    }
                    Some(super::setval::SetVal::Elsewhere) => {
                        return Err(EngineError::unsupported(
                            "setval() other than alone, as SELECT setval(pg_get_serial_sequence('table', 'column'), n)",
                        ))
                    }
                    None => {}
                }
                if let Some((table, label)) = super::row_count::bare_count(statement) {
                    if let Some(answer) = self.count_rows(&table, label, run) {
                        return answer.map(Some);
                    }
                }
                if super::join_dml::is_join_dml(statement) {
                    return self.join_dml(statement, run).map(Some);
                }
                if super::upsert::is_upsert(statement) {
                    return self.upsert(statement, run).map(Some);
                }
                if super::key_update::updates_key(statement, self) {
                    return self.update_key(statement, run).map(Some);
                }
                if super::nested_join::uses_nested_join(statement) {
                    super::nested_join::rewrite(statement, &self.storage.state)?;
                }
                if super::join_using::uses_join_using(statement) {
                    super::join_using::rewrite(statement, &self.storage.state)?;
                }
                super::window::lift_derived_windows(statement);
                if super::cte::is_with_query(statement) {
                    return self.with_query(statement, run).map(Some);
                }
                if super::distinct_on::is_distinct_on(statement) {
                    return self.distinct_on(statement, run).map(Some);
                }
                if super::set_ops::is_set_operation(statement) {
                    return self.set_operation(statement, run).map(Some);
                }
                if super::window::is_window_query(statement) {
                    return self.window_query(statement, run).map(Some);
                }
                if super::json::may_use_json(sql, &self.storage.state) && self.uses_json(statement)
                {
                    return self.json_statement(statement, run).map(Some);
                }
                // Names first: they come from the statement as the user wrote it.
                super::names::name_columns(statement);
                super::query_shape::reshape(statement).map_err(|e| match e {
                    super::query_shape::ShapeError::Unsupported(what) => {
                        EngineError::unsupported(what)
                    }
                    super::query_shape::ShapeError::Postgres(message) => errors::plain(message),
                })?;
                super::logic::three_valued(statement);
                let at = self
                    .transaction
                    .as_ref()
                    .map_or_else(super::clock::wall_clock, |t| t.started_at);
                self.insert_defaults(statement, at)?;
                self.assignment_casts(statement)?;
                let scope = super::typing::Scope::of(statement, &self.storage.state);
                super::typing::group_by_aliases(statement, &scope);
                run.difference = super::differences::detect(statement, &scope);
                super::typing::check_columns(statement, &scope).map_err(errors::plain)?;
                super::typing::check_clauses(statement).map_err(errors::plain)?;
                super::typing::check_boolean_arguments(statement, &scope).map_err(errors::plain)?;
                let state = &self.storage.state;
                let primary_key = |table: &str| {
                    state
                        .table(table)
                        .and_then(|t| t.meta.primary_key.as_ref())
                        .map(|k| k.columns.clone())
                        .unwrap_or_default()
                };
                super::grouping::check(statement, &scope, &primary_key).map_err(errors::plain)?;
                super::typing::check_comparisons(statement, &scope).map_err(errors::plain)?;
                super::typing::check_constant_division(statement).map_err(errors::plain)?;
                super::typing::check_greatest_literals(statement)
                    .map_err(EngineError::unsupported)?;
                super::typing::check_at_time_zone(statement, &scope)
                    .map_err(EngineError::unsupported)?;
                super::text_bytes::check(statement, &self.storage.state)
                    .map_err(EngineError::unsupported)?;
                super::typing::pg_typeof(statement, &scope);
                // Typed as written (PostgreSQL's types), before the casts GlueSQL needs.
                run.result_types = super::typing::result_types(statement, &scope);
                run.rounding =
                    super::rounding::plan(statement, &scope).map_err(EngineError::unsupported)?;
                super::clock::pin(statement, at);
                super::typing::fold_coalesce(statement);
                super::typing::numeric_casts(statement, &scope);
                rewrite_statement(statement).map_err(|m| errors::unsupported(sql, &m, "("))?;
                if let Some((table, items)) = super::returning::take_returning(statement) {
                    let statement = statement.clone();
                    return self
                        .run_returning(&statement, &table, &items, run)
                        .map(Some);
                }
                Ok(None)
            }
            _ => Ok(None),
        }
    }

    /// Notes which columns an INSERT gives values for (see `EngineStorage::explicit_columns`)
    /// and writes out `DEFAULT` in its VALUES rows: a SERIAL column's next value (taken now,
    /// and kept if the statement fails, as PostgreSQL's nextval is), the column's DEFAULT
    /// expression, or NULL.
    fn insert_defaults(
        &mut self,
        statement: &mut Statement,
        at: gluesql::core::chrono::NaiveDateTime,
    ) -> Result<(), EngineError> {
        use gluesql::core::sqlparser::ast::{Expr as SqlExpr, SetExpr, Value as SqlValue};
        self.storage.explicit_columns.clear();
        if let Statement::Update {
            table, assignments, ..
        } = statement
        {
            return self.update_defaults(table, assignments);
        }
        let Statement::Insert(insert) = statement else {
            return Ok(());
        };
        let name = object_name(&insert.table_name);
        let Some(table) = self.storage.state.tables.get_mut(&name) else {
            return Ok(());
        };
        // INSERT ... DEFAULT VALUES: one row of DEFAULT for every column.
        if insert.source.is_none() && insert.columns.is_empty() {
            let row: Vec<SqlExpr> = table
                .meta
                .columns
                .iter()
                .map(|_| SqlExpr::Identifier(gluesql::core::sqlparser::ast::Ident::new("default")))
                .collect();
            insert.columns = table
                .meta
                .columns
                .iter()
                .map(|c| gluesql::core::sqlparser::ast::Ident::new(c.name.clone()))
                .collect();
            insert.source = Some(Box::new(gluesql::core::sqlparser::ast::Query {
                with: None,
                body: Box::new(SetExpr::Values(gluesql::core::sqlparser::ast::Values {
                    explicit_row: false,
                    rows: vec![row],
                })),
                order_by: None,
                limit: None,
                limit_by: Vec::new(),
                offset: None,
                fetch: None,
                locks: Vec::new(),
                for_clause: None,
                settings: None,
                format_clause: None,
            }));
        }
        // A left-out column whose DEFAULT is now(): given explicitly, so that every row
        // gets the transaction's time (GlueSQL would read the clock per row).
        if !insert.columns.is_empty() {
            for def in table.schema.column_defs.iter().flatten() {
                use gluesql::core::ast::ToSql;
                if insert.columns.iter().any(|c| c.value == def.name) {
                    continue;
                }
                let Some(constant) = def
                    .default
                    .as_ref()
                    .and_then(|d| super::clock::pinned_default(&d.to_sql(), at))
                else {
                    continue;
                };
                match insert.source.as_mut().map(|s| s.body.as_mut()) {
                    Some(SetExpr::Values(values)) => {
                        for row in values.rows.iter_mut() {
                            row.push(constant.clone());
                        }
                    }
                    Some(SetExpr::Select(select)) => select.projection.push(
                        gluesql::core::sqlparser::ast::SelectItem::UnnamedExpr(constant.clone()),
                    ),
                    _ => continue,
                }
                insert
                    .columns
                    .push(gluesql::core::sqlparser::ast::Ident::new(def.name.clone()));
            }
        }
        let named: Vec<String> = if insert.columns.is_empty() {
            table.meta.columns.iter().map(|c| c.name.clone()).collect()
        } else {
            insert.columns.iter().map(|c| c.value.clone()).collect()
        };
        let Some(SetExpr::Values(values)) = insert.source.as_mut().map(|s| s.body.as_mut()) else {
            self.storage.explicit_columns = named;
            return Ok(());
        };
        let defaults: Vec<Option<String>> = table
            .schema
            .column_defs
            .iter()
            .flatten()
            .map(|d| {
                use gluesql::core::ast::ToSql;
                d.default.as_ref().map(|e| e.to_sql())
            })
            .collect();
        for row in values.rows.iter_mut() {
            for (expr, column) in row.iter_mut().zip(&named) {
                let is_default = matches!(expr, SqlExpr::Identifier(i) if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default"));
                if !is_default {
                    continue;
                }
                let Some(position) = table.meta.position(column) else {
                    continue;
                };
                let meta = &mut table.meta.columns[position];
                *expr = if let Some(last) = meta.sequence.as_mut() {
                    *last += 1;
                    SqlExpr::Value(SqlValue::Number((*last).into(), false))
                } else if let Some(text) = defaults.get(position).cloned().flatten() {
                    gluesql::core::sqlparser::parser::Parser::new(
                        &gluesql::core::sqlparser::dialect::PostgreSqlDialect {},
                    )
                    .try_with_sql(&text)
                    .and_then(|mut p| p.parse_expr())
                    .map_err(|_| EngineError::unsupported(format!("DEFAULT for column {column}")))?
                } else {
                    SqlExpr::Value(SqlValue::Null)
                };
            }
        }
        self.storage.explicit_columns = named;
        Ok(())
    }

    /// `UPDATE t SET c = DEFAULT`: the column's DEFAULT expression (a SERIAL's next value),
    /// or NULL.
    fn update_defaults(
        &mut self,
        table: &gluesql::core::sqlparser::ast::TableWithJoins,
        assignments: &mut [gluesql::core::sqlparser::ast::Assignment],
    ) -> Result<(), EngineError> {
        use gluesql::core::sqlparser::ast::{AssignmentTarget, Expr as SqlExpr, TableFactor};
        let TableFactor::Table { name, .. } = &table.relation else {
            return Ok(());
        };
        let Some(t) = self.storage.state.tables.get(&object_name(name)) else {
            return Ok(());
        };
        for assignment in assignments.iter_mut() {
            let is_default = matches!(&assignment.value, SqlExpr::Identifier(i)
                if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default"));
            let AssignmentTarget::ColumnName(column) = &assignment.target else {
                continue;
            };
            if !is_default {
                continue;
            }
            let column = column.0.last().map(|i| i.value.clone()).unwrap_or_default();
            let Some(position) = t.meta.position(&column) else {
                continue;
            };
            if t.meta.columns[position].sequence.is_some() {
                // (A SERIAL's DEFAULT takes a new number per row: not a constant here.)
                return Err(EngineError::unsupported("SET <serial column> = DEFAULT"));
            }
            let default = t
                .schema
                .column_defs
                .iter()
                .flatten()
                .find(|d| d.name == column)
                .and_then(|d| d.default.as_ref())
                .map(|e| {
                    use gluesql::core::ast::ToSql;
                    e.to_sql()
                });
            assignment.value = match default {
                Some(text) => gluesql::core::sqlparser::parser::Parser::new(
                    &gluesql::core::sqlparser::dialect::PostgreSqlDialect {},
                )
                .try_with_sql(&text)
                .and_then(|mut p| p.parse_expr())
                .map_err(|_| EngineError::unsupported(format!("DEFAULT for column {column}")))?,
                None => SqlExpr::Value(gluesql::core::sqlparser::ast::Value::Null),
            };
        }
        Ok(())
    }

    /// PostgreSQL's assignment casts for the target table of an INSERT or UPDATE, and the
    /// errors PostgreSQL gives before any row is written (column counts, unknown columns).
    fn assignment_casts(&self, statement: &mut Statement) -> Result<(), EngineError> {
        match statement {
            Statement::Insert(insert) => {
                let name = object_name(&insert.table_name);
                let mut seen = std::collections::HashSet::new();
                if let Some(twice) = insert
                    .columns
                    .iter()
                    .find(|c| !seen.insert(c.value.clone()))
                {
                    return Err(errors::plain(format!(
                        "column \"{}\" specified more than once",
                        twice.value
                    )));
                }
                if let Some(table) = self.storage.state.table(&name) {
                    let columns = table.meta.columns.clone();
                    let targets = if insert.columns.is_empty() {
                        columns.len()
                    } else {
                        insert.columns.len()
                    };
                    if let Some(gluesql::core::sqlparser::ast::SetExpr::Values(values)) =
                        insert.source.as_ref().map(|s| s.body.as_ref())
                    {
                        for row in &values.rows {
                            if row.len() > targets {
                                return Err(errors::plain(
                                    "INSERT has more expressions than target columns",
                                ));
                            }
                            if row.len() < targets && !insert.columns.is_empty() {
                                return Err(errors::plain(
                                    "INSERT has more target columns than expressions",
                                ));
                            }
                        }
                    }
                    super::assign::insert_casts(insert, &columns);
                }
            }
            Statement::Update {
                table, assignments, ..
            } => {
                let gluesql::core::sqlparser::ast::TableFactor::Table { name, .. } =
                    &table.relation
                else {
                    return Ok(());
                };
                let table_name = object_name(name);
                if let Some(t) = self.storage.state.table(&table_name) {
                    let columns = t.meta.columns.clone();
                    for assignment in assignments.iter() {
                        if let gluesql::core::sqlparser::ast::AssignmentTarget::ColumnName(n) =
                            &assignment.target
                        {
                            let column = n.0.last().map(|i| i.value.clone()).unwrap_or_default();
                            if !columns.iter().any(|c| c.name == column) {
                                return Err(errors::plain(format!(
                                    "column \"{column}\" of relation \"{table_name}\" does not exist"
                                )));
                            }
                        }
                    }
                    super::assign::update_casts(assignments, &columns);
                }
            }
            _ => {}
        }
        Ok(())
    }

    pub(crate) fn refuse_read_only(&self, command: &str) -> Result<(), EngineError> {
        if self.transaction.as_ref().is_some_and(|t| t.read_only) {
            return Err(errors::plain(format!(
                "cannot execute {command} in a read-only transaction"
            )));
        }
        Ok(())
    }

    /// Runs `f`, undoing every change it made to the state when it fails.
    pub(crate) fn atomically<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, EngineError>,
    ) -> Result<T, EngineError> {
        let before = self.storage.state.clone();
        let result = f(self);
        if result.is_err() {
            self.storage.state.rewind(&before);
        }
        result
    }

    pub(crate) fn install_table(
        &mut self,
        def: super::create::TableDef,
    ) -> Result<(), EngineError> {
        let name = def.schema.table_name.clone();
        self.storage
            .insert_schema(&def.schema)
            .map_err(|e| crate::engine::engine_error(&e))?;
        let table = self
            .storage
            .state
            .tables
            .get_mut(&name)
            .expect("just created");
        let composite_pk = def
            .meta
            .primary_key
            .as_ref()
            .filter(|pk| pk.columns.len() > 1)
            .cloned();
        let mut keys: Vec<_> = composite_pk.into_iter().collect();
        keys.extend(def.meta.uniques.iter().cloned());
        table.meta = def.meta;
        for key in keys {
            let exprs = key.columns.iter().cloned().map(Expr::Identifier).collect();
            let index = SecondaryIndex::composite(
                &key.name,
                exprs,
                None,
                IndexKind::Unique,
                &table.columns,
            );
            table.push_index(index);
        }
        Ok(())
    }
}
