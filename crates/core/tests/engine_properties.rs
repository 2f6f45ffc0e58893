//! Property tests: on random tables and random single-table queries, a database with
//! indexes returns what a database without them returns (the same rows; the same order
//! where ORDER BY fixes it), also after random writes and rolled-back transactions.
//!
//! The generator is a small seeded PRNG rather than a property-testing crate: the cases
//! are reproducible from the printed seed and the test needs no extra dependency.

use gluesql::core::executor::Payload;
use gluesql::prelude::Value;
use sqlpatterns_core::engine::Database;

/// Modest by default to keep `cargo test` fast; `ENGINE_PROPERTY_CASES=2000` for a soak.
fn cases() -> u64 {
    std::env::var("ENGINE_PROPERTY_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40)
}
const QUERIES_PER_CASE: usize = 25;

/// splitmix64: tiny, deterministic, good enough to pick test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

fn literal(rng: &mut Rng, column: &str) -> String {
    match column {
        // Sometimes a float against the integer column and an integer against the float
        // one: the index must not seek those by the wrong type.
        "a" if rng.chance(15) => format!("{}.5", rng.below(10)),
        "a" | "id" => rng.below(12).to_string(),
        "b" => format!("'{}'", rng.pick(&["", "a", "ab", "b", "ba", "c"])),
        "c" if rng.chance(30) => rng.below(6).to_string(),
        "c" => format!("{}.{}", rng.below(6), rng.pick(&["0", "25", "5"])),
        _ => unreachable!(),
    }
}

fn value_sql(rng: &mut Rng, column: &str) -> String {
    if column != "id" && rng.chance(20) {
        "NULL".to_string()
    } else if column == "a" {
        rng.below(12).to_string()
    } else {
        literal(rng, column)
    }
}

fn predicate(rng: &mut Rng) -> String {
    let column = rng.pick(&["a", "a", "b", "c", "id"]);
    match rng.below(9) {
        0 => format!("{column} IS NULL"),
        1 => format!("{column} IS NOT NULL"),
        2 => format!("{} = {column}", literal(rng, column)),
        3 => format!("{} < {column}", literal(rng, column)),
        _ => {
            let op = rng.pick(&["=", "<", "<=", ">", ">="]);
            format!("{column} {op} {}", literal(rng, column))
        }
    }
}

fn query(rng: &mut Rng) -> (String, bool) {
    let projection = rng.pick(&["*", "id, a", "id, b, c"]);
    let mut sql = format!("SELECT {projection} FROM t");
    if rng.chance(80) {
        sql += &format!(" WHERE {}", predicate(rng));
        if rng.chance(40) {
            sql += &format!(" AND {}", predicate(rng));
        }
    }
    // `ordered` means the ORDER BY fixes the order completely (it ends with the primary
    // key): only then must both sides list the rows in the same order, and only then may a
    // LIMIT pick the same rows.
    let mut ordered = false;
    if rng.chance(60) {
        let column = rng.pick(&["a", "b", "c", "id"]);
        let direction = rng.pick(&["", " ASC", " DESC"]);
        sql += &format!(" ORDER BY {column}{direction}");
        if column != "id" && rng.chance(60) {
            sql += ", id";
        }
        ordered = column == "id" || sql.ends_with(", id");
        if ordered && rng.chance(50) {
            sql += &format!(" LIMIT {}", rng.below(8));
            if rng.chance(50) {
                sql += &format!(" OFFSET {}", rng.below(8));
            }
        }
    }
    (sql, ordered)
}

fn rows(db: &mut Database, sql: &str) -> Result<Vec<Vec<Value>>, String> {
    match db.execute(sql) {
        Ok(Payload::Select { rows, .. }) => Ok(rows),
        Ok(other) => Err(format!("not a select: {other:?}")),
        Err(e) => Err(e.message),
    }
}

fn both(plain: &mut Database, indexed: &mut Database, sql: &str) {
    let a = plain.execute(sql).map_err(|e| e.message);
    let b = indexed.execute(sql).map_err(|e| e.message);
    assert_eq!(a.is_ok(), b.is_ok(), "{sql}: {a:?} vs {b:?}");
}

#[test]
fn indexed_and_unindexed_results_are_the_same() {
    let mut index_uses = 0;
    for case in 0..cases() {
        let seed = 0x5EED_0000 + case;
        let mut rng = Rng(seed);
        let mut plain = Database::new();
        let mut indexed = Database::new();
        let create =
            "CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NULL, b TEXT NULL, c FLOAT NULL)";
        plain.execute(create).unwrap();
        indexed.execute(create).unwrap();
        for index in [
            "CREATE INDEX t_a ON t (a)",
            "CREATE INDEX t_b ON t (b)",
            "CREATE INDEX t_c ON t (c)",
        ] {
            if rng.chance(85) {
                indexed.execute(index).unwrap();
            }
        }
        let n = rng.below(60);
        for id in 0..n {
            let sql = format!(
                "INSERT INTO t VALUES ({id}, {}, {}, {})",
                value_sql(&mut rng, "a"),
                value_sql(&mut rng, "b"),
                value_sql(&mut rng, "c")
            );
            both(&mut plain, &mut indexed, &sql);
        }
        // Writes through the indexes, some of them rolled back on the indexed side only.
        for _ in 0..rng.below(6) {
            let column = rng.pick(&["a", "b", "c"]);
            let write = if rng.chance(50) {
                format!(
                    "UPDATE t SET {column} = {} WHERE {}",
                    value_sql(&mut rng, column),
                    predicate(&mut rng)
                )
            } else {
                format!("DELETE FROM t WHERE {}", predicate(&mut rng))
            };
            if rng.chance(30) {
                indexed.execute("BEGIN").unwrap();
                indexed.execute(&write).ok();
                indexed.execute("ROLLBACK").unwrap();
            } else {
                both(&mut plain, &mut indexed, &write);
            }
        }

        for _ in 0..QUERIES_PER_CASE {
            let (sql, ordered) = query(&mut rng);
            let expected = rows(&mut plain, &sql);
            let actual = rows(&mut indexed, &sql);
            let (mut expected, mut actual) = match (expected, actual) {
                (Ok(e), Ok(a)) => (e, a),
                (e, a) => {
                    assert_eq!(e.is_ok(), a.is_ok(), "seed {seed}: {sql}: {e:?} vs {a:?}");
                    continue;
                }
            };
            if !ordered {
                let key = |row: &Vec<Value>| format!("{row:?}");
                expected.sort_by_key(key);
                actual.sort_by_key(key);
            }
            let entry = indexed.log().entries().last().unwrap();
            assert_eq!(
                actual,
                expected,
                "seed {seed}: {sql}\n{}\n{:?}",
                entry.plan.as_deref().unwrap_or(""),
                entry.accesses
            );
            if entry
                .accesses
                .iter()
                .any(|a| a.method.index_name().is_some())
            {
                index_uses += 1;
            }
        }
    }
    // The comparison means something only if the indexed side really used indexes.
    assert!(
        index_uses > (cases() as usize * QUERIES_PER_CASE) / 4,
        "{index_uses}"
    );
}
