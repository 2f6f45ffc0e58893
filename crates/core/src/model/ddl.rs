//! PostgreSQL DDL as SQLAlchemy 2.0's `metadata.create_all` emits it: CREATE TYPE for
//! native enums, then per table in create_all's order its CREATE TABLE and its indexes, then
//! ALTER TABLE for the foreign keys it adds last (use_alter, cycles).
//! The layout (tab indents, ", " line ends) is SQLAlchemy's, so the text matches
//! `CreateTable(t).compile(dialect=postgresql.dialect())` character for character.

use super::ir::{Constraint, ForeignKey, Index, ModelIr, SqlType, Table};
use super::sort::create_order;

/// The DDL as one script, statements separated by ";" and a blank line.
pub fn to_ddl(ir: &ModelIr) -> String {
    ddl_statements(ir)
        .into_iter()
        .map(|s| s + ";\n\n")
        .collect()
}

/// The statements, without terminators, in execution order.
pub fn ddl_statements(ir: &ModelIr) -> Vec<String> {
    let mut statements = create_types(ir);
    let order = create_order(ir);
    for &t in order.layers.iter().flatten() {
        let table = &ir.tables[t];
        statements.push(create_table_with(table, |fk| !order.is_altered(t, fk)));
        // Table.indexes is a set in SQLAlchemy, so its order is arbitrary there; name
        // order here (and in the fixtures).
        let mut indexes: Vec<_> = table.indexes.iter().collect();
        indexes.sort_by(|a, b| a.name.cmp(&b.name));
        for index in indexes {
            statements.push(create_index(table, index));
        }
        statements.extend(comments(table));
    }
    // create_all adds them from a set, so in no fixed order; statement text order here
    // (and in the fixtures).
    let mut altered: Vec<String> = order
        .altered
        .iter()
        .map(|(t, fk)| {
            format!(
                "ALTER TABLE {} ADD {}",
                quote_ident(&ir.tables[*t].name),
                constraint_sql(&Constraint::ForeignKey((*fk).clone()))
            )
        })
        .collect();
    altered.sort();
    statements.extend(altered);
    statements
}

/// CREATE INDEX as SQLAlchemy's PostgreSQL dialect writes it (`WHERE` last).
pub fn create_index(table: &Table, index: &Index) -> String {
    let options = &index.options;
    let mut sql = format!(
        "CREATE {}INDEX {} ON {} {}({})",
        if index.unique { "UNIQUE " } else { "" },
        quote_ident(&index.name),
        quote_ident(&table.name),
        options
            .method
            .as_ref()
            .map(|m| format!("USING {m} "))
            .unwrap_or_default(),
        index.elements_sql()
    );
    if !options.include.is_empty() {
        sql.push_str(&format!(" INCLUDE ({})", idents(&options.include)));
    }
    if options.nulls_not_distinct {
        sql.push_str(" NULLS NOT DISTINCT");
    }
    if !options.with.is_empty() {
        let parameters: Vec<String> = options
            .with
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        sql.push_str(&format!(" WITH ({})", parameters.join(", ")));
    }
    if let Some(condition) = &index.where_sql {
        sql.push_str(" WHERE ");
        sql.push_str(condition);
    }
    sql
}

/// COMMENT ON TABLE, then COMMENT ON COLUMN in column order, as create_all sends them
/// right after the table and its indexes.
fn comments(table: &Table) -> Vec<String> {
    let quoted = |text: &str| format!("'{}'", text.replace('\'', "''"));
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
            out.push(format!(
                "COMMENT ON COLUMN {}.{} IS {}",
                quote_ident(&table.name),
                quote_ident(&column.name),
                quoted(comment)
            ));
        }
    }
    out
}

