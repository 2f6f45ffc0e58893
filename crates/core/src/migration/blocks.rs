//! The stepper's view: outcome, progress metrics, the version x phase matrix, the lint of
//! the phase, the schema diff, the phase's upgrade and downgrade, the data before and after,
//! and the statements the step ran. Block ids: `outcome`, `downgrade-note`, `progress`,
//! `matrix`, (page extras), `backfill` (when batches ran), `lint`, `schema-diff`, `upgrade`,
//! `downgrade`, `data-before`, `data-after`, `data-<other table>`, `statements`.

use super::lint::{lint_phase, lint_plan};
use super::schema::{diff, Change, SchemaSnapshot};
use super::stepper::Stepper;
use super::{PhaseKind, Step};
use crate::console::StatementOutcome;
use crate::engine::Database;
use crate::lab::{Block, Cell, CellStatus, LabView, Metric, NoteKind, TableBlock};

/// Rows a data table shows (the newest ones: the rows the versions wrote).
pub const DATA_ROWS: usize = 8;

pub fn view(stepper: &Stepper, db: &mut Database) -> LabView {
    let mut view = LabView::default();
    let last = &stepper.last;
    view.push(Block::outcome("outcome", &last.text, last.error.clone()));
    if let Some(note) = last.downgrade_note {
        view.push(Block::note("downgrade-note", NoteKind::Warning, note));
    }
    view.push(progress(stepper));
    view.push(Block::Table(matrix(stepper)));
    if let Some(extras) = stepper.extras {
        for block in extras(stepper, db) {
            view.push(block);
        }
    }
    if !last.batches.is_empty() {
        view.push(Block::Table(batches(stepper)));
    }
    view.push(Block::Table(lint(stepper)));
    view.push(Block::Table(schema_diff(
        &last.schema_before,
        &SchemaSnapshot::read(db),
    )));
    let (upgrade, downgrade) = code(stepper, last.code_phase);
    view.push(Block::Code {
        id: "upgrade".into(),
        title: format!("Upgrade: {}", stepper.plan.phase_title(last.code_phase)),
        language: "sql",
        text: upgrade,
    });
    view.push(Block::Code {
        id: "downgrade".into(),
        title: format!("Downgrade: {}", stepper.plan.phase_title(last.code_phase)),
        language: "sql",
        text: downgrade,
    });
    if let Some(before) = &last.data_before {
        view.push(Block::Table(before.clone()));
    }
    view.push(Block::Table(data_table(
        db,
        stepper.main_table(),
        "data-after",
        "after",
    )));
    for table in &stepper.plan.tables[1..] {
        if db.row_count(table).is_some() {
            let id = format!("data-{}", table.replace('_', "-"));
            view.push(Block::Table(data_table(db, table, &id, "now")));
        }
    }
    view.push(Block::statements(
        "statements",
        "Statements of this step",
        db.log().since(last.log_from),
        60,
    ));
    view
}

fn progress(stepper: &Stepper) -> Block {
    let bad = stepper
        .columns
        .iter()
        .flat_map(|c| &c.runs)
        .filter(|r| !r.ok())
        .count();
    let findings = lint_plan(&stepper.plan).len();
    Block::Metrics {
        id: "progress".into(),
        title: "Migration".into(),
        items: vec![
            Metric::new(
                "phase",
                "Phase",
                format!("{} of {}", stepper.at, stepper.plan.phases.len() - 1),
            ),
            Metric::new(
                "running",
                "Running",
                stepper.plan.running_at(stepper.at).join(", "),
            ),
            Metric::new("failed-requests", "Failed requests", bad.to_string()).with_status(
                if bad == 0 {
                    CellStatus::Ok
                } else {
                    CellStatus::Bad
                },
            ),
            Metric::new(
                "lint-findings",
                "Lint findings (plan)",
                findings.to_string(),
            )
            .with_status(if findings == 0 {
                CellStatus::Ok
            } else {
                CellStatus::Warn
            }),
        ],
    }
}

