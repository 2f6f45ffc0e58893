//! Read-Only Transactions: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "read-only-transactions",
    title: "Read-Only Transactions",
    section: Section::TransactionPatterns,
    summary: "A report built from several queries can mix data from different moments when other transactions commit in between. Running the queries in one REPEATABLE READ, READ ONLY transaction gives them all the same snapshot and guarantees the report writes nothing.",
    reference_code: r#"from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

@dataclass
class ReportData:
    users: list
    orders: list
    metrics: dict

async def get_report(session: AsyncSession):
    # Start read-only transaction for consistency
    async with session.begin():
        # REPEATABLE READ: one snapshot for the whole transaction
        # (in the default READ COMMITTED each query gets a new one)
        await session.execute(
            text('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY')
        )

        # All queries see consistent snapshot
        users = await get_active_users(session)
        orders = await get_pending_orders(session)
        metrics = await calculate_metrics(session)

        return ReportData(users=users, orders=orders, metrics=metrics)
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "get_report() takes the AsyncSession and passes it to the query helpers: session was used without being defined.",
        "SET TRANSACTION now also sets ISOLATION LEVEL REPEATABLE READ: READ ONLY alone, at PostgreSQL's default READ COMMITTED, gives each query a new snapshot, so the results were not consistent.",
        "Defined the ReportData class the function returns.",
    ],
    starter_sql: r#"-- The engine has no SET TRANSACTION yet; the live demo will show the read-only snapshot.
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, is_active BOOLEAN);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, status TEXT, total FLOAT);
INSERT INTO users VALUES (1, 'ada@example.com', TRUE), (2, 'bob@example.com', TRUE), (3, 'cy@example.com', FALSE);
INSERT INTO orders VALUES (1, 1, 'pending', 25.0), (2, 2, 'pending', 40.0), (3, 1, 'shipped', 15.0);
-- The report's queries; in one REPEATABLE READ READ ONLY transaction they all see
-- the same snapshot, so the numbers agree even while other sessions write
SELECT id, email FROM users WHERE is_active = TRUE ORDER BY id;
SELECT id, user_id, total FROM orders WHERE status = 'pending' ORDER BY id;
SELECT COUNT(*) AS orders, SUM(total) AS revenue FROM orders;
"#,
    live: false,
};
