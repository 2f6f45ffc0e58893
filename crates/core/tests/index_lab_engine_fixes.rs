//! Engine fixes the index labs needed, each pinned by a test: backward index scans return
//! every row (im 15.1's backward iterator skipped some), and `ORDER BY a DESC, id` is served
//! by an index on `a` (or `(a, id)`), so a keyset page reads only its rows.

use sqlpatterns_core::engine::{AccessMethod, Database};
use sqlpatterns_core::index_lab::seed::{signup_times, timestamp_sql};

fn ids(db: &mut Database, sql: &str) -> Vec<i64> {
    match db.execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}")) {
        gluesql::core::executor::Payload::Select { rows, .. } => rows
            .iter()
            .map(|r| match r[0] {
                gluesql::core::data::Value::I64(n) => n,
                ref other => panic!("{other:?}"),
            })
            .collect(),
        other => panic!("{other:?}"),
    }
}

/// 5,000 events at irregular times with ties, the shape that made backward scans lose rows.
fn events() -> Database {
    let mut db = Database::new();
    db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, at TIMESTAMP)")
        .unwrap();
    let times = signup_times(5_000, 99);
    for chunk in times.chunks(500).enumerate() {
        let rows: Vec<String> = chunk
            .1
            .iter()
            .enumerate()
            .map(|(i, t)| format!("({}, {})", chunk.0 * 500 + i + 1, timestamp_sql(*t)))
            .collect();
        db.execute(&format!("INSERT INTO events VALUES {}", rows.join(", ")))
            .unwrap();
    }
    db
}

#[test]
fn backward_scans_return_every_row_in_order() {
    let mut db = events();
    let by_pk = ids(&mut db, "SELECT id FROM events ORDER BY id DESC");
    assert_eq!(by_pk, (1..=5_000).rev().collect::<Vec<i64>>());
    let unindexed = ids(&mut db, "SELECT id FROM events ORDER BY at DESC");
    db.execute("CREATE INDEX events_at ON events (at)").unwrap();
    let indexed = ids(&mut db, "SELECT id FROM events ORDER BY at DESC");
    assert_eq!(indexed.len(), 5_000);
    assert_eq!(indexed, unindexed);
    let range = ids(
        &mut db,
        "SELECT id FROM events WHERE at <= '2024-01-01 12:00:00' ORDER BY at DESC",
    );
    let scanned = ids(
        &mut db,
        "SELECT id FROM events WHERE at + INTERVAL '0' SECOND <= '2024-01-01 12:00:00' ORDER BY at DESC",
    );
    assert!(!range.is_empty());
    assert_eq!(range, scanned);
}

#[test]
fn an_index_on_the_leading_column_serves_order_by_it_then_the_primary_key() {
    let mut db = events();
    let sorted = ids(
        &mut db,
        "SELECT id FROM events ORDER BY at DESC, id LIMIT 50",
    );
    db.execute("CREATE INDEX events_at_id ON events (at, id)")
        .unwrap();
    let page = ids(
        &mut db,
        "SELECT id FROM events ORDER BY at DESC, id LIMIT 50",
    );
    assert_eq!(page, sorted);
    let entry = db.log().entries().last().unwrap();
    assert_eq!(entry.rows_examined, 50);
    assert!(matches!(
        entry.accesses[0].method,
        AccessMethod::IndexScan { ref index, descending: true } if index == "events_at_id"
    ));
    // Forward too; but `id DESC` is not the index's order within a key: sorted as before.
    let forward = ids(&mut db, "SELECT id FROM events ORDER BY at, id LIMIT 5");
    assert_eq!(db.log().entries().last().unwrap().rows_examined, 5);
    assert_eq!(
        forward,
        ids(&mut db, "SELECT id FROM events ORDER BY at, id + 0 LIMIT 5")
    );
    ids(
        &mut db,
        "SELECT id FROM events ORDER BY at DESC, id DESC LIMIT 5",
    );
    assert_eq!(db.log().entries().last().unwrap().rows_examined, 5_000);
}

#[test]
fn a_keyset_page_in_mixed_order_starts_at_its_cursor() {
    let mut db = events();
    db.execute("CREATE INDEX events_at_id ON events (at, id)")
        .unwrap();
    let all = ids(&mut db, "SELECT id FROM events ORDER BY at DESC, id");
    // The cursor: the 3,000th row.
    let payload = db
        .execute("SELECT id, at FROM events ORDER BY at DESC, id LIMIT 1 OFFSET 2999")
        .unwrap();
    let gluesql::core::executor::Payload::Select { rows, .. } = payload else {
        panic!()
    };
    let (id, at) = (String::from(&rows[0][0]), String::from(&rows[0][1]));
    let page = ids(
        &mut db,
        &format!(
            "SELECT id FROM events WHERE at <= '{at}' AND (at < '{at}' OR (at = '{at}' AND id > {id})) \
             ORDER BY at DESC, id LIMIT 20"
        ),
    );
    assert_eq!(page, all[3000..3020]);
    let entry = db.log().entries().last().unwrap();
    assert!(entry.rows_examined <= 25, "{}", entry.rows_examined);
    assert!(matches!(
        entry.accesses[0].method,
        AccessMethod::IndexRange {
            descending: true,
            ..
        }
    ));
}
