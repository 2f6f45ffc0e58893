//! Text functions GlueSQL computes on bytes, not characters.
//!
//! `left`, `right`, `substr`/`substring`, `lpad`, `rpad`, `position`/`strpos` and `trim`
//! count UTF-8 bytes in GlueSQL 0.20: on text with a non-ASCII character they answer
//! differently from PostgreSQL (`left('héllo', 2)` gave `héllo`) or stop the engine
//! outright (slicing inside a character). On ASCII text they agree. So a statement that
//! applies one to a non-ASCII literal, or to a column holding any non-ASCII text, is
//! refused before it runs.

use crate::engine::storage_api::State;
use gluesql::core::prelude::Value;
use gluesql::core::sqlparser::ast::{Expr, Statement, Value as SqlValue};

/// The refusal for `statement`, if it needs one.
pub(crate) fn check(statement: &mut Statement, state: &State) -> Result<(), String> {
    let mut found: Option<String> = None;
    super::rewrite::walk_statement(statement, &mut |expr| {
        if found.is_some() {
            return;
        }
        let Some((name, text_args)) = byte_counted(expr) else {
            return;
        };
        for arg in text_args {
            if non_ascii(&arg, state) {
                found = Some(name.to_string());
                return;
            }
        }
    });
    match found {
        Some(function) => Err(format!(
            "{function}() on text with non-ASCII characters (the engine underneath counts bytes, not characters)"
        )),
        None => Ok(()),
    }
}

/// A byte-counting call: its name and the arguments that are text.
fn byte_counted(expr: &Expr) -> Option<(&'static str, Vec<Expr>)> {
    match expr {
        Expr::Substring { expr, .. } => Some(("substring", vec![(**expr).clone()])),
        Expr::Position { expr, r#in } => {
            Some(("position", vec![(**expr).clone(), (**r#in).clone()]))
        }
        Expr::Trim {
            expr,
            trim_what,
            trim_characters,
            ..
        } => {
            let mut args = vec![(**expr).clone()];
            args.extend(trim_what.iter().map(|e| (**e).clone()));
            args.extend(trim_characters.iter().flatten().cloned());
            Some(("trim", args))
        }
        Expr::Function(function) => {
            let name = function.name.to_string().to_lowercase();
            let name: &'static str = match name.as_str() {
                "left" => "left",
                "right" => "right",
                "substr" => "substr",
                "substring" => "substring",
                "lpad" => "lpad",
                "rpad" => "rpad",
                "strpos" => "strpos",
                "ltrim" => "ltrim",
                "rtrim" => "rtrim",
                "btrim" => "btrim",
                _ => return None,
            };
            Some((
                name,
                super::rewrite::unnamed_args(function)
                    .into_iter()
                    .cloned()
                    .collect(),
            ))
        }
        _ => None,
    }
}

/// Whether `expr` may be non-ASCII text: a literal that is, or a column that holds some.
fn non_ascii(expr: &Expr, state: &State) -> bool {
    let mut found = false;
    let mut expr = expr.clone();
    super::rewrite::walk_expr(&mut expr, &mut |node| {
        if found {
            return;
        }
        found = match node {
            Expr::Value(SqlValue::SingleQuotedString(text)) => !text.is_ascii(),
            Expr::Identifier(column) => column_has_non_ascii(state, &column.value),
            Expr::CompoundIdentifier(parts) => parts
                .last()
                .is_some_and(|c| column_has_non_ascii(state, &c.value)),
            _ => false,
        };
    });
    found
}

/// Whether any table's column called `column` holds a non-ASCII string.
fn column_has_non_ascii(state: &State, column: &str) -> bool {
    state.tables.values().any(|table| {
        let Some(position) = table.columns.iter().position(|c| c == column) else {
            return false;
        };
        table
            .rows
            .values()
            .any(|row| matches!(row.get(position), Some(Value::Str(s)) if !s.is_ascii()))
    })
}

#[cfg(test)]
mod tests {
    use crate::engine::Database;

    #[test]
    fn byte_counting_functions_refuse_non_ascii_text() {
        let mut db = Database::new();
        for sql in [
            "SELECT LEFT('héllo', 2)",
            "SELECT SUBSTR('héllo', 3)",
            "SELECT TRIM('é')",
        ] {
            let error = db.execute(sql).unwrap_err();
            assert_eq!(error.code.0, "0A000", "{sql}: {}", error.message);
        }
        db.execute("CREATE TABLE t (id INT PRIMARY KEY, name TEXT)")
            .unwrap();
        db.execute("INSERT INTO t VALUES (1, 'abc')").unwrap();
        db.execute("SELECT LEFT(name, 2) FROM t").unwrap();
        db.execute("INSERT INTO t VALUES (2, 'zoë')").unwrap();
        assert_eq!(
            db.execute("SELECT SUBSTRING(name FROM 2 FOR 2) FROM t")
                .unwrap_err()
                .code
                .0,
            "0A000"
        );
    }
}
