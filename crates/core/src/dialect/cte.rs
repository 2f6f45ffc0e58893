//! `WITH` and `WITH RECURSIVE` as PostgreSQL answers them. GlueSQL 0.20 has no common
//! table expressions: each CTE runs as a query of its own through the whole front, its
//! rows are kept in a scratch table for the statement (named `__cte_<n>_<name>`, typed as
//! PostgreSQL types the CTE's columns), and the main query reads that table where it names
//! the CTE. A recursive CTE runs its non-recursive term, then its recursive term again
//! and again on the rows the last round added, until a round adds none (UNION also drops
//! rows already found, so a cycle ends); a recursion that does not end stops at the
//! statement's budget or after its budget's `max_recursion_rounds` (10,000 by default), with a message that says why. The
//! scratch tables are gone when the statement ends, whatever its outcome.

use super::types::PgType;
use crate::engine::storage_api::Run;
use crate::engine::{Database, EngineError};
use gluesql::core::executor::Payload;
use gluesql::core::sqlparser::ast::{
    Expr, Ident, ObjectName, Query, SetExpr, SetOperator, SetQuantifier, Statement, TableAlias,
    TableFactor,
};
use gluesql::core::store::StoreMut;
use gluesql::prelude::Value;
use std::collections::HashSet;

/// Whether `statement` is a query with a WITH clause this module answers.
pub(crate) fn is_with_query(statement: &Statement) -> bool {
    matches!(statement, Statement::Query(q) if q.with.is_some())
}

/// A CTE's rows with their column names and types.
pub(crate) struct Materialized {
    pub labels: Vec<String>,
    pub types: Vec<Option<PgType>>,
    pub rows: Vec<Vec<Value>>,
}

impl Database {
    pub(crate) fn with_query(
        &mut self,
        statement: &Statement,
        run: &mut Run,
    ) -> Result<Payload, EngineError> {
        let Statement::Query(query) = statement else {
            unreachable!("checked by is_with_query");
        };
        self.with_scratch(|db, scratch| db.with_query_inner(query, run, scratch))
    }

    /// Runs `f`, which may create scratch tables (listed in its second argument), and
    /// removes them afterwards, whatever `f` returns: they live for one statement.
    pub(crate) fn with_scratch<T>(
        &mut self,
        f: impl FnOnce(&mut Self, &mut Vec<String>) -> Result<T, EngineError>,
    ) -> Result<T, EngineError> {
        let mut scratch = Vec::new();
        let result = f(self, &mut scratch);
        for name in scratch {
            self.storage.state.tables.remove(&name);
        }
        result
    }

    fn with_query_inner(
        &mut self,
        query: &Query,
        run: &mut Run,
        scratch: &mut Vec<String>,
    ) -> Result<Payload, EngineError> {
        let with = query.with.as_ref().expect("a WITH clause");
        let mut renames: Vec<(String, String)> = Vec::new();
        // What each part did, for the statement log's plan.
        let mut steps: Vec<String> = Vec::new();
        for (n, cte) in with.cte_tables.iter().enumerate() {
            let name = cte.alias.name.value.clone();
            if renames.iter().any(|(cte_name, _)| *cte_name == name) {
                return Err(EngineError::new(format!(
                    "WITH query name \"{name}\" specified more than once"
                )));
            }
            let internal = format!("__cte_{n}_{name}");
            let columns: Vec<String> = cte.alias.columns.iter().map(|c| c.value.clone()).collect();
            let mut body = (*cte.query).clone();
            rename_tables(&mut body, &renames);
            // A CTE that names itself or a later one, without RECURSIVE.
            let later: Vec<&str> = with.cte_tables[n..]
                .iter()
                .map(|c| c.alias.name.value.as_str())
                .collect();
            if !with.recursive {
                if let Some(forward) = later.iter().find(|l| mentions(&body, l)) {
                    return Err(EngineError::new(format!(
                        "relation \"{forward}\" does not exist\nDETAIL:  There is a WITH item named \"{forward}\", but it cannot be referenced from this part of the query.\nHINT:  Use WITH RECURSIVE, or re-order the WITH items to remove forward references."
                    )));
                }
            }
            let materialized = if with.recursive && mentions(&body, &name) {
                let (rows, rounds) = self.recursive(&body, &name, &internal, &columns, scratch)?;
                steps.push(format!(
                    "CTE {name} (recursive): {} rows in {rounds} rounds",
                    rows.rows.len()
                ));
                rows
            } else {
                let mut rows = self.query_rows(&body.to_string())?;
                name_columns(&mut rows, &columns, &name)?;
                self.create_scratch(&internal, &rows, scratch)?;
                steps.push(format!("CTE {name}: {} rows", rows.rows.len()));
                rows
            };
            self.replace_scratch_rows(&internal, materialized.rows)?;
            renames.push((name, internal));
        }
        let mut main = query.clone();
        main.with = None;
        rename_tables(&mut main, &renames);
        let mut inner = Run::default();
        let payload = self.run(&main.to_string(), &mut inner)?;
        run.command = Some("SELECT".into());
        run.result_types = inner.result_types;
        run.rounding = inner.rounding;
        run.difference = inner.difference;
        let mut plan = steps.join("\n");
        if let Some(main_plan) = inner.plan {
            plan.push_str("\nMain query:\n");
            plan.push_str(&main_plan);
        }
        run.plan = Some(plan);
        Ok(payload)
    }

