//! Safe Column Removal: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "safe-column-removal",
    title: "Safe Column Removal",
    section: Section::MigrationPatterns,
    summary: "Dropping a column that deployed code still reads or writes makes that code fail in the middle of a deployment. The removal is split into steps: stop writing the column, make it nullable so inserts without it succeed, and drop it only once no running code uses it.",
    reference_code: r#"import sqlalchemy as sa
from alembic import op

# Migration 1: Stop writing to column (code change, no migration)

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
    fixes: &[
        "Imported op from alembic and sqlalchemy as sa, which the migrations used without importing them.",
    ],
    starter_sql: r#"-- The state after Migration 2: legacy_field is nullable
-- (the engine has no ALTER COLUMN ... DROP NOT NULL yet; the live demo will show that step)
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, legacy_field TEXT NULL);
INSERT INTO users VALUES (1, 'ada@example.com', 'a'), (2, 'bob@example.com', 'b');
-- Migration 1: the new code no longer writes legacy_field, and its inserts succeed
INSERT INTO users (id, email) VALUES (3, 'cy@example.com');
SELECT id, email, legacy_field FROM users ORDER BY id;
-- Migration 3: drop the column once no deployed code reads it
ALTER TABLE users DROP COLUMN legacy_field;
SELECT * FROM users ORDER BY id;
"#,
    live: false,
};
