//! INSERT / UPDATE / DELETE ... RETURNING: the statement runs without it, then the rows it
//! wrote (not the ones its foreign-key actions touched) are projected.

use super::errors;
use super::rewrite::rewrite_expr;
use crate::engine::storage_api::{Change, Run};
use crate::engine::{engine_error, Database, EngineError};
use gluesql::core::data::{Row, Value};
use gluesql::core::executor::{evaluate_stateless, Payload, RowContext};
use gluesql::core::plan::{plan_scalar_expr, StatementPlan};
use gluesql::core::sqlparser::ast::{Expr as SqlExpr, SelectItem, Statement};
use gluesql::core::translate::translate_with_params;
use std::borrow::Cow;
use std::rc::Rc;

/// What a statement run as several statements wrote (an upsert's inserts and updates, an
/// UPDATE ... FROM's per-row updates): the row count, and the RETURNING rows.
#[derive(Default)]
pub(crate) struct Written {
    count: usize,
    labels: Vec<String>,
    rows: Vec<Vec<Value>>,
    types: Vec<Option<super::PgType>>,
}

impl Written {
    /// Adds what one of the statements wrote (`run` is the one it ran with).
    pub(crate) fn add(&mut self, payload: Payload, run: Run) {
        match payload {
            Payload::Insert(n) | Payload::Update(n) | Payload::Delete(n) => self.count += n,
            Payload::Select { labels, rows } => {
                self.count += rows.len();
                self.labels = labels;
                self.rows.extend(rows);
                self.types = run.result_types;
            }
            _ => {}
        }
    }

    /// The statement's payload: its RETURNING rows (named by `probe`, a query of the
    /// RETURNING list that reads no row, when none came back), or `count` as `done`.
    pub(crate) fn finish(
        mut self,
        db: &mut Database,
        returning_probe: Option<String>,
        run: &mut Run,
        done: fn(usize) -> Payload,
    ) -> Payload {
        let Some(probe) = returning_probe else {
            return done(self.count);
        };
        if self.labels.is_empty() {
            let mut probe_run = Run::default();
            if let Ok(Payload::Select { labels, .. }) = db.run_finished(&probe, &mut probe_run) {
                self.labels = labels;
                self.types = probe_run.result_types;
            }
        }
        run.result_types = self.types;
        Payload::Select {
            labels: self.labels,
            rows: self.rows,
        }
    }
}

/// Takes the RETURNING list off a statement (None when it has none).
pub(crate) fn take_returning(statement: &mut Statement) -> Option<(String, Vec<SelectItem>)> {
    match statement {
        Statement::Insert(insert) => insert
            .returning
            .take()
            .map(|r| (super::create::object_name(&insert.table_name), r)),
        Statement::Update {
            table, returning, ..
        } => {
            let name = match &table.relation {
                gluesql::core::sqlparser::ast::TableFactor::Table { name, .. } => {
                    super::create::object_name(name)
                }
                _ => String::new(),
            };
            returning.take().map(|r| (name, r))
        }
        Statement::Delete(delete) => {
            let name = match &delete.from {
                gluesql::core::sqlparser::ast::FromTable::WithFromKeyword(tables)
                | gluesql::core::sqlparser::ast::FromTable::WithoutKeyword(tables) => {
                    match tables.first().map(|t| &t.relation) {
                        Some(gluesql::core::sqlparser::ast::TableFactor::Table {
                            name, ..
                        }) => super::create::object_name(name),
                        _ => String::new(),
                    }
                }
            };
            delete.returning.take().map(|r| (name, r))
        }
        _ => None,
    }
}

impl Database {
    pub(crate) fn run_returning(
        &mut self,
        statement: &Statement,
        table: &str,
        items: &[SelectItem],
        run: &mut Run,
    ) -> Result<Payload, EngineError> {
        // Translate the projection first: a bad RETURNING changes nothing.
        let mut projection = Vec::new();
        for item in items {
            match item {
                SelectItem::Wildcard(_) => projection.push(None),
                SelectItem::UnnamedExpr(e) => projection.push(Some((label(e), self.plan(e)?))),
                SelectItem::ExprWithAlias { expr, alias } => {
                    projection.push(Some((alias.value.clone(), self.plan(expr)?)))
                }
                other => {
                    return Err(errors::plain(format!(
                        "feature not supported in this playground: RETURNING {other}"
                    )))
                }
            }
        }
        let plan = translate_with_params(statement, &self.params).map_err(|e| engine_error(&e))?;
        let plan = self.prepare(StatementPlan::from(plan))?;
        self.execute_plan(&plan, run)?;
        let Some(t) = self.storage.state.tables.get(table) else {
            return Err(errors::plain(format!(
                "relation \"{table}\" does not exist"
            )));
        };
        let written: Vec<Rc<Vec<Value>>> = self.storage.changes[..self.storage.direct_changes]
            .iter()
            .filter_map(|change| match change {
                Change::Put {
                    table: name, key, ..
                } if name == table => t.rows.get(key).cloned(),
                Change::Deleted { table: name, old } if name == table => Some(old.clone()),
                _ => None,
            })
            .collect();
        let mut labels = Vec::new();
        for item in &projection {
            match item {
                None => labels.extend(t.columns.iter().cloned()),
                Some((label, _)) => labels.push(label.clone()),
            }
        }
        let mut rows = Vec::with_capacity(written.len());
        for values in written {
            let mut out = Vec::new();
            for item in &projection {
                match item {
                    None => out.extend(values.iter().cloned()),
                    Some((_, expr)) => {
                        let row = Row {
                            columns: Rc::clone(&t.columns),
                            values: values.as_ref().clone(),
                        };
                        let context = RowContext::new(table, Cow::Owned(row), None);
                        let value: Value = evaluate_stateless(Some(context), expr)
                            .and_then(|v| v.try_into())
                            .map_err(|e| engine_error(&e))?;
                        out.push(value);
                    }
                }
            }
            rows.push(out);
        }
        Ok(Payload::Select { labels, rows })
    }

    fn plan(&self, expr: &SqlExpr) -> Result<gluesql::core::plan::ExprPlan, EngineError> {
        let mut expr = expr.clone();
        rewrite_expr(&mut expr)
            .map_err(|m| errors::plain(format!("feature not supported in this playground: {m}")))?;
        let translated = gluesql::core::translate::translate_expr(&expr, &self.params)
            .map_err(|e| engine_error(&e))?;
        Ok(plan_scalar_expr(translated))
    }
}

/// PostgreSQL's column label: the column's name, or `?column?`.
fn label(expr: &SqlExpr) -> String {
    match expr {
        SqlExpr::Identifier(ident) => ident.value.clone(),
        SqlExpr::CompoundIdentifier(idents) => {
            idents.last().map(|i| i.value.clone()).unwrap_or_default()
        }
        SqlExpr::Function(f) => f
            .name
            .0
            .last()
            .map(|i| i.value.to_lowercase())
            .unwrap_or_default(),
        _ => "?column?".to_string(),
    }
}
