//! Safe Column Rename: summary, corrected reference code, notes on the corrections, console
//! script, and the live migration stepper.
//!
//! Lab (`lab_for("safe-column-rename")`): `users (id, email, name)` seeded with 200 rows;
//! v1 writes and reads `name`, v2 writes both `name` and `full_name`, v3 only `full_name`.
//! Knob `plan`: `safe` (expand and contract, 8 phases: 0 v1 running, 1 add full_name and
//! copy, 2 deploy v2 (rolling), 3 v1 retired, 4 copy again and make name nullable, 5 deploy
//! v3 (rolling), 6 v2 retired, 7 drop name) or `unsafe` (0 v1 running, 1 rename name to
//! full_name, 2 deploy v3). Actions: `next`, `back`, `reset`. Blocks: see
//! [`crate::migration::blocks`] (`outcome`, `progress`, `matrix`, `lint`, `schema-diff`,
//! `upgrade`, `downgrade`, `data-before`, `data-after`, `backfill`, `statements`).

use crate::catalogue::{CodeLanguage, Pattern, Section};
use crate::engine::Database;
use crate::lab::{KnobSpec, KnobValues, Lab, LabRun};
use crate::migration::knobs::{plan_knob, seed_and_start, TRAFFIC_NOTE};
use crate::migration::seed::person;
use crate::migration::{AppVersion, Backfill, MigrationPlan, Phase, Step};

pub const PATTERN: Pattern = Pattern {
    slug: "safe-column-rename",
    title: "Safe Column Rename",
    section: Section::MigrationPatterns,
    summary: "Renaming a column in one step breaks every running instance that still uses the old name. The rename is done as an expand-and-contract sequence: add the new column and copy the data, write to both while reading the new one, then relax and finally drop the old column.",
    reference_code: r#"import sqlalchemy as sa
from alembic import op

# Migration 1: Add new column
def upgrade():
    op.add_column(
        'users',
        sa.Column('full_name', sa.String(200), nullable=True)
    )
    # Copy data
    op.execute('UPDATE users SET full_name = name')

# Code change: Write to both columns, read from new

# Migration 2: Make old column nullable
def upgrade():
    # Copy again: the old code kept writing only `name` until the code change
    op.execute('UPDATE users SET full_name = name WHERE full_name IS DISTINCT FROM name')
    op.alter_column('users', 'name', nullable=True)

# Migration 3: Drop old column
def upgrade():
    op.drop_column('users', 'name')
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Imported op from alembic and sqlalchemy as sa, which the migrations used without importing them.",
        "Migration 2 copies name to full_name again for rows that differ: the old code kept writing only name between Migration 1 and the code change, and those values would have been lost.",
    ],
    starter_sql: r#"-- The lab's users table (phase 0: v1 writes and reads name)
SELECT id, email, name FROM users ORDER BY id LIMIT 5;
-- Migration 1: add the new column and copy the data, in batches
ALTER TABLE users ADD COLUMN full_name TEXT NULL;
UPDATE users SET full_name = name WHERE id >= 1 AND id < 101 AND full_name IS NULL;
UPDATE users SET full_name = name WHERE id >= 101 AND full_name IS NULL;
-- Code change: write to both columns, read from the new one
INSERT INTO users (id, email, name, full_name) VALUES (100000, 'grace@example.com', 'Grace Hopper', 'Grace Hopper');
-- Migration 2: make the old column nullable; Migration 3: drop it
ALTER TABLE users ALTER COLUMN name DROP NOT NULL;
ALTER TABLE users DROP COLUMN name;
SELECT id, full_name FROM users ORDER BY id DESC LIMIT 5;
"#,
    live: true,
};

/// The lab: the rename stepped phase by phase, with v1, v2 and v3 sending requests.
pub static LAB: Lab = Lab {
    knobs: &KNOBS,
    note: Some(TRAFFIC_NOTE),
    start,
};

static KNOBS: [KnobSpec; 1] = [plan_knob(
    &[
        ("safe", "Expand and contract (7 steps)"),
        ("unsafe", "One-step RENAME COLUMN"),
    ],
    "The safe multi-release rename, or the one-step rename while v1 still runs.",
)];

/// Seed rows: enough for the copy to run in several batches.
const SEED_ROWS: i64 = 200;
const BATCH: i64 = 50;

