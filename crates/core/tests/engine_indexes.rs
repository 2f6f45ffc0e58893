//! Secondary indexes: kept right through every change, used by the planner, and reported
//! in the statement log (rows examined, access path, plan).

use gluesql::core::executor::Payload;
use gluesql::prelude::Value;
use sqlpatterns_core::engine::{AccessMethod, Database, LogEntry, TableAccess};

fn posts(n: i64) -> Database {
    let mut db = Database::new();
    db.execute(
        "CREATE TABLE posts (id INTEGER PRIMARY KEY, author_id INTEGER, created INTEGER, score FLOAT, tag TEXT)",
    )
    .unwrap();
    let rows: Vec<String> = (1..=n)
        .map(|i| {
            let tag = if i % 10 == 0 {
                "NULL".to_string()
            } else {
                format!("'t{}'", i % 7)
            };
            format!("({i}, {}, {}, {}.5, {tag})", i % 50, i * 10, i % 13)
        })
        .collect();
    db.execute(&format!("INSERT INTO posts VALUES {}", rows.join(", ")))
        .unwrap();
    db
}

fn ids(db: &mut Database, sql: &str) -> Vec<i64> {
    match db.execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}")) {
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

fn last(db: &Database) -> &LogEntry {
    db.log().entries().last().unwrap()
}

fn only_access(db: &Database) -> TableAccess {
    let entry = last(db);
    assert_eq!(entry.accesses.len(), 1, "{:#?}", entry.accesses);
    entry.accesses[0].clone()
}

#[test]
fn equality_on_an_indexed_column_seeks_and_reads_only_the_matches() {
    let mut db = posts(500);
    db.execute("CREATE INDEX posts_author_idx ON posts (author_id)")
        .unwrap();
    let found = ids(&mut db, "SELECT id FROM posts WHERE author_id = 7");
    assert_eq!(found.len(), 10);
    assert!(found.iter().all(|id| id % 50 == 7));
    let access = only_access(&db);
    assert_eq!(
        access.method,
        AccessMethod::IndexSeek {
            index: "posts_author_idx".into(),
            condition: "author_id = 7".into()
        }
    );
    assert_eq!(access.rows_examined, 10);
    let plan = last(&db).plan.clone().unwrap();
    assert!(
        plan.contains("Index Seek using posts_author_idx on posts"),
        "{plan}"
    );
}

#[test]
fn a_column_qualified_by_its_table_seeks_the_index_too() {
    // SQLAlchemy's lazy load: `WHERE %(param_1)s = orders.user_id`.
    let mut db = posts(500);
    db.execute("CREATE INDEX posts_author_idx ON posts (author_id)")
        .unwrap();
    for sql in [
        "SELECT posts.id AS posts_id FROM posts WHERE 7 = posts.author_id",
        "SELECT p.id FROM posts AS p WHERE p.author_id = 7 AND p.score > 0",
    ] {
        let found = ids(&mut db, sql);
        assert_eq!(found.len(), 10, "{sql}");
        assert!(found.iter().all(|id| id % 50 == 7), "{sql}");
        assert_eq!(only_access(&db).rows_examined, 10, "{sql}");
    }
    // A qualifier naming another table is left alone (and fails as before).
    assert!(db
        .execute("SELECT id FROM posts WHERE other.author_id = 7")
        .is_err());
}

#[test]
fn without_the_index_the_same_query_scans_the_table() {
    let mut db = posts(500);
    ids(&mut db, "SELECT id FROM posts WHERE author_id = 7");
    let access = only_access(&db);
    assert_eq!(access.method, AccessMethod::FullScan);
    assert_eq!(access.rows_examined, 500);
}

