//! Safe Column Addition: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "safe-column-addition",
    title: "Safe Column Addition",
    section: Section::MigrationPatterns,
    summary: "Adding a NOT NULL column to a live table breaks the running code that does not know about it and may rewrite or lock a large table. Adding the column as nullable first is instant and invisible to old code, and a later migration can backfill it and tighten the constraint.",
    reference_code: r#"import sqlalchemy as sa
from alembic import op

# Migration: add_user_preferences.py
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
    fixes: &[
        "Imported op from alembic and sqlalchemy as sa, which the migration used without importing them.",
    ],
    starter_sql: r#"CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
INSERT INTO users VALUES (1, 'ada@example.com'), (2, 'bob@example.com');
-- upgrade(): a nullable column needs no value for the existing rows
ALTER TABLE users ADD COLUMN preferences MAP NULL;
-- Old code that does not know the column keeps working
INSERT INTO users (id, email) VALUES (3, 'cy@example.com');
-- New code starts using it
UPDATE users SET preferences = '{"theme": "dark"}' WHERE id = 1;
SELECT id, email, preferences FROM users ORDER BY id;
-- downgrade()
ALTER TABLE users DROP COLUMN preferences;
SELECT id, email FROM users ORDER BY id;
"#,
    live: false,
};
