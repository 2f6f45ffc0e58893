//! Secondary B-tree indexes: an ordered map from index key to the primary keys of the rows
//! that have it. Both levels are `im` maps, so a snapshot of an index is O(1).

use gluesql::core::ast::{DataType, Expr, IndexOperator, ToSql};
use gluesql::core::data::{Key, Row, Value};
use gluesql::core::error::Result;
use gluesql::core::executor::{evaluate_stateless, RowContext};
use gluesql::core::plan::{plan_scalar_expr, ExprPlan};
use im::{OrdMap, OrdSet};
use std::borrow::Cow;
use std::ops::Bound;
use std::rc::Rc;

/// Where an index's key comes from in a row.
#[derive(Clone, Debug)]
pub(crate) enum KeySource {
    /// A plain column: read by position, no evaluation.
    Column(usize),
    /// An expression over the row's columns.
    Expr(ExprPlan),
}

/// What an index is for. The primary-key index has no entries of its own: the table's rows
/// are already ordered by primary key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IndexKind {
    PrimaryKey,
    /// Made by a UNIQUE column, named `<table>_<column>_key` as PostgreSQL names it.
    Unique,
    /// Made by CREATE INDEX.
    Plain,
    /// Made by CREATE UNIQUE INDEX: enforces uniqueness, and DROP INDEX may drop it.
    UniqueIndex,
}

impl IndexKind {
    /// Whether the index refuses two rows with the same (non-NULL) key.
    pub fn is_unique(self) -> bool {
        !matches!(self, Self::Plain)
    }
}

#[derive(Clone, Debug)]
pub(crate) struct SecondaryIndex {
    pub name: String,
    pub expr: Expr,
    pub kind: IndexKind,
    pub source: KeySource,
    /// The key columns after the first (a composite index). Entries are keyed by the first
    /// expression only: a seek uses the leftmost column and the rest are compared per row.
    pub rest: Vec<Expr>,
    rest_sources: Vec<KeySource>,
    /// A partial index's WHERE: rows where it is not true are not indexed.
    pub predicate: Option<Expr>,
    predicate_plan: Option<ExprPlan>,
    pub entries: OrdMap<Key, OrdSet<Key>>,
}

impl SecondaryIndex {
    /// An empty index on `expr`, bound to the table's current columns.
    pub fn new(name: &str, expr: Expr, kind: IndexKind, columns: &[String]) -> Self {
        let source = key_source(&expr, columns);
        Self {
            name: name.to_string(),
            expr,
            kind,
            source,
            rest: Vec::new(),
            rest_sources: Vec::new(),
            predicate: None,
            predicate_plan: None,
            entries: OrdMap::new(),
        }
    }

    /// A composite and/or partial index: `exprs` (at least one) and an optional predicate.
    pub fn composite(
        name: &str,
        mut exprs: Vec<Expr>,
        predicate: Option<Expr>,
        kind: IndexKind,
        columns: &[String],
    ) -> Self {
        let first = exprs.remove(0);
        let mut index = Self::new(name, first, kind, columns);
        index.rest = exprs;
        index.predicate = predicate;
        index.rebind(columns);
        index
    }

    /// Re-reads column positions after the table's columns changed.
    pub fn rebind(&mut self, columns: &[String]) {
        self.source = key_source(&self.expr, columns);
        self.rest_sources = self.rest.iter().map(|e| key_source(e, columns)).collect();
        self.predicate_plan = self.predicate.clone().map(plan_scalar_expr);
    }

    /// Every key expression, first one included.
    pub fn exprs(&self) -> impl Iterator<Item = &Expr> {
        std::iter::once(&self.expr).chain(self.rest.iter())
    }

