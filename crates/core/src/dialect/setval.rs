//! `SELECT setval(pg_get_serial_sequence('table', 'column'), n [, is_called])` and
//! `SELECT setval('table_column_seq', n [, is_called])`: moves a SERIAL column's sequence,
//! as a SQL dump (ours and pg_dump's) does after loading the rows. The playground keeps a
//! SERIAL's sequence inside its column (the last value handed out), so only these spellings
//! of a lone call are answered; `setval` anywhere else is refused.

use super::errors;
use crate::engine::{Database, EngineError};
use gluesql::core::data::Value;
use gluesql::core::executor::Payload;
use gluesql::core::sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Statement, UnaryOperator,
    Value as SqlValue,
};

/// What a statement does with `setval`.
pub(crate) enum SetVal {
    Alone(SetValCall),
    Elsewhere,
}

pub(crate) struct SetValCall {
    sequence: SequenceRef,
    value: i64,
    is_called: bool,
    name: String,
}

enum SequenceRef {
    /// `pg_get_serial_sequence('table', 'column')`.
    Column { table: String, column: String },
    /// `'table_column_seq'` (optionally `public.`-qualified).
    Named(String),
}

/// Reads a statement's use of `setval`, if it has one.
pub(crate) fn setval_of(sql: &str, statement: &Statement) -> Option<SetVal> {
    if !crate::dialect::syntax::skeleton(sql).contains("setval") {
        return None;
    }
    Some(alone(statement).map_or(SetVal::Elsewhere, SetVal::Alone))
}

fn alone(statement: &Statement) -> Option<SetValCall> {
    let (select, function, name) = ["setval", "pg_catalog.setval"]
        .iter()
        .find_map(|n| super::lone_call::lone_call(statement, n))?;
    if !select.from.is_empty() {
        return None;
    }
    let FunctionArguments::List(list) = &function.args else {
        return None;
    };
    let args: Vec<&Expr> = list
        .args
        .iter()
        .map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let (sequence, value, is_called) = match args.as_slice() {
        [sequence, value] => (*sequence, *value, true),
        [sequence, value, Expr::Value(SqlValue::Boolean(b))] => (*sequence, *value, *b),
        _ => return None,
    };
    Some(SetValCall {
        sequence: sequence_ref(sequence)?,
        value: integer(value)?,
        is_called,
        name: if name.contains('.') {
            "setval".into()
        } else {
            name
        },
    })
}

fn sequence_ref(expr: &Expr) -> Option<SequenceRef> {
    match expr {
        Expr::Value(SqlValue::SingleQuotedString(name)) => Some(SequenceRef::Named(
            name.strip_prefix("public.").unwrap_or(name).to_string(),
        )),
        Expr::Function(f)
            if f.name
                .to_string()
                .eq_ignore_ascii_case("pg_get_serial_sequence") =>
        {
            let FunctionArguments::List(list) = &f.args else {
                return None;
            };
            let text = |a: &FunctionArg| match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(
                    SqlValue::SingleQuotedString(s),
                ))) => Some(unquote(s)),
                _ => None,
            };
            match list.args.as_slice() {
                [table, column] => Some(SequenceRef::Column {
                    table: text(table)?,
                    column: text(column)?,
                }),
                _ => None,
            }
        }
        _ => None,
    }
}

/// `'"order"'` names the table `order`; `'Users'` names `users` (as regclass reads it).
fn unquote(name: &str) -> String {
    let name = name.strip_prefix("public.").unwrap_or(name);
    match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        Some(quoted) => quoted.replace("\"\"", "\""),
        None => name.to_lowercase(),
    }
}

fn integer(expr: &Expr) -> Option<i64> {
    match expr {
        Expr::Value(SqlValue::Number(n, _)) => n.to_string().parse().ok(),
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => integer(expr).map(|n| -n),
        _ => None,
    }
}

impl Database {
    /// Sets the sequence and answers its value, as PostgreSQL does.
    pub(crate) fn setval(&mut self, call: SetValCall) -> Result<Payload, EngineError> {
        let (table, column) = match &call.sequence {
            SequenceRef::Column { table, column } => {
                let Some(t) = self.storage.state.tables.get(table) else {
                    return Err(errors::plain(format!(
                        "relation \"{table}\" does not exist"
                    )));
                };
                if t.meta.column(column).is_none() {
                    return Err(errors::plain(format!(
                        "column \"{column}\" of relation \"{table}\" does not exist"
                    )));
                }
                (table.clone(), column.clone())
            }
            SequenceRef::Named(name) => self
                .storage
                .state
                .tables
                .iter()
                .find_map(|(table, t)| {
                    t.meta
                        .columns
                        .iter()
                        .find(|c| {
                            c.sequence.is_some() && format!("{table}_{}_seq", c.name) == *name
                        })
                        .map(|c| (table.clone(), c.name.clone()))
                })
                .ok_or_else(|| errors::plain(format!("relation \"{name}\" does not exist")))?,
        };
        let t = self.storage.state.tables.get_mut(&table).expect("found");
        let position = t.meta.position(&column).expect("found");
        let meta = &mut t.meta.columns[position];
        if meta.sequence.is_none() {
            return Err(EngineError::unsupported(
                "setval() on a column that is not SERIAL",
            ));
        }
        let max = match meta.ty {
            crate::dialect::PgType::SmallInt => i16::MAX as i64,
            crate::dialect::PgType::BigInt => i64::MAX,
            _ => i32::MAX as i64,
        };
        if !(1..=max).contains(&call.value) {
            return Err(errors::plain(format!(
                "setval: value {} is out of bounds for sequence \"{table}_{column}_seq\" (1..{max})",
                call.value
            )));
        }
        meta.sequence = Some(if call.is_called {
            call.value
        } else {
            call.value - 1
        });
        Ok(Payload::Select {
            labels: vec![call.name],
            rows: vec![vec![Value::I64(call.value)]],
        })
    }
}
