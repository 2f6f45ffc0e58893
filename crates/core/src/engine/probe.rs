//! Counts what a statement reads, table by table and access path by access path, and
//! enforces the [`Budget`] while it does.
//!
//! The storage's read methods take `&self` (GlueSQL's `Store` trait), so the counters live
//! in cells.

use super::budget::{Budget, BudgetExceeded};
use super::memory;
use gluesql::core::error::Error;
use serde::Serialize;
use std::cell::{Cell, RefCell};
use web_time::Instant;

/// How a table was read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AccessMethod {
    /// Every row of the table, in primary-key order.
    FullScan,
    /// One row fetched by its primary key.
    PrimaryKeyLookup,
    /// An index probed for one value (`=` or `IS NULL`): reads only the matching rows.
    IndexSeek { index: String, condition: String },
    /// An index read from a bound (`<`, `<=`, `>`, `>=`, `IS NOT NULL`), in index order.
    IndexRange {
        index: String,
        condition: String,
        descending: bool,
    },
    /// An index read from one end, in index order (ORDER BY served by the index).
    IndexScan { index: String, descending: bool },
    /// No row read: the table's row count (`rows`) answered `SELECT count(*) FROM t`.
    /// PostgreSQL has no such shortcut (under MVCC each row's visibility is checked), so
    /// the description says what it would read.
    RowCount { rows: u64 },
}

impl AccessMethod {
    /// A short human text, e.g. `index seek on idx_email (email = 'a@x')`.
    pub fn describe(&self) -> String {
        let direction = |descending: bool| if descending { ", backward" } else { "" };
        match self {
            Self::FullScan => "full scan".to_string(),
            Self::RowCount { rows } => {
                format!("the table's row count, no rows read (PostgreSQL would read all {rows})")
            }
            Self::PrimaryKeyLookup => "primary-key lookup".to_string(),
            Self::IndexSeek { index, condition } => format!("index seek on {index} ({condition})"),
            Self::IndexRange {
                index,
                condition,
                descending,
            } => format!(
                "index range on {index} ({condition}{})",
                direction(*descending)
            ),
            Self::IndexScan { index, descending } => {
                let order = if *descending { "backward" } else { "forward" };
                format!("index scan on {index} ({order})")
            }
        }
    }

    pub fn index_name(&self) -> Option<&str> {
        match self {
            Self::IndexSeek { index, .. }
            | Self::IndexRange { index, .. }
            | Self::IndexScan { index, .. } => Some(index),
            Self::FullScan | Self::PrimaryKeyLookup | Self::RowCount { .. } => None,
        }
    }
}

/// What one statement read from one table by one access path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TableAccess {
    pub table: String,
    pub method: AccessMethod,
    /// How many times the path was opened (a nested loop reopens its inner table per row).
    pub scans: u64,
    /// Rows read from the table through this path.
    pub rows_examined: u64,
}

/// What [`Probe::finish`] hands back for the log.
#[derive(Clone, Debug, Default)]
pub struct ProbeReport {
    pub accesses: Vec<TableAccess>,
    pub rows_examined: u64,
    pub exceeded: Option<BudgetExceeded>,
    /// The most bytes the statement held at once beyond what was held when it started.
    pub memory_peak_bytes: u64,
}

/// How often the clock is read while rows stream: reading it per row would cost more than
/// the row itself in wasm.
const CLOCK_EVERY_ROWS: u64 = 64;

#[derive(Debug)]
pub(crate) struct Probe {
    budget: Cell<Budget>,
    started: Cell<Option<Instant>>,
    rows_examined: Cell<u64>,
    exceeded: Cell<Option<BudgetExceeded>>,
    accesses: RefCell<Vec<TableAccess>>,
    /// Bytes live when the statement started (see `engine::memory`).
    live_at_start: Cell<u64>,
    /// Whether the statement writes: what a write adds stays (it is the page's data), so
    /// it answers to the page's memory budget; a query's growth is all transient.
    writes: Cell<bool>,
}

impl Default for Probe {
    fn default() -> Self {
        Self {
            budget: Cell::new(Budget::UNLIMITED),
            started: Cell::new(None),
            rows_examined: Cell::new(0),
            exceeded: Cell::new(None),
            accesses: RefCell::new(Vec::new()),
            live_at_start: Cell::new(0),
            writes: Cell::new(false),
        }
    }
}

