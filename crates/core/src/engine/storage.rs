//! Our storage for GlueSQL: tables of rows in `im` ordered maps keyed by primary key, with
//! their secondary indexes beside them.
//!
//! Everything a statement can change lives in [`State`], whose clone is O(1) (structural
//! sharing), so a transaction or a single statement takes a snapshot by cloning it and undoes
//! itself by putting the clone back. Reads stream straight from the maps: a scan copies
//! only the rows it yields.

use super::index::{
    convert_for_seek, predicate_bounds, predicate_text, same_key_type, IndexKind, SecondaryIndex,
};
use super::probe::{AccessMethod, Probe};
use crate::dialect::catalog::TableMeta;
use crate::dialect::constraints;
use gluesql::core::ast::{ColumnDef, ColumnUniqueOption, Expr, IndexOperator, OrderByExpr};
use gluesql::core::chrono::Utc;
use gluesql::core::data::{
    CustomFunction as StructCustomFunction, Key, Schema, SchemaIndex, SchemaIndexOrd, Value,
};
use gluesql::core::error::{AlterTableError, Error, IndexError, Result};
use gluesql::core::executor::evaluate_stateless;
use gluesql::core::plan::plan_scalar_expr;
use gluesql::core::store::{
    AlterTable, CustomFunction, CustomFunctionMut, Index, IndexMut, Metadata, RowIter, Store,
    StoreMut, Transaction,
};
use im::OrdMap;
use std::cell::RefCell;
use std::ops::Bound;
use std::rc::Rc;

type Rows = OrdMap<Key, Rc<Vec<Value>>>;

#[derive(Clone, Debug)]
pub(crate) struct Table {
    pub schema: Schema,
    pub columns: Rc<[String]>,
    pub rows: Rows,
    pub indexes: Vec<SecondaryIndex>,
    /// PostgreSQL types and constraints (the dialect front's catalog), snapshotted with the
    /// rows.
    pub meta: TableMeta,
    /// Keys for rows of a table without a primary key.
    next_row_id: i64,
}

impl Table {
    fn new(schema: &Schema) -> Self {
        let mut table = Self {
            schema: schema.clone(),
            columns: Rc::from(Vec::new()),
            rows: OrdMap::new(),
            indexes: Vec::new(),
            meta: TableMeta::from_schema(schema),
            next_row_id: 0,
        };
        table.schema.indexes.clear();
        table.refresh_columns();
        table.add_constraint_indexes();
        table
    }

    pub fn refresh_columns(&mut self) {
        let columns: Vec<String> = self
            .schema
            .column_defs
            .iter()
            .flatten()
            .map(|c| c.name.clone())
            .collect();
        for index in &mut self.indexes {
            index.rebind(&columns);
        }
        self.columns = Rc::from(columns);
    }

    /// The indexes PostgreSQL makes for PRIMARY KEY and UNIQUE columns, with its names.
    fn add_constraint_indexes(&mut self) {
        let defs: Vec<ColumnDef> = self.schema.column_defs.clone().unwrap_or_default();
        for def in defs {
            let kind = match def.unique {
                Some(ColumnUniqueOption { is_primary: true }) => IndexKind::PrimaryKey,
                Some(ColumnUniqueOption { is_primary: false }) => IndexKind::Unique,
                None => continue,
            };
            let table = &self.schema.table_name;
            let name = match kind {
                IndexKind::PrimaryKey => format!("{table}_pkey"),
                _ => format!("{table}_{}_key", def.name),
            };
            if self.index(&name).is_some() {
                continue;
            }
            let mut index = SecondaryIndex::new(
                &name,
                Expr::Identifier(def.name.clone()),
                kind,
                &self.columns,
            );
            if kind != IndexKind::PrimaryKey {
                for (row_key, values) in self.rows.iter() {
                    // A column value is always a valid key source for a column index.
                    if let Ok(key) = index.key_of(table, &self.columns, values) {
                        index.insert(key, row_key.clone());
                    }
                }
            }
            self.push_index(index);
        }
    }

