//! The schema as a set of named objects (tables, columns, constraints, indexes) with a
//! definition each, read from the engine's catalogue, and the diff of two such snapshots.

use crate::engine::Database;
use std::collections::BTreeMap;

/// Kind and name of a schema object, e.g. ("column", "users.full_name").
pub type ObjectKey = (&'static str, String);

#[derive(Clone, Debug, Default, PartialEq)]
pub struct SchemaSnapshot {
    pub objects: BTreeMap<ObjectKey, String>,
}

impl SchemaSnapshot {
    /// Every table of `db` (the engine's catalogue, no statement run).
    pub fn read(db: &Database) -> Self {
        let mut objects = BTreeMap::new();
        for table in db.table_names() {
            let columns = db.columns(&table);
            objects.insert(("table", table.clone()), "table".to_string());
            for (name, ty, not_null) in columns {
                let null = if not_null { "NOT NULL" } else { "NULL" };
                objects.insert(
                    ("column", format!("{table}.{name}")),
                    format!("{} {null}", ty.pg_name()),
                );
            }
            for c in db.constraints(&table) {
                let valid = if c.validated { "" } else { " NOT VALID" };
                objects.insert(
                    ("constraint", c.name.clone()),
                    format!("{}{valid}", c.definition),
                );
            }
            for index in db.index_names(&table) {
                objects.insert(("index", index), format!("on {table}"));
            }
        }
        Self { objects }
    }

    pub fn has_column(&self, table: &str, column: &str) -> bool {
        self.objects
            .contains_key(&("column", format!("{table}.{column}")))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Added,
    Removed,
    Changed,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DiffRow {
    pub kind: &'static str,
    pub name: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub change: Change,
}

/// What changed from `before` to `after`, in kind-then-name order.
pub fn diff(before: &SchemaSnapshot, after: &SchemaSnapshot) -> Vec<DiffRow> {
    let mut rows = Vec::new();
    for (key, old) in &before.objects {
        match after.objects.get(key) {
            None => rows.push(row(key, Some(old), None, Change::Removed)),
            Some(new) if new != old => rows.push(row(key, Some(old), Some(new), Change::Changed)),
            Some(_) => {}
        }
    }
    for (key, new) in &after.objects {
        if !before.objects.contains_key(key) {
            rows.push(row(key, None, Some(new), Change::Added));
        }
    }
    rows.sort_by(|a, b| (kind_order(a.kind), &a.name).cmp(&(kind_order(b.kind), &b.name)));
    rows
}

fn row(
    key: &ObjectKey,
    before: Option<&String>,
    after: Option<&String>,
    change: Change,
) -> DiffRow {
    DiffRow {
        kind: key.0,
        name: key.1.clone(),
        before: before.cloned(),
        after: after.cloned(),
        change,
    }
}

fn kind_order(kind: &str) -> u8 {
    match kind {
        "table" => 0,
        "column" => 1,
        "constraint" => 2,
        _ => 3,
    }
}
