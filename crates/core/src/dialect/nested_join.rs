//! A parenthesized join in FROM, `a LEFT JOIN (b JOIN c ON ...) ON ...`: GlueSQL refuses
//! it, and SQLAlchemy writes it for every joined eager load of a many-to-many
//! (`products LEFT OUTER JOIN (product_tags AS product_tags_1 JOIN tags AS tags_1 ON ...)
//! ON ...`). PostgreSQL joins the parenthesized tables first and then joins that result as
//! one relation, which is not the same as joining the tables one by one (a `b` row without
//! its `c` must not reach the outer join). The front does exactly what PostgreSQL does:
//! the parenthesized join becomes a derived table selecting every column of its tables
//! under the name `"b.col"` (so none clash), and every `b.col` of the query reads it from
//! there; `*` and `b.*` list the same columns under their own names, as PostgreSQL does.
//!
//! Refused (0A000) rather than guessed: an alias on the parenthesized join, anything but
//! tables inside it, an unqualified name of one of its columns, and subqueries in the
//! statement (their names could refer to an inner table of the same name).

use super::create::object_name;
use super::rewrite::walk_query;
use crate::engine::storage_api::State;
use crate::engine::{EngineError, SqlState};
use gluesql::core::sqlparser::ast::{
    Expr, Ident, Query, SelectItem, SetExpr, Statement, TableAlias, TableFactor,
};
use std::collections::HashMap;

/// Whether `statement` is a query with a parenthesized join in its FROM.
pub(crate) fn uses_nested_join(statement: &Statement) -> bool {
    let Statement::Query(query) = statement else {
        return false;
    };
    let SetExpr::Select(select) = query.body.as_ref() else {
        return false;
    };
    select.from.iter().any(|t| {
        std::iter::once(&t.relation)
            .chain(t.joins.iter().map(|j| &j.relation))
            .any(|f| matches!(f, TableFactor::NestedJoin { .. }))
    })
}

/// A relation of the FROM list, in order: what `*` lists.
struct Source {
    /// The name it goes by (its alias, or the table's name).
    qualifier: String,
    /// Its columns, when it is a table (`None`: a subquery or function).
    columns: Option<Vec<String>>,
    /// The derived table it now lives in, when it was inside a parenthesized join.
    moved_to: Option<String>,
}

/// Rewrites the top-level query's parenthesized joins into derived tables (module doc).
pub(crate) fn rewrite(statement: &mut Statement, state: &State) -> Result<(), EngineError> {
    let Statement::Query(query) = statement else {
        return Ok(());
    };
    let mut sources: Vec<Source> = Vec::new();
    let mut derived: Vec<(String, Query)> = Vec::new();
    {
        let SetExpr::Select(select) = query.body.as_ref() else {
            return Ok(());
        };
        for from in &select.from {
            for factor in
                std::iter::once(&from.relation).chain(from.joins.iter().map(|j| &j.relation))
            {
                collect(factor, state, &mut sources, &mut derived)?;
            }
        }
    }
    let moved: HashMap<String, (String, Vec<String>)> = sources
        .iter()
        .filter_map(|s| {
            let to = s.moved_to.clone()?;
            Some((
                s.qualifier.clone(),
                (to, s.columns.clone().unwrap_or_default()),
            ))
        })
        .collect();

    // The select list first: a moved column keeps its name as its label.
    let SetExpr::Select(select) = query.body.as_mut() else {
        return Ok(());
    };
    let mut projection = Vec::new();
    for item in std::mem::take(&mut select.projection) {
        match item {
            SelectItem::UnnamedExpr(Expr::CompoundIdentifier(parts))
                if parts.len() == 2 && moved.contains_key(&parts[0].value) =>
            {
                let alias = Ident::with_quote('"', parts[1].value.clone());
                projection.push(SelectItem::ExprWithAlias {
                    expr: Expr::CompoundIdentifier(parts),
                    alias,
                });
            }
            SelectItem::QualifiedWildcard(name, _) if moved.contains_key(&object_name(&name)) => {
                let qualifier = object_name(&name);
                let columns = moved[&qualifier].1.clone();
                projection.extend(columns.iter().map(|c| column_item(&qualifier, c)));
            }
            SelectItem::Wildcard(_) => {
                for source in &sources {
                    let Some(columns) = &source.columns else {
                        return Err(EngineError::unsupported(
                            "SELECT * over a parenthesized join beside a subquery or function (list the columns)",
                        ));
                    };
                    projection.extend(columns.iter().map(|c| column_item(&source.qualifier, c)));
                }
            }
            other => projection.push(other),
        }
    }
    select.projection = projection;

    // Then every reference, before the derived tables go in (their own select lists
    // name the inner tables and must stay as they are).
    let mut refused: Option<EngineError> = None;
    walk_query(query, &mut |expr| {
        if refused.is_some() {
            return;
        }
        match expr {
            Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => {
                refused = Some(EngineError::unsupported(
                    "a subquery in a statement with a parenthesized join",
                ));
            }
            Expr::Identifier(ident)
                if moved.values().any(|(_, cols)| cols.contains(&ident.value)) =>
            {
                refused = Some(EngineError::unsupported(format!(
                    "the unqualified column {} of a parenthesized join (write table.{})",
                    ident.value, ident.value
                )));
            }
            Expr::CompoundIdentifier(parts) if parts.len() == 2 => {
                if let Some((to, columns)) = moved.get(&parts[0].value) {
                    if !columns.contains(&parts[1].value) {
                        refused = Some(EngineError::coded(
                            SqlState::UNDEFINED_COLUMN,
                            format!(
                                "column {}.{} does not exist",
                                parts[0].value, parts[1].value
                            ),
                        ));
                        return;
                    }
                    *expr = Expr::CompoundIdentifier(vec![
                        Ident::new(to.clone()),
                        Ident::with_quote('"', format!("{}.{}", parts[0].value, parts[1].value)),
                    ]);
                }
            }
            _ => {}
        }
    });
    if let Some(error) = refused {
        return Err(error);
    }

    let SetExpr::Select(select) = query.body.as_mut() else {
        return Ok(());
    };
    let mut derived = derived.into_iter();
    for from in select.from.iter_mut() {
        let factors = std::iter::once(&mut from.relation)
            .chain(from.joins.iter_mut().map(|j| &mut j.relation));
        for factor in factors {
            if matches!(factor, TableFactor::NestedJoin { .. }) {
                let (alias, subquery) = derived.next().expect("one derived table per nested join");
                *factor = TableFactor::Derived {
                    lateral: false,
                    subquery: Box::new(subquery),
                    alias: Some(TableAlias {
                        name: Ident::new(alias),
                        columns: Vec::new(),
                    }),
                };
            }
        }
    }
    Ok(())
}

