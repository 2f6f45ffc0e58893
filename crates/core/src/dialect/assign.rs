//! PostgreSQL's assignment casts: what INSERT and UPDATE convert on the way into a column.
//!
//! PostgreSQL stores any value into a text-like column through its text form (so the
//! reference's data migration, `INSERT ... SELECT gen_random_uuid(), ...` into a
//! VARCHAR(36) id, works), and rounds a numeric literal stored into an integer column
//! (1.5 becomes 2). GlueSQL refuses both; the front writes the cast out before GlueSQL
//! sees the statement. Length, range and precision checks stay with the storage
//! (`constraints`), which applies them after the cast, as PostgreSQL does.

use super::catalog::ColumnMeta;
use super::types::PgType;
use gluesql::core::ast::DataType as GlueType;
use gluesql::core::sqlparser::ast::{
    Assignment, AssignmentTarget, CastKind, DataType, Expr, Insert, SetExpr, Value,
};

/// Adds the casts an INSERT into a table with `columns` needs.
pub fn insert_casts(insert: &mut Insert, columns: &[ColumnMeta]) {
    let targets: Vec<Option<&ColumnMeta>> = if insert.columns.is_empty() {
        columns.iter().map(Some).collect()
    } else {
        insert
            .columns
            .iter()
            .map(|c| columns.iter().find(|m| m.name == c.value))
            .collect()
    };
    let Some(source) = insert.source.as_mut() else {
        return;
    };
    match source.body.as_mut() {
        SetExpr::Values(values) => {
            for row in &mut values.rows {
                for (expr, target) in row.iter_mut().zip(&targets) {
                    if let Some(target) = target {
                        cast_for(expr, &target.ty);
                    }
                }
            }
        }
        SetExpr::Select(select) => {
            for (item, target) in select.projection.iter_mut().zip(&targets) {
                let expr = match item {
                    gluesql::core::sqlparser::ast::SelectItem::UnnamedExpr(e)
                    | gluesql::core::sqlparser::ast::SelectItem::ExprWithAlias {
                        expr: e, ..
                    } => e,
                    _ => continue,
                };
                if let Some(target) = target {
                    cast_for(expr, &target.ty);
                }
            }
        }
        _ => {}
    }
}

/// Adds the casts `UPDATE ... SET column = expr` needs.
pub fn update_casts(assignments: &mut [Assignment], columns: &[ColumnMeta]) {
    for assignment in assignments {
        let AssignmentTarget::ColumnName(name) = &assignment.target else {
            continue;
        };
        let Some(column) = name
            .0
            .last()
            .and_then(|n| columns.iter().find(|c| c.name == n.value))
        else {
            continue;
        };
        cast_for(&mut assignment.value, &column.ty);
    }
}

fn cast_for(expr: &mut Expr, ty: &PgType) {
    if let Some(typed) = typed_literal(expr, ty) {
        *expr = typed;
        return;
    }
    match ty.storage() {
        GlueType::Text if needs_text_cast(expr) => {
            let inner = std::mem::replace(expr, Expr::Value(Value::Null));
            *expr = Expr::Cast {
                kind: CastKind::Cast,
                expr: Box::new(inner),
                data_type: DataType::Text,
                format: None,
            };
        }
        GlueType::Int => {
            if let Some(rounded) = rounded_integer(expr) {
                *expr = rounded;
            }
        }
        // A numeric literal stays exact on its way into a NUMERIC column (GlueSQL reads
        // `0.1` as a float, which it will not store there).
        GlueType::Decimal => {
            if let Expr::Value(literal @ Value::Number(..)) = expr {
                let (text, _) = super::typing::number_literal(literal).expect("a number");
                *expr = Expr::Cast {
                    kind: CastKind::Cast,
                    expr: Box::new(Expr::Value(Value::SingleQuotedString(text))),
                    data_type: DataType::Decimal(
                        gluesql::core::sqlparser::ast::ExactNumberInfo::None,
                    ),
                    format: None,
                };
            }
        }
        _ => {}
    }
}