/// One CREATE TYPE per native enum, in the order tables (in definition order) use them.
fn create_types(ir: &ModelIr) -> Vec<String> {
    let mut seen: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for column in ir.tables.iter().flat_map(|t| &t.columns) {
        if let SqlType::Enum { name, labels } = &column.sql_type {
            if !seen.contains(&name.as_str()) {
                seen.push(name);
                let labels: Vec<String> = labels
                    .iter()
                    .map(|l| format!("'{}'", l.replace('\'', "''")))
                    .collect();
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

pub fn create_table(table: &Table) -> String {
    create_table_with(table, |_| true)
}

/// CREATE TABLE with the foreign keys `inline` keeps (the rest are added by ALTER TABLE).
fn create_table_with(table: &Table, inline: impl Fn(&ForeignKey) -> bool) -> String {
    let mut lines = Vec::new();
    for column in &table.columns {
        let mut spec = quote_ident(&column.name);
        spec.push(' ');
        if column.autoincrement {
            spec.push_str(match column.sql_type {
                SqlType::BigInteger => "BIGSERIAL",
                SqlType::SmallInteger => "SMALLSERIAL",
                _ => "SERIAL",
            });
        } else {
            spec.push_str(&column.sql_type.to_sql());
            if let Some(collation) = &column.collation {
                spec.push_str(&format!(" COLLATE {}", quote_ident(collation)));
            }
            if let Some(default) = &column.server_default {
                spec.push_str(" DEFAULT ");
                spec.push_str(default);
            }
        }
        if !column.nullable {
            spec.push_str(" NOT NULL");
        }
        for check in &column.checks {
            if let Some(name) = &check.name {
                spec.push_str(&format!(" CONSTRAINT {}", quote_ident(name)));
            }
            spec.push_str(&format!(" CHECK ({})", check.sql));
        }
        lines.push(spec);
    }
    if !table.primary_key.is_empty() {
        let named = table
            .primary_key_name
            .as_ref()
            .map(|n| format!("CONSTRAINT {} ", quote_ident(n)))
            .unwrap_or_default();
        lines.push(format!(
            "{named}PRIMARY KEY ({})",
            idents(&table.primary_key)
        ));
    }
    for constraint in &table.constraints {
        if let Constraint::ForeignKey(fk) = constraint {
            if !inline(fk) {
                continue;
            }
        }
        lines.push(constraint_sql(constraint));
    }
    let options: String = table.options.iter().map(|o| format!(" {o}")).collect();
    format!(
        "CREATE TABLE {} (\n\t{}\n){options}",
        quote_ident(&table.name),
        lines.join(", \n\t")
    )
}

fn constraint_sql(constraint: &Constraint) -> String {
    let named = |name: &Option<String>| {
        name.as_ref()
            .map(|n| format!("CONSTRAINT {} ", quote_ident(n)))
            .unwrap_or_default()
    };
    match constraint {
        Constraint::Unique { name, columns } => {
            format!("{}UNIQUE ({})", named(name), idents(columns))
        }
        Constraint::Check { name, sql } => format!("{}CHECK ({sql})", named(name)),
        Constraint::ForeignKey(fk) => foreign_key_sql(fk, fk.name.as_deref()),
    }
}

/// `[CONSTRAINT name] FOREIGN KEY(cols) REFERENCES t (cols) [ON DELETE ...] [ON UPDATE ...]`.
pub fn foreign_key_sql(fk: &ForeignKey, name: Option<&str>) -> String {
    let mut sql = format!(
        "{}FOREIGN KEY({}) REFERENCES {} ({})",
        name.map(|n| format!("CONSTRAINT {} ", quote_ident(n)))
            .unwrap_or_default(),
        idents(&fk.columns),
        quote_ident(&fk.ref_table),
        idents(&fk.ref_columns)
    );
    if let Some(action) = &fk.ondelete {
        sql.push_str(&format!(" ON DELETE {action}"));
    }
    if let Some(action) = &fk.onupdate {
        sql.push_str(&format!(" ON UPDATE {action}"));
    }
    sql
}

/// Names as a column list: `a, b`, each quoted where SQLAlchemy would.
pub fn idents(names: &[String]) -> String {
    names
        .iter()
        .map(|n| quote_ident(n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// SQLAlchemy's postgresql `RESERVED_WORDS`: such names are quoted.
const RESERVED_WORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "binary",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "into",
    "is",
    "isnull",
    "join",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "natural",
    "new",
    "not",
    "notnull",
    "null",
    "of",
    "off",
    "offset",
    "old",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "over",
    "overlaps",
    "placing",
    "primary",
    "references",
    "returning",
    "right",
    "select",
    "session_user",
    "similar",
    "some",
    "symmetric",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
];

/// An identifier as SQLAlchemy's preparer writes it: quoted when reserved, not
/// lower-case, starting with a digit or '$', or holding other than [A-Za-z0-9_$].
pub fn quote_ident(name: &str) -> String {
    let legal = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    let bad_start = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || c == '$');
    let needs_quotes = !legal
        || bad_start
        || name.to_lowercase() != name
        || RESERVED_WORDS
            .binary_search(&name.to_lowercase().as_str())
            .is_ok();
    if needs_quotes {
        format!("\"{}\"", name.replace('"', "\"\""))
    } else {
        name.to_string()
    }
}