    pub fn push_index(&mut self, index: SecondaryIndex) {
        self.schema.indexes.push(SchemaIndex {
            name: index.name.clone(),
            expr: index.expr.clone(),
            // A B-tree reads both ways.
            order: SchemaIndexOrd::Both,
            created: Utc::now().naive_utc(),
        });
        self.indexes.push(index);
    }

    pub fn drop_index_named(&mut self, name: &str) {
        self.indexes.retain(|i| i.name != name);
        self.schema.indexes.retain(|i| i.name != name);
    }

    /// Position of GlueSQL's (single-column) primary key.
    pub fn primary_key_position(&self) -> Option<usize> {
        self.schema
            .column_defs
            .as_ref()?
            .iter()
            .position(|c| c.unique == Some(ColumnUniqueOption { is_primary: true }))
    }

    pub fn index(&self, name: &str) -> Option<&SecondaryIndex> {
        self.indexes.iter().find(|i| i.name == name)
    }

    fn index_row(&mut self, row_key: &Key, values: &[Value]) -> Result<()> {
        let table = self.schema.table_name.clone();
        for index in &mut self.indexes {
            if index.kind == IndexKind::PrimaryKey {
                continue;
            }
            if !index.covers(&table, &self.columns, values)? {
                continue;
            }
            let key = index.key_of(&table, &self.columns, values)?;
            index.insert(key, row_key.clone());
        }
        Ok(())
    }

    fn unindex_row(&mut self, row_key: &Key, values: &[Value]) -> Result<()> {
        let table = self.schema.table_name.clone();
        for index in &mut self.indexes {
            if index.kind == IndexKind::PrimaryKey {
                continue;
            }
            let key = index.key_of(&table, &self.columns, values)?;
            index.remove(&key, row_key);
        }
        Ok(())
    }

    pub fn put_row(&mut self, row_key: Key, values: Vec<Value>) -> Result<()> {
        if let Some(old) = self.rows.get(&row_key).cloned() {
            self.unindex_row(&row_key, &old)?;
        }
        self.index_row(&row_key, &values)?;
        self.rows.insert(row_key, Rc::new(values));
        Ok(())
    }

    pub fn delete_row(&mut self, row_key: &Key) -> Result<Option<Rc<Vec<Value>>>> {
        let old = self.rows.remove(row_key);
        if let Some(old) = &old {
            self.unindex_row(row_key, old)?;
        }
        Ok(old)
    }

    /// Rewrites every row (ALTER TABLE) and rebuilds the secondary indexes from scratch.
    pub fn rewrite_rows(&mut self, mut rewrite: impl FnMut(&mut Vec<Value>)) -> Result<()> {
        let mut rows = Rows::new();
        for (key, values) in self.rows.iter() {
            let mut values = values.as_ref().clone();
            rewrite(&mut values);
            rows.insert(key.clone(), Rc::new(values));
        }
        self.rows = rows;
        self.rebuild_indexes()
    }

    pub fn rebuild_indexes(&mut self) -> Result<()> {
        let table = self.schema.table_name.clone();
        for index in &mut self.indexes {
            if index.kind == IndexKind::PrimaryKey {
                continue;
            }
            index.entries = OrdMap::new();
            for (row_key, values) in self.rows.iter() {
                if !index.covers(&table, &self.columns, values)? {
                    continue;
                }
                let key = index.key_of(&table, &self.columns, values)?;
                index.insert(key, row_key.clone());
            }
        }
        Ok(())
    }
}

/// Everything a statement can change; cloning it is the snapshot.
#[derive(Clone, Debug, Default)]
pub(crate) struct State {
    pub(crate) tables: OrdMap<String, Table>,
    functions: OrdMap<String, StructCustomFunction>,
    /// `CREATE TYPE name AS ENUM (...)`: labels by type name.
    pub(crate) enums: OrdMap<String, Rc<Vec<String>>>,
}

