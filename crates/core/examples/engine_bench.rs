//! Engine benchmark: prints a JSON report of what the engine layer costs at 100k rows.
//!
//! `cargo run --release -p sqlpatterns-core --example engine_bench`
//!
//! Figures only, no assertions: each figure is the median of several runs, with the rows
//! the statement examined as the statement log counted them.

use sqlpatterns_core::engine::{Budget, Database};
use web_time::Instant;

const ROWS: i64 = 100_000;
const PARENTS: i64 = 1_000;
const PAGE: i64 = 20;

struct Figure {
    name: String,
    median_ms: f64,
    runs: usize,
    rows_examined: u64,
    access: String,
}

/// Runs each statement once, returning the median time and the last statement's counters.
fn measure(db: &mut Database, name: &str, statements: &[String]) -> Figure {
    let mut times = Vec::with_capacity(statements.len());
    for sql in statements {
        let started = Instant::now();
        db.execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let entry = db.log().entries().last().expect("ran");
    let figure = Figure {
        name: name.to_string(),
        median_ms: times[times.len() / 2],
        runs: times.len(),
        rows_examined: entry.rows_examined,
        access: entry
            .accesses
            .iter()
            .map(|a| a.method.describe())
            .collect::<Vec<_>>()
            .join("; "),
    };
    db.clear_log();
    figure
}

/// Runs all statements back to back and reports the total (an N+1 loop).
fn measure_total(db: &mut Database, name: &str, statements: &[String]) -> Figure {
    let before = db.log().last_seq();
    let started = Instant::now();
    for sql in statements {
        db.execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    let total_ms = started.elapsed().as_secs_f64() * 1000.0;
    let entries = db.log().since(before);
    let figure = Figure {
        name: name.to_string(),
        median_ms: total_ms,
        runs: 1,
        rows_examined: entries.iter().map(|e| e.rows_examined).sum(),
        access: entries
            .last()
            .map(|e| {
                e.accesses
                    .iter()
                    .map(|a| a.method.describe())
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default(),
    };
    db.clear_log();
    figure
}

fn seed() -> (Database, f64) {
    let mut db = Database::with_budget(Budget::UNLIMITED);
    let started = Instant::now();
    db.execute("CREATE TABLE parents (id INTEGER PRIMARY KEY, name TEXT)")
        .unwrap();
    db.execute(
        "CREATE TABLE items (id INTEGER PRIMARY KEY, parent_id INTEGER, created INTEGER, title TEXT)",
    )
    .unwrap();
    let parents: Vec<String> = (1..=PARENTS).map(|i| format!("({i}, 'p{i}')")).collect();
    db.execute(&format!(
        "INSERT INTO parents VALUES {}",
        parents.join(", ")
    ))
    .unwrap();
    for batch in 0..ROWS / 1000 {
        let rows: Vec<String> = (batch * 1000 + 1..=batch * 1000 + 1000)
            .map(|i| format!("({i}, {}, {}, 'item {i}')", i % PARENTS + 1, i * 10))
            .collect();
        db.execute(&format!("INSERT INTO items VALUES {}", rows.join(", ")))
            .unwrap();
    }
    let seed_ms = started.elapsed().as_secs_f64() * 1000.0;
    db.execute("CREATE INDEX items_created_idx ON items (created)")
        .unwrap();
    db.clear_log();
    (db, seed_ms)
}

fn main() {
    let (mut db, seed_ms) = seed();
    let mut figures = Vec::new();

    let lookups: Vec<String> = (0..200)
        .map(|i| {
            format!(
                "SELECT * FROM items WHERE created = {}",
                (i * 499 + 7) % ROWS * 10
            )
        })
        .collect();
    figures.push(measure(&mut db, "indexed_equality_lookup", &lookups));
    let pk: Vec<String> = (0..200)
        .map(|i| {
            format!(
                "SELECT * FROM items WHERE id = {}",
                (i * 499 + 7) % ROWS + 1
            )
        })
        .collect();
    figures.push(measure(&mut db, "primary_key_lookup", &pk));

    for (label, depth) in [("0", 0), ("50", ROWS / 2), ("99", ROWS * 99 / 100)] {
        // The cursor is the last `created` of the previous page.
        let keyset = vec![
            format!(
                "SELECT * FROM items WHERE created > {} ORDER BY created LIMIT {PAGE}",
                depth * 10
            );
            9
        ];
        figures.push(measure(
            &mut db,
            &format!("keyset_page_depth_{label}pct"),
            &keyset,
        ));
        let offset =
            vec![format!("SELECT * FROM items ORDER BY created LIMIT {PAGE} OFFSET {depth}"); 5];
        figures.push(measure(
            &mut db,
            &format!("offset_page_depth_{label}pct"),
            &offset,
        ));
    }

    let children: Vec<String> = (1..=PARENTS)
        .map(|p| format!("SELECT * FROM items WHERE parent_id = {p}"))
        .collect();
    figures.push(measure_total(
        &mut db,
        "n_plus_1_of_1000_without_fk_index",
        &children,
    ));
    db.execute("CREATE INDEX items_parent_idx ON items (parent_id)")
        .unwrap();
    db.clear_log();
    figures.push(measure_total(
        &mut db,
        "n_plus_1_of_1000_with_fk_index",
        &children,
    ));

    let begins: Vec<String> = vec!["BEGIN".to_string(); 1];
    let mut begin_ms = Vec::new();
    let mut rollback_ms = Vec::new();
    for _ in 0..500 {
        let started = Instant::now();
        db.execute(&begins[0]).unwrap();
        begin_ms.push(started.elapsed().as_secs_f64() * 1000.0);
        db.execute("UPDATE items SET title = 'changed' WHERE id = 1")
            .unwrap();
        let started = Instant::now();
        db.execute("ROLLBACK").unwrap();
        rollback_ms.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    db.clear_log();
    begin_ms.sort_by(f64::total_cmp);
    rollback_ms.sort_by(f64::total_cmp);
    for (name, times) in [
        ("begin", &begin_ms),
        ("rollback_after_one_update", &rollback_ms),
    ] {
        figures.push(Figure {
            name: name.to_string(),
            median_ms: times[times.len() / 2],
            runs: times.len(),
            rows_examined: 0,
            access: String::new(),
        });
    }

    let body: Vec<String> = figures
        .iter()
        .map(|f| {
            format!(
                "    {{\"name\": \"{}\", \"median_ms\": {:.4}, \"runs\": {}, \"rows_examined\": {}, \"access\": \"{}\"}}",
                f.name, f.median_ms, f.runs, f.rows_examined, f.access.replace('"', "\\\"")
            )
        })
        .collect();
    println!(
        "{{\n  \"rows\": {ROWS},\n  \"build\": \"{}\",\n  \"seed_ms\": {seed_ms:.1},\n  \"figures\": [\n{}\n  ]\n}}",
        if cfg!(debug_assertions) { "debug" } else { "release" },
        body.join(",\n")
    );
}
