//! Transaction semantics of the engine layer: snapshots at BEGIN and SAVEPOINT, read-only
//! transactions, aborted transactions, statement atomicity and the budget guard.

use gluesql::core::executor::Payload;
use gluesql::prelude::Value;
use sqlpatterns_core::engine::{Budget, Database, TransactionStatus};
use web_time::Duration;

fn db_with_accounts() -> Database {
    let mut db = Database::new();
    db.execute("CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT, balance INTEGER)")
        .unwrap();
    db.execute("INSERT INTO accounts VALUES (1, 'ann', 100), (2, 'bob', 50)")
        .unwrap();
    db
}

fn ints(db: &mut Database, sql: &str) -> Vec<i64> {
    match db.execute(sql).unwrap() {
        Payload::Select { rows, .. } => rows
            .into_iter()
            .map(|row| match &row[0] {
                Value::I64(n) => *n,
                other => panic!("not an integer: {other:?}"),
            })
            .collect(),
        other => panic!("not a select: {other:?}"),
    }
}

fn balances(db: &mut Database) -> Vec<i64> {
    ints(db, "SELECT balance FROM accounts ORDER BY id")
}

#[test]
fn rollback_undoes_every_change_of_the_transaction() {
    let mut db = db_with_accounts();
    db.execute("BEGIN").unwrap();
    db.execute("UPDATE accounts SET balance = balance - 30 WHERE id = 1")
        .unwrap();
    db.execute("INSERT INTO accounts VALUES (3, 'cy', 7)")
        .unwrap();
    db.execute("CREATE TABLE scratch (id INTEGER)").unwrap();
    assert_eq!(balances(&mut db), [70, 50, 7]);
    db.execute("ROLLBACK").unwrap();
    assert_eq!(balances(&mut db), [100, 50]);
    assert!(db.execute("SELECT * FROM scratch").is_err());
    assert_eq!(db.transaction_status(), TransactionStatus::Idle);
}

#[test]
fn commit_keeps_the_changes() {
    let mut db = db_with_accounts();
    db.execute("START TRANSACTION").unwrap();
    db.execute("UPDATE accounts SET balance = 0 WHERE id = 2")
        .unwrap();
    db.execute("COMMIT").unwrap();
    db.execute("ROLLBACK").unwrap();
    let last = db.log().entries().last().unwrap();
    assert_eq!(
        last.notice.as_deref(),
        Some("there is no transaction in progress")
    );
    assert_eq!(balances(&mut db), [100, 0]);
}

#[test]
fn nested_savepoints_roll_back_to_the_named_one() {
    let mut db = db_with_accounts();
    db.execute("BEGIN").unwrap();
    db.execute("UPDATE accounts SET balance = 1 WHERE id = 1")
        .unwrap();
    db.execute("SAVEPOINT a").unwrap();
    db.execute("UPDATE accounts SET balance = 2 WHERE id = 1")
        .unwrap();
    db.execute("SAVEPOINT b").unwrap();
    db.execute("UPDATE accounts SET balance = 3 WHERE id = 1")
        .unwrap();
    assert_eq!(
        db.transaction_status(),
        TransactionStatus::InTransaction {
            read_only: false,
            savepoints: vec!["a".into(), "b".into()]
        }
    );
    db.execute("ROLLBACK TO SAVEPOINT b").unwrap();
    assert_eq!(balances(&mut db), [2, 50]);
    db.execute("ROLLBACK TO a").unwrap();
    assert_eq!(balances(&mut db), [1, 50]);
    // Rolling back to `a` destroyed `b`, and kept `a`.
    let err = db.execute("ROLLBACK TO SAVEPOINT b").unwrap_err();
    assert_eq!(err.message, "savepoint \"b\" does not exist");
    db.execute("ROLLBACK TO SAVEPOINT a").unwrap();
    db.execute("UPDATE accounts SET balance = 4 WHERE id = 1")
        .unwrap();
    db.execute("COMMIT").unwrap();
    assert_eq!(balances(&mut db), [4, 50]);
    let commands: Vec<&str> = db
        .log()
        .entries()
        .iter()
        .map(|e| e.command.as_str())
        .collect();
    assert!(commands.contains(&"SAVEPOINT"));
}

