//! One module per pattern of the reference; the registry lists them in its order.
//! Adding a pattern: add its module and one line in `REGISTRY`.

use crate::catalogue::Pattern;

pub mod association_object;
pub mod audit_trail;
pub mod base_model;
pub mod batch_operations;
pub mod composite_index;
pub mod concurrent_index;
pub mod data_migration;
pub mod eager_loading;
pub mod enum_field;
pub mod expression_index;
pub mod many_to_many;
pub mod one_to_many_cascade;
pub mod pagination;
pub mod partial_index;
pub mod pool_configuration;
pub mod query_caching;
pub mod read_only_transactions;
pub mod safe_column_addition;
pub mod safe_column_removal;
pub mod safe_column_rename;
pub mod savepoints;
pub mod select_columns;
pub mod self_referential;
pub mod session_context;
pub mod soft_delete;

mod live;

/// The live demo of a page (None: the page is not live yet).
pub fn demo_for(slug: &str) -> Option<&'static crate::demo::Demo> {
    match slug {
        "base-model" => Some(&base_model::DEMO),
        "soft-delete" => Some(&soft_delete::DEMO),
        "audit-trail" => Some(&audit_trail::DEMO),
        "enum-field" => Some(&enum_field::DEMO),
        "one-to-many-cascade" => Some(&one_to_many_cascade::DEMO),
        "many-to-many" => Some(&many_to_many::DEMO),
        "association-object" => Some(&association_object::DEMO),
        "self-referential" => Some(&self_referential::DEMO),
        _ => None,
    }
}

/// The lab of a page (None: the page is a model demo, or not live yet). Labs: the
/// migration stepper, the query lab, the pool and transaction pages.
pub fn lab_for(slug: &str) -> Option<&'static crate::lab::Lab> {
    match slug {
        // migration stepper (issue 7)
        "safe-column-addition" => Some(&safe_column_addition::LAB),
        "safe-column-removal" => Some(&safe_column_removal::LAB),
        "safe-column-rename" => Some(&safe_column_rename::LAB),
        "concurrent-index" => Some(&concurrent_index::LAB),
        "data-migration" => Some(&data_migration::LAB),
        // query lab (issue 8)
        "eager-loading" => Some(&eager_loading::LAB),
        "select-columns" => Some(&select_columns::LAB),
        "batch-operations" => Some(&batch_operations::LAB),
        "query-caching" => Some(&query_caching::LAB),
        "pagination" => Some(&pagination::LAB),
        "composite-index" => Some(&composite_index::LAB),
        "partial-index" => Some(&partial_index::LAB),
        "expression-index" => Some(&expression_index::LAB),
        // pool and transactions (issue 9)
        "savepoints" => Some(&savepoints::LAB),
        "read-only-transactions" => Some(&read_only_transactions::LAB),
        "session-context" => Some(&session_context::LAB),
        "pool-configuration" => Some(&pool_configuration::LAB),
        _ => None,
    }
}

/// Every pattern, in the reference's order (sections stay contiguous).
pub static REGISTRY: [&Pattern; 25] = [
    &base_model::PATTERN,
    &soft_delete::PATTERN,
    &audit_trail::PATTERN,
    &enum_field::PATTERN,
    &one_to_many_cascade::PATTERN,
    &many_to_many::PATTERN,
    &association_object::PATTERN,
    &self_referential::PATTERN,
    &safe_column_addition::PATTERN,
    &safe_column_removal::PATTERN,
    &safe_column_rename::PATTERN,
    &concurrent_index::PATTERN,
    &data_migration::PATTERN,
    &eager_loading::PATTERN,
    &select_columns::PATTERN,
    &batch_operations::PATTERN,
    &query_caching::PATTERN,
    &pagination::PATTERN,
    &composite_index::PATTERN,
    &partial_index::PATTERN,
    &expression_index::PATTERN,
    &pool_configuration::PATTERN,
    &session_context::PATTERN,
    &savepoints::PATTERN,
    &read_only_transactions::PATTERN,
];

#[cfg(test)]
mod tests {
    use super::REGISTRY;
    use crate::catalogue::{CodeLanguage, Pattern};
    use crate::console::{run_script, split_statements, StatementOutcome};
    use crate::engine::Database;
    use crate::model_editor;

    /// The database a page's console starts on: the one its models define on the model
    /// editor's pages (after the live demo's seed, where the page is live), an empty one
    /// elsewhere.
    fn console_database(p: &Pattern) -> Database {
        if let Some(demo) = super::demo_for(p.slug) {
            let (db, _, _) = crate::demo::start(demo, p.reference_code).expect("seed");
            db
        } else if let Some(lab) = super::lab_for(p.slug) {
            crate::lab::replay(lab, &crate::lab::KnobValues::defaults(lab.knobs), &[])
                .expect("lab starts")
                .0
        } else if model_editor::has_model_editor(p) {
            model_editor::build(p.reference_code).database
        } else {
            Database::new()
        }
    }

    /// Marks the one statement a starter script may fail at: its last one, to show a
    /// constraint at work (the console stops at the first error).
    const FAILS_MARKER: &str = "-- this one fails";

