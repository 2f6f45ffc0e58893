//! Safe Column Addition: summary, corrected reference code, notes on the corrections,
//! console script, and the live migration stepper.
//!
//! Lab (`lab_for("safe-column-addition")`): `users (id, email)` seeded with 200 rows; v1
//! knows nothing of `preferences`, v2 writes and reads it. Knob `plan`: `safe` (0 v1
//! running, 1 add nullable preferences, 2 deploy v2 (rolling), 3 v1 retired) or `unsafe`
//! (phase 1 is "add preferences NOT NULL", which fails on the filled table, and v2 then
//! fails on the missing column). Actions: `next`, `back`, `reset`. Blocks: see
//! [`crate::migration::blocks`] (`outcome`, `progress`, `matrix`, `lint`, `schema-diff`,
//! `upgrade`, `downgrade`, `data-before`, `data-after`, `downgrade-note`, `statements`).

use crate::catalogue::{CodeLanguage, Pattern, Section};
use crate::engine::Database;
use crate::lab::{KnobSpec, KnobValues, Lab, LabRun};
use crate::migration::knobs::{plan_knob, seed_and_start, TRAFFIC_NOTE};
use crate::migration::{AppVersion, MigrationPlan, Phase, Step};

pub const PATTERN: Pattern = Pattern {
    slug: "safe-column-addition",
    title: "Safe Column Addition",
    section: Section::MigrationPatterns,
    summary: "Adding a NOT NULL column to a live table breaks the running code that does not know about it and may rewrite or lock a large table. Adding the column as nullable first is instant and invisible to old code, and a later migration can backfill it and tighten the constraint.",
    reference_code: r#"import sqlalchemy as sa
from alembic import op

# Migration: add_user_preferences.py
def upgrade():
    # Step 1: Add nullable column
    op.add_column(
        'users',
        sa.Column('preferences', sa.JSON(), nullable=True)
    )

def downgrade():
    op.drop_column('users', 'preferences')
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Imported op from alembic and sqlalchemy as sa, which the migration used without importing them.",
    ],
    starter_sql: r#"-- The lab's users table (phase 0: v1 running)
SELECT id, email FROM users ORDER BY id LIMIT 3;
-- upgrade(): a nullable column needs no value for the existing rows
ALTER TABLE users ADD COLUMN preferences JSONB NULL;
-- Old code that does not know the column keeps working
INSERT INTO users (id, email) VALUES (100000, 'cy@example.com');
-- New code starts using it
UPDATE users SET preferences = '{"theme": "dark"}' WHERE id = 1;
SELECT id, email, preferences FROM users WHERE id IN (1, 2, 100000) ORDER BY id;
-- downgrade()
ALTER TABLE users DROP COLUMN preferences;
SELECT id, email FROM users ORDER BY id LIMIT 3;
"#,
    live: true,
};

/// The lab: adding `preferences` while v1 and v2 send requests.
pub static LAB: Lab = Lab {
    knobs: &KNOBS,
    note: Some(TRAFFIC_NOTE),
    start,
};

static KNOBS: [KnobSpec; 1] = [plan_knob(
    &[
        ("safe", "Nullable column first"),
        ("unsafe", "NOT NULL without a default"),
    ],
    "Add preferences as a nullable column, or as NOT NULL without a default on the filled table.",
)];

const SEED_ROWS: i64 = 200;

fn versions() -> Vec<AppVersion> {
    vec![
        AppVersion {
            id: "v1",
            summary: "knows nothing of preferences",
            writes: vec!["INSERT INTO users (id, email) VALUES ({id}, 'user{id}@example.com')".into()],
            reads: vec!["SELECT id, email FROM users WHERE id = {id}".into()],
        },
        AppVersion {
            id: "v2",
            summary: "writes and reads preferences",
            writes: vec![
                r#"INSERT INTO users (id, email, preferences) VALUES ({id}, 'user{id}@example.com', '{"theme": "dark"}')"#.into(),
                r#"UPDATE users SET preferences = '{"theme": "light"}' WHERE id = 1"#.into(),
            ],
            reads: vec!["SELECT id, email, preferences FROM users WHERE id = {id}".into()],
        },
    ]
}

/// The plan for knob `plan`.
pub fn plan(variant: &str) -> MigrationPlan {
    let column = if variant == "unsafe" {
        "ALTER TABLE users ADD COLUMN preferences JSONB NOT NULL"
    } else {
        "ALTER TABLE users ADD COLUMN preferences JSONB NULL"
    };
    let title = if variant == "unsafe" {
        "add preferences NOT NULL"
    } else {
        "add nullable preferences"
    };
    MigrationPlan {
        tables: vec!["users".into()],
        versions: versions(),
        phases: vec![
            Phase::deploy("v1 running", &["v1"]),
            Phase::schema(
                title,
                vec![Step::sql(column)],
                vec![Step::sql("ALTER TABLE users DROP COLUMN preferences")],
            )
            .with_downgrade_note("The downgrade drops preferences with the values v2 wrote: applying the upgrade again brings back an empty (NULL) column, not those values."),
            Phase::deploy("deploy v2 (rolling)", &["v1", "v2"]),
            Phase::deploy("v1 retired", &["v2"]),
        ],
    }
}

fn start(knobs: &KnobValues, db: &mut Database) -> Result<Box<dyn LabRun>, String> {
    let stepper = seed_and_start(
        db,
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL)",
        "users (id, email)",
        SEED_ROWS,
        |i| format!("({i}, 'user{i}@example.com')"),
        plan(knobs.get("plan")),
    )?;
    Ok(Box::new(stepper))
}