/// Rows: the migration, then each version; columns: the phases reached.
fn matrix(stepper: &Stepper) -> TableBlock {
    let plan = &stepper.plan;
    let mut columns = vec!["version".to_string()];
    columns.extend(stepper.columns.iter().map(|c| plan.phase_title(c.phase)));
    let mut migration_row = vec![Cell::plain("migration")];
    for column in &stepper.columns {
        migration_row.push(match &column.migration {
            None if plan.phases[column.phase].is_schema() => {
                Cell::status("undone", CellStatus::Idle)
            }
            None => Cell::status("deploy", CellStatus::Idle),
            Some(m) => match &m.error {
                None => Cell::status("applied", CellStatus::Ok),
                Some(e) => Cell::status("failed", CellStatus::Bad).with_detail(e.clone()),
            },
        });
    }
    let mut rows = vec![migration_row];
    for version in &plan.versions {
        let mut row = vec![Cell::plain(version.id).with_detail(version.summary)];
        for column in &stepper.columns {
            row.push(match column.runs.iter().find(|r| r.version == version.id) {
                None => Cell::status("not running", CellStatus::Idle),
                Some(run) => match &run.error {
                    None => Cell::status("ok", CellStatus::Ok)
                        .with_detail(format!("{} statements worked", run.statements)),
                    Some((e, sql)) => Cell::status("error", CellStatus::Bad)
                        .with_detail(format!("{e} (in: {sql})")),
                },
            });
        }
        rows.push(row);
    }
    TableBlock {
        id: "matrix".into(),
        title: "Requests of each running version, after each phase".into(),
        columns,
        rows,
        omitted: 0,
    }
}

