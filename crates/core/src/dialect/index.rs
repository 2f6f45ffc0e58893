//! CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] name ON t (col, ..., expr) [WHERE p]:
//! composite (keyed by the leftmost column), expression and partial indexes.

use super::create::object_name;
use super::errors;
use super::rewrite::rewrite_expr;
use crate::engine::storage_api::{AccessMethod, IndexKind, Run, SecondaryIndex};
use crate::engine::{Database, EngineError};
use gluesql::core::ast::Expr;
use gluesql::core::executor::Payload;
use gluesql::core::sqlparser::ast::{CreateIndex, Expr as SqlExpr};
use gluesql::core::translate::translate_expr;

impl Database {
    pub(crate) fn create_index(
        &mut self,
        sql: &str,
        create: &CreateIndex,
        run: &mut Run,
    ) -> Result<Payload, EngineError> {
        run.command = Some("CREATE INDEX".into());
        self.refuse_read_only("CREATE INDEX")?;
        if let Some(using) = &create.using {
            if !using.value.eq_ignore_ascii_case("btree") {
                return Err(errors::unsupported(
                    sql,
                    &format!("index method {} (only btree)", using.value),
                    &using.value,
                ));
            }
        }
        if !create.include.is_empty() {
            return Err(errors::unsupported(sql, "INCLUDE columns", "INCLUDE"));
        }
        if create.nulls_distinct == Some(false) {
            return Err(errors::unsupported(sql, "NULLS NOT DISTINCT", "NULLS"));
        }
        if !create.with.is_empty() {
            return Err(errors::unsupported(
                sql,
                "index storage parameters (WITH ...)",
                "WITH",
            ));
        }
        let table_name = object_name(&create.table_name);
        let Some(table) = self.storage.state.tables.get(&table_name) else {
            return Err(errors::at(
                sql,
                format!("relation \"{table_name}\" does not exist"),
                &table_name,
            ));
        };
        let column_type = |name: &str| {
            table
                .meta
                .columns
                .iter()
                .find(|c| c.name == name)
                .map(|c| c.ty.clone())
        };
        for column in &create.columns {
            // PostgreSQL's grammar takes a column, a function call, or an expression in
            // its own parentheses: `ON t ((a + b))`, not `ON t (a + b)`.
            use gluesql::core::sqlparser::ast::Expr as SqlExpr;
            let bare_operator = match &column.expr {
                SqlExpr::Cast {
                    kind: gluesql::core::sqlparser::ast::CastKind::DoubleColon,
                    ..
                } => Some("::".to_string()),
                SqlExpr::BinaryOp { op, .. } => Some(op.to_string()),
                _ => None,
            };
            if let Some(token) = bare_operator {
                return Err(errors::at(
                    sql,
                    format!("syntax error at or near \"{token}\""),
                    &token,
                ));
            }
            if !immutable(&column.expr, &column_type) {
                return Err(errors::plain(
                    "functions in index expression must be marked IMMUTABLE",
                ));
            }
        }
        if create
            .predicate
            .as_ref()
            .is_some_and(|p| !immutable(p, &column_type))
        {
            return Err(errors::plain(
                "functions in index predicate must be marked IMMUTABLE",
            ));
        }
        let mut exprs = Vec::new();
        for column in &create.columns {
            // ASC/DESC and NULLS FIRST/LAST are accepted: a B-tree reads both ways.
            // `((expr))`: the parentheses are the grammar's, not part of the key.
            let mut key = &column.expr;
            while let gluesql::core::sqlparser::ast::Expr::Nested(inner) = key {
                key = inner;
            }
            let expr = translate(sql, key)?;
            exprs.push(expr);
        }
        if exprs.is_empty() {
            return Err(errors::plain("an index needs at least one column"));
        }
        let missing = exprs
            .iter()
            .flat_map(identifiers)
            .find(|name| !table.columns.iter().any(|c| c == name));
        if let Some(name) = missing {
            return Err(errors::at(
                sql,
                format!("column \"{name}\" does not exist"),
                &name,
            ));
        }
        let predicate = match &create.predicate {
            Some(p) => Some(translate(sql, p)?),
            None => None,
        };
        let name = match &create.name {
            Some(name) => object_name(name),
            None => {
                let columns: Vec<String> = exprs
                    .iter()
                    .map(|e| match e {
                        Expr::Identifier(n) => n.clone(),
                        _ => "expr".into(),
                    })
                    .collect();
                super::create::unique_name(
                    &self.all_index_names(),
                    format!("{table_name}_{}_idx", columns.join("_")),
                )
            }
        };
        let invalid_named = |db: &Database| {
            db.storage
                .state
                .tables
                .values()
                .any(|t| t.meta.invalid_indexes.contains(&name))
        };
        if self.storage.table_of_index(&name).is_some()
            || self.storage.state.tables.contains_key(&name)
            || invalid_named(self)
        {
            return Err(errors::plain(format!("relation \"{name}\" already exists")));
        }
        let kind = if create.unique {
            IndexKind::UniqueIndex
        } else {
            IndexKind::Plain
        };
        let built = self.atomically(|db| {
            let slot = db.storage.probe.open(&table_name, AccessMethod::FullScan);
            let table = db
                .storage
                .state
                .tables
                .get_mut(&table_name)
                .expect("checked above");
            let index = SecondaryIndex::composite(&name, exprs, predicate, kind, &table.columns);
            table.push_index(index);
            table
                .rebuild_indexes()
                .map_err(|e| crate::engine::engine_error(&e))?;
            let keys: Vec<_> = table.rows.keys().cloned().collect();
            for _ in 0..keys.len() {
                db.storage
                    .probe
                    .count_row(slot)
                    .map_err(|e| crate::engine::engine_error(&e))?;
            }
            if kind.is_unique() {
                let table = db.storage.state.tables.get(&table_name).expect("exists");
                super::constraints::check_unique_on_create(table, &keys, &name)?;
            }
            Ok(())
        });
        if let Err(error) = built {
            if create.concurrently && error.code == crate::engine::SqlState::UNIQUE_VIOLATION {
                // The concurrent build fails after the index was entered in the catalog.
                if let Some(table) = self.storage.state.tables.get_mut(&table_name) {
                    table.meta.invalid_indexes.push(name.clone());
                }
                run.notice = Some(format!(
                    "the failed concurrent build leaves index \"{name}\" behind, INVALID: drop it (DROP INDEX CONCURRENTLY {name}) before building it again"
                ));
            }
            return Err(error);
        }
        Ok(Payload::CreateIndex)
    }

