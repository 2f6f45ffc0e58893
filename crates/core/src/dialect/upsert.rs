//! `INSERT ... ON CONFLICT` as PostgreSQL runs it (GlueSQL 0.20 refuses the clause).
//!
//! The arbiters are resolved first, with PostgreSQL's errors: the unique constraints and
//! unique indexes whose columns are the conflict target's (`ON CONFLICT (email)`), the
//! named constraint (`ON CONFLICT ON CONSTRAINT users_email_key`), or, for a DO NOTHING
//! without a target, every unique constraint and index. Then each proposed row is
//! inserted on its own, through the whole front (defaults, SERIALs, casts, NOT NULL and
//! CHECK are checked as for any INSERT, and before the conflict, as in PostgreSQL). A row
//! refused by a unique violation on an arbiter is a conflict: DO NOTHING skips it, DO
//! UPDATE runs the UPDATE on the existing row with `EXCLUDED.col` standing for the
//! proposed value (cast to the column's type) and its WHERE. A row the statement already
//! inserted or updated cannot be updated again (21000). The whole statement is one atomic
//! step; a failed attempt keeps the sequence values it took, as PostgreSQL's nextval does.

use super::create::object_name;
use super::types::PgType;
use crate::engine::storage_api::Run;
use crate::engine::{Database, EngineError, SqlState};
use gluesql::core::executor::Payload;
use gluesql::core::sqlparser::ast::{
    Assignment, ConflictTarget, Expr, Ident, OnConflictAction, OnInsert, SelectItem, SetExpr,
    Statement,
};
use gluesql::prelude::Value;
use std::collections::HashSet;

/// Whether `statement` is an `INSERT ... ON CONFLICT`.
pub(crate) fn is_upsert(statement: &Statement) -> bool {
    matches!(statement, Statement::Insert(insert) if matches!(insert.on, Some(OnInsert::OnConflict(_))))
}

/// A unique constraint or index a conflict may be found on.
struct UniqueKey {
    name: String,
    columns: Vec<String>,
    /// A constraint (PRIMARY KEY, UNIQUE), which `ON CONSTRAINT` can name; a unique index
    /// made by CREATE UNIQUE INDEX is not one.
    constraint: bool,
    partial: bool,
}

fn unique_keys(table: &crate::engine::storage_api::Table) -> Vec<UniqueKey> {
    let mut keys: Vec<UniqueKey> = Vec::new();
    if let Some(pk) = &table.meta.primary_key {
        keys.push(UniqueKey {
            name: pk.name.clone(),
            columns: pk.columns.clone(),
            constraint: true,
            partial: false,
        });
    }
    for unique in &table.meta.uniques {
        keys.push(UniqueKey {
            name: unique.name.clone(),
            columns: unique.columns.clone(),
            constraint: true,
            partial: false,
        });
    }
    for index in table.indexes.iter().filter(|i| i.kind.is_unique()) {
        if keys.iter().any(|k| k.name == index.name) {
            continue;
        }
        let columns: Option<Vec<String>> = std::iter::once(&index.expr)
            .chain(index.rest.iter())
            .map(|e| match e {
                gluesql::core::ast::Expr::Identifier(name) => Some(name.clone()),
                _ => None,
            })
            .collect();
        // (An expression index is an arbiter only for the same expression: not inferred here.)
        if let Some(columns) = columns {
            keys.push(UniqueKey {
                name: index.name.clone(),
                columns,
                constraint: false,
                partial: index.predicate.is_some(),
            });
        }
    }
    keys
}

/// The constraint a unique violation names.
fn violated_constraint(error: &EngineError) -> Option<&str> {
    if error.code != SqlState::UNIQUE_VIOLATION {
        return None;
    }
    let rest = error
        .message
        .strip_prefix("duplicate key value violates unique constraint \"")?;
    rest.strip_suffix('"')
}

