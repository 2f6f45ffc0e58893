//! Plan rewrites that fix GlueSQL behaviours PostgreSQL does not share.

use gluesql::core::data::Schema;
use gluesql::core::error::{InsertError, Result};
use gluesql::core::executor::evaluate_stateless;
use gluesql::core::plan::{
    plan_scalar_expr, DerivedSourcePlan, ExprPlan, LimitInputPlan, OffsetInputPlan,
    ProjectInputPlan, ProjectPlan, ProjectionPlan, QueryPlan, SelectItemPlan, SourcePlan,
    StatementPlan, TableAliasPlan,
};
use gluesql::core::store::Store;

/// `INSERT INTO t (a, b) SELECT ...`: GlueSQL pairs the selected values with the table's
/// first columns, whatever the column list says, and stores short rows. This rewrites the
/// source to select every column of `t` in order, taking the listed ones from the query and
/// the others from their DEFAULT (evaluated once) or NULL.
pub(crate) fn fill_insert_columns(
    storage: &impl Store,
    statement: StatementPlan,
) -> Result<StatementPlan> {
    let StatementPlan::Insert {
        table_name,
        columns,
        source,
    } = statement
    else {
        return Ok(statement);
    };
    let column_defs = match storage.fetch_schema(&table_name)? {
        Some(Schema {
            column_defs: Some(defs),
            ..
        }) if !columns.is_empty() => defs,
        _ => {
            return Ok(StatementPlan::Insert {
                table_name,
                columns,
                source,
            })
        }
    };
    // Checked for VALUES too: GlueSQL would report a dropped column in the list as
    // "literals have more values than target columns".
    if let Some(unknown) = columns
        .iter()
        .find(|c| !column_defs.iter().any(|d| &d.name == *c))
    {
        return Err(InsertError::WrongColumnName(unknown.clone()).into());
    }
    if is_values(&source) {
        return Ok(StatementPlan::Insert {
            table_name,
            columns,
            source,
        });
    }
    let items = column_defs
        .iter()
        .map(|def| {
            let expr = if columns.contains(&def.name) {
                ExprPlan::Identifier(def.name.clone())
            } else if let Some(default @ gluesql::core::ast::Expr::Function(_)) = &def.default {
                // A function default (gen_random_uuid(), now()) runs once per row, as
                // PostgreSQL evaluates it: one value for every row would repeat a key.
                plan_scalar_expr(default.clone())
            } else {
                let value = match &def.default {
                    Some(default) => evaluate_stateless(None, &plan_scalar_expr(default.clone()))?
                        .try_into_value(&def.data_type, def.nullable)?,
                    None if def.nullable => gluesql::core::data::Value::Null,
                    None => return Err(InsertError::LackOfRequiredColumn(def.name.clone()).into()),
                };
                ExprPlan::Value(value)
            };
            Ok(SelectItemPlan::Expr {
                expr,
                label: def.name.clone(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let source = QueryPlan::Project(ProjectPlan {
        input: ProjectInputPlan::Source(SourcePlan::Derived(DerivedSourcePlan {
            query: Box::new(source),
            alias: TableAliasPlan {
                name: "insert_source".to_string(),
                columns: columns.clone(),
            },
        })),
        projection: ProjectionPlan::SelectItems(items),
    });
    Ok(StatementPlan::Insert {
        table_name,
        columns: Vec::new(),
        source,
    })
}

/// Whether GlueSQL's insert takes `query` as a VALUES list (it handles column lists there).
fn is_values(query: &QueryPlan) -> bool {
    match query {
        QueryPlan::Values(_) | QueryPlan::ValuesOrderBy(_) => true,
        QueryPlan::Project(_) | QueryPlan::SelectOrderBy(_) | QueryPlan::Distinct(_) => false,
        QueryPlan::Offset(offset) => matches!(
            offset.input,
            OffsetInputPlan::Values(_) | OffsetInputPlan::ValuesOrderBy(_)
        ),
        QueryPlan::Limit(limit) => match &limit.input {
            LimitInputPlan::Values(_) | LimitInputPlan::ValuesOrderBy(_) => true,
            LimitInputPlan::Offset(offset) => matches!(
                offset.input,
                OffsetInputPlan::Values(_) | OffsetInputPlan::ValuesOrderBy(_)
            ),
            _ => false,
        },
    }
}
