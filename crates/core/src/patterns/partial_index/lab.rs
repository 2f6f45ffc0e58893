//! The partial-index lab: the reference's two partial indexes, measured against no index
//! and against full indexes on the same columns (which hold every row).

use crate::engine::Database;
use crate::index_lab::compare::{IndexSet, Query};
use crate::index_lab::index_page::{self, IndexPage};
use crate::index_lab::seed;
use crate::lab::{KnobValues, Lab, LabRun, NoteKind};

pub static LAB: Lab = Lab {
    knobs: &index_page::KNOBS,
    note: Some("The engine layer, not GlueSQL, provides partial indexes."),
    start,
};

const SEED: u64 = 0x09A2_71A1;
const USER: i64 = 7;

const REFERENCE: [(&str, &str); 2] = [
    ("orders", "ix_orders_active"),
    ("job_queue", "ix_queue_pending"),
];

static SETS: [IndexSet; 3] = [
    index_page::reference_set("partial index", &REFERENCE),
    index_page::WITHOUT,
    IndexSet {
        key: "full",
        label: "full index",
        indexes: &[
            ("orders", "ix_orders_user_created"),
            ("job_queue", "ix_queue_priority_created"),
        ],
        create: &[
            "CREATE INDEX ix_orders_user_created ON orders (user_id, created_at)",
            "CREATE INDEX ix_queue_priority_created ON job_queue (priority, created_at)",
        ],
    },
];

static PAGE: IndexPage = IndexPage {
    seed: seed_page,
    reference: &REFERENCE,
    sets: &SETS,
    queries,
    main_table: "orders",
    notes: &[
        (
            "predicate-note",
            NoteKind::Info,
            "A partial index serves only queries whose WHERE repeats its predicate: \
             'a user's orders (no predicate)' cannot use ix_orders_active, since the index \
             lacks the delivered and cancelled orders.",
        ),
        (
            "engine-note",
            NoteKind::Engine,
            "Our engine serves ORDER BY from an index on one column only (plus the primary \
             key as tiebreak), so the reference's 'next job' (ORDER BY priority, created_at) \
             scans the table under every set; PostgreSQL reads one entry of \
             ix_queue_pending. 'next job of priority 0' shows the seek it can make.",
        ),
    ],
};

fn start(knobs: &KnobValues, db: &mut Database) -> Result<Box<dyn LabRun>, String> {
    index_page::start(&PAGE, knobs, db)
}

fn seed_page(knobs: &KnobValues, db: &mut Database) -> Result<(), String> {
    let rows = index_page::rows(knobs);
    let users = (rows / 10).max(100);
    seed::seed_users(db, users, SEED)?;
    seed::seed_orders(db, rows, users, SEED)?;
    seed::seed_job_queue(db, rows, SEED)?;
    index_page::create_indexes(
        db,
        &[
            "CREATE INDEX ix_orders_active ON orders (user_id, created_at) \
             WHERE status NOT IN ('cancelled', 'delivered')",
            "CREATE INDEX ix_queue_pending ON job_queue (priority, created_at) \
             WHERE processed_at IS NULL",
        ],
    )
}

fn queries(_: &KnobValues) -> Vec<Query> {
    vec![
        Query {
            label: "active orders of a user",
            sql: format!(
                "SELECT id, status, created_at FROM orders WHERE user_id = {USER} \
                 AND status NOT IN ('cancelled', 'delivered') ORDER BY created_at"
            ),
        },
        Query {
            label: "a user's orders (no predicate)",
            sql: format!(
                "SELECT id, status, created_at FROM orders WHERE user_id = {USER} ORDER BY created_at"
            ),
        },
        Query {
            label: "next job",
            sql: "SELECT id, priority FROM job_queue WHERE processed_at IS NULL \
                  ORDER BY priority, created_at LIMIT 1"
                .into(),
        },
        Query {
            label: "next job of priority 0",
            sql: "SELECT id, created_at FROM job_queue WHERE processed_at IS NULL \
                  AND priority = 0 ORDER BY created_at LIMIT 1"
                .into(),
        },
    ]
}
