//! The shape of a lab page: the query lab, the migration stepper and the pool and
//! transaction pages. Where a [`crate::demo::Demo`] replays named steps on models the user
//! edits, a lab has **knobs** (sizes, strategies, toggles, a seed) and **actions** (buttons
//! such as "Next phase", "Run", "Advance the clock 60 s"), and shows what the engine really
//! did as generic [`LabView`] blocks: metrics, tables (a green/red matrix is a table of
//! coloured cells), charts, timelines, statement lists, notes. The UI renders any lab the
//! same way, so a lab is plain Rust, tested natively.
//!
//! State is "these knob values, then these action ids in order": the permalink carries both
//! and [`replay`] rebuilds the same state deterministically. Action ids are part of links:
//! never rename one.

pub mod svg;
pub mod view;

pub use view::{
    Block, Cell, CellStatus, Chart, LabView, Lane, Metric, NoteKind, Series, Span, TableBlock,
    Timeline,
};

use crate::engine::Database;
use crate::replay::{ReplayBudget, ReplayProgress};
use std::collections::BTreeMap;

/// What a knob accepts. Values travel as strings (in links); [`KnobValues`] parses and
/// clamps them, so a tampered link can only ever select a valid value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum KnobKind {
    /// An integer in `min..=max`; `presets` are the values offered in the UI's list
    /// (the UI also accepts any typed value in range).
    Int {
        min: i64,
        max: i64,
        presets: &'static [i64],
    },
    /// One of these `(value, label)` pairs.
    Choice(&'static [(&'static str, &'static str)]),
    /// On or off ("1" / "0").
    Toggle,
}

/// One knob of a lab.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KnobSpec {
    /// Stable id, part of permalinks (never "steps", which holds the action trail).
    pub id: &'static str,
    pub label: &'static str,
    pub kind: KnobKind,
    /// The default value, as a string valid for `kind`.
    pub default: &'static str,
    /// One line shown as the knob's tooltip.
    pub help: &'static str,
}

/// A lab's knob values, always valid for its specs: anything missing, unparsable or out of
/// range falls back to the default (or is clamped).
#[derive(Clone, Debug, PartialEq)]
pub struct KnobValues {
    values: BTreeMap<&'static str, String>,
}

impl KnobValues {
    /// Reads `raw` (e.g. a permalink's knobs) against `specs`; unknown keys are ignored.
    pub fn from_raw(specs: &'static [KnobSpec], raw: &BTreeMap<String, String>) -> Self {
        let values = specs
            .iter()
            .map(|spec| {
                let value = raw
                    .get(spec.id)
                    .and_then(|v| normalise(spec, v))
                    .unwrap_or_else(|| spec.default.to_string());
                (spec.id, value)
            })
            .collect();
        Self { values }
    }

    pub fn defaults(specs: &'static [KnobSpec]) -> Self {
        Self::from_raw(specs, &BTreeMap::new())
    }

    /// The value of knob `id` as a string ("" for an unknown id).
    pub fn get(&self, id: &str) -> &str {
        self.values.get(id).map(String::as_str).unwrap_or("")
    }

    /// An `Int` knob's value (0 for an unknown id).
    pub fn int(&self, id: &str) -> i64 {
        self.get(id).parse().unwrap_or(0)
    }

    /// A `Toggle` knob's value.
    pub fn on(&self, id: &str) -> bool {
        self.get(id) == "1"
    }

    /// Sets knob `id` if the value is valid for its spec; returns whether it was accepted.
    pub fn set(&mut self, specs: &'static [KnobSpec], id: &str, value: &str) -> bool {
        let Some(spec) = specs.iter().find(|s| s.id == id) else {
            return false;
        };
        match normalise(spec, value) {
            Some(v) => {
                self.values.insert(spec.id, v);
                true
            }
            None => false,
        }
    }

