//! Batch Operations: summary, corrected reference code, notes on the corrections, console
//! script, and the lab: row-by-row vs executemany vs one multi-row INSERT, batch
//! UPDATE / DELETE vs per row, and an upsert (SELECT then INSERT or UPDATE per row vs one
//! INSERT ... ON CONFLICT), for N rows, measured on the engine.
//!
//! Lab ids: knob `rows` (N, 10..10000); actions `compare` (primary: every method for
//! N = 10, 100, ... up to the knob, on private databases), and one per method,
//! run on the page's database from the seeded state: `insert-rows`,
//! `insert-executemany`, `insert-multirow`, `update-rows`, `update-batch`,
//! `delete-rows`, `delete-batch`, `upsert-select-then-write`, `upsert-on-conflict`. Blocks: `outcome`, `metrics` (keys `statements`,
//! `commits`, `rows` written, `time`), `query` (Python), `statements` (the run's, first
//! 20), `results` (table: one row per method run on the page), `count-vs-n` and
//! `time-vs-n` (charts after `compare`, one series per method).

use crate::catalogue::{CodeLanguage, Pattern, Section};
use crate::engine::{Database, Snapshot};
use crate::lab::{
    ActionSpec, Block, Cell, Chart, KnobKind, KnobSpec, KnobValues, Lab, LabRun, LabView, Metric,
    Series, TableBlock,
};
use crate::query_lab::batch::{self, Method};
use crate::query_lab::measure::{ms, thousands, RunMeasure};

pub const PATTERN: Pattern = Pattern {
    slug: "batch-operations",
    title: "Batch Operations",
    section: Section::QueryOptimization,
    summary: "Inserting, updating or deleting many rows one ORM object at a time costs one statement and one round trip per row. Executing insert() with a list of dictionaries, and update() or delete() with a WHERE clause, changes all the rows in a few statements.",
    reference_code: r#"from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, update

from .models import AuditLog, Order, User  # the model patterns

cutoff_date = datetime.now(UTC) - timedelta(days=7)
retention_date = datetime.now(UTC) - timedelta(days=365)

# Batch insert
users_data = [{'email': f'user{i}@example.com'} for i in range(1000)]

await session.execute(
    insert(User),
    users_data
)

# Batch update
await session.execute(
    update(Order)
    .where(Order.status == 'pending')
    .where(Order.created_at < cutoff_date)
    .values(status='cancelled')  # an OrderStatus value, as valid_order_status requires
)

# Batch delete
await session.execute(
    delete(AuditLog)
    .where(AuditLog.changed_at < retention_date)
)
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Imported insert, update and delete, and the models used.",
        "Defined cutoff_date and retention_date, which were used but never defined.",
        "Expired orders are set to 'cancelled': 'expired' is not an OrderStatus value, so the valid_order_status constraint would reject the update.",
        "The audit-log cleanup filters on AuditLog.changed_at: AuditLog has no created_at column.",
    ],
    starter_sql: r#"-- The lab's tables: orders to cancel and audit rows to delete (odd ids are old)
SELECT COUNT(*) AS pending_orders FROM orders WHERE status = 'pending';
-- Batch insert: one statement for many rows, not one INSERT per row
INSERT INTO users (id, email) VALUES
  (900001, 'a@example.com'), (900002, 'b@example.com'), (900003, 'c@example.com');
-- Batch update: pending orders older than the cutoff, in one statement
UPDATE orders SET status = 'cancelled'
WHERE status = 'pending' AND created_at < '2024-03-01';
-- Batch delete: audit rows older than the retention date
DELETE FROM audit_logs WHERE changed_at < '2023-03-01';
SELECT status, COUNT(*) AS orders FROM orders GROUP BY status;
-- Upsert: insert new users, update the ones whose email exists, in one statement
INSERT INTO users (id, email, display_name) VALUES
  (900005, 'a@example.com', 'Ann'), (900004, 'd@example.com', 'Dee')
ON CONFLICT (email) DO UPDATE SET display_name = EXCLUDED.display_name
RETURNING id, email, display_name;
"#,
    live: true,
};

static KNOBS: [KnobSpec; 1] = [KnobSpec {
    id: "rows",
    label: "Rows (N)",
    kind: KnobKind::Int {
        min: 10,
        max: 10_000,
        presets: &[10, 100, 1000, 10_000],
    },
    default: "100",
    help: "Users inserted, orders cancelled and audit rows deleted by each method.",
}];

pub static LAB: Lab = Lab {
    knobs: &KNOBS,
    note: Some("INSERT ... ON CONFLICT is emulated by our dialect layer, not GlueSQL: it counts as one statement, as in PostgreSQL, but tries the rows one by one inside it."),
    start,
};

/// One method's measured run.
struct MethodRun {
    method: Method,
    written: Result<usize, String>,
    measure: RunMeasure,
}

struct BatchLab {
    n: usize,
    /// The seeded state each method starts from.
    seed: Snapshot,
    runs: Vec<MethodRun>,
    /// (method, N, statements, ms) from `compare`.
    points: Vec<(Method, usize, usize, f64)>,
    compare_error: Option<String>,
}

fn start(knobs: &KnobValues, db: &mut Database) -> Result<Box<dyn LabRun>, String> {
    let n = knobs.int("rows") as usize;
    batch::seed(db, n)?;
    Ok(Box::new(BatchLab {
        n,
        seed: db.snapshot(),
        runs: Vec::new(),
        points: Vec::new(),
        compare_error: None,
    }))
}

/// N = 10, 100, 1,000, 10,000 up to the knob (at least 100).
fn compare_ns(n: usize) -> Vec<usize> {
    [10, 100, 1000, 10_000]
        .into_iter()
        .filter(|x| *x <= n.max(100))
        .collect()
}