#[test]
fn a_deep_keyset_page_reads_twenty_rows_and_the_offset_page_reads_the_table() {
    let mut db = posts(1000);
    db.execute("CREATE INDEX posts_created_idx ON posts (created)")
        .unwrap();
    let keyset = ids(
        &mut db,
        "SELECT id FROM posts WHERE created <= 200 ORDER BY created DESC LIMIT 20",
    );
    assert_eq!(keyset, (1..=20).rev().collect::<Vec<i64>>());
    let access = only_access(&db);
    assert_eq!(access.rows_examined, 20);
    assert!(matches!(
        access.method,
        AccessMethod::IndexRange { ref index, descending: true, .. } if index == "posts_created_idx"
    ));

    let offset = ids(
        &mut db,
        "SELECT id FROM posts ORDER BY created DESC LIMIT 20 OFFSET 980",
    );
    assert_eq!(offset, keyset);
    assert_eq!(last(&db).rows_examined, 1000);
}

#[test]
fn primary_key_ranges_and_order_use_the_pkey_index() {
    let mut db = posts(300);
    assert_eq!(
        ids(
            &mut db,
            "SELECT id FROM posts WHERE id > 100 ORDER BY id LIMIT 3"
        ),
        [101, 102, 103]
    );
    let access = only_access(&db);
    assert_eq!(access.rows_examined, 3);
    assert_eq!(access.method.index_name(), Some("posts_pkey"));
    assert_eq!(ids(&mut db, "SELECT id FROM posts WHERE id = 42"), [42]);
    assert_eq!(only_access(&db).method, AccessMethod::PrimaryKeyLookup);
    assert_eq!(
        ids(&mut db, "SELECT id FROM posts ORDER BY id DESC LIMIT 2"),
        [300, 299]
    );
    assert_eq!(only_access(&db).rows_examined, 2);
}

#[test]
fn ranges_and_null_tests_through_an_index_match_a_scan() {
    let mut db = posts(200);
    let queries = [
        "SELECT id FROM posts WHERE tag IS NULL ORDER BY id",
        "SELECT id FROM posts WHERE tag IS NOT NULL ORDER BY id",
        "SELECT id FROM posts WHERE tag > 't3' ORDER BY id",
        "SELECT id FROM posts WHERE tag <= 't3' ORDER BY id",
        "SELECT id FROM posts WHERE score >= 5 ORDER BY id",
        "SELECT id FROM posts WHERE score < 5.5 ORDER BY id",
        "SELECT id FROM posts WHERE score = 3.5 ORDER BY id",
        "SELECT id FROM posts WHERE 7 > score ORDER BY id",
        "SELECT id FROM posts ORDER BY tag DESC, id LIMIT 30",
    ];
    let before: Vec<Vec<i64>> = queries.iter().map(|q| ids(&mut db, q)).collect();
    db.execute("CREATE INDEX posts_tag_idx ON posts (tag)")
        .unwrap();
    db.execute("CREATE INDEX posts_score_idx ON posts (score)")
        .unwrap();
    for (query, expected) in queries.iter().zip(&before) {
        assert_eq!(&ids(&mut db, query), expected, "{query}");
        let entry = last(&db);
        assert!(
            entry
                .accesses
                .iter()
                .any(|a| a.method.index_name().is_some()),
            "{query} did not use an index: {:?}",
            entry.accesses
        );
    }
}