    /// Whether the script line just above `line` (1-based) is a `-- this one fails` comment.
    fn announced_failure(script: &str, line: u32) -> bool {
        (line as usize)
            .checked_sub(2)
            .and_then(|i| script.lines().nth(i))
            .is_some_and(|above| above.trim_start().starts_with(FAILS_MARKER))
    }

    #[test]
    fn every_starter_sql_runs_on_its_pages_database_and_returns_rows() {
        for p in REGISTRY {
            let mut db = console_database(p);
            let run = run_script(&mut db, p.starter_sql);
            assert!(
                run.script_error.is_none(),
                "{}: {:?}",
                p.slug,
                run.script_error
            );
            let total = split_statements(p.starter_sql).len();
            assert_eq!(
                run.statements.len(),
                total,
                "{}: not every statement ran",
                p.slug
            );
            for failed in run.statements.iter().filter(|s| s.outcome.is_err()) {
                let err = failed.outcome.as_ref().unwrap_err();
                let allowed =
                    failed.index == total && announced_failure(p.starter_sql, failed.line);
                assert!(
                    allowed,
                    "{}: statement {} failed: {}\n{}",
                    p.slug, failed.index, err.message, failed.sql
                );
            }
            // A statement announced as failing really fails (and is the last one).
            for (i, span) in split_statements(p.starter_sql).iter().enumerate() {
                if announced_failure(p.starter_sql, span.line) {
                    assert_eq!(i + 1, total, "{}: a failing statement must be last", p.slug);
                    assert!(
                        run.statements[i].outcome.is_err(),
                        "{}: statement {} was announced to fail but ran\n{}",
                        p.slug,
                        i + 1,
                        span.sql
                    );
                }
            }
            let rows = run
                .statements
                .iter()
                .filter(
                    |s| matches!(&s.outcome, Ok(StatementOutcome::Rows(rs)) if !rs.rows.is_empty()),
                )
                .count();
            assert!(rows > 0, "{}: no statement returns rows", p.slug);
        }
    }

    #[test]
    fn starter_sql_on_model_pages_does_not_recreate_the_models_tables() {
        for p in REGISTRY
            .iter()
            .filter(|p| model_editor::has_model_editor(p))
        {
            let build = model_editor::build(p.reference_code);
            let script = p.starter_sql.to_lowercase();
            for table in &build.ir.tables {
                let create = format!("create table {}", table.name.to_lowercase());
                assert!(!script.contains(&create), "{}: {create}", p.slug);
            }
        }
    }

    #[test]
    fn the_model_pages_reference_code_builds_without_errors() {
        let pages: Vec<_> = REGISTRY
            .iter()
            .filter(|p| model_editor::has_model_editor(p))
            .collect();
        assert_eq!(pages.len(), 8);
        for p in pages {
            let build = model_editor::build(p.reference_code);
            assert_eq!(
                build.error_count(),
                0,
                "{}: {:?}",
                p.slug,
                build.diagnostics
            );
            assert_eq!(
                build.failed_statements(),
                0,
                "{}: {:?}",
                p.slug,
                build.ddl_runs
            );
            // BaseModel alone is abstract; every other model page defines tables.
            if p.slug != "base-model" {
                assert!(!build.tables.is_empty(), "{}: no table", p.slug);
            }
        }
    }

    #[test]
    fn a_failure_is_announced_by_the_line_above() {
        let script = "SELECT 1;\n-- this one fails: no such table\nSELECT * FROM nope;\n";
        let spans = split_statements(script);
        assert!(!announced_failure(script, spans[0].line));
        assert!(announced_failure(script, spans[1].line));
    }

    #[test]
    fn every_starter_sql_has_a_short_script_of_statements() {
        for p in REGISTRY {
            let n = split_statements(p.starter_sql).len();
            assert!((4..=12).contains(&n), "{}: {n} statements", p.slug);
        }
    }

    /// Sentence ends: `.`, `!` or `?` followed by whitespace or the end of the text.
    fn sentences(text: &str) -> usize {
        let chars: Vec<char> = text.trim().chars().collect();
        chars
            .iter()
            .enumerate()
            .filter(|&(i, c)| {
                matches!(c, '.' | '!' | '?')
                    && chars.get(i + 1).is_none_or(|next| next.is_whitespace())
            })
            .count()
    }

    #[test]
    fn sentence_counting_is_reasonable() {
        assert_eq!(sentences("One. Two uses User.orders and 0.5!"), 2);
        assert_eq!(sentences("No end"), 0);
    }

    #[test]
    fn every_summary_has_exactly_two_sentences() {
        for p in REGISTRY {
            assert_eq!(sentences(p.summary), 2, "{}: {}", p.slug, p.summary);
            assert!(!p.summary.contains("to be written"), "{}", p.slug);
        }
    }

    #[test]
    fn every_fix_note_is_a_non_empty_sentence() {
        for p in REGISTRY {
            for fix in p.fixes {
                assert!(!fix.trim().is_empty(), "{}: empty fix note", p.slug);
                assert!(fix.ends_with('.'), "{}: {fix}", p.slug);
            }
        }
    }

