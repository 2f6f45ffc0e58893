//! `SELECT DISTINCT ON (exprs) ... ORDER BY ...`: the first row of each group of equal
//! `exprs`, in the query's order (PostgreSQL's extension; GlueSQL refuses it). The query
//! runs without DISTINCT ON and without LIMIT/OFFSET, with the DISTINCT ON expressions as
//! extra hidden columns; the first row for each key is kept (NULLs equal, as in
//! PostgreSQL), then the hidden columns go and LIMIT/OFFSET apply.

use crate::engine::storage_api::Run;
use crate::engine::{Database, EngineError};
use gluesql::core::executor::Payload;
use gluesql::core::sqlparser::ast::{
    Distinct, Expr, Ident, SelectItem, SetExpr, Statement, Value as SqlValue,
};
use std::collections::HashSet;

pub(crate) fn is_distinct_on(statement: &Statement) -> bool {
    matches!(statement, Statement::Query(q) if q.with.is_none()
        && matches!(q.body.as_ref(), SetExpr::Select(s) if matches!(s.distinct, Some(Distinct::On(_)))))
}

impl Database {
    pub(crate) fn distinct_on(
        &mut self,
        statement: &Statement,
        run: &mut Run,
    ) -> Result<Payload, EngineError> {
        let Statement::Query(query) = statement else {
            unreachable!("checked by is_distinct_on");
        };
        let mut inner = query.clone();
        let SetExpr::Select(select) = inner.body.as_mut() else {
            unreachable!("checked by is_distinct_on");
        };
        let Some(Distinct::On(keys)) = select.distinct.take() else {
            unreachable!("checked by is_distinct_on");
        };
        // PostgreSQL: the leading ORDER BY items must be the DISTINCT ON expressions.
        if let Some(order_by) = &query.order_by {
            // (An ORDER BY position or output alias stands for its select item.)
            let resolve = |e: &Expr| -> Expr {
                let item = match e {
                    Expr::Value(n @ SqlValue::Number(..)) => super::typing::number_literal(n)
                        .and_then(|(t, _)| t.parse::<usize>().ok())
                        .and_then(|p| select.projection.get(p.checked_sub(1)?)),
                    Expr::Identifier(name) => select.projection.iter().find(|i| {
                        matches!(i, SelectItem::ExprWithAlias { alias, .. } if alias.value == name.value)
                    }),
                    _ => None,
                };
                match item {
                    Some(
                        SelectItem::UnnamedExpr(x) | SelectItem::ExprWithAlias { expr: x, .. },
                    ) => x.clone(),
                    _ => e.clone(),
                }
            };
            let matches = order_by
                .exprs
                .iter()
                .take(keys.len())
                .all(|o| keys.contains(&resolve(&o.expr)) || keys.contains(&o.expr));
            if !matches {
                return Err(EngineError::coded(
                    crate::engine::SqlState::INVALID_COLUMN_REFERENCE,
                    "SELECT DISTINCT ON expressions must match initial ORDER BY expressions",
                ));
            }
        }
        let visible = select.projection.len();
        for (n, key) in keys.iter().enumerate() {
            select.projection.push(SelectItem::ExprWithAlias {
                expr: key.clone(),
                alias: Ident::with_quote('"', format!("__distinct_on_{n}")),
            });
        }
        let (limit, offset) = (inner.limit.take(), inner.offset.take());
        let mut inner_run = Run::default();
        let payload = self.run_finished(&inner.to_string(), &mut inner_run)?;
        let Payload::Select { mut labels, rows } = payload else {
            return Err(EngineError::unsupported("this DISTINCT ON"));
        };
        let mut seen = HashSet::new();
        let mut kept = Vec::new();
        for mut row in rows {
            let key = super::set_ops::row_key(&row[visible..]);
            if seen.insert(key) {
                row.truncate(visible);
                kept.push(row);
            }
        }
        labels.truncate(visible);
        let count = |e: &Option<Expr>| -> Result<Option<usize>, EngineError> {
            match e {
                None | Some(Expr::Value(SqlValue::Null)) => Ok(None),
                Some(Expr::Value(n @ SqlValue::Number(..))) => {
                    Ok(super::typing::number_literal(n).and_then(|(t, _)| t.parse().ok()))
                }
                Some(_) => Err(EngineError::unsupported(
                    "a LIMIT or OFFSET that is not a constant with DISTINCT ON",
                )),
            }
        };
        let skip = count(&offset.map(|o| o.value))?.unwrap_or(0);
        let take = count(&limit)?.unwrap_or(usize::MAX);
        let rows = kept.into_iter().skip(skip).take(take).collect();
        run.command = Some("SELECT".into());
        inner_run.result_types.truncate(visible);
        run.result_types = inner_run.result_types;
        Ok(Payload::Select { labels, rows })
    }
}