impl BatchLab {
    fn compare(&mut self) -> Result<(), String> {
        let mut points = Vec::new();
        for n in compare_ns(self.n) {
            let mut db = Database::new();
            batch::seed(&mut db, n)?;
            let seeded = db.snapshot();
            for method in Method::ALL {
                db.restore(&seeded);
                let (written, measured) = batch::run(&mut db, method, n);
                written.map_err(|e| format!("{} at N = {n}: {e}", method.label()))?;
                points.push((method, n, measured.statements(), measured.time_ms));
            }
        }
        self.points = points;
        Ok(())
    }

    fn charts(&self) -> [Block; 2] {
        let series = |y: &dyn Fn(usize, f64) -> f64| -> Vec<Series> {
            Method::ALL
                .iter()
                .map(|m| Series {
                    name: m.label().to_string(),
                    points: self
                        .points
                        .iter()
                        .filter(|p| p.0 == *m)
                        .map(|p| (p.1 as f64, y(p.2, p.3)))
                        .collect(),
                })
                .collect()
        };
        [
            Block::Chart(Chart {
                id: "count-vs-n".into(),
                title: "Statements vs rows written".into(),
                x_label: "rows (N)".into(),
                y_label: "statements".into(),
                log_y: true,
                series: series(&|count, _| count as f64),
            }),
            Block::Chart(Chart {
                id: "time-vs-n".into(),
                title: "Time vs rows written".into(),
                x_label: "rows (N)".into(),
                y_label: "ms".into(),
                log_y: true,
                series: series(&|_, time| time),
            }),
        ]
    }

    fn results(&self) -> TableBlock {
        TableBlock {
            id: "results".into(),
            title: format!(
                "Each method's last run on the page, N = {}",
                thousands(self.n)
            ),
            columns: ["method", "statements", "commits", "rows written", "time"]
                .map(String::from)
                .to_vec(),
            rows: self
                .runs
                .iter()
                .map(|r| {
                    vec![
                        Cell::plain(r.method.label()),
                        Cell::plain(thousands(r.measure.statements())),
                        Cell::plain(r.measure.commits.to_string()),
                        match &r.written {
                            Ok(n) => Cell::plain(thousands(*n)),
                            Err(e) => Cell::status("failed", crate::lab::CellStatus::Bad)
                                .with_detail(e.clone()),
                        },
                        Cell::plain(ms(r.measure.time_ms)),
                    ]
                })
                .collect(),
            omitted: 0,
        }
    }
}

impl LabRun for BatchLab {
    fn actions(&self) -> Vec<ActionSpec> {
        let mut actions = vec![ActionSpec::new("compare", "Compare all methods vs N").primary()];
        actions.extend(
            Method::ALL
                .iter()
                .map(|m| ActionSpec::new(m.id(), m.label())),
        );
        actions
    }

    fn apply(&mut self, db: &mut Database, id: &str) -> Result<(), String> {
        if id == "compare" {
            self.compare_error = self.compare().err();
            return Ok(());
        }
        let method = Method::ALL
            .into_iter()
            .find(|m| m.id() == id)
            .ok_or_else(|| format!("unknown action '{id}'"))?;
        // Every method starts from the seeded rows, so their numbers compare.
        db.restore(&self.seed);
        let (written, measure) = batch::run(db, method, self.n);
        self.runs.retain(|r| r.method != method);
        self.runs.push(MethodRun {
            method,
            written,
            measure,
        });
        Ok(())
    }

    fn view(&self, _db: &mut Database) -> LabView {
        let mut view = LabView::default();
        match self.runs.last() {
            None => {
                view.push(Block::outcome(
                "outcome",
                format!(
                    "Seeded {} orders ({} pending and older than the cutoff), {} audit rows ({} past retention) and {} of the {} users an upsert imports. Run a method, or compare them all.",
                    thousands(2 * self.n),
                    thousands(self.n),
                    thousands(2 * self.n),
                    thousands(self.n),
                    thousands(batch::upsert_existing(self.n)),
                    thousands(self.n)
                ),
                None,
            ));
            }
            Some(run) => {
                let written = run.written.as_ref().map_or(0, |n| *n);
                view.push(Block::outcome(
                    "outcome",
                    format!(
                        "{}: {} rows in {} statement(s) and {} commit(s), from the seeded state.",
                        run.method.label(),
                        thousands(written),
                        thousands(run.measure.statements()),
                        run.measure.commits
                    ),
                    run.written.as_ref().err().cloned(),
                ));
                view.push(Block::Metrics {
                    id: "metrics".into(),
                    title: run.method.label().into(),
                    items: vec![
                        Metric::new(
                            "statements",
                            "Statements",
                            thousands(run.measure.statements()),
                        ),
                        Metric::new("commits", "Commits", run.measure.commits.to_string()),
                        Metric::new("rows", "Rows written", thousands(written)),
                        Metric::new("time", "Time", ms(run.measure.time_ms)),
                    ],
                });
                view.push(Block::Code {
                    id: "query".into(),
                    title: "The code".into(),
                    language: "python",
                    text: run.method.python().into(),
                });
                view.push(Block::statements(
                    "statements",
                    "Statements (in the page's statement log)",
                    &run.measure.entries,
                    20,
                ));
            }
        }
        if !self.runs.is_empty() {
            view.push(Block::Table(self.results()));
        }
        if let Some(e) = &self.compare_error {
            view.push(Block::note(
                "compare-error",
                crate::lab::NoteKind::Warning,
                e.clone(),
            ));
        }
        if !self.points.is_empty() {
            for chart in self.charts() {
                view.push(chart);
            }
        }
        view
    }
}