impl State {
    /// Goes back to `earlier` (a failed statement, ROLLBACK, ROLLBACK TO SAVEPOINT), keeping
    /// what sequences handed out since: PostgreSQL's sequences are not transactional, so a
    /// failed insert still uses up its id and a rolled-back one is never handed out again.
    pub(crate) fn rewind(&mut self, earlier: &State) {
        let advanced = std::mem::replace(self, earlier.clone());
        for (name, table) in advanced.tables.iter() {
            let Some(now) = self.tables.get(name) else {
                continue;
            };
            let ahead = |c: &crate::dialect::catalog::ColumnMeta| {
                table
                    .meta
                    .columns
                    .iter()
                    .find(|a| a.name == c.name)
                    .and_then(|a| a.sequence)
                    .filter(|a| c.sequence.is_some_and(|n| *a > n))
            };
            if !now.meta.columns.iter().any(|c| ahead(c).is_some()) {
                continue;
            }
            let now = self.tables.get_mut(name).expect("present");
            for column in now.meta.columns.iter_mut() {
                if let Some(value) = ahead(column) {
                    column.sequence = Some(value);
                }
            }
        }
    }

    pub fn table_names(&self) -> impl Iterator<Item = &String> {
        self.tables.keys()
    }

    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(name)
    }
}

#[derive(Debug, Default)]
pub(crate) struct EngineStorage {
    pub state: State,
    pub probe: Probe,
    /// Set while an INSERT runs: GlueSQL checks new primary keys against stored rows but not
    /// against each other, so `insert_data` rejects a key repeated inside the statement.
    pub inserting: bool,
    /// The columns the running INSERT gives values for (all of them without a column
    /// list): a NULL there is the user's, and a SERIAL column takes its sequence's next
    /// value only when the INSERT leaves it out.
    pub explicit_columns: Vec<String>,
    /// The rows the running statement wrote, in order (foreign keys and RETURNING read it).
    pub changes: Vec<Change>,
    /// How many of `changes` the statement itself made (the rest are foreign-key actions).
    pub direct_changes: usize,
    /// What foreign-key actions did during the statement, for the log.
    pub constraint_actions: Vec<crate::dialect::ConstraintAction>,
    /// Keys of the rows index reads give, while an UPDATE or DELETE finds its rows
    /// (`engine::write_access`).
    pub captured_keys: RefCell<Option<Vec<Key>>>,
    /// The rows the next scan of a table returns instead of all (`engine::write_access`).
    pub narrowed_scan: RefCell<Option<super::write_access::NarrowedScan>>,
}

/// One row written by a statement.
#[derive(Clone, Debug)]
pub(crate) enum Change {
    /// Inserted (`old` None) or updated.
    Put {
        table: String,
        key: Key,
        old: Option<Rc<Vec<Value>>>,
    },
    Deleted {
        table: String,
        old: Rc<Vec<Value>>,
    },
}

impl EngineStorage {
    fn table(&self, name: &str) -> Result<&Table> {
        self.state
            .tables
            .get(name)
            .ok_or_else(|| IndexError::TableNotFound(name.to_string()).into())
    }

    fn table_mut(&mut self, name: &str) -> Result<&mut Table> {
        self.state
            .tables
            .get_mut(name)
            .ok_or_else(|| AlterTableError::TableNotFound(name.to_string()).into())
    }

    /// The table that owns index `name`, for PostgreSQL's unqualified `DROP INDEX name`.
    pub fn table_of_index(&self, name: &str) -> Option<String> {
        self.state
            .tables
            .values()
            .find(|t| t.index(name).is_some())
            .map(|t| t.schema.table_name.clone())
    }

    /// Streams rows with their keys, counting each through the probe.
    fn stream<'a, I>(&'a self, slot: usize, rows: I) -> RowIter<'a>
    where
        I: Iterator<Item = (&'a Key, &'a Rc<Vec<Value>>)> + 'a,
    {
        self.stream_after(slot, rows, 0)
    }

    /// [`EngineStorage::stream`] after passing over the first `skip` rows, which are
    /// counted as read (PostgreSQL reads them too) but never copied out.
    fn stream_after<'a, I>(&'a self, slot: usize, rows: I, skip: usize) -> RowIter<'a>
    where
        I: Iterator<Item = (&'a Key, &'a Rc<Vec<Value>>)> + 'a,
    {
        let probe = &self.probe;
        let mut rows = rows;
        let mut skip = skip;
        Box::new(std::iter::from_fn(move || {
            while skip > 0 {
                skip -= 1;
                rows.next()?;
                if let Err(error) = probe.count_row(slot) {
                    skip = 0;
                    return Some(Err(error));
                }
            }
            let (key, values) = rows.next()?;
            if let Err(error) = probe.count_row(slot) {
                return Some(Err(error));
            }
            self.capture_key(key);
            Some(Ok((key.clone(), values.as_ref().clone())))
        }))
    }
}

