//! Seeding a page's table in multi-row INSERT statements of 500 rows.

use crate::engine::Database;

/// Rows per seed statement.
pub const SEED_BATCH: i64 = 500;

/// Inserts rows `1..=count` into `target` (e.g. `users (id, email, name)`), `values(i)`
/// giving row `i`'s parenthesised values.
pub fn insert_rows(
    db: &mut Database,
    target: &str,
    count: i64,
    values: impl Fn(i64) -> String,
) -> Result<(), String> {
    let mut start = 1;
    while start <= count {
        let end = (start + SEED_BATCH - 1).min(count);
        let rows: Vec<String> = (start..=end).map(&values).collect();
        db.execute(&format!("INSERT INTO {target} VALUES {}", rows.join(", ")))
            .map_err(|e| e.message)?;
        start = end + 1;
    }
    Ok(())
}

/// A deterministic person name for row `i`.
pub fn person(i: i64) -> String {
    const FIRST: [&str; 8] = [
        "Ada", "Alan", "Grace", "Edsger", "Barbara", "Donald", "Frances", "Ken",
    ];
    const LAST: [&str; 8] = [
        "Lovelace", "Turing", "Hopper", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson",
    ];
    let i = i as usize;
    format!("{} {}", FIRST[i % 8], LAST[(i / 8) % 8])
}
