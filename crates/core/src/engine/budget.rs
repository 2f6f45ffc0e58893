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
}

impl Budget {
    /// No limit at all: for seeding large tables and for benchmarks.
    pub const UNLIMITED: Budget = Budget {
        max_duration: Duration::MAX,
        max_rows_examined: u64::MAX,
        max_recursion_rounds: usize::MAX,
    };
}

impl Default for Budget {
    /// Two seconds keeps the page responsive; ten million rows is a few seconds of work in
    /// wasm, so the row limit usually trips first and deterministically.
    fn default() -> Self {
        Self {
            max_duration: Duration::from_secs(2),
            max_rows_examined: 10_000_000,
            max_recursion_rounds: 10_000,
        }
    }
}

/// Which limit a statement ran into.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum BudgetExceeded {
    Time { limit_ms: u64 },
    RowsExamined { limit: u64 },
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
        }
    }
}
