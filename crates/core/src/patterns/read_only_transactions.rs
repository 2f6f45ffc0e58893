//! Read-Only Transactions: summary, corrected reference code, notes on the corrections,
//! console script, and the lab: a report of three queries while a second session writes.
//!
//! The report (`get_active_users`, `get_pending_orders`, `calculate_metrics`) runs its
//! real statements; between the second and the third, another session commits a new
//! pending order on the page's database. In one `REPEATABLE READ READ ONLY` transaction
//! the report reads the snapshot taken at BEGIN (the engine is one database: the report
//! session runs on a copy made by `Database::snapshot`, in O(1)), so its totals agree;
//! without the transaction the metrics count the new order the list did not show.
//!
//! Knobs: `transaction` (toggle, on). Actions: `begin`, `active-users`, `pending-orders`,
//! `other-session-writes`, `metrics`, `commit` (each enabled when it is the next step;
//! `begin` and `commit` only with the knob on), `write` (an UPDATE inside the report's
//! transaction, between SAVEPOINT and ROLLBACK TO SAVEPOINT; enabled while it is open),
//! `run` (primary: the remaining steps), `reset`.
//! Blocks: `outcome`; `isolation` (Note, Engine); `report` (Metrics: `listed-orders`,
//! `listed-total`, `metrics-orders`, `metrics-total`, `consistent` yes / no with status
//! ok / bad); Tables `report-users`, `report-orders`, `report-metrics` (what each query
//! returned to the report); `orders` (the committed data now); `trail` (Table: every
//! statement of both sessions, with its command tag or error); `report-statements` (the
//! report session's statement log when it runs in its snapshot); `statements` (the page's
//! statement log).

use crate::catalogue::{CodeLanguage, Pattern, Section};
use crate::engine::{Database, Snapshot};
use crate::lab::{
    ActionSpec, Block, CellStatus, KnobKind, KnobSpec, KnobValues, Lab, LabRun, LabView, Metric,
    NoteKind, TableBlock,
};
use crate::tx_lab::{self, Ran};

pub const PATTERN: Pattern = Pattern {
    slug: "read-only-transactions",
    title: "Read-Only Transactions",
    section: Section::TransactionPatterns,
    summary: "A report built from several queries can mix data from different moments when other transactions commit in between. Running the queries in one REPEATABLE READ, READ ONLY transaction gives them all the same snapshot and guarantees the report writes nothing.",
    reference_code: r#"from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

@dataclass
class ReportData:
    users: list
    orders: list
    metrics: dict

async def get_report(session: AsyncSession):
    # Start read-only transaction for consistency
    async with session.begin():
        # REPEATABLE READ: one snapshot for the whole transaction
        # (in the default READ COMMITTED each query gets a new one)
        await session.execute(
            text('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY')
        )

        # All queries see consistent snapshot
        users = await get_active_users(session)
        orders = await get_pending_orders(session)
        metrics = await calculate_metrics(session)

        return ReportData(users=users, orders=orders, metrics=metrics)
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "get_report() takes the AsyncSession and passes it to the query helpers: session was used without being defined.",
        "SET TRANSACTION now also sets ISOLATION LEVEL REPEATABLE READ: READ ONLY alone, at PostgreSQL's default READ COMMITTED, gives each query a new snapshot, so the results were not consistent.",
        "Defined the ReportData class the function returns.",
    ],
    starter_sql: r#"-- The lab's tables: users and orders. The report in one snapshot, read-only:
BEGIN;
SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY;
SELECT id, email FROM users WHERE is_active = TRUE ORDER BY id;
SELECT id, user_id, total FROM orders WHERE status = 'pending' ORDER BY id;
SELECT COUNT(*) AS pending_orders, SUM(total) AS pending_total FROM orders WHERE status = 'pending';
COMMIT;
"#,
    live: true,
};

static KNOBS: [KnobSpec; 1] = [KnobSpec {
    id: "transaction",
    label: "One REPEATABLE READ, READ ONLY transaction",
    kind: KnobKind::Toggle,
    default: "1",
    help:
        "Off: each query runs on its own (autocommit) and sees what was committed just before it.",
}];

const ISOLATION_NOTE: &str = "The engine is one database: the report's REPEATABLE READ transaction reads a snapshot of it taken at BEGIN (Database::snapshot), while the other session commits on the live database.";

pub static LAB: Lab = Lab {
    knobs: &KNOBS,
    note: Some(ISOLATION_NOTE),
    start,
};

const SEED: [&str; 4] = [
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, is_active BOOLEAN NOT NULL)",
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), status TEXT NOT NULL, total FLOAT NOT NULL)",
    "INSERT INTO users (id, email, is_active) VALUES (1, 'ada@example.com', TRUE), (2, 'bob@example.com', TRUE), (3, 'cy@example.com', FALSE), (4, 'dee@example.com', TRUE)",
    "INSERT INTO orders (id, user_id, status, total) VALUES (1, 1, 'pending', 25.0), (2, 2, 'pending', 40.0), (3, 1, 'shipped', 15.0), (4, 4, 'pending', 10.0), (5, 3, 'shipped', 30.0), (6, 2, 'cancelled', 12.0)",
];