    /// Whether a row belongs in the index (always, unless the index is partial).
    pub fn covers(&self, table: &str, columns: &Rc<[String]>, values: &[Value]) -> Result<bool> {
        let Some(predicate) = &self.predicate_plan else {
            return Ok(true);
        };
        let value = eval_source(&KeySource::Expr(predicate.clone()), table, columns, values)?;
        Ok(matches!(value, Value::Bool(true)))
    }

    /// The values of the key columns after the first.
    pub fn rest_values(
        &self,
        table: &str,
        columns: &Rc<[String]>,
        values: &[Value],
    ) -> Result<Vec<Value>> {
        self.rest_sources
            .iter()
            .map(|source| eval_source(source, table, columns, values))
            .collect()
    }

    /// The index key of one row, as a value (NULL included).
    pub(crate) fn value_of(
        &self,
        table: &str,
        columns: &Rc<[String]>,
        values: &[Value],
    ) -> Result<Value> {
        eval_source(&self.source, table, columns, values)
    }

    pub fn key_of(&self, table: &str, columns: &Rc<[String]>, values: &[Value]) -> Result<Key> {
        Key::try_from(self.value_of(table, columns, values)?)
    }

    pub fn insert(&mut self, key: Key, row_key: Key) {
        self.entries.entry(key).or_default().insert(row_key);
    }

    pub fn remove(&mut self, key: &Key, row_key: &Key) {
        let now_empty = match self.entries.get_mut(key) {
            Some(row_keys) => {
                row_keys.remove(row_key);
                row_keys.is_empty()
            }
            None => false,
        };
        if now_empty {
            self.entries.remove(key);
        }
    }

    /// The SQL text of the indexed expression, for plans and logs.
    pub fn expr_sql(&self) -> String {
        match &self.expr {
            // GlueSQL's to_sql quotes every identifier; a bare column reads better.
            Expr::Identifier(name) => name.clone(),
            other => other.to_sql(),
        }
    }
}

fn eval_source(
    source: &KeySource,
    table: &str,
    columns: &Rc<[String]>,
    values: &[Value],
) -> Result<Value> {
    match source {
        KeySource::Column(position) => Ok(values.get(*position).cloned().unwrap_or(Value::Null)),
        KeySource::Expr(expr) => {
            let row = Row {
                columns: Rc::clone(columns),
                values: values.to_vec(),
            };
            let context = RowContext::new(table, Cow::Owned(row), None);
            evaluate_stateless(Some(context), expr)?.try_into()
        }
    }
}

fn key_source(expr: &Expr, columns: &[String]) -> KeySource {
    if let Expr::Identifier(name) = expr {
        if let Some(position) = columns.iter().position(|c| c == name) {
            return KeySource::Column(position);
        }
    }
    KeySource::Expr(plan_scalar_expr(expr.clone()))
}

/// The key range an index predicate selects. NULL keys sort after every other key (as in
/// GlueSQL's `Key` order and PostgreSQL's default), so ranges that must not return NULLs stop
/// before `Key::None`.
pub(crate) fn predicate_bounds(op: &IndexOperator, key: &Key) -> Option<(Bound<Key>, Bound<Key>)> {
    use Bound::{Excluded, Included, Unbounded};
    let is_null = matches!(key, Key::None);
    Some(match (op, is_null) {
        (IndexOperator::Eq, _) => (Included(key.clone()), Included(key.clone())),
        // `< NULL` is how GlueSQL's planner spells IS NOT NULL.
        (IndexOperator::Lt, _) => (Unbounded, Excluded(key.clone())),
        // Comparisons with NULL select nothing.
        (_, true) => return None,
        (IndexOperator::LtEq, false) => (Unbounded, Included(key.clone())),
        (IndexOperator::Gt, false) => (Excluded(key.clone()), Excluded(Key::None)),
        (IndexOperator::GtEq, false) => (Included(key.clone()), Excluded(Key::None)),
    })
}

