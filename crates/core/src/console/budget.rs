//! The script budget: limits on a whole console run, beside each statement's own
//! [`Budget`]. The statement budget stops one runaway statement; without this, a script
//! of twenty statements of one second each would hold the page for twenty seconds.
//!
//! Each statement runs under the smaller of its own budget and what is left of the
//! script's, so the statement that crosses the script's limit is stopped inside (and
//! undone, as any statement over budget is), not after it has run to its end.

use crate::engine::{Budget, BudgetExceeded};
use web_time::Duration;

/// Limits on one console run, all its statements together.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScriptBudget {
    pub max_duration: Duration,
    pub max_rows_examined: u64,
}

impl Default for ScriptBudget {
    /// Five seconds is longer than any script of the pages takes, and two and a half
    /// statements at their own two-second limit.
    fn default() -> Self {
        Self {
            max_duration: Duration::from_secs(5),
            max_rows_examined: 20_000_000,
        }
    }
}

impl ScriptBudget {
    pub const UNLIMITED: ScriptBudget = ScriptBudget {
        max_duration: Duration::MAX,
        max_rows_examined: u64::MAX,
    };

    /// What is left after `spent` time and `examined` rows.
    pub(crate) fn left(&self, spent: Duration, examined: u64) -> ScriptLeft {
        ScriptLeft {
            duration: self.max_duration.saturating_sub(spent),
            rows_examined: self.max_rows_examined.saturating_sub(examined),
        }
    }
}

/// What a script may still spend.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ScriptLeft {
    pub duration: Duration,
    pub rows_examined: u64,
}

impl ScriptLeft {
    pub fn is_spent(&self) -> bool {
        self.duration.is_zero() || self.rows_examined == 0
    }

    /// The statement budget narrowed to what the script has left.
    pub fn narrow(&self, statement: Budget) -> Budget {
        Budget {
            max_duration: statement.max_duration.min(self.duration),
            max_rows_examined: statement.max_rows_examined.min(self.rows_examined),
            ..statement
        }
    }

    /// Whether running into `exceeded` under `narrowed` was the script's limit rather
    /// than the statement's own.
    pub fn was_the_script(&self, statement: Budget, exceeded: BudgetExceeded) -> bool {
        match exceeded {
            BudgetExceeded::Time { .. } => self.duration < statement.max_duration,
            BudgetExceeded::RowsExamined { .. } => self.rows_examined < statement.max_rows_examined,
            // Memory is the statement's (and the page's), never the script's.
            BudgetExceeded::StatementMemory { .. } | BudgetExceeded::TotalMemory { .. } => false,
        }
    }
}

/// The message for a statement stopped by the script's budget.
pub(crate) fn script_stopped(
    budget: &ScriptBudget,
    exceeded: BudgetExceeded,
    statement: usize,
    after: usize,
) -> String {
    let limit = match exceeded {
        BudgetExceeded::Time { .. } => format!(
            "ran longer than its {} ms budget",
            budget.max_duration.as_millis()
        ),
        BudgetExceeded::RowsExamined { .. } => format!(
            "examined more than {} rows, its budget",
            budget.max_rows_examined
        ),
        // Not the script's limits (see `was_the_script`); said plainly all the same.
        BudgetExceeded::StatementMemory { .. } | BudgetExceeded::TotalMemory { .. } => {
            "held more memory than its budget".to_string()
        }
    };
    let ran = match statement {
        1 => "no statement before it ran".to_string(),
        2 => "statement 1 ran".to_string(),
        n => format!("statements 1 to {} ran", n - 1),
    };
    format!(
        "script stopped: the script {limit}; {ran}, statement {statement} was stopped and changed nothing, {after} after it did not run"
    )
}
