//! Nested Transactions (Savepoints): summary, corrected reference code, notes on the
//! corrections, console script, and the lab that runs `complex_operation()` step by step.
//!
//! The lab runs the reference's statements for real on the page's database: `BEGIN`, the
//! user's INSERT, `SAVEPOINT sa_savepoint_1` (what `begin_nested()` sends), the risky
//! operation's INSERTs (the third breaks a CHECK constraint: the RiskyOperationError),
//! `ROLLBACK TO SAVEPOINT`, `log_failure()`'s INSERT, `COMMIT`. With the knob `savepoint`
//! off, the failure aborts the whole transaction and the user is lost.
//!
//! Knobs: `savepoint` (toggle, on). Actions: `begin`, `create-user`, `savepoint`, `risky`,
//! `rollback-to-savepoint`, `log-failure`, `commit` (each enabled when it is the next
//! step; `savepoint` and `rollback-to-savepoint` only with the knob on), `run` (primary:
//! the remaining steps), `reset`.
//! Blocks: `outcome`; `state` (Metrics: `transaction`, `users`, `imported-orders`,
//! `operation-failures`); `steps` (Table: step, python, result; statuses ok / bad / idle);
//! Tables `users`, `imported-orders`, `operation-failures` (the data as the transaction
//! sees it); `trail` (Table: every statement with its command tag or error);
//! `statements` (the page's statement log).

use crate::catalogue::{CodeLanguage, Pattern, Section};
use crate::engine::{Database, Snapshot, TransactionStatus};
use crate::lab::{
    ActionSpec, Block, Cell, CellStatus, KnobKind, KnobSpec, KnobValues, Lab, LabRun, LabView,
    Metric, TableBlock,
};
use crate::tx_lab::{self, Ran};

pub const PATTERN: Pattern = Pattern {
    slug: "savepoints",
    title: "Nested Transactions (Savepoints)",
    section: Section::TransactionPatterns,
    summary: "One failing step of a larger transaction should not always force the whole transaction to roll back. A nested transaction (a SAVEPOINT) around the risky step rolls back only that step's changes, and the main transaction goes on and commits.",
    reference_code: r#"from sqlalchemy.ext.asyncio import AsyncSession

class RiskyOperationError(Exception):
    pass

async def complex_operation(session: AsyncSession):
    async with session.begin():
        # Main transaction
        user = await create_user(session, ...)

        try:
            async with session.begin_nested():
                # Savepoint - can rollback without affecting main tx
                await risky_operation(session)
        except RiskyOperationError:
            # Savepoint rolled back, main transaction continues
            await log_failure(session, ...)

        # Main transaction commits
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "complex_operation() takes the AsyncSession, and passes it to the helpers: session was used without being defined, and helpers with their own session would not be part of this transaction.",
        "Defined RiskyOperationError, which was caught but never defined.",
    ],
    starter_sql: r#"-- The lab's tables: users, imported_orders (the risky rows), operation_failures
BEGIN;
INSERT INTO users (id, email) VALUES (2, 'bob@example.com');
SAVEPOINT risky;
INSERT INTO imported_orders (id, user_id, total) VALUES (10, 2, 12.5);
-- ROLLBACK TO SAVEPOINT undoes only what came after the savepoint
ROLLBACK TO SAVEPOINT risky;
INSERT INTO operation_failures (id, user_id, reason) VALUES (10, 2, 'RiskyOperationError');
COMMIT;
SELECT u.email, f.reason FROM users u JOIN operation_failures f ON f.user_id = u.id;
SELECT COUNT(*) AS risky_rows FROM imported_orders;
"#,
    live: true,
};

static KNOBS: [KnobSpec; 1] = [KnobSpec {
    id: "savepoint",
    label: "begin_nested() around risky_operation()",
    kind: KnobKind::Toggle,
    default: "1",
    help:
        "Off: risky_operation() runs directly in the main transaction, and its failure aborts it.",
}];

pub static LAB: Lab = Lab {
    knobs: &KNOBS,
    note: None,
    start,
};

const SCHEMA: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);
CREATE TABLE imported_orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), total FLOAT NOT NULL CHECK (total >= 0));
CREATE TABLE operation_failures (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, reason TEXT NOT NULL)";

/// One group of statements that one line of `complex_operation()` sends.
struct Step {
    id: &'static str,
    label: &'static str,
    python: &'static str,
}

