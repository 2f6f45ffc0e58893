//! The stepper's state and actions. State is the phase reached plus what every running
//! version did at each phase; it is rebuilt by replaying the action ids (`next`, `back`,
//! `reset`, and on backfill pages `batch`, `rerun-backfill`) on a fresh seed, so it is
//! deterministic.

use super::backfill::BatchRun;
use super::schema::SchemaSnapshot;
use super::traffic::{run_request, VersionRun};
use super::{blocks, MigrationPlan, PhaseKind, Step};
use crate::engine::{Database, LogEntry, Snapshot};
use crate::lab::{ActionSpec, Block, LabRun, LabView, TableBlock};

/// Blocks a page adds after the matrix (a lock timeline, the queries' rows examined).
pub type PageExtras = fn(&Stepper, &mut Database) -> Vec<Block>;

/// What a phase's migration did when it was applied (or undone).
#[derive(Clone, Debug, Default)]
pub struct MigrationRun {
    /// The engine's error, if a statement failed (the transaction, if any, rolled back).
    pub error: Option<String>,
    /// The statements it ran, from the log.
    pub log: Vec<LogEntry>,
    /// The batches of its backfill, if it has one.
    pub batches: Vec<BatchRun>,
}

/// One matrix column: the traffic after reaching a phase.
#[derive(Clone, Debug)]
pub struct Column {
    pub phase: usize,
    /// None for a deploy.
    pub migration: Option<MigrationRun>,
    pub runs: Vec<VersionRun>,
}

/// What the last action did, for the Outcome, diff, code and statements blocks.
#[derive(Clone, Debug)]
pub(crate) struct LastAction {
    pub text: String,
    pub error: Option<String>,
    pub log_from: u64,
    pub schema_before: SchemaSnapshot,
    pub data_before: Option<TableBlock>,
    /// The phase whose code the page shows (the one applied or undone).
    pub code_phase: usize,
    pub downgrade_note: Option<&'static str>,
    pub batches: Vec<BatchRun>,
}

pub struct Stepper {
    pub plan: MigrationPlan,
    /// The phase reached.
    pub at: usize,
    /// Per phase reached: whether its migration was applied (false: it failed and rolled
    /// back, so stepping back has nothing to undo).
    applied: Vec<bool>,
    /// Column `i`: the traffic at phase `i` (the latest run there).
    pub columns: Vec<Column>,
    next_id: i64,
    start: (Snapshot, i64),
    pub(crate) last: LastAction,
    /// Where the next phase's backfill resumes (after `batch` actions).
    pub backfill_cursor: Option<i64>,
    /// Offer `batch` and `rerun-backfill` (the data-migration page).
    pub batch_actions: bool,
    pub extras: Option<PageExtras>,
    /// The phase whose downgrade failed (the phase is still applied): stepping back again
    /// would fail the same way, so it is offered only after another action.
    downgrade_failed: Option<usize>,
}

impl Stepper {
    /// Starts on a seeded `db`: phase 0's versions send their first requests. New rows
    /// written by the versions get ids from `first_id` up.
    pub fn start(plan: MigrationPlan, db: &mut Database, first_id: i64) -> Result<Self, String> {
        if plan.phases.is_empty() || plan.phases[0].is_schema() {
            return Err("a plan starts with a deploy".into());
        }
        let last = LastAction {
            text: String::new(),
            error: None,
            log_from: db.log().last_seq(),
            schema_before: SchemaSnapshot::read(db),
            data_before: None,
            code_phase: 0,
            downgrade_note: None,
            batches: Vec::new(),
        };
        let mut stepper = Stepper {
            plan,
            at: 0,
            applied: vec![true],
            columns: Vec::new(),
            next_id: first_id,
            start: (db.snapshot(), first_id),
            last,
            backfill_cursor: None,
            batch_actions: false,
            extras: None,
            downgrade_failed: None,
        };
        stepper.begin_action(db);
        let column = stepper.run_traffic(db, 0, None);
        stepper.columns.push(column);
        stepper.last.text = format!(
            "Phase 0: {} running on the starting schema. Step forward with Next phase.",
            stepper.plan.running_at(0).join(", ")
        );
        Ok(stepper)
    }

    pub fn with_batch_actions(mut self) -> Self {
        self.batch_actions = true;
        self
    }