#[test]
fn release_keeps_changes_and_forgets_the_savepoint() {
    let mut db = db_with_accounts();
    db.execute("BEGIN").unwrap();
    db.execute("SAVEPOINT s1").unwrap();
    db.execute("UPDATE accounts SET balance = 9 WHERE id = 2")
        .unwrap();
    db.execute("SAVEPOINT s2").unwrap();
    db.execute("RELEASE SAVEPOINT s1").unwrap();
    // Releasing s1 released s2 made after it.
    assert!(db.execute("ROLLBACK TO SAVEPOINT s2").is_err());
    db.execute("ROLLBACK").unwrap();
    db.execute("BEGIN").unwrap();
    db.execute("SAVEPOINT s1").unwrap();
    db.execute("UPDATE accounts SET balance = 9 WHERE id = 2")
        .unwrap();
    db.execute("RELEASE s1").unwrap();
    db.execute("COMMIT").unwrap();
    assert_eq!(balances(&mut db), [100, 9]);
}

#[test]
fn savepoint_outside_a_transaction_is_an_error() {
    let mut db = db_with_accounts();
    let err = db.execute("SAVEPOINT a").unwrap_err();
    assert_eq!(
        err.message,
        "SAVEPOINT can only be used in transaction blocks"
    );
    assert!(db.execute("RELEASE SAVEPOINT a").is_err());
    assert!(db.execute("ROLLBACK TO SAVEPOINT a").is_err());
}

#[test]
fn read_only_transactions_refuse_writes_in_all_three_spellings() {
    for begin in [
        vec!["BEGIN READ ONLY"],
        vec!["START TRANSACTION READ ONLY"],
        vec!["BEGIN", "SET TRANSACTION READ ONLY"],
    ] {
        let mut db = db_with_accounts();
        for sql in &begin {
            db.execute(sql).unwrap();
        }
        assert_eq!(balances(&mut db), [100, 50], "reads work: {begin:?}");
        let err = db.execute("UPDATE accounts SET balance = 0").unwrap_err();
        assert_eq!(
            err.message, "cannot execute UPDATE in a read-only transaction",
            "{begin:?}"
        );
        db.execute("ROLLBACK").unwrap();
        let err = db
            .execute("BEGIN READ ONLY")
            .and_then(|_| db.execute("CREATE TABLE t (id INTEGER)"));
        assert!(err.unwrap_err().message.contains("CREATE TABLE"));
        db.execute("ROLLBACK").unwrap();
        assert_eq!(balances(&mut db), [100, 50]);
    }
}

#[test]
fn read_write_cannot_be_set_after_a_query() {
    let mut db = db_with_accounts();
    db.execute("BEGIN READ ONLY").unwrap();
    db.execute("SELECT * FROM accounts").unwrap();
    let err = db.execute("SET TRANSACTION READ WRITE").unwrap_err();
    assert_eq!(
        err.message,
        "transaction read-write mode must be set before any query"
    );
}

#[test]
fn a_failing_statement_aborts_the_transaction_until_rollback() {
    let mut db = db_with_accounts();
    db.execute("BEGIN").unwrap();
    db.execute("UPDATE accounts SET balance = 1 WHERE id = 1")
        .unwrap();
    db.execute("SAVEPOINT before_bad").unwrap();
    db.execute("INSERT INTO accounts VALUES (3, 'cy', 3)")
        .unwrap();
    // Duplicate primary key: fails, and the transaction is aborted.
    assert!(db
        .execute("INSERT INTO accounts VALUES (3, 'dup', 0)")
        .is_err());
    assert!(matches!(
        db.transaction_status(),
        TransactionStatus::Aborted { .. }
    ));
    let err = db.execute("SELECT * FROM accounts").unwrap_err();
    assert!(err.message.starts_with("current transaction is aborted"));
    // ROLLBACK TO SAVEPOINT recovers, undoing what came after the savepoint.
    db.execute("ROLLBACK TO SAVEPOINT before_bad").unwrap();
    assert_eq!(balances(&mut db), [1, 50]);
    db.execute("COMMIT").unwrap();
    assert_eq!(balances(&mut db), [1, 50]);
}