/// `q.c` as a select item labelled `c`.
fn column_item(qualifier: &str, column: &str) -> SelectItem {
    SelectItem::ExprWithAlias {
        expr: Expr::CompoundIdentifier(vec![
            Ident::with_quote('"', qualifier),
            Ident::with_quote('"', column),
        ]),
        alias: Ident::with_quote('"', column),
    }
}

/// Records `factor`'s relations; a parenthesized join also gets its derived table.
fn collect(
    factor: &TableFactor,
    state: &State,
    sources: &mut Vec<Source>,
    derived: &mut Vec<(String, Query)>,
) -> Result<(), EngineError> {
    match factor {
        TableFactor::Table { name, alias, .. } => {
            let table = object_name(name);
            let columns = state
                .table(&table)
                .map(|t| t.meta.columns.iter().map(|c| c.name.clone()).collect());
            sources.push(Source {
                qualifier: alias.as_ref().map_or(table, |a| a.name.value.clone()),
                columns,
                moved_to: None,
            });
        }
        TableFactor::NestedJoin {
            table_with_joins,
            alias,
        } => {
            if alias.is_some() {
                return Err(EngineError::unsupported("an alias on a parenthesized join"));
            }
            let name = format!("nested_join_{}", derived.len() + 1);
            let mut items = Vec::new();
            let inner = std::iter::once(&table_with_joins.relation)
                .chain(table_with_joins.joins.iter().map(|j| &j.relation));
            for relation in inner {
                let TableFactor::Table {
                    name: table, alias, ..
                } = relation
                else {
                    return Err(EngineError::unsupported(
                        "a parenthesized join of anything but tables",
                    ));
                };
                let table = object_name(table);
                let Some(t) = state.table(&table) else {
                    return Err(EngineError::coded(
                        SqlState::UNDEFINED_TABLE,
                        format!("relation \"{table}\" does not exist"),
                    ));
                };
                let qualifier = alias.as_ref().map_or(table, |a| a.name.value.clone());
                let columns: Vec<String> = t.meta.columns.iter().map(|c| c.name.clone()).collect();
                items.extend(columns.iter().map(|c| SelectItem::ExprWithAlias {
                    expr: Expr::CompoundIdentifier(vec![
                        Ident::new(qualifier.clone()),
                        Ident::new(c.clone()),
                    ]),
                    alias: Ident::with_quote('"', format!("{qualifier}.{c}")),
                }));
                sources.push(Source {
                    qualifier,
                    columns: Some(columns),
                    moved_to: Some(name.clone()),
                });
            }
            let items: Vec<String> = items.iter().map(ToString::to_string).collect();
            let sql = format!("SELECT {} FROM {table_with_joins}", items.join(", "));
            let query = gluesql::core::sqlparser::parser::Parser::new(
                &gluesql::core::sqlparser::dialect::PostgreSqlDialect {},
            )
            .try_with_sql(&sql)
            .and_then(|mut p| p.parse_query())
            .map_err(|e| EngineError::unsupported(format!("this parenthesized join ({e})")))?;
            derived.push((name, *query));
        }
        _ => sources.push(Source {
            qualifier: String::new(),
            columns: None,
            moved_to: None,
        }),
    }
    Ok(())
}
