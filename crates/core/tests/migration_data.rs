//! data-migration: schema and data in separate steps; the copy runs in batches with
//! progress, resumes where it stopped, and a rerun changes nothing; the single statement is
//! flagged by the lint and does not survive a rerun.

mod migration_support;
use migration_support::*;
use sqlpatterns_core::lab::{Block, CellStatus, LabView};

const SLUG: &str = "data-migration";

fn metric(view: &LabView, key: &str) -> String {
    match view.block("backfill-progress") {
        Some(Block::Metrics { items, .. }) => {
            items.iter().find(|m| m.key == key).unwrap().value.clone()
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_copy_runs_in_ten_batches_and_copies_every_user_with_preferences() {
    let mut page = replay(SLUG, &[], &["next", "next"]);
    let view = page.view();
    let batches = table(&view, "backfill");
    assert_eq!(batches.rows.len(), 11, "1..1000 and v1's new users");
    let total: usize = batches
        .rows
        .iter()
        .map(|r| r[2].text.parse::<usize>().unwrap())
        .sum();
    let with_preferences = count(
        &mut page.db,
        "SELECT COUNT(*) FROM users WHERE preferences IS NOT NULL",
    );
    assert_eq!(total as i64, with_preferences);
    assert_eq!(
        count(&mut page.db, "SELECT COUNT(*) FROM user_settings"),
        with_preferences
    );
    assert_eq!(metric(&view, "percent"), "100%");
    assert!(lint_rules(&view).is_empty());
    assert_eq!(matrix_cell(&view, "migration", "2.").status, CellStatus::Ok);
}

#[test]
fn batches_show_progress_and_next_resumes_where_they_stopped() {
    let mut page = replay(SLUG, &[], &["next", "batch", "batch"]);
    let view = page.view();
    // Keys 1..200: two in three users have preferences.
    assert_eq!(metric(&view, "copied"), "134");
    assert_eq!(metric(&view, "to-copy"), "667");
    assert_eq!(metric(&view, "percent"), "20%");
    assert_eq!(
        count(&mut page.db, "SELECT COUNT(*) FROM user_settings"),
        134
    );
    page.apply("next");
    let view = page.view();
    let batches = table(&view, "backfill");
    // Resumed at key 201: nine more batches, none starting over.
    assert_eq!(batches.rows[0][1].text, "201 .. 300");
    assert_eq!(metric(&view, "percent"), "100%");
}

#[test]
fn running_the_batched_copy_twice_changes_nothing() {
    let mut page = replay(SLUG, &[], &["next", "next"]);
    let before = count(&mut page.db, "SELECT COUNT(*) FROM user_settings");
    page.apply("rerun-backfill");
    let view = page.view();
    assert_eq!(
        count(&mut page.db, "SELECT COUNT(*) FROM user_settings"),
        before
    );
    let (text, error) = outcome(&view);
    assert!(error.is_none());
    assert!(text.contains("0 rows changed"), "{text}");
    let batches = table(&view, "backfill");
    assert!(batches.rows.iter().all(|r| r[2].text == "0"));
    assert_eq!(batches.rows[0][6].text, "skipped: done");
}

#[test]
fn the_single_statement_is_flagged_and_fails_when_run_again() {
    let mut page = replay(SLUG, &[("plan", "unsafe")], &["next"]);
    let view = page.view();
    assert_eq!(lint_rules(&view), ["unbatched-backfill"]);
    let before = count(&mut page.db, "SELECT COUNT(*) FROM user_settings");
    assert_eq!(
        before,
        count(
            &mut page.db,
            "SELECT COUNT(*) FROM users WHERE preferences IS NOT NULL"
        )
    );
    page.apply("rerun-backfill");
    let (_, error) = outcome(&page.view());
    assert!(error.unwrap().contains("duplicate key"));
    assert_eq!(
        count(&mut page.db, "SELECT COUNT(*) FROM user_settings"),
        before
    );
}

#[test]
fn v2_reads_the_copied_settings_and_stepping_back_keeps_the_users() {
    let mut page = replay(SLUG, &[], &["next", "next", "next", "next"]);
    let view = page.view();
    assert_eq!(matrix_cell(&view, "v2", "4.").status, CellStatus::Ok);
    assert!(view.block("data-user-settings").is_some());
    let users = page.db.row_count("users").unwrap();
    for _ in 0..4 {
        page.apply("back");
    }
    assert_eq!(page.db.row_count("user_settings"), None);
    // Every user written on the way stays, plus the requests after each step back (v1 and
    // v2 at phase 3, v1 alone at phases 2, 1 and 0).
    assert_eq!(page.db.row_count("users").unwrap(), users + 5);
}
