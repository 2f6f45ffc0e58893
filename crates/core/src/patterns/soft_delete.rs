//! Soft Delete Pattern: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};
use crate::demo::{Comparison, ComparisonOutcome, Demo, DemoContext, Step, StepOutcome};
use crate::orm::{Select, Value};

use super::live::{add, commit, count, exec, fresh, guard, line, one, R};

pub const PATTERN: Pattern = Pattern {
    slug: "soft-delete",
    title: "Soft Delete Pattern",
    section: Section::ModelPatterns,
    summary: "Deleting a row with DELETE loses its data and history, and breaks anything that still refers to it. A nullable deleted_at column marks a row as deleted instead, and queries for live data filter on deleted_at IS NULL, so a row can be inspected or restored later.",
    reference_code: r#"from datetime import UTC, datetime

from sqlalchemy import DateTime, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from .base import BaseModel  # the Base Model Pattern

class SoftDeleteMixin:
    deleted_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True),
        nullable=True,
        default=None
    )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def soft_delete(self) -> None:
        self.deleted_at = datetime.now(UTC)

    def restore(self) -> None:
        self.deleted_at = None

class User(SoftDeleteMixin, BaseModel):
    __tablename__ = 'users'

    email: Mapped[str] = mapped_column(String(255), unique=True)

# Repository method for soft delete filtering
class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_active_users(self) -> list[User]:
        result = await self.session.execute(
            select(User).where(User.deleted_at.is_(None))
        )
        return result.scalars().all()
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Imported UTC from datetime: soft_delete() used it without importing it.",
        "Imported select, which the repository used without importing it.",
        "Added the User model the repository queries, using SoftDeleteMixin (it was referenced but never defined).",
        "Gave UserRepository an __init__ that takes the AsyncSession: self.session was never set.",
        "get_active_users() now returns result.scalars().all(): awaiting session.execute() gives a Result, not a list of users.",
    ],
    starter_sql: r#"-- Three users (the app's ids are uuid4() strings and its timestamps now(): fixed here)
INSERT INTO users (id, email, created_at, updated_at) VALUES
  ('00000000-0000-4000-8000-000000000001', 'ada@example.com', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00'),
  ('00000000-0000-4000-8000-000000000002', 'bob@example.com', '2024-01-16 10:00:00+00', '2024-01-16 10:00:00+00'),
  ('00000000-0000-4000-8000-000000000003', 'cy@example.com', '2024-01-17 11:00:00+00', '2024-01-17 11:00:00+00');
-- soft_delete(): set deleted_at instead of DELETE
UPDATE users SET deleted_at = '2024-03-01 12:00:00+00', updated_at = '2024-03-01 12:00:00+00'
WHERE email = 'bob@example.com';
-- get_active_users(): deleted_at IS NULL
SELECT email FROM users WHERE deleted_at IS NULL ORDER BY email;
-- The row is still there, with its data: is_deleted is deleted_at IS NOT NULL
SELECT email, deleted_at, deleted_at IS NOT NULL AS is_deleted FROM users ORDER BY email;
-- restore(): clear deleted_at
UPDATE users SET deleted_at = NULL, updated_at = '2024-03-02 08:00:00+00'
WHERE email = 'bob@example.com';
SELECT COUNT(*) AS active_users FROM users WHERE deleted_at IS NULL;
"#,
    live: true,
};

/// The live page: three users, soft-delete and restore Ben, the UNIQUE email trap and its fix.
pub static DEMO: Demo = Demo {
    seed,
    steps: &[
        Step { id: "soft-delete-ben", label: "Soft-delete Ben", run: soft_delete_ben },
        Step { id: "active-vs-raw", label: "Active users vs the raw table", run: active_vs_raw },
        Step { id: "re-register", label: "Re-register ben@example.com", run: re_register },
        Step { id: "partial-unique", label: "Fix: unique among active rows only", run: partial_unique },
        Step { id: "restore-ben", label: "Restore Ben", run: restore_ben },
    ],
    tables: &["users"],
    engine_note: Some("UNIQUE constraints and partial unique indexes (WHERE deleted_at IS NULL) are enforced by our dialect layer, not GlueSQL."),
    comparisons: &[Comparison { title: "Soft delete vs hard DELETE", run: compare_hard_delete }],
};

const BEN: &str = "ben@example.com";

fn seed(ctx: &mut DemoContext) -> Result<(), String> {
    for email in ["ann@example.com", BEN, "cat@example.com"] {
        add(ctx, "User", &[("email", email)])?;
        ctx.session.clock.advance_seconds(60.0);
    }
    commit(ctx.session, ctx.db)
}

