//! Constraint metadata of each table: kept inside the engine's snapshotted state (one
//! [`TableMeta`] beside each table's rows), so BEGIN/ROLLBACK/SAVEPOINT restore it together
//! with the data.

use super::types::PgType;
use gluesql::core::ast::Expr;
use serde::Serialize;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct TableMeta {
    pub columns: Vec<ColumnMeta>,
    pub primary_key: Option<KeyConstraint>,
    /// UNIQUE constraints (each backed by an index of the same name).
    pub uniques: Vec<KeyConstraint>,
    pub checks: Vec<CheckConstraint>,
    pub foreign_keys: Vec<ForeignKey>,
    /// Indexes left INVALID by a failed `CREATE INDEX CONCURRENTLY`: PostgreSQL keeps the
    /// name (a retry says it exists) until it is dropped; nothing reads or maintains them.
    pub invalid_indexes: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ColumnMeta {
    pub name: String,
    pub ty: PgType,
    pub not_null: bool,
    /// SERIAL columns: the last value the column's sequence handed out.
    pub sequence: Option<i64>,
    /// The column's DEFAULT as written in PostgreSQL's syntax (`now()`, `'active'`), for a
    /// SQL dump; the engine runs the GlueSQL expression in the table's schema.
    pub default_sql: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KeyConstraint {
    pub name: String,
    pub columns: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CheckConstraint {
    pub name: String,
    pub expr: Expr,
    /// The condition as written, for descriptions.
    pub sql: String,
    /// False after `ADD CONSTRAINT ... NOT VALID` until `VALIDATE CONSTRAINT`: new rows are
    /// checked, existing ones were not.
    pub validated: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FkAction {
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl FkAction {
    pub fn sql(self) -> &'static str {
        match self {
            Self::NoAction => "NO ACTION",
            Self::Restrict => "RESTRICT",
            Self::Cascade => "CASCADE",
            Self::SetNull => "SET NULL",
            Self::SetDefault => "SET DEFAULT",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    pub ref_table: String,
    pub ref_columns: Vec<String>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
}

impl TableMeta {
    pub fn column(&self, name: &str) -> Option<&ColumnMeta> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn position(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// Every constraint name the table holds (for uniqueness and DROP CONSTRAINT).
    pub fn constraint_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        names.extend(self.primary_key.iter().map(|k| k.name.as_str()));
        names.extend(self.uniques.iter().map(|k| k.name.as_str()));
        names.extend(self.checks.iter().map(|c| c.name.as_str()));
        names.extend(self.foreign_keys.iter().map(|f| f.name.as_str()));
        names
    }
}

/// A description of one table's constraints, for the UI (a schema panel) and tests.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConstraintInfo {
    pub name: String,
    /// `PRIMARY KEY`, `UNIQUE`, `CHECK`, `FOREIGN KEY`.
    pub kind: &'static str,
    /// PostgreSQL's `pg_get_constraintdef` style text.
    pub definition: String,
    pub validated: bool,
}

impl TableMeta {
    pub fn describe(&self) -> Vec<ConstraintInfo> {
        let mut out = Vec::new();
        let key = |kind, k: &KeyConstraint| ConstraintInfo {
            name: k.name.clone(),
            kind,
            definition: format!("{kind} ({})", k.columns.join(", ")),
            validated: true,
        };
        out.extend(self.primary_key.iter().map(|k| key("PRIMARY KEY", k)));
        out.extend(self.uniques.iter().map(|k| key("UNIQUE", k)));
        out.extend(self.checks.iter().map(|c| ConstraintInfo {
            name: c.name.clone(),
            kind: "CHECK",
            definition: format!("CHECK ({})", c.sql),
            validated: c.validated,
        }));
        out.extend(self.foreign_keys.iter().map(|f| ConstraintInfo {
            name: f.name.clone(),
            kind: "FOREIGN KEY",
            definition: format!(
                "FOREIGN KEY ({}) REFERENCES {}({}) ON DELETE {} ON UPDATE {}",
                f.columns.join(", "),
                f.ref_table,
                f.ref_columns.join(", "),
                f.on_delete.sql(),
                f.on_update.sql()
            ),
            validated: true,
        }));
        out
    }
}

impl ColumnMeta {
    /// A column GlueSQL made on its own (CREATE TABLE AS, GlueSQL-level ALTER): its type
    /// read back from the storage type; GlueSQL keeps enforcing its NOT NULL.
    pub fn of_def(def: &gluesql::core::ast::ColumnDef) -> Self {
        Self {
            name: def.name.clone(),
            ty: PgType::from_storage(&def.data_type),
            not_null: false,
            sequence: None,
            default_sql: None,
        }
    }
}

impl TableMeta {
    pub fn from_schema(schema: &gluesql::core::data::Schema) -> Self {
        Self {
            columns: schema
                .column_defs
                .iter()
                .flatten()
                .map(ColumnMeta::of_def)
                .collect(),
            ..Self::default()
        }
    }

    /// Follows a column rename in every constraint.
    pub fn rename_column(&mut self, from: &str, to: &str, rename: fn(&mut Expr, &str, &str)) {
        let fix = |names: &mut Vec<String>| {
            for name in names.iter_mut() {
                if name == from {
                    to.clone_into(name);
                }
            }
        };
        for column in &mut self.columns {
            if column.name == from {
                to.clone_into(&mut column.name);
            }
        }
        for key in self.primary_key.iter_mut().chain(self.uniques.iter_mut()) {
            fix(&mut key.columns);
        }
        for check in &mut self.checks {
            rename(&mut check.expr, from, to);
        }
        for fk in &mut self.foreign_keys {
            fix(&mut fk.columns);
        }
    }

    /// Renames referenced columns of `table` in this table's foreign keys.
    pub fn rename_referenced(&mut self, table: &str, from: &str, to: &str) {
        for fk in self
            .foreign_keys
            .iter_mut()
            .filter(|f| f.ref_table == table)
        {
            for name in fk.ref_columns.iter_mut() {
                if name == from {
                    to.clone_into(name);
                }
            }
        }
    }

    /// Drops a column and, as PostgreSQL does, every constraint that uses it.
    pub fn drop_column(&mut self, column: &str, mentions: impl Fn(&Expr) -> bool) {
        self.columns.retain(|c| c.name != column);
        let uses = |k: &KeyConstraint| k.columns.iter().any(|c| c == column);
        if self.primary_key.as_ref().is_some_and(uses) {
            self.primary_key = None;
        }
        self.uniques.retain(|k| !uses(k));
        self.checks.retain(|c| !mentions(&c.expr));
        self.foreign_keys
            .retain(|f| !f.columns.iter().any(|c| c == column));
    }
}

/// What a foreign key's action did to other rows during one statement (for the statement
/// log): e.g. `orders`, `orders_user_id_fkey`, `ON DELETE CASCADE`, 2 rows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConstraintAction {
    /// The table whose rows the action changed (the referencing table).
    pub table: String,
    pub constraint: String,
    /// `ON DELETE CASCADE`, `ON DELETE SET NULL`, `ON UPDATE CASCADE`, ...
    pub action: String,
    pub rows: u64,
}

impl ConstraintAction {
    /// `ON DELETE CASCADE on orders_user_id_fkey: 2 rows of orders deleted`.
    pub fn describe(&self) -> String {
        let verb = if self.action.ends_with("CASCADE") && self.action.starts_with("ON DELETE") {
            "deleted"
        } else {
            "updated"
        };
        let rows = if self.rows == 1 { "row" } else { "rows" };
        format!(
            "{} on {}: {} {rows} of {} {verb}",
            self.action, self.constraint, self.rows, self.table
        )
    }
}
