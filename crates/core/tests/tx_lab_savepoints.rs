//! The savepoints lab: complex_operation() keeps the user and drops only the risky rows
//! when begin_nested() wraps the risky step; without it the whole transaction is lost.

use sqlpatterns_core::lab::{self, Block, CellStatus, KnobValues, LabView};
use sqlpatterns_core::patterns::savepoints::LAB;
use std::collections::BTreeMap;

fn knobs(savepoint: &str) -> KnobValues {
    let raw: BTreeMap<String, String> = [("savepoint".to_string(), savepoint.to_string())].into();
    KnobValues::from_raw(LAB.knobs, &raw)
}

fn ids(actions: &[&str]) -> Vec<String> {
    actions.iter().map(|s| s.to_string()).collect()
}

fn metric(view: &LabView, key: &str) -> String {
    match view.block("state") {
        Some(Block::Metrics { items, .. }) => items
            .iter()
            .find(|m| m.key == key)
            .map(|m| m.value.clone())
            .unwrap(),
        other => panic!("{other:?}"),
    }
}

fn table_rows(view: &LabView, id: &str) -> Vec<Vec<String>> {
    match view.block(id) {
        Some(Block::Table(t)) => t
            .rows
            .iter()
            .map(|r| r.iter().map(|c| c.text.clone()).collect())
            .collect(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_outer_commit_keeps_the_user_and_drops_only_the_risky_rows() {
    let (mut db, run, skipped) = lab::replay(&LAB, &knobs("1"), &ids(&["run"])).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    let view = run.view(&mut db);
    assert_eq!(metric(&view, "transaction"), "idle");
    assert_eq!(table_rows(&view, "users"), [["1", "ada@example.com"]]);
    assert!(table_rows(&view, "imported-orders").is_empty());
    let failures = table_rows(&view, "operation-failures");
    assert_eq!(failures.len(), 1);
    assert!(
        failures[0][2].starts_with("RiskyOperationError: "),
        "{failures:?}"
    );
    // The statements really ran, in this order, on the page's database.
    let commands: Vec<String> = db
        .log()
        .entries()
        .iter()
        .map(|e| e.command.clone())
        .collect();
    assert_eq!(
        commands,
        [
            "BEGIN",
            "INSERT",
            "SAVEPOINT",
            "INSERT",
            "INSERT",
            "INSERT",
            "ROLLBACK",
            "INSERT",
            "COMMIT"
        ]
    );
    assert!(db.log().entries()[5].outcome != sqlpatterns_core::engine::LogOutcome::Affected(1));
}

#[test]
fn stepping_shows_the_data_at_every_step() {
    let steps = ["begin", "create-user", "savepoint", "risky"];
    let (mut db, run, skipped) = lab::replay(&LAB, &knobs("1"), &ids(&steps)).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    let view = run.view(&mut db);
    assert_eq!(metric(&view, "transaction"), "aborted");
    // The two rows risky_operation() wrote before failing, seen inside the transaction.
    assert_eq!(table_rows(&view, "imported-orders").len(), 2);
    let Some(Block::Table(steps_table)) = view.block("steps") else {
        panic!()
    };
    let risky = &steps_table.rows[3][2];
    assert_eq!(risky.status, CellStatus::Bad);
    assert!(
        risky.detail.as_deref().unwrap_or("").contains("check"),
        "{risky:?}"
    );
    // The next step only.
    let actions = run.actions();
    let enabled: Vec<&str> = actions
        .iter()
        .filter(|a| a.enabled)
        .map(|a| a.id.as_str())
        .collect();
    assert_eq!(enabled, ["rollback-to-savepoint", "run", "reset"]);
    let (mut db, run, _) = lab::replay(
        &LAB,
        &knobs("1"),
        &ids(&[&steps[..], &["rollback-to-savepoint"]].concat()),
    )
    .unwrap();
    let view = run.view(&mut db);
    assert_eq!(
        metric(&view, "transaction"),
        "in transaction (savepoint sa_savepoint_1)"
    );
    assert_eq!(table_rows(&view, "users").len(), 1);
    assert!(table_rows(&view, "imported-orders").is_empty());
}

#[test]
fn without_the_savepoint_the_whole_transaction_is_lost() {
    let (mut db, run, skipped) = lab::replay(&LAB, &knobs("0"), &ids(&["run"])).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    let view = run.view(&mut db);
    assert!(table_rows(&view, "users").is_empty());
    assert!(table_rows(&view, "operation-failures").is_empty());
    let Some(Block::Outcome { text, .. }) = view.block("outcome") else {
        panic!()
    };
    assert!(text.contains("whole transaction is lost"), "{text}");
    let trail = table_rows(&view, "trail");
    let log_failure = trail.iter().find(|r| r[0] == "log-failure").unwrap();
    assert_eq!(log_failure[3], "ERROR");
    assert_eq!(db.log().entries().last().unwrap().command, "ROLLBACK");
    assert!(run.actions().iter().all(|a| a.id != "savepoint"));
}

#[test]
fn out_of_order_and_unknown_actions_are_errors() {
    let (mut db, mut run, _) = lab::replay(&LAB, &knobs("1"), &[]).unwrap();
    assert!(run.apply(&mut db, "commit").is_err());
    assert!(run.apply(&mut db, "nope").is_err());
    run.apply(&mut db, "run").unwrap();
    assert!(run.apply(&mut db, "run").is_err());
    run.apply(&mut db, "reset").unwrap();
    assert_eq!(db.row_count("users"), Some(0));
    run.apply(&mut db, "run").unwrap();
    assert_eq!(db.row_count("users"), Some(1));
}
