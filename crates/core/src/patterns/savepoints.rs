//! Nested Transactions (Savepoints): placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "savepoints",
    title: "Nested Transactions (Savepoints)",
    section: Section::TransactionPatterns,
    summary: " (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"async def complex_operation():
    async with session.begin():
        # Main transaction
        user = await create_user(...)

        try:
            async with session.begin_nested():
                # Savepoint - can rollback without affecting main tx
                await risky_operation()
        except RiskyOperationError:
            # Savepoint rolled back, main transaction continues
            await log_failure(...)

        # Main transaction commits
"#,
    code_language: CodeLanguage::Python,
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