/// A value read by one query as a literal for another: `CAST('<its text>' AS <its type>)`,
/// so it keeps its PostgreSQL type (NULL as NULL; an untyped value as a quoted literal).
pub(crate) fn typed_literal(value: &Value, ty: Option<&PgType>) -> Option<Expr> {
    let literal = match (value, ty) {
        (Value::Null, _) => "NULL".to_string(),
        (v, Some(ty)) => format!(
            "CAST('{}' AS {})",
            super::output::pg_text_as(v, ty).replace('\'', "''"),
            ty.pg_name()
        ),
        (v, None) => format!("'{}'", crate::console::pg_text(v).replace('\'', "''")),
    };
    parse_expr(&literal)
}

/// One expression parsed from SQL text.
pub(crate) fn parse_expr(sql: &str) -> Option<Expr> {
    let statement = gluesql::core::parse_sql::parse(format!("SELECT {sql}"))
        .ok()?
        .pop()?;
    let Statement::Query(query) = statement else {
        return None;
    };
    let SetExpr::Select(select) = *query.body else {
        return None;
    };
    match select.projection.into_iter().next()? {
        SelectItem::UnnamedExpr(e) => Some(e),
        _ => None,
    }
}

/// `CAST((expr) AS type)`: the type as PostgreSQL names it.
fn cast_to(expr: &Expr, ty: &PgType) -> Result<Expr, EngineError> {
    parse_expr(&format!("CAST(({expr}) AS {})", ty.pg_name()))
        .map(|e| Expr::Nested(Box::new(e)))
        .ok_or_else(|| {
            EngineError::unsupported(format!("ON CONFLICT on a column of type {}", ty.pg_name()))
        })
}