    /// What reading `raw` changed, one line per knob (for the page to say so): a value
    /// clamped into its range, or one it could not use and replaced by the default.
    pub fn adjustments(specs: &'static [KnobSpec], raw: &BTreeMap<String, String>) -> Vec<String> {
        specs
            .iter()
            .filter_map(|spec| {
                let given = raw.get(spec.id)?;
                match normalise(spec, given) {
                    Some(v) if v == given.trim() => None,
                    Some(v) => Some(format!(
                        "{}: {given} is out of range, so {v} is used",
                        spec.label
                    )),
                    None => Some(format!(
                        "{}: {given:?} is not a valid value, so the default {} is used",
                        spec.label, spec.default
                    )),
                }
            })
            .collect()
    }

    /// The values that differ from the defaults, for a short permalink.
    pub fn non_default(&self, specs: &'static [KnobSpec]) -> BTreeMap<String, String> {
        specs
            .iter()
            .filter(|s| self.get(s.id) != s.default)
            .map(|s| (s.id.to_string(), self.get(s.id).to_string()))
            .collect()
    }
}

/// A valid string for `spec` from `raw`, clamping integers; None if unusable.
fn normalise(spec: &KnobSpec, raw: &str) -> Option<String> {
    let raw = raw.trim();
    match spec.kind {
        KnobKind::Int { min, max, .. } => raw
            .parse::<i64>()
            .ok()
            .map(|n| n.clamp(min, max).to_string()),
        KnobKind::Choice(options) => options
            .iter()
            .find(|(value, _)| *value == raw)
            .map(|(value, _)| value.to_string()),
        KnobKind::Toggle => match raw {
            "1" | "true" | "on" => Some("1".into()),
            "0" | "false" | "off" => Some("0".into()),
            _ => None,
        },
    }
}

/// A button the lab offers now (the set may change with the state: "Next phase" is
/// disabled at the last phase).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionSpec {
    /// Stable id, part of permalinks.
    pub id: String,
    pub label: String,
    pub enabled: bool,
    /// Shown as the main button.
    pub primary: bool,
}

impl ActionSpec {
    pub fn new(id: impl Into<String>, label: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            label: label.into(),
            enabled: true,
            primary: false,
        }
    }

    pub fn primary(mut self) -> Self {
        self.primary = true;
        self
    }

    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }
}

/// A running lab: its state between actions. `db` is the page's database, the one the SQL
/// console and the statement log show; a lab may also run private databases (e.g. "the same
/// table without the index") and report their statements in its own blocks.
pub trait LabRun {
    /// The buttons to show now.
    fn actions(&self) -> Vec<ActionSpec>;
    /// Runs action `id`. An unknown or disabled id is an `Err` with a message for the user;
    /// a demonstrated failure (a red cell, a refused write) is part of the view, not an `Err`.
    fn apply(&mut self, db: &mut Database, id: &str) -> Result<(), String>;
    /// What to show now. Reads with `Database::peek` so the statement log keeps only what
    /// the lab itself ran.
    fn view(&self, db: &mut Database) -> LabView;
}

/// A lab page: its knobs, a one-line note on what is simulated or emulated, and how to
/// start it on a fresh database.
pub struct Lab {
    pub knobs: &'static [KnobSpec],
    /// E.g. "Simulation: the pool is simulated, driven by query times measured on the
    /// engine." or "The engine layer, not GlueSQL, provides the indexes."; None if nothing is.
    pub note: Option<&'static str>,
    /// Seeds `db` (a fresh, empty database) for these knobs and returns the running lab.
    /// The statement log is cleared after it, so it shows only the lab's actions.
    pub start: StartLab,
}

/// How a lab starts: seeds the fresh database for these knobs, returns the running lab.
pub type StartLab = fn(&KnobValues, &mut Database) -> Result<Box<dyn LabRun>, String>;

/// A replayed lab: its database, the running lab, and what was skipped (with why).
pub type Replayed = (Database, Box<dyn LabRun>, Vec<String>);

/// Starts `lab` on a fresh database and runs all of `actions` in order: a permalink's
/// state, rebuilt in full (tests and tools; a page replays within a [`ReplayBudget`] with
/// [`replay_within`]). Actions that fail (unknown ids from an old or tampered link) are
/// skipped and reported.
pub fn replay(lab: &Lab, knobs: &KnobValues, actions: &[String]) -> Result<Replayed, String> {
    let replayed = replay_within(lab, knobs, actions, &ReplayBudget::UNLIMITED)?;
    Ok((replayed.db, replayed.run, replayed.skipped))
}