    fn all_index_names(&self) -> Vec<String> {
        self.storage
            .state
            .tables
            .values()
            .flat_map(|t| t.indexes.iter().map(|i| i.name.clone()))
            .collect()
    }
}

fn translate(sql: &str, expr: &SqlExpr) -> Result<Expr, EngineError> {
    let mut expr = expr.clone();
    rewrite_expr(&mut expr)
        .map_err(|m| errors::plain(format!("feature not supported in this playground: {m}")))?;
    translate_expr(&expr, &[]).map_err(|e| {
        errors::at(
            sql,
            format!("feature not supported in this playground: index expression {expr} ({e})"),
            &expr.to_string(),
        )
    })
}

/// The column names an expression reads.
fn identifiers(expr: &Expr) -> Vec<String> {
    fn walk(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::String(n)) = map.get("Identifier") {
                    out.push(n.clone());
                }
                map.values().for_each(|v| walk(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(value) = serde_json::to_value(expr) {
        walk(&value, &mut out);
    }
    out
}

/// Whether PostgreSQL accepts `expr` in an index: no volatile or stable function (`now()`,
/// `random()`), and no TIMESTAMPTZ turned into a DATE, which depends on the session's time
/// zone (the reference's `DATE(created_at)`; `(created_at AT TIME ZONE 'UTC')::date` is
/// the immutable way to write it).
fn immutable(
    expr: &gluesql::core::sqlparser::ast::Expr,
    column_type: &dyn Fn(&str) -> Option<super::types::PgType>,
) -> bool {
    use gluesql::core::sqlparser::ast::{DataType, Expr as SqlExpr};
    let is_timestamptz = |e: &SqlExpr| {
        let name = match e {
            SqlExpr::Identifier(i) => Some(i.value.as_str()),
            SqlExpr::CompoundIdentifier(parts) => parts.last().map(|i| i.value.as_str()),
            _ => None,
        };
        name.and_then(column_type)
            .is_some_and(|t| t == super::types::PgType::Timestamp { tz: true })
    };
    let mut ok = true;
    let mut probe = expr.clone();
    super::rewrite::walk_expr(&mut probe, &mut |e| match e {
        SqlExpr::Function(f) => {
            let name = f.name.to_string().to_lowercase();
            let args = super::rewrite::unnamed_args(f);
            let volatile = matches!(
                name.as_str(),
                "now"
                    | "current_timestamp"
                    | "current_date"
                    | "localtimestamp"
                    | "clock_timestamp"
                    | "statement_timestamp"
                    | "random"
                    | "gen_random_uuid"
                    | "uuid_generate_v4"
            );
            let tz_to_date = name == "date" && args.first().is_some_and(|a| is_timestamptz(a));
            if volatile || tz_to_date {
                ok = false;
            }
        }
        SqlExpr::Cast {
            expr: inner,
            data_type: DataType::Date,
            ..
        } if is_timestamptz(inner) => ok = false,
        _ => {}
    });
    ok
}
