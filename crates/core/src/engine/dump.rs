//! The page's database as a SQL dump that real PostgreSQL loads, in pg_dump's order: enum
//! types, tables with their columns and their primary key, unique and check constraints,
//! the rows, each SERIAL's sequence position, then the foreign keys, the NOT VALID checks
//! and the indexes (after the data, so loading does not check or index row by row).
//!
//! Rows are written as multi-row INSERTs (pg_dump's `--inserts`), one per 500 rows, so the
//! dump also runs on the playground's own engine. Each value is PostgreSQL's text form as a
//! quoted literal (PostgreSQL reads it as the column's type), integers and booleans bare.
//! The test `export_dump_loads_into_postgresql` loads every live page's default database
//! into a real PostgreSQL and compares the tables.

use super::index::IndexKind;
use super::Database;
use crate::dialect::catalog::{ForeignKey, KeyConstraint};
use crate::dialect::output::pg_text_as;
use crate::dialect::PgType;
use crate::model::ddl::quote_ident;
use gluesql::core::ast::{Expr, ToSql};
use gluesql::prelude::Value;
use std::fmt::Write;

/// Rows per INSERT statement.
const ROWS_PER_INSERT: usize = 500;

/// A SQL dump and what it holds.
#[derive(Clone, Debug, PartialEq)]
pub struct SqlDump {
    pub sql: String,
    pub tables: usize,
    pub rows: usize,
    /// What the dump leaves out, with why (a GlueSQL-only column type).
    pub left_out: Vec<String>,
}

impl Database {
    /// The database as it is now (committed or not) as a SQL script for an empty
    /// PostgreSQL database: `psql -v ON_ERROR_STOP=1 -f dump.sql`.
    pub fn sql_dump(&self) -> SqlDump {
        let state = &self.storage.state;
        let mut left_out = Vec::new();
        let mut body = String::new();
        let mut after_data = String::new();
        let mut tables = 0;
        let mut rows = 0;

        for (name, labels) in state.enums.iter() {
            let labels: Vec<String> = labels.iter().map(|l| literal(l)).collect();
            let _ = writeln!(
                body,
                "CREATE TYPE {} AS ENUM ({});\n",
                quote_ident(name),
                labels.join(", ")
            );
        }

        for (name, table) in state.tables.iter() {
            let meta = &table.meta;
            if let Some(native) = meta
                .columns
                .iter()
                .find(|c| matches!(c.ty, PgType::Native(_)))
            {
                left_out.push(format!(
                    "table {name}: column {} has the GlueSQL-only type {}",
                    native.name,
                    native.ty.pg_name()
                ));
                continue;
            }
            tables += 1;
            let table_sql = quote_ident(name);
            let defaults: Vec<Option<&Expr>> = table
                .schema
                .column_defs
                .iter()
                .flatten()
                .map(|d| d.default.as_ref())
                .collect();

            let mut lines: Vec<String> = Vec::new();
            for (i, column) in meta.columns.iter().enumerate() {
                let mut line = format!("    {} {}", quote_ident(&column.name), column_type(column));
                if column.not_null && column.sequence.is_none() {
                    line.push_str(" NOT NULL");
                }
                let default = column
                    .default_sql
                    .clone()
                    .or_else(|| defaults.get(i).copied().flatten().map(|e| e.to_sql()));
                if let (Some(default), None) = (default, column.sequence) {
                    let _ = write!(line, " DEFAULT {default}");
                }
                lines.push(line);
            }
            if let Some(key) = &meta.primary_key {
                lines.push(key_constraint("PRIMARY KEY", key));
            }
            for key in &meta.uniques {
                lines.push(key_constraint("UNIQUE", key));
            }
            for check in meta.checks.iter().filter(|c| c.validated) {
                lines.push(format!(
                    "    CONSTRAINT {} CHECK ({})",
                    quote_ident(&check.name),
                    check.sql
                ));
            }
            let _ = writeln!(
                body,
                "CREATE TABLE {table_sql} (\n{}\n);\n",
                lines.join(",\n")
            );

            let columns: Vec<String> = meta.columns.iter().map(|c| quote_ident(&c.name)).collect();
            let all: Vec<&std::rc::Rc<Vec<Value>>> = table.rows.values().collect();
            rows += all.len();
            for chunk in all.chunks(ROWS_PER_INSERT) {
                let tuples: Vec<String> = chunk
                    .iter()
                    .map(|row| {
                        let cells: Vec<String> = row
                            .iter()
                            .zip(&meta.columns)
                            .map(|(value, column)| value_sql(value, &column.ty))
                            .collect();
                        format!("    ({})", cells.join(", "))
                    })
                    .collect();
                let _ = writeln!(
                    body,
                    "INSERT INTO {table_sql} ({}) VALUES\n{};\n",
                    columns.join(", "),
                    tuples.join(",\n")
                );
            }
            for column in &meta.columns {
                if let Some(last) = column.sequence.filter(|n| *n > 0) {
                    let _ = writeln!(
                        body,
                        "SELECT setval(pg_get_serial_sequence({}, {}), {last}, true);\n",
                        literal(&table_sql),
                        literal(&quote_ident(&column.name))
                    );
                }
            }

            for fk in &meta.foreign_keys {
                let _ = writeln!(
                    after_data,
                    "ALTER TABLE {table_sql} ADD {};\n",
                    foreign_key(fk)
                );
            }
            for check in meta.checks.iter().filter(|c| !c.validated) {
                let _ = writeln!(
                    after_data,
                    "ALTER TABLE {table_sql} ADD CONSTRAINT {} CHECK ({}) NOT VALID;\n",
                    quote_ident(&check.name),
                    check.sql
                );
            }
            for index in &table.indexes {
                let unique = match index.kind {
                    IndexKind::Plain => "",
                    IndexKind::UniqueIndex => "UNIQUE ",
                    // Made by the table's own constraints above.
                    IndexKind::PrimaryKey | IndexKind::Unique => continue,
                };
                if meta.uniques.iter().any(|k| k.name == index.name) {
                    continue;
                }
                let keys: Vec<String> = index.exprs().map(key_sql).collect();
                let _ = write!(
                    after_data,
                    "CREATE {unique}INDEX {} ON {table_sql} ({})",
                    quote_ident(&index.name),
                    keys.join(", ")
                );
                if let Some(predicate) = &index.predicate {
                    let _ = write!(after_data, " WHERE {}", predicate.to_sql());
                }
                after_data.push_str(";\n\n");
            }
        }

        let mut sql = format!(
            "-- A sqlpatterns playground database as SQL: {tables} {}, {rows} {}.\n\
             -- Load it into an empty PostgreSQL database: psql -v ON_ERROR_STOP=1 -f dump.sql\n",
            if tables == 1 { "table" } else { "tables" },
            if rows == 1 { "row" } else { "rows" },
        );
        for what in &left_out {
            let _ = writeln!(sql, "-- Left out: {what}.");
        }
        sql.push_str("\nBEGIN;\n\n");
        sql.push_str(&body);
        sql.push_str(&after_data);
        sql.push_str("COMMIT;\n");
        SqlDump {
            sql,
            tables,
            rows,
            left_out,
        }
    }
}

