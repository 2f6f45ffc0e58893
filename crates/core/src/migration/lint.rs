//! A lint for each migration step, in the style of squawk: a rule id, a message about this
//! statement, and help on the safe way. Rules read the statement's tokens (PostgreSQL
//! dialect); "in use" means the SQL of a version running during the migration names the
//! column.

use super::{MigrationPlan, PhaseKind, Step};
use gluesql::core::sqlparser::dialect::PostgreSqlDialect;
use gluesql::core::sqlparser::tokenizer::{Token, Tokenizer};
use std::collections::BTreeSet;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub statement: String,
    pub message: String,
    pub help: &'static str,
}

pub const ADDING_NOT_NULLABLE_FIELD: &str = "adding-not-nullable-field";
pub const REQUIRE_CONCURRENT_INDEX: &str = "require-concurrent-index-creation";
pub const CONCURRENT_INDEX_IN_TRANSACTION: &str = "concurrent-index-in-transaction";
pub const RENAMING_COLUMN: &str = "renaming-column";
pub const DROPPING_COLUMN_IN_USE: &str = "dropping-column-in-use";
pub const CHANGING_COLUMN_TYPE: &str = "changing-column-type";
pub const UNBATCHED_BACKFILL: &str = "unbatched-backfill";

/// Every rule id, for docs and tests.
pub const RULES: [&str; 7] = [
    ADDING_NOT_NULLABLE_FIELD,
    REQUIRE_CONCURRENT_INDEX,
    CONCURRENT_INDEX_IN_TRANSACTION,
    RENAMING_COLUMN,
    DROPPING_COLUMN_IN_USE,
    CHANGING_COLUMN_TYPE,
    UNBATCHED_BACKFILL,
];

/// Identifiers (lower case) a piece of SQL names: a rough but honest "uses column c".
pub fn identifiers(sql: &str) -> BTreeSet<String> {
    tokens(sql)
        .into_iter()
        .filter_map(|t| match t {
            Token::Word(w) => Some(w.value.to_lowercase()),
            _ => None,
        })
        .collect()
}

fn tokens(sql: &str) -> Vec<Token> {
    Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize()
        .unwrap_or_default()
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_) | Token::SemiColon))
        .collect()
}

/// The columns the versions running at phase `at` name in their SQL.
pub fn columns_in_use(plan: &MigrationPlan, at: usize) -> BTreeSet<String> {
    plan.running_at(at)
        .iter()
        .filter_map(|id| plan.version(id))
        .flat_map(|v| v.reads.iter().chain(&v.writes))
        .flat_map(|sql| identifiers(sql))
        .collect()
}

/// The findings of phase `at`'s upgrade (none for a deploy).
pub fn lint_phase(plan: &MigrationPlan, at: usize) -> Vec<Finding> {
    let Some(PhaseKind::Schema {
        upgrade,
        transactional,
        ..
    }) = plan.phases.get(at).map(|p| &p.kind)
    else {
        return Vec::new();
    };
    let in_use = columns_in_use(plan, at);
    upgrade
        .iter()
        .flat_map(|step| match step {
            Step::Sql(sql) => lint_statement(sql, *transactional, &in_use),
            // A batched backfill is the fix for `unbatched-backfill`.
            Step::Backfill(_) => Vec::new(),
        })
        .collect()
}

/// Every finding of the plan, with its phase index.
pub fn lint_plan(plan: &MigrationPlan) -> Vec<(usize, Finding)> {
    (0..plan.phases.len())
        .flat_map(|i| lint_phase(plan, i).into_iter().map(move |f| (i, f)))
        .collect()
}

/// Whether a statement changes rows of existing data (UPDATE, DELETE, INSERT ... SELECT)
/// rather than the schema.
pub fn is_data_change(sql: &str) -> bool {
    let words: Vec<String> = tokens(sql)
        .iter()
        .filter_map(|t| match t {
            Token::Word(w) => Some(w.value.to_uppercase()),
            _ => None,
        })
        .collect();
    let first = words.first().map(String::as_str);
    matches!(first, Some("UPDATE" | "DELETE"))
        || (first == Some("INSERT") && words.iter().any(|w| w == "SELECT"))
}