    /// The non-recursive term, then the recursive term on each round's new rows.
    fn recursive(
        &mut self,
        body: &Query,
        name: &str,
        internal: &str,
        columns: &[String],
        scratch: &mut Vec<String>,
    ) -> Result<(Materialized, usize), EngineError> {
        let SetExpr::SetOperation {
            op: SetOperator::Union,
            set_quantifier,
            left,
            right,
        } = body.body.as_ref()
        else {
            return Err(EngineError::unsupported(
                "this recursive WITH (write it as <non-recursive term> UNION [ALL] <recursive term>)",
            ));
        };
        if body.order_by.is_some() || body.limit.is_some() || body.offset.is_some() {
            return Err(EngineError::unsupported(
                "ORDER BY or LIMIT in a recursive WITH",
            ));
        }
        let distinct = !matches!(set_quantifier, SetQuantifier::All);
        if has_aggregate(right) {
            return Err(EngineError::coded(
                crate::engine::SqlState::INVALID_RECURSION,
                "aggregate functions are not allowed in a recursive query's recursive term",
            ));
        }
        let mut anchor = self.query_rows(&left.to_string())?;
        name_columns(&mut anchor, columns, name)?;
        self.create_scratch(internal, &anchor, scratch)?;
        let mut seen: HashSet<Vec<String>> = HashSet::new();
        let mut all = Vec::new();
        let mut fresh = Vec::new();
        for row in anchor.rows.drain(..) {
            if !distinct || seen.insert(super::set_ops::row_key(&row)) {
                fresh.push(row);
            }
        }
        let mut term = (**right).clone();
        rename_in_set(&mut term, &[(name.to_string(), internal.to_string())]);
        let term_sql = term.to_string();
        let mut rounds = 0;
        let max_rounds = self.budget().max_recursion_rounds;
        while !fresh.is_empty() {
            rounds += 1;
            if rounds > max_rounds {
                return Err(EngineError::new(format!(
                    "WITH RECURSIVE {name} ran past the playground's budget of {max_rounds} rounds (a cycle? UNION instead of UNION ALL drops rows already found; or stop at a depth)"
                )));
            }
            all.extend(fresh.iter().cloned());
            self.replace_scratch_rows(internal, std::mem::take(&mut fresh))?;
            let round = self.query_rows(&term_sql)?;
            if round.labels.len() != anchor.labels.len() {
                return Err(EngineError::new(
                    "each UNION query must have the same number of columns",
                ));
            }
            if rounds == 1 {
                recursive_types_agree(name, &anchor.types, &round.types)?;
            }
            for row in round.rows {
                if !distinct || seen.insert(super::set_ops::row_key(&row)) {
                    fresh.push(row);
                }
            }
        }
        Ok((
            Materialized {
                labels: anchor.labels,
                types: anchor.types,
                rows: all,
            },
            rounds,
        ))
    }

    /// A query's rows, run through the whole front.
    pub(crate) fn query_rows(&mut self, sql: &str) -> Result<Materialized, EngineError> {
        let mut run = Run::default();
        match self.run_finished(sql, &mut run)? {
            Payload::Select { labels, rows } => {
                let mut types = run.result_types;
                types.resize(labels.len(), None);
                Ok(Materialized {
                    labels,
                    types,
                    rows,
                })
            }
            _ => Err(EngineError::unsupported(
                "INSERT, UPDATE or DELETE inside WITH",
            )),
        }
    }

