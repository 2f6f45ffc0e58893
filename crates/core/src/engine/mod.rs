//! The engine layer: one in-memory GlueSQL database and its [`StatementLog`].
//!
//! Every statement the playground runs goes through [`Database::execute`], which times
//! it and records it in the log; the UI reads counts and durations from that log only.

mod log;

pub use log::{LogEntry, LogOutcome, StatementKind, StatementLog};

use gluesql::core::executor::Payload;
use gluesql::prelude::Glue;
use gluesql::prelude::MemoryStorage;
use web_time::Instant;

/// A failed statement: the engine's message, and where the engine says it failed
/// (1-based line and column inside the statement's own text), when it says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineError {
    pub message: String,
    pub position: Option<(u32, u32)>,
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EngineError {}

/// One fresh in-memory database with its statement log.
pub struct Database {
    glue: Glue<MemoryStorage>,
    log: StatementLog,
}

impl Default for Database {
    fn default() -> Self {
        Self::new()
    }
}

impl Database {
    pub fn new() -> Self {
        Self {
            glue: Glue::new(MemoryStorage::default()),
            log: StatementLog::default(),
        }
    }

    /// Executes SQL holding exactly one statement and records it in the log.
    pub fn execute(&mut self, sql: &str) -> Result<Payload, EngineError> {
        let started = Instant::now();
        let result = self.glue.execute(sql);
        let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
        let result = match result {
            Ok(mut payloads) if payloads.len() == 1 => Ok(payloads.remove(0)),
            Ok(payloads) => Err(EngineError {
                message: format!(
                    "expected exactly one statement, got {} (split the script first)",
                    payloads.len()
                ),
                position: None,
            }),
            Err(error) => Err(engine_error(&error)),
        };
        let outcome = match &result {
            Ok(payload) => LogOutcome::from_payload(payload),
            Err(error) => LogOutcome::Failed(error.message.clone()),
        };
        self.log.push(sql, duration_ms, outcome);
        result
    }

    pub fn log(&self) -> &StatementLog {
        &self.log
    }

    pub fn clear_log(&mut self) {
        self.log.clear();
    }
}

/// Turns GlueSQL's error into a readable message and, for parser errors, the position.
fn engine_error(error: &gluesql::core::error::Error) -> EngineError {
    use gluesql::core::error::Error;
    match error {
        Error::Parser(debug_text) => {
            // GlueSQL formats sqlparser's error with {:#?}: `ParserError(\n "msg at Line: 1, Column: 8",\n)`.
            let message = debug_text
                .split_once('"')
                .and_then(|(_, rest)| rest.rsplit_once('"'))
                .map(|(inner, _)| inner.replace("\\\"", "\""))
                .unwrap_or_else(|| debug_text.clone());
            let position = parse_position(&message);
            let message = match message.find(" at Line: ") {
                Some(at) => message[..at].to_string(),
                None => message,
            };
            EngineError {
                message: format!("syntax error: {message}"),
                position,
            }
        }
        other => EngineError {
            message: other.to_string(),
            position: None,
        },
    }
}

/// Reads sqlparser's "Line: L, Column: C" (also "Column C") from a message.
fn parse_position(message: &str) -> Option<(u32, u32)> {
    let after_line = &message[message.find("Line: ")? + "Line: ".len()..];
    let line: u32 = after_line
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()?;
    let after_col = &after_line[after_line.find("Column")? + "Column".len()..];
    let after_col = after_col.trim_start_matches([':', ' ']);
    let column: u32 = after_col
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()?;
    Some((line, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn executes_and_logs_each_statement() {
        let mut db = Database::new();
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
            .unwrap();
        db.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
            .unwrap();
        let payload = db.execute("SELECT * FROM t").unwrap();
        assert!(matches!(payload, Payload::Select { ref rows, .. } if rows.len() == 2));
        let kinds: Vec<_> = db.log().entries().iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                StatementKind::Ddl,
                StatementKind::Insert,
                StatementKind::Select
            ]
        );
        assert_eq!(db.log().entries()[1].outcome, LogOutcome::Affected(2));
        assert_eq!(db.log().entries()[2].outcome, LogOutcome::Rows(2));
    }

    #[test]
    fn syntax_error_has_message_and_position() {
        let mut db = Database::new();
        let err = db.execute("SELEC 1").unwrap_err();
        assert!(err.message.starts_with("syntax error: "), "{}", err.message);
        assert!(!err.message.contains("ParserError"), "{}", err.message);
        assert_eq!(err.position, Some((1, 1)));
        assert!(matches!(
            db.log().entries()[0].outcome,
            LogOutcome::Failed(_)
        ));
    }

    #[test]
    fn runtime_error_is_readable() {
        let mut db = Database::new();
        let err = db.execute("SELECT * FROM missing").unwrap_err();
        assert!(err.message.contains("missing"), "{}", err.message);
        assert_eq!(err.position, None);
    }

    #[test]
    fn position_parser_reads_both_spellings() {
        assert_eq!(parse_position("x at Line: 2, Column: 7"), Some((2, 7)));
        assert_eq!(parse_position("x at Line: 3, Column 9"), Some((3, 9)));
        assert_eq!(parse_position("no position"), None);
    }
}
