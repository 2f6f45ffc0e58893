//! What the front shows in the statement log: foreign-key actions, the reads constraint
//! checks make, and the Must-show expression index seek.

use sqlpatterns_core::dialect::ConstraintAction;
use sqlpatterns_core::engine::{AccessMethod, Database, LogEntry};

fn last(db: &Database) -> &LogEntry {
    db.log().entries().last().expect("logged")
}

fn seed() -> Database {
    let mut db = Database::new();
    for sql in [
        "CREATE TABLE users (id VARCHAR PRIMARY KEY, email VARCHAR(255) NOT NULL UNIQUE)",
        "CREATE TABLE orders (id VARCHAR PRIMARY KEY, user_id VARCHAR NOT NULL REFERENCES users (id) ON DELETE CASCADE)",
        "CREATE TABLE notes (id INT PRIMARY KEY, user_id VARCHAR REFERENCES users ON DELETE SET NULL)",
        "INSERT INTO users VALUES ('u1', 'Ann@X'), ('u2', 'b@x')",
        "INSERT INTO orders VALUES ('o1', 'u1'), ('o2', 'u1'), ('o3', 'u2')",
        "INSERT INTO notes VALUES (1, 'u1')",
    ] {
        db.execute(sql).unwrap();
    }
    db
}

#[test]
fn cascades_and_set_null_are_listed_in_the_log() {
    let mut db = seed();
    db.execute("DELETE FROM users WHERE id = 'u1'").unwrap();
    let entry = last(&db);
    // In table-name order (foreign keys are visited table by table).
    assert_eq!(
        entry.constraint_actions,
        vec![
            ConstraintAction {
                table: "notes".into(),
                constraint: "notes_user_id_fkey".into(),
                action: "ON DELETE SET NULL".into(),
                rows: 1,
            },
            ConstraintAction {
                table: "orders".into(),
                constraint: "orders_user_id_fkey".into(),
                action: "ON DELETE CASCADE".into(),
                rows: 2,
            },
        ]
    );
    assert_eq!(
        entry.constraint_actions[1].describe(),
        "ON DELETE CASCADE on orders_user_id_fkey: 2 rows of orders deleted"
    );
    // The children were found by reading the child tables: visible as accesses.
    assert!(
        entry.accesses.iter().any(|a| a.table == "orders"),
        "{:?}",
        entry.accesses
    );
    // A failed statement lists no action.
    db.execute("CREATE TABLE pins (id INT PRIMARY KEY, order_id VARCHAR REFERENCES orders)")
        .unwrap();
    db.execute("INSERT INTO pins VALUES (1, 'o3')").unwrap();
    assert!(db.execute("DELETE FROM users WHERE id = 'u2'").is_err());
    assert!(last(&db).constraint_actions.is_empty());
}

#[test]
fn a_child_insert_looks_its_parent_up_by_primary_key() {
    let mut db = seed();
    db.execute("INSERT INTO orders VALUES ('o9', 'u2')")
        .unwrap();
    let entry = last(&db);
    assert!(
        entry
            .accesses
            .iter()
            .any(|a| a.table == "users" && a.method == AccessMethod::PrimaryKeyLookup),
        "{:?}",
        entry.accesses
    );
}

#[test]
fn must_show_lower_email_index_turns_the_scan_into_a_seek() {
    let mut db = seed();
    db.execute("SELECT id FROM users WHERE LOWER(email) = 'ann@x'")
        .unwrap();
    assert_eq!(last(&db).accesses[0].method, AccessMethod::FullScan);
    db.execute("CREATE INDEX ix_users_email_lower ON users (LOWER(email))")
        .unwrap();
    db.execute("SELECT id FROM users WHERE LOWER(email) = 'ann@x'")
        .unwrap();
    let entry = last(&db);
    assert_eq!(entry.accesses.len(), 1);
    assert_eq!(
        entry.accesses[0].method,
        AccessMethod::IndexSeek {
            index: "ix_users_email_lower".into(),
            condition: "LOWER(\"email\") = 'ann@x'".into(),
        }
    );
    assert_eq!(entry.rows_examined, 1);
}

#[test]
fn constraints_and_columns_are_described_for_the_ui() {
    let db = seed();
    let constraints = db.constraints("orders");
    let names: Vec<_> = constraints.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["orders_pkey", "orders_user_id_fkey"]);
    assert_eq!(
        constraints[1].definition,
        "FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE ON UPDATE NO ACTION"
    );
    let columns = db.columns("users");
    assert_eq!(columns[1].0, "email");
    assert_eq!(columns[1].1.pg_name(), "character varying(255)");
    assert!(columns[1].2);
}

#[test]
fn emulated_statements_say_in_the_log_what_each_part_did() {
    let mut db = seed();
    db.execute(
        "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4), o AS (SELECT id FROM orders) SELECT count(*) FROM n, o",
    )
    .unwrap();
    let plan = last(&db).plan.clone().unwrap_or_default();
    assert!(
        plan.starts_with("CTE n (recursive): 4 rows in 4 rounds\nCTE o: 3 rows"),
        "{plan}"
    );
    assert!(
        last(&db).rows_examined >= 3,
        "{:?}",
        last(&db).rows_examined
    );

    db.execute(
        "INSERT INTO users VALUES ('u3', 'c@x'), ('u9', 'b@x'), ('u1', 'new@x') ON CONFLICT (email) DO UPDATE SET email = 'B@x'",
    )
    .unwrap_err();
    db.execute(
        "INSERT INTO users VALUES ('u3', 'c@x'), ('u9', 'b@x') ON CONFLICT (email) DO UPDATE SET email = 'B@x'",
    )
    .unwrap();
    assert_eq!(
        last(&db).plan.as_deref(),
        Some("ON CONFLICT on users_email_key: 2 proposed row(s): 1 inserted, 1 updated on conflict, 0 skipped (the playground tries each row as an INSERT of its own)")
    );

    db.execute(
        "DELETE FROM orders USING users WHERE users.id = orders.user_id AND users.email = 'Ann@X'",
    )
    .unwrap();
    assert_eq!(
        last(&db).plan.as_deref(),
        Some("DELETE ... USING: the join found 2 row(s) of orders to delete; deleted by their primary keys")
    );
    assert_eq!(db.row_count("orders"), Some(1));
}
