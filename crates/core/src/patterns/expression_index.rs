//! Expression Indexes: summary, corrected reference code, notes on the corrections, console
//! script, and the lab ([`LAB`]).
//!
//! The lab seeds `users` (`rows`, emails in the mixed case people type) and `orders`
//! (`rows`) with `ix_users_email_lower (LOWER(email))` and `ix_orders_date
//! (DATE(created_at))`, and `run` measures the reference's queries with them (set key
//! `with`, label "expression index"), with none (`without`, "without an index"; the UNIQUE
//! email's own index `users_email_key` stays, as it does in PostgreSQL) and with a plain
//! index on the column (`column`, "column index").
//!
//! - Knob: `rows` (1,000..100,000). Action: `run`.
//! - Blocks: see [`crate::index_lab::index_page`] (`outcome`, `queries`,
//!   `entries-metrics`, `index-entries`, `statements`) and the Note `timezone-note`. Query
//!   labels: "email, any case", "email, exact", "orders of a day", "orders of a week",
//!   "a day as a range".

mod lab;

pub use lab::LAB;

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "expression-index",
    title: "Expression Indexes",
    section: Section::IndexStrategies,
    summary: "An index on a column is not used when queries filter on a function of it, such as LOWER(email) or the date of a timestamp. An expression index stores the computed value, so queries that use exactly the same expression can be answered from the index.",
    reference_code: r#"-- Index lowercase email for case-insensitive search
CREATE INDEX ix_users_email_lower ON users (LOWER(email));

-- Index date part for date-range queries
-- (created_at is timestamptz: DATE() of it depends on the session time zone,
-- which PostgreSQL refuses in an index; fix the zone, and query the same expression)
CREATE INDEX ix_orders_date ON orders (DATE(created_at AT TIME ZONE 'UTC'));
"#,
    code_language: CodeLanguage::Sql,
    fixes: &[
        "The date index uses DATE(created_at AT TIME ZONE 'UTC'): created_at is timestamptz, and PostgreSQL rejects DATE(created_at) in an index because its result depends on the session time zone.",
    ],
    starter_sql: r#"-- The lab's users (emails in mixed case) and orders, with both expression indexes.
-- The query must use the indexed expression, LOWER(email), to match in any case
SELECT id, email FROM users WHERE LOWER(email) = LOWER('ADA.912@EXAMPLE.COM');
-- Comparing the raw column finds nothing: the stored email is 'Ada.912@example.com'
SELECT COUNT(*) AS exact_matches FROM users WHERE email = 'ada.912@example.com';
-- ix_orders_date indexes the date part; the query filters on the same expression
SELECT DATE(created_at) AS day, COUNT(*) AS orders
FROM orders WHERE DATE(created_at) = '2024-03-01'
GROUP BY DATE(created_at);
-- The same day as a range on the column itself: no expression needed
SELECT COUNT(*) AS orders FROM orders
WHERE created_at >= '2024-03-01' AND created_at < '2024-03-02';
"#,
    live: true,
};
