//! Connection Context Manager: placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "session-context",
    title: "Connection Context Manager",
    section: Section::ConnectionPooling,
    summary: " (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"from contextlib import asynccontextmanager

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
        return user
"#,
    code_language: CodeLanguage::Python,
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
