//! The batch-operations lab: statement counts of row-by-row, executemany and batch writes.

use std::collections::BTreeMap;

use sqlpatterns_core::engine::Database;
use sqlpatterns_core::lab::{replay, Block, KnobValues, LabRun, LabView};
use sqlpatterns_core::patterns::lab_for;

fn started(rows: &str, actions: &[&str]) -> (Database, Box<dyn LabRun>) {
    let lab = lab_for("batch-operations").unwrap();
    let raw: BTreeMap<String, String> = [("rows".to_string(), rows.to_string())].into();
    let actions: Vec<String> = actions.iter().map(|a| a.to_string()).collect();
    let (db, run, skipped) = replay(lab, &KnobValues::from_raw(lab.knobs, &raw), &actions).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    (db, run)
}

fn metric(view: &LabView, key: &str) -> String {
    let Some(Block::Metrics { items, .. }) = view.block("metrics") else {
        panic!("no metrics");
    };
    items.iter().find(|m| m.key == key).unwrap().value.clone()
}

#[test]
fn each_method_writes_n_rows_with_its_statement_count() {
    for (action, statements, commits) in [
        ("insert-rows", "50", "50"),
        ("insert-executemany", "50", "1"),
        ("insert-multirow", "1", "1"),
        ("update-rows", "51", "1"),
        ("update-batch", "1", "1"),
        ("delete-rows", "51", "1"),
        ("delete-batch", "1", "1"),
        ("upsert-select-then-write", "100", "1"),
        ("upsert-on-conflict", "1", "1"),
    ] {
        let (mut db, run) = started("50", &[action]);
        let view = run.view(&mut db);
        assert_eq!(metric(&view, "statements"), statements, "{action}");
        assert_eq!(metric(&view, "commits"), commits, "{action}");
        assert_eq!(metric(&view, "rows"), "50", "{action}");
    }
}

#[test]
fn methods_start_from_the_seed_so_a_second_run_writes_as_much() {
    let (mut db, run) = started("20", &["update-batch", "update-rows"]);
    let view = run.view(&mut db);
    assert_eq!(metric(&view, "rows"), "20");
    let Some(Block::Table(results)) = view.block("results") else {
        panic!("no results");
    };
    assert_eq!(results.rows.len(), 2);
    assert_eq!(db.row_count("orders"), Some(40));
}

#[test]
fn compare_charts_every_method_against_n() {
    let (mut db, mut run) = started("100", &["compare"]);
    let view = run.view(&mut db);
    let Some(Block::Chart(chart)) = view.block("count-vs-n") else {
        panic!("no chart");
    };
    assert_eq!(chart.series.len(), 9);
    let by_name = |name: &str| {
        chart
            .series
            .iter()
            .find(|s| s.name == name)
            .unwrap()
            .points
            .clone()
    };
    assert_eq!(
        by_name("INSERT row by row (commit each)"),
        [(10.0, 10.0), (100.0, 100.0)]
    );
    assert_eq!(by_name("one multi-row INSERT"), [(10.0, 1.0), (100.0, 1.0)]);
    assert_eq!(by_name("UPDATE per row"), [(10.0, 11.0), (100.0, 101.0)]);
    assert_eq!(
        by_name("upsert: SELECT, then INSERT or UPDATE"),
        [(10.0, 20.0), (100.0, 200.0)]
    );
    assert_eq!(
        by_name("upsert: INSERT ... ON CONFLICT"),
        [(10.0, 1.0), (100.0, 1.0)]
    );
    assert!(matches!(view.block("time-vs-n"), Some(Block::Chart(_))));
    assert!(run.apply(&mut db, "nope").is_err());
}

#[test]
fn the_upsert_inserts_the_new_half_and_updates_the_existing_half() {
    let (mut db, run) = started("40", &["upsert-on-conflict"]);
    let view = run.view(&mut db);
    assert_eq!(metric(&view, "rows"), "40");
    let count = |db: &mut Database, sql: &str| match db.execute(sql).unwrap() {
        gluesql::core::executor::Payload::Select { rows, .. } => format!("{:?}", rows[0][0]),
        other => panic!("{other:?}"),
    };
    // 20 members were there; 20 are new; all 40 have the imported name.
    assert_eq!(
        count(
            &mut db,
            "SELECT count(*) FROM users WHERE email LIKE 'member%'"
        ),
        "I64(40)"
    );
    assert_eq!(
        count(
            &mut db,
            "SELECT count(*) FROM users WHERE display_name IS NULL"
        ),
        "I64(0)"
    );
    assert_eq!(
        count(&mut db, "SELECT count(*) FROM users WHERE id >= 600000"),
        "I64(20)"
    );
}

#[test]
fn the_console_script_runs_on_the_lab_tables() {
    let (mut db, _run) = started("10", &[]);
    let source = sqlpatterns_core::catalogue::by_slug("batch-operations")
        .unwrap()
        .starter_sql;
    let run = sqlpatterns_core::console::run_script(&mut db, source);
    for statement in &run.statements {
        assert!(statement.outcome.is_ok(), "{:?}", statement.outcome);
    }
    assert_eq!(run.statements.len(), 6);
}
