//! Index Creation on Large Tables: placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "concurrent-index",
    title: "Index Creation on Large Tables",
    section: Section::MigrationPatterns,
    summary: "Create indexes without locking: (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"def upgrade():
    # Use CONCURRENTLY to avoid locking (PostgreSQL)
    op.execute(
        'CREATE INDEX CONCURRENTLY ix_orders_created_at '
        'ON orders (created_at)'
    )

def downgrade():
    op.execute('DROP INDEX CONCURRENTLY ix_orders_created_at')
"#,
    code_language: CodeLanguage::Python,
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