#[test]
fn indexes_stay_right_through_update_delete_alter_and_rollback() {
    let mut db = posts(100);
    db.execute("CREATE INDEX posts_author_idx ON posts (author_id)")
        .unwrap();
    db.execute("UPDATE posts SET author_id = 999 WHERE id <= 3")
        .unwrap();
    assert_eq!(
        ids(&mut db, "SELECT id FROM posts WHERE author_id = 999"),
        [1, 2, 3]
    );
    assert_eq!(
        ids(&mut db, "SELECT id FROM posts WHERE author_id = 1"),
        [51]
    );
    db.execute("DELETE FROM posts WHERE id = 2").unwrap();
    assert_eq!(
        ids(&mut db, "SELECT id FROM posts WHERE author_id = 999"),
        [1, 3]
    );

    db.execute("BEGIN").unwrap();
    db.execute("DELETE FROM posts WHERE author_id = 999")
        .unwrap();
    db.execute("INSERT INTO posts VALUES (1000, 999, 0, 0.0, NULL)")
        .unwrap();
    assert_eq!(
        ids(&mut db, "SELECT id FROM posts WHERE author_id = 999"),
        [1000]
    );
    db.execute("ROLLBACK").unwrap();
    assert_eq!(
        ids(&mut db, "SELECT id FROM posts WHERE author_id = 999"),
        [1, 3]
    );

    db.execute("ALTER TABLE posts ADD COLUMN extra INTEGER DEFAULT 5")
        .unwrap();
    db.execute("ALTER TABLE posts RENAME COLUMN author_id TO writer_id")
        .unwrap();
    assert_eq!(
        ids(&mut db, "SELECT id FROM posts WHERE writer_id = 999"),
        [1, 3]
    );
    assert_eq!(
        only_access(&db).method.index_name(),
        Some("posts_author_idx")
    );
    db.execute("ALTER TABLE posts DROP COLUMN created").unwrap();
    assert_eq!(
        ids(&mut db, "SELECT id FROM posts WHERE writer_id = 999"),
        [1, 3]
    );
    db.execute("ALTER TABLE posts DROP COLUMN writer_id")
        .unwrap();
    assert!(!db
        .index_names("posts")
        .contains(&"posts_author_idx".to_string()));
}

#[test]
fn create_and_drop_index_speak_postgresql() {
    let mut db = posts(10);
    db.execute("CREATE INDEX posts_author_idx ON posts (author_id)")
        .unwrap();
    let err = db
        .execute("CREATE INDEX posts_author_idx ON posts (created)")
        .unwrap_err();
    assert!(err.message.contains("posts_author_idx"), "{}", err.message);
    db.execute("CREATE INDEX IF NOT EXISTS posts_author_idx ON posts (created)")
        .unwrap();
    assert!(last(&db)
        .notice
        .as_deref()
        .unwrap()
        .contains("already exists"));
    db.execute("CREATE INDEX CONCURRENTLY posts_created_idx ON posts (created)")
        .unwrap();
    db.execute("DROP INDEX posts_author_idx").unwrap();
    db.execute("DROP INDEX posts.posts_created_idx").unwrap();
    assert_eq!(db.index_names("posts"), ["posts_pkey"]);
    let err = db.execute("DROP INDEX posts_author_idx").unwrap_err();
    assert_eq!(err.message, "index \"posts_author_idx\" does not exist");
    db.execute("DROP INDEX IF EXISTS posts_author_idx").unwrap();
    assert!(db.execute("DROP INDEX posts_pkey").is_err());
    db.execute("BEGIN").unwrap();
    let err = db
        .execute("CREATE INDEX CONCURRENTLY posts_x ON posts (created)")
        .unwrap_err();
    assert!(err.message.contains("inside a transaction block"));
}

#[test]
fn unique_columns_get_a_key_index() {
    let mut db = Database::new();
    db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE)")
        .unwrap();
    db.execute("INSERT INTO users VALUES (1, 'a@x'), (2, 'b@x')")
        .unwrap();
    assert_eq!(db.index_names("users"), ["users_pkey", "users_email_key"]);
    assert_eq!(
        ids(&mut db, "SELECT id FROM users WHERE email = 'b@x'"),
        [2]
    );
    assert_eq!(only_access(&db).rows_examined, 1);
}

#[test]
fn expression_indexes_seek_on_the_expression() {
    let mut db = posts(100);
    db.execute("CREATE INDEX posts_double_idx ON posts ((author_id * 2))")
        .unwrap();
    assert_eq!(
        ids(&mut db, "SELECT id FROM posts WHERE author_id * 2 = 14"),
        [7, 57]
    );
    assert_eq!(only_access(&db).rows_examined, 2);
    db.execute("UPDATE posts SET author_id = 0 WHERE id = 7")
        .unwrap();
    assert_eq!(
        ids(&mut db, "SELECT id FROM posts WHERE author_id * 2 = 14"),
        [57]
    );
}

