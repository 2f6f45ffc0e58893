//! The pool-configuration lab's simulation: TimeoutError at the reference's settings
//! under a slow workload, the same timeline for the same seed, a restart that pre_ping
//! survives and a pool without it does not, recycling, and a bounded timeline.

use sqlpatterns_core::lab::{self, Block, CellStatus, KnobValues, LabView, Timeline};
use sqlpatterns_core::patterns::pool_configuration::LAB;
use std::collections::BTreeMap;

fn knobs(pairs: &[(&str, &str)]) -> KnobValues {
    let raw: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    KnobValues::from_raw(LAB.knobs, &raw)
}

fn run(pairs: &[(&str, &str)]) -> LabView {
    let (mut db, run, skipped) = lab::replay(&LAB, &knobs(pairs), &["run".to_string()]).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    run.view(&mut db)
}

fn metric(view: &LabView, key: &str) -> String {
    match view.block("pool") {
        Some(Block::Metrics { items, .. }) => items
            .iter()
            .find(|m| m.key == key)
            .map(|m| m.value.clone())
            .unwrap(),
        other => panic!("{other:?}"),
    }
}

fn number(view: &LabView, key: &str) -> f64 {
    metric(view, key)
        .trim_end_matches(" s")
        .parse()
        .unwrap_or_else(|_| panic!("{key}: {}", metric(view, key)))
}

fn timeline(view: &LabView) -> Timeline {
    match view.block("connections") {
        Some(Block::Timeline(t)) => t.clone(),
        other => panic!("{other:?}"),
    }
}

fn span_kinds(view: &LabView) -> Vec<String> {
    timeline(view)
        .lanes
        .iter()
        .flat_map(|l| l.spans.iter().map(|s| s.kind.clone()))
        .collect()
}

/// A light load: the pool is mostly idle, so the restart finds idle connections.
const LIGHT: [(&str, &str); 4] = [
    ("concurrency", "5"),
    ("rps", "2"),
    ("query-ms", "20"),
    ("restart-at", "30"),
];

#[test]
fn the_reference_settings_time_out_under_slow_queries() {
    let view = run(&[]);
    assert!(number(&view, "timeouts") > 0.0);
    assert_eq!(metric(&view, "overflow-peak"), "10");
    assert!(
        number(&view, "max-wait") >= 30.0,
        "{}",
        metric(&view, "max-wait")
    );
    let Some(Block::Table(timeouts)) = view.block("timeouts") else {
        panic!()
    };
    assert_eq!(
        timeouts.rows.len() as f64,
        number(&view, "timeouts").min(100.0)
    );
    let cell = &timeouts.rows[0][4];
    assert_eq!(cell.status, CellStatus::Bad);
    assert_eq!(
        cell.detail.as_deref(),
        Some("sqlalchemy.exc.TimeoutError: QueuePool limit of size 20 overflow 10 reached, connection timed out, timeout 30.00")
    );
    // 30 connections at most, the last 10 opened as overflow.
    let t = timeline(&view);
    assert_eq!(t.lanes.len(), 30);
    assert!(span_kinds(&view).iter().any(|k| k == "overflow"));
    assert_eq!(t.markers, [(45_000.0, "database restart".to_string())]);
    let Some(Block::Chart(chart)) = view.block("wait") else {
        panic!()
    };
    assert!(chart.series[1].points.iter().all(|(_, wait)| *wait >= 30.0));
}

#[test]
fn as_many_clients_as_connections_never_time_out() {
    let view = run(&[("concurrency", "30")]);
    assert_eq!(metric(&view, "timeouts"), "0");
    assert_eq!(metric(&view, "max-wait"), "0.0 s");
}

#[test]
fn the_same_seed_gives_the_same_timeline() {
    let a = run(&[("seed", "7")]);
    let b = run(&[("seed", "7")]);
    assert_eq!(timeline(&a), timeline(&b));
    assert_eq!(metric(&a, "requests"), metric(&b, "requests"));
    assert_eq!(metric(&a, "p95-wait"), metric(&b, "p95-wait"));
    let c = run(&[("seed", "8")]);
    assert_ne!(timeline(&a), timeline(&c));
}

#[test]
fn pre_ping_survives_a_restart_and_a_pool_without_it_does_not() {
    let with = run(&LIGHT);
    assert_eq!(metric(&with, "killed-in-flight"), "0");
    assert_eq!(metric(&with, "errors-after-restart"), "0");
    assert!(span_kinds(&with).iter().any(|k| k == "recycled"));
    let without = run(&[&LIGHT[..], &[("pre-ping", "0")]].concat());
    assert_eq!(metric(&without, "killed-in-flight"), "0");
    assert!(number(&without, "errors-after-restart") > 0.0);
    // Same seed, same arrivals until the restart.
    assert_eq!(metric(&with, "requests"), metric(&without, "requests"));
}

#[test]
fn old_connections_are_recycled() {
    let view = run(&[
        ("pool-recycle", "10"),
        ("restart-at", "0"),
        ("concurrency", "20"),
        ("query-ms", "200"),
    ]);
    let labels: Vec<String> = timeline(&view)
        .lanes
        .iter()
        .flat_map(|l| l.spans.iter().map(|s| s.label.clone()))
        .collect();
    assert!(
        labels.iter().any(|l| l.starts_with("pool_recycle")),
        "{labels:?}"
    );
    assert!(timeline(&view).markers.is_empty());
}

#[test]
fn the_timeline_stays_small_under_a_heavy_load() {
    let view = run(&[
        ("rps", "100"),
        ("concurrency", "200"),
        ("query-ms", "1"),
        ("pool-size", "50"),
        ("max-overflow", "50"),
    ]);
    let t = timeline(&view);
    let spans: usize = t.lanes.iter().map(|l| l.spans.len()).sum();
    assert!(spans <= 1_500, "{spans}");
    assert!(t.lanes.len() <= 100);
    assert!(number(&view, "requests") > 5_000.0);
}

#[test]
fn before_run_only_the_measurements_show_and_unknown_actions_fail() {
    let (mut db, mut run, _) = lab::replay(&LAB, &KnobValues::defaults(LAB.knobs), &[]).unwrap();
    let view = run.view(&mut db);
    assert!(view.block("pool").is_none());
    assert!(view.block("measured").is_some());
    assert!(matches!(view.block("simulation"), Some(Block::Note { .. })));
    assert!(run.apply(&mut db, "steps").is_err());
    // The measured statements ran on the page's database, which keeps the orders.
    assert_eq!(db.row_count("orders"), Some(2_000));
}

#[test]
fn queries_killed_in_flight_invalidate_the_pool_with_or_without_pre_ping() {
    // At the default (saturated) load every connection is busy at the restart: the
    // disconnect errors invalidate the pool, so no dead connection is used afterwards.
    let view = run(&[("pre-ping", "0")]);
    assert_eq!(metric(&view, "killed-in-flight"), "30");
    assert_eq!(metric(&view, "errors-after-restart"), "0");
    let labels: Vec<String> = timeline(&view)
        .lanes
        .iter()
        .flat_map(|l| l.spans.iter().map(|s| s.label.clone()))
        .collect();
    assert!(labels
        .iter()
        .any(|l| l.starts_with("killed by the restart")));
    assert!(labels
        .iter()
        .any(|l| l.starts_with("invalidated: reopened")));
}