impl Probe {
    /// Starts counting for a new statement under `budget`; `writes` for anything but a
    /// query.
    pub fn start(&self, budget: Budget, writes: bool) {
        self.writes.set(writes);
        self.budget.set(budget);
        self.started.set(Some(Instant::now()));
        self.rows_examined.set(0);
        self.exceeded.set(None);
        self.accesses.borrow_mut().clear();
        self.live_at_start.set(memory::live_bytes());
        memory::start_peak();
    }

    /// Stops counting and returns what the statement read.
    pub fn finish(&self) -> ProbeReport {
        self.started.set(None);
        ProbeReport {
            accesses: std::mem::take(&mut *self.accesses.borrow_mut()),
            rows_examined: self.rows_examined.get(),
            exceeded: self.exceeded.get(),
            memory_peak_bytes: memory::peak_bytes().saturating_sub(self.live_at_start.get()),
        }
    }

    /// Registers one opening of `method` on `table`; the returned slot is passed to
    /// [`Probe::count_row`] for every row read that way.
    pub fn open(&self, table: &str, method: AccessMethod) -> usize {
        let mut accesses = self.accesses.borrow_mut();
        if let Some(slot) = accesses
            .iter()
            .position(|a| a.table == table && a.method == method)
        {
            accesses[slot].scans += 1;
            return slot;
        }
        accesses.push(TableAccess {
            table: table.to_string(),
            method,
            scans: 1,
            rows_examined: 0,
        });
        accesses.len() - 1
    }

    /// Counts one row read through `slot`; fails once the statement is over budget.
    pub fn count_row(&self, slot: usize) -> Result<(), Error> {
        if let Some(exceeded) = self.exceeded.get() {
            return Err(budget_error(exceeded));
        }
        if let Some(access) = self.accesses.borrow_mut().get_mut(slot) {
            access.rows_examined += 1;
        }
        let rows = self.rows_examined.get() + 1;
        self.rows_examined.set(rows);
        let budget = self.budget.get();
        if rows > budget.max_rows_examined {
            return Err(self.exceed(BudgetExceeded::RowsExamined {
                limit: budget.max_rows_examined,
            }));
        }
        if rows.is_multiple_of(CLOCK_EVERY_ROWS) {
            self.check_limits()?;
        }
        Ok(())
    }

    /// Fails when the statement has run past its time budget or holds more memory than
    /// its memory budget.
    pub fn check_limits(&self) -> Result<(), Error> {
        let Some(started) = self.started.get() else {
            return Ok(());
        };
        let budget = self.budget.get();
        if started.elapsed() > budget.max_duration {
            let limit_ms = u64::try_from(budget.max_duration.as_millis()).unwrap_or(u64::MAX);
            return Err(self.exceed(BudgetExceeded::Time { limit_ms }));
        }
        let live = memory::live_bytes();
        if self.writes.get() {
            // While it runs, a write may hold what a query may, or up to the page's limit,
            // whichever is more: a big index build is not a runaway, and a DELETE on a
            // full page must be able to free it.
            let limit = budget.max_total_memory.max(
                self.live_at_start
                    .get()
                    .saturating_add(budget.max_statement_memory),
            );
            if live > limit {
                return Err(self.exceed(BudgetExceeded::TotalMemory {
                    limit_bytes: budget.max_total_memory,
                }));
            }
            return Ok(());
        }
        let held = live.saturating_sub(self.live_at_start.get());
        if held > budget.max_statement_memory {
            return Err(self.exceed(BudgetExceeded::StatementMemory {
                limit_bytes: budget.max_statement_memory,
            }));
        }
        Ok(())
    }

    /// Fails when the page holds more than its memory budget and more than before the
    /// statement: checked after a write, which is then undone (a write that frees memory
    /// always stands).
    pub fn check_total_memory(&self) -> Result<(), Error> {
        let budget = self.budget.get();
        let live = memory::live_bytes();
        if live > budget.max_total_memory && live > self.live_at_start.get() {
            return Err(self.exceed(BudgetExceeded::TotalMemory {
                limit_bytes: budget.max_total_memory,
            }));
        }
        Ok(())
    }

    fn exceed(&self, exceeded: BudgetExceeded) -> Error {
        self.exceeded.set(Some(exceeded));
        budget_error(exceeded)
    }
}

fn budget_error(exceeded: BudgetExceeded) -> Error {
    Error::StorageMsg(exceeded.message())
}
