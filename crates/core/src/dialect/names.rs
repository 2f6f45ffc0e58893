//! Result column names as PostgreSQL gives them.
//!
//! GlueSQL labels an unaliased select item with the text of its expression (`COUNT(*)`,
//! `1 + 1`); PostgreSQL names it by the rules of its `FigureColname`: a column by its
//! name, a function call by the function's name (`count`, `coalesce`, `now`), CASE as
//! `case`, a cast by what it casts or else by the type's internal name (`1::int` is
//! `int4`), a scalar subquery by its own first column, and anything else `?column?`.
//! The front runs this before any other rewrite, on the statement as the user wrote it,
//! and gives every unaliased item PostgreSQL's name as an explicit alias.

use gluesql::core::sqlparser::ast::{
    DataType, Expr, Ident, ObjectName, Query, SelectItem, SetExpr, Statement, TableFactor,
    TableWithJoins, TrimWhereField,
};

/// The name PostgreSQL gives an unaliased result column.
pub fn column_name(expr: &Expr) -> String {
    figure(expr).map_or_else(|| "?column?".to_string(), |(name, _)| name)
}

/// Gives every unaliased select item of `statement` (its subqueries in FROM and its
/// RETURNING list included) PostgreSQL's column name as an alias.
pub fn name_columns(statement: &mut Statement) {
    match statement {
        Statement::Query(query) => name_query(query),
        Statement::Insert(insert) => {
            if let Some(source) = insert.source.as_mut() {
                name_query(source);
            }
            name_items(insert.returning.iter_mut().flatten());
        }
        Statement::Update { returning, .. } => name_items(returning.iter_mut().flatten()),
        Statement::Delete(delete) => name_items(delete.returning.iter_mut().flatten()),
        _ => {}
    }
}

fn name_query(query: &mut Query) {
    if let Some(with) = query.with.as_mut() {
        for cte in &mut with.cte_tables {
            name_query(&mut cte.query);
        }
    }
    name_set_expr(&mut query.body);
}

fn name_set_expr(body: &mut SetExpr) {
    match body {
        SetExpr::Select(select) => {
            name_items(select.projection.iter_mut());
            for table in &mut select.from {
                name_table(table);
            }
        }
        SetExpr::Query(query) => name_query(query),
        SetExpr::SetOperation { left, right, .. } => {
            name_set_expr(left);
            name_set_expr(right);
        }
        _ => {}
    }
}

fn name_table(table: &mut TableWithJoins) {
    for factor in
        std::iter::once(&mut table.relation).chain(table.joins.iter_mut().map(|j| &mut j.relation))
    {
        if let TableFactor::Derived { subquery, .. } = factor {
            name_query(subquery);
        }
    }
}

fn name_items<'a>(items: impl Iterator<Item = &'a mut SelectItem>) {
    for item in items {
        if let SelectItem::UnnamedExpr(expr) = item {
            // A bare column keeps GlueSQL's own label (its name): aliasing it would change
            // nothing but the text of the plan. (A quoted one is labelled with its quotes.)
            if matches!(expr, Expr::Identifier(ident) if ident.quote_style.is_none()) {
                continue;
            }
            let alias = Ident::with_quote('"', column_name(expr));
            *item = SelectItem::ExprWithAlias {
                expr: expr.clone(),
                alias,
            };
        }
    }
}

/// PostgreSQL's name for `expr` and its strength: 2 for a real name (column, function),
/// 1 for a type name a cast falls back to; None for `?column?`.
fn figure(expr: &Expr) -> Option<(String, u8)> {
    let named = |name: &str| Some((name.to_string(), 2));
    match expr {
        Expr::Identifier(ident) => Some((ident_name(ident), 2)),
        Expr::CompoundIdentifier(parts) => parts.last().map(|i| (ident_name(i), 2)),
        Expr::Nested(inner) | Expr::Collate { expr: inner, .. } => figure(inner),
        Expr::Function(function) => object_last(&function.name).map(|n| (n, 2)),
        Expr::Cast {
            expr, data_type, ..
        } => match figure(expr) {
            Some((name, 2)) => Some((name, 2)),
            _ => Some((type_name(data_type), 1)),
        },
        Expr::TypedString { data_type, .. } => Some((type_name(data_type), 1)),
        Expr::Interval(_) => Some(("interval".into(), 1)),
        Expr::Case { .. } => named("case"),
        Expr::Exists { .. } => named("exists"),
        Expr::Subquery(query) => subquery_name(query),
        Expr::Array(_) => named("array"),
        Expr::Extract { .. } => named("extract"),
        Expr::Substring { .. } => named("substring"),
        Expr::Position { .. } => named("position"),
        Expr::Overlay { .. } => named("overlay"),
        Expr::Ceil { .. } => named("ceil"),
        Expr::Floor { .. } => named("floor"),
        Expr::AtTimeZone { .. } => named("timezone"),
        Expr::Trim { trim_where, .. } => named(match trim_where {
            Some(TrimWhereField::Leading) => "ltrim",
            Some(TrimWhereField::Trailing) => "rtrim",
            _ => "btrim",
        }),
        _ => None,
    }
}