/// The text of a predicate for plans and logs: `email = 'a@x'`, `n IS NULL`.
pub(crate) fn predicate_text(expr_sql: &str, op: &IndexOperator, value: &Value) -> String {
    match (op, value) {
        (IndexOperator::Eq, Value::Null) => format!("{expr_sql} IS NULL"),
        (IndexOperator::Lt, Value::Null) => format!("{expr_sql} IS NOT NULL"),
        _ => {
            let op = match op {
                IndexOperator::Eq => "=",
                IndexOperator::Lt => "<",
                IndexOperator::LtEq => "<=",
                IndexOperator::Gt => ">",
                IndexOperator::GtEq => ">=",
            };
            format!("{expr_sql} {op} {}", value_sql(value))
        }
    }
}

/// A value as an SQL literal, for display.
pub(crate) fn value_sql(value: &Value) -> String {
    match value {
        Value::Null => "NULL".to_string(),
        Value::Str(s) => format!("'{}'", s.replace('\'', "''")),
        other => String::from(other),
    }
}

/// Whether a key of `value`'s type sorts among `sample`'s keys by value: true when both
/// have the same type (keys of different types are ordered by type, not by value).
pub(crate) fn same_key_type(a: &Key, b: &Key) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b)
}

/// The column type that stores keys like `key`, to convert a predicate value to it.
pub(crate) fn key_data_type(key: &Key) -> Option<DataType> {
    Some(match key {
        Key::I8(_) => DataType::Int8,
        Key::I16(_) => DataType::Int16,
        Key::I32(_) => DataType::Int32,
        Key::I64(_) => DataType::Int,
        Key::I128(_) => DataType::Int128,
        Key::U8(_) => DataType::Uint8,
        Key::U16(_) => DataType::Uint16,
        Key::U32(_) => DataType::Uint32,
        Key::U64(_) => DataType::Uint64,
        Key::U128(_) => DataType::Uint128,
        Key::F32(_) => DataType::Float32,
        Key::F64(_) => DataType::Float,
        Key::Decimal(_) => DataType::Decimal,
        Key::Bool(_) => DataType::Boolean,
        Key::Str(_) => DataType::Text,
        Key::Bytea(_) => DataType::Bytea,
        Key::Date(_) => DataType::Date,
        Key::Timestamp(_) => DataType::Timestamp,
        Key::Time(_) => DataType::Time,
        Key::Interval(_) => DataType::Interval,
        Key::Uuid(_) => DataType::Uuid,
        Key::Inet(_) => DataType::Inet,
        Key::None => return None,
    })
}

/// Converts a predicate value to the key type `sample` has, the way GlueSQL compares a
/// column with a literal: text is parsed as the column's type (dates, times, UUIDs); a number
/// must convert exactly (5 -> 5.0 yes, 9.5 -> 9 no). None when it cannot convert, and then
/// GlueSQL's comparison is NULL for every row, so the seek finds nothing either.
pub(crate) fn convert_for_seek(value: &Value, sample: &Key) -> Option<Key> {
    let data_type = key_data_type(sample)?;
    let converted = value.cast(&data_type).ok()?;
    if is_number(value) {
        // Compare by converting back: `evaluate_cmp(I64(9), F64(9.5))` truncates to Equal.
        let original_type = value.get_type()?;
        if converted.cast(&original_type).ok().as_ref() != Some(value) {
            return None;
        }
    }
    let key = Key::try_from(converted).ok()?;
    same_key_type(&key, sample).then_some(key)
}

/// Whether a value is numeric (any integer width, float or decimal).
pub(crate) fn is_number(value: &Value) -> bool {
    matches!(
        value,
        Value::I8(_)
            | Value::I16(_)
            | Value::I32(_)
            | Value::I64(_)
            | Value::I128(_)
            | Value::U8(_)
            | Value::U16(_)
            | Value::U32(_)
            | Value::U64(_)
            | Value::U128(_)
            | Value::F32(_)
            | Value::F64(_)
            | Value::Decimal(_)
    )
}