    /// The scratch table for a CTE: its columns, typed as PostgreSQL types them.
    pub(crate) fn create_scratch(
        &mut self,
        internal: &str,
        rows: &Materialized,
        scratch: &mut Vec<String>,
    ) -> Result<(), EngineError> {
        let columns: Vec<String> = rows
            .labels
            .iter()
            .zip(&rows.types)
            .enumerate()
            .map(|(position, (label, ty))| {
                let ty = ty
                    .as_ref()
                    .filter(|t| !matches!(t, PgType::Native(_)))
                    .map(|t| t.pg_name())
                    .unwrap_or_else(|| value_type(&rows.rows, position));
                format!("\"{}\" {ty}", label.replace('"', "\"\""))
            })
            .collect();
        let sql = format!("CREATE TABLE {internal} ({})", columns.join(", "));
        let Ok(statements) = gluesql::core::parse_sql::parse(&sql) else {
            return Err(EngineError::unsupported(
                "the column types of this WITH query",
            ));
        };
        let Some(gluesql::core::sqlparser::ast::Statement::CreateTable(create)) =
            statements.into_iter().next()
        else {
            return Err(EngineError::unsupported(
                "the column types of this WITH query",
            ));
        };
        let def = super::create::create_table(&sql, &create, &self.storage.state, &[])?;
        self.install_table(def)?;
        scratch.push(internal.to_string());
        Ok(())
    }

    fn fill_scratch(&mut self, internal: &str, rows: Vec<Vec<Value>>) -> Result<(), EngineError> {
        self.storage.explicit_columns = self
            .storage
            .state
            .table(internal)
            .map(|t| t.meta.columns.iter().map(|c| c.name.clone()).collect())
            .unwrap_or_default();
        self.storage
            .append_data(internal, rows)
            .map_err(|e| crate::engine::engine_error(&e))
    }

    pub(crate) fn replace_scratch_rows(
        &mut self,
        internal: &str,
        rows: Vec<Vec<Value>>,
    ) -> Result<(), EngineError> {
        if let Some(table) = self.storage.state.tables.get_mut(internal) {
            table.rows = Default::default();
        }
        self.fill_scratch(internal, rows)
    }
}

/// PostgreSQL types a recursive CTE's columns by its non-recursive term and refuses a
/// recursive term of another type (`integer` then `numeric`, `varchar(100)` then `text`):
/// 42804, "Cast the output of the non-recursive term to the correct type". Its message
/// names the UNION's resolved type, which the playground does not always resolve the same
/// way, so the playground refuses the statement instead, with the same advice.
fn recursive_types_agree(
    name: &str,
    anchor: &[Option<PgType>],
    term: &[Option<PgType>],
) -> Result<(), EngineError> {
    for (n, (a, t)) in anchor.iter().zip(term).enumerate() {
        let (Some(a), Some(t)) = (a, t) else {
            continue;
        };
        if matches!(a, PgType::Native(_)) || matches!(t, PgType::Native(_)) || a == t {
            continue;
        }
        return Err(EngineError::unsupported(format!(
            "WITH RECURSIVE {name} whose column {} is {} in the non-recursive term but {} in the recursive term (PostgreSQL refuses it too: cast the non-recursive term's column to the type it will have)",
            n + 1,
            a.pg_name(),
            t.pg_name()
        )));
    }
    Ok(())
}

/// A column type for values whose PostgreSQL type the front could not tell.
fn value_type(rows: &[Vec<Value>], position: usize) -> String {
    let sample = rows.iter().map(|r| &r[position]).find(|v| !v.is_null());
    match sample {
        Some(Value::I64(_)) => "bigint",
        Some(Value::I32(_)) => "integer",
        Some(Value::I16(_)) => "smallint",
        Some(Value::Decimal(_)) => "numeric",
        Some(Value::F64(_) | Value::F32(_)) => "double precision",
        Some(Value::Bool(_)) => "boolean",
        Some(Value::Date(_)) => "date",
        Some(Value::Timestamp(_)) => "timestamp",
        Some(Value::Uuid(_)) => "uuid",
        Some(Value::Interval(_)) => "interval",
        _ => "text",
    }
    .to_string()
}

/// The CTE's column list (`WITH c (uid, n) AS ...`) names its columns.
fn name_columns(
    rows: &mut Materialized,
    columns: &[String],
    name: &str,
) -> Result<(), EngineError> {
    if columns.is_empty() {
        return Ok(());
    }
    if columns.len() > rows.labels.len() {
        return Err(EngineError::new(format!(
            "WITH query \"{name}\" has {} columns available but {} columns specified",
            rows.labels.len(),
            columns.len()
        )));
    }
    for (label, column) in rows.labels.iter_mut().zip(columns) {
        *label = column.clone();
    }
    Ok(())
}

/// Whether `query` reads the table `name` (a recursive CTE's self-reference).
fn mentions(query: &Query, name: &str) -> bool {
    let mut probe = query.clone();
    let marker = "__cte_self_reference";
    rename_tables(&mut probe, &[(name.to_string(), marker.to_string())]);
    probe.to_string().contains(marker)
}

