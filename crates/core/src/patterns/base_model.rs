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
    starter_sql: r#"-- BaseModel is abstract: create_all makes no table for it. A model on it, e.g.
-- class Note(BaseModel) with text = mapped_column(String(200)), gets this DDL:
CREATE TABLE notes (
  text VARCHAR(200) NOT NULL,
  id VARCHAR NOT NULL,
  created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
  updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
  PRIMARY KEY (id)
);
-- id's default (uuid4()) runs in Python: SQL gives it. The timestamps are fixed here;
-- left out, server_default=func.now() would fill them
INSERT INTO notes (id, text, created_at, updated_at) VALUES
  ('00000000-0000-4000-8000-000000000001', 'Buy milk', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00'),
  ('00000000-0000-4000-8000-000000000002', 'Call Bob', '2024-01-16 14:30:00+00', '2024-01-16 14:30:00+00');
-- onupdate runs in Python: the ORM's UPDATE also sets updated_at (plain SQL must do it itself)
UPDATE notes SET text = 'Buy oat milk', updated_at = '2024-02-01 10:00:00+00'
WHERE id = '00000000-0000-4000-8000-000000000001';
SELECT id, text, created_at, updated_at, updated_at > created_at AS edited
FROM notes ORDER BY id;
-- Every model on BaseModel has the same three columns
SELECT COUNT(*) AS notes, MIN(created_at) AS first_created, MAX(updated_at) AS last_updated
FROM notes;
"#,
    live: false,
};