impl Store for EngineStorage {
    fn fetch_schema(&self, table_name: &str) -> Result<Option<Schema>> {
        Ok(self.state.tables.get(table_name).map(|t| t.schema.clone()))
    }

    fn fetch_all_schemas(&self) -> Result<Vec<Schema>> {
        // OrdMap iterates in name order, as GlueSQL's own storages return them.
        Ok(self
            .state
            .tables
            .values()
            .map(|t| t.schema.clone())
            .collect())
    }

    fn fetch_data(&self, table_name: &str, key: &Key) -> Result<Option<Vec<Value>>> {
        let Some(table) = self.state.tables.get(table_name) else {
            return Ok(None);
        };
        let slot = self.probe.open(table_name, AccessMethod::PrimaryKeyLookup);
        match table.rows.get(key) {
            Some(values) => {
                self.probe.count_row(slot)?;
                self.capture_key(key);
                Ok(Some(values.as_ref().clone()))
            }
            None => {
                self.probe.check_limits()?;
                Ok(None)
            }
        }
    }

    fn scan_data<'a>(&'a self, table_name: &str) -> Result<RowIter<'a>> {
        let Some(table) = self.state.tables.get(table_name) else {
            return Ok(Box::new(std::iter::empty()));
        };
        if let Some(keys) = self.take_narrowed_scan(table_name) {
            // Already read and counted through the index (`engine::write_access`).
            return Ok(Box::new(keys.into_iter().filter_map(move |key| {
                let values = table.rows.get(&key)?;
                Some(Ok((key, values.as_ref().clone())))
            })));
        }
        let slot = self.probe.open(table_name, AccessMethod::FullScan);
        Ok(self.stream(slot, table.rows.iter()))
    }
}

impl Index for EngineStorage {
    fn scan_indexed_data<'a>(
        &'a self,
        table_name: &str,
        index_name: &str,
        asc: Option<bool>,
        cmp_value: Option<(&IndexOperator, Value)>,
    ) -> Result<RowIter<'a>> {
        let table = self.table(table_name)?;
        let index = table
            .index(index_name)
            .ok_or_else(|| IndexError::IndexNameDoesNotExist(index_name.to_string()))?;
        let descending = asc == Some(false);
        let expr_sql = index.expr_sql();

        let Some((op, value)) = cmp_value else {
            let method = AccessMethod::IndexScan {
                index: index_name.to_string(),
                descending,
            };
            let slot = self.probe.open(table_name, method);
            return Ok(self.index_rows(
                table,
                index,
                slot,
                (Bound::Unbounded, Bound::Unbounded),
                descending,
            ));
        };

        if let Some(skip) = super::multi_seek::skip_count(op, &value) {
            let method = AccessMethod::IndexScan {
                index: index_name.to_string(),
                descending,
            };
            let slot = self.probe.open(table_name, method);
            return Ok(self.index_rows_after(
                table,
                index,
                slot,
                (Bound::Unbounded, Bound::Unbounded),
                descending,
                skip,
            ));
        }
        if let Some(range) = super::multi_seek::range_bounds(op, &value) {
            let method = super::multi_seek::range_method(index_name, &expr_sql, &range, descending);
            let slot = self.probe.open(table_name, method);
            return Ok(self.read_range(table, index, &range, slot, descending));
        }
        if let Some(values) = super::multi_seek::seek_each_values(op, &value) {
            let method = super::multi_seek::seek_each_method(index_name, &expr_sql, values);
            let slot = self.probe.open(table_name, method);
            return Ok(self.seek_each(table, index, values, slot, descending));
        }
        let condition = predicate_text(&expr_sql, op, &value);
        let method = if *op == IndexOperator::Eq {
            AccessMethod::IndexSeek {
                index: index_name.to_string(),
                condition,
            }
        } else {
            AccessMethod::IndexRange {
                index: index_name.to_string(),
                condition,
                descending,
            }
        };
        let slot = self.probe.open(table_name, method);

        let Some(seek_key) = seek_key(table, index, &value) else {
            return Ok(Box::new(std::iter::empty()));
        };
        let rows = match predicate_bounds(op, &seek_key) {
            Some(bounds) => self.index_rows(table, index, slot, bounds, descending),
            None => Box::new(std::iter::empty()),
        };
        Ok(rows)
    }
}

