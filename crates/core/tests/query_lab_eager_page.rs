//! The eager-loading page's lab, as the UI drives it: knobs, actions, blocks.

use std::collections::BTreeMap;

use sqlpatterns_core::engine::{Database, StatementKind};
use sqlpatterns_core::lab::{replay, Block, KnobValues, LabRun, NoteKind};
use sqlpatterns_core::patterns::lab_for;

fn knobs(pairs: &[(&str, &str)]) -> KnobValues {
    let lab = lab_for("eager-loading").unwrap();
    let raw: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    KnobValues::from_raw(lab.knobs, &raw)
}

fn started(pairs: &[(&str, &str)], actions: &[&str]) -> (Database, Box<dyn LabRun>) {
    let lab = lab_for("eager-loading").unwrap();
    let actions: Vec<String> = actions.iter().map(|a| a.to_string()).collect();
    let (db, run, skipped) = replay(lab, &knobs(pairs), &actions).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    (db, run)
}

fn metric(view: &sqlpatterns_core::lab::LabView, key: &str) -> String {
    let Some(Block::Metrics { items, .. }) = view.block("metrics") else {
        panic!("no metrics block");
    };
    items
        .iter()
        .find(|m| m.key == key)
        .unwrap_or_else(|| panic!("no metric {key}"))
        .value
        .clone()
}

fn statements_block(view: &sqlpatterns_core::lab::LabView) -> usize {
    match view.block("statements") {
        Some(Block::Statements {
            entries, omitted, ..
        }) => entries.len() + omitted,
        _ => panic!("no statements block"),
    }
}

#[test]
fn ten_users_three_orders_show_11_1_2_2_statements_in_metrics_log_and_block() {
    for (strategy, expected) in [
        ("lazy", 11),
        ("joined", 1),
        ("selectin", 2),
        ("subquery", 2),
    ] {
        let (mut db, run) = started(&[("strategy", strategy)], &["run"]);
        let view = run.view(&mut db);
        assert_eq!(
            metric(&view, "statements"),
            expected.to_string(),
            "{strategy}"
        );
        assert_eq!(statements_block(&view), expected, "{strategy}");
        let selects = db
            .log()
            .entries()
            .iter()
            .filter(|e| e.kind == StatementKind::Select)
            .count();
        assert_eq!(selects, expected, "{strategy}: the page's statement log");
        assert!(
            !db.in_transaction(),
            "{strategy}: the console is not left in a transaction"
        );
    }
}

#[test]
fn lazy_shows_the_n_plus_one_hint_and_selectin_does_not() {
    let (mut db, run) = started(&[], &["run"]);
    let view = run.view(&mut db);
    match view.block("hint") {
        Some(Block::Note { kind, text, .. }) => {
            assert_eq!(*kind, NoteKind::Warning);
            assert_eq!(
                text,
                "N+1: User.orders loaded lazily 10 times — add selectinload(User.orders)"
            );
        }
        other => panic!("no hint: {other:?}"),
    }
    let (mut db, run) = started(&[("strategy", "selectin")], &["run"]);
    assert!(run.view(&mut db).block("hint").is_none());
}

#[test]
fn raise_shows_sqlalchemys_error() {
    let (mut db, run) = started(&[("strategy", "raise")], &["run"]);
    let view = run.view(&mut db);
    match view.block("outcome") {
        Some(Block::Outcome { error: Some(e), .. }) => assert!(
            e.contains("'User.orders' is not available due to lazy='raise'"),
            "{e}"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(metric(&view, "statements"), "1");
}

#[test]
fn nested_joined_loads_explode_the_rows() {
    let joined = [
        ("depth", "3"),
        ("strategy", "joined"),
        ("strategy-items", "joined"),
        ("strategy-product", "joined"),
    ];
    let (mut db, run) = started(&joined, &["run"]);
    let view = run.view(&mut db);
    assert_eq!(metric(&view, "statements"), "1");
    assert_eq!(metric(&view, "rows"), "60");
    let joined_cells: usize = metric(&view, "cells").replace(',', "").parse().unwrap();
    let (mut db, run) = started(
        &[
            ("depth", "3"),
            ("strategy", "selectin"),
            ("strategy-items", "selectin"),
            ("strategy-product", "selectin"),
        ],
        &["run"],
    );
    let view = run.view(&mut db);
    assert_eq!(metric(&view, "statements"), "4");
    let selectin_cells: usize = metric(&view, "cells").replace(',', "").parse().unwrap();
    assert!(
        joined_cells > selectin_cells,
        "{joined_cells} vs {selectin_cells}"
    );
}

#[test]
fn compare_charts_every_strategy_against_n() {
    let (mut db, run) = started(&[("orders", "1")], &["compare"]);
    let view = run.view(&mut db);
    let Some(Block::Chart(chart)) = view.block("count-vs-n") else {
        panic!("no chart");
    };
    let names: Vec<&str> = chart.series.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["lazy", "joined", "selectin", "subquery"]);
    let lazy = &chart.series[0].points;
    assert_eq!(lazy.last(), Some(&(100.0, 101.0)));
    assert!(chart.series[1].points.iter().all(|(_, y)| *y == 1.0));
    assert!(matches!(view.block("time-vs-n"), Some(Block::Chart(_))));
}

#[test]
fn unknown_actions_are_refused_and_bad_knobs_clamped() {
    let (mut db, mut run) = started(&[("users", "99999"), ("strategy", "nope")], &[]);
    assert!(run.apply(&mut db, "steps").is_err());
    run.apply(&mut db, "run").unwrap();
    let view = run.view(&mut db);
    assert_eq!(metric(&view, "statements"), "1001");
}
