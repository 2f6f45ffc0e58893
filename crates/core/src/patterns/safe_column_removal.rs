//! Safe Column Removal: placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "safe-column-removal",
    title: "Safe Column Removal",
    section: Section::MigrationPatterns,
    summary: "Remove columns in multiple deployments: (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"# Migration 1: Stop writing to column (code change, no migration)

# Migration 2: Make column nullable
def upgrade():
    op.alter_column(
        'users',
        'legacy_field',
        existing_type=sa.String(100),
        nullable=True
    )

# Migration 3: Drop column (after code deployed)
def upgrade():
    op.drop_column('users', 'legacy_field')
"#,
    code_language: CodeLanguage::Python,
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
