//! What the five migration pattern pages' labs share: the `plan` and `rows` knobs, the
//! note of the pages whose versions send live traffic, and the start of a lab (create and
//! seed the table, then start the [`Stepper`] on the chosen plan).

use crate::engine::Database;
use crate::lab::{KnobKind, KnobSpec};

use super::seed::insert_rows;
use super::{MigrationPlan, Stepper};

/// The lab note of the pages whose app versions each send a request after every phase.
pub const TRAFFIC_NOTE: &str = "Each running version sends one real request (writes, then reads) after every phase; a rolling deploy runs two versions at once.";

/// Knob `plan` ("Plan"): which migration plan runs, one of `choices`; `safe` by default.
pub const fn plan_knob(
    choices: &'static [(&'static str, &'static str)],
    help: &'static str,
) -> KnobSpec {
    KnobSpec {
        id: "plan",
        label: "Plan",
        kind: KnobKind::Choice(choices),
        default: "safe",
        help,
    }
}

/// Knob `rows`: the seeded table's size, 1000..100000 (presets 1000, 10000, 100000),
/// 1000 by default.
pub const fn rows_knob(label: &'static str, help: &'static str) -> KnobSpec {
    KnobSpec {
        id: "rows",
        label,
        kind: KnobKind::Int {
            min: 1000,
            max: 100_000,
            presets: &[1000, 10_000, 100_000],
        },
        default: "1000",
        help,
    }
}

/// A migration lab's start: runs `create`, inserts rows `1..=rows` into `target` (e.g.
/// `users (id, email)`, `values(i)` giving row `i`), and starts the stepper on `plan`
/// with the app versions' fresh ids from `rows + 1`.
pub fn seed_and_start(
    db: &mut Database,
    create: &str,
    target: &str,
    rows: i64,
    values: impl Fn(i64) -> String,
    plan: MigrationPlan,
) -> Result<Stepper, String> {
    db.execute(create).map_err(|e| e.message)?;
    insert_rows(db, target, rows, values)?;
    Stepper::start(plan, db, rows + 1)
}