    pub fn with_extras(mut self, extras: PageExtras) -> Self {
        self.extras = Some(extras);
        self
    }

    /// The first (main) table.
    pub fn main_table(&self) -> &str {
        &self.plan.tables[0]
    }

    fn begin_action(&mut self, db: &mut Database) {
        self.last.log_from = db.log().last_seq();
        self.last.schema_before = SchemaSnapshot::read(db);
        self.last.data_before = Some(blocks::data_table(
            db,
            self.main_table(),
            "data-before",
            "before",
        ));
        self.last.error = None;
        self.last.downgrade_note = None;
        self.last.batches = Vec::new();
    }

    /// Every running version sends one request.
    fn run_traffic(
        &mut self,
        db: &mut Database,
        phase: usize,
        migration: Option<MigrationRun>,
    ) -> Column {
        let mut runs = Vec::new();
        for id in self.plan.running_at(phase) {
            if let Some(version) = self.plan.version(id) {
                let version = version.clone();
                runs.push(run_request(db, &version, self.next_id));
                self.next_id += 1;
            }
        }
        Column {
            phase,
            migration,
            runs,
        }
    }

    /// Runs migration steps: SQL in one transaction if `transactional` (a backfill's
    /// batches commit one by one), stopping at the first error.
    fn run_steps(
        &mut self,
        db: &mut Database,
        steps: &[Step],
        transactional: bool,
        resume: Option<i64>,
    ) -> MigrationRun {
        let from = db.log().last_seq();
        let mut run = MigrationRun::default();
        let mut in_tx = false;
        for step in steps {
            match step {
                Step::Sql(sql) => {
                    if transactional && !in_tx {
                        let _ = db.execute("BEGIN");
                        in_tx = true;
                    }
                    if let Err(e) = db.execute(sql) {
                        run.error = Some(e.message);
                        break;
                    }
                }
                Step::Backfill(backfill) => {
                    if in_tx {
                        let _ = db.execute("COMMIT");
                        in_tx = false;
                    }
                    match backfill.run_from(db, resume) {
                        Ok((batches, _)) => {
                            run.error = batches.iter().find_map(|b| b.error.clone());
                            run.batches.extend(batches);
                        }
                        Err(e) => run.error = Some(e),
                    }
                    if run.error.is_some() {
                        break;
                    }
                }
            }
        }
        if in_tx {
            let end = if run.error.is_some() {
                "ROLLBACK"
            } else {
                "COMMIT"
            };
            let _ = db.execute(end);
        }
        run.log = db.log().since(from).to_vec();
        run
    }

    fn next(&mut self, db: &mut Database) -> Result<(), String> {
        let target = self.at + 1;
        let Some(phase) = self.plan.phases.get(target).cloned() else {
            return Err("already at the last phase".into());
        };
        self.begin_action(db);
        let migration = match &phase.kind {
            PhaseKind::Schema {
                upgrade,
                transactional,
                ..
            } => {
                let resume = self.backfill_cursor.take();
                Some(self.run_steps(db, upgrade, *transactional, resume))
            }
            PhaseKind::Deploy { .. } => None,
        };
        let failed = migration.as_ref().and_then(|m| m.error.clone());
        if let Some(m) = &migration {
            self.last.batches = m.batches.clone();
        }
        self.at = target;
        self.applied.push(failed.is_none());
        let column = self.run_traffic(db, target, migration);
        let verdict = verdict(&column);
        self.columns.truncate(target);
        self.columns.push(column);
        self.last.code_phase = target;
        self.last.text = match &failed {
            Some(_) => format!(
                "Phase {}: the migration failed{}. {verdict}",
                self.plan.phase_title(target),
                if phase_transactional(&phase.kind) {
                    " and its transaction rolled back"
                } else {
                    ""
                }
            ),
            None => format!("Phase {}: done. {verdict}", self.plan.phase_title(target)),
        };
        self.last.error = failed.or_else(|| first_error(self.columns.last()));
        Ok(())
    }

