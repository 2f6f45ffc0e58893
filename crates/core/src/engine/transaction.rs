//! Transaction control, done in the engine layer because GlueSQL's memory storage undoes
//! nothing and cannot parse savepoints or read-only transactions.
//!
//! Semantics follow PostgreSQL: a snapshot of the storage at BEGIN and at each SAVEPOINT;
//! after an error the transaction is aborted and only ROLLBACK (or ROLLBACK TO SAVEPOINT)
//! is accepted; COMMIT of an aborted transaction rolls it back.

use super::storage::State;
use gluesql::core::sqlparser::ast::{
    Ident, Statement as SqlStatement, TransactionAccessMode, TransactionMode,
};
use serde::Serialize;

/// A transaction-control statement, recognised before GlueSQL sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TxControl {
    Begin {
        read_only: Option<bool>,
    },
    Commit,
    Rollback,
    Savepoint(String),
    RollbackTo(String),
    Release(String),
    /// `isolation`: whether the statement sets an isolation level.
    SetTransaction {
        read_only: Option<bool>,
        isolation: bool,
    },
}

impl TxControl {
    pub fn of(statement: &SqlStatement) -> Option<Self> {
        Some(match statement {
            SqlStatement::StartTransaction { modes, .. } => Self::Begin {
                read_only: access_mode(modes),
            },
            SqlStatement::SetTransaction { modes, .. } => Self::SetTransaction {
                read_only: access_mode(modes),
                isolation: modes
                    .iter()
                    .any(|m| matches!(m, TransactionMode::IsolationLevel(_))),
            },
            SqlStatement::Commit { .. } => Self::Commit,
            SqlStatement::Rollback {
                savepoint: Some(name),
                ..
            } => Self::RollbackTo(ident_name(name)),
            SqlStatement::Rollback {
                savepoint: None, ..
            } => Self::Rollback,
            SqlStatement::Savepoint { name } => Self::Savepoint(ident_name(name)),
            SqlStatement::ReleaseSavepoint { name } => Self::Release(ident_name(name)),
            _ => return None,
        })
    }

    /// PostgreSQL's command tag for the statement.
    pub fn tag(&self) -> &'static str {
        match self {
            Self::Begin { .. } => "BEGIN",
            Self::Commit => "COMMIT",
            Self::Rollback | Self::RollbackTo(_) => "ROLLBACK",
            Self::Savepoint(_) => "SAVEPOINT",
            Self::Release(_) => "RELEASE",
            Self::SetTransaction { .. } => "SET",
        }
    }
}

fn access_mode(modes: &[TransactionMode]) -> Option<bool> {
    // Isolation levels are accepted and ignored: with one session, every level behaves as
    // SERIALIZABLE.
    modes.iter().rev().find_map(|mode| match mode {
        TransactionMode::AccessMode(TransactionAccessMode::ReadOnly) => Some(true),
        TransactionMode::AccessMode(TransactionAccessMode::ReadWrite) => Some(false),
        TransactionMode::IsolationLevel(_) => None,
    })
}

/// PostgreSQL folds unquoted names to lower case.
fn ident_name(ident: &Ident) -> String {
    match ident.quote_style {
        Some(_) => ident.value.clone(),
        None => ident.value.to_lowercase(),
    }
}

/// Where the session stands, for the UI.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TransactionStatus {
    /// Autocommit: each statement commits on its own.
    Idle,
    InTransaction {
        read_only: bool,
        savepoints: Vec<String>,
    },
    /// An error happened inside the transaction: only ROLLBACK is accepted.
    Aborted { savepoints: Vec<String> },
}

#[derive(Clone, Debug)]
pub(crate) struct OpenTransaction {
    pub begin_state: State,
    pub savepoints: Vec<(String, State)>,
    pub read_only: bool,
    pub aborted: bool,
    /// Whether a statement other than transaction control ran (SET TRANSACTION READ WRITE
    /// must come before any).
    pub ran_statement: bool,
    /// When the transaction began: `now()` inside it (see `dialect::clock`).
    pub started_at: gluesql::core::chrono::NaiveDateTime,
}

pub(crate) const ABORTED_MESSAGE: &str =
    "current transaction is aborted, commands ignored until end of transaction block";

