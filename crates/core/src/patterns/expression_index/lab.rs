//! The expression-index lab: LOWER(email) and DATE(created_at) indexes, measured against
//! no index and against plain indexes on the columns.

use crate::engine::Database;
use crate::index_lab::compare::{IndexSet, Query};
use crate::index_lab::index_page::{self, IndexPage};
use crate::index_lab::seed;
use crate::lab::{KnobValues, Lab, LabRun, NoteKind};

pub static LAB: Lab = Lab {
    knobs: &index_page::KNOBS,
    note: Some("The engine layer, not GlueSQL, provides expression indexes."),
    start,
};

const SEED: u64 = 0xE4_9E55;

const REFERENCE: [(&str, &str); 2] = [
    ("users", "ix_users_email_lower"),
    ("orders", "ix_orders_date"),
];

static SETS: [IndexSet; 3] = [
    index_page::reference_set("expression index", &REFERENCE),
    index_page::WITHOUT,
    IndexSet {
        key: "column",
        label: "column index",
        indexes: &[("orders", "ix_orders_created")],
        create: &["CREATE INDEX ix_orders_created ON orders (created_at)"],
    },
];

static PAGE: IndexPage = IndexPage {
    seed: seed_page,
    reference: &REFERENCE,
    sets: &SETS,
    queries,
    main_table: "users",
    notes: &[(
        "timezone-note",
        NoteKind::Engine,
        "orders.created_at is a TIMESTAMP (without time zone) in this lab, so the date index \
         is DATE(created_at), which PostgreSQL accepts for that type. On the reference's \
         TIMESTAMPTZ column PostgreSQL refuses it (42P17: the date depends on the session's \
         time zone) and so does the console here; DATE(created_at AT TIME ZONE 'UTC') is \
         the fix the reference code shows, and it runs here too. users_email_key (the UNIQUE email) is a plain column index in every \
         set: it serves 'email, exact' but never LOWER(email). A range seeks from one of its \
         bounds and checks the other row by row ('orders of a week').",
    )],
};

fn start(knobs: &KnobValues, db: &mut Database) -> Result<Box<dyn LabRun>, String> {
    index_page::start(&PAGE, knobs, db)
}

fn seed_page(knobs: &KnobValues, db: &mut Database) -> Result<(), String> {
    let rows = index_page::rows(knobs);
    seed::seed_users(db, rows, SEED)?;
    seed::seed_orders(db, rows, rows, SEED)?;
    index_page::create_indexes(
        db,
        &[
            "CREATE INDEX ix_users_email_lower ON users (LOWER(email))",
            "CREATE INDEX ix_orders_date ON orders (DATE(created_at))",
        ],
    )
}

/// A user who exists at every size, typed in another case than stored.
const USER: i64 = 912;

fn queries(_: &KnobValues) -> Vec<Query> {
    let stored = seed::email_of(USER);
    vec![
        Query {
            label: "email, any case",
            sql: format!(
                "SELECT id, email FROM users WHERE LOWER(email) = LOWER('{}')",
                stored.to_uppercase()
            ),
        },
        Query {
            label: "email, exact",
            sql: format!("SELECT id, email FROM users WHERE email = '{stored}'"),
        },
        Query {
            label: "orders of a day",
            sql: "SELECT COUNT(*) FROM orders WHERE DATE(created_at) = '2024-03-01'".into(),
        },
        Query {
            label: "orders of a week",
            sql: "SELECT COUNT(*) FROM orders WHERE DATE(created_at) >= '2024-03-01' \
                  AND DATE(created_at) < '2024-03-08'"
                .into(),
        },
        Query {
            label: "a day as a range",
            sql: "SELECT COUNT(*) FROM orders WHERE created_at >= '2024-03-01' \
                  AND created_at < '2024-03-02'"
                .into(),
        },
    ]
}