const ACTIVE_USERS: &str = "SELECT id, email FROM users WHERE is_active = TRUE ORDER BY id";
const PENDING_ORDERS: &str =
    "SELECT id, user_id, total FROM orders WHERE status = 'pending' ORDER BY id";
const METRICS: &str = "SELECT COUNT(*) AS pending_orders, SUM(total) AS pending_total FROM orders WHERE status = 'pending'";

/// A step: its action id, its label, and which session sends its statements.
struct Step {
    id: &'static str,
    label: &'static str,
    writer: bool,
    sql: &'static [&'static str],
}

static STEPS: [Step; 6] = [
    Step {
        id: "begin",
        label: "BEGIN; SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY",
        writer: false,
        sql: &[
            "BEGIN",
            "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY",
        ],
    },
    Step {
        id: "active-users",
        label: "get_active_users()",
        writer: false,
        sql: &[ACTIVE_USERS],
    },
    Step {
        id: "pending-orders",
        label: "get_pending_orders()",
        writer: false,
        sql: &[PENDING_ORDERS],
    },
    Step {
        id: "other-session-writes",
        label: "Another session adds a pending order and commits",
        writer: true,
        sql: &[
            "BEGIN",
            "INSERT INTO orders (id, user_id, status, total) VALUES (7, 4, 'pending', 60.0)",
            "COMMIT",
        ],
    },
    Step {
        id: "metrics",
        label: "calculate_metrics()",
        writer: false,
        sql: &[METRICS],
    },
    Step {
        id: "commit",
        label: "COMMIT",
        writer: false,
        sql: &["COMMIT"],
    },
];

const WRITE: [&str; 3] = [
    "SAVEPOINT before_write",
    "UPDATE orders SET status = 'reported' WHERE status = 'pending'",
    "ROLLBACK TO SAVEPOINT before_write",
];

fn start(knobs: &KnobValues, db: &mut Database) -> Result<Box<dyn LabRun>, String> {
    for sql in SEED {
        db.execute(sql).map_err(|e| e.message)?;
    }
    let in_transaction = knobs.on("transaction");
    Ok(Box::new(ReportLab {
        steps: STEPS
            .iter()
            .filter(|s| in_transaction || !matches!(s.id, "begin" | "commit"))
            .collect(),
        in_transaction,
        seed: db.snapshot(),
        done: 0,
        report_db: None,
        trail: Vec::new(),
        last: None,
    }))
}

struct ReportLab {
    steps: Vec<&'static Step>,
    in_transaction: bool,
    seed: Snapshot,
    done: usize,
    /// The report session's database while its snapshot transaction is open: a copy of
    /// the page's database taken at BEGIN.
    report_db: Option<Database>,
    trail: Vec<Ran>,
    last: Option<(String, Option<String>)>,
}

impl ReportLab {
    fn run_next(&mut self, db: &mut Database) {
        let step = self.steps[self.done];
        let sql: Vec<String> = step.sql.iter().map(|s| s.to_string()).collect();
        if step.id == "begin" {
            let mut report = Database::new();
            report.restore(&db.snapshot());
            self.report_db = Some(report);
        }
        let ran = if step.writer {
            tx_lab::run_group(db, step.id, "other session", &sql)
        } else {
            let report = self.report_db.as_mut().unwrap_or(db);
            tx_lab::run_group(report, step.id, "report", &sql)
        };
        let error = tx_lab::first_error(&ran);
        self.trail.extend(ran);
        self.done += 1;
        let text = match step.id {
            "other-session-writes" => "Another session committed a new pending order (id 7) between the report's queries.".to_string(),
            "metrics" => match self.totals() {
                Some(t) if t.consistent() => format!("The report adds up: the metrics count the {} pending orders the list showed.", t.listed_orders),
                Some(t) => format!("The report does not add up: the list showed {} pending orders for {:.2}, the metrics count {} for {:.2}.", t.listed_orders, t.listed_total, t.metrics_orders, t.metrics_total),
                None => "calculate_metrics() failed.".to_string(),
            },
            "commit" => "The report's transaction ended; it wrote nothing.".to_string(),
            _ => format!("{} ran.", step.label),
        };
        self.last = Some((text, error));
    }

    /// Whether the report's snapshot transaction is open now.
    fn report_open(&self) -> bool {
        self.report_db
            .as_ref()
            .is_some_and(Database::in_transaction)
    }

    fn try_write(&mut self) -> Result<(), String> {
        let Some(report) = self.report_db.as_mut().filter(|r| r.in_transaction()) else {
            return Err("the report's read-only transaction is not open".into());
        };
        let sql: Vec<String> = WRITE.iter().map(|s| s.to_string()).collect();
        let mut ran = tx_lab::run_group(report, "write", "report", &sql[..2]);
        let error = tx_lab::first_error(&ran);
        // Back to the savepoint, so the report can go on after the refused write.
        ran.extend(tx_lab::run_group(report, "write", "report", &sql[2..]));
        self.trail.extend(ran);
        let text = match &error {
            Some(_) => "The write was refused: the report's transaction is READ ONLY. ROLLBACK TO SAVEPOINT let the report go on.",
            None => "The write ran.",
        };
        self.last = Some((text.to_string(), error));
        Ok(())
    }

