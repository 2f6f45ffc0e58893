//! Data Migration Pattern: summary, corrected reference code, notes on the corrections,
//! console script, and the live migration stepper.
//!
//! Lab (`lab_for("data-migration")`): `users (id, email, preferences)` with `rows` users
//! (knob `rows`: 1000..100000, presets 1000, 10000, 100000; two in three have
//! preferences); v1 reads preferences from users, v2 reads and writes `user_settings`.
//! Knob `plan`: `safe` (0 v1 running, 1 create user_settings, 2 copy preferences in
//! batches, 3 deploy v2 (rolling), 4 v1 retired) or `unsafe` (1 create user_settings and
//! copy in one statement, 2 deploy v2 (rolling), 3 v1 retired). Actions: `next`, `back`,
//! `reset`, `batch` (one batch of the next phase's copy; `next` resumes after it),
//! `rerun-backfill` (run the current phase's data copy again: 0 rows on the safe plan, a
//! duplicate-key error on the unsafe one). Blocks: the stepper's (see
//! [`crate::migration::blocks`], with `backfill` listing the batches of the step and
//! `data-user-settings`) plus `backfill-progress` (metrics `copied`, `to-copy`, `percent`,
//! `settings-rows`) once user_settings exists.

use crate::catalogue::{CodeLanguage, Pattern, Section};
use crate::engine::Database;
use crate::lab::{Block, CellStatus, KnobSpec, KnobValues, Lab, LabRun, Metric};
use crate::migration::knobs::{plan_knob, rows_knob, seed_and_start};
use crate::migration::{AppVersion, Backfill, MigrationPlan, Phase, Step, Stepper};
use gluesql::core::data::Value;
use gluesql::core::executor::Payload;

pub const PATTERN: Pattern = Pattern {
    slug: "data-migration",
    title: "Data Migration Pattern",
    section: Section::MigrationPatterns,
    summary: "Mixing schema changes and data copying in one migration makes both hard to review, rerun or roll back, and copying row by row in Python is slow. The table is created in a schema migration, and the data is moved in a separate migration with one set-based INSERT from a SELECT, run by the database itself.",
    reference_code: r#"import sqlalchemy as sa
from alembic import op

# Schema migration: create table
def upgrade():
    op.create_table(
        'user_settings',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('user_id', sa.String(36), sa.ForeignKey('users.id')),
        sa.Column('settings', sa.JSON(), nullable=False, server_default='{}')
    )

# Data migration: migrate data (separate file)
def upgrade():
    # Use raw SQL for performance
    op.execute('''
        INSERT INTO user_settings (id, user_id, settings)
        SELECT gen_random_uuid(), id, preferences
        FROM users
        WHERE preferences IS NOT NULL
    ''')
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Imported op from alembic and sqlalchemy as sa, which the migrations used without importing them.",
    ],
    starter_sql: r#"-- The lab's users table (phase 0: preferences live in users)
SELECT id, email, preferences FROM users ORDER BY id LIMIT 3;
-- Schema migration: create the table
CREATE TABLE user_settings (id UUID PRIMARY KEY, user_id INTEGER NOT NULL UNIQUE, settings JSONB NOT NULL);
-- Data migration (a separate file): copy in batches of key ranges; a batch whose range
-- already has rows is done (each batch is one atomic statement)
SELECT COUNT(*) AS done FROM user_settings WHERE user_id >= 1 AND user_id < 501;
INSERT INTO user_settings (id, user_id, settings)
SELECT GEN_RANDOM_UUID(), id, preferences FROM users
WHERE id >= 1 AND id < 501 AND preferences IS NOT NULL;
SELECT COUNT(*) AS done FROM user_settings WHERE user_id >= 501;
INSERT INTO user_settings (id, user_id, settings)
SELECT GEN_RANDOM_UUID(), id, preferences FROM users
WHERE id >= 501 AND preferences IS NOT NULL;
SELECT user_id, settings FROM user_settings ORDER BY user_id LIMIT 5;
-- Users without preferences got no row
SELECT COUNT(*) AS without_preferences FROM users WHERE preferences IS NULL;
"#,
    live: true,
};

/// The lab: a schema migration, then the data copied in batches (or both at once).
pub static LAB: Lab = Lab {
    knobs: &KNOBS,
    note: Some("user_settings.user_id is UNIQUE here (one settings row per user): the batches' done check reads its index, and a second unguarded copy is refused by it."),
    start,
};

static KNOBS: [KnobSpec; 2] = [
    plan_knob(
        &[
            ("safe", "Schema, then data in batches"),
            ("unsafe", "Schema and data in one statement"),
        ],
        "Separate migrations with a resumable, idempotent batched copy, or one migration with a single INSERT ... SELECT.",
    ),
    rows_knob(
        "Users",
        "Rows in users (two in three have preferences to copy).",
    ),
];

const CREATE_SETTINGS: &str = "CREATE TABLE user_settings (id UUID PRIMARY KEY, user_id INTEGER NOT NULL UNIQUE REFERENCES users (id), settings JSONB NOT NULL DEFAULT '{}')";

/// One batch of the copy: a key range of users.
const COPY_BATCH: &str = "INSERT INTO user_settings (id, user_id, settings) SELECT gen_random_uuid(), id, preferences FROM users WHERE id >= {lo} AND id < {hi} AND preferences IS NOT NULL";

