//! SQLAlchemy Async Pool Configuration: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "pool-configuration",
    title: "SQLAlchemy Async Pool Configuration",
    section: Section::ConnectionPooling,
    summary: "Opening a database connection per request is slow, and an unbounded number of connections can exhaust the server. A connection pool keeps a bounded set of connections open for reuse, with limits for overflow and waiting, recycling of old connections and a liveness check before use.",
    reference_code: r#"from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_async_engine(
    'postgresql+asyncpg://user:pass@localhost/db',
    pool_size=20,           # Connections kept open in the pool
    max_overflow=10,        # Extra connections allowed
    pool_timeout=30,        # Wait time for connection
    pool_recycle=1800,      # Recycle connections after 30 min
    pool_pre_ping=True,     # Verify connections before use
    echo=False              # Set True for SQL logging
)

AsyncSessionLocal = async_sessionmaker(
    engine,
    expire_on_commit=False,
    autoflush=False
)
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Corrected the pool_size comment: it is the number of connections kept open in the pool, not a minimum opened up front.",
    ],
    starter_sql: r#"-- Each process (web worker, background worker) has its own pool:
-- up to pool_size + max_overflow connections each.
CREATE TABLE app_processes (name TEXT PRIMARY KEY, processes INTEGER, pool_size INTEGER, max_overflow INTEGER);
INSERT INTO app_processes VALUES
  ('web', 4, 20, 10),
  ('worker', 2, 5, 0);
SELECT name, processes * (pool_size + max_overflow) AS peak_connections
FROM app_processes ORDER BY name;
-- The total must stay under the server's max_connections (100 by default in PostgreSQL)
SELECT SUM(processes * (pool_size + max_overflow)) AS total_peak, 100 AS max_connections
FROM app_processes;
-- Too many: size the pools down
UPDATE app_processes SET pool_size = 10, max_overflow = 5 WHERE name = 'web';
SELECT SUM(processes * (pool_size + max_overflow)) AS total_peak FROM app_processes;
"#,
    live: false,
};
