//! The statement log: every statement that ran, with its kind, duration and outcome.

use super::probe::TableAccess;
use gluesql::core::executor::Payload;
use serde::Serialize;

/// What kind of statement ran, for colouring and counting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum StatementKind {
    Select,
    Insert,
    Update,
    Delete,
    Ddl,
    Transaction,
    Other,
}

impl StatementKind {
    /// Classifies SQL text by its first keyword (also used for statements that failed to parse).
    pub fn of_sql(sql: &str) -> Self {
        let first = sql
            .trim_start_matches(|c: char| c.is_whitespace() || c == '(')
            .split(|c: char| !c.is_ascii_alphabetic())
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        match first.as_str() {
            "SELECT" | "WITH" | "VALUES" | "SHOW" | "EXPLAIN" => Self::Select,
            "INSERT" => Self::Insert,
            "UPDATE" => Self::Update,
            "DELETE" => Self::Delete,
            "CREATE" | "DROP" | "ALTER" | "TRUNCATE" => Self::Ddl,
            "BEGIN" | "START" | "COMMIT" | "ROLLBACK" | "SAVEPOINT" | "RELEASE" | "END" | "SET" => {
                Self::Transaction
            }
            _ => Self::Other,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Select => "SELECT",
            Self::Insert => "INSERT",
            Self::Update => "UPDATE",
            Self::Delete => "DELETE",
            Self::Ddl => "DDL",
            Self::Transaction => "TX",
            Self::Other => "SQL",
        }
    }
}

/// How a statement ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum LogOutcome {
    /// A query returned this many rows.
    Rows(usize),
    /// A write changed this many rows.
    Affected(usize),
    /// DDL or transaction control succeeded.
    Done,
    Failed(String),
}

impl LogOutcome {
    pub fn from_payload(payload: &Payload) -> Self {
        match payload {
            Payload::Select { rows, .. } => Self::Rows(rows.len()),
            Payload::SelectMap(rows) => Self::Rows(rows.len()),
            Payload::ShowColumns(columns) => Self::Rows(columns.len()),
            Payload::Insert(n) | Payload::Update(n) | Payload::Delete(n) => Self::Affected(*n),
            Payload::DropTable(n) => Self::Affected(*n),
            _ => Self::Done,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct LogEntry {
    /// 1-based sequence number, unique within the log's lifetime (kept across `clear`).
    pub seq: u64,
    pub sql: String,
    pub kind: StatementKind,
    pub duration_ms: f64,
    pub outcome: LogOutcome,
    /// PostgreSQL's command tag (`SELECT`, `INSERT`, `SAVEPOINT`, `RELEASE`, ...), which tells
    /// apart statements that share a payload (SAVEPOINT and BEGIN, ROLLBACK TO and ROLLBACK).
    pub command: String,
    /// Rows read from tables, all access paths together (the budget counts these).
    pub rows_examined: u64,
    /// Rows read per table and access path, in the order the statement first used them.
    pub accesses: Vec<TableAccess>,
    /// The EXPLAIN-like plan the statement ran with, for queries and writes.
    pub plan: Option<String>,
    /// What PostgreSQL would print as a NOTICE or WARNING (e.g. "there is no transaction in
    /// progress").
    pub notice: Option<String>,
    /// What foreign-key actions (ON DELETE CASCADE / SET NULL, ON UPDATE ...) did to other
    /// tables' rows; empty for most statements and for failed ones.
    pub constraint_actions: Vec<crate::dialect::ConstraintAction>,
    /// A known difference from PostgreSQL this statement ran into (KNOWN_DIFFERENCES.md),
    /// for the one line the console shows under its result.
    pub difference: Option<crate::dialect::differences::KnownDifference>,
    /// The most memory the statement held at once beyond what the page held before it
    /// (rows sorted, joined, grouped or returned), counted by the allocator.
    pub memory_peak_bytes: u64,
}

/// What the engine measured about a statement, beyond its outcome.
#[derive(Clone, Debug, Default)]
pub struct StatementDetails {
    pub command: Option<String>,
    pub rows_examined: u64,
    pub accesses: Vec<TableAccess>,
    pub plan: Option<String>,
    pub notice: Option<String>,
    pub constraint_actions: Vec<crate::dialect::ConstraintAction>,
    pub difference: Option<crate::dialect::differences::KnownDifference>,
    pub memory_peak_bytes: u64,
}

#[derive(Clone, Debug, Default)]
pub struct StatementLog {
    entries: Vec<LogEntry>,
    next_seq: u64,
}

impl StatementLog {
    pub fn push(&mut self, sql: &str, duration_ms: f64, outcome: LogOutcome) -> &LogEntry {
        self.push_detailed(sql, duration_ms, outcome, StatementDetails::default())
    }

    pub fn push_detailed(
        &mut self,
        sql: &str,
        duration_ms: f64,
        outcome: LogOutcome,
        details: StatementDetails,
    ) -> &LogEntry {
        self.next_seq += 1;
        let kind = StatementKind::of_sql(sql);
        self.entries.push(LogEntry {
            seq: self.next_seq,
            sql: sql.trim().to_string(),
            kind,
            duration_ms,
            outcome,
            command: details.command.unwrap_or_else(|| kind.label().to_string()),
            rows_examined: details.rows_examined,
            accesses: details.accesses,
            plan: details.plan,
            notice: details.notice,
            constraint_actions: details.constraint_actions,
            difference: details.difference,
            memory_peak_bytes: details.memory_peak_bytes,
        });
        self.entries.last().expect("just pushed")
    }

    pub fn entries(&self) -> &[LogEntry] {
        &self.entries
    }

    /// Entries recorded after the one numbered `seq` (for "what did this action run").
    pub fn since(&self, seq: u64) -> &[LogEntry] {
        let start = self.entries.partition_point(|e| e.seq <= seq);
        &self.entries[start..]
    }

    pub fn last_seq(&self) -> u64 {
        self.next_seq
    }

    /// Forgets the newest entry and its number (for the UI's own reads, see
    /// `Database::peek`), so the numbering shows no gap.
    pub(crate) fn discard_last(&mut self) {
        if self.entries.pop().is_some() {
            self.next_seq -= 1;
        }
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}