/// The key to seek `value` with in `index`, or None when no key can match it.
pub(crate) fn seek_key(table: &Table, index: &SecondaryIndex, value: &Value) -> Option<Key> {
    let key = Key::try_from(value.clone()).ok()?;
    if matches!(key, Key::None) {
        return Some(key);
    }
    // Keys of different types are ordered by type, so when the smallest and the largest
    // non-NULL keys share a type, every key has it.
    let (low, high) = match index.kind {
        IndexKind::PrimaryKey => (
            table.rows.get_min().map(|(k, _)| k.clone()),
            table.rows.get_max().map(|(k, _)| k.clone()),
        ),
        _ => (
            index
                .entries
                .get_min()
                .map(|(k, _)| k.clone())
                .filter(|k| !matches!(k, Key::None)),
            index
                .entries
                .range(..Key::None)
                .next_back()
                .map(|(k, _)| k.clone()),
        ),
    };
    let (Some(low), Some(high)) = (low, high) else {
        // No non-NULL key: any seek finds nothing, whatever its type.
        return Some(key);
    };
    if same_key_type(&key, &low) || !same_key_type(&low, &high) {
        // Keys of mixed types only come from an expression index; seek as given.
        return Some(key);
    }
    convert_for_seek(value, &low)
}

/// `map`'s entries within `bounds`, last first. im 15.1's ordered-map iterator loses entries
/// when walked backward (`iter().rev()` over a few thousand keys skips some), while the
/// first `next_back` of a fresh range is right: so each step opens a new range below the
/// key just returned (O(log n) a step, and still lazy: a page reads only what it needs).
fn backward<'a, K: Ord + Clone, V>(
    map: &'a im::OrdMap<K, V>,
    bounds: (Bound<K>, Bound<K>),
) -> impl Iterator<Item = (&'a K, &'a V)> + 'a {
    let (lower, mut upper) = bounds;
    std::iter::from_fn(move || {
        let empty = match (&lower, &upper) {
            (Bound::Included(l) | Bound::Excluded(l), Bound::Excluded(u)) => u <= l,
            (Bound::Excluded(l), Bound::Included(u)) => u <= l,
            (Bound::Included(l), Bound::Included(u)) => u < l,
            _ => false,
        };
        if empty {
            return None;
        }
        let (key, value) = map.range((lower.clone(), upper.clone())).next_back()?;
        upper = Bound::Excluded(key.clone());
        Some((key, value))
    })
}

impl EngineStorage {
    /// The rows of `table` in `index` order within `bounds`, counted through `slot`.
    pub(crate) fn index_rows<'a>(
        &'a self,
        table: &'a Table,
        index: &'a SecondaryIndex,
        slot: usize,
        bounds: (Bound<Key>, Bound<Key>),
        descending: bool,
    ) -> RowIter<'a> {
        self.index_rows_after(table, index, slot, bounds, descending, 0)
    }

    pub(crate) fn index_rows_after<'a>(
        &'a self,
        table: &'a Table,
        index: &'a SecondaryIndex,
        slot: usize,
        bounds: (Bound<Key>, Bound<Key>),
        descending: bool,
        skip: usize,
    ) -> RowIter<'a> {
        if index.kind == IndexKind::PrimaryKey {
            return if descending {
                self.stream_after(slot, backward(&table.rows, bounds), skip)
            } else {
                self.stream_after(slot, table.rows.range(bounds), skip)
            };
        }
        // Within one index key, rows come in primary-key order either way: the same order a
        // stable sort of a full scan gives, so indexed and unindexed results match exactly.
        let entries: Box<dyn Iterator<Item = (&'a Key, &'a im::OrdSet<Key>)> + 'a> = if descending {
            Box::new(backward(&index.entries, bounds))
        } else {
            Box::new(index.entries.range(bounds))
        };
        let rows = entries
            .flat_map(|(_, row_keys)| row_keys.iter())
            .filter_map(move |row_key| table.rows.get(row_key).map(|values| (row_key, values)));
        self.stream_after(slot, rows, skip)
    }
}