const BEGIN: Step = Step {
    id: "begin",
    label: "BEGIN",
    python: "async with session.begin():",
};
const CREATE_USER: Step = Step {
    id: "create-user",
    label: "create_user()",
    python: "user = await create_user(session, ...)",
};
const SAVEPOINT: Step = Step {
    id: "savepoint",
    label: "SAVEPOINT",
    python: "async with session.begin_nested():",
};
const RISKY: Step = Step {
    id: "risky",
    label: "risky_operation()",
    python: "await risky_operation(session)",
};
const ROLLBACK_TO: Step = Step {
    id: "rollback-to-savepoint",
    label: "ROLLBACK TO SAVEPOINT",
    python: "except RiskyOperationError:  # begin_nested() rolled back",
};
const LOG_FAILURE: Step = Step {
    id: "log-failure",
    label: "log_failure()",
    python: "await log_failure(session, ...)",
};
const COMMIT: Step = Step {
    id: "commit",
    label: "COMMIT",
    python: "# Main transaction commits",
};

static WITH_SAVEPOINT: [&Step; 7] = [
    &BEGIN,
    &CREATE_USER,
    &SAVEPOINT,
    &RISKY,
    &ROLLBACK_TO,
    &LOG_FAILURE,
    &COMMIT,
];
static WITHOUT_SAVEPOINT: [&Step; 5] = [&BEGIN, &CREATE_USER, &RISKY, &LOG_FAILURE, &COMMIT];

/// SQLAlchemy's name for the first savepoint of a session.
const SAVEPOINT_NAME: &str = "sa_savepoint_1";

fn start(knobs: &KnobValues, db: &mut Database) -> Result<Box<dyn LabRun>, String> {
    for sql in SCHEMA.split(";\n") {
        db.execute(sql).map_err(|e| e.message)?;
    }
    Ok(Box::new(SavepointLab {
        steps: if knobs.on("savepoint") {
            &WITH_SAVEPOINT
        } else {
            &WITHOUT_SAVEPOINT
        },
        seed: db.snapshot(),
        done: 0,
        trail: Vec::new(),
        risky_error: None,
        last: None,
    }))
}

struct SavepointLab {
    steps: &'static [&'static Step],
    seed: Snapshot,
    /// How many steps have run.
    done: usize,
    trail: Vec<Ran>,
    /// The engine's error that ended risky_operation() (the RiskyOperationError).
    risky_error: Option<String>,
    /// What the last action did, and the error it met.
    last: Option<(String, Option<String>)>,
}

impl SavepointLab {
    fn statements(&self, step: &Step) -> Vec<String> {
        let sql: Vec<String> = match step.id {
            "begin" => vec!["BEGIN".into()],
            "create-user" => {
                vec!["INSERT INTO users (id, email) VALUES (1, 'ada@example.com')".into()]
            }
            "savepoint" => vec![format!("SAVEPOINT {SAVEPOINT_NAME}")],
            // Two rows go in; the third breaks the CHECK: the RiskyOperationError.
            "risky" => [(1, 25.0), (2, 40.0), (3, -5.0)]
                .iter()
                .map(|(id, total)| {
                    format!(
                        "INSERT INTO imported_orders (id, user_id, total) VALUES ({id}, 1, {total:.1})"
                    )
                })
                .collect(),
            "rollback-to-savepoint" => vec![format!("ROLLBACK TO SAVEPOINT {SAVEPOINT_NAME}")],
            "log-failure" => {
                let reason = format!(
                    "RiskyOperationError: {}",
                    self.risky_error.as_deref().unwrap_or("unknown")
                );
                vec![format!(
                    "INSERT INTO operation_failures (id, user_id, reason) VALUES (1, 1, {})",
                    tx_lab::quote(&reason)
                )]
            }
            _ => vec!["COMMIT".into()],
        };
        sql
    }

    fn run_next(&mut self, db: &mut Database) {
        let step = self.steps[self.done];
        let ran = tx_lab::run_group(db, step.id, "session", &self.statements(step));
        let error = tx_lab::first_error(&ran);
        if step.id == "risky" {
            self.risky_error = error.clone();
        }
        self.trail.extend(ran);
        self.done += 1;
        let text = match (step.id, &error) {
            ("risky", Some(_)) => "risky_operation() failed: the engine refused its third INSERT, and the transaction is aborted until a ROLLBACK (TO SAVEPOINT).".to_string(),
            ("rollback-to-savepoint", None) => "ROLLBACK TO SAVEPOINT undid risky_operation()'s rows; the user created before the savepoint is still there and the transaction is usable again.".to_string(),
            ("log-failure", Some(_)) => "log_failure() could not run: without a savepoint the failure aborted the whole transaction.".to_string(),
            ("commit", _) => self.commit_text(db),
            (_, Some(_)) => format!("{} failed.", step.label),
            (_, None) => format!("{} ran.", step.label),
        };
        self.last = Some((text, error));
    }

