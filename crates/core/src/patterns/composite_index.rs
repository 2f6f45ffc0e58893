//! Composite Indexes: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "composite-index",
    title: "Composite Indexes",
    section: Section::IndexStrategies,
    summary: "A query filtering on several columns, or filtering on one and sorting on another, is only served by an index whose leading columns match it. A composite index puts the columns compared with = first and the range or ORDER BY column last, as ix_orders_user_status and ix_orders_status_created do.",
    reference_code: r#"from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import BaseModel  # the Base Model Pattern

class Order(BaseModel):
    __tablename__ = 'orders'

    user_id: Mapped[str] = mapped_column(ForeignKey('users.id'))
    status: Mapped[str] = mapped_column(String(20))
    # created_at comes from BaseModel (TimestampMixin), with its defaults

    __table_args__ = (
        # For queries: WHERE user_id = ? AND status = ?
        Index('ix_orders_user_status', 'user_id', 'status'),

        # For queries: WHERE status = ? ORDER BY created_at
        Index('ix_orders_status_created', 'status', 'created_at'),
    )
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Added the missing imports (ForeignKey, Index, String, Mapped, mapped_column, BaseModel).",
        "Removed the created_at redefinition: it replaced BaseModel's created_at and dropped its defaults, so inserting an order without created_at failed.",
    ],
    starter_sql: r#"CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, status TEXT, created_at TIMESTAMP);
INSERT INTO orders VALUES
  (1, 1, 'pending', '2024-03-01 09:00:00'),
  (2, 1, 'shipped', '2024-03-02 10:00:00'),
  (3, 2, 'pending', '2024-03-03 11:00:00'),
  (4, 2, 'pending', '2024-03-04 12:00:00'),
  (5, 3, 'delivered', '2024-03-05 13:00:00');
-- The live demo will create both indexes and show which one each query uses.
-- ix_orders_user_status (user_id, status): both columns compared with =
SELECT id, created_at FROM orders WHERE user_id = 2 AND status = 'pending' ORDER BY id;
-- ix_orders_status_created (status, created_at): = on status, then already in created_at order
SELECT id, user_id, created_at FROM orders WHERE status = 'pending' ORDER BY created_at;
-- Neither index leads with created_at, so this one could not use them
SELECT id FROM orders WHERE created_at > '2024-03-03' ORDER BY id;
"#,
    live: false,
};
