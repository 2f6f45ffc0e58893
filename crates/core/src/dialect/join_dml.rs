//! `UPDATE ... FROM` and `DELETE ... USING`: an UPDATE or DELETE whose rows are found by
//! joining other tables (GlueSQL 0.20 has neither). Both read first, with one query
//! through the whole front: the target rows' primary keys joined to the other tables
//! under the statement's WHERE, and (for UPDATE) the other tables' values the SET and
//! RETURNING lists use. Then:
//! - UPDATE updates each target row once (the first match, as PostgreSQL updates a row
//!   once however many rows it joins), by its primary key, with the other tables' values
//!   written in as typed literals, so the assignment, its casts and every constraint run
//!   as in any UPDATE;
//! - DELETE deletes the rows found, by their keys, in one DELETE (foreign-key actions as
//!   in any DELETE).
//!
//! All in one atomic step. A target table without a primary key is refused.

use super::create::object_name;
use super::upsert::{typed_literal, unalias, unalias_item};
use crate::engine::storage_api::Run;
use crate::engine::{Database, EngineError};
use gluesql::core::executor::Payload;
use gluesql::core::sqlparser::ast::{
    Expr, FromTable, Ident, SelectItem, Statement, TableFactor, TableWithJoins,
};
use std::collections::HashSet;

/// Whether `statement` is an UPDATE with FROM or a DELETE with USING.
pub(crate) fn is_join_dml(statement: &Statement) -> bool {
    match statement {
        Statement::Update { from, .. } => from.is_some(),
        Statement::Delete(delete) => delete.using.is_some(),
        _ => false,
    }
}

/// The target: its name, the name it goes by in the statement, its primary key.
struct Target {
    table: String,
    qualifier: String,
    alias: Option<String>,
    key: Vec<String>,
    columns: Vec<String>,
}

impl Database {
    fn target(&self, relation: &TableFactor, command: &str) -> Result<Target, EngineError> {
        let TableFactor::Table { name, alias, .. } = relation else {
            return Err(EngineError::unsupported(format!("this {command} target")));
        };
        let table = object_name(name);
        let Some(t) = self.storage.state.table(&table) else {
            return Err(EngineError::coded(
                crate::engine::SqlState::UNDEFINED_TABLE,
                format!("relation \"{table}\" does not exist"),
            ));
        };
        let Some(key) = t.meta.primary_key.as_ref().map(|k| k.columns.clone()) else {
            return Err(EngineError::unsupported(format!(
                "{command} ... {} on a table without a primary key",
                if command == "UPDATE" { "FROM" } else { "USING" }
            )));
        };
        let alias = alias.as_ref().map(|a| a.name.value.clone());
        Ok(Target {
            qualifier: alias.clone().unwrap_or_else(|| table.clone()),
            table: table.clone(),
            alias,
            key,
            columns: t.meta.columns.iter().map(|c| c.name.clone()).collect(),
        })
    }

    /// The names the joined relations go by, and the columns of those that are tables.
    fn joined_names(&self, from: &[TableWithJoins]) -> Vec<(String, Vec<String>)> {
        let mut names = Vec::new();
        let factors = from
            .iter()
            .flat_map(|t| std::iter::once(&t.relation).chain(t.joins.iter().map(|j| &j.relation)));
        for factor in factors {
            match factor {
                TableFactor::Table { name, alias, .. } => {
                    let table = object_name(name);
                    let columns = self
                        .storage
                        .state
                        .table(&table)
                        .map(|t| t.meta.columns.iter().map(|c| c.name.clone()).collect())
                        .unwrap_or_default();
                    let called = alias.as_ref().map_or(table, |a| a.name.value.clone());
                    names.push((called, columns));
                }
                TableFactor::Derived {
                    alias: Some(alias), ..
                } => names.push((
                    alias.name.value.clone(),
                    alias.columns.iter().map(|c| c.value.clone()).collect(),
                )),
                _ => {}
            }
        }
        names
    }

    /// The rows (key values, then the values of `refs`) the join finds, each target row
    /// once, and the types of those columns.
    fn joined_rows(
        &mut self,
        target: &Target,
        from: &[TableWithJoins],
        selection: Option<&Expr>,
        refs: &[Expr],
    ) -> Result<super::cte::Materialized, EngineError> {
        let mut items: Vec<String> = target
            .key
            .iter()
            .map(|k| format!("{}.{k}", target.qualifier))
            .collect();
        items.extend(refs.iter().map(|r| r.to_string()));
        let alias = target
            .alias
            .as_ref()
            .map(|a| format!(" AS {a}"))
            .unwrap_or_default();
        let joined = from
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let filter = selection.map(|s| format!(" WHERE {s}")).unwrap_or_default();
        let read = format!(
            "SELECT {} FROM {}{alias}, {joined}{filter}",
            items.join(", "),
            target.table
        );
        let mut found = self.query_rows(&read)?;
        let mut seen = HashSet::new();
        found
            .rows
            .retain(|r| seen.insert(super::set_ops::row_key(&r[..target.key.len()])));
        Ok(found)
    }