    fn result_of(&self, step: &str) -> Option<&Ran> {
        self.trail
            .iter()
            .rev()
            .find(|r| r.step == step && r.rows.is_some())
    }

    /// The report's numbers, once calculate_metrics() has run.
    fn totals(&self) -> Option<Totals> {
        let (_, listed) = self.result_of("pending-orders")?.rows.clone()?;
        let (_, metrics) = self.result_of("metrics")?.rows.clone()?;
        let metrics = metrics.first()?;
        Some(Totals {
            listed_orders: listed.len(),
            listed_total: listed.iter().filter_map(|r| r[2].parse::<f64>().ok()).sum(),
            metrics_orders: metrics[0].parse().ok()?,
            metrics_total: metrics[1].parse().unwrap_or(0.0),
        })
    }
}

/// What the report listed and what its metrics say.
struct Totals {
    listed_orders: usize,
    listed_total: f64,
    metrics_orders: usize,
    metrics_total: f64,
}

impl Totals {
    fn consistent(&self) -> bool {
        self.listed_orders == self.metrics_orders
            && (self.listed_total - self.metrics_total).abs() < 1e-9
    }
}

impl LabRun for ReportLab {
    fn actions(&self) -> Vec<ActionSpec> {
        let steps: Vec<_> = self.steps.iter().map(|s| (s.id, s.label)).collect();
        let write = self.in_transaction.then(|| {
            ActionSpec::new("write", "Try a write in the report").enabled(self.report_open())
        });
        tx_lab::step_actions(&steps, self.done, write, "Run the report")
    }

    fn apply(&mut self, db: &mut Database, id: &str) -> Result<(), String> {
        match id {
            "write" if self.in_transaction => self.try_write(),
            "reset" => {
                db.restore(&self.seed);
                self.done = 0;
                self.report_db = None;
                self.trail.clear();
                self.last = Some(("Back to the seed data.".into(), None));
                Ok(())
            }
            _ => {
                let ids: Vec<&str> = self.steps.iter().map(|s| s.id).collect();
                let steps = tx_lab::steps_for_action(
                    &ids,
                    self.done,
                    id,
                    "the report already ran: reset first",
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
        let (text, error) = self
            .last
            .clone()
            .unwrap_or_else(|| ("Step through the report, or run it whole.".into(), None));
        view.push(Block::outcome("outcome", text, error));
        view.push(Block::note("isolation", NoteKind::Engine, ISOLATION_NOTE));
        let totals = self.totals();
        let number = |value: Option<String>| value.unwrap_or_else(|| "-".into());
        let consistent = match &totals {
            Some(t) if t.consistent() => {
                Metric::new("consistent", "adds up", "yes").with_status(CellStatus::Ok)
            }
            Some(_) => Metric::new("consistent", "adds up", "no").with_status(CellStatus::Bad),
            None => Metric::new("consistent", "adds up", "-"),
        };
        view.push(Block::Metrics {
            id: "report".into(),
            title: "The report".into(),
            items: vec![
                Metric::new(
                    "listed-orders",
                    "pending orders listed",
                    number(totals.as_ref().map(|t| t.listed_orders.to_string())),
                ),
                Metric::new(
                    "listed-total",
                    "sum of the listed",
                    number(totals.as_ref().map(|t| format!("{:.2}", t.listed_total))),
                ),
                Metric::new(
                    "metrics-orders",
                    "metrics: pending_orders",
                    number(totals.as_ref().map(|t| t.metrics_orders.to_string())),
                ),
                Metric::new(
                    "metrics-total",
                    "metrics: pending_total",
                    number(totals.as_ref().map(|t| format!("{:.2}", t.metrics_total))),
                ),
                consistent,
            ],
        });
        for (id, step, title) in [
            ("report-users", "active-users", "get_active_users()"),
            ("report-orders", "pending-orders", "get_pending_orders()"),
            ("report-metrics", "metrics", "calculate_metrics()"),
        ] {
            let table = match self.result_of(step) {
                Some(ran) => ran.table(id, title),
                None => TableBlock {
                    id: id.into(),
                    title: title.into(),
                    ..TableBlock::default()
                },
            };
            view.push(Block::Table(table));
        }
        view.push(Block::Table(tx_lab::read_table(
            db,
            "orders",
            "orders (committed, now)",
            "SELECT id, user_id, status, total FROM orders ORDER BY id",
        )));
        view.push(Block::Table(tx_lab::trail_table(
            "trail",
            "Statements of both sessions, in order",
            &self.trail,
        )));
        if let Some(report) = &self.report_db {
            view.push(Block::statements(
                "report-statements",
                "The report session's statements (in its snapshot)",
                report.log().entries(),
                50,
            ));
        }
        view.push(Block::statements(
            "statements",
            "Statement log",
            db.log().entries(),
            50,
        ));
        view
    }
}
