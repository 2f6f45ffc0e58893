//! The session-context lab: get_session() commits the happy path, rolls back and
//! re-raises on an exception (the data as before), with BEGIN / COMMIT / ROLLBACK in the
//! log; autoflush and expire_on_commit toggled, with their visible effect.

use sqlpatterns_core::lab::{self, Block, CellStatus, KnobValues, LabView, Metric};
use sqlpatterns_core::patterns::session_context::LAB;
use std::collections::BTreeMap;

fn knobs(autoflush: &str, expire: &str) -> KnobValues {
    let raw: BTreeMap<String, String> = [
        ("autoflush".to_string(), autoflush.to_string()),
        ("expire-on-commit".to_string(), expire.to_string()),
    ]
    .into();
    KnobValues::from_raw(LAB.knobs, &raw)
}

fn ids(actions: &[&str]) -> Vec<String> {
    actions.iter().map(|s| s.to_string()).collect()
}

fn metric(view: &LabView, key: &str) -> Metric {
    match view.block("unit") {
        Some(Block::Metrics { items, .. }) => items.iter().find(|m| m.key == key).cloned().unwrap(),
        other => panic!("{other:?}"),
    }
}

fn commands(view: &LabView) -> Vec<String> {
    match view.block("statements") {
        Some(Block::Statements { entries, .. }) => {
            entries.iter().map(|e| e.command.clone()).collect()
        }
        other => panic!("{other:?}"),
    }
}

fn emails(view: &LabView) -> Vec<String> {
    match view.block("users") {
        Some(Block::Table(t)) => t.rows.iter().map(|r| r[1].text.clone()).collect(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_happy_path_commits_and_the_user_stays_readable() {
    let (mut db, run, skipped) =
        lab::replay(&LAB, &knobs("0", "0"), &ids(&["create-user"])).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    let view = run.view(&mut db);
    assert_eq!(emails(&view), ["ada@example.com", "user2@example.com"]);
    assert_eq!(commands(&view), ["BEGIN", "SELECT", "INSERT", "COMMIT"]);
    let returned = metric(&view, "returned-email");
    assert_eq!(returned.value, "'user2@example.com'");
    assert_eq!(returned.status, CellStatus::Ok);
    // autoflush=False: the lookup ran before the INSERT and found nothing.
    assert_eq!(metric(&view, "lookup-found").value, "0");
}

#[test]
fn an_exception_inside_rolls_back_and_the_data_is_as_before() {
    for autoflush in ["0", "1"] {
        let (mut db, run, skipped) =
            lab::replay(&LAB, &knobs(autoflush, "0"), &ids(&["fail-inside"])).unwrap();
        assert!(skipped.is_empty(), "{skipped:?}");
        let view = run.view(&mut db);
        assert_eq!(emails(&view), ["ada@example.com"]);
        assert_eq!(
            metric(&view, "users-before").value,
            metric(&view, "users-after").value
        );
        assert_eq!(commands(&view).last().map(String::as_str), Some("ROLLBACK"));
        let Some(Block::Outcome { error, .. }) = view.block("outcome") else {
            panic!()
        };
        assert_eq!(error.as_deref(), Some("ValueError: quota exceeded"));
    }
}

#[test]
fn autoflush_sends_the_insert_before_the_lookup() {
    let (mut db, run, _) = lab::replay(&LAB, &knobs("1", "0"), &ids(&["fail-inside"])).unwrap();
    let view = run.view(&mut db);
    // The INSERT went first, the lookup found the user, and ROLLBACK undid it.
    assert_eq!(commands(&view), ["BEGIN", "INSERT", "SELECT", "ROLLBACK"]);
    assert_eq!(metric(&view, "lookup-found").value, "1");
    assert_eq!(db.row_count("users"), Some(1));
}

#[test]
fn a_duplicate_email_is_an_integrity_error_rolled_back() {
    for autoflush in ["0", "1"] {
        let (mut db, run, _) =
            lab::replay(&LAB, &knobs(autoflush, "0"), &ids(&["duplicate-email"])).unwrap();
        let view = run.view(&mut db);
        let Some(Block::Outcome { error, .. }) = view.block("outcome") else {
            panic!()
        };
        let error = error.clone().unwrap();
        assert!(
            error.starts_with("sqlalchemy.exc.IntegrityError: "),
            "{error}"
        );
        assert!(error.contains("users_email_key"), "{error}");
        assert_eq!(emails(&view), ["ada@example.com"]);
        assert_eq!(commands(&view).last().map(String::as_str), Some("ROLLBACK"));
    }
}

#[test]
fn expire_on_commit_breaks_reading_the_user_after_the_block() {
    let (mut db, run, _) = lab::replay(&LAB, &knobs("0", "1"), &ids(&["create-user"])).unwrap();
    let view = run.view(&mut db);
    let returned = metric(&view, "returned-email");
    assert_eq!(returned.value, "DetachedInstanceError");
    assert_eq!(returned.status, CellStatus::Bad);
    // The commit itself happened.
    assert_eq!(emails(&view).len(), 2);
}

#[test]
fn reset_and_unknown_actions() {
    let (mut db, mut run, _) = lab::replay(
        &LAB,
        &knobs("0", "0"),
        &ids(&["create-user", "create-user"]),
    )
    .unwrap();
    assert_eq!(db.row_count("users"), Some(3));
    assert!(run.apply(&mut db, "nope").is_err());
    run.apply(&mut db, "reset").unwrap();
    assert_eq!(db.row_count("users"), Some(1));
}
