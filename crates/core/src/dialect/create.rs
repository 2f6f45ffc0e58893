//! CREATE TABLE as PostgreSQL (and SQLAlchemy's `create_all`) writes it: the GlueSQL
//! schema to store, and the constraint catalog to enforce.

use super::catalog::{CheckConstraint, ColumnMeta, FkAction, ForeignKey, KeyConstraint, TableMeta};
use super::errors;
use super::rewrite::rewrite_expr;
use super::types::declare;
use crate::engine::storage_api::State;
use crate::engine::EngineError;
use gluesql::core::ast::{ColumnDef, ColumnUniqueOption};
use gluesql::core::data::Schema;
use gluesql::core::sqlparser::ast::{
    ColumnOption, CreateTable, Expr as SqlExpr, Ident, ObjectName, ReferentialAction,
    TableConstraint,
};
use gluesql::core::translate::{translate_expr, ParamLiteral};

/// A foreign key as declared: name, columns, referenced table and columns, actions.
type PendingFk = (
    Option<String>,
    Vec<String>,
    ObjectName,
    Vec<String>,
    FkAction,
    FkAction,
);

/// What CREATE TABLE makes.
pub(crate) struct TableDef {
    pub schema: Schema,
    pub meta: TableMeta,
}

pub(crate) fn object_name(name: &ObjectName) -> String {
    name.0.last().map(|i| i.value.clone()).unwrap_or_default()
}

pub(crate) fn fk_action(action: Option<&ReferentialAction>) -> FkAction {
    match action {
        None | Some(ReferentialAction::NoAction) => FkAction::NoAction,
        Some(ReferentialAction::Restrict) => FkAction::Restrict,
        Some(ReferentialAction::Cascade) => FkAction::Cascade,
        Some(ReferentialAction::SetNull) => FkAction::SetNull,
        Some(ReferentialAction::SetDefault) => FkAction::SetDefault,
    }
}

/// Translates one expression (DEFAULT, CHECK) after the PostgreSQL rewrites.
pub(crate) fn expr(
    sql: &str,
    expr: &SqlExpr,
    params: &[ParamLiteral],
) -> Result<gluesql::core::ast::Expr, EngineError> {
    let mut expr = expr.clone();
    rewrite_expr(&mut expr)
        .map_err(|m| errors::plain(format!("feature not supported in this playground: {m}")))?;
    translate_expr(&expr, params).map_err(|e| {
        errors::at(
            sql,
            format!("feature not supported in this playground: expression {expr} ({e})"),
            &expr.to_string(),
        )
    })
}

/// Picks PostgreSQL's default constraint name, numbered when taken.
pub(crate) fn unique_name(taken: &[String], base: String) -> String {
    if !taken.contains(&base) {
        return base;
    }
    (1..)
        .map(|n| format!("{base}{n}"))
        .find(|n| !taken.contains(n))
        .expect("some number is free")
}

fn idents(list: &[Ident]) -> Vec<String> {
    list.iter().map(|i| i.value.clone()).collect()
}