impl IndexMut for EngineStorage {
    fn create_index(
        &mut self,
        table_name: &str,
        index_name: &str,
        column: &OrderByExpr,
    ) -> Result<()> {
        if self.table_of_index(index_name).is_some() {
            return Err(IndexError::IndexNameAlreadyExists(index_name.to_string()).into());
        }
        let slot = self.probe.open(table_name, AccessMethod::FullScan);
        let table = self.table_mut(table_name)?;
        let mut index = SecondaryIndex::new(
            index_name,
            column.expr.clone(),
            IndexKind::Plain,
            &table.columns,
        );
        let rows = table.rows.clone();
        for (row_key, values) in rows.iter() {
            let key = index.key_of(table_name, &table.columns, values)?;
            index.insert(key, row_key.clone());
        }
        table.push_index(index);
        for _ in 0..rows.len() {
            self.probe.count_row(slot)?;
        }
        Ok(())
    }

    fn drop_index(&mut self, table_name: &str, index_name: &str) -> Result<()> {
        let table = self.table_mut(table_name)?;
        match table.index(index_name).map(|i| i.kind) {
            None => Err(IndexError::IndexNameDoesNotExist(index_name.to_string()).into()),
            Some(IndexKind::Plain | IndexKind::UniqueIndex) => {
                table.drop_index_named(index_name);
                Ok(())
            }
            Some(_) => Err(Error::StorageMsg(format!(
                "cannot drop index {index_name} because constraint {index_name} on table {table_name} requires it\nHINT:  You can drop constraint {index_name} on table {table_name} instead."
            ))),
        }
    }
}

impl StoreMut for EngineStorage {
    fn insert_schema(&mut self, schema: &Schema) -> Result<()> {
        let table = Table::new(schema);
        self.state.tables.insert(schema.table_name.clone(), table);
        Ok(())
    }

    fn delete_schema(&mut self, table_name: &str) -> Result<()> {
        self.state.tables.remove(table_name);
        Ok(())
    }

    fn append_data(&mut self, table_name: &str, rows: Vec<Vec<Value>>) -> Result<()> {
        let enums = self.state.enums.clone();
        let table = self
            .state
            .tables
            .get_mut(table_name)
            .ok_or_else(|| AlterTableError::TableNotFound(table_name.to_string()))?;
        let mut keys = Vec::with_capacity(rows.len());
        for mut values in rows {
            constraints::check_row(table, &enums, &mut values, Some(&self.explicit_columns))?;
            table.next_row_id += 1;
            let key = Key::I64(table.next_row_id);
            table.put_row(key.clone(), values)?;
            self.changes.push(Change::Put {
                table: table_name.to_string(),
                key: key.clone(),
                old: None,
            });
            keys.push(key);
        }
        constraints::check_unique(table, &keys)
    }

