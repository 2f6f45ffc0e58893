//! Batch Operations: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "batch-operations",
    title: "Batch Operations",
    section: Section::QueryOptimization,
    summary: "Inserting, updating or deleting many rows one ORM object at a time costs one statement and one round trip per row. Executing insert() with a list of dictionaries, and update() or delete() with a WHERE clause, changes all the rows in a few statements.",
    reference_code: r#"from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, insert, update

from .models import AuditLog, Order, User  # the model patterns

cutoff_date = datetime.now(UTC) - timedelta(days=7)
retention_date = datetime.now(UTC) - timedelta(days=365)

# Batch insert
users_data = [{'email': f'user{i}@example.com'} for i in range(1000)]

await session.execute(
    insert(User),
    users_data
)

# Batch update
await session.execute(
    update(Order)
    .where(Order.status == 'pending')
    .where(Order.created_at < cutoff_date)
    .values(status='cancelled')  # an OrderStatus value, as valid_order_status requires
)

# Batch delete
await session.execute(
    delete(AuditLog)
    .where(AuditLog.changed_at < retention_date)
)
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Imported insert, update and delete, and the models used.",
        "Defined cutoff_date and retention_date, which were used but never defined.",
        "Expired orders are set to 'cancelled': 'expired' is not an OrderStatus value, so the valid_order_status constraint would reject the update.",
        "The audit-log cleanup filters on AuditLog.changed_at: AuditLog has no created_at column.",
    ],
    starter_sql: r#"CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT, created_at TIMESTAMP);
CREATE TABLE audit_logs (id INTEGER PRIMARY KEY, action TEXT, changed_at TIMESTAMP);
-- Batch insert: one statement for many rows, not one INSERT per row
INSERT INTO users VALUES
  (1, 'user1@example.com'), (2, 'user2@example.com'), (3, 'user3@example.com'),
  (4, 'user4@example.com'), (5, 'user5@example.com');
INSERT INTO orders VALUES
  (1, 'pending', '2024-01-02 10:00:00'), (2, 'pending', '2024-02-20 11:00:00'),
  (3, 'shipped', '2024-01-03 12:00:00'), (4, 'pending', '2024-01-10 09:00:00');
INSERT INTO audit_logs VALUES
  (1, 'INSERT', '2022-05-01 08:00:00'), (2, 'UPDATE', '2023-11-15 08:00:00'),
  (3, 'DELETE', '2024-02-01 08:00:00');
-- Batch update: pending orders older than the cutoff, in one statement
UPDATE orders SET status = 'cancelled'
WHERE status = 'pending' AND created_at < '2024-02-01';
-- Batch delete: audit rows older than the retention date
DELETE FROM audit_logs WHERE changed_at < '2023-03-01';
SELECT id, status, created_at FROM orders ORDER BY id;
SELECT COUNT(*) AS users, (SELECT COUNT(*) FROM audit_logs) AS audit_rows_kept FROM users;
"#,
    live: false,
};
