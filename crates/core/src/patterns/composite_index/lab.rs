//! The composite-index lab: the reference's two composite indexes on `orders`, measured
//! against no index and against the same columns in the other order.

use crate::engine::Database;
use crate::index_lab::compare::{IndexSet, Query};
use crate::index_lab::index_page::{self, IndexPage};
use crate::index_lab::seed;
use crate::lab::{KnobValues, Lab, LabRun, NoteKind};

pub static LAB: Lab = Lab {
    knobs: &index_page::KNOBS,
    note: Some("The engine layer, not GlueSQL, provides composite indexes."),
    start,
};

const SEED: u64 = 0xC0_3905;
/// A customer among the busy tenth: enough orders for the difference to show.
const USER: i64 = 7;

const REFERENCE: [(&str, &str); 2] = [
    ("orders", "ix_orders_user_status"),
    ("orders", "ix_orders_status_created"),
];

static SETS: [IndexSet; 3] = [
    index_page::reference_set("with the index", &REFERENCE),
    index_page::WITHOUT,
    IndexSet {
        key: "reversed",
        label: "columns reversed",
        indexes: &[
            ("orders", "ix_orders_status_user"),
            ("orders", "ix_orders_created_status"),
        ],
        create: &[
            "CREATE INDEX ix_orders_status_user ON orders (status, user_id)",
            "CREATE INDEX ix_orders_created_status ON orders (created_at, status)",
        ],
    },
];

static PAGE: IndexPage = IndexPage {
    seed: seed_page,
    reference: &REFERENCE,
    sets: &SETS,
    queries,
    main_table: "orders",
    notes: &[(
        "engine-note",
        NoteKind::Engine,
        "Our engine seeks a composite index on its leading column and checks the other \
         columns row by row, so (user_id, status) reads all of user 7's orders, and (status, \
         created_at) reads every pending order and sorts them. PostgreSQL seeks on both \
         columns and reads just the 20 oldest pending entries; the leading-column rule \
         (query 'user only') is the same in both.",
    )],
};

fn start(knobs: &KnobValues, db: &mut Database) -> Result<Box<dyn LabRun>, String> {
    index_page::start(&PAGE, knobs, db)
}

fn seed_page(knobs: &KnobValues, db: &mut Database) -> Result<(), String> {
    let rows = index_page::rows(knobs);
    let users = (rows / 10).max(100);
    seed::seed_users(db, users, SEED)?;
    seed::seed_orders(db, rows, users, SEED)?;
    index_page::create_indexes(
        db,
        &[
            "CREATE INDEX ix_orders_user_status ON orders (user_id, status)",
            "CREATE INDEX ix_orders_status_created ON orders (status, created_at)",
        ],
    )
}

fn queries(_: &KnobValues) -> Vec<Query> {
    vec![
        Query {
            label: "user + status",
            sql: format!(
                "SELECT id, total, created_at FROM orders WHERE user_id = {USER} AND status = 'pending'"
            ),
        },
        Query {
            label: "status, by date",
            sql: "SELECT id, user_id, created_at FROM orders WHERE status = 'pending' \
                  ORDER BY created_at LIMIT 20"
                .into(),
        },
        Query {
            label: "user only",
            sql: format!("SELECT id, status, created_at FROM orders WHERE user_id = {USER}"),
        },
    ]
}
