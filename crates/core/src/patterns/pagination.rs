//! Pagination with Total Count: summary, corrected reference code, notes on the corrections,
//! console script, and the lab (the live page, [`LAB`]).
//!
//! The lab seeds `users` (`rows` users, nine in ten active, signups that sometimes share a
//! second) with the index `ix_users_created_id (created_at, id)`, and reads pages newest
//! first by OFFSET (with the reference's separate COUNT over a subquery), by keyset on
//! `(created_at, id)` through the index, or by keyset with that index dropped for the read.
//!
//! - Knobs: `rows` (1,000..100,000), `per-page` (1..100), `strategy`
//!   (`offset` | `keyset` | `keyset-noindex`).
//! - Actions: `next`, `prev`, `first`, `jump-50`, `jump-99`, `profile`, `concurrent`,
//!   `count-over` (the current page and its total in one query, `count(*) OVER ()`, beside
//!   the page query plus the separate COUNT).
//! - Blocks: `outcome`, `engine-note` (Note), `page-metrics` (Metrics: `page`, `time`,
//!   `rows-examined`, `access`, `count-time`, `count-rows-examined`, `total`), `page-rows`
//!   (Table: id, email, created_at), after `profile`: `profile-metrics` (Metrics:
//!   `offset-99-time`, `keyset-99-time`, `speedup-99`, `offset-99-rows`, `keyset-99-rows`,
//!   `count-time`), Charts `time-vs-depth` and `rows-vs-depth` (x: depth in %, one series
//!   per strategy named by its label: "OFFSET / LIMIT", "keyset (index)", "keyset, no
//!   index"), Note `keyset-jump-note`; after `concurrent`: `concurrent-metrics` (Metrics:
//!   `offset-duplicates`, `offset-skipped`, `keyset-duplicates`, `keyset-skipped`,
//!   `inserted`), Table `duplicates` (strategy, id, pages, status: `bad` "seen twice" /
//!   "skipped", or one `ok` row "none" per clean strategy); after `count-over`:
//!   `count-over-metrics` (Metrics: `window-time`, `window-rows`, `window-total`,
//!   `separate-time`, `separate-rows`, `separate-total`); always `statements` (what the
//!   last action ran).

mod lab;

pub use lab::LAB;

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
    starter_sql: r#"-- The lab's users table (10,000 users by default) and its index on (created_at, id).
-- The total: a count over the same filtered query (it reads every user)
SELECT COUNT(*) AS total
FROM (SELECT * FROM users WHERE is_active = TRUE) AS base_query;
-- Page 1, newest first: the index serves this order, so the engine reads about 20 rows
SELECT id, email, created_at FROM users WHERE is_active = TRUE
ORDER BY created_at DESC, id LIMIT 20;
-- Page 3 by OFFSET (per_page = 20): the engine walks past the first 40 rows
SELECT id, email, created_at FROM users WHERE is_active = TRUE
ORDER BY created_at DESC, id LIMIT 20 OFFSET 40;
-- The same page by keyset: start after page 2's last row, (created_at, id) = ('2024-01-05 05:06:08', 9957)
SELECT id, email, created_at FROM users WHERE is_active = TRUE
  AND created_at <= '2024-01-05 05:06:08'
  AND (created_at < '2024-01-05 05:06:08' OR (created_at = '2024-01-05 05:06:08' AND id > 9957))
ORDER BY created_at DESC, id LIMIT 20;
"#,
    live: true,
};
