//! Soft Delete Pattern: placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "soft-delete",
    title: "Soft Delete Pattern",
    section: Section::ModelPatterns,
    summary: "Track deletions without removing data: (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"from datetime import datetime

from sqlalchemy import DateTime
from sqlalchemy.orm import Mapped, mapped_column

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

# Repository method for soft delete filtering
class UserRepository:
    async def get_active_users(self) -> list[User]:
        return await self.session.execute(
            select(User).where(User.deleted_at.is_(None))
        )
"#,
    code_language: CodeLanguage::Python,
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
