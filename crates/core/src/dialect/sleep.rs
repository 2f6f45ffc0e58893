//! `SELECT pg_sleep(seconds)`: PostgreSQL waits, then answers one row, one column named
//! `pg_sleep` of type void (shown empty). The playground waits the same, within the
//! statement's budget (which stops it, as `statement_timeout` would in PostgreSQL), so a
//! script that shows timing and budgets behaves as in psql. `pg_sleep` anywhere else (in
//! an expression, over a table) is refused: GlueSQL has no such function.

use crate::engine::{Database, EngineError};
use gluesql::core::data::Value;
use gluesql::core::executor::Payload;
use gluesql::core::sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Statement, UnaryOperator,
    Value as SqlValue,
};
use web_time::{Duration, Instant};

/// What a statement does with `pg_sleep`.
pub(crate) enum Sleep {
    /// `SELECT pg_sleep(n) [AS name]`: wait `n` seconds, answer under `name`.
    Alone { seconds: f64, name: String },
    /// `pg_sleep` somewhere the playground does not run it.
    Elsewhere,
}

/// Reads a statement's use of `pg_sleep`, if it has one.
pub(crate) fn sleep_of(sql: &str, statement: &Statement) -> Option<Sleep> {
    if !crate::dialect::syntax::skeleton(sql).contains("pg_sleep") {
        return None;
    }
    Some(alone(statement).unwrap_or(Sleep::Elsewhere))
}

fn alone(statement: &Statement) -> Option<Sleep> {
    let (select, function, name) = super::lone_call::lone_call(statement, "pg_sleep")?;
    if !select.from.is_empty() {
        return None;
    }
    let FunctionArguments::List(list) = &function.args else {
        return None;
    };
    let [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] = list.args.as_slice() else {
        return None;
    };
    Some(Sleep::Alone {
        seconds: number(arg)?,
        name,
    })
}

fn number(expr: &Expr) -> Option<f64> {
    match expr {
        Expr::Value(SqlValue::Number(n, _)) => n.to_string().parse().ok(),
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => number(expr).map(|n| -n),
        Expr::Nested(inner) => number(inner),
        _ => None,
    }
}

impl Database {
    /// Waits `seconds` (none when not positive), checking the statement's time budget as
    /// it goes, and answers PostgreSQL's one empty row.
    pub(crate) fn sleep(&mut self, seconds: f64, name: String) -> Result<Payload, EngineError> {
        let wait = Duration::try_from_secs_f64(seconds.max(0.0)).unwrap_or(Duration::MAX);
        let started = Instant::now();
        while started.elapsed() < wait {
            self.storage
                .probe
                .check_limits()
                .map_err(|e| EngineError::new(e.to_string()))?;
            pause();
        }
        Ok(Payload::Select {
            labels: vec![name],
            rows: vec![vec![Value::Str(String::new())]],
        })
    }
}

/// Natively the wait yields the thread; in the browser there is nothing to yield to on
/// the page's thread, so it spins (as any long statement holds it).
fn pause() {
    #[cfg(not(target_arch = "wasm32"))]
    std::thread::sleep(Duration::from_millis(1));
}
