//! The query-caching lab: hits, misses, the stale read after an update without
//! invalidation, TTL expiry on the virtual clock, and invalidation fixing the stale read.

use sqlpatterns_core::engine::{Database, StatementKind};
use sqlpatterns_core::lab::{replay, Block, CellStatus, KnobValues, LabRun, LabView};
use sqlpatterns_core::patterns::lab_for;

fn started(actions: &[&str]) -> (Database, Box<dyn LabRun>) {
    let lab = lab_for("query-caching").unwrap();
    let actions: Vec<String> = actions.iter().map(|a| a.to_string()).collect();
    let (db, run, skipped) = replay(lab, &KnobValues::defaults(lab.knobs), &actions).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    (db, run)
}

/// (result, status, price) of each get in the events table.
fn gets(view: &LabView) -> Vec<(String, CellStatus, String)> {
    let Some(Block::Table(events)) = view.block("cache-events") else {
        panic!("no events");
    };
    events
        .rows
        .iter()
        .filter(|r| r[1].text == "get_product(1)")
        .map(|r| (r[3].text.clone(), r[3].status, r[4].text.clone()))
        .collect()
}

fn metric(view: &LabView, key: &str) -> String {
    let Some(Block::Metrics { items, .. }) = view.block("metrics") else {
        panic!("no metrics");
    };
    items.iter().find(|m| m.key == key).unwrap().value.clone()
}

#[test]
fn a_miss_reads_the_database_and_a_hit_does_not() {
    let (mut db, run) = started(&["get", "get"]);
    let view = run.view(&mut db);
    assert_eq!(
        gets(&view),
        [
            ("miss".to_string(), CellStatus::Changed, "49.00".to_string()),
            ("hit".to_string(), CellStatus::Ok, "49.00".to_string()),
        ]
    );
    let selects = db
        .log()
        .entries()
        .iter()
        .filter(|e| e.kind == StatementKind::Select)
        .count();
    assert_eq!(selects, 1, "only the miss queried the database");
    assert_eq!(metric(&view, "hits"), "1");
    assert_eq!(metric(&view, "misses"), "1");
}

#[test]
fn an_update_without_invalidation_serves_a_stale_price_until_the_ttl_runs_out() {
    // TTL 60 s: two advances of 30 s expire the key.
    let (mut db, run) = started(&["get", "update-price", "get", "advance", "advance", "get"]);
    let view = run.view(&mut db);
    let results = gets(&view);
    assert_eq!(results[1].0, "stale");
    assert_eq!(results[1].1, CellStatus::Warn);
    assert_eq!(
        results[1].2, "49.00",
        "the cache still serves the old price"
    );
    assert_eq!(results[2].0, "miss");
    assert_eq!(results[2].2, "54.00", "after expiry the new price is read");
    assert_eq!(metric(&view, "stale"), "1");
    // The update really ran on the page's database.
    assert!(db
        .log()
        .entries()
        .iter()
        .any(|e| e.kind == StatementKind::Update && e.sql.contains("products")));
}

#[test]
fn invalidation_makes_the_next_get_read_the_new_price() {
    let (mut db, mut run) = started(&["get", "update-and-invalidate", "get"]);
    let view = run.view(&mut db);
    let results = gets(&view);
    assert_eq!(results[1].0, "miss");
    assert_eq!(results[1].2, "54.00");
    assert_eq!(metric(&view, "stale"), "0");
    assert!(matches!(
        view.block("simulation"),
        Some(Block::Note { text, .. }) if text.starts_with("Simulation:")
    ));
    assert!(run.apply(&mut db, "nope").is_err());
}