/// The user with `email` that is soft-deleted (or any, if none is).
fn find_ben(ctx: &mut DemoContext, deleted: bool) -> R<crate::orm::ObjId> {
    let select = Select::new("User").where_eq("email", BEN);
    let select = if deleted {
        select.where_is_not_null("deleted_at")
    } else {
        select.where_is_null("deleted_at")
    };
    let found = ctx
        .session
        .execute(ctx.db, &select)
        .map_err(|e| e.to_string())?;
    match found.first() {
        Some(id) => Ok(*id),
        None => one(ctx, "User", "email", BEN),
    }
}

fn soft_delete_ben(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        let ben = find_ben(ctx, false)?;
        ctx.session.clock.advance_seconds(3600.0);
        let now = ctx.session.clock.now_utc();
        ctx.session
            .set(ben, "deleted_at", Value::Timestamp(now.clone()))
            .map_err(|e| e.to_string())?;
        commit(ctx.session, ctx.db)?;
        Ok(StepOutcome::ok(format!(
            "user.soft_delete() set deleted_at = {now}: the flush sent an UPDATE, not a DELETE, so Ben's row and data are still in the table."
        )))
    })
}

fn active_vs_raw(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        let active = ctx
            .session
            .execute(ctx.db, &Select::new("User").not_deleted())
            .map_err(|e| e.to_string())?
            .len();
        let raw = count(ctx.db, "SELECT COUNT(*) FROM users")?;
        Ok(StepOutcome::ok(format!(
            "get_active_users() filters on deleted_at IS NULL and returns {active} user(s); the raw table still holds {raw} row(s). Every query for live data must carry that filter."
        )))
    })
}

fn re_register(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        add(ctx, "User", &[("email", BEN)])?;
        match commit(ctx.session, ctx.db) {
            Ok(()) => Ok(StepOutcome::ok(
                "A new account for ben@example.com was created: uniqueness now only counts active rows, so the soft-deleted row no longer blocks it.",
            )),
            Err(e) => Ok(StepOutcome::failed(
                "The trap: unique=True covers soft-deleted rows too, so a deleted user's email can never be registered again (and a restore could collide later).",
                e,
            )),
        }
    })
}

fn partial_unique(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        exec(ctx.db, "ALTER TABLE users DROP CONSTRAINT users_email_key")?;
        exec(
            ctx.db,
            "CREATE UNIQUE INDEX uq_users_email_active ON users (email) WHERE deleted_at IS NULL",
        )?;
        Ok(StepOutcome::ok(
            "The table-wide UNIQUE is replaced by a partial unique index on active rows (Index('uq_users_email_active', 'email', unique=True, postgresql_where=deleted_at.is_(None))): deleted rows no longer count.",
        ))
    })
}

fn restore_ben(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        let ben = find_ben(ctx, true)?;
        if ctx
            .session
            .value(ben, "deleted_at")
            .is_none_or(Value::is_null)
        {
            return Ok(StepOutcome::ok(
                "Ben is not soft-deleted: nothing to restore.",
            ));
        }
        ctx.session
            .set(ben, "deleted_at", Value::Null)
            .map_err(|e| e.to_string())?;
        match commit(ctx.session, ctx.db) {
            Ok(()) => Ok(StepOutcome::ok(
                "user.restore() cleared deleted_at: one UPDATE, and Ben is active again with all his data.",
            )),
            Err(e) => Ok(StepOutcome::failed(
                "Restoring Ben would make two active rows with the same email: the partial unique index refuses it (the app must resolve the conflict first).",
                e,
            )),
        }
    })
}

fn compare_hard_delete() -> ComparisonOutcome {
    let seed_sql = "INSERT INTO users (id, email, created_at, updated_at) VALUES ('u1', 'ben@example.com', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00')";
    let mut with = fresh(PATTERN.reference_code);
    let mut without = fresh(PATTERN.reference_code);
    let _ = with.execute(seed_sql);
    let _ = without.execute(seed_sql);
    ComparisonOutcome {
        with_pattern: vec![
            line(
                &mut with,
                "UPDATE users SET deleted_at = '2024-03-01 12:00:00+00' WHERE id = 'u1'",
            ),
            line(&mut with, "SELECT email, deleted_at FROM users"),
            line(
                &mut with,
                "UPDATE users SET deleted_at = NULL WHERE id = 'u1'",
            ),
        ],
        without_pattern: vec![
            line(&mut without, "DELETE FROM users WHERE id = 'u1'"),
            line(&mut without, "SELECT email FROM users"),
        ],
        verdict: "Soft delete keeps the row (and can restore it); DELETE loses it for good.".into(),
    }
}
