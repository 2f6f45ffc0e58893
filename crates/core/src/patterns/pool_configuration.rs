//! SQLAlchemy Async Pool Configuration: placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "pool-configuration",
    title: "SQLAlchemy Async Pool Configuration",
    section: Section::ConnectionPooling,
    summary: " (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

engine = create_async_engine(
    'postgresql+asyncpg://user:pass@localhost/db',
    pool_size=20,           # Minimum connections
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
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
