//! concurrent-index: the index build is real and measured, the lock timeline follows the
//! variant, the lint catches the plain build and CONCURRENTLY in a transaction, and the
//! query examines fewer rows once the index exists.

mod migration_support;
use migration_support::*;
use sqlpatterns_core::lab::{Block, CellStatus};

const SLUG: &str = "concurrent-index";

fn metric(view: &sqlpatterns_core::lab::LabView, key: &str) -> String {
    match view.block("index-build") {
        Some(Block::Metrics { items, .. }) => {
            items.iter().find(|m| m.key == key).unwrap().value.clone()
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_index_cuts_the_rows_the_query_examines() {
    let mut page = replay(SLUG, &[("rows", "2000")], &["next"]);
    let view = page.view();
    let queries = table(&view, "queries");
    let examined: Vec<u64> = queries
        .rows
        .iter()
        .map(|r| r[2].text.parse().unwrap())
        .collect();
    // Before: the whole table (2000 seed rows + v1's order); after: the last hour only.
    assert!(examined[0] >= 2000, "{examined:?}");
    assert!(examined[1] < 100, "{examined:?}");
    assert!(
        queries.rows[1][3].text.contains("ix_orders_created_at"),
        "{:?}",
        queries.rows[1]
    );
    // Both read the same last hour (61 orders: 60 seeded, and v1's new ones).
    assert_eq!(queries.rows[0][1].text, "61");
    assert_eq!(queries.rows[1][1].text, "62");
    assert!(page
        .db
        .index_names("orders")
        .contains(&"ix_orders_created_at".to_string()));
}

#[test]
fn a_plain_build_blocks_the_writes_and_a_concurrent_one_does_not() {
    let mut plain = replay(SLUG, &[("plan", "unsafe")], &["next"]);
    let view = plain.view();
    assert_eq!(metric(&view, "writes-blocked"), "5");
    assert_eq!(metric(&view, "rows-indexed"), "1001");
    assert_eq!(lint_rules(&view), ["require-concurrent-index-creation"]);
    let Some(Block::Timeline(t)) = view.block("lock-timeline") else {
        panic!()
    };
    assert!(t.lanes[1].spans.iter().any(|s| s.kind == "blocked"));
    assert!(matches!(
        view.block("simulation"),
        Some(Block::Note {
            kind: sqlpatterns_core::lab::NoteKind::Simulation,
            ..
        })
    ));

    let mut safe = replay(SLUG, &[], &["next"]);
    let view = safe.view();
    assert_eq!(metric(&view, "writes-blocked"), "0");
    assert!(lint_rules(&view).is_empty());
    assert_eq!(matrix_cell(&view, "v1", "1.").status, CellStatus::Ok);
}

#[test]
fn concurrently_inside_a_transaction_is_refused_by_the_engine_and_the_lint() {
    let mut page = replay(SLUG, &[("plan", "in-transaction")], &["next"]);
    let view = page.view();
    let cell = matrix_cell(&view, "migration", "1.");
    assert_eq!(cell.status, CellStatus::Bad);
    assert!(cell
        .detail
        .as_ref()
        .unwrap()
        .contains("cannot run inside a transaction block"));
    assert_eq!(lint_rules(&view), ["concurrent-index-in-transaction"]);
    assert!(!page
        .db
        .index_names("orders")
        .contains(&"ix_orders_created_at".to_string()));
    assert!(view.block("lock-timeline").is_none());
}

#[test]
fn stepping_back_drops_the_index_and_keeps_the_orders() {
    let mut page = replay(SLUG, &[], &["next", "back"]);
    assert!(!page
        .db
        .index_names("orders")
        .contains(&"ix_orders_created_at".to_string()));
    assert_eq!(page.db.row_count("orders"), Some(1000 + 3));
    let view = page.view();
    let diff = table(&view, "schema-diff");
    assert!(diff
        .rows
        .iter()
        .any(|r| r[1].text == "ix_orders_created_at" && r[4].status == CellStatus::Removed));
}