    fn back(&mut self, db: &mut Database) -> Result<(), String> {
        if self.at == 0 {
            return Err("already at the first phase".into());
        }
        if self.downgrade_failed == Some(self.at) {
            return Err(format!(
                "The downgrade of {} failed, and would fail the same way again: Reset to start over.",
                self.plan.phase_title(self.at)
            ));
        }
        let undone = self.at;
        let phase = self.plan.phases[undone].clone();
        self.begin_action(db);
        self.last.code_phase = undone;
        if let PhaseKind::Schema {
            downgrade,
            transactional,
            downgrade_note,
            ..
        } = &phase.kind
        {
            if self.applied[undone] {
                let run = self.run_steps(db, downgrade, *transactional, None);
                if let Some(e) = run.error {
                    self.last.text = format!(
                        "The downgrade of {} failed; still at that phase.",
                        self.plan.phase_title(undone)
                    );
                    self.last.error = Some(e);
                    self.downgrade_failed = Some(undone);
                    return Ok(());
                }
                self.last.downgrade_note = *downgrade_note;
            }
        }
        self.at -= 1;
        self.downgrade_failed = None;
        self.applied.truncate(self.at + 1);
        self.backfill_cursor = None;
        let column = self.run_traffic(db, self.at, None);
        let verdict = verdict(&column);
        let migration = self.columns[self.at].migration.clone();
        self.columns.truncate(self.at);
        self.columns.push(Column {
            migration,
            ..column
        });
        self.last.text = format!(
            "Stepped back over {}{}; now at {}. {verdict}",
            self.plan.phase_title(undone),
            if phase.is_schema() {
                " (its downgrade ran)"
            } else {
                " (the deploy is rolled back)"
            },
            self.plan.phase_title(self.at)
        );
        self.last.error = first_error(self.columns.last());
        Ok(())
    }

    fn reset(&mut self, db: &mut Database) {
        db.restore(&self.start.0);
        self.next_id = self.start.1;
        self.at = 0;
        self.downgrade_failed = None;
        self.applied = vec![true];
        self.backfill_cursor = None;
        self.begin_action(db);
        let column = self.run_traffic(db, 0, None);
        self.columns = vec![column];
        self.last.code_phase = 0;
        self.last.text = "Back to the seed: phase 0, the starting schema and data.".into();
    }

    fn upgrade_of(&self, phase: usize) -> Option<Vec<Step>> {
        match &self.plan.phases.get(phase)?.kind {
            PhaseKind::Schema { upgrade, .. } => Some(upgrade.clone()),
            PhaseKind::Deploy { .. } => None,
        }
    }

    /// Whether the current phase applied a data change that `rerun-backfill` can repeat.
    fn can_rerun(&self) -> bool {
        self.applied[self.at]
            && self
                .upgrade_of(self.at)
                .is_some_and(|u| !data_steps(&u).is_empty())
    }

    /// The backfill of phase `phase`, if it has one.
    pub fn backfill_of(&self, phase: usize) -> Option<&super::Backfill> {
        match &self.plan.phases.get(phase)?.kind {
            PhaseKind::Schema { upgrade, .. } => upgrade.iter().find_map(|s| match s {
                Step::Backfill(b) => Some(b),
                Step::Sql(_) => None,
            }),
            PhaseKind::Deploy { .. } => None,
        }
    }

    /// Runs one batch of the next phase's backfill (the phase is reached by `next`, which
    /// resumes where the batches stopped).
    fn batch(&mut self, db: &mut Database) -> Result<(), String> {
        let Some(backfill) = self.backfill_of(self.at + 1).cloned() else {
            return Err("the next phase has no batched backfill".into());
        };
        self.begin_action(db);
        self.last.code_phase = self.at + 1;
        let bounds = backfill.bounds(db)?;
        let Some((min, max)) = bounds else {
            self.last.text = "The table is empty: nothing to backfill.".into();
            return Ok(());
        };
        let lo = self.backfill_cursor.unwrap_or(min).max(min);
        if lo > max {
            self.last.text =
                "Every batch has run: Next phase resumes after the last key and finds nothing left."
                    .into();
            return Ok(());
        }
        let run = backfill.run_batch(db, lo);
        if run.error.is_none() {
            self.backfill_cursor = Some(run.hi);
        }
        let done = (run.hi.min(max + 1) - min) as f64 / (max + 1 - min) as f64 * 100.0;
        self.last.text = format!(
            "One batch ({} <= {} < {}): {} rows changed; about {done:.0}% of the key range done. Next phase resumes from key {}.",
            backfill.key,
            run.lo,
            run.hi,
            run.changed,
            self.backfill_cursor.unwrap_or(lo)
        );
        self.last.error = run.error.clone();
        self.last.batches = vec![run];
        Ok(())
    }