/// A scalar subquery is named by its own first result column.
fn subquery_name(query: &Query) -> Option<(String, u8)> {
    let SetExpr::Select(select) = query.body.as_ref() else {
        return None;
    };
    match select.projection.first()? {
        SelectItem::ExprWithAlias { alias, .. } => Some((alias.value.clone(), 2)),
        SelectItem::UnnamedExpr(expr) => figure(expr),
        _ => None,
    }
}

/// Unquoted identifiers fold to lower case in PostgreSQL; quoted ones keep theirs.
fn ident_name(ident: &Ident) -> String {
    if ident.quote_style.is_some() {
        ident.value.clone()
    } else {
        ident.value.to_lowercase()
    }
}

fn object_last(name: &ObjectName) -> Option<String> {
    name.0.last().map(ident_name)
}

/// The internal name PostgreSQL shows for a type (`integer` is `int4`).
fn type_name(data_type: &DataType) -> String {
    use gluesql::core::sqlparser::ast::TimezoneInfo;
    let name = match data_type {
        DataType::Int(_) | DataType::Integer(_) | DataType::Int4(_) => "int4",
        DataType::BigInt(_) | DataType::Int8(_) => "int8",
        DataType::SmallInt(_) | DataType::Int2(_) => "int2",
        DataType::Numeric(_) | DataType::Decimal(_) | DataType::Dec(_) => "numeric",
        DataType::Real | DataType::Float4 => "float4",
        DataType::Double | DataType::DoublePrecision | DataType::Float8 | DataType::Float(_) => {
            "float8"
        }
        DataType::Boolean | DataType::Bool => "bool",
        DataType::Text => "text",
        DataType::Varchar(_) | DataType::CharacterVarying(_) | DataType::CharVarying(_) => {
            "varchar"
        }
        DataType::Char(_) | DataType::Character(_) => "bpchar",
        DataType::Date => "date",
        DataType::Time(_, TimezoneInfo::WithTimeZone | TimezoneInfo::Tz) => "timetz",
        DataType::Time(_, _) => "time",
        DataType::Timestamp(_, TimezoneInfo::WithTimeZone | TimezoneInfo::Tz) => "timestamptz",
        DataType::Timestamp(_, _) => "timestamp",
        DataType::Interval => "interval",
        DataType::Uuid => "uuid",
        DataType::JSON => "json",
        DataType::JSONB => "jsonb",
        DataType::Bytea => "bytea",
        DataType::Custom(name, _) => {
            return match object_last(name).as_deref() {
                Some("timestamptz") => "timestamptz".into(),
                Some("int") | Some("integer") => "int4".into(),
                Some(other) => other.to_string(),
                None => "?column?".into(),
            }
        }
        other => return other.to_string().to_lowercase(),
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use gluesql::core::sqlparser::dialect::PostgreSqlDialect;
    use gluesql::core::sqlparser::parser::Parser;

    fn name(sql_expr: &str) -> String {
        let expr = Parser::new(&PostgreSqlDialect {})
            .try_with_sql(sql_expr)
            .unwrap()
            .parse_expr()
            .unwrap();
        column_name(&expr)
    }

    #[test]
    fn names_follow_postgresql() {
        for (expr, want) in [
            ("count(*)", "count"),
            ("COUNT(DISTINCT email)", "count"),
            ("1 + 1", "?column?"),
            ("COALESCE(a, 0)", "coalesce"),
            ("t.email", "email"),
            ("Email", "email"),
            ("\"Email\"", "Email"),
            ("1::int", "int4"),
            ("age::text", "age"),
            ("CAST(1 AS VARCHAR(3))", "varchar"),
            ("CASE WHEN a THEN 1 END", "case"),
            ("(SELECT max(id) FROM t)", "max"),
            ("DATE '2024-01-01'", "date"),
            ("EXTRACT(YEAR FROM d)", "extract"),
            ("x AT TIME ZONE 'UTC'", "timezone"),
            ("TRIM(' a ')", "btrim"),
            ("NOT NULL", "?column?"),
        ] {
            assert_eq!(name(expr), want, "{expr}");
        }
    }
}
