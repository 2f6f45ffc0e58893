//! safe-column-removal: nullable, stop writing, drop is green; stopping to write a NOT NULL
//! column breaks the new code; dropping first breaks the running old code.

mod migration_support;
use migration_support::*;
use sqlpatterns_core::lab::CellStatus;

const SLUG: &str = "safe-column-removal";

#[test]
fn the_safe_order_is_green_and_the_drop_is_quiet_in_the_lint() {
    let mut page = replay(SLUG, &[], &["next", "next", "next", "next"]);
    let view = page.view();
    let matrix = table(&view, "matrix");
    assert!(matrix
        .rows
        .iter()
        .flat_map(|r| &r[1..])
        .all(|c| c.status != CellStatus::Bad));
    assert!(lint_rules(&view).is_empty());
    assert!(!page
        .db
        .columns("users")
        .iter()
        .any(|c| c.0 == "legacy_field"));
}

#[test]
fn dropping_first_breaks_the_running_v1_and_the_lint_says_so() {
    let mut page = replay(SLUG, &[("plan", "unsafe")], &["next"]);
    let view = page.view();
    let cell = matrix_cell(&view, "v1", "1.");
    assert_eq!(cell.status, CellStatus::Bad);
    assert!(
        cell.detail.as_ref().unwrap().contains("legacy_field"),
        "{cell:?}"
    );
    assert_eq!(lint_rules(&view), ["dropping-column-in-use"]);
}

#[test]
fn stopping_to_write_a_not_null_column_breaks_the_new_code() {
    let mut page = replay(SLUG, &[("plan", "reference")], &["next"]);
    let view = page.view();
    let cell = matrix_cell(&view, "v2", "1.");
    assert_eq!(cell.status, CellStatus::Bad);
    assert_eq!(matrix_cell(&view, "v1", "1.").status, CellStatus::Ok);
}

#[test]
fn stepping_back_over_the_drop_re_adds_an_empty_column_and_says_so() {
    let mut page = replay(SLUG, &[], &["next", "next", "next", "next", "back"]);
    let view = page.view();
    assert!(page
        .db
        .columns("users")
        .iter()
        .any(|c| c.0 == "legacy_field" && !c.2));
    let rows = page.db.row_count("users").unwrap();
    assert_eq!(
        count(
            &mut page.db,
            "SELECT COUNT(*) FROM users WHERE legacy_field IS NULL"
        ) as usize,
        rows
    );
    assert!(view.block("downgrade-note").is_some());
}

#[test]
fn the_downgrade_to_not_null_fails_once_v2_wrote_nulls_and_the_page_stays() {
    let mut page = replay(SLUG, &[], &["next", "next", "back"]);
    page.apply("back");
    let view = page.view();
    let (_, error) = outcome(&view);
    assert!(error.unwrap().contains("null"));
    // Still at phase 1: the column stays nullable.
    assert!(page
        .db
        .columns("users")
        .iter()
        .any(|c| c.0 == "legacy_field" && !c.2));
}

/// Engine fix: an INSERT ... VALUES naming a dropped column says which column, as the
/// INSERT ... SELECT path did (GlueSQL said "literals have more values than target columns").
#[test]
fn an_insert_naming_a_dropped_column_says_which() {
    let mut db = sqlpatterns_core::engine::Database::new();
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, gone TEXT NULL)")
        .unwrap();
    db.execute("ALTER TABLE t DROP COLUMN gone").unwrap();
    let err = db
        .execute("INSERT INTO t (id, gone) VALUES (1, 'x')")
        .unwrap_err()
        .message;
    assert_eq!(err, "column \"gone\" of relation \"t\" does not exist");
    db.execute("INSERT INTO t (id) VALUES (1)").unwrap();
    assert_eq!(db.row_count("t"), Some(1));
    // The page shows it: v1's insert after the drop names legacy_field in the error itself.
    let mut page = replay(SLUG, &[("plan", "unsafe")], &["next"]);
    let view = page.view();
    let detail = matrix_cell(&view, "v1", "1.").detail.clone().unwrap();
    assert!(
        detail.starts_with("column \"legacy_field\" of relation \"users\" does not exist"),
        "{detail}"
    );
}