/// A lab replayed from a link within a budget: how far it got, and what it skipped.
pub struct BudgetedReplay {
    pub db: Database,
    pub run: Box<dyn LabRun>,
    pub skipped: Vec<String>,
    /// `progress.replayed` actions of the trail ran (or were skipped); the rest wait for
    /// [`replay_more`].
    pub progress: ReplayProgress,
}

/// Starts `lab` on a fresh database and replays `actions` within `budget`.
pub fn replay_within(
    lab: &Lab,
    knobs: &KnobValues,
    actions: &[String],
    budget: &ReplayBudget,
) -> Result<BudgetedReplay, String> {
    let mut db = Database::new();
    let mut run = (lab.start)(knobs, &mut db)?;
    db.clear_log();
    let (skipped, progress) = replay_more(run.as_mut(), &mut db, actions, budget);
    Ok(BudgetedReplay {
        db,
        run,
        skipped,
        progress,
    })
}

/// Replays `actions` on a running lab within `budget`: the start of a trail, or the rest
/// of one that stopped at its budget.
pub fn replay_more(
    run: &mut dyn LabRun,
    db: &mut Database,
    actions: &[String],
    budget: &ReplayBudget,
) -> (Vec<String>, ReplayProgress) {
    let mut skipped = Vec::new();
    let progress = budget.replay(actions, |id| match run.apply(db, id) {
        Ok(()) => true,
        Err(e) => {
            skipped.push(format!("{id}: {e}"));
            false
        }
    });
    (skipped, progress)
}

/// `50020` as `50,020`: the digit grouping of every number a lab shows (metrics, cells,
/// chart axes).
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    static SPECS: [KnobSpec; 3] = [
        KnobSpec {
            id: "n",
            label: "Rows",
            kind: KnobKind::Int {
                min: 1,
                max: 100,
                presets: &[10, 100],
            },
            default: "10",
            help: "",
        },
        KnobSpec {
            id: "strategy",
            label: "Strategy",
            kind: KnobKind::Choice(&[("lazy", "lazy"), ("joined", "joined")]),
            default: "lazy",
            help: "",
        },
        KnobSpec {
            id: "index",
            label: "Index",
            kind: KnobKind::Toggle,
            default: "1",
            help: "",
        },
    ];

    #[test]
    fn what_reading_a_link_changed_is_said_per_knob() {
        let raw: BTreeMap<String, String> = [
            ("n", "5000"),
            ("strategy", "teleport"),
            ("index", "1"),
            ("unknown", "x"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            KnobValues::adjustments(&SPECS, &raw),
            [
                "Rows: 5000 is out of range, so 100 is used",
                "Strategy: \"teleport\" is not a valid value, so the default lazy is used",
            ]
        );
        let fine: BTreeMap<String, String> = [("n".to_string(), "50".to_string())].into();
        assert!(KnobValues::adjustments(&SPECS, &fine).is_empty());
    }

    #[test]
    fn tampered_knobs_fall_back_or_clamp() {
        let raw: BTreeMap<String, String> = [
            ("n", "100000"),
            ("strategy", "<script>"),
            ("index", "maybe"),
            ("other", "x"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let k = KnobValues::from_raw(&SPECS, &raw);
        assert_eq!(k.int("n"), 100);
        assert_eq!(k.get("strategy"), "lazy");
        assert!(k.on("index"));
        assert_eq!(k.get("other"), "");
    }

    #[test]
    fn only_changed_knobs_go_in_links() {
        let mut k = KnobValues::defaults(&SPECS);
        assert!(k.non_default(&SPECS).is_empty());
        assert!(k.set(&SPECS, "strategy", "joined"));
        assert!(!k.set(&SPECS, "strategy", "nope"));
        assert!(k.set(&SPECS, "n", "-5"));
        assert_eq!(k.int("n"), 1);
        let changed = k.non_default(&SPECS);
        assert_eq!(changed.len(), 2);
        assert_eq!(changed["strategy"], "joined");
    }
}
