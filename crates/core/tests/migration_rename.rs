//! safe-column-rename: the expand-and-contract plan stays green end to end, the one-step
//! RENAME breaks the running v1 with the engine's error, and stepping back keeps the data.

mod migration_support;
use migration_support::*;
use sqlpatterns_core::lab::CellStatus;

const SLUG: &str = "safe-column-rename";

fn all(n: usize) -> Vec<&'static str> {
    vec!["next"; n]
}

#[test]
fn the_safe_plan_is_green_in_every_cell_through_all_phases() {
    let mut page = replay(SLUG, &[], &all(7));
    let view = page.view();
    let matrix = table(&view, "matrix");
    assert_eq!(matrix.columns.len(), 1 + 8, "{:?}", matrix.columns);
    for row in &matrix.rows {
        for cell in &row[1..] {
            assert_ne!(cell.status, CellStatus::Bad, "{}: {:?}", row[0].text, cell);
        }
    }
    assert_eq!(matrix_cell(&view, "v3", "7.").status, CellStatus::Ok);
    assert_eq!(matrix_cell(&view, "v1", "2.").status, CellStatus::Ok);
    assert_eq!(matrix_cell(&view, "v2", "5.").status, CellStatus::Ok);
    // The old column is gone, and every row has its full_name (copied or written).
    let columns: Vec<String> = page.db.columns("users").into_iter().map(|c| c.0).collect();
    assert_eq!(columns, ["id", "email", "full_name"]);
    assert_eq!(
        count(
            &mut page.db,
            "SELECT COUNT(*) FROM users WHERE full_name IS NULL"
        ),
        0
    );
    // v1's rename of row 1 after the first copy reached full_name through the second copy.
    assert_eq!(
        count(
            &mut page.db,
            "SELECT COUNT(*) FROM users WHERE id = 1 AND full_name = 'Ada King'"
        ),
        1
    );
}

#[test]
fn the_one_step_rename_breaks_the_running_old_version_with_the_engines_error() {
    let page = &mut replay(SLUG, &[("plan", "unsafe")], &["next"]);
    let view = page.view();
    let cell = matrix_cell(&view, "v1", "1.");
    assert_eq!(cell.status, CellStatus::Bad);
    let detail = cell.detail.clone().unwrap();
    assert!(detail.contains("name"), "{detail}");
    // The detail is the engine's own text: run v1's insert ourselves and compare.
    let err = page
        .db
        .execute("INSERT INTO users (id, email, name) VALUES (9999, 'x@example.com', 'X')")
        .unwrap_err()
        .message;
    assert!(detail.starts_with(&err), "{detail} vs {err}");
    assert_eq!(matrix_cell(&view, "v1", "0.").status, CellStatus::Ok);
    let (_, error) = outcome(&view);
    assert!(error.unwrap().contains(&err));
}

#[test]
fn the_lint_fires_on_the_rename_and_not_on_the_safe_plan() {
    let mut page = replay(SLUG, &[("plan", "unsafe")], &["next"]);
    assert_eq!(lint_rules(&page.view()), ["renaming-column"]);
    for step in 0..7 {
        let mut page = replay(SLUG, &[], &all(step + 1));
        assert!(lint_rules(&page.view()).is_empty(), "phase {}", step + 1);
    }
}

#[test]
fn stepping_back_over_the_drop_restores_the_column_and_keeps_the_data() {
    let mut page = replay(SLUG, &[], &all(7));
    let rows_before = page.db.row_count("users").unwrap();
    page.apply("back");
    let view = page.view();
    let columns: Vec<String> = page.db.columns("users").into_iter().map(|c| c.0).collect();
    assert_eq!(columns, ["id", "email", "full_name", "name"]);
    // One more request (v3's) ran after the downgrade; no row was lost.
    assert_eq!(page.db.row_count("users").unwrap(), rows_before + 1);
    // The downgrade copied the values back from full_name: only the row v3 wrote after it
    // (v3 writes full_name only) has no name.
    assert_eq!(
        count(
            &mut page.db,
            "SELECT COUNT(*) FROM users WHERE name IS NULL"
        ),
        1
    );
    assert_eq!(
        count(
            &mut page.db,
            "SELECT COUNT(*) FROM users WHERE name IS NULL AND id = (SELECT MAX(id) FROM users)"
        ),
        1
    );
    let diff = table(&view, "schema-diff");
    assert!(diff
        .rows
        .iter()
        .any(|r| r[1].text == "users.name" && r[4].status == CellStatus::Added));
    assert!(view.block("downgrade-note").is_some());
}

#[test]
fn stepping_back_over_the_first_migration_drops_full_name_but_keeps_the_rows() {
    let mut page = replay(SLUG, &[], &["next", "next", "back", "back"]);
    let columns: Vec<String> = page.db.columns("users").into_iter().map(|c| c.0).collect();
    assert_eq!(columns, ["id", "email", "name"]);
    // 200 seed rows + one v1 request per step (start, next, next (v1 and v2), back, back).
    assert_eq!(page.db.row_count("users").unwrap(), 200 + 6);
    let view = page.view();
    assert_eq!(table(&view, "matrix").columns.len(), 2);
}

#[test]
fn reset_rebuilds_the_start() {
    let mut a = replay(SLUG, &[], &["next", "next", "reset"]);
    let mut b = replay(SLUG, &[], &[]);
    assert_eq!(a.db.row_count("users"), b.db.row_count("users"));
    assert_eq!(
        table(&a.view(), "matrix").columns,
        table(&b.view(), "matrix").columns
    );
}