fn has_aggregate(body: &SetExpr) -> bool {
    let SetExpr::Select(select) = body else {
        return false;
    };
    let mut found = false;
    for item in &select.projection {
        if let gluesql::core::sqlparser::ast::SelectItem::UnnamedExpr(e)
        | gluesql::core::sqlparser::ast::SelectItem::ExprWithAlias { expr: e, .. } = item
        {
            let mut probe = e.clone();
            super::rewrite::walk_expr(&mut probe, &mut |node| {
                if let Expr::Function(f) = node {
                    found |= matches!(
                        f.name.to_string().to_lowercase().as_str(),
                        "count" | "sum" | "avg" | "min" | "max" | "string_agg" | "array_agg"
                    );
                }
            });
        }
    }
    found
}

/// Points every FROM reference to a CTE at its scratch table (keeping the CTE's name as
/// the alias, so `nums.n` still reads), in subqueries too.
pub(crate) fn rename_tables(query: &mut Query, renames: &[(String, String)]) {
    if renames.is_empty() {
        return;
    }
    rename_in_set(&mut query.body, renames);
}

fn rename_in_set(body: &mut SetExpr, renames: &[(String, String)]) {
    match body {
        SetExpr::Select(select) => {
            for table in select.from.iter_mut() {
                rename_factor(&mut table.relation, renames);
                for join in table.joins.iter_mut() {
                    rename_factor(&mut join.relation, renames);
                    if let gluesql::core::sqlparser::ast::JoinOperator::Inner(
                        gluesql::core::sqlparser::ast::JoinConstraint::On(on),
                    )
                    | gluesql::core::sqlparser::ast::JoinOperator::LeftOuter(
                        gluesql::core::sqlparser::ast::JoinConstraint::On(on),
                    ) = &mut join.join_operator
                    {
                        rename_in_expr(on, renames);
                    }
                }
            }
            for item in select.projection.iter_mut() {
                if let gluesql::core::sqlparser::ast::SelectItem::UnnamedExpr(e)
                | gluesql::core::sqlparser::ast::SelectItem::ExprWithAlias {
                    expr: e, ..
                } = item
                {
                    rename_in_expr(e, renames);
                }
            }
            if let Some(selection) = select.selection.as_mut() {
                rename_in_expr(selection, renames);
            }
            if let Some(having) = select.having.as_mut() {
                rename_in_expr(having, renames);
            }
        }
        SetExpr::SetOperation { left, right, .. } => {
            rename_in_set(left, renames);
            rename_in_set(right, renames);
        }
        SetExpr::Query(query) => rename_tables(query, renames),
        _ => {}
    }
}

fn rename_factor(factor: &mut TableFactor, renames: &[(String, String)]) {
    match factor {
        TableFactor::Table { name, alias, .. } if name.0.len() == 1 => {
            let Some((cte, internal)) = renames.iter().find(|(cte, _)| *cte == name.0[0].value)
            else {
                return;
            };
            *name = ObjectName(vec![Ident::new(internal.clone())]);
            if alias.is_none() {
                *alias = Some(TableAlias {
                    name: Ident::new(cte.clone()),
                    columns: Vec::new(),
                });
            }
        }
        TableFactor::Derived { subquery, .. } => rename_tables(subquery, renames),
        _ => {}
    }
}

fn rename_in_expr(expr: &mut Expr, renames: &[(String, String)]) {
    super::rewrite::walk_expr(expr, &mut |node| match node {
        Expr::Subquery(query) => rename_tables(query, renames),
        Expr::InSubquery { subquery, .. } => rename_tables(subquery, renames),
        Expr::Exists { subquery, .. } => rename_tables(subquery, renames),
        _ => {}
    });
}

#[cfg(test)]
mod tests {
    use crate::engine::Database;

    #[test]
    fn a_recursion_over_a_cycle_stops_with_a_message() {
        let mut db = Database::new();
        db.execute("CREATE TABLE edges (src INT, dst INT)").unwrap();
        db.execute("INSERT INTO edges VALUES (1, 2), (2, 1)")
            .unwrap();
        let started = web_time::Instant::now();
        let error = db
            .execute(
                "WITH RECURSIVE walk (n) AS (SELECT 1 UNION ALL SELECT e.dst FROM edges e JOIN walk w ON e.src = w.n) SELECT count(*) FROM walk",
            )
            .unwrap_err();
        assert_eq!(error.code.0, "54000", "{}", error.message);
        assert!(error.message.contains("budget"), "{}", error.message);
        assert!(started.elapsed().as_secs() < 10);
        // Nothing of the scratch tables is left behind.
        assert_eq!(db.table_names(), vec!["edges".to_string()]);
        // UNION ends on the same cycle.
        db.execute(
            "WITH RECURSIVE walk (n) AS (SELECT 1 UNION SELECT e.dst FROM edges e JOIN walk w ON e.src = w.n) SELECT count(*) FROM walk",
        )
        .unwrap();
        assert_eq!(db.table_names(), vec!["edges".to_string()]);
    }
}
