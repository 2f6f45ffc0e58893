//! Pagination with Total Count: placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "pagination",
    title: "Pagination with Total Count",
    section: Section::QueryOptimization,
    summary: "Efficient pagination with count: (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"from sqlalchemy import func, select

async def paginate_users(
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
        .order_by(User.created_at.desc())
        .offset(offset)
        .limit(per_page)
    )
    result = await session.execute(users_query)

    return result.scalars().all(), total
"#,
    code_language: CodeLanguage::Python,
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
