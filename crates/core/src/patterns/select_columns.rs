//! Selecting Specific Columns: placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "select-columns",
    title: "Selecting Specific Columns",
    section: Section::QueryOptimization,
    summary: " (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"# Only select needed columns
result = await session.execute(
    select(User.id, User.email, User.name)
    .where(User.is_active == True)
)

# Using load_only for relationships
result = await session.execute(
    select(User)
    .options(load_only(User.id, User.email))
    .options(
        selectinload(User.orders)
        .load_only(Order.id, Order.total)
    )
)
"#,
    code_language: CodeLanguage::Python,
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
