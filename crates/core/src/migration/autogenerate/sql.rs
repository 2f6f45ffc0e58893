//! The SQL `alembic upgrade --sql` prints for the operations on PostgreSQL (Alembic's
//! PostgreSQL impl): ALTER TABLE ... ADD COLUMN / ALTER COLUMN (type first, then
//! nullability, default, comment), CREATE INDEX as create_all writes it, and so on.

use super::ops::{AlterColumn, Op, ServerDefault, Side, UniqueKey};
use super::{reflect, SqlEntry};
use crate::model::ddl::{create_index, create_table, foreign_key_sql, idents, quote_ident};
use crate::model::ir::{Column, Constraint, ModelIr, SqlType, Table};

/// Every statement, in order; rendering stops at the first that cannot be compiled.
pub fn statements(ops: &[Op], before: &ModelIr, after: &ModelIr) -> Vec<SqlEntry> {
    let mut out = Vec::new();
    for op in ops {
        match render(op, before, after) {
            Ok(statements) => out.extend(statements.into_iter().map(SqlEntry::Statement)),
            Err(message) => {
                out.push(SqlEntry::Failed(message));
                break;
            }
        }
    }
    out
}

fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

fn column_type(column: &Column) -> String {
    let mut sql = column.sql_type.to_sql();
    if let Some(collation) = &column.collation {
        sql.push_str(&format!(" COLLATE {}", quote_ident(collation)));
    }
    sql
}

fn column_spec(column: &Column, side: Side) -> String {
    let mut spec = format!("{} ", quote_ident(&column.name));
    if column.autoincrement {
        spec.push_str(match column.sql_type {
            SqlType::BigInteger => "BIGSERIAL",
            SqlType::SmallInteger => "SMALLSERIAL",
            _ => "SERIAL",
        });
    } else {
        spec.push_str(&column_type(column));
        let default = match side {
            Side::Model => column.server_default.clone(),
            Side::Database => reflect::default_sql(column),
        };
        if let Some(default) = default {
            spec.push_str(&format!(" DEFAULT {default}"));
        }
    }
    if !column.nullable {
        spec.push_str(" NOT NULL");
    }
    spec
}

/// CREATE TABLE for a table as reflected: every constraint named as PostgreSQL named it,
/// the primary key first, then foreign keys, unique constraints and checks.
fn create_reflected_table(table: &Table) -> String {
    let mut lines: Vec<String> = table
        .columns
        .iter()
        .map(|c| column_spec(c, Side::Database))
        .collect();
    if !table.primary_key.is_empty() {
        lines.push(format!(
            "CONSTRAINT {} PRIMARY KEY ({})",
            quote_ident(&reflect::primary_key_name(table)),
            idents(&table.primary_key)
        ));
    }
    for fk in table.foreign_keys() {
        let name = reflect::foreign_key_name(&table.name, fk);
        lines.push(foreign_key_sql(fk, Some(&name)));
    }
    for constraint in &table.constraints {
        if let Constraint::Unique { name, columns } = constraint {
            lines.push(format!(
                "CONSTRAINT {} UNIQUE NULLS DISTINCT ({})",
                quote_ident(&reflect::unique_name(&table.name, name, columns)),
                idents(columns)
            ));
        }
    }
    for constraint in &table.constraints {
        if let Constraint::Check { name, sql } = constraint {
            let named = name
                .as_ref()
                .map(|n| format!("CONSTRAINT {} ", quote_ident(n)))
                .unwrap_or_default();
            lines.push(format!("{named}CHECK ({sql})"));
        }
    }
    format!(
        "CREATE TABLE {} (\n    {}\n)",
        quote_ident(&table.name),
        lines.join(", \n    ")
    )
}

fn comments(table: &Table) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(comment) = &table.comment {
        out.push(format!(
            "COMMENT ON TABLE {} IS {}",
            quote_ident(&table.name),
            quoted(comment)
        ));
    }
    for column in &table.columns {
        if let Some(comment) = &column.comment {
            out.push(column_comment(&table.name, &column.name, Some(comment)));
        }
    }
    out
}

fn column_comment(table: &str, column: &str, comment: Option<&str>) -> String {
    format!(
        "COMMENT ON COLUMN {}.{} IS {}",
        quote_ident(table),
        quote_ident(column),
        comment.map_or("NULL".into(), quoted)
    )
}

fn create_types(table: &Table) -> Vec<String> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for column in &table.columns {
        if let SqlType::Enum { name, labels } = &column.sql_type {
            if !seen.contains(&name.as_str()) {
                seen.push(name);
                let labels: Vec<String> = labels.iter().map(|l| quoted(l)).collect();
                out.push(format!(
                    "CREATE TYPE {} AS ENUM ({})",
                    quote_ident(name),
                    labels.join(", ")
                ));
            }
        }
    }
    out
}

