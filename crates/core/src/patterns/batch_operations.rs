//! Batch Operations: placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "batch-operations",
    title: "Batch Operations",
    section: Section::QueryOptimization,
    summary: " (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"# Batch insert
users_data = [{'email': f'user{i}@example.com'} for i in range(1000)]

await session.execute(
    insert(User),
    users_data
)

# Batch update
await session.execute(
    update(Order)
    .where(Order.status == 'pending')
    .where(Order.created_at < cutoff_date)
    .values(status='expired')
)

# Batch delete
await session.execute(
    delete(AuditLog)
    .where(AuditLog.created_at < retention_date)
)
"#,
    code_language: CodeLanguage::Python,
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