pub(crate) fn create_table(
    sql: &str,
    create: &CreateTable,
    state: &State,
    params: &[ParamLiteral],
) -> Result<TableDef, EngineError> {
    let table = object_name(&create.name);
    if create.temporary {
        return Err(errors::unsupported(sql, "CREATE TEMPORARY TABLE", "TEMP"));
    }
    // A partitioned table takes rows only through its partitions: accepting the clause
    // and storing rows in the parent would answer inserts PostgreSQL refuses.
    if create.partition_by.is_some() {
        return Err(errors::unsupported(
            sql,
            "partitioned tables (PARTITION BY)",
            "PARTITION",
        ));
    }
    if create.like.is_some() || create.clone.is_some() {
        return Err(errors::unsupported(
            sql,
            "CREATE TABLE ... LIKE/CLONE",
            "LIKE",
        ));
    }
    let mut meta = TableMeta::default();
    let mut defs = Vec::new();
    let mut taken: Vec<String> = Vec::new();
    let mut pending_checks: Vec<(Option<String>, String, SqlExpr)> = Vec::new();
    let mut pending_fks: Vec<PendingFk> = Vec::new();
    let mut pending_uniques: Vec<(Option<String>, Vec<String>, bool)> = Vec::new();

    for column in &create.columns {
        let name = column.name.value.clone();
        if column.name.quote_style.is_none() && super::syntax::is_reserved(&name) {
            // PostgreSQL's grammar stops at a reserved word used as a column name.
            return Err(errors::at(
                sql,
                format!("syntax error at or near \"{name}\""),
                &name,
            ));
        }
        if defs.iter().any(|d: &ColumnDef| d.name == name) {
            return Err(errors::at(
                sql,
                format!("column \"{name}\" specified more than once"),
                &name,
            ));
        }
        let declared = declare(&column.data_type, |n| state.enums.contains_key(n))
            .map_err(|m| errors::at(sql, m, &column.data_type.to_string()))?;
        // Text compares by code point here, which is PostgreSQL's "C" collation; any
        // other would sort differently, so it is refused rather than ignored.
        if let Some(collation) = &column.collation {
            let name = collation
                .0
                .last()
                .map(|i| i.value.as_str())
                .unwrap_or_default();
            if !matches!(name, "C" | "POSIX" | "default") {
                return Err(errors::unsupported(
                    sql,
                    &format!("the collation \"{name}\" (text sorts by code point here, as COLLATE \"C\")"),
                    "COLLATE",
                ));
            }
        }
        let mut not_null = false;
        let mut default = None;
        let mut default_sql = None;
        for option in &column.options {
            let constraint_name = option.name.as_ref().map(|i| i.value.clone());
            match &option.option {
                ColumnOption::Null => {}
                ColumnOption::NotNull => not_null = true,
                ColumnOption::Default(e) => {
                    default = Some(expr(sql, &typed_default(e, &declared.ty), params)?);
                    default_sql = Some(e.to_string());
                }
                ColumnOption::Unique {
                    is_primary,
                    characteristics,
                } => {
                    immediate(sql, characteristics)?;
                    pending_uniques.push((constraint_name, vec![name.clone()], *is_primary))
                }
                ColumnOption::ForeignKey {
                    foreign_table,
                    referred_columns,
                    on_delete,
                    on_update,
                    characteristics,
                } => pending_fks.push((
                    immediate(sql, characteristics).map(|()| constraint_name)?,
                    vec![name.clone()],
                    foreign_table.clone(),
                    idents(referred_columns),
                    fk_action(on_delete.as_ref()),
                    fk_action(on_update.as_ref()),
                )),
                ColumnOption::Check(e) => {
                    pending_checks.push((constraint_name, name.clone(), e.clone()))
                }
                ColumnOption::Comment(_) => {}
                other => {
                    return Err(errors::unsupported(
                        sql,
                        &format!("column option {other}"),
                        &other.to_string(),
                    ))
                }
            }
        }
        meta.columns.push(ColumnMeta {
            name: name.clone(),
            ty: declared.ty.clone(),
            not_null,
            sequence: declared.serial.then_some(0),
            default_sql,
        });
        defs.push(ColumnDef {
            name,
            data_type: declared.ty.storage(),
            // NOT NULL is enforced by the front, with PostgreSQL's message.
            nullable: true,
            default,
            unique: None,
            comment: None,
        });
    }

    for constraint in &create.constraints {
        match constraint {
            TableConstraint::PrimaryKey {
                characteristics, ..
            }
            | TableConstraint::Unique {
                characteristics, ..
            }
            | TableConstraint::ForeignKey {
                characteristics, ..
            } if immediate(sql, characteristics).is_err() => {
                return Err(immediate(sql, characteristics).expect_err("checked"));
            }
            TableConstraint::PrimaryKey { name, columns, .. } => pending_uniques.push((
                name.as_ref().map(|i| i.value.clone()),
                idents(columns),
                true,
            )),
            TableConstraint::Unique { name, columns, .. } => pending_uniques.push((
                name.as_ref().map(|i| i.value.clone()),
                idents(columns),
                false,
            )),
            TableConstraint::ForeignKey {
                name,
                columns,
                foreign_table,
                referred_columns,
                on_delete,
                on_update,
                ..
            } => pending_fks.push((
                name.as_ref().map(|i| i.value.clone()),
                idents(columns),
                foreign_table.clone(),
                idents(referred_columns),
                fk_action(on_delete.as_ref()),
                fk_action(on_update.as_ref()),
            )),
            TableConstraint::Check { name, expr: e } => {
                let first = first_column(e, &meta).unwrap_or_default();
                pending_checks.push((name.as_ref().map(|i| i.value.clone()), first, *e.clone()))
            }
            other => {
                return Err(errors::unsupported(
                    sql,
                    &format!("table constraint {other}"),
                    &other.to_string(),
                ))
            }
        }
    }

    // Explicit names first, so generated ones avoid them.
    taken.extend(pending_uniques.iter().filter_map(|u| u.0.clone()));
    taken.extend(pending_checks.iter().filter_map(|c| c.0.clone()));
    taken.extend(pending_fks.iter().filter_map(|f| f.0.clone()));

    for (name, columns, primary) in pending_uniques {
        for column in &columns {
            if meta.position(column).is_none() {
                return Err(errors::at(
                    sql,
                    format!("column \"{column}\" named in key does not exist"),
                    column,
                ));
            }
        }
        if primary {
            if meta.primary_key.is_some() {
                return Err(errors::at(
                    sql,
                    format!("multiple primary keys for table \"{table}\" are not allowed"),
                    "PRIMARY KEY",
                ));
            }
            let name = name.unwrap_or_else(|| unique_name(&taken, format!("{table}_pkey")));
            taken.push(name.clone());
            for column in &columns {
                let position = meta.position(column).expect("checked");
                meta.columns[position].not_null = true;
            }
            if let [column] = columns.as_slice() {
                let position = meta.position(column).expect("checked");
                defs[position].unique = Some(ColumnUniqueOption { is_primary: true });
            }
            meta.primary_key = Some(KeyConstraint { name, columns });
        } else {
            let name = name.unwrap_or_else(|| {
                unique_name(&taken, format!("{table}_{}_key", columns.join("_")))
            });
            taken.push(name.clone());
            meta.uniques.push(KeyConstraint { name, columns });
        }
    }

    for (name, column, e) in pending_checks {
        let base = if column.is_empty() {
            format!("{table}_check")
        } else {
            format!("{table}_{column}_check")
        };
        let name = name.unwrap_or_else(|| unique_name(&taken, base));
        taken.push(name.clone());
        let mut unknown = None;
        super::rewrite::walk_expr(&mut e.clone(), &mut |node| {
            if let SqlExpr::Identifier(ident) = node {
                if unknown.is_none() && meta.position(&ident.value).is_none() {
                    unknown = Some(ident.value.clone());
                }
            }
        });
        if let Some(column) = unknown {
            return Err(errors::at(
                sql,
                format!("column \"{column}\" does not exist"),
                &column,
            ));
        }
        let translated = expr(sql, &e, params)?;
        meta.checks.push(CheckConstraint {
            name,
            sql: e.to_string(),
            expr: translated,
            validated: true,
        });
    }

    for (name, columns, foreign_table, ref_columns, on_delete, on_update) in pending_fks {
        let ref_table = object_name(&foreign_table);
        let fk = resolve_fk(
            sql,
            &table,
            &meta,
            state,
            name,
            columns,
            &ref_table,
            ref_columns,
            &taken,
        )?;
        let fk = ForeignKey {
            on_delete,
            on_update,
            ..fk
        };
        taken.push(fk.name.clone());
        meta.foreign_keys.push(fk);
    }

    let schema = Schema {
        table_name: table,
        column_defs: Some(defs),
        indexes: Vec::new(),
        engine: None,
        foreign_keys: Vec::new(),
        comment: None,
    };
    Ok(TableDef { schema, meta })
}

