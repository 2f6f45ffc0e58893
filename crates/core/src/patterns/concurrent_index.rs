//! Index Creation on Large Tables: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "concurrent-index",
    title: "Index Creation on Large Tables",
    section: Section::MigrationPatterns,
    summary: "A plain CREATE INDEX blocks writes to the table for the whole build, which on a large table means minutes of downtime. CREATE INDEX CONCURRENTLY builds the index while writes continue, at the cost of running outside a transaction.",
    reference_code: r#"from alembic import op

def upgrade():
    # Use CONCURRENTLY to avoid locking (PostgreSQL); it cannot run inside
    # a transaction, so leave the migration's transaction for this step
    with op.get_context().autocommit_block():
        op.execute(
            'CREATE INDEX CONCURRENTLY ix_orders_created_at '
            'ON orders (created_at)'
        )

def downgrade():
    with op.get_context().autocommit_block():
        op.execute('DROP INDEX CONCURRENTLY ix_orders_created_at')
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Imported op from alembic.",
        "Both statements run in op.get_context().autocommit_block(): PostgreSQL refuses CREATE/DROP INDEX CONCURRENTLY inside a transaction block, and Alembic runs each migration in one.",
    ],
    starter_sql: r#"CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, created_at TIMESTAMP);
INSERT INTO orders VALUES
  (1, 1, '2024-01-05 10:00:00'),
  (2, 2, '2024-02-11 15:30:00'),
  (3, 1, '2024-02-20 08:15:00'),
  (4, 3, '2024-03-02 19:45:00');
-- The query ix_orders_created_at serves: a range on created_at
SELECT id, user_id, created_at FROM orders
WHERE created_at >= '2024-02-01' AND created_at < '2024-03-01'
ORDER BY created_at;
-- The live demo will show the index build itself (CREATE INDEX CONCURRENTLY)
SELECT COUNT(*) AS orders_to_index FROM orders;
"#,
    live: false,
};