    fn insert_data(&mut self, table_name: &str, rows: Vec<(Key, Vec<Value>)>) -> Result<()> {
        let inserting = self.inserting;
        let explicit = self.explicit_columns.clone();
        let enums = self.state.enums.clone();
        let table = self
            .state
            .tables
            .get_mut(table_name)
            .ok_or_else(|| AlterTableError::TableNotFound(table_name.to_string()))?;
        let pk_position = table.primary_key_position();
        let mut seen = im::OrdSet::new();
        let mut prepared = Vec::with_capacity(rows.len());
        for (key, mut values) in rows {
            constraints::check_row(table, &enums, &mut values, inserting.then_some(&explicit))?;
            let key = match pk_position {
                // A SERIAL key is only known now.
                Some(position) if inserting => Key::try_from(values[position].clone())?,
                _ => key,
            };
            if inserting && (table.rows.contains_key(&key) || seen.insert(key.clone()).is_some()) {
                return Err(constraints::duplicate_primary_key(table, &key));
            }
            prepared.push((key, values));
        }
        let mut keys = Vec::with_capacity(prepared.len());
        for (key, values) in prepared {
            let old = table.rows.get(&key).cloned();
            table.put_row(key.clone(), values)?;
            self.changes.push(Change::Put {
                table: table_name.to_string(),
                key: key.clone(),
                old,
            });
            keys.push(key);
        }
        constraints::check_unique(table, &keys)
    }

    fn delete_data(&mut self, table_name: &str, keys: Vec<Key>) -> Result<()> {
        let table = self
            .state
            .tables
            .get_mut(table_name)
            .ok_or_else(|| AlterTableError::TableNotFound(table_name.to_string()))?;
        for key in keys {
            if let Some(old) = table.delete_row(&key)? {
                self.changes.push(Change::Deleted {
                    table: table_name.to_string(),
                    old,
                });
            }
        }
        Ok(())
    }
}

impl AlterTable for EngineStorage {
    fn rename_schema(&mut self, table_name: &str, new_table_name: &str) -> Result<()> {
        let mut table = self
            .state
            .tables
            .remove(table_name)
            .ok_or_else(|| AlterTableError::TableNotFound(table_name.to_string()))?;
        new_table_name.clone_into(&mut table.schema.table_name);
        self.state.tables.insert(new_table_name.to_string(), table);
        Ok(())
    }

    fn rename_column(
        &mut self,
        table_name: &str,
        old_column_name: &str,
        new_column_name: &str,
    ) -> Result<()> {
        let table = self.table_mut(table_name)?;
        let column_defs = table
            .schema
            .column_defs
            .as_mut()
            .ok_or_else(|| AlterTableError::SchemalessTableFound(table_name.to_string()))?;
        if column_defs.iter().any(|c| c.name == new_column_name) {
            return Err(AlterTableError::AlreadyExistingColumn(new_column_name.to_string()).into());
        }
        let column_def = column_defs
            .iter_mut()
            .find(|c| c.name == old_column_name)
            .ok_or(AlterTableError::RenamingColumnNotFound)?;
        new_column_name.clone_into(&mut column_def.name);
        // Indexes follow the column, as in PostgreSQL.
        for index in &mut table.indexes {
            rename_identifier(&mut index.expr, old_column_name, new_column_name);
            for expr in index.rest.iter_mut().chain(index.predicate.iter_mut()) {
                rename_identifier(expr, old_column_name, new_column_name);
            }
        }
        table
            .meta
            .rename_column(old_column_name, new_column_name, rename_identifier);
        for schema_index in &mut table.schema.indexes {
            rename_identifier(&mut schema_index.expr, old_column_name, new_column_name);
        }
        table.refresh_columns();
        Ok(())
    }

    fn add_column(&mut self, table_name: &str, column_def: &ColumnDef) -> Result<()> {
        let table = self.table_mut(table_name)?;
        let column_defs = table
            .schema
            .column_defs
            .as_mut()
            .ok_or_else(|| AlterTableError::SchemalessTableFound(table_name.to_string()))?;
        if column_defs.iter().any(|c| c.name == column_def.name) {
            return Err(AlterTableError::AlreadyExistingColumn(column_def.name.clone()).into());
        }
        let value = match (&column_def.default, column_def.nullable) {
            (Some(expr), _) => {
                let expr = plan_scalar_expr(expr.clone());
                evaluate_stateless(None, &expr)?
                    .try_into_value(&column_def.data_type, column_def.nullable)?
            }
            (None, true) => Value::Null,
            (None, false) => {
                return Err(AlterTableError::DefaultValueRequired(column_def.clone()).into())
            }
        };
        column_defs.push(column_def.clone());
        table
            .meta
            .columns
            .push(crate::dialect::catalog::ColumnMeta::of_def(column_def));
        table.refresh_columns();
        table.rewrite_rows(|values| values.push(value.clone()))?;
        table.add_constraint_indexes();
        Ok(())
    }

