//! UPDATE and DELETE through the planner's index access.
//!
//! GlueSQL's executor fetches the rows of an UPDATE or DELETE with a full scan of the
//! table and filters them by the WHERE, so changing 1,000 rows of 100,000 read all
//! 100,000. Before it runs, [`Database::narrow_write_scan`] plans `SELECT * FROM t WHERE
//! <the same WHERE>` with our planner; when that reads through an index (or the primary
//! key), it runs it, keeping the keys of the rows the index gave, and the storage's next
//! scan of the table returns only those rows. The executor still filters them by the
//! WHERE, so the index only has to find every matching row; rows come in primary-key
//! order, as the full scan gives them, so what is written (and which error comes first)
//! is the same.

use super::storage::EngineStorage;
use super::{engine_error, Database, EngineError};
use gluesql::core::data::Key;
use gluesql::core::plan::{
    ExprPlan, FilterInputPlan, FilterPlan, ProjectInputPlan, ProjectPlan, ProjectionPlan,
    QueryPlan, SelectItemPlan, SourcePlan, StatementPlan, TableAccessPlan, TableSourcePlan,
};
use gluesql::core::store::Planner;

/// The rows the next scan of `table` returns instead of all of them.
#[derive(Debug)]
pub(crate) struct NarrowedScan {
    pub table: String,
    pub keys: Vec<Key>,
}

impl Database {
    /// Narrows the coming UPDATE's or DELETE's scan to the rows its WHERE's index access
    /// finds (see the module's comment). Does nothing when the planner would scan anyway,
    /// or when the WHERE has a subquery (which may read the same table, and must see it
    /// whole).
    pub(crate) fn narrow_write_scan(&mut self, plan: &StatementPlan) -> Result<(), EngineError> {
        let (table, selection) = match plan {
            StatementPlan::Update {
                table_name,
                selection: Some(selection),
                ..
            }
            | StatementPlan::Delete {
                table_name,
                selection: Some(selection),
            } => (table_name, selection),
            _ => return Ok(()),
        };
        if has_subquery(selection) {
            return Ok(());
        }
        let query = StatementPlan::Query(QueryPlan::Project(ProjectPlan {
            projection: ProjectionPlan::SelectItems(vec![SelectItemPlan::Wildcard]),
            input: ProjectInputPlan::Filter(FilterPlan {
                input: FilterInputPlan::Source(SourcePlan::Table(TableSourcePlan {
                    name: table.clone(),
                    alias: None,
                    access: TableAccessPlan::FullScan,
                })),
                expr: selection.clone(),
            }),
        }));
        let planned = self.storage.plan(query).map_err(|e| engine_error(&e))?;
        if !reads_by_index(&planned) {
            return Ok(());
        }
        *self.storage.captured_keys.borrow_mut() = Some(Vec::new());
        let result = gluesql::core::executor::execute(&mut self.storage, &planned);
        let mut keys = self
            .storage
            .captured_keys
            .borrow_mut()
            .take()
            .unwrap_or_default();
        result.map_err(|e| engine_error(&e))?;
        keys.sort();
        keys.dedup();
        *self.storage.narrowed_scan.borrow_mut() = Some(NarrowedScan {
            table: table.clone(),
            keys,
        });
        Ok(())
    }
}

/// Whether the planned single-table query reads its table through an index or its key.
fn reads_by_index(plan: &StatementPlan) -> bool {
    let StatementPlan::Query(QueryPlan::Project(project)) = plan else {
        return false;
    };
    let source = match &project.input {
        ProjectInputPlan::Source(source) => source,
        ProjectInputPlan::Filter(FilterPlan {
            input: FilterInputPlan::Source(source),
            ..
        }) => source,
        _ => return false,
    };
    matches!(
        source,
        SourcePlan::Table(TableSourcePlan {
            access: TableAccessPlan::Index { .. } | TableAccessPlan::PrimaryKey { .. },
            ..
        })
    )
}

/// Whether `expr` holds a subquery anywhere. Read from its debug form, which names every
/// variant that holds one (`Subquery`, `InSubquery`, `Exists`): a walk over the variants
/// would miss one GlueSQL adds, and reading the whole table then would be wrong.
fn has_subquery(expr: &ExprPlan) -> bool {
    let text = format!("{expr:?}");
    text.contains("Subquery") || text.contains("Exists")
}

impl EngineStorage {
    /// Keeps `key` when the running statement is collecting the keys its index read gives
    /// (see [`Database::narrow_write_scan`]).
    pub(crate) fn capture_key(&self, key: &Key) {
        if let Some(keys) = self.captured_keys.borrow_mut().as_mut() {
            keys.push(key.clone());
        }
    }

    /// The narrowed scan waiting for `table`, taken: it serves one scan only.
    pub(crate) fn take_narrowed_scan(&self, table: &str) -> Option<Vec<Key>> {
        let mut slot = self.narrowed_scan.borrow_mut();
        if slot.as_ref().is_some_and(|n| n.table == table) {
            return slot.take().map(|n| n.keys);
        }
        None
    }
}