    pub(crate) fn join_dml(
        &mut self,
        statement: &Statement,
        run: &mut Run,
    ) -> Result<Payload, EngineError> {
        match statement {
            Statement::Update {
                table,
                assignments,
                from: Some(from),
                selection,
                returning,
            } => {
                run.command = Some("UPDATE".into());
                self.refuse_read_only("UPDATE")?;
                if !table.joins.is_empty() {
                    return Err(EngineError::unsupported("UPDATE of a join"));
                }
                let target = self.target(&table.relation, "UPDATE")?;
                let from = std::slice::from_ref(from);
                let joined = self.joined_names(from);
                // Every reference to a joined relation the SET and RETURNING lists make.
                let mut refs: Vec<Expr> = Vec::new();
                let mut collect = |expr: &Expr| {
                    let mut probe = expr.clone();
                    super::rewrite::walk_expr(&mut probe, &mut |e| {
                        if is_joined_ref(e, &target, &joined) && !refs.contains(e) {
                            refs.push(e.clone());
                        }
                    });
                };
                assignments.iter().for_each(|a| collect(&a.value));
                for item in returning.iter().flatten() {
                    if let SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } =
                        item
                    {
                        collect(e);
                    }
                }
                let super::cte::Materialized { rows, types, .. } =
                    self.joined_rows(&target, from, selection.as_ref(), &refs)?;
                let key_len = target.key.len();
                run.plan = Some(format!(
                    "UPDATE ... FROM: the join found {} row(s) of {} to update; each updated once, by its primary key",
                    rows.len(),
                    target.table
                ));
                let returning = returning.clone();
                self.atomically(|db| {
                    let mut written = super::returning::Written::default();
                    for row in &rows {
                        let literal = |i: usize| -> Result<Expr, EngineError> {
                            typed_literal(&row[i], types.get(i).and_then(|t| t.as_ref()))
                                .ok_or_else(|| EngineError::unsupported("this UPDATE ... FROM"))
                        };
                        let substitute = |expr: &Expr| -> Result<Expr, EngineError> {
                            let mut expr = unalias(expr, target.alias.as_deref(), &target.table);
                            let mut error = None;
                            replace_refs(&mut expr, &refs, &mut |k| match literal(key_len + k) {
                                Ok(e) => Some(e),
                                Err(e) => {
                                    error.get_or_insert(e);
                                    None
                                }
                            });
                            error.map_or(Ok(expr), Err)
                        };
                        let sets: Vec<String> = assignments
                            .iter()
                            .map(|a| Ok(format!("{} = {}", a.target, substitute(&a.value)?)))
                            .collect::<Result<_, EngineError>>()?;
                        let keys: Vec<String> = target
                            .key
                            .iter()
                            .enumerate()
                            .map(|(i, k)| Ok(format!("{}.{k} = {}", target.table, literal(i)?)))
                            .collect::<Result<_, EngineError>>()?;
                        let returning_sql = match &returning {
                            None => String::new(),
                            Some(items) => {
                                let items: Vec<String> = items
                                    .iter()
                                    .map(|item| {
                                        let item = unalias_item(
                                            item,
                                            target.alias.as_deref(),
                                            &target.table,
                                        );
                                        Ok(match item {
                                            SelectItem::UnnamedExpr(e) => {
                                                let name = super::names::column_name(&e);
                                                format!(
                                                    "{} AS \"{}\"",
                                                    substitute(&e)?,
                                                    name.replace('"', "\"\"")
                                                )
                                            }
                                            SelectItem::ExprWithAlias { expr, alias } => {
                                                format!("{} AS {alias}", substitute(&expr)?)
                                            }
                                            other => other.to_string(),
                                        })
                                    })
                                    .collect::<Result<_, EngineError>>()?;
                                format!(" RETURNING {}", items.join(", "))
                            }
                        };
                        let sql = format!(
                            "UPDATE {} SET {} WHERE {}{returning_sql}",
                            target.table,
                            sets.join(", "),
                            keys.join(" AND ")
                        );
                        let mut step = Run::default();
                        let payload = db.run_finished(&sql, &mut step)?;
                        written.add(payload, step);
                    }
                    let probe = returning.as_ref().map(|items| {
                        let items: Vec<String> = items
                            .iter()
                            .map(|i| {
                                unalias_item(i, target.alias.as_deref(), &target.table).to_string()
                            })
                            .collect();
                        let joined_tables: Vec<String> =
                            from.iter().map(|t| t.to_string()).collect();
                        format!(
                            "SELECT {} FROM {}, {} WHERE FALSE",
                            items.join(", "),
                            target.table,
                            joined_tables.join(", ")
                        )
                    });
                    Ok(written.finish(db, probe, run, Payload::Update))
                })
            }
            Statement::Delete(delete) => {
                run.command = Some("DELETE".into());
                self.refuse_read_only("DELETE")?;
                let (FromTable::WithFromKeyword(tables) | FromTable::WithoutKeyword(tables)) =
                    &delete.from;
                let [table] = tables.as_slice() else {
                    return Err(EngineError::unsupported("DELETE of more than one table"));
                };
                if !table.joins.is_empty() || !delete.tables.is_empty() {
                    return Err(EngineError::unsupported("DELETE of a join"));
                }
                let target = self.target(&table.relation, "DELETE")?;
                let using = delete.using.as_deref().unwrap_or_default();
                let joined = self.joined_names(using);
                if let Some(items) = &delete.returning {
                    let mut uses_joined = false;
                    for item in items {
                        if let SelectItem::UnnamedExpr(e)
                        | SelectItem::ExprWithAlias { expr: e, .. } = item
                        {
                            let mut probe = e.clone();
                            super::rewrite::walk_expr(&mut probe, &mut |e| {
                                uses_joined |= is_joined_ref(e, &target, &joined);
                            });
                        } else if !matches!(item, SelectItem::Wildcard(_)) {
                            uses_joined = true;
                        }
                    }
                    if uses_joined {
                        return Err(EngineError::unsupported(
                            "RETURNING a USING table's columns from DELETE ... USING",
                        ));
                    }
                }
                let super::cte::Materialized { rows, types, .. } =
                    self.joined_rows(&target, using, delete.selection.as_ref(), &[])?;
                run.plan = Some(format!(
                    "DELETE ... USING: the join found {} row(s) of {} to delete; deleted by their primary keys",
                    rows.len(),
                    target.table
                ));
                if rows.is_empty() && delete.returning.is_none() {
                    return Ok(Payload::Delete(0));
                }
                let mut matches = Vec::new();
                for row in &rows {
                    let mut parts = Vec::new();
                    for (i, k) in target.key.iter().enumerate() {
                        let literal = typed_literal(&row[i], types.get(i).and_then(|t| t.as_ref()))
                            .ok_or_else(|| EngineError::unsupported("this DELETE ... USING"))?;
                        parts.push(format!("{}.{k} = {literal}", target.table));
                    }
                    matches.push(format!("({})", parts.join(" AND ")));
                }
                let filter = if matches.is_empty() {
                    "FALSE".to_string()
                } else {
                    matches.join(" OR ")
                };
                let returning = delete.returning.as_ref().map_or(String::new(), |items| {
                    format!(
                        " RETURNING {}",
                        items
                            .iter()
                            .map(|i| unalias_item(i, target.alias.as_deref(), &target.table)
                                .to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                });
                let sql = format!("DELETE FROM {} WHERE {filter}{returning}", target.table);
                let mut step = Run::default();
                let payload = self.atomically(|db| db.run_finished(&sql, &mut step))?;
                run.result_types = step.result_types;
                Ok(payload)
            }
            _ => unreachable!("checked by is_join_dml"),
        }
    }
}

/// Whether `expr` is a column of a joined relation (qualified by its name, or unqualified
/// and a column of a joined table but not of the target).
fn is_joined_ref(expr: &Expr, target: &Target, joined: &[(String, Vec<String>)]) -> bool {
    match expr {
        Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
            parts[0].value != target.qualifier && joined.iter().any(|(n, _)| *n == parts[0].value)
        }
        Expr::Identifier(Ident { value, .. }) => {
            !target.columns.contains(value) && joined.iter().any(|(_, cols)| cols.contains(value))
        }
        _ => false,
    }
}

/// `expr` with each joined reference (`refs[k]`) replaced by `value(k)`.
fn replace_refs(expr: &mut Expr, refs: &[Expr], value: &mut dyn FnMut(usize) -> Option<Expr>) {
    super::rewrite::walk_expr(expr, &mut |e| {
        if let Some(k) = refs.iter().position(|r| r == e) {
            if let Some(v) = value(k) {
                *e = v;
            }
        }
    });
}