/// Whether a batch's range is copied already (one atomic statement per batch: all or
/// nothing). v2 writes settings only for the users it creates after the copy, who have no
/// preferences to copy.
const BATCH_DONE: &str =
    "SELECT COUNT(*) FROM user_settings WHERE user_id >= {lo} AND user_id < {hi}";

/// The reference's copy: every row in one statement, no guard.
const COPY_ALL: &str = "INSERT INTO user_settings (id, user_id, settings) SELECT gen_random_uuid(), id, preferences FROM users WHERE preferences IS NOT NULL";

fn versions() -> Vec<AppVersion> {
    vec![
        AppVersion {
            id: "v1",
            summary: "reads preferences from users",
            writes: vec!["INSERT INTO users (id, email) VALUES ({id}, 'user{id}@example.com')".into()],
            reads: vec!["SELECT id, email, preferences FROM users WHERE id = 1".into()],
        },
        AppVersion {
            id: "v2",
            summary: "reads and writes user_settings",
            writes: vec![
                "INSERT INTO users (id, email) VALUES ({id}, 'user{id}@example.com')".into(),
                r#"INSERT INTO user_settings (id, user_id, settings) VALUES (gen_random_uuid(), {id}, '{"theme": "dark"}')"#.into(),
            ],
            reads: vec!["SELECT user_id, settings FROM user_settings WHERE user_id = 1".into()],
        },
    ]
}

/// Keys per batch: ten batches over the seeded table.
pub fn batch_size(rows: i64) -> i64 {
    (rows / 10).max(100)
}

/// The plan for knobs `plan` and `rows`.
pub fn plan(variant: &str, rows: i64) -> MigrationPlan {
    let drop = vec![Step::sql("DROP TABLE user_settings")];
    let mut phases = vec![Phase::deploy("v1 running", &["v1"])];
    if variant == "unsafe" {
        phases.push(Phase::schema(
            "create user_settings and copy in one statement",
            vec![Step::sql(CREATE_SETTINGS), Step::sql(COPY_ALL)],
            drop,
        ));
    } else {
        phases.push(Phase::schema(
            "create user_settings",
            vec![Step::sql(CREATE_SETTINGS)],
            drop,
        ));
        phases.push(
            Phase::schema(
                "copy preferences in batches",
                vec![Step::Backfill(
                    Backfill::new("users", "id", COPY_BATCH, batch_size(rows))
                        .with_done_check(BATCH_DONE),
                )],
                Vec::new(),
            )
            .autocommit()
            .with_downgrade_note("A data migration has nothing to undo here: the copied rows stay in user_settings (the schema downgrade over phase 1 drops the table)."),
        );
    }
    phases.push(Phase::deploy("deploy v2 (rolling)", &["v1", "v2"]));
    phases.push(Phase::deploy("v1 retired", &["v2"]));
    MigrationPlan {
        tables: vec!["users".into(), "user_settings".into()],
        versions: versions(),
        phases,
    }
}

fn start(knobs: &KnobValues, db: &mut Database) -> Result<Box<dyn LabRun>, String> {
    let rows = knobs.int("rows");
    let stepper = seed_and_start(
        db,
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, preferences JSONB NULL)",
        "users (id, email, preferences)",
        rows,
        |i| {
            let preferences = match i % 3 {
                0 => "NULL",
                1 => r#"'{"theme": "dark"}'"#,
                _ => r#"'{"theme": "light", "lang": "en"}'"#,
            };
            format!("({i}, 'user{i}@example.com', {preferences})")
        },
        plan(knobs.get("plan"), rows),
    )?;
    Ok(Box::new(stepper.with_batch_actions().with_extras(extras)))
}

/// How much of the copy is done, counted on the tables.
fn extras(_stepper: &Stepper, db: &mut Database) -> Vec<Block> {
    if db.row_count("user_settings").is_none() {
        return Vec::new();
    }
    // Rows the copy made: user_settings rows of users who have preferences (a hash join).
    let copied = count(
        db,
        "SELECT COUNT(*) FROM user_settings s JOIN users u ON u.id = s.user_id WHERE u.preferences IS NOT NULL",
    );
    let to_copy = count(
        db,
        "SELECT COUNT(*) FROM users WHERE preferences IS NOT NULL",
    );
    let settings = db.row_count("user_settings").unwrap_or(0) as i64;
    let percent = if to_copy == 0 {
        100.0
    } else {
        copied as f64 * 100.0 / to_copy as f64
    };
    let done = if copied == to_copy {
        CellStatus::Ok
    } else {
        CellStatus::Warn
    };
    vec![Block::Metrics {
        id: "backfill-progress".into(),
        title: "Copy of preferences".into(),
        items: vec![
            Metric::new("copied", "Users copied", copied.to_string()).with_status(done),
            Metric::new("to-copy", "Users with preferences", to_copy.to_string()),
            Metric::new("percent", "Done", format!("{percent:.0}%")).with_status(done),
            Metric::new("settings-rows", "user_settings rows", settings.to_string()),
        ],
    }]
}

/// A COUNT(*) read with `peek` (not logged); -1 if it failed.
fn count(db: &mut Database, sql: &str) -> i64 {
    match db.peek(sql) {
        Ok(Payload::Select { rows, .. }) => match rows.first().and_then(|r| r.first()) {
            Some(Value::I64(n)) => *n,
            _ => -1,
        },
        _ => -1,
    }
}
