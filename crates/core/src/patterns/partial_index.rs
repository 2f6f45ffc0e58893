//! Partial Indexes: placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "partial-index",
    title: "Partial Indexes",
    section: Section::IndexStrategies,
    summary: "Index only rows that matter: (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"-- Only index active orders
CREATE INDEX ix_orders_active ON orders (user_id, created_at)
WHERE status NOT IN ('cancelled', 'completed');

-- Only index unprocessed items
CREATE INDEX ix_queue_pending ON job_queue (priority, created_at)
WHERE processed_at IS NULL;
"#,
    code_language: CodeLanguage::Sql,
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
