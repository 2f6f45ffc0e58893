//! Pagination with Total Count: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "pagination",
    title: "Pagination with Total Count",
    section: Section::QueryOptimization,
    summary: "A paginated list needs both one page of rows and the total number of matching rows to show the page count. The same filtered query is counted as a subquery and then ordered, offset and limited for the page, with a unique tiebreaker so pages neither skip nor repeat rows.",
    reference_code: r#"from sqlalchemy import String, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from .base import BaseModel  # the Base Model Pattern

class User(BaseModel):
    __tablename__ = 'users'

    email: Mapped[str] = mapped_column(String(255), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)

async def paginate_users(
    session: AsyncSession,
    page: int,
    per_page: int,
    filters: dict
) -> tuple[list[User], int]:
    # Build base query
    base_query = select(User).where(User.is_active == True)

    for key, value in filters.items():
        base_query = base_query.where(getattr(User, key) == value)

    # Get total count (separate query for performance)
    count_query = select(func.count()).select_from(base_query.subquery())
    total = await session.scalar(count_query)

    # Get paginated results
    offset = (page - 1) * per_page
    users_query = (
        base_query
        .order_by(User.created_at.desc(), User.id)  # id breaks ties: stable pages
        .offset(offset)
        .limit(per_page)
    )
    result = await session.execute(users_query)

    return result.scalars().all(), total
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "paginate_users() takes the AsyncSession as a parameter: session was used without being defined.",
        "Defined the User model with the is_active column the query filters on; no model of the reference had it.",
        "Ordered by User.id after created_at: rows with equal created_at could appear on two pages or on none.",
    ],
    starter_sql: r#"CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, is_active BOOLEAN, created_at TIMESTAMP);
INSERT INTO users VALUES
  (1, 'ada@example.com', TRUE, '2024-01-01 09:00:00'),
  (2, 'bob@example.com', TRUE, '2024-01-02 09:00:00'),
  (3, 'cy@example.com', FALSE, '2024-01-03 09:00:00'),
  (4, 'dee@example.com', TRUE, '2024-01-04 09:00:00'),
  (5, 'eve@example.com', TRUE, '2024-01-04 09:00:00'),
  (6, 'fay@example.com', TRUE, '2024-01-06 09:00:00'),
  (7, 'gus@example.com', TRUE, '2024-01-07 09:00:00');
-- The total: a count over the same filtered query
SELECT COUNT(*) AS total
FROM (SELECT * FROM users WHERE is_active = TRUE) AS base_query;
-- Page 1 (per_page = 2): newest first
SELECT id, email, created_at FROM users WHERE is_active = TRUE
ORDER BY created_at DESC, id LIMIT 2 OFFSET 0;
-- Page 2: offset = (page - 1) * per_page = 2; id breaks the created_at tie of users 4 and 5
SELECT id, email, created_at FROM users WHERE is_active = TRUE
ORDER BY created_at DESC, id LIMIT 2 OFFSET 2;
"#,
    live: false,
};