fn batches(stepper: &Stepper) -> TableBlock {
    let mut total = 0;
    let rows = stepper
        .last
        .batches
        .iter()
        .enumerate()
        .map(|(i, b)| {
            total += b.changed;
            let status = if b.error.is_some() {
                CellStatus::Bad
            } else {
                CellStatus::Ok
            };
            let text = match (&b.error, b.skipped) {
                (Some(_), _) => "failed",
                (None, true) => "skipped: done",
                (None, false) => "ok",
            };
            let mut result = Cell::status(text, status);
            if let Some(e) = &b.error {
                result = result.with_detail(e.clone());
            }
            vec![
                Cell::plain((i + 1).to_string()),
                Cell::plain(format!("{} .. {}", b.lo, b.hi - 1)),
                Cell::plain(b.changed.to_string()),
                Cell::plain(total.to_string()),
                Cell::plain(b.rows_examined.to_string()),
                Cell::plain(format!("{:.2}", b.duration_ms)),
                result,
            ]
        })
        .collect();
    TableBlock {
        id: "backfill".into(),
        title: "Backfill batches of this step".into(),
        columns: [
            "batch",
            "keys",
            "rows changed",
            "total changed",
            "rows examined",
            "ms",
            "result",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        omitted: 0,
    }
}

fn lint(stepper: &Stepper) -> TableBlock {
    let phase = stepper.last.code_phase;
    let findings = lint_phase(&stepper.plan, phase);
    let rows = if findings.is_empty() {
        vec![vec![
            Cell::status("ok", CellStatus::Ok),
            Cell::plain(if stepper.plan.phases[phase].is_schema() {
                "No finding: this migration is safe to run while the old code runs."
            } else {
                "A code deploy: nothing to lint."
            }),
            Cell::plain(""),
        ]]
    } else {
        findings
            .into_iter()
            .map(|f| {
                vec![
                    Cell::status(f.rule, CellStatus::Warn),
                    Cell::plain(f.message).with_detail(f.statement),
                    Cell::plain(f.help),
                ]
            })
            .collect()
    };
    TableBlock {
        id: "lint".into(),
        title: format!("Lint: {}", stepper.plan.phase_title(phase)),
        columns: ["rule", "message", "help"].map(String::from).to_vec(),
        rows,
        omitted: 0,
    }
}

fn schema_diff(before: &SchemaSnapshot, after: &SchemaSnapshot) -> TableBlock {
    let changes = diff(before, after);
    let rows = if changes.is_empty() {
        vec![vec![
            Cell::plain("-"),
            Cell::plain("no schema change"),
            Cell::plain(""),
            Cell::plain(""),
            Cell::plain(""),
        ]]
    } else {
        changes
            .into_iter()
            .map(|c| {
                let status = match c.change {
                    Change::Added => CellStatus::Added,
                    Change::Removed => CellStatus::Removed,
                    Change::Changed => CellStatus::Changed,
                };
                vec![
                    Cell::plain(c.kind),
                    Cell::plain(c.name),
                    Cell::plain(c.before.unwrap_or_default()),
                    Cell::plain(c.after.unwrap_or_default()),
                    Cell::status(format!("{:?}", c.change), status),
                ]
            })
            .collect()
    };
    TableBlock {
        id: "schema-diff".into(),
        title: "Schema: before and after this step".into(),
        columns: ["object", "name", "before", "after", "change"]
            .map(String::from)
            .to_vec(),
        rows,
        omitted: 0,
    }
}

/// The phase's upgrade and downgrade as migration code.
fn code(stepper: &Stepper, phase: usize) -> (String, String) {
    let plan = &stepper.plan;
    match &plan.phases[phase].kind {
        PhaseKind::Schema {
            upgrade,
            downgrade,
            transactional,
            ..
        } => {
            let wrap = |steps: &[Step]| {
                if steps.is_empty() {
                    return "-- nothing to run".to_string();
                }
                let body: Vec<String> = steps.iter().map(Step::display).collect();
                if *transactional {
                    format!("BEGIN;\n{}\nCOMMIT;", body.join("\n"))
                } else {
                    format!("-- autocommit: no transaction\n{}", body.join("\n"))
                }
            };
            (wrap(upgrade), wrap(downgrade))
        }
        PhaseKind::Deploy { running } => {
            let mut up = format!("-- code deploy: {} running\n", running.join(", "));
            for id in running {
                if let Some(v) = plan.version(id) {
                    up.push_str(&format!("-- {}: {}\n", v.id, v.summary));
                    for w in &v.writes {
                        up.push_str(&format!("{w};\n"));
                    }
                    for r in &v.reads {
                        up.push_str(&format!("{r};\n"));
                    }
                }
            }
            let previous = plan.running_at(phase.saturating_sub(1));
            let down = format!("-- roll the deploy back: {} running", previous.join(", "));
            (up, down)
        }
    }
}

/// The newest rows of `table` (highest ids first), read with `peek`.
pub fn data_table(db: &mut Database, table: &str, id: &str, when: &str) -> TableBlock {
    let total = db.row_count(table).unwrap_or(0);
    let order = if db.columns(table).iter().any(|(c, _, _)| c == "id") {
        "ORDER BY id DESC "
    } else {
        ""
    };
    let sql = format!("SELECT * FROM {table} {order}LIMIT {DATA_ROWS}");
    let (columns, rows) = match db.peek(&sql).map(StatementOutcome::from) {
        Ok(StatementOutcome::Rows(set)) => (
            set.columns,
            set.rows
                .into_iter()
                .map(|r| r.into_iter().map(|c| Cell::plain(c.text)).collect())
                .collect::<Vec<Vec<Cell>>>(),
        ),
        Ok(_) => (Vec::new(), Vec::new()),
        Err(e) => (
            vec!["error".to_string()],
            vec![vec![Cell::status(e.message, CellStatus::Bad)]],
        ),
    };
    TableBlock {
        id: id.into(),
        title: format!("{table} {when}: the newest rows of {total}"),
        omitted: total.saturating_sub(rows.len()),
        columns,
        rows,
    }
}