/// The column's type as CREATE TABLE spells it; a SERIAL column as `serial`, which makes
/// its sequence (set to where ours stands after the rows).
fn column_type(column: &crate::dialect::catalog::ColumnMeta) -> String {
    match (&column.ty, column.sequence) {
        (PgType::SmallInt, Some(_)) => "smallserial".into(),
        (PgType::BigInt, Some(_)) => "bigserial".into(),
        (_, Some(_)) => "serial".into(),
        (PgType::Enum(name), None) => quote_ident(name),
        (PgType::Time, None) => "time without time zone".into(),
        (ty, None) => ty.pg_name(),
    }
}

fn key_constraint(kind: &str, key: &KeyConstraint) -> String {
    let columns: Vec<String> = key.columns.iter().map(|c| quote_ident(c)).collect();
    format!(
        "    CONSTRAINT {} {kind} ({})",
        quote_ident(&key.name),
        columns.join(", ")
    )
}

fn foreign_key(fk: &ForeignKey) -> String {
    let names = |names: &[String]| -> String {
        names
            .iter()
            .map(|n| quote_ident(n))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut sql = format!(
        "CONSTRAINT {} FOREIGN KEY ({}) REFERENCES {}({})",
        quote_ident(&fk.name),
        names(&fk.columns),
        quote_ident(&fk.ref_table),
        names(&fk.ref_columns)
    );
    use crate::dialect::catalog::FkAction;
    if fk.on_update != FkAction::NoAction {
        let _ = write!(sql, " ON UPDATE {}", fk.on_update.sql());
    }
    if fk.on_delete != FkAction::NoAction {
        let _ = write!(sql, " ON DELETE {}", fk.on_delete.sql());
    }
    sql
}

/// An index key: a bare column as its name, an expression in parentheses.
fn key_sql(expr: &Expr) -> String {
    match expr {
        Expr::Identifier(name) => quote_ident(name),
        other => format!("({})", other.to_sql()),
    }
}

/// A SQL string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// A stored value as a literal PostgreSQL reads back as the same value of type `ty`.
fn value_sql(value: &Value, ty: &PgType) -> String {
    match value {
        Value::Null => "NULL".into(),
        Value::Bool(b) => (if *b { "true" } else { "false" }).into(),
        Value::I8(_)
        | Value::I16(_)
        | Value::I32(_)
        | Value::I64(_)
        | Value::I128(_)
        | Value::U8(_)
        | Value::U16(_)
        | Value::U32(_)
        | Value::U64(_)
        | Value::U128(_) => String::from(value),
        Value::Bytea(bytes) => {
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            literal(&format!("\\x{hex}"))
        }
        other => literal(&pg_text_as(other, ty)),
    }
}