fn alter_column(a: &AlterColumn) -> Vec<String> {
    let prefix = format!(
        "ALTER TABLE {} ALTER COLUMN {}",
        quote_ident(&a.table),
        quote_ident(&a.column)
    );
    let mut out = Vec::new();
    if let Some((sql_type, _)) = &a.modify_type {
        out.push(format!("{prefix} TYPE {}", sql_type.to_sql()));
    }
    match a.modify_nullable {
        Some(true) => out.push(format!("{prefix} DROP NOT NULL")),
        Some(false) => out.push(format!("{prefix} SET NOT NULL")),
        None => {}
    }
    match &a.modify_server_default {
        Some(Some(ServerDefault { sql, .. })) => out.push(format!("{prefix} SET DEFAULT {sql}")),
        Some(None) => out.push(format!("{prefix} DROP DEFAULT")),
        None => {}
    }
    if let Some(comment) = &a.modify_comment {
        out.push(column_comment(&a.table, &a.column, comment.as_deref()));
    }
    out
}

fn unnamed(kind: &str, table: &str) -> String {
    let constraint = match kind {
        "unique" => "UniqueConstraint()".to_string(),
        _ => format!(
            "ForeignKeyConstraint(<sqlalchemy.sql.base.ReadOnlyColumnCollection object>, None, table=Table('{table}', MetaData(), schema=None))"
        ),
    };
    format!("CompileError: Can't emit DROP CONSTRAINT for constraint {constraint}; it has no name")
}

fn add_unique(table: &str, unique: &UniqueKey, side: Side) -> String {
    let named = unique
        .name
        .as_ref()
        .map(|n| format!("CONSTRAINT {} ", quote_ident(n)))
        .unwrap_or_default();
    let nulls = if side == Side::Database {
        "NULLS DISTINCT "
    } else {
        ""
    };
    format!(
        "ALTER TABLE {} ADD {named}UNIQUE {nulls}({})",
        quote_ident(table),
        idents(&unique.columns)
    )
}

fn render(op: &Op, before: &ModelIr, after: &ModelIr) -> Result<Vec<String>, String> {
    Ok(match op {
        Op::CreateTable {
            table,
            side: Side::Model,
        } => {
            let mut out = create_types(table);
            out.push(create_table(table).replace("\n\t", "\n    "));
            out.extend(comments(table));
            out
        }
        Op::CreateTable {
            table,
            side: Side::Database,
        } => {
            let mut out = create_types(table);
            out.push(create_reflected_table(table));
            out.extend(comments(table));
            out
        }
        Op::DropTable { table, .. } => vec![format!("DROP TABLE {}", quote_ident(&table.name))],
        Op::AddColumn {
            table,
            column,
            side,
        } => {
            let mut out = vec![format!(
                "ALTER TABLE {} ADD COLUMN {}",
                quote_ident(table),
                column_spec(column, *side)
            )];
            if let Some(comment) = &column.comment {
                out.push(column_comment(table, &column.name, Some(comment)));
            }
            out
        }
        Op::DropColumn { table, column, .. } => vec![format!(
            "ALTER TABLE {} DROP COLUMN {}",
            quote_ident(table),
            quote_ident(&column.name)
        )],
        Op::AlterColumn(a) => alter_column(a),
        Op::CreateIndex {
            table, index, side, ..
        } => {
            let ir = if *side == Side::Model { after } else { before };
            let holder = ir
                .table(table)
                .or_else(|| before.table(table))
                .or_else(|| after.table(table));
            match holder {
                Some(t) => vec![create_index(t, index)],
                None => return Err(format!("no table {table}")),
            }
        }
        Op::DropIndex { index, .. } => vec![format!("DROP INDEX {}", quote_ident(&index.name))],
        Op::AddUnique {
            table,
            unique,
            side,
        } => vec![add_unique(table, unique, *side)],
        Op::DropUnique { table, unique, .. } => match &unique.name {
            Some(name) => vec![format!(
                "ALTER TABLE {} DROP CONSTRAINT {}",
                quote_ident(table),
                quote_ident(name)
            )],
            None => return Err(unnamed("unique", table)),
        },
        Op::AddForeignKey { table, fk, .. } => vec![format!(
            "ALTER TABLE {} ADD {}",
            quote_ident(table),
            foreign_key_sql(fk, fk.name.as_deref())
        )],
        Op::DropForeignKey { table, fk, .. } => match &fk.name {
            Some(name) => vec![format!(
                "ALTER TABLE {} DROP CONSTRAINT {}",
                quote_ident(table),
                quote_ident(name)
            )],
            None => return Err(unnamed("foreignkey", table)),
        },
        // Alembic's PostgreSQL impl writes RENAME without COLUMN.
        Op::RenameColumn {
            table, from, to, ..
        } => vec![format!(
            "ALTER TABLE {} RENAME {} TO {}",
            quote_ident(table),
            quote_ident(from),
            quote_ident(to)
        )],
        Op::TableComment { table, comment, .. } => vec![format!(
            "COMMENT ON TABLE {} IS {}",
            quote_ident(table),
            comment.as_deref().map_or("NULL".into(), quoted)
        )],
    })
}