/// Anything but a string literal, NULL or DEFAULT goes into a text column as its text.
fn needs_text_cast(expr: &Expr) -> bool {
    match expr {
        Expr::Value(
            Value::SingleQuotedString(_)
            | Value::EscapedStringLiteral(_)
            | Value::DollarQuotedString(_)
            | Value::Null,
        ) => false,
        Expr::Identifier(ident) if ident.value.eq_ignore_ascii_case("default") => false,
        Expr::Nested(inner) => needs_text_cast(inner),
        _ => true,
    }
}

/// A quoted literal is of type `unknown` in PostgreSQL and takes the type it meets (a
/// column's, a cast's): `'42'` into an INTEGER is 42, `'yes'` into a BOOLEAN is true.
/// GlueSQL compares and stores the text as text; this writes the conversion out (and a
/// literal that is not valid for the type fails with PostgreSQL's 22P02).
pub(crate) fn typed_literal(expr: &Expr, ty: &PgType) -> Option<Expr> {
    let Expr::Value(Value::SingleQuotedString(text)) = expr else {
        return None;
    };
    let cast_to = |data_type: DataType| Expr::Cast {
        kind: CastKind::Cast,
        expr: Box::new(Expr::Value(Value::SingleQuotedString(
            text.trim().to_string(),
        ))),
        data_type,
        format: None,
    };
    match ty.storage() {
        GlueType::Int => Some(cast_to(DataType::BigInt(None))),
        GlueType::Decimal => Some(cast_to(DataType::Decimal(
            gluesql::core::sqlparser::ast::ExactNumberInfo::None,
        ))),
        GlueType::Float => Some(cast_to(DataType::Float(None))),
        GlueType::Uuid => Some(cast_to(DataType::Uuid)),
        GlueType::Boolean => Some(match boolean_spelling(text) {
            Some(b) => Expr::Value(Value::Boolean(b)),
            None => cast_to(DataType::Boolean),
        }),
        // A date read from a timestamp's text keeps the date (`'2024-06-05 18:45'`).
        GlueType::Date => {
            let text = text.trim();
            let bytes = text.as_bytes();
            let timestamp_shaped = bytes.len() > 10
                && matches!(bytes[10], b' ' | b'T')
                && bytes[..10].iter().enumerate().all(|(i, c)| {
                    if i == 4 || i == 7 {
                        *c == b'-'
                    } else {
                        c.is_ascii_digit()
                    }
                });
            timestamp_shaped.then(|| Expr::Value(Value::SingleQuotedString(text[..10].to_string())))
        }
        _ => None,
    }
}

/// PostgreSQL's spellings of a boolean (`t`, `yes`, `on`, `1`, any case, blanks around).
pub(crate) fn boolean_spelling(text: &str) -> Option<bool> {
    match text.trim().to_ascii_lowercase().as_str() {
        "t" | "tr" | "tru" | "true" | "y" | "ye" | "yes" | "on" | "1" => Some(true),
        "f" | "fa" | "fal" | "fals" | "false" | "n" | "no" | "of" | "off" | "0" => Some(false),
        _ => None,
    }
}

/// A numeric literal with a fraction, rounded half away from zero as PostgreSQL's
/// numeric-to-integer assignment does.
pub(crate) fn rounded_integer(expr: &Expr) -> Option<Expr> {
    let (negative, literal) = match expr {
        Expr::Value(literal) => (false, literal),
        Expr::UnaryOp {
            op: gluesql::core::sqlparser::ast::UnaryOperator::Minus,
            expr,
        } => match expr.as_ref() {
            Expr::Value(literal) => (true, literal),
            _ => return None,
        },
        _ => return None,
    };
    let (text, true) = super::typing::number_literal(literal)? else {
        return None;
    };
    let value: f64 = text.parse().ok()?;
    let rounded = value.abs().round() as i64;
    let rounded = if negative { -rounded } else { rounded };
    Some(Expr::Value(Value::Number(rounded.into(), false)))
}
