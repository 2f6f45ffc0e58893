//! Safe Column Rename: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "safe-column-rename",
    title: "Safe Column Rename",
    section: Section::MigrationPatterns,
    summary: "Renaming a column in one step breaks every running instance that still uses the old name. The rename is done as an expand-and-contract sequence: add the new column and copy the data, write to both while reading the new one, then relax and finally drop the old column.",
    reference_code: r#"import sqlalchemy as sa
from alembic import op

# Migration 1: Add new column
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
    # Copy again: the old code kept writing only `name` until the code change
    op.execute('UPDATE users SET full_name = name WHERE full_name IS DISTINCT FROM name')
    op.alter_column('users', 'name', nullable=True)

# Migration 3: Drop old column
def upgrade():
    op.drop_column('users', 'name')
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Imported op from alembic and sqlalchemy as sa, which the migrations used without importing them.",
        "Migration 2 copies name to full_name again for rows that differ: the old code kept writing only name between Migration 1 and the code change, and those values would have been lost.",
    ],
    starter_sql: r#"CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
INSERT INTO users VALUES (1, 'Ada Lovelace'), (2, 'Alan Turing');
-- Migration 1: add the new column and copy the data
ALTER TABLE users ADD COLUMN full_name TEXT NULL;
UPDATE users SET full_name = name;
-- Code change: write to both columns, read from the new one
INSERT INTO users (id, name, full_name) VALUES (3, 'Grace Hopper', 'Grace Hopper');
SELECT id, name, full_name FROM users ORDER BY id;
-- Migration 3: drop the old column; readers already use full_name
ALTER TABLE users DROP COLUMN name;
SELECT id, full_name FROM users ORDER BY id;
"#,
    live: false,
};
