//! The read-only transactions lab: a write inside the report is refused with the engine's
//! error; a second session writing between the report's queries makes the report's
//! totals disagree without the snapshot transaction, and not with it.

use sqlpatterns_core::lab::{self, Block, CellStatus, KnobValues, LabView, Metric};
use sqlpatterns_core::patterns::read_only_transactions::LAB;
use std::collections::BTreeMap;

fn knobs(transaction: &str) -> KnobValues {
    let raw: BTreeMap<String, String> =
        [("transaction".to_string(), transaction.to_string())].into();
    KnobValues::from_raw(LAB.knobs, &raw)
}

fn ids(actions: &[&str]) -> Vec<String> {
    actions.iter().map(|s| s.to_string()).collect()
}

fn metric(view: &LabView, key: &str) -> Metric {
    match view.block("report") {
        Some(Block::Metrics { items, .. }) => items.iter().find(|m| m.key == key).cloned().unwrap(),
        other => panic!("{other:?}"),
    }
}

fn rows(view: &LabView, id: &str) -> usize {
    match view.block(id) {
        Some(Block::Table(t)) => t.rows.len(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn without_the_transaction_the_totals_do_not_add_up() {
    let (mut db, run, skipped) = lab::replay(&LAB, &knobs("0"), &ids(&["run"])).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    let view = run.view(&mut db);
    assert_eq!(metric(&view, "listed-orders").value, "3");
    assert_eq!(metric(&view, "listed-total").value, "75.00");
    assert_eq!(metric(&view, "metrics-orders").value, "4");
    assert_eq!(metric(&view, "metrics-total").value, "135.00");
    let consistent = metric(&view, "consistent");
    assert_eq!(
        (consistent.value.as_str(), consistent.status),
        ("no", CellStatus::Bad)
    );
    // Every statement ran on the page's database: the report's and the writer's.
    let commands: Vec<&str> = db
        .log()
        .entries()
        .iter()
        .map(|e| e.command.as_str())
        .collect();
    assert_eq!(
        commands,
        ["SELECT", "SELECT", "BEGIN", "INSERT", "COMMIT", "SELECT"]
    );
    assert!(view.block("report-statements").is_none());
}

#[test]
fn in_one_snapshot_transaction_the_report_adds_up() {
    let (mut db, run, skipped) = lab::replay(&LAB, &knobs("1"), &ids(&["run"])).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    let view = run.view(&mut db);
    assert_eq!(metric(&view, "metrics-orders").value, "3");
    assert_eq!(metric(&view, "metrics-total").value, "75.00");
    assert_eq!(metric(&view, "consistent").status, CellStatus::Ok);
    // The other session's order is committed: the database has it now.
    assert_eq!(rows(&view, "orders"), 7);
    assert_eq!(db.row_count("orders"), Some(7));
    // The report's own statements, in its snapshot transaction.
    let Some(Block::Statements { entries, .. }) = view.block("report-statements") else {
        panic!()
    };
    let commands: Vec<&str> = entries.iter().map(|e| e.command.as_str()).collect();
    assert_eq!(
        commands,
        ["BEGIN", "SET", "SELECT", "SELECT", "SELECT", "COMMIT"]
    );
}

#[test]
fn a_write_in_the_report_is_refused_and_the_report_goes_on() {
    let (mut db, run, skipped) = lab::replay(&LAB, &knobs("1"), &ids(&["begin", "write"])).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    let view = run.view(&mut db);
    let Some(Block::Outcome { error, .. }) = view.block("outcome") else {
        panic!()
    };
    assert_eq!(
        error.as_deref(),
        Some("cannot execute UPDATE in a read-only transaction")
    );
    let Some(Block::Table(trail)) = view.block("trail") else {
        panic!()
    };
    let update = trail
        .rows
        .iter()
        .find(|r| r[2].text.starts_with("UPDATE"))
        .unwrap();
    assert_eq!(update[3].status, CellStatus::Bad);
    assert_eq!(
        update[3].detail.as_deref(),
        Some("cannot execute UPDATE in a read-only transaction")
    );
    assert_eq!(db.row_count("orders"), Some(6));
    // After ROLLBACK TO SAVEPOINT the report runs to the end.
    let (mut db, run, skipped) =
        lab::replay(&LAB, &knobs("1"), &ids(&["begin", "write", "run"])).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    let view = run.view(&mut db);
    assert_eq!(metric(&view, "consistent").value, "yes");
    assert!(!run.actions().iter().any(|a| a.id == "write" && a.enabled));
}

#[test]
fn the_write_action_needs_the_read_only_transaction() {
    let (mut db, mut run, _) = lab::replay(&LAB, &knobs("0"), &[]).unwrap();
    assert!(run.apply(&mut db, "write").is_err());
    assert!(run.apply(&mut db, "begin").is_err());
    let (mut db, mut run, _) = lab::replay(&LAB, &knobs("1"), &[]).unwrap();
    assert!(run.apply(&mut db, "write").is_err());
    run.apply(&mut db, "run").unwrap();
    run.apply(&mut db, "reset").unwrap();
    assert_eq!(db.row_count("orders"), Some(6));
}
