//! Safe Column Removal: summary, corrected reference code, notes on the corrections,
//! console script, and the live migration stepper.
//!
//! Lab (`lab_for("safe-column-removal")`): `users (id, email, legacy_field NOT NULL)`
//! seeded with 200 rows; v1 writes and reads `legacy_field`, v2 does not use it. Knob
//! `plan`: `safe` (0 v1 running, 1 make legacy_field nullable, 2 deploy v2: stop writing
//! (rolling), 3 v1 retired, 4 drop legacy_field), `reference` (the reference's order: the
//! deploy that stops writing comes before the column is nullable, so v2's inserts fail until
//! phase 3), `unsafe` (0 v1 running, 1 drop legacy_field while v1 runs, 2 deploy v2).
//! Actions: `next`, `back`, `reset`. Blocks: see [`crate::migration::blocks`].

use crate::catalogue::{CodeLanguage, Pattern, Section};
use crate::engine::Database;
use crate::lab::{KnobSpec, KnobValues, Lab, LabRun};
use crate::migration::knobs::{plan_knob, seed_and_start, TRAFFIC_NOTE};
use crate::migration::{AppVersion, MigrationPlan, Phase, Step};

pub const PATTERN: Pattern = Pattern {
    slug: "safe-column-removal",
    title: "Safe Column Removal",
    section: Section::MigrationPatterns,
    summary: "Dropping a column that deployed code still reads or writes makes that code fail in the middle of a deployment. The removal is split into steps: stop writing the column, make it nullable so inserts without it succeed, and drop it only once no running code uses it.",
    reference_code: r#"import sqlalchemy as sa
from alembic import op

# Migration 1: Make column nullable, before the code stops writing it
def upgrade():
    op.alter_column(
        'users',
        'legacy_field',
        existing_type=sa.String(100),
        nullable=True
    )

# Code change: stop reading and writing the column (deploy, no migration)

# Migration 2: Drop column (after the code is deployed everywhere)
def upgrade():
    op.drop_column('users', 'legacy_field')
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Imported op from alembic and sqlalchemy as sa, which the migrations used without importing them.",
        "Made the column nullable before the code stops writing it, not after: while legacy_field is NOT NULL without a default, every insert of the new code fails (the page's reference plan shows it).",
    ],
    starter_sql: r#"-- The lab's users table (phase 0: v1 writes legacy_field, NOT NULL)
SELECT id, email, legacy_field FROM users ORDER BY id LIMIT 3;
-- Make the column nullable before the code stops writing it
ALTER TABLE users ALTER COLUMN legacy_field DROP NOT NULL;
-- The new code no longer writes legacy_field, and its inserts succeed
INSERT INTO users (id, email) VALUES (100000, 'cy@example.com');
SELECT id, email, legacy_field FROM users WHERE id IN (1, 100000) ORDER BY id;
-- Drop the column once no deployed code reads it
ALTER TABLE users DROP COLUMN legacy_field;
SELECT * FROM users ORDER BY id LIMIT 3;
"#,
    live: true,
};

/// The lab: removing `legacy_field` while v1 and v2 send requests.
pub static LAB: Lab = Lab {
    knobs: &KNOBS,
    note: Some(TRAFFIC_NOTE),
    start,
};

static KNOBS: [KnobSpec; 1] = [plan_knob(
    &[
        ("safe", "Nullable, stop writing, drop"),
        ("reference", "Stop writing first (the reference's order)"),
        ("unsafe", "Drop first"),
    ],
    "The safe order, the reference's order (the new code stops writing a NOT NULL column), or the drop while v1 runs.",
)];

const SEED_ROWS: i64 = 200;

fn versions() -> Vec<AppVersion> {
    vec![
        AppVersion {
            id: "v1",
            summary: "writes and reads legacy_field",
            writes: vec!["INSERT INTO users (id, email, legacy_field) VALUES ({id}, 'user{id}@example.com', 'legacy {id}')".into()],
            reads: vec!["SELECT id, email, legacy_field FROM users WHERE id = {id}".into()],
        },
        AppVersion {
            id: "v2",
            summary: "no longer uses legacy_field",
            writes: vec!["INSERT INTO users (id, email) VALUES ({id}, 'user{id}@example.com')".into()],
            reads: vec!["SELECT id, email FROM users WHERE id = {id}".into()],
        },
    ]
}

fn make_nullable() -> Phase {
    Phase::schema(
        "make legacy_field nullable",
        vec![Step::sql(
            "ALTER TABLE users ALTER COLUMN legacy_field DROP NOT NULL",
        )],
        vec![Step::sql(
            "ALTER TABLE users ALTER COLUMN legacy_field SET NOT NULL",
        )],
    )
}

fn drop_column() -> Phase {
    Phase::schema(
        "drop legacy_field",
        vec![Step::sql("ALTER TABLE users DROP COLUMN legacy_field")],
        vec![Step::sql("ALTER TABLE users ADD COLUMN legacy_field TEXT NULL")],
    )
    .with_downgrade_note("The downgrade re-adds legacy_field as an empty nullable column: the values dropped with it cannot be restored (only a backup has them).")
}

/// The plan for knob `plan`.
pub fn plan(variant: &str) -> MigrationPlan {
    let phases = match variant {
        "unsafe" => vec![
            Phase::deploy("v1 running", &["v1"]),
            drop_column(),
            Phase::deploy("deploy v2", &["v2"]),
        ],
        "reference" => vec![
            Phase::deploy("v1 running", &["v1"]),
            Phase::deploy("deploy v2: stop writing (rolling)", &["v1", "v2"]),
            Phase::deploy("v1 retired", &["v2"]),
            make_nullable(),
            drop_column(),
        ],
        _ => vec![
            Phase::deploy("v1 running", &["v1"]),
            make_nullable(),
            Phase::deploy("deploy v2: stop writing (rolling)", &["v1", "v2"]),
            Phase::deploy("v1 retired", &["v2"]),
            drop_column(),
        ],
    };
    MigrationPlan {
        tables: vec!["users".into()],
        versions: versions(),
        phases,
    }
}

fn start(knobs: &KnobValues, db: &mut Database) -> Result<Box<dyn LabRun>, String> {
    let stepper = seed_and_start(
        db,
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, legacy_field TEXT NOT NULL)",
        "users (id, email, legacy_field)",
        SEED_ROWS,
        |i| format!("({i}, 'user{i}@example.com', 'legacy {i}')"),
        plan(knobs.get("plan")),
    )?;
    Ok(Box::new(stepper))
}