impl Database {
    pub(crate) fn upsert(
        &mut self,
        statement: &Statement,
        run: &mut Run,
    ) -> Result<Payload, EngineError> {
        let Statement::Insert(insert) = statement else {
            unreachable!("checked by is_upsert");
        };
        let Some(OnInsert::OnConflict(on_conflict)) = &insert.on else {
            unreachable!("checked by is_upsert");
        };
        run.command = Some("INSERT".into());
        self.refuse_read_only("INSERT")?;
        let table_name = object_name(&insert.table_name);
        let Some(table) = self.storage.state.table(&table_name) else {
            return Err(EngineError::coded(
                SqlState::UNDEFINED_TABLE,
                format!("relation \"{table_name}\" does not exist"),
            ));
        };
        let column_types: Vec<(String, PgType)> = table
            .meta
            .columns
            .iter()
            .map(|c| (c.name.clone(), c.ty.clone()))
            .collect();
        // Each column's DEFAULT as SQL, for EXCLUDED of a column the INSERT leaves out.
        let defaults: Vec<(String, Option<String>, bool)> = table
            .meta
            .columns
            .iter()
            .map(|c| {
                use gluesql::core::ast::ToSql;
                let default = table
                    .schema
                    .column_defs
                    .iter()
                    .flatten()
                    .find(|d| d.name == c.name)
                    .and_then(|d| d.default.as_ref().map(|e| e.to_sql()));
                (c.name.clone(), default, c.sequence.is_some())
            })
            .collect();
        let keys = unique_keys(table);
        let update = match &on_conflict.action {
            OnConflictAction::DoNothing => None,
            OnConflictAction::DoUpdate(update) => Some(update),
        };
        // The arbiters.
        let arbiters: Vec<&UniqueKey> = match &on_conflict.conflict_target {
            Some(ConflictTarget::Columns(target)) => {
                let wanted: HashSet<&str> = target.iter().map(|i| i.value.as_str()).collect();
                for column in &wanted {
                    if !column_types.iter().any(|(c, _)| c == column) {
                        let hint = super::typing::column_hint(
                            column,
                            &table_name,
                            column_types.iter().map(|(c, _)| c),
                        );
                        return Err(EngineError::coded(
                            SqlState::UNDEFINED_COLUMN,
                            format!("column \"{column}\" does not exist{hint}"),
                        ));
                    }
                }
                let found: Vec<&UniqueKey> = keys
                    .iter()
                    .filter(|k| {
                        !k.partial
                            && k.columns.len() == wanted.len()
                            && k.columns.iter().all(|c| wanted.contains(c.as_str()))
                    })
                    .collect();
                if found.is_empty() {
                    return Err(EngineError::coded(
                        SqlState::INVALID_COLUMN_REFERENCE,
                        "there is no unique or exclusion constraint matching the ON CONFLICT specification",
                    ));
                }
                found
            }
            Some(ConflictTarget::OnConstraint(name)) => {
                let name = object_name(name);
                match keys.iter().find(|k| k.constraint && k.name == name) {
                    Some(key) => vec![key],
                    None => {
                        return Err(EngineError::coded(
                            SqlState::UNDEFINED_OBJECT,
                            format!("constraint \"{name}\" for table \"{table_name}\" does not exist"),
                        ))
                    }
                }
            }
            None if update.is_some() => {
                return Err(EngineError::coded(
                    SqlState::SYNTAX_ERROR,
                    "ON CONFLICT DO UPDATE requires inference specification or constraint name\nHINT:  For example, ON CONFLICT (column_name).",
                ))
            }
            None => keys.iter().collect(),
        };
        // EXCLUDED names a column of the table (checked before any row, as PostgreSQL
        // checks it when it reads the statement).
        if let Some(update) = update {
            let mut missing = None;
            let mut check = |expr: &Expr| {
                let mut probe = expr.clone();
                super::rewrite::walk_expr(&mut probe, &mut |e| {
                    if let Expr::CompoundIdentifier(parts) = e {
                        if parts.len() == 2
                            && parts[0].value.eq_ignore_ascii_case("excluded")
                            && !column_types.iter().any(|(c, _)| *c == parts[1].value)
                        {
                            missing.get_or_insert(parts[1].value.clone());
                        }
                    }
                });
            };
            update.assignments.iter().for_each(|a| check(&a.value));
            if let Some(selection) = &update.selection {
                check(selection);
            }
            if let Some(column) = missing {
                let hint = super::typing::column_hint(
                    &column,
                    "excluded",
                    column_types.iter().map(|(c, _)| c),
                );
                return Err(EngineError::coded(
                    SqlState::UNDEFINED_COLUMN,
                    format!("column excluded.{column} does not exist{hint}"),
                ));
            }
        }
        let arbiter_names: Vec<String> = arbiters.iter().map(|k| k.name.clone()).collect();
        let key_columns: Vec<String> = arbiters[0].columns.clone();
        let target_columns: Vec<String> = if insert.columns.is_empty() {
            column_types.iter().map(|(c, _)| c.clone()).collect()
        } else {
            insert.columns.iter().map(|c| c.value.clone()).collect()
        };
        let type_of = |column: &str| -> Option<PgType> {
            column_types
                .iter()
                .find(|(c, _)| c == column)
                .map(|(_, t)| t.clone())
        };

        // The proposed rows, as expressions.
        let rows: Vec<Option<Vec<Expr>>> = match insert.source.as_deref() {
            None => vec![None],
            Some(source) => match source.body.as_ref() {
                SetExpr::Values(values)
                    if source.order_by.is_none()
                        && source.limit.is_none()
                        && source.with.is_none() =>
                {
                    values.rows.iter().cloned().map(Some).collect()
                }
                _ => self.source_rows(source)?,
            },
        };

        let returning = insert.returning.clone();
        let alias = insert.table_alias.as_ref().map(|a| a.value.clone());
        let columns_sql = if insert.columns.is_empty() {
            String::new()
        } else {
            format!(
                " ({})",
                insert
                    .columns
                    .iter()
                    .map(|c| c.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        let returning_sql = returning.as_ref().map_or(String::new(), |items| {
            format!(
                " RETURNING {}",
                items
                    .iter()
                    .map(|i| unalias_item(i, alias.as_deref(), &table_name).to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
        self.atomically(|db| {
            let mut affected: HashSet<Vec<String>> = HashSet::new();
            let mut written = super::returning::Written::default();
            let (mut inserted, mut updated, mut skipped) = (0, 0, 0);
            for row in &rows {
                let insert_sql = match row {
                    None => format!("INSERT INTO {table_name} DEFAULT VALUES{returning_sql}"),
                    Some(exprs) => format!(
                        "INSERT INTO {table_name}{columns_sql} VALUES ({}){returning_sql}",
                        exprs
                            .iter()
                            .map(|e| e.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                };
                // The proposed value of a column (EXCLUDED.col), cast to its type.
                let proposed = |column: &str| -> Result<Expr, EngineError> {
                    let position = target_columns.iter().position(|c| c == column);
                    let ty = type_of(column);
                    match (row, position, ty) {
                        (Some(exprs), Some(p), Some(ty)) if p < exprs.len() => {
                            if matches!(&exprs[p], Expr::Identifier(i) if i.value.eq_ignore_ascii_case("default"))
                            {
                                return Err(EngineError::unsupported(
                                    "EXCLUDED of a column the INSERT sets to DEFAULT",
                                ));
                            }
                            cast_to(&exprs[p], &ty)
                        }
                        (_, _, None) => Err(EngineError::coded(
                            SqlState::UNDEFINED_COLUMN,
                            format!("column excluded.{column} does not exist"),
                        )),
                        (_, _, Some(ty)) => {
                            // Left out: the column's DEFAULT (NULL without one).
                            let (_, default, serial) = defaults
                                .iter()
                                .find(|(c, _, _)| c == column)
                                .expect("a column of the table");
                            if *serial {
                                return Err(EngineError::unsupported(format!(
                                    "EXCLUDED.{column} of a SERIAL the INSERT leaves to its sequence"
                                )));
                            }
                            let sql = default.clone().unwrap_or_else(|| "NULL".to_string());
                            parse_expr(&sql)
                                .ok_or_else(|| {
                                    EngineError::unsupported("EXCLUDED of this column's DEFAULT")
                                })
                                .and_then(|e| cast_to(&e, &ty))
                        }
                    }
                };
                // The conflict key, to tell a row this statement already touched.
                let key = match update {
                    Some(_) => {
                        let values: Vec<String> = key_columns
                            .iter()
                            .map(|c| proposed(c).map(|e| e.to_string()))
                            .collect::<Result<_, _>>()?;
                        let sql = format!("SELECT {}", values.join(", "));
                        let mut probe = Run::default();
                        match db.run_finished(&sql, &mut probe)? {
                            Payload::Select { rows, .. } => rows
                                .first()
                                .map(|r| super::set_ops::row_key(r))
                                .unwrap_or_default(),
                            _ => Vec::new(),
                        }
                    }
                    None => Vec::new(),
                };
                let before = db.storage.state.clone();
                let mut attempt = Run::default();
                let outcome = db.run_finished(&insert_sql, &mut attempt);
                let payload = match outcome {
                    Ok(payload) => {
                        affected.insert(key);
                        inserted += 1;
                        payload
                    }
                    Err(error)
                        if violated_constraint(&error)
                            .is_some_and(|c| arbiter_names.iter().any(|a| a == c)) =>
                    {
                        // A conflict: the attempt is undone, its sequence values kept.
                        db.storage.state.rewind(&before);
                        let Some(update) = update else {
                            skipped += 1;
                            continue;
                        };
                        if affected.contains(&key) {
                            return Err(EngineError::coded(
                                SqlState::CARDINALITY_VIOLATION,
                                "ON CONFLICT DO UPDATE command cannot affect row a second time\nHINT:  Ensure that no rows proposed for insertion within the same command have duplicate constrained values.",
                            ));
                        }
                        let substitute = |expr: &Expr| -> Result<Expr, EngineError> {
                            substitute_excluded(expr, alias.as_deref(), &table_name, &proposed)
                        };
                        let assignments: Vec<String> = update
                            .assignments
                            .iter()
                            .map(|a: &Assignment| {
                                Ok(format!("{} = {}", a.target, substitute(&a.value)?))
                            })
                            .collect::<Result<_, EngineError>>()?;
                        let mut conditions: Vec<String> = key_columns
                            .iter()
                            .map(|c| Ok(format!("{table_name}.{c} = {}", proposed(c)?)))
                            .collect::<Result<_, EngineError>>()?;
                        if let Some(selection) = &update.selection {
                            conditions.push(format!("({})", substitute(selection)?));
                        }
                        let update_sql = format!(
                            "UPDATE {table_name} SET {} WHERE {}{returning_sql}",
                            assignments.join(", "),
                            conditions.join(" AND ")
                        );
                        attempt = Run::default();
                        let payload = db.run_finished(&update_sql, &mut attempt)?;
                        affected.insert(key);
                        updated += 1;
                        payload
                    }
                    Err(error) => return Err(error),
                };
                written.add(payload, attempt);
            }
            run.plan = Some(format!(
                "ON CONFLICT on {}: {} proposed row(s): {inserted} inserted, {updated} updated on conflict, {skipped} skipped (the playground tries each row as an INSERT of its own)",
                arbiter_names.join(", "),
                rows.len()
            ));
            // (No row came back: the RETURNING list's names from a query reading none.)
            let probe = returning.is_some().then(|| {
                format!(
                    "SELECT {} FROM {table_name} WHERE FALSE",
                    returning_sql.trim_start_matches(" RETURNING ")
                )
            });
            Ok(written.finish(db, probe, run, Payload::Insert))
        })
    }

    /// The rows of an `INSERT ... SELECT` source, each value as a typed literal.
    fn source_rows(
        &mut self,
        source: &gluesql::core::sqlparser::ast::Query,
    ) -> Result<Vec<Option<Vec<Expr>>>, EngineError> {
        let rows = self.query_rows(&source.to_string())?;
        let mut out = Vec::new();
        for row in rows.rows {
            let mut exprs = Vec::new();
            for (value, ty) in row.iter().zip(&rows.types) {
                exprs.push(typed_literal(value, ty.as_ref()).ok_or_else(|| {
                    EngineError::unsupported("this INSERT ... SELECT ... ON CONFLICT")
                })?);
            }
            out.push(Some(exprs));
        }
        Ok(out)
    }
}

/// The table's alias (`INSERT INTO users AS u`) written as the table's name, so the
/// UPDATE and RETURNING that run on their own read it.
pub(crate) fn unalias(expr: &Expr, alias: Option<&str>, table: &str) -> Expr {
    let mut expr = expr.clone();
    if let Some(alias) = alias {
        super::rewrite::walk_expr(&mut expr, &mut |e| {
            if let Expr::CompoundIdentifier(parts) = e {
                if parts.len() == 2 && parts[0].value == alias {
                    parts[0] = Ident::new(table);
                }
            }
        });
    }
    expr
}

pub(crate) fn unalias_item(item: &SelectItem, alias: Option<&str>, table: &str) -> SelectItem {
    match item {
        SelectItem::UnnamedExpr(e) => SelectItem::UnnamedExpr(unalias(e, alias, table)),
        SelectItem::ExprWithAlias { expr, alias: a } => SelectItem::ExprWithAlias {
            expr: unalias(expr, alias, table),
            alias: a.clone(),
        },
        other => other.clone(),
    }
}

/// `expr` with each `EXCLUDED.col` replaced by the proposed value and the table's alias by
/// its name.
fn substitute_excluded(
    expr: &Expr,
    alias: Option<&str>,
    table: &str,
    proposed: &dyn Fn(&str) -> Result<Expr, EngineError>,
) -> Result<Expr, EngineError> {
    let mut expr = unalias(expr, alias, table);
    let mut error = None;
    super::rewrite::walk_expr(&mut expr, &mut |e| {
        if let Expr::CompoundIdentifier(parts) = e {
            if parts.len() == 2 && parts[0].value.eq_ignore_ascii_case("excluded") {
                match proposed(&parts[1].value) {
                    Ok(value) => *e = value,
                    Err(err) => {
                        error.get_or_insert(err);
                    }
                }
            }
        }
    });
    match error {
        Some(error) => Err(error),
        None => Ok(expr),
    }
}