/// The findings of one migration statement.
pub fn lint_statement(sql: &str, transactional: bool, in_use: &BTreeSet<String>) -> Vec<Finding> {
    let words: Vec<String> = tokens(sql)
        .iter()
        .map(|t| match t {
            Token::Word(w) => w.value.to_uppercase(),
            other => other.to_string(),
        })
        .collect();
    let lower = |i: usize| words.get(i).map(|w| w.to_lowercase()).unwrap_or_default();
    let at = |i: usize, w: &str| words.get(i).is_some_and(|x| x == w);
    let mut out = Vec::new();
    let mut found = |rule, message: String, help| {
        out.push(Finding {
            rule,
            statement: sql.to_string(),
            message,
            help,
        })
    };
    for i in 0..words.len() {
        if at(i, "ADD") && !at(i + 1, "CONSTRAINT") && words[0] == "ALTER" {
            let name = if at(i + 1, "COLUMN") { i + 2 } else { i + 1 };
            let rest = &words[name..];
            let not_null = rest.windows(2).any(|w| w[0] == "NOT" && w[1] == "NULL");
            if not_null && !rest.iter().any(|w| w == "DEFAULT") {
                found(
                    ADDING_NOT_NULLABLE_FIELD,
                    format!("Column {} is added NOT NULL without a default: the existing rows have no value, so the statement fails on a filled table, and running code that does not write it fails after.", lower(name)),
                    "Add the column as nullable (or with a DEFAULT), backfill it in batches, then add the constraint in a later migration.",
                );
            }
        }
        if at(i, "CREATE") && (at(i + 1, "INDEX") || (at(i + 1, "UNIQUE") && at(i + 2, "INDEX"))) {
            let after = if at(i + 1, "UNIQUE") { i + 3 } else { i + 2 };
            if !at(after, "CONCURRENTLY") {
                found(
                    REQUIRE_CONCURRENT_INDEX,
                    "CREATE INDEX without CONCURRENTLY holds a SHARE lock on the table for the whole build: every INSERT, UPDATE and DELETE waits.".to_string(),
                    "Use CREATE INDEX CONCURRENTLY, outside the migration's transaction (Alembic: op.get_context().autocommit_block()).",
                );
            } else if transactional {
                found(
                    CONCURRENT_INDEX_IN_TRANSACTION,
                    "CREATE INDEX CONCURRENTLY inside a transaction: PostgreSQL refuses it (\"cannot run inside a transaction block\").".to_string(),
                    "Run it in an autocommit block (Alembic: with op.get_context().autocommit_block(): ...).",
                );
            }
        }
        // `RENAME COLUMN a TO b`, or Alembic's `RENAME a TO b` (not `RENAME TO t`, a table).
        let rename = if at(i, "RENAME") && at(i + 1, "COLUMN") {
            Some((i + 2, i + 4))
        } else if at(i, "RENAME") && !at(i + 1, "TO") && at(i + 2, "TO") && words[0] == "ALTER" {
            Some((i + 1, i + 3))
        } else {
            None
        };
        if let Some((from, to)) = rename {
            let (old, new) = (lower(from), lower(to));
            let used = if in_use.contains(&old) {
                " Running code still uses it."
            } else {
                ""
            };
            found(
                RENAMING_COLUMN,
                format!("Renaming column {old} to {new} breaks every running instance that uses the old name.{used}"),
                "Expand and contract: add the new column and copy, write both, move the reads, make the old one nullable, then drop it.",
            );
        }
        if at(i, "DROP") && at(i + 1, "COLUMN") {
            let name = if at(i + 2, "IF") { i + 4 } else { i + 2 };
            let column = lower(name);
            if in_use.contains(&column) {
                found(
                    DROPPING_COLUMN_IN_USE,
                    format!("Column {column} is dropped while running code still reads or writes it."),
                    "Deploy code that no longer uses the column first (and make it nullable before it stops being written), then drop it.",
                );
            }
        }
        if at(i, "ALTER") && at(i + 1, "COLUMN") {
            let ty = if at(i + 3, "SET") && at(i + 4, "DATA") {
                i + 5
            } else {
                i + 3
            };
            if at(ty, "TYPE") {
                found(
                    CHANGING_COLUMN_TYPE,
                    format!("Changing the type of column {} rewrites the table under an ACCESS EXCLUSIVE lock, and running code may not accept the new type.", lower(i + 2)),
                    "Add a column of the new type, backfill it in batches, move the code to it, then drop the old column.",
                );
            }
        }
    }
    if is_data_change(sql) {
        found(
            UNBATCHED_BACKFILL,
            "A data change over the whole table in one statement: one long transaction that locks every row it touches, cannot report progress, and starts over if interrupted.".to_string(),
            "Run it in batches of key ranges, one transaction each, with a guard so a rerun changes nothing (idempotent) and a stop can resume.",
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(sql: &str, transactional: bool, in_use: &[&str]) -> Vec<&'static str> {
        let in_use = in_use.iter().map(|s| s.to_string()).collect();
        lint_statement(sql, transactional, &in_use)
            .into_iter()
            .map(|f| f.rule)
            .collect()
    }

    #[test]
    fn identifiers_are_words_not_strings() {
        let ids = identifiers("INSERT INTO users (id, name) VALUES (1, 'full_name')");
        assert!(ids.contains("name"));
        assert!(!ids.contains("full_name"));
    }

    #[test]
    fn type_change_with_set_data_type_fires() {
        assert_eq!(
            rules(
                "ALTER TABLE users ALTER COLUMN name SET DATA TYPE VARCHAR(200)",
                true,
                &[]
            ),
            vec![CHANGING_COLUMN_TYPE]
        );
    }
}
