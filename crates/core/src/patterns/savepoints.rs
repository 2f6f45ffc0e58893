//! Nested Transactions (Savepoints): summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "savepoints",
    title: "Nested Transactions (Savepoints)",
    section: Section::TransactionPatterns,
    summary: "One failing step of a larger transaction should not always force the whole transaction to roll back. A nested transaction (a SAVEPOINT) around the risky step rolls back only that step's changes, and the main transaction goes on and commits.",
    reference_code: r#"from sqlalchemy.ext.asyncio import AsyncSession

class RiskyOperationError(Exception):
    pass

async def complex_operation(session: AsyncSession):
    async with session.begin():
        # Main transaction
        user = await create_user(session, ...)

        try:
            async with session.begin_nested():
                # Savepoint - can rollback without affecting main tx
                await risky_operation(session)
        except RiskyOperationError:
            # Savepoint rolled back, main transaction continues
            await log_failure(session, ...)

        # Main transaction commits
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "complex_operation() takes the AsyncSession, and passes it to the helpers: session was used without being defined, and helpers with their own session would not be part of this transaction.",
        "Defined RiskyOperationError, which was caught but never defined.",
    ],
    starter_sql: r#"-- The engine has no SAVEPOINT yet; the live demo will show the rollback to a savepoint.
CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
CREATE TABLE operation_failures (id INTEGER PRIMARY KEY, user_id INTEGER, reason TEXT);
-- Main transaction: create_user()
INSERT INTO users VALUES (1, 'ada@example.com');
-- SAVEPOINT: risky_operation() fails and ROLLBACK TO SAVEPOINT undoes only its writes;
-- log_failure() then records it in the still-open main transaction
INSERT INTO operation_failures VALUES (1, 1, 'RiskyOperationError');
-- After COMMIT: the user and the failure log are both there
SELECT u.email, f.reason FROM users u JOIN operation_failures f ON f.user_id = u.id;
"#,
    live: false,
};
