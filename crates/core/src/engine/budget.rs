//! The per-statement budget: how long a statement may run and how many rows it may read
//! before the engine stops it, so that one runaway query cannot freeze the page.

use serde::Serialize;
use web_time::Duration;

/// Limits applied to every statement. Over either one, the statement fails with
/// [`BudgetExceeded`] and its changes are undone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Budget {
    pub max_duration: Duration,
    pub max_rows_examined: u64,
    /// Rounds a `WITH RECURSIVE` may run (PostgreSQL would go on until memory ran out).
    pub max_recursion_rounds: usize,
    /// Bytes a query may hold at once beyond what was held when it started (rows it
    /// sorts, joins, groups or returns), counted by the allocator (`engine::memory`).
    pub max_statement_memory: u64,
    /// Bytes the page may hold while and after a write (its tables, indexes, snapshots):
    /// what a write adds stays, so a write answers to this limit rather than the one
    /// above, and a write that would go past it is stopped and undone.
    pub max_total_memory: u64,
}

impl Budget {
    /// No limit at all: for seeding large tables and for benchmarks.
    pub const UNLIMITED: Budget = Budget {
        max_duration: Duration::MAX,
        max_rows_examined: u64::MAX,
        max_recursion_rounds: usize::MAX,
        max_statement_memory: u64::MAX,
        max_total_memory: u64::MAX,
    };
}

impl Default for Budget {
    /// Two seconds keeps the page responsive; ten million rows is a few seconds of work in
    /// wasm, so the row limit usually trips first and deterministically. 256 MB is ten
    /// times what ORDER BY over the labs' 100k-row tables holds; 1 GB of data is a quarter
    /// of what a wasm page can address at all.
    fn default() -> Self {
        Self {
            max_duration: Duration::from_secs(2),
            max_rows_examined: 10_000_000,
            max_recursion_rounds: 10_000,
            max_statement_memory: 256 << 20,
            max_total_memory: 1 << 30,
        }
    }
}

/// Which limit a statement ran into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum BudgetExceeded {
    Time {
        limit_ms: u64,
    },
    RowsExamined {
        limit: u64,
    },
    /// The statement held more than its memory budget at once.
    StatementMemory {
        limit_bytes: u64,
    },
    /// The write would have left the page holding more than its memory budget.
    TotalMemory {
        limit_bytes: u64,
    },
}

impl BudgetExceeded {
    pub fn message(self) -> String {
        match self {
            Self::Time { limit_ms } => format!(
                "statement stopped: it ran longer than its {limit_ms} ms budget; nothing was changed"
            ),
            Self::RowsExamined { limit } => format!(
                "statement stopped: it examined more than {limit} rows, its budget; nothing was changed"
            ),
            Self::StatementMemory { limit_bytes } => format!(
                "statement stopped: it held more than {} of rows at once, its memory budget; nothing was changed, and the memory is free again",
                super::memory::format_bytes(limit_bytes)
            ),
            Self::TotalMemory { limit_bytes } => format!(
                "statement stopped: it would have left the page holding more than {}, its memory budget; nothing was changed",
                super::memory::format_bytes(limit_bytes)
            ),
        }
    }
}