#[test]
fn commit_of_an_aborted_transaction_rolls_back() {
    let mut db = db_with_accounts();
    db.execute("BEGIN").unwrap();
    db.execute("UPDATE accounts SET balance = 1 WHERE id = 1")
        .unwrap();
    assert!(db.execute("SELECT * FROM nowhere").is_err());
    let payload = db.execute("COMMIT").unwrap();
    assert_eq!(payload, Payload::Rollback);
    assert_eq!(db.log().entries().last().unwrap().command, "ROLLBACK");
    assert_eq!(balances(&mut db), [100, 50]);
}

#[test]
fn a_failing_statement_leaves_no_trace() {
    let mut db = Database::new();
    db.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
        .unwrap();
    db.execute(
        "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER, v INTEGER, \
         FOREIGN KEY (parent_id) REFERENCES parent (id))",
    )
    .unwrap();
    db.execute("INSERT INTO parent VALUES (1)").unwrap();
    db.execute("INSERT INTO child VALUES (1, 1, 10), (2, 1, 20)")
        .unwrap();
    db.execute("CREATE INDEX child_v ON child (v)").unwrap();
    // The division by zero happens on the second row, after the first is updated.
    assert!(db.execute("UPDATE child SET v = 100 / (v - 20)").is_err());
    assert_eq!(ints(&mut db, "SELECT v FROM child ORDER BY id"), [10, 20]);
    assert_eq!(ints(&mut db, "SELECT id FROM child WHERE v = 10"), [1]);
}

#[test]
fn the_budget_stops_a_runaway_statement_and_changes_nothing() {
    let mut db = Database::with_budget(Budget {
        max_duration: Duration::from_secs(3600),
        max_rows_examined: 1_000,
        ..Budget::default()
    });
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)")
        .unwrap();
    let values: Vec<String> = (1..=40).map(|i| format!("({i}, {i})")).collect();
    db.execute(&format!("INSERT INTO t VALUES {}", values.join(", ")))
        .unwrap();
    // 40 + 40 x 40 rows examined by the nested loop: over the budget.
    let err = db
        .execute("SELECT COUNT(*) FROM t a JOIN t b ON a.v < b.v")
        .unwrap_err();
    assert!(
        err.message.contains("examined more than 1000 rows"),
        "{}",
        err.message
    );
    // An UPDATE that reads too much changes nothing.
    db.execute("CREATE TABLE u (id INTEGER PRIMARY KEY, v INTEGER)")
        .unwrap();
    let many: Vec<String> = (1..=600).map(|i| format!("({i}, 0)")).collect();
    db.execute(&format!("INSERT INTO u VALUES {}", many.join(", ")))
        .unwrap();
    let err = db
        .execute("UPDATE u SET v = (SELECT COUNT(*) FROM t)")
        .unwrap_err();
    assert!(
        err.message.contains("nothing was changed"),
        "{}",
        err.message
    );
    assert_eq!(ints(&mut db, "SELECT COUNT(*) FROM u WHERE v = 0"), [600]);
    // Within the budget, the same kind of statement runs.
    assert_eq!(ints(&mut db, "SELECT COUNT(*) FROM t WHERE v > 20"), [20]);
}

#[test]
fn the_time_budget_stops_a_statement() {
    let mut db = Database::with_budget(Budget {
        max_duration: Duration::ZERO,
        max_rows_examined: u64::MAX,
        ..Budget::default()
    });
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        .unwrap();
    let values: Vec<String> = (1..=200).map(|i| format!("({i})")).collect();
    // Inserting examines rows too (the primary-key checks), so raise the budget for it.
    db.set_budget(Budget::UNLIMITED);
    db.execute(&format!("INSERT INTO t VALUES {}", values.join(", ")))
        .unwrap();
    db.set_budget(Budget {
        max_duration: Duration::ZERO,
        max_rows_examined: u64::MAX,
        ..Budget::default()
    });
    let err = db.execute("SELECT * FROM t").unwrap_err();
    assert!(err.message.contains("ms budget"), "{}", err.message);
}

