//! The select-columns lab: whole entities vs load_only vs selected columns on a wide table.

use std::collections::BTreeMap;

use sqlpatterns_core::lab::{replay, Block, KnobValues, LabView};
use sqlpatterns_core::patterns::lab_for;

fn view_after(knobs: &[(&str, &str)], actions: &[&str]) -> LabView {
    let lab = lab_for("select-columns").unwrap();
    let raw: BTreeMap<String, String> = knobs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let actions: Vec<String> = actions.iter().map(|a| a.to_string()).collect();
    let (mut db, run, skipped) =
        replay(lab, &KnobValues::from_raw(lab.knobs, &raw), &actions).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    run.view(&mut db)
}

fn comparison(view: &LabView) -> Vec<(String, usize, usize)> {
    let Some(Block::Table(table)) = view.block("comparison") else {
        panic!("no comparison");
    };
    table
        .rows
        .iter()
        .map(|r| {
            let n = |c: usize| r[c].text.replace(',', "").parse::<usize>().unwrap();
            (r[0].text.clone(), n(2), n(3))
        })
        .collect()
}

#[test]
fn fewer_columns_transfer_fewer_cells_for_the_same_rows() {
    let view = view_after(&[("users", "100"), ("extra-columns", "12")], &["compare"]);
    let rows = comparison(&view);
    let names: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(names, ["whole entities", "load_only", "selected columns"]);
    let (whole, load_only, columns) = (&rows[0], &rows[1], &rows[2]);
    // 80 active users: each variant returns them (and the ORM ones their 160 orders).
    assert_eq!(columns.1, 80);
    assert_eq!(whole.1, 80 + 160);
    assert_eq!(load_only.1, whole.1);
    // users: 5 + 12 columns whole, id + email with load_only, 3 selected.
    assert_eq!(columns.2, 80 * 3);
    assert_eq!(whole.2, 80 * 17 + 160 * 4);
    assert_eq!(load_only.2, 80 * 2 + 160 * 3);
}

#[test]
fn each_variant_shows_its_statements() {
    let view = view_after(&[], &["load-only"]);
    let Some(Block::Statements { entries, .. }) = view.block("statements") else {
        panic!("no statements");
    };
    assert_eq!(entries.len(), 2);
    assert!(
        entries[0].sql.starts_with("SELECT users.id, users.email"),
        "{}",
        entries[0].sql
    );
    assert!(
        entries[1].sql.contains("orders.total"),
        "{}",
        entries[1].sql
    );
}