/// What a control statement did: its result (an error message on failure) and a notice
/// PostgreSQL would print as a WARNING.
pub(crate) struct ControlOutcome {
    pub result: Result<ControlDone, String>,
    pub notice: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ControlDone {
    Began,
    Committed,
    RolledBack,
    Other,
}

impl ControlOutcome {
    fn ok(done: ControlDone) -> Self {
        Self {
            result: Ok(done),
            notice: None,
        }
    }
    fn notice(done: ControlDone, notice: &str) -> Self {
        Self {
            result: Ok(done),
            notice: Some(notice.to_string()),
        }
    }
    fn error(message: impl Into<String>) -> Self {
        Self {
            result: Err(message.into()),
            notice: None,
        }
    }
}

/// Applies `control` to the session: `tx` is the open transaction, `state` the storage.
pub(crate) fn apply(
    control: &TxControl,
    tx: &mut Option<OpenTransaction>,
    state: &mut State,
) -> ControlOutcome {
    let Some(open) = tx.as_mut() else {
        return match control {
            TxControl::Begin { read_only } => {
                *tx = Some(OpenTransaction {
                    begin_state: state.clone(),
                    savepoints: Vec::new(),
                    read_only: read_only.unwrap_or(false),
                    aborted: false,
                    ran_statement: false,
                    started_at: crate::dialect::clock::wall_clock(),
                });
                ControlOutcome::ok(ControlDone::Began)
            }
            TxControl::Commit => ControlOutcome::notice(
                ControlDone::Committed,
                "there is no transaction in progress",
            ),
            TxControl::Rollback => ControlOutcome::notice(
                ControlDone::RolledBack,
                "there is no transaction in progress",
            ),
            TxControl::Savepoint(_) => {
                ControlOutcome::error("SAVEPOINT can only be used in transaction blocks")
            }
            TxControl::RollbackTo(_) => ControlOutcome::error(
                "ROLLBACK TO SAVEPOINT can only be used in transaction blocks",
            ),
            TxControl::Release(_) => {
                ControlOutcome::error("RELEASE SAVEPOINT can only be used in transaction blocks")
            }
            // A WARNING in PostgreSQL, and the statement does nothing.
            TxControl::SetTransaction { .. } => ControlOutcome::notice(
                ControlDone::Other,
                "SET TRANSACTION can only be used in transaction blocks",
            ),
        };
    };

    let outcome = match control {
        TxControl::Begin { .. } => {
            return ControlOutcome::notice(
                ControlDone::Other,
                "there is already a transaction in progress",
            );
        }
        TxControl::Commit if open.aborted => {
            state.rewind(&open.begin_state);
            *tx = None;
            return ControlOutcome::notice(
                ControlDone::RolledBack,
                "the transaction was aborted by an error, so COMMIT rolled it back",
            );
        }
        TxControl::Commit => {
            *tx = None;
            return ControlOutcome::ok(ControlDone::Committed);
        }
        TxControl::Rollback => {
            state.rewind(&open.begin_state);
            *tx = None;
            return ControlOutcome::ok(ControlDone::RolledBack);
        }
        _ if open.aborted && !matches!(control, TxControl::RollbackTo(_)) => {
            ControlOutcome::error(ABORTED_MESSAGE)
        }
        TxControl::Savepoint(name) => {
            open.savepoints.push((name.clone(), state.clone()));
            ControlOutcome::ok(ControlDone::Other)
        }
        TxControl::RollbackTo(name) => match open.savepoints.iter().rposition(|(n, _)| n == name) {
            Some(position) => {
                // The savepoint stays; the ones made after it go.
                open.savepoints.truncate(position + 1);
                state.rewind(&open.savepoints[position].1);
                open.aborted = false;
                ControlOutcome::ok(ControlDone::RolledBack)
            }
            None => ControlOutcome::error(format!("savepoint \"{name}\" does not exist")),
        },
        TxControl::Release(name) => match open.savepoints.iter().rposition(|(n, _)| n == name) {
            Some(position) => {
                open.savepoints.truncate(position);
                ControlOutcome::ok(ControlDone::Other)
            }
            None => ControlOutcome::error(format!("savepoint \"{name}\" does not exist")),
        },
        TxControl::SetTransaction {
            isolation: true, ..
        } if open.ran_statement => {
            ControlOutcome::error("SET TRANSACTION ISOLATION LEVEL must be called before any query")
        }
        TxControl::SetTransaction { read_only, .. } => match read_only {
            Some(false) if open.ran_statement => {
                ControlOutcome::error("transaction read-write mode must be set before any query")
            }
            Some(read_only) => {
                open.read_only = *read_only;
                ControlOutcome::ok(ControlDone::Other)
            }
            None => ControlOutcome::ok(ControlDone::Other),
        },
    };
    if outcome.result.is_err() {
        open.aborted = true;
    }
    outcome
}

pub(crate) fn status(tx: &Option<OpenTransaction>) -> TransactionStatus {
    match tx {
        None => TransactionStatus::Idle,
        Some(open) => {
            let savepoints = open.savepoints.iter().map(|(n, _)| n.clone()).collect();
            if open.aborted {
                TransactionStatus::Aborted { savepoints }
            } else {
                TransactionStatus::InTransaction {
                    read_only: open.read_only,
                    savepoints,
                }
            }
        }
    }
}
