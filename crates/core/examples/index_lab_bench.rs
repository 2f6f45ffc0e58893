//! Index lab benchmark: each page's default run time (start, then every action), and the
//! pagination numbers at 100k rows (a page by depth for each strategy, the COUNT apart).
//!
//! `cargo run --release -p sqlpatterns-core --example index_lab_bench`
//!
//! Figures only, no assertions. Times are wall-clock around the lab's own calls
//! (`web_time::Instant`); rows examined come from the statement log.

use sqlpatterns_core::engine::{Budget, Database};
use sqlpatterns_core::index_lab::paging::{self, Strategy};
use sqlpatterns_core::index_lab::seed;
use sqlpatterns_core::lab::{replay, KnobValues};
use sqlpatterns_core::patterns::lab_for;
use web_time::Instant;

const PAGES: [&str; 4] = [
    "pagination",
    "composite-index",
    "partial-index",
    "expression-index",
];

fn elapsed_ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

/// `"name": ms` pairs for one page at its default knobs.
fn page_runs(slug: &str) -> Vec<(String, f64)> {
    let Some(lab) = lab_for(slug) else {
        return vec![("not live".into(), 0.0)];
    };
    let knobs = KnobValues::defaults(lab.knobs);
    let started = Instant::now();
    let (mut db, mut run, _) = replay(lab, &knobs, &[]).expect("starts");
    let mut figures = vec![("start".to_string(), elapsed_ms(started))];
    let actions: Vec<String> = run
        .actions()
        .into_iter()
        .filter(|a| a.enabled)
        .map(|a| a.id)
        .collect();
    for id in actions {
        let started = Instant::now();
        let applied = run.apply(&mut db, &id);
        let _ = run.view(&mut db);
        let name = match applied {
            Ok(()) => id,
            Err(e) => format!("{id} (refused: {e})"),
        };
        figures.push((name, elapsed_ms(started)));
    }
    figures
}

fn pagination_at_100k() -> String {
    let mut db = Database::with_budget(Budget::UNLIMITED);
    let started = Instant::now();
    seed::seed_users(&mut db, 100_000, 0x5EED_0018).expect("seed");
    let seed_ms = elapsed_ms(started);
    let started = Instant::now();
    db.execute(paging::CREATE_INDEX).expect("index");
    let index_ms = elapsed_ms(started);
    let (total, count) = paging::count(&mut db).expect("count");
    let points = paging::profile(&mut db, total, 20, 3).expect("profile");
    let mut lines = Vec::new();
    for p in &points {
        lines.push(format!(
            "      {{\"strategy\": \"{}\", \"depth_pct\": {}, \"offset\": {}, \"median_ms\": {:.3}, \"rows_examined\": {}}}",
            p.strategy.id(),
            p.percent,
            p.offset,
            p.page.time_ms,
            p.page.rows_examined
        ));
    }
    let at99 = |s: Strategy| {
        points
            .iter()
            .find(|p| p.strategy == s && p.percent == 99)
            .map(|p| p.page.time_ms)
            .unwrap_or(f64::NAN)
    };
    format!(
        "{{\n    \"rows\": 100000,\n    \"active_rows\": {total},\n    \"seed_ms\": {seed_ms:.1},\n    \"create_index_ms\": {index_ms:.1},\n    \"count_ms\": {:.3},\n    \"count_rows_examined\": {},\n    \"speedup_keyset_vs_offset_at_99pct\": {:.1},\n    \"pages\": [\n{}\n    ]\n  }}",
        count.time_ms,
        count.rows_examined,
        at99(Strategy::Offset) / at99(Strategy::Keyset),
        lines.join(",\n")
    )
}

fn main() {
    let pages: Vec<String> = PAGES
        .iter()
        .map(|slug| {
            let runs: Vec<String> = page_runs(slug)
                .into_iter()
                .map(|(name, ms)| format!("\"{}\": {ms:.2}", name.replace('"', "'")))
                .collect();
            format!("    \"{slug}\": {{{}}}", runs.join(", "))
        })
        .collect();
    println!(
        "{{\n  \"build\": \"{}\",\n  \"default_runs_ms\": {{\n{}\n  }},\n  \"pagination_100k\": {}\n}}",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        pages.join(",\n"),
        pagination_at_100k()
    );
}
