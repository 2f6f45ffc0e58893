//! Each lint rule fires on the unsafe statement and stays quiet on its safe form.

use sqlpatterns_core::migration::lint::*;
use std::collections::BTreeSet;

fn rules(sql: &str, transactional: bool, in_use: &[&str]) -> Vec<&'static str> {
    let in_use: BTreeSet<String> = in_use.iter().map(|s| s.to_string()).collect();
    lint_statement(sql, transactional, &in_use)
        .into_iter()
        .map(|f| f.rule)
        .collect()
}

#[test]
fn adding_not_nullable_field() {
    assert_eq!(
        rules(
            "ALTER TABLE users ADD COLUMN preferences JSONB NOT NULL",
            true,
            &[]
        ),
        [ADDING_NOT_NULLABLE_FIELD]
    );
    assert!(rules(
        "ALTER TABLE users ADD COLUMN preferences JSONB NULL",
        true,
        &[]
    )
    .is_empty());
    assert!(rules(
        "ALTER TABLE users ADD COLUMN score INTEGER NOT NULL DEFAULT 0",
        true,
        &[]
    )
    .is_empty());
}

#[test]
fn require_concurrent_index_creation() {
    assert_eq!(
        rules(
            "CREATE INDEX ix_orders_created_at ON orders (created_at)",
            true,
            &[]
        ),
        [REQUIRE_CONCURRENT_INDEX]
    );
    assert_eq!(
        rules("CREATE UNIQUE INDEX ux ON orders (id)", false, &[]),
        [REQUIRE_CONCURRENT_INDEX]
    );
    assert!(rules(
        "CREATE INDEX CONCURRENTLY ix ON orders (created_at)",
        false,
        &[]
    )
    .is_empty());
}

#[test]
fn concurrent_index_in_transaction() {
    assert_eq!(
        rules(
            "CREATE INDEX CONCURRENTLY ix ON orders (created_at)",
            true,
            &[]
        ),
        [CONCURRENT_INDEX_IN_TRANSACTION]
    );
    assert!(rules(
        "CREATE INDEX CONCURRENTLY ix ON orders (created_at)",
        false,
        &[]
    )
    .is_empty());
}

#[test]
fn renaming_column() {
    let found = lint_statement(
        "ALTER TABLE users RENAME COLUMN name TO full_name",
        true,
        &["name".to_string()].into_iter().collect(),
    );
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule, RENAMING_COLUMN);
    assert!(found[0].message.contains("Running code still uses it"));
    assert!(rules(
        "ALTER TABLE users ADD COLUMN full_name TEXT NULL",
        true,
        &["name"]
    )
    .is_empty());
}

#[test]
fn dropping_column_in_use() {
    assert_eq!(
        rules(
            "ALTER TABLE users DROP COLUMN legacy_field",
            true,
            &["legacy_field"]
        ),
        [DROPPING_COLUMN_IN_USE]
    );
    assert_eq!(
        rules(
            "ALTER TABLE users DROP COLUMN IF EXISTS legacy_field",
            true,
            &["legacy_field"]
        ),
        [DROPPING_COLUMN_IN_USE]
    );
    assert!(rules(
        "ALTER TABLE users DROP COLUMN legacy_field",
        true,
        &["email"]
    )
    .is_empty());
}

#[test]
fn changing_column_type() {
    assert_eq!(
        rules(
            "ALTER TABLE users ALTER COLUMN name TYPE VARCHAR(200)",
            true,
            &[]
        ),
        [CHANGING_COLUMN_TYPE]
    );
    assert!(rules(
        "ALTER TABLE users ALTER COLUMN name DROP NOT NULL",
        true,
        &[]
    )
    .is_empty());
}

#[test]
fn unbatched_backfill() {
    assert_eq!(
        rules("UPDATE users SET full_name = name", true, &[]),
        [UNBATCHED_BACKFILL]
    );
    assert_eq!(
        rules("INSERT INTO s (id, v) SELECT id, v FROM users", true, &[]),
        [UNBATCHED_BACKFILL]
    );
    assert!(rules("INSERT INTO s (id, v) VALUES (1, 'x')", true, &[]).is_empty());
    assert!(rules("CREATE TABLE s (id INTEGER PRIMARY KEY)", true, &[]).is_empty());
}

#[test]
fn every_rule_is_listed_once() {
    let set: BTreeSet<&str> = RULES.iter().copied().collect();
    assert_eq!(set.len(), RULES.len());
}

#[test]
fn the_safe_plans_are_quiet_and_the_unsafe_ones_are_not() {
    use sqlpatterns_core::patterns::*;
    let safe = [
        safe_column_addition::plan("safe"),
        safe_column_removal::plan("safe"),
        safe_column_rename::plan("safe"),
        concurrent_index::plan("safe", 1000),
        data_migration::plan("safe", 1000),
    ];
    for plan in &safe {
        assert!(lint_plan(plan).is_empty(), "{:?}", lint_plan(plan));
    }
    let fired: Vec<Vec<&str>> = [
        safe_column_addition::plan("unsafe"),
        safe_column_removal::plan("unsafe"),
        safe_column_rename::plan("unsafe"),
        concurrent_index::plan("unsafe", 1000),
        concurrent_index::plan("in-transaction", 1000),
        data_migration::plan("unsafe", 1000),
    ]
    .iter()
    .map(|p| lint_plan(p).into_iter().map(|(_, f)| f.rule).collect())
    .collect();
    assert_eq!(
        fired,
        [
            vec![ADDING_NOT_NULLABLE_FIELD],
            vec![DROPPING_COLUMN_IN_USE],
            vec![RENAMING_COLUMN],
            vec![REQUIRE_CONCURRENT_INDEX],
            vec![CONCURRENT_INDEX_IN_TRANSACTION],
            vec![UNBATCHED_BACKFILL],
        ]
    );
}
