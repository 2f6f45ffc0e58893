//! Expression Indexes: placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "expression-index",
    title: "Expression Indexes",
    section: Section::IndexStrategies,
    summary: "Index computed values: (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"-- Index lowercase email for case-insensitive search
CREATE INDEX ix_users_email_lower ON users (LOWER(email));

-- Index date part for date-range queries
CREATE INDEX ix_orders_date ON orders (DATE(created_at));
"#,
    code_language: CodeLanguage::Sql,
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
