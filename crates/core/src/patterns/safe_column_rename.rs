//! Safe Column Rename: placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "safe-column-rename",
    title: "Safe Column Rename",
    section: Section::MigrationPatterns,
    summary: "Rename without downtime: (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"# Migration 1: Add new column
def upgrade():
    op.add_column(
        'users',
        sa.Column('full_name', sa.String(200), nullable=True)
    )
    # Copy data
    op.execute('UPDATE users SET full_name = name')

# Code change: Write to both columns, read from new

# Migration 2: Make old column nullable
def upgrade():
    op.alter_column('users', 'name', nullable=True)

# Migration 3: Drop old column
def upgrade():
    op.drop_column('users', 'name')
"#,
    code_language: CodeLanguage::Python,
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
