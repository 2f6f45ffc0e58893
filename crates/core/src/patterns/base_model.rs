//! Base Model Pattern: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "base-model",
    title: "Base Model Pattern",
    section: Section::ModelPatterns,
    summary: "Every table needs a primary key and creation and modification times, and repeating those columns in each model invites drift. An abstract BaseModel combines a UUID primary key mixin and a timestamp mixin, with Python-side and server-side defaults and an onupdate hook, so every model inherits the same columns.",
    reference_code: r#"from datetime import UTC, datetime
from uuid import uuid4

from sqlalchemy import DateTime, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

class Base(DeclarativeBase):
    pass

class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True),
        default=lambda: datetime.now(UTC),
        server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True),
        default=lambda: datetime.now(UTC),
        onupdate=lambda: datetime.now(UTC),
        server_default=func.now()
    )

class UUIDMixin:
    id: Mapped[str] = mapped_column(
        primary_key=True,
        default=lambda: str(uuid4())
    )

class BaseModel(Base, UUIDMixin, TimestampMixin):
    __abstract__ = True
"#,
    code_language: CodeLanguage::Python,
    fixes: &[],
    starter_sql: r#"-- Every model gets the same three columns from BaseModel: id, created_at, updated_at
CREATE TABLE users (
  id UUID PRIMARY KEY,
  email TEXT,
  created_at TIMESTAMP NOT NULL,
  updated_at TIMESTAMP NOT NULL
);
-- The app fills id with uuid4() and both timestamps with now(); fixed values here
INSERT INTO users VALUES
  ('0b6f7d2e-3c41-4a8e-9f6a-1d2c3b4a5e01', 'ada@example.com', '2024-01-15 09:00:00', '2024-01-15 09:00:00'),
  ('7c9e6679-7425-40de-944b-e07fc1f90ae7', 'bob@example.com', '2024-01-16 14:30:00', '2024-01-16 14:30:00');
-- onupdate: every UPDATE also moves updated_at
UPDATE users SET email = 'ada@example.org', updated_at = '2024-02-01 10:00:00'
WHERE id = '0b6f7d2e-3c41-4a8e-9f6a-1d2c3b4a5e01';
SELECT id, email, created_at, updated_at FROM users ORDER BY created_at;
"#,
    live: false,
};
