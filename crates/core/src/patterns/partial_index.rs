//! Partial Indexes: summary, corrected reference code, notes on the corrections, console
//! script, and the lab ([`LAB`]).
//!
//! The lab seeds `users`, `orders` (`rows`; most orders delivered or cancelled) and
//! `job_queue` (`rows` jobs, all but the last 4% processed) with the reference's partial
//! indexes `ix_orders_active` and `ix_queue_pending`, and `run` measures the reference's
//! queries with them (set key `with`, label "partial index"), with no index (`without`,
//! "without an index") and with full indexes on the same columns (`full`, "full index").
//!
//! - Knob: `rows` (1,000..100,000). Action: `run`.
//! - Blocks: see [`crate::index_lab::index_page`] (`outcome`, `queries`,
//!   `entries-metrics` with `entries-with` (partial) and `entries-full`, `index-entries`,
//!   `statements`) and the Notes `predicate-note`, `engine-note`. Query labels: "active
//!   orders of a user", "a user's orders (no predicate)", "next job", "next job of
//!   priority 0".

mod lab;

pub use lab::LAB;

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
    starter_sql: r#"-- The lab's orders and job_queue with the reference's partial indexes.
-- The rows ix_orders_active holds (status NOT IN ('cancelled', 'delivered')): a fraction
SELECT COUNT(*) AS all_orders, (SELECT COUNT(*) FROM orders
  WHERE status NOT IN ('cancelled', 'delivered')) AS indexed_orders FROM orders;
-- A query that repeats the predicate can use it
SELECT id, status, created_at FROM orders
WHERE user_id = 7 AND status NOT IN ('cancelled', 'delivered') ORDER BY created_at;
-- The pending jobs ix_queue_pending holds
SELECT COUNT(*) AS pending FROM job_queue WHERE processed_at IS NULL;
-- Next job to run: the reference's query repeats the index's predicate
SELECT id, priority, created_at FROM job_queue WHERE processed_at IS NULL
ORDER BY priority, created_at LIMIT 1;
"#,
    live: true,
};