    fn drop_column(&mut self, table_name: &str, column_name: &str, if_exists: bool) -> Result<()> {
        let table = self.table_mut(table_name)?;
        let column_defs = table
            .schema
            .column_defs
            .as_mut()
            .ok_or_else(|| AlterTableError::SchemalessTableFound(table_name.to_string()))?;
        let Some(position) = column_defs.iter().position(|c| c.name == column_name) else {
            return if if_exists {
                Ok(())
            } else {
                Err(AlterTableError::DroppingColumnNotFound(column_name.to_string()).into())
            };
        };
        column_defs.remove(position);
        // PostgreSQL drops the indexes that use a dropped column.
        let dropped: Vec<String> = table
            .indexes
            .iter()
            .filter(|i| {
                i.exprs()
                    .chain(i.predicate.iter())
                    .any(|e| mentions_column(e, column_name))
            })
            .map(|i| i.name.clone())
            .collect();
        for name in dropped {
            table.drop_index_named(&name);
        }
        table
            .meta
            .drop_column(column_name, |e| mentions_column(e, column_name));
        table.refresh_columns();
        table.rewrite_rows(|values| {
            if position < values.len() {
                values.remove(position);
            }
        })
    }
}

/// Renames a column inside any expression (every GlueSQL expression kind, through its
/// serde form: the AST has no visitor).
pub(crate) fn rename_identifier(expr: &mut Expr, from: &str, to: &str) {
    fn walk(value: &mut serde_json::Value, from: &str, to: &str) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::String(name)) = map.get_mut("Identifier") {
                    if name == from {
                        to.clone_into(name);
                    }
                }
                map.values_mut().for_each(|v| walk(v, from, to));
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|v| walk(v, from, to)),
            _ => {}
        }
    }
    let Ok(mut value) = serde_json::to_value(&*expr) else {
        return;
    };
    walk(&mut value, from, to);
    if let Ok(renamed) = serde_json::from_value(value) {
        *expr = renamed;
    }
}

/// Whether an expression reads `column`.
pub(crate) fn mentions_column(expr: &Expr, column: &str) -> bool {
    fn walk(value: &serde_json::Value, column: &str) -> bool {
        match value {
            serde_json::Value::Object(map) => {
                matches!(map.get("Identifier"), Some(serde_json::Value::String(n)) if n == column)
                    || map.values().any(|v| walk(v, column))
            }
            serde_json::Value::Array(items) => items.iter().any(|v| walk(v, column)),
            _ => false,
        }
    }
    serde_json::to_value(expr).is_ok_and(|v| walk(&v, column))
}

impl Transaction for EngineStorage {
    /// GlueSQL asks before every statement whether it should open an autocommit
    /// transaction: no, the engine layer snapshots each statement itself.
    fn begin(&mut self, autocommit: bool) -> Result<bool> {
        if autocommit {
            return Ok(false);
        }
        Err(Error::StorageMsg(
            "transaction control is handled by the engine layer".to_string(),
        ))
    }
}

impl Metadata for EngineStorage {}

impl CustomFunction for EngineStorage {
    fn fetch_function<'a>(&'a self, func_name: &str) -> Result<Option<&'a StructCustomFunction>> {
        Ok(self.state.functions.get(&func_name.to_uppercase()))
    }

    fn fetch_all_functions(&self) -> Result<Vec<&StructCustomFunction>> {
        Ok(self.state.functions.values().collect())
    }
}

impl CustomFunctionMut for EngineStorage {
    fn insert_function(&mut self, func: StructCustomFunction) -> Result<()> {
        self.state
            .functions
            .insert(func.func_name.to_uppercase(), func);
        Ok(())
    }

    fn delete_function(&mut self, func_name: &str) -> Result<()> {
        self.state.functions.remove(&func_name.to_uppercase());
        Ok(())
    }
}