/// Checks a foreign key against its referenced table and names it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn resolve_fk(
    sql: &str,
    table: &str,
    meta: &TableMeta,
    state: &State,
    name: Option<String>,
    columns: Vec<String>,
    ref_table: &str,
    ref_columns: Vec<String>,
    taken: &[String],
) -> Result<ForeignKey, EngineError> {
    let parent_meta = if ref_table == table {
        meta
    } else {
        &state
            .tables
            .get(ref_table)
            .ok_or_else(|| {
                errors::at(
                    sql,
                    format!("relation \"{ref_table}\" does not exist"),
                    ref_table,
                )
            })?
            .meta
    };
    let ref_columns = if ref_columns.is_empty() {
        match &parent_meta.primary_key {
            Some(pk) => pk.columns.clone(),
            None => {
                return Err(errors::plain(format!(
                    "there is no primary key for referenced table \"{ref_table}\""
                )))
            }
        }
    } else {
        ref_columns
    };
    for column in &columns {
        if meta.position(column).is_none() {
            return Err(errors::at(
                sql,
                format!("column \"{column}\" referenced in foreign key constraint does not exist"),
                column,
            ));
        }
    }
    if columns.len() != ref_columns.len() {
        return Err(errors::plain(
            "number of referencing and referenced columns for foreign key disagree",
        ));
    }
    let is_key = |k: &KeyConstraint| {
        k.columns.len() == ref_columns.len() && ref_columns.iter().all(|c| k.columns.contains(c))
    };
    if !parent_meta.primary_key.iter().any(is_key) && !parent_meta.uniques.iter().any(is_key) {
        return Err(errors::plain(format!(
            "there is no unique constraint matching given keys for referenced table \"{ref_table}\""
        )));
    }
    let name =
        name.unwrap_or_else(|| unique_name(taken, format!("{table}_{}_fkey", columns.join("_"))));
    // PostgreSQL needs an equality operator between each pair of key columns.
    for (column, ref_column) in columns.iter().zip(&ref_columns) {
        let ty_of = |m: &TableMeta, c: &str| m.position(c).map(|p| m.columns[p].ty.clone());
        let (Some(ours), Some(theirs)) = (ty_of(meta, column), ty_of(parent_meta, ref_column))
        else {
            continue;
        };
        use super::typing::{base_name, category, Category};
        let (a, b) = (category(&ours), category(&theirs));
        if a != b && a != Category::Other && b != Category::Other {
            return Err(errors::plain(format!(
                "foreign key constraint \"{name}\" cannot be implemented\nDETAIL:  Key columns \"{column}\" and \"{ref_column}\" are of incompatible types: {} and {}.",
                base_name(&ours),
                base_name(&theirs)
            )));
        }
    }
    Ok(ForeignKey {
        name,
        columns,
        ref_table: ref_table.to_string(),
        ref_columns,
        on_delete: FkAction::NoAction,
        on_update: FkAction::NoAction,
    })
}