fn versions() -> Vec<AppVersion> {
    vec![
        AppVersion {
            id: "v1",
            summary: "writes and reads name",
            writes: vec![
                "INSERT INTO users (id, email, name) VALUES ({id}, 'user{id}@example.com', 'User {id}')".into(),
                "UPDATE users SET name = 'Ada King' WHERE id = 1".into(),
            ],
            reads: vec!["SELECT id, name FROM users WHERE id = {id}".into()],
        },
        AppVersion {
            id: "v2",
            summary: "writes name and full_name, reads name",
            writes: vec![
                "INSERT INTO users (id, email, name, full_name) VALUES ({id}, 'user{id}@example.com', 'User {id}', 'User {id}')".into(),
                "UPDATE users SET name = 'Ada King', full_name = 'Ada King' WHERE id = 1".into(),
            ],
            reads: vec!["SELECT id, name FROM users WHERE id = {id}".into()],
        },
        AppVersion {
            id: "v3",
            summary: "writes and reads full_name only",
            writes: vec![
                "INSERT INTO users (id, email, full_name) VALUES ({id}, 'user{id}@example.com', 'User {id}')".into(),
                "UPDATE users SET full_name = 'Ada King' WHERE id = 1".into(),
            ],
            reads: vec!["SELECT id, full_name FROM users WHERE id = {id}".into()],
        },
    ]
}

fn copy(guard: &str) -> Step {
    Step::Backfill(Backfill::new(
        "users",
        "id",
        &format!(
            "UPDATE users SET full_name = name WHERE id >= {{lo}} AND id < {{hi}} AND {guard}"
        ),
        BATCH,
    ))
}

/// The plan for knob `plan`.
pub fn plan(variant: &str) -> MigrationPlan {
    let phases = if variant == "unsafe" {
        vec![
            Phase::deploy("v1 running", &["v1"]),
            Phase::schema(
                "rename name to full_name",
                vec![Step::sql(
                    "ALTER TABLE users RENAME COLUMN name TO full_name",
                )],
                vec![Step::sql(
                    "ALTER TABLE users RENAME COLUMN full_name TO name",
                )],
            ),
            Phase::deploy("deploy v3", &["v3"]),
        ]
    } else {
        vec![
            Phase::deploy("v1 running", &["v1"]),
            Phase::schema(
                "add full_name and copy",
                vec![
                    Step::sql("ALTER TABLE users ADD COLUMN full_name TEXT NULL"),
                    copy("full_name IS NULL"),
                ],
                vec![Step::sql("ALTER TABLE users DROP COLUMN full_name")],
            ),
            Phase::deploy("deploy v2 (rolling)", &["v1", "v2"]),
            Phase::deploy("v1 retired", &["v2"]),
            Phase::schema(
                "copy again, make name nullable",
                vec![
                    // COALESCE, not `full_name IS NULL OR full_name <> name`: GlueSQL evaluates
                    // `TRUE OR NULL` to NULL, which would skip exactly the NULL rows.
                    copy("COALESCE(full_name, '') <> name"),
                    Step::sql("ALTER TABLE users ALTER COLUMN name DROP NOT NULL"),
                ],
                vec![Step::sql("ALTER TABLE users ALTER COLUMN name SET NOT NULL")],
            ),
            Phase::deploy("deploy v3 (rolling)", &["v2", "v3"]),
            Phase::deploy("v2 retired", &["v3"]),
            Phase::schema(
                "drop name",
                vec![Step::sql("ALTER TABLE users DROP COLUMN name")],
                vec![
                    Step::sql("ALTER TABLE users ADD COLUMN name TEXT NULL"),
                    Step::Backfill(Backfill::new(
                        "users",
                        "id",
                        "UPDATE users SET name = full_name WHERE id >= {lo} AND id < {hi} AND name IS NULL",
                        BATCH,
                    )),
                ],
            )
            .with_downgrade_note("The downgrade re-adds name as nullable and copies it back from full_name: the values come back because full_name holds them (a plain re-added column would stay NULL)."),
        ]
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
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT NOT NULL)",
        "users (id, email, name)",
        SEED_ROWS,
        |i| format!("({i}, 'user{i}@example.com', '{}')", person(i)),
        plan(knobs.get("plan")),
    )?;
    Ok(Box::new(stepper))
}
