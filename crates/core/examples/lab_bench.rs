//! Query-lab benchmark: each lab page's default run (start, then its actions), and the
//! N+1 of 1,000 children with and without the foreign-key index. Prints a table.
//!
//! `cargo run --release -p sqlpatterns-core --example lab_bench`
//!
//! Figures only, no assertions: medians of several runs, measured natively (wasm in a
//! browser is about 2-3x slower).

use sqlpatterns_core::engine::Database;
use sqlpatterns_core::lab::{KnobValues, Lab};
use sqlpatterns_core::orm::Strategy;
use sqlpatterns_core::patterns::lab_for;
use sqlpatterns_core::query_lab::loading::{run, LoadPlan};
use sqlpatterns_core::query_lab::shop;
use web_time::Instant;

const RUNS: usize = 7;

fn median(mut times: Vec<f64>) -> f64 {
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// The median time of `start` at the defaults, and of each action after it.
fn page(slug: &str, actions: &[&str]) -> Vec<(String, f64)> {
    let lab: &Lab = lab_for(slug).unwrap_or_else(|| panic!("{slug} has a lab"));
    let knobs = KnobValues::defaults(lab.knobs);
    let mut rows: Vec<(String, Vec<f64>)> = std::iter::once("start".to_string())
        .chain(
            actions
                .iter()
                .enumerate()
                .map(|(i, a)| format!("{}. {a}", i + 1)),
        )
        .map(|name| (name, Vec::new()))
        .collect();
    for _ in 0..RUNS {
        let mut db = Database::new();
        let started = Instant::now();
        let mut lab_run = (lab.start)(&knobs, &mut db).expect("starts");
        rows[0].1.push(elapsed(started));
        for (i, action) in actions.iter().enumerate() {
            let started = Instant::now();
            lab_run.apply(&mut db, action).expect("action runs");
            let _ = lab_run.view(&mut db);
            rows[i + 1].1.push(elapsed(started));
        }
    }
    rows.into_iter().map(|(n, t)| (n, median(t))).collect()
}

fn elapsed(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

/// 1,000 users with one order each, loaded lazily: 1,001 statements.
fn n_plus_one(fk_index: bool) -> (f64, usize, u64) {
    let mut db = Database::new();
    shop::seed(&mut db, &shop::models(), 1000, 1, fk_index).expect("seeds");
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..RUNS {
        let load = run(&mut db, LoadPlan::uniform(1, Strategy::Select));
        times.push(load.measure.time_ms);
        last = Some(load);
    }
    let load = last.expect("ran");
    (
        median(times),
        load.measure.statements(),
        load.measure.rows_examined(),
    )
}

fn main() {
    println!("| page | step | median ms |");
    println!("|---|---|---|");
    let pages: [(&str, &[&str]); 4] = [
        ("eager-loading", &["run", "compare"]),
        (
            "select-columns",
            &["compare", "whole", "load-only", "columns"],
        ),
        (
            "batch-operations",
            &[
                "insert-rows",
                "insert-executemany",
                "insert-multirow",
                "update-rows",
                "update-batch",
                "delete-rows",
                "delete-batch",
                "compare",
            ],
        ),
        (
            "query-caching",
            &[
                "get",
                "get",
                "update-price",
                "advance",
                "update-and-invalidate",
            ],
        ),
    ];
    for (slug, actions) in pages {
        for (step, ms) in page(slug, actions) {
            println!("| {slug} | {step} | {ms:.2} |");
        }
    }
    println!();
    println!("| N+1 of 1,000 children | median ms | statements | rows examined |");
    println!("|---|---|---|---|");
    for fk in [true, false] {
        let (ms, statements, examined) = n_plus_one(fk);
        let label = if fk {
            "with FK index"
        } else {
            "without FK index"
        };
        println!("| {label} | {ms:.2} | {statements} | {examined} |");
    }
}
