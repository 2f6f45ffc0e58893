//! Safe Column Addition: placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "safe-column-addition",
    title: "Safe Column Addition",
    section: Section::MigrationPatterns,
    summary: "Add columns without breaking existing code: (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"# Migration: add_user_preferences.py
def upgrade():
    # Step 1: Add nullable column
    op.add_column(
        'users',
        sa.Column('preferences', sa.JSON(), nullable=True)
    )

def downgrade():
    op.drop_column('users', 'preferences')
"#,
    code_language: CodeLanguage::Python,
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