    #[test]
    fn a_page_is_live_exactly_when_it_has_a_demo() {
        for p in REGISTRY {
            let live = super::demo_for(p.slug).is_some() || super::lab_for(p.slug).is_some();
            assert_eq!(p.live, live, "{}", p.slug);
            assert!(
                super::demo_for(p.slug).is_none() || super::lab_for(p.slug).is_none(),
                "{}: a page is a demo or a lab, not both",
                p.slug
            );
        }
    }

    /// The names each pattern's reference code must mention.
    const KEY_NAMES: [(&str, &[&str]); 25] = [
        (
            "base-model",
            &["class BaseModel", "UUIDMixin", "TimestampMixin", "onupdate"],
        ),
        (
            "soft-delete",
            &[
                "deleted_at",
                "SoftDeleteMixin",
                "from datetime import UTC",
                ".scalars().all()",
            ],
        ),
        (
            "audit-trail",
            &[
                "AuditLog",
                "before_flush",
                "def to_dict",
                "'UPDATE'",
                "'DELETE'",
            ],
        ),
        (
            "enum-field",
            &["OrderStatus", "CheckConstraint", "valid_order_status"],
        ),
        (
            "one-to-many-cascade",
            &[
                "delete-orphan",
                "ondelete='CASCADE'",
                "back_populates='orders'",
            ],
        ),
        (
            "many-to-many",
            &["product_categories", "secondary=product_categories"],
        ),
        (
            "association-object",
            &["class OrderItem", "unit_price", "primary_key=True"],
        ),
        (
            "self-referential",
            &["parent_id", "remote_side", "children"],
        ),
        (
            "safe-column-addition",
            &[
                "op.add_column",
                "preferences",
                "nullable=True",
                "from alembic import op",
            ],
        ),
        (
            "safe-column-removal",
            &["legacy_field", "op.drop_column", "from alembic import op"],
        ),
        (
            "safe-column-rename",
            &["full_name", "UPDATE users SET full_name = name"],
        ),
        (
            "concurrent-index",
            &["CONCURRENTLY", "ix_orders_created_at", "autocommit_block"],
        ),
        (
            "data-migration",
            &["user_settings", "INSERT INTO user_settings"],
        ),
        (
            "eager-loading",
            &[
                "joinedload",
                "selectinload",
                "subqueryload",
                "class Profile",
            ],
        ),
        ("select-columns", &["load_only", "is_active", "total"]),
        (
            "batch-operations",
            &[
                "insert(User)",
                "update(Order)",
                "delete(AuditLog)",
                "AuditLog.changed_at",
            ],
        ),
        (
            "query-caching",
            &[
                "redis.asyncio",
                "setex",
                "invalidate_product_cache",
                "model_dump_json",
            ],
        ),
        (
            "pagination",
            &[
                "func.count()",
                ".offset(offset)",
                ".limit(per_page)",
                "session: AsyncSession",
            ],
        ),
        (
            "composite-index",
            &["ix_orders_user_status", "ix_orders_status_created"],
        ),
        (
            "partial-index",
            &[
                "ix_orders_active",
                "ix_queue_pending",
                "processed_at IS NULL",
            ],
        ),
        (
            "expression-index",
            &["ix_users_email_lower", "LOWER(email)", "ix_orders_date"],
        ),
        (
            "pool-configuration",
            &[
                "pool_size",
                "max_overflow",
                "pool_pre_ping",
                "expire_on_commit=False",
            ],
        ),
        (
            "session-context",
            &["asynccontextmanager", "rollback", "AsyncSessionLocal"],
        ),
        ("savepoints", &["begin_nested", "RiskyOperationError"]),
        (
            "read-only-transactions",
            &["READ ONLY", "REPEATABLE READ", "ReportData"],
        ),
    ];

    #[test]
    fn reference_code_mentions_its_key_names() {
        assert_eq!(
            KEY_NAMES.map(|(slug, _)| slug),
            REGISTRY.map(|p| p.slug),
            "one row per pattern, in order"
        );
        for (p, (_, names)) in REGISTRY.iter().zip(KEY_NAMES) {
            for name in names {
                assert!(
                    p.reference_code.contains(name),
                    "{}: reference code lacks {name}",
                    p.slug
                );
            }
        }
    }

    #[test]
    fn known_defects_of_the_reference_stay_fixed() {
        for p in REGISTRY {
            let code = p.reference_code;
            if code.contains("datetime.now(UTC)") {
                assert!(code.contains("import UTC"), "{}: UTC not imported", p.slug);
            }
            if p.code_language == CodeLanguage::Python {
                for pydantic_only in ["parse_raw", ".json()", "lru_cache"] {
                    assert!(!code.contains(pydantic_only), "{}: {pydantic_only}", p.slug);
                }
            }
            assert!(
                !code.contains("'completed'"),
                "{}: not an OrderStatus",
                p.slug
            );
            assert!(
                !code.contains("'expired'"),
                "{}: not an OrderStatus",
                p.slug
            );
        }
    }
}