    /// Runs the current phase's data change again, from the start: a batched, guarded
    /// backfill changes nothing; a single unguarded statement does not survive a rerun.
    fn rerun_backfill(&mut self, db: &mut Database) -> Result<(), String> {
        let Some(upgrade) = self.upgrade_of(self.at) else {
            return Err("the current phase is not a migration".into());
        };
        let data_steps = data_steps(&upgrade);
        if data_steps.is_empty() || !self.applied[self.at] {
            return Err("the current phase has no applied data migration to rerun".into());
        }
        self.begin_action(db);
        self.last.code_phase = self.at;
        let run = self.run_steps(db, &data_steps, false, None);
        // Every write of the rerun (batches included), as the log counted them.
        let rows_changed: usize = run
            .log
            .iter()
            .filter(|e| super::lint::is_data_change(&e.sql))
            .map(|e| match e.outcome {
                crate::engine::LogOutcome::Affected(n) => n,
                _ => 0,
            })
            .sum();
        self.last.text = match &run.error {
            None => format!(
                "The data migration ran again: {rows_changed} rows changed{}.",
                if rows_changed == 0 {
                    " (idempotent: a rerun changes nothing)"
                } else {
                    ""
                }
            ),
            Some(_) => "The data migration ran again and failed: it is not idempotent.".into(),
        };
        self.last.error = run.error;
        self.last.batches = run.batches;
        Ok(())
    }
}

/// The steps that change data (a backfill, an UPDATE or INSERT ... SELECT).
fn data_steps(steps: &[Step]) -> Vec<Step> {
    steps
        .iter()
        .filter(|s| match s {
            Step::Backfill(_) => true,
            Step::Sql(sql) => super::lint::is_data_change(sql),
        })
        .cloned()
        .collect()
}

fn phase_transactional(kind: &PhaseKind) -> bool {
    matches!(
        kind,
        PhaseKind::Schema {
            transactional: true,
            ..
        }
    )
}

/// "v1 and v2 worked." / "v1 failed: ...".
fn verdict(column: &Column) -> String {
    let failed: Vec<&str> = column
        .runs
        .iter()
        .filter(|r| !r.ok())
        .map(|r| r.version)
        .collect();
    let ran: Vec<&str> = column.runs.iter().map(|r| r.version).collect();
    if failed.is_empty() {
        format!("Requests of {} all worked.", ran.join(", "))
    } else {
        format!(
            "Requests of {} failed: production would break here.",
            failed.join(", ")
        )
    }
}

fn first_error(column: Option<&Column>) -> Option<String> {
    column?.runs.iter().find_map(|r| {
        r.error
            .as_ref()
            .map(|(e, sql)| format!("{}: {e} (in: {sql})", r.version))
    })
}

impl LabRun for Stepper {
    fn actions(&self) -> Vec<ActionSpec> {
        let last = self.plan.phases.len() - 1;
        let mut actions = vec![
            if self.downgrade_failed == Some(self.at) {
                ActionSpec::new("back", "Step back (its downgrade failed)").enabled(false)
            } else {
                ActionSpec::new("back", "Step back (downgrade)").enabled(self.at > 0)
            },
            ActionSpec::new("next", "Next phase")
                .primary()
                .enabled(self.at < last),
        ];
        if self.batch_actions {
            actions.push(
                ActionSpec::new("batch", "Run one backfill batch")
                    .enabled(self.backfill_of(self.at + 1).is_some()),
            );
            actions.push(
                ActionSpec::new("rerun-backfill", "Run the data migration again")
                    .enabled(self.can_rerun()),
            );
        }
        actions.push(ActionSpec::new("reset", "Reset"));
        actions
    }

    fn apply(&mut self, db: &mut Database, id: &str) -> Result<(), String> {
        match id {
            "next" => self.next(db),
            "back" => self.back(db),
            "reset" => {
                self.reset(db);
                Ok(())
            }
            "batch" if self.batch_actions => self.batch(db),
            "rerun-backfill" if self.batch_actions => self.rerun_backfill(db),
            other => Err(format!("unknown action {other:?}")),
        }
    }

    fn view(&self, db: &mut Database) -> LabView {
        blocks::view(self, db)
    }
}