#[test]
fn n_plus_one_child_queries_seek_the_foreign_key_index() {
    let mut db = posts(500);
    db.execute("CREATE INDEX posts_author_idx ON posts (author_id)")
        .unwrap();
    let before = db.log().last_seq();
    for author in 0..50 {
        ids(
            &mut db,
            &format!("SELECT id FROM posts WHERE author_id = {author}"),
        );
    }
    let examined: u64 = db.log().since(before).iter().map(|e| e.rows_examined).sum();
    assert_eq!(examined, 500);
}

/// The reference's index kinds (expression, composite, partial) are used by the queries
/// that match them, and only by those. (Their rows and errors are in the PostgreSQL
/// corpus, tests/sql/05_indexes.slt; access paths are our engine's own.)
#[test]
fn expression_composite_and_partial_indexes_serve_matching_queries_only() {
    let mut db = Database::new();
    for sql in [
        "CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(255), created_at TIMESTAMP, deleted_at TIMESTAMP, status TEXT)",
        "INSERT INTO users VALUES (1, 'Ann@X', '2024-01-01 10:00:00', NULL, 'active'), (2, 'bob@x', '2024-01-02 11:00:00', '2024-02-01 00:00:00', 'active'), (3, 'cy@x', '2024-01-02 12:00:00', NULL, 'banned')",
        "CREATE INDEX ix_users_email_lower ON users (LOWER(email))",
        "CREATE INDEX ix_users_day ON users (DATE(created_at))",
        "CREATE INDEX ix_users_status_created ON users (status, created_at)",
        "CREATE INDEX ix_live_users_email ON users (email) WHERE deleted_at IS NULL",
    ] {
        db.execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    for (sql, access) in [
        (
            "SELECT id FROM users WHERE LOWER(email) = 'ann@x'",
            "index seek on ix_users_email_lower (LOWER(\"email\") = 'ann@x')",
        ),
        (
            "SELECT id FROM users WHERE DATE(created_at) = '2024-01-02'",
            "index seek on ix_users_day (CAST(\"created_at\" AS DATE) = '2024-01-02')",
        ),
        // Leftmost prefix: the composite index serves a filter on its first column...
        (
            "SELECT id FROM users WHERE status = 'active' AND created_at > '2024-01-01 12:00:00'",
            "index seek on ix_users_status_created (status = 'active')",
        ),
        // ...but not a filter on its second column alone.
        (
            "SELECT id FROM users WHERE created_at = '2024-01-01 10:00:00'",
            "full scan",
        ),
        // A partial index only when the query implies its predicate.
        (
            "SELECT id FROM users WHERE email = 'cy@x' AND deleted_at IS NULL",
            "index seek on ix_live_users_email (email = 'cy@x')",
        ),
        ("SELECT id FROM users WHERE email = 'bob@x'", "full scan"),
    ] {
        db.execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert_eq!(only_access(&db).method.describe(), access, "{sql}");
    }
}

/// The same query on `posts(n)` with the index and without: the same rows, in the same
/// order, and the access path the indexed one took.
fn indexed_and_not(sql: &str, index: &str) -> (Vec<i64>, AccessMethod, u64) {
    let mut plain = posts(2000);
    let expected = ids(&mut plain, sql);
    let mut db = posts(2000);
    db.execute(index).unwrap();
    let found = ids(&mut db, sql);
    assert_eq!(found, expected, "{sql}");
    let access = only_access(&db);
    (found, access.method, access.rows_examined)
}

#[test]
fn an_in_list_seeks_each_value_and_keeps_the_scan_order() {
    let (found, method, examined) = indexed_and_not(
        "SELECT id FROM posts WHERE author_id IN (7, 3, 7, 49)",
        "CREATE INDEX posts_author_idx ON posts (author_id)",
    );
    assert_eq!(found.len(), 120);
    assert_eq!(examined, 120, "only the matching rows are read");
    assert_eq!(
        method.describe(),
        "index seek on posts_author_idx (author_id IN (7, 3, 7, 49))"
    );
    // In primary-key order, as ORDER BY id asks, backward too.
    let (found, method, _) = indexed_and_not(
        "SELECT id FROM posts WHERE author_id IN (1, 2) ORDER BY id DESC",
        "CREATE INDEX posts_author_idx ON posts (author_id)",
    );
    assert_eq!(found.first(), Some(&1952));
    assert!(
        matches!(method, AccessMethod::IndexSeek { .. }),
        "{method:?}"
    );
    // On the key itself.
    let mut db = posts(2000);
    assert_eq!(
        ids(&mut db, "SELECT id FROM posts WHERE id IN (5, 1999, 4000)"),
        [5, 1999]
    );
    assert_eq!(
        only_access(&db).method.describe(),
        "index seek on posts_pkey (id IN (5, 1999, 4000))"
    );
    // Text values seek too (the IN stays in the filter: a seek converts types).
    let (found, method, _) = indexed_and_not(
        "SELECT id FROM posts WHERE tag IN ('t1', 't3') AND score < 5",
        "CREATE INDEX posts_tag_idx ON posts (tag)",
    );
    assert_eq!(found.len(), 198);
    assert!(
        matches!(method, AccessMethod::IndexSeek { .. }),
        "{method:?}"
    );
    // A NOT IN cannot seek.
    let (_, method, _) = indexed_and_not(
        "SELECT id FROM posts WHERE author_id NOT IN (1, 2)",
        "CREATE INDEX posts_author_idx ON posts (author_id)",
    );
    assert_eq!(method, AccessMethod::FullScan);
}

#[test]
fn the_or_form_of_a_keyset_page_starts_at_the_cursor() {
    let sql = "SELECT id FROM posts WHERE created > 15000 OR (created = 15000 AND id > 1500) ORDER BY created, id LIMIT 20";
    let (found, method, examined) =
        indexed_and_not(sql, "CREATE INDEX posts_created_idx ON posts (created, id)");
    assert_eq!(found.first(), Some(&1501));
    assert_eq!(
        method.describe(),
        "index range on posts_created_idx (created >= 15000)"
    );
    assert!(examined <= 21, "{examined} rows examined");
    // Branches bounding from different constants or sides do not narrow the read.
    let (_, method, _) = indexed_and_not(
        "SELECT id FROM posts WHERE created > 15000 OR created < 100 ORDER BY created, id LIMIT 20",
        "CREATE INDEX posts_created_idx ON posts (created, id)",
    );
    assert!(
        matches!(method, AccessMethod::IndexScan { .. }),
        "{method:?}"
    );
}

#[test]
fn a_range_with_both_bounds_reads_only_between_them() {
    let (found, method, examined) = indexed_and_not(
        "SELECT id FROM posts WHERE created >= 5000 AND created < 5100",
        "CREATE INDEX posts_created_idx ON posts (created)",
    );
    assert_eq!(found, (500..510).collect::<Vec<_>>());
    assert_eq!(examined, 10);
    assert_eq!(
        method.describe(),
        "index range on posts_created_idx (created >= 5000 AND created < 5100)"
    );
    // Bounds that leave nothing between them read nothing.
    let (found, _, examined) = indexed_and_not(
        "SELECT id FROM posts WHERE created > 5000 AND created < 4000",
        "CREATE INDEX posts_created_idx ON posts (created)",
    );
    assert!(found.is_empty());
    assert_eq!(examined, 0);
}

#[test]
fn update_and_delete_find_their_rows_through_the_index() {
    let mut db = posts(2000);
    db.execute("CREATE INDEX posts_created_idx ON posts (created)")
        .unwrap();
    let mut plain = posts(2000);
    for sql in [
        "UPDATE posts SET score = score + 1 WHERE created >= 5000 AND created < 6000",
        "DELETE FROM posts WHERE created > 7000 AND created <= 7500",
        "DELETE FROM posts WHERE id IN (1, 2, 3)",
    ] {
        db.execute(sql).unwrap();
        plain.execute(sql).unwrap();
        let access = only_access(&db);
        assert!(
            !matches!(access.method, AccessMethod::FullScan),
            "{sql}: {access:?}"
        );
        assert!(access.rows_examined <= 100, "{sql}: {access:?}");
    }
    assert_eq!(
        last(&db).accesses[0].method.describe(),
        "index seek on posts_pkey (id IN (1, 2, 3))"
    );
    let all = "SELECT id FROM posts WHERE score > 10 OR id % 7 = 0 ORDER BY id";
    assert_eq!(ids(&mut db, all), ids(&mut plain, all));
    assert_eq!(ids(&mut db, "SELECT count(*) FROM posts"), [1947]);
    // A WHERE with a subquery reads the table whole, as it must.
    db.execute("CREATE TABLE doomed (id INTEGER)").unwrap();
    db.execute("INSERT INTO doomed VALUES (10), (11)").unwrap();
    db.execute("DELETE FROM posts WHERE id IN (SELECT id FROM doomed) AND created < 200")
        .unwrap();
    assert!(last(&db)
        .accesses
        .iter()
        .any(|a| a.method == AccessMethod::FullScan));
}

#[test]
fn a_bare_count_answers_from_the_row_count_and_anything_more_reads_rows() {
    let mut db = posts(2000);
    db.execute("DELETE FROM posts WHERE id <= 10").unwrap();
    assert_eq!(ids(&mut db, "SELECT count(*) FROM posts"), [1990]);
    let access = only_access(&db);
    assert_eq!(
        (access.method.clone(), access.rows_examined),
        (AccessMethod::RowCount { rows: 1990 }, 0)
    );
    assert!(access
        .method
        .describe()
        .contains("PostgreSQL would read all 1990"));
    assert_eq!(
        last(&db).plan.as_deref().map(|p| p.contains("row count")),
        Some(true)
    );
    // The same count by reading every row agrees.
    assert_eq!(
        ids(&mut db, "SELECT count(*) FROM posts WHERE score > -1"),
        [1990]
    );
    assert_eq!(only_access(&db).method, AccessMethod::FullScan);
    for sql in [
        "SELECT count(id) FROM posts",
        "SELECT count(*) FROM posts GROUP BY author_id",
        "SELECT count(*) FILTER (WHERE id > 5) FROM posts",
    ] {
        db.execute(sql).unwrap();
        assert!(
            !matches!(only_access(&db).method, AccessMethod::RowCount { .. }),
            "{sql}"
        );
    }
}

#[test]
fn an_offset_over_an_index_skips_its_entries_and_counts_them_read() {
    for sql in [
        "SELECT id FROM posts ORDER BY created LIMIT 5 OFFSET 1990",
        "SELECT id FROM posts ORDER BY created DESC LIMIT 5 OFFSET 7",
        "SELECT id FROM posts ORDER BY created OFFSET 1998",
        "SELECT id FROM posts ORDER BY created LIMIT 5 OFFSET 5000",
    ] {
        let (found, method, examined) =
            indexed_and_not(sql, "CREATE INDEX posts_created_idx ON posts (created)");
        assert!(
            matches!(method, AccessMethod::IndexScan { .. }),
            "{sql}: {method:?}"
        );
        // PostgreSQL reads the entries it skips; so does the log.
        let offset: u64 = sql.rsplit("OFFSET ").next().unwrap().parse().unwrap();
        assert!(examined >= offset.min(2000), "{sql}: {examined}");
        assert!(found.len() <= 5, "{sql}");
    }
    // Through the primary key too.
    let mut db = posts(2000);
    assert_eq!(
        ids(
            &mut db,
            "SELECT id FROM posts ORDER BY id LIMIT 2 OFFSET 1997"
        ),
        [1998, 1999]
    );
}
