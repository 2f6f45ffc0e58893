//! Eager Loading Strategies: placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "eager-loading",
    title: "Eager Loading Strategies",
    section: Section::QueryOptimization,
    summary: " (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"from sqlalchemy.orm import joinedload, selectinload, subqueryload

# joinedload: Single query with JOIN (good for one-to-one/many-to-one)
users = await session.execute(
    select(User).options(joinedload(User.profile))
)

# selectinload: Separate IN query (good for one-to-many)
users = await session.execute(
    select(User).options(selectinload(User.orders))
)

# subqueryload: Subquery (good for complex filters)
users = await session.execute(
    select(User).options(subqueryload(User.orders))
)

# Nested eager loading
users = await session.execute(
    select(User)
    .options(
        selectinload(User.orders)
        .selectinload(Order.items)
        .joinedload(OrderItem.product)
    )
)
"#,
    code_language: CodeLanguage::Python,
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
