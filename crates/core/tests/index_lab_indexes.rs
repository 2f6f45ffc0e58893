//! The index labs on the real engine: each reference query with its index, without, and
//! with the alternative (columns reversed, a full index, a plain column index).

use sqlpatterns_core::lab::{replay, Block, CellStatus, KnobValues, Lab, LabView, TableBlock};
use sqlpatterns_core::patterns::lab_for;
use std::collections::BTreeMap;

fn run(slug: &str, rows: &str) -> LabView {
    let lab: &Lab = lab_for(slug).expect("live");
    let raw: BTreeMap<String, String> = [("rows".to_string(), rows.to_string())].into();
    let knobs = KnobValues::from_raw(lab.knobs, &raw);
    let (mut db, run, skipped) = replay(lab, &knobs, &["run".to_string()]).expect("starts");
    assert!(skipped.is_empty(), "{skipped:?}");
    let view = run.view(&mut db);
    if let Some(Block::Outcome { error: Some(e), .. }) = view.block("outcome") {
        panic!("{slug}: {e}");
    }
    view
}

fn queries(view: &LabView) -> &TableBlock {
    match view.block("queries") {
        Some(Block::Table(t)) => t,
        other => panic!("no queries table: {other:?}"),
    }
}

/// The cell of query `label` in column `column`.
fn cell<'a>(t: &'a TableBlock, label: &str, column: &str) -> &'a sqlpatterns_core::lab::Cell {
    let c = t
        .columns
        .iter()
        .position(|c| c == column)
        .unwrap_or_else(|| panic!("no column {column}: {:?}", t.columns));
    let row = t
        .rows
        .iter()
        .find(|r| r[0].text == label)
        .unwrap_or_else(|| panic!("no query {label}"));
    &row[c]
}

fn rows_examined(t: &TableBlock, label: &str, set: &str) -> u64 {
    cell(t, label, &format!("{set}: rows examined"))
        .text
        .replace(',', "")
        .parse()
        .unwrap()
}

fn access<'a>(t: &'a TableBlock, label: &str, set: &str) -> &'a str {
    &cell(t, label, &format!("{set}: access")).text
}

fn metric(view: &LabView, key: &str) -> u64 {
    match view.block("entries-metrics") {
        Some(Block::Metrics { items, .. }) => items
            .iter()
            .find(|m| m.key == key)
            .unwrap_or_else(|| panic!("no metric {key}"))
            .value
            .replace(',', "")
            .parse()
            .unwrap(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn composite_indexes_seek_on_their_leading_column() {
    let view = run("composite-index", "5000");
    let t = queries(&view);
    assert!(access(t, "user + status", "with the index").contains("ix_orders_user_status"));
    assert_eq!(access(t, "user + status", "without an index"), "full scan");
    let with = rows_examined(t, "user + status", "with the index");
    let reversed = rows_examined(t, "user + status", "columns reversed");
    let without = rows_examined(t, "user + status", "without an index");
    assert_eq!(without, 5000);
    assert!(
        with < reversed && reversed < without,
        "{with} {reversed} {without}"
    );
    assert_eq!(
        cell(t, "user + status", "with the index: access").status,
        CellStatus::Ok
    );
    // Only the index that leads with user_id serves a query on user_id alone.
    assert!(access(t, "user only", "with the index").contains("ix_orders_user_status"));
    assert_eq!(access(t, "user only", "columns reversed"), "full scan");
    assert_eq!(
        cell(t, "user only", "columns reversed: access").status,
        CellStatus::Warn
    );
    assert!(access(t, "status, by date", "with the index").contains("ix_orders_status_created"));
    assert_eq!(metric(&view, "entries-with"), 10_000);
    assert_eq!(metric(&view, "entries-without"), 0);
}

#[test]
fn the_run_leaves_the_reference_indexes_in_place() {
    let lab = lab_for("composite-index").unwrap();
    let (mut db, mut run, _) = replay(lab, &KnobValues::defaults(lab.knobs), &[]).unwrap();
    run.apply(&mut db, "run").unwrap();
    let names = db.index_names("orders");
    assert!(names.contains(&"ix_orders_user_status".to_string()));
    assert!(!names.contains(&"ix_orders_status_user".to_string()));
    assert!(run.apply(&mut db, "nope").is_err());
}

#[test]
fn partial_indexes_hold_a_fraction_and_serve_only_queries_that_repeat_the_predicate() {
    let view = run("partial-index", "5000");
    let t = queries(&view);
    let label = "active orders of a user";
    assert!(access(t, label, "partial index").contains("ix_orders_active"));
    let partial = rows_examined(t, label, "partial index");
    let full = rows_examined(t, label, "full index");
    let none = rows_examined(t, label, "without an index");
    assert!(partial < full && full < none, "{partial} {full} {none}");
    // Without the predicate the partial index cannot serve the query.
    let label = "a user's orders (no predicate)";
    assert_eq!(rows_examined(t, label, "partial index"), 5000);
    assert!(access(t, label, "full index").contains("ix_orders_user_created"));
    let label = "next job of priority 0";
    assert!(access(t, label, "partial index").contains("ix_queue_pending"));
    assert!(rows_examined(t, label, "partial index") < rows_examined(t, label, "full index"));
    // Entries: the partial indexes hold the active orders and the pending jobs only.
    let with = metric(&view, "entries-with");
    let full = metric(&view, "entries-full");
    assert_eq!(full, 10_000);
    assert!(with * 4 < full, "{with} of {full}");
}

#[test]
fn expression_indexes_serve_exactly_their_expression() {
    let view = run("expression-index", "5000");
    let t = queries(&view);
    let label = "email, any case";
    assert!(access(t, label, "expression index").contains("ix_users_email_lower"));
    assert_eq!(rows_examined(t, label, "expression index"), 1);
    // The column's own index (the UNIQUE email) does not serve LOWER(email).
    assert_eq!(access(t, label, "without an index"), "full scan");
    assert_eq!(rows_examined(t, label, "column index"), 5000);
    assert!(access(t, "email, exact", "without an index").contains("users_email_key"));
    for label in ["orders of a day", "orders of a week"] {
        assert!(
            access(t, label, "expression index").contains("ix_orders_date"),
            "{label}"
        );
        assert_eq!(access(t, label, "column index"), "full scan", "{label}");
        let with = rows_examined(t, label, "expression index");
        assert!(
            with < rows_examined(t, label, "without an index"),
            "{label}"
        );
    }
    assert!(rows_examined(t, "orders of a day", "expression index") < 100);
    // The same day written as a range on the column uses the column's index.
    assert!(access(t, "a day as a range", "column index").contains("ix_orders_created"));
    // Same answers whatever the index.
    let Some(Block::Statements { entries, .. }) = view.block("statements") else {
        panic!()
    };
    let day_counts: Vec<_> = entries
        .iter()
        .filter(|e| e.sql.contains("DATE(created_at) = '2024-03-01'"))
        .map(|e| e.outcome.clone())
        .collect();
    assert_eq!(day_counts.len(), 3);
}
