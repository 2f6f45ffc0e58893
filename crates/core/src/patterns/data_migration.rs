//! Data Migration Pattern: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "data-migration",
    title: "Data Migration Pattern",
    section: Section::MigrationPatterns,
    summary: "Mixing schema changes and data copying in one migration makes both hard to review, rerun or roll back, and copying row by row in Python is slow. The table is created in a schema migration, and the data is moved in a separate migration with one set-based INSERT from a SELECT, run by the database itself.",
    reference_code: r#"import sqlalchemy as sa
from alembic import op

# Schema migration: create table
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
    fixes: &[
        "Imported op from alembic and sqlalchemy as sa, which the migrations used without importing them.",
    ],
    starter_sql: r#"CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, preferences MAP NULL);
INSERT INTO users VALUES
  (1, 'ada@example.com', '{"theme": "dark", "lang": "en"}'),
  (2, 'bob@example.com', NULL),
  (3, 'cy@example.com', '{"theme": "light"}');
-- Schema migration: create the table
CREATE TABLE user_settings (id UUID PRIMARY KEY, user_id INTEGER, settings MAP NOT NULL);
-- Data migration (a separate file): copy in one set-based statement
INSERT INTO user_settings (id, user_id, settings)
SELECT GENERATE_UUID(), id, preferences
FROM users
WHERE preferences IS NOT NULL;
SELECT user_id, settings FROM user_settings ORDER BY user_id;
-- Users without preferences got no row
SELECT u.email FROM users u LEFT JOIN user_settings s ON s.user_id = u.id WHERE s.id IS NULL;
"#,
    live: false,
};