#[test]
fn snapshot_and_restore_reset_the_database() {
    let mut db = db_with_accounts();
    let seed = db.snapshot();
    db.execute("DELETE FROM accounts").unwrap();
    db.execute("BEGIN").unwrap();
    db.restore(&seed);
    assert!(!db.in_transaction());
    assert_eq!(balances(&mut db), [100, 50]);
}

/// 400 rows of 10 kB: a self-join of it would hold 160,000 rows of 20 kB to sort.
fn wide_table(db: &mut Database) {
    db.execute("CREATE TABLE wide (id INTEGER PRIMARY KEY, body TEXT)")
        .unwrap();
    db.execute("INSERT INTO wide SELECT g, repeat('x', 10000) FROM generate_series(1, 400) AS g")
        .unwrap();
}

#[test]
fn the_memory_budget_stops_a_wide_sort_and_the_memory_is_free_after() {
    use sqlpatterns_core::engine::memory::live_bytes;
    let mut db = Database::with_budget(Budget {
        max_statement_memory: 32 << 20,
        ..Budget::default()
    });
    wide_table(&mut db);
    let before = live_bytes();
    let err = db
        .execute("SELECT a.body || b.body FROM wide AS a, wide AS b ORDER BY 1")
        .unwrap_err();
    assert_eq!(err.code.0, "53200");
    assert!(
        err.message.starts_with(
            "statement stopped: it held more than 32 MB of rows at once, its memory budget"
        ),
        "{}",
        err.message
    );
    let entry = db.log().entries().last().unwrap().clone();
    assert!(
        entry.memory_peak_bytes > 32 << 20,
        "{}",
        entry.memory_peak_bytes
    );
    // What the statement held is free again (the log entry's text aside).
    assert!(
        live_bytes() < before + (1 << 20),
        "{} bytes before, {} after",
        before,
        live_bytes()
    );
    // A statement within the budget still runs, and its peak is in the log.
    assert_eq!(ints(&mut db, "SELECT count(*) FROM wide"), [400]);
    db.execute("SELECT body FROM wide ORDER BY body").unwrap();
    let peak = db.log().entries().last().unwrap().memory_peak_bytes;
    assert!(peak > 4_000_000 && peak < 32 << 20, "{peak}");
}

#[test]
fn a_write_that_would_leave_the_page_over_its_memory_budget_is_undone() {
    use sqlpatterns_core::engine::memory::live_bytes;
    let mut db = Database::new();
    wide_table(&mut db);
    // Room for about 10 MB more than the page holds now; each insert below adds 4 MB.
    db.set_budget(Budget {
        max_total_memory: live_bytes() + (10 << 20),
        ..Budget::default()
    });
    let insert = |round: usize| {
        format!(
            "INSERT INTO wide SELECT g + {}, repeat('y', 10000) FROM generate_series(1, 400) AS g",
            round * 1000
        )
    };
    let mut inserted = 0;
    let err = loop {
        match db.execute(&insert(inserted + 1)) {
            Ok(_) => inserted += 1,
            Err(err) => break err,
        }
        assert!(inserted < 5, "20 MB added to a page with 10 MB of room");
    };
    assert!(inserted >= 1, "4 MB fits in 10");
    assert_eq!(err.code.0, "53200");
    assert!(
        err.message
            .contains("would have left the page holding more than"),
        "{}",
        err.message
    );
    // The stopped insert changed nothing.
    assert_eq!(
        ints(&mut db, "SELECT count(*) FROM wide"),
        [400 * (1 + inserted as i64)]
    );
    // Freeing rows makes room again.
    db.execute("DELETE FROM wide WHERE id > 1000").unwrap();
    db.execute(&insert(9)).unwrap();
}
