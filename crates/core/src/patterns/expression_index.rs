//! Expression Indexes: summary, corrected reference code, notes on the corrections, console script.

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
    starter_sql: r#"CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
INSERT INTO users VALUES (1, 'Ada@Example.com'), (2, 'bob@example.com'), (3, 'CY@EXAMPLE.COM');
-- The live demo will create the expression indexes; here, the queries they serve.
-- The query must use the indexed expression, LOWER(email), to match in any case
SELECT id, email FROM users WHERE LOWER(email) = LOWER('ada@EXAMPLE.com');
-- Comparing the raw column finds nothing
SELECT COUNT(*) AS exact_matches FROM users WHERE email = 'ada@example.com';
CREATE TABLE orders (id INTEGER PRIMARY KEY, created_at TIMESTAMP);
INSERT INTO orders VALUES
  (1, '2024-03-01 08:30:00'), (2, '2024-03-01 23:10:00'), (3, '2024-03-02 07:45:00');
-- ix_orders_date indexes the date part; the query filters on the same expression
SELECT CAST(created_at AS DATE) AS day, COUNT(*) AS orders
FROM orders WHERE CAST(created_at AS DATE) = '2024-03-01'
GROUP BY CAST(created_at AS DATE);
"#,
    live: false,
};