/// The first column a table-level CHECK mentions (PostgreSQL names it after that column).
fn first_column(e: &SqlExpr, meta: &TableMeta) -> Option<String> {
    let mut found = None;
    let mut e = e.clone();
    super::rewrite::walk_expr(&mut e, &mut |node| {
        if let SqlExpr::Identifier(ident) = node {
            if meta.position(&ident.value).is_some() && found.is_none() {
                found = Some(ident.value.clone());
            }
        }
    });
    found
}

/// PostgreSQL reads a quoted default as a literal of the column's type (`BOOLEAN DEFAULT
/// 'true'`, `INTEGER DEFAULT '0'`); GlueSQL only parses some spellings, so booleans are
/// spelled out here.
fn typed_default(e: &SqlExpr, ty: &super::types::PgType) -> SqlExpr {
    use gluesql::core::sqlparser::ast::Value as SqlValue;
    if let (SqlExpr::Value(SqlValue::SingleQuotedString(text)), super::types::PgType::Bool) =
        (e, ty)
    {
        match text.trim().to_lowercase().as_str() {
            "t" | "true" | "yes" | "on" | "1" | "y" => {
                return SqlExpr::Value(SqlValue::Boolean(true))
            }
            "f" | "false" | "no" | "off" | "0" | "n" => {
                return SqlExpr::Value(SqlValue::Boolean(false))
            }
            _ => {}
        }
    }
    let numeric = matches!(
        ty,
        super::types::PgType::SmallInt
            | super::types::PgType::Integer
            | super::types::PgType::BigInt
            | super::types::PgType::Numeric { .. }
            | super::types::PgType::Real
            | super::types::PgType::Double
    );
    if let (SqlExpr::Value(SqlValue::SingleQuotedString(text)), true) = (e, numeric) {
        if let Ok(number) = text.trim().parse() {
            return SqlExpr::Value(SqlValue::Number(number, false));
        }
    }
    e.clone()
}

/// Deferred constraints are not supported: refuse them rather than check them at the wrong
/// time. `NOT DEFERRABLE` and `INITIALLY IMMEDIATE` are the defaults and accepted.
pub(crate) fn immediate(
    sql: &str,
    characteristics: &Option<gluesql::core::sqlparser::ast::ConstraintCharacteristics>,
) -> Result<(), EngineError> {
    use gluesql::core::sqlparser::ast::DeferrableInitial;
    let Some(c) = characteristics else {
        return Ok(());
    };
    if c.deferrable == Some(true) || c.initially == Some(DeferrableInitial::Deferred) {
        return Err(errors::unsupported(
            sql,
            "DEFERRABLE constraints",
            "DEFERRABLE",
        ));
    }
    if c.enforced == Some(false) {
        return Err(errors::unsupported(
            sql,
            "NOT ENFORCED constraints",
            "ENFORCED",
        ));
    }
    Ok(())
}
