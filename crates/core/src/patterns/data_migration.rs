//! Data Migration Pattern: placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "data-migration",
    title: "Data Migration Pattern",
    section: Section::MigrationPatterns,
    summary: "Separate schema from data migrations: (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"# Schema migration: create table
def upgrade():
    op.create_table(
        'user_settings',
        sa.Column('id', sa.String(36), primary_key=True),
        sa.Column('user_id', sa.String(36), sa.ForeignKey('users.id')),
        sa.Column('settings', sa.JSON(), nullable=False, server_default='{}')
    )

# Data migration: migrate data (separate file)
def upgrade():
    # Use raw SQL for performance
    op.execute('''
        INSERT INTO user_settings (id, user_id, settings)
        SELECT gen_random_uuid(), id, preferences
        FROM users
        WHERE preferences IS NOT NULL
    ''')
"#,
    code_language: CodeLanguage::Python,
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
