//! Soft Delete Pattern: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

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
    live: false,
};
