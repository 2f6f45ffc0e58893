//! Connection Context Manager: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "session-context",
    title: "Connection Context Manager",
    section: Section::ConnectionPooling,
    summary: "A session that is not committed, rolled back and closed on every path leaks connections and leaves failed work half-applied. An async context manager yields the session, commits when the block succeeds, rolls back and re-raises when it fails, and always closes it.",
    reference_code: r#"from contextlib import asynccontextmanager

from .database import AsyncSessionLocal  # the Pool Configuration pattern
from .models import User

@asynccontextmanager
async def get_session():
    session = AsyncSessionLocal()
    try:
        yield session
        await session.commit()
    except Exception:
        await session.rollback()
        raise
    finally:
        await session.close()

# Usage
async def create_user(user_data: dict):
    async with get_session() as session:
        user = User(**user_data)
        session.add(user)
        # Auto-commits on exit
        return user  # still readable after close: expire_on_commit=False
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Imported AsyncSessionLocal (from the Pool Configuration pattern) and User, which were used without importing them.",
    ],
    starter_sql: r#"-- The engine has no BEGIN/COMMIT/ROLLBACK yet; the live demo will show commit and rollback.
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE);
-- create_user(): session.add(user); the commit on exit sends the INSERT
INSERT INTO users VALUES (1, 'ada@example.com');
-- A second unit of work, committed on its own
INSERT INTO users VALUES (2, 'bob@example.com');
-- Inserting 'ada@example.com' again would fail (UNIQUE): get_session() rolls back
-- that unit of work and re-raises, and the rows committed before stay
SELECT id, email FROM users ORDER BY id;
"#,
    live: false,
};
