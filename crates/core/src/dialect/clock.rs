//! `now()` as PostgreSQL keeps it: the time its transaction started, the same for every
//! call and every row of the statement (GlueSQL reads the clock at each call, so
//! `now() = now()` was false and a multi-row INSERT stamped each row differently).
//! `clock_timestamp()` stays the wall clock, as in PostgreSQL.

use gluesql::core::chrono::NaiveDateTime;
use gluesql::core::sqlparser::ast::{Expr, Statement};

/// The wall clock in UTC (the playground's sessions run in UTC, as the oracle's do).
pub(crate) fn wall_clock() -> NaiveDateTime {
    gluesql::core::chrono::Utc::now().naive_utc()
}

/// The SQL for a timestamp constant GlueSQL reads exactly (microseconds).
fn timestamp_sql(at: NaiveDateTime) -> String {
    format!(
        "CAST('{}' AS TIMESTAMP)",
        at.format("%Y-%m-%d %H:%M:%S%.6f")
    )
}

/// What a transaction-time function call reads, as SQL; None for anything else.
fn pinned(expr: &Expr, at: NaiveDateTime) -> Option<String> {
    let Expr::Function(function) = expr else {
        return None;
    };
    let name = function.name.to_string().to_lowercase();
    match name.as_str() {
        "now"
        | "current_timestamp"
        | "transaction_timestamp"
        | "localtimestamp"
        | "statement_timestamp" => Some(timestamp_sql(at)),
        "current_date" => Some(format!("CAST('{}' AS DATE)", at.format("%Y-%m-%d"))),
        _ => None,
    }
}

/// Replaces every transaction-time call in `statement` with the constant `at`.
pub(crate) fn pin(statement: &mut Statement, at: NaiveDateTime) {
    super::rewrite::walk_statement(statement, &mut |expr| {
        if let Some(sql) = pinned(expr, at) {
            if let Some(constant) = parse(&sql) {
                *expr = constant;
            }
        }
    });
}

/// The constant for a column DEFAULT written as a transaction-time call (`DEFAULT now()`),
/// which the INSERT then gives explicitly.
pub(crate) fn pinned_default(default_sql: &str, at: NaiveDateTime) -> Option<Expr> {
    let expr = parse(default_sql)?;
    pinned(&expr, at).and_then(|sql| parse(&sql))
}

fn parse(sql: &str) -> Option<Expr> {
    gluesql::core::sqlparser::parser::Parser::new(
        &gluesql::core::sqlparser::dialect::PostgreSqlDialect {},
    )
    .try_with_sql(sql)
    .and_then(|mut p| p.parse_expr())
    .ok()
}

#[cfg(test)]
mod tests {
    use crate::engine::Database;
    use gluesql::core::executor::Payload;

    fn rows(db: &mut Database, sql: &str) -> Vec<Vec<gluesql::prelude::Value>> {
        match db.execute(sql).unwrap() {
            Payload::Select { rows, .. } => rows,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn now_is_the_transaction_start() {
        let mut db = Database::new();
        assert_eq!(
            rows(&mut db, "SELECT now() = now(), current_timestamp = now()"),
            vec![vec![
                gluesql::prelude::Value::Bool(true),
                gluesql::prelude::Value::Bool(true)
            ]]
        );
        db.execute("CREATE TABLE e (id INT PRIMARY KEY, at TIMESTAMPTZ DEFAULT now())")
            .unwrap();
        db.execute("BEGIN").unwrap();
        let first = rows(&mut db, "SELECT now()");
        db.execute("INSERT INTO e (id) VALUES (1), (2)").unwrap();
        db.execute("INSERT INTO e (id) SELECT 3").unwrap();
        assert_eq!(rows(&mut db, "SELECT now()"), first);
        db.execute("COMMIT").unwrap();
        assert_eq!(
            rows(&mut db, "SELECT count(DISTINCT at) FROM e"),
            vec![vec![gluesql::prelude::Value::I64(1)]]
        );
        assert_ne!(rows(&mut db, "SELECT now()"), first);
    }
}
