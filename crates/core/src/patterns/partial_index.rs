//! Partial Indexes: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "partial-index",
    title: "Partial Indexes",
    section: Section::IndexStrategies,
    summary: "Indexing a whole table wastes space and write time when queries only ever look at a small subset of its rows. A partial index has a WHERE clause that stores only the matching rows, and queries that repeat that condition can use it.",
    reference_code: r#"-- Only index active orders
CREATE INDEX ix_orders_active ON orders (user_id, created_at)
WHERE status NOT IN ('cancelled', 'delivered');

-- Only index unprocessed items
CREATE INDEX ix_queue_pending ON job_queue (priority, created_at)
WHERE processed_at IS NULL;
"#,
    code_language: CodeLanguage::Sql,
    fixes: &[
        "The predicate excludes 'delivered' instead of 'completed': OrderStatus has no 'completed' value, so finished orders were still indexed.",
    ],
    starter_sql: r#"CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, status TEXT, created_at TIMESTAMP);
INSERT INTO orders VALUES
  (1, 1, 'delivered', '2024-01-05 10:00:00'),
  (2, 1, 'pending', '2024-03-01 09:00:00'),
  (3, 2, 'cancelled', '2024-02-10 14:00:00'),
  (4, 2, 'shipped', '2024-03-02 16:00:00'),
  (5, 1, 'delivered', '2024-02-15 11:00:00');
-- The live demo will create the partial indexes; here, what they would hold and serve.
-- The rows ix_orders_active would hold (status NOT IN ('cancelled', 'delivered'))
SELECT user_id, created_at, id FROM orders
WHERE status NOT IN ('cancelled', 'delivered') ORDER BY user_id, created_at;
-- ...a fraction of the table
SELECT COUNT(*) AS all_orders, (SELECT COUNT(*) FROM orders
  WHERE status NOT IN ('cancelled', 'delivered')) AS indexed_orders FROM orders;
CREATE TABLE job_queue (id INTEGER PRIMARY KEY, priority INTEGER, created_at TIMESTAMP, processed_at TIMESTAMP NULL);
INSERT INTO job_queue VALUES
  (1, 5, '2024-03-01 08:00:00', '2024-03-01 08:00:05'),
  (2, 1, '2024-03-01 08:01:00', NULL),
  (3, 3, '2024-03-01 08:02:00', NULL);
-- A query repeats the index's predicate to use ix_queue_pending: next job to run
SELECT id, priority FROM job_queue WHERE processed_at IS NULL
ORDER BY priority, created_at LIMIT 1;
"#,
    live: false,
};
