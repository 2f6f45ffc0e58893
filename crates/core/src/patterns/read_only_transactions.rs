//! Read-Only Transactions: placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "read-only-transactions",
    title: "Read-Only Transactions",
    section: Section::TransactionPatterns,
    summary: " (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"from sqlalchemy import text

async def get_report():
    # Start read-only transaction for consistency
    async with session.begin():
        await session.execute(text('SET TRANSACTION READ ONLY'))

        # All queries see consistent snapshot
        users = await get_active_users()
        orders = await get_pending_orders()
        metrics = await calculate_metrics()

        return ReportData(users=users, orders=orders, metrics=metrics)
"#,
    code_language: CodeLanguage::Python,
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
