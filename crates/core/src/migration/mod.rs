//! The migration stepper: a multi-phase migration (schema migrations and code deploys in
//! order) stepped forward and back on a live database, with the app versions that are
//! running executing their own reads and writes after every phase.
//!
//! - [`MigrationPlan`]: the tables, the app versions (their SQL) and the phases.
//! - [`traffic`]: one version's requests, run for real; the error text is the engine's.
//! - [`lint`]: squawk-style rules on a phase's upgrade statements.
//! - [`schema`]: the schema (columns, constraints, indexes) as a comparable snapshot, and
//!   the diff between two.
//! - [`seed`]: multi-row INSERT seeding; [`knobs`]: the pages' shared `plan` and `rows`
//!   knobs, traffic note and lab start.
//! - [`backfill`]: a data change in key-range batches, resumable and idempotent.
//! - [`stepper`]: the state (phase reached, matrix of results) and the lab actions;
//!   [`blocks`]: the view blocks it shows.

pub mod autogenerate;
pub mod backfill;
pub mod blocks;
pub mod knobs;
pub mod lint;
pub mod model_change;
pub mod schema;
pub mod seed;
pub mod stepper;
pub mod traffic;

pub use backfill::Backfill;
pub use stepper::{PageExtras, Stepper};

/// One version of the application: what each request of it runs. Writes are templates in
/// which `{id}` is a fresh row id, the same for all writes of one request.
#[derive(Clone, Debug)]
pub struct AppVersion {
    /// "v1", "v2", ...: a matrix row label.
    pub id: &'static str,
    /// What this version does differently, one line.
    pub summary: &'static str,
    pub writes: Vec<String>,
    pub reads: Vec<String>,
}

/// One statement of a migration: plain SQL, or a data backfill run in batches.
#[derive(Clone, Debug)]
pub enum Step {
    Sql(String),
    Backfill(Backfill),
}

impl Step {
    pub fn sql(text: &str) -> Self {
        Step::Sql(text.to_string())
    }

    /// The step as migration code shows it.
    pub fn display(&self) -> String {
        match self {
            Step::Sql(sql) => format!("{sql};"),
            Step::Backfill(b) => b.display(),
        }
    }
}

#[derive(Clone, Debug)]
pub enum PhaseKind {
    /// A schema (or data) migration. `transactional`: run in one transaction, as Alembic
    /// does by default (batches of a backfill always commit one by one).
    Schema {
        upgrade: Vec<Step>,
        downgrade: Vec<Step>,
        transactional: bool,
        /// What the downgrade cannot give back (e.g. a dropped column's values), said on
        /// the page after stepping back over this phase.
        downgrade_note: Option<&'static str>,
    },
    /// A code deploy: these versions run from now on (two during a rolling deploy).
    Deploy { running: Vec<&'static str> },
}

#[derive(Clone, Debug)]
pub struct Phase {
    pub name: String,
    pub kind: PhaseKind,
}

impl Phase {
    pub fn deploy(name: &str, running: &[&'static str]) -> Self {
        Phase {
            name: name.to_string(),
            kind: PhaseKind::Deploy {
                running: running.to_vec(),
            },
        }
    }

    /// A migration run in one transaction.
    pub fn schema(name: &str, upgrade: Vec<Step>, downgrade: Vec<Step>) -> Self {
        Phase {
            name: name.to_string(),
            kind: PhaseKind::Schema {
                upgrade,
                downgrade,
                transactional: true,
                downgrade_note: None,
            },
        }
    }

    /// Runs outside a transaction (Alembic's `autocommit_block()`).
    pub fn autocommit(mut self) -> Self {
        if let PhaseKind::Schema { transactional, .. } = &mut self.kind {
            *transactional = false;
        }
        self
    }

    pub fn with_downgrade_note(mut self, note: &'static str) -> Self {
        if let PhaseKind::Schema { downgrade_note, .. } = &mut self.kind {
            *downgrade_note = Some(note);
        }
        self
    }

    pub fn is_schema(&self) -> bool {
        matches!(self.kind, PhaseKind::Schema { .. })
    }
}

/// A whole migration: phase 0 is the starting deploy (the old code running on the old
/// schema); every later phase is a migration or a deploy.
#[derive(Clone, Debug)]
pub struct MigrationPlan {
    /// The tables the page shows, main one first (it has an integer `id` key).
    pub tables: Vec<String>,
    pub versions: Vec<AppVersion>,
    pub phases: Vec<Phase>,
}

impl MigrationPlan {
    /// The versions running once phase `at` is reached: those of the last deploy so far.
    pub fn running_at(&self, at: usize) -> Vec<&'static str> {
        self.phases[..=at.min(self.phases.len() - 1)]
            .iter()
            .rev()
            .find_map(|p| match &p.kind {
                PhaseKind::Deploy { running } => Some(running.clone()),
                PhaseKind::Schema { .. } => None,
            })
            .unwrap_or_default()
    }

    pub fn version(&self, id: &str) -> Option<&AppVersion> {
        self.versions.iter().find(|v| v.id == id)
    }

    /// The matrix column title of phase `i`, e.g. "1. add full_name".
    pub fn phase_title(&self, i: usize) -> String {
        format!("{i}. {}", self.phases[i].name)
    }
}