    fn commit_text(&self, db: &Database) -> String {
        let users = db.row_count("users").unwrap_or(0);
        if users > 0 {
            format!(
                "Committed: the user and the failure log are kept ({users} user, {} risky rows, {} failure logged).",
                db.row_count("imported_orders").unwrap_or(0),
                db.row_count("operation_failures").unwrap_or(0)
            )
        } else {
            "COMMIT of an aborted transaction rolls it back: the whole transaction is lost, the user included.".to_string()
        }
    }

    fn steps_table(&self) -> TableBlock {
        let rows = self
            .steps
            .iter()
            .enumerate()
            .map(|(i, step)| {
                let ran: Vec<&Ran> = self.trail.iter().filter(|r| r.step == step.id).collect();
                let result = if i >= self.done {
                    Cell::status("pending", CellStatus::Idle)
                } else if let Some(e) = ran.iter().find_map(|r| r.result.as_ref().err()) {
                    Cell::status("failed", CellStatus::Bad).with_detail(e.clone())
                } else {
                    let tags: Vec<&str> = ran
                        .iter()
                        .filter_map(|r| r.result.as_deref().ok())
                        .collect();
                    Cell::status(tags.join(", "), CellStatus::Ok)
                };
                vec![Cell::plain(step.label), Cell::plain(step.python), result]
            })
            .collect();
        TableBlock {
            id: "steps".into(),
            title: "complex_operation(), step by step".into(),
            columns: ["step", "python", "result"].map(String::from).to_vec(),
            rows,
            omitted: 0,
        }
    }
}

fn transaction_text(db: &Database) -> String {
    match db.transaction_status() {
        TransactionStatus::Idle => "idle".into(),
        TransactionStatus::InTransaction { savepoints, .. } if savepoints.is_empty() => {
            "in transaction".into()
        }
        TransactionStatus::InTransaction { savepoints, .. } => {
            format!("in transaction (savepoint {})", savepoints.join(", "))
        }
        TransactionStatus::Aborted { .. } => "aborted".into(),
    }
}

impl LabRun for SavepointLab {
    fn actions(&self) -> Vec<ActionSpec> {
        let steps: Vec<_> = self.steps.iter().map(|s| (s.id, s.label)).collect();
        tx_lab::step_actions(&steps, self.done, None, "Run complex_operation()")
    }

    fn apply(&mut self, db: &mut Database, id: &str) -> Result<(), String> {
        match id {
            "reset" => {
                db.restore(&self.seed);
                self.done = 0;
                self.trail.clear();
                self.risky_error = None;
                self.last = Some(("Back to the empty tables.".into(), None));
                Ok(())
            }
            _ => {
                let ids: Vec<&str> = self.steps.iter().map(|s| s.id).collect();
                let steps = tx_lab::steps_for_action(
                    &ids,
                    self.done,
                    id,
                    "complex_operation() already ran: reset first",
                )?;
                for _ in 0..steps {
                    self.run_next(db);
                }
                Ok(())
            }
        }
    }

    fn view(&self, db: &mut Database) -> LabView {
        let mut view = LabView::default();
        let (text, error) = self.last.clone().unwrap_or_else(|| {
            (
                "Step through complex_operation(), or run it whole.".into(),
                None,
            )
        });
        view.push(Block::outcome("outcome", text, error));
        let count = |table: &str| db.row_count(table).unwrap_or(0).to_string();
        view.push(Block::Metrics {
            id: "state".into(),
            title: "Now".into(),
            items: vec![
                Metric::new("transaction", "transaction", transaction_text(db)),
                Metric::new("users", "users", count("users")),
                Metric::new(
                    "imported-orders",
                    "imported_orders",
                    count("imported_orders"),
                ),
                Metric::new(
                    "operation-failures",
                    "operation_failures",
                    count("operation_failures"),
                ),
            ],
        });
        view.push(Block::Table(self.steps_table()));
        let seen = if db.in_transaction() {
            " (inside the transaction)"
        } else {
            ""
        };
        for (id, table, sql) in [
            ("users", "users", "SELECT id, email FROM users ORDER BY id"),
            (
                "imported-orders",
                "imported_orders",
                "SELECT id, user_id, total FROM imported_orders ORDER BY id",
            ),
            (
                "operation-failures",
                "operation_failures",
                "SELECT id, user_id, reason FROM operation_failures ORDER BY id",
            ),
        ] {
            let title = format!("{table}{seen}");
            view.push(Block::Table(tx_lab::read_table(db, id, &title, sql)));
        }
        view.push(Block::Table(tx_lab::trail_table(
            "trail",
            "Statements sent, with PostgreSQL's command tags",
            &self.trail,
        )));
        view.push(Block::statements(
            "statements",
            "Statement log",
            db.log().entries(),
            50,
        ));
        view
    }
}
