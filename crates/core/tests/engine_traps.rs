//! The two GlueSQL behaviours the engine layer corrects.

use gluesql::core::executor::Payload;
use gluesql::prelude::Value;
use sqlpatterns_core::engine::Database;

fn rows(db: &mut Database, sql: &str) -> Vec<Vec<Value>> {
    match db.execute(sql).unwrap() {
        Payload::Select { rows, .. } => rows,
        other => panic!("not a select: {other:?}"),
    }
}

#[test]
fn a_duplicate_key_inside_one_insert_is_a_duplicate_key_error() {
    let mut db = Database::new();
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
        .unwrap();
    let err = db
        .execute("INSERT INTO t VALUES (1, 'first'), (1, 'second')")
        .unwrap_err();
    assert_eq!(
        err.message,
        "duplicate key value violates unique constraint \"t_pkey\""
    );
    // Nothing of the failed statement stays.
    assert!(rows(&mut db, "SELECT * FROM t").is_empty());
    db.execute("INSERT INTO t VALUES (1, 'first')").unwrap();
    assert!(db
        .execute("INSERT INTO t VALUES (2, 'x'), (1, 'again')")
        .is_err());
    assert_eq!(
        rows(&mut db, "SELECT name FROM t"),
        [[Value::Str("first".into())]]
    );
    // UPDATE rewrites existing keys: that is not a duplicate.
    db.execute("UPDATE t SET name = 'renamed'").unwrap();
}

#[test]
fn insert_select_with_a_column_list_fills_the_other_columns() {
    let mut db = Database::new();
    db.execute(
        "CREATE TABLE target (id INTEGER PRIMARY KEY, a TEXT, b INTEGER DEFAULT 7, c TEXT NULL)",
    )
    .unwrap();
    db.execute("CREATE TABLE source (x INTEGER, y TEXT)")
        .unwrap();
    db.execute("INSERT INTO source VALUES (1, 'one'), (2, 'two')")
        .unwrap();
    db.execute("INSERT INTO target (a, id) SELECT y, x FROM source")
        .unwrap();
    assert_eq!(
        rows(&mut db, "SELECT id, a, b, c FROM target ORDER BY id"),
        [
            vec![
                Value::I64(1),
                Value::Str("one".into()),
                Value::I64(7),
                Value::Null
            ],
            vec![
                Value::I64(2),
                Value::Str("two".into()),
                Value::I64(7),
                Value::Null
            ],
        ]
    );
    // VALUES with a column list already worked, and still does.
    db.execute("INSERT INTO target (id, a) VALUES (3, 'three')")
        .unwrap();
    assert_eq!(
        rows(&mut db, "SELECT b FROM target WHERE id = 3"),
        [[Value::I64(7)]]
    );
    let err = db
        .execute("INSERT INTO target (id, nope) SELECT x, y FROM source")
        .unwrap_err();
    assert!(err.message.contains("nope"), "{}", err.message);
}

#[test]
fn insert_select_without_a_required_column_fails() {
    let mut db = Database::new();
    db.execute("CREATE TABLE target (id INTEGER PRIMARY KEY, must TEXT NOT NULL)")
        .unwrap();
    db.execute("CREATE TABLE source (x INTEGER)").unwrap();
    db.execute("INSERT INTO source VALUES (1)").unwrap();
    assert!(db
        .execute("INSERT INTO target (id) SELECT x FROM source")
        .is_err());
    assert!(rows(&mut db, "SELECT * FROM target").is_empty());
}
