//! safe-column-addition: the nullable column keeps old and new code green; NOT NULL without
//! a default fails on the filled table, and v2 then fails on the missing column.

mod migration_support;
use migration_support::*;
use sqlpatterns_core::lab::CellStatus;

const SLUG: &str = "safe-column-addition";

#[test]
fn the_nullable_column_keeps_old_and_new_code_working() {
    let mut page = replay(SLUG, &[], &["next", "next", "next"]);
    let view = page.view();
    for (row, phase) in [("v1", "1."), ("v1", "2."), ("v2", "2."), ("v2", "3.")] {
        assert_eq!(
            matrix_cell(&view, row, phase).status,
            CellStatus::Ok,
            "{row} {phase}"
        );
    }
    assert_eq!(matrix_cell(&view, "migration", "1.").status, CellStatus::Ok);
    assert_eq!(matrix_cell(&view, "v1", "3.").status, CellStatus::Idle);
    // v1's rows have no preferences, v2's have them: both kinds are in the table.
    assert!(
        count(
            &mut page.db,
            "SELECT COUNT(*) FROM users WHERE preferences IS NULL"
        ) > 200
    );
    assert_eq!(
        count(
            &mut page.db,
            "SELECT COUNT(*) FROM users WHERE preferences IS NOT NULL"
        ),
        3
    );
    let mut page = replay(SLUG, &[], &["next"]);
    assert!(lint_rules(&page.view()).is_empty());
}

#[test]
fn not_null_without_default_fails_on_the_filled_table_and_v2_breaks() {
    let mut page = replay(SLUG, &[("plan", "unsafe")], &["next"]);
    let view = page.view();
    let failed = matrix_cell(&view, "migration", "1.");
    assert_eq!(failed.status, CellStatus::Bad);
    let err = failed.detail.clone().unwrap();
    assert!(err.contains("contains null values"), "{err}");
    assert_eq!(lint_rules(&view), ["adding-not-nullable-field"]);
    // The transaction rolled back: no column was added.
    assert!(!page
        .db
        .columns("users")
        .iter()
        .any(|c| c.0 == "preferences"));
    page.apply("next");
    let view = page.view();
    let v2 = matrix_cell(&view, "v2", "2.");
    assert_eq!(v2.status, CellStatus::Bad);
    assert!(v2.detail.as_ref().unwrap().contains("preferences"));
    assert_eq!(matrix_cell(&view, "v1", "2.").status, CellStatus::Ok);
}

#[test]
fn stepping_back_drops_the_column_keeps_the_rows_and_says_what_is_lost() {
    let mut page = replay(SLUG, &[], &["next", "next", "back", "back"]);
    let view = page.view();
    assert!(!page
        .db
        .columns("users")
        .iter()
        .any(|c| c.0 == "preferences"));
    // Seed + one v1 request per step + v2's one request: nothing deleted.
    assert_eq!(page.db.row_count("users").unwrap(), 200 + 6);
    assert!(view.block("downgrade-note").is_some());
    let diff = table(&view, "schema-diff");
    assert!(diff
        .rows
        .iter()
        .any(|r| r[1].text == "users.preferences" && r[4].status == CellStatus::Removed));
}
