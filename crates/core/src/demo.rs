//! The shape of a live pattern page: named steps that run real statements on the page's
//! database (directly, or through the emulated ORM session) and say in one line what just
//! happened. A pattern module provides a [`Demo`]; the UI renders any demo the same way:
//! a row of step buttons, the explanation, the live tables, the statement log.
//!
//! Steps are replayable: a page's state is "the models, then these step ids in order",
//! so a permalink carries the ids and rebuilds the same database deterministically.

use crate::engine::Database;
use crate::model::ModelIr;
use crate::orm::Session;
use crate::replay::{ReplayBudget, ReplayProgress};

/// What a step runs against. `session` is a SQLAlchemy-like session over the page's
/// models (identity map kept across steps, as in one request), seeded deterministically.
pub struct DemoContext<'a> {
    pub db: &'a mut Database,
    pub ir: &'a ModelIr,
    pub session: &'a mut Session,
}

/// What a step did, for the line under the step buttons.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StepOutcome {
    /// One or two sentences: what just happened and why it matters.
    pub explanation: String,
    /// The failure the step demonstrates or met (PostgreSQL's or SQLAlchemy's message).
    pub error: Option<String>,
}

impl StepOutcome {
    pub fn ok(explanation: impl Into<String>) -> Self {
        Self {
            explanation: explanation.into(),
            error: None,
        }
    }

    pub fn failed(explanation: impl Into<String>, error: impl Into<String>) -> Self {
        Self {
            explanation: explanation.into(),
            error: Some(error.into()),
        }
    }
}

/// One named step ("Insert a user", "Soft-delete Ann", "Try an invalid status").
pub struct Step {
    /// Stable id, part of permalinks: never rename one.
    pub id: &'static str,
    pub label: &'static str,
    pub run: fn(&mut DemoContext) -> StepOutcome,
}

/// A side-by-side comparison: the same action without the pattern.
pub struct Comparison {
    pub title: &'static str,
    /// What the page shows next to the pattern's result; runs on its own fresh database.
    pub run: fn() -> ComparisonOutcome,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ComparisonOutcome {
    /// Label and lines shown "with the pattern" and "without it".
    pub with_pattern: Vec<String>,
    pub without_pattern: Vec<String>,
    pub verdict: String,
}

/// A pattern's live demo.
pub struct Demo {
    /// Runs once after the models' DDL: deterministic seed rows (may use the session).
    pub seed: fn(&mut DemoContext) -> Result<(), String>,
    pub steps: &'static [Step],
    /// Tables shown live under the steps, in this order.
    pub tables: &'static [&'static str],
    /// One line saying which behaviour comes from our layer, not GlueSQL (if any).
    pub engine_note: Option<&'static str>,
    pub comparisons: &'static [Comparison],
}

/// Builds the page's models from `source`, opens a session on them and runs the demo's
/// seed: the state a page starts from (and a permalink's steps replay on).
pub fn start(demo: &Demo, source: &str) -> Result<(Database, ModelIr, Session), String> {
    // BaseModel is abstract: its page demonstrates it on a Note model added to the source.
    let with_note;
    let source = if std::ptr::eq(demo, &crate::patterns::base_model::DEMO) {
        with_note = format!("{source}\n{}", crate::patterns::base_model::NOTE_MODEL);
        with_note.as_str()
    } else {
        source
    };
    let build = crate::model_editor::build(source);
    let mut db = build.database;
    let ir = build.ir;
    let mut session = Session::new(&ir).map_err(|e| e.to_string())?;
    (demo.seed)(&mut DemoContext {
        db: &mut db,
        ir: &ir,
        session: &mut session,
    })?;
    Ok((db, ir, session))
}

/// Runs the steps named by `step_ids` in order (unknown ids are skipped): a permalink's
/// state rebuilt in full after [`start`] (a page replays within a budget, with
/// [`replay_within`]).
pub fn replay(demo: &Demo, ctx: &mut DemoContext, step_ids: &[&str]) -> Vec<StepOutcome> {
    replay_within(demo, ctx, step_ids, &ReplayBudget::UNLIMITED).0
}

/// Runs the steps named by `step_ids` in order within `budget`: their outcomes, and how
/// far the trail got.
pub fn replay_within(
    demo: &Demo,
    ctx: &mut DemoContext,
    step_ids: &[&str],
    budget: &ReplayBudget,
) -> (Vec<StepOutcome>, ReplayProgress) {
    let mut outcomes = Vec::new();
    let progress = budget.replay(step_ids, |id| {
        match demo.steps.iter().find(|s| s.id == *id) {
            Some(step) => {
                outcomes.push((step.run)(ctx));
                true
            }
            None => false,
        }
    });
    (outcomes, progress)
}
