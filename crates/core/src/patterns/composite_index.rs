//! Composite Indexes: summary, corrected reference code, notes on the corrections, console
//! script, and the lab ([`LAB`]).
//!
//! The lab seeds `users` (`rows` / 10) and `orders` (`rows`, statuses weighted as a shop's
//! are, a tenth of the users placing half the orders) with the reference's
//! `ix_orders_user_status (user_id, status)` and `ix_orders_status_created (status,
//! created_at)`, and `run` measures the reference's queries with those indexes (set key
//! `with`, label "with the index"), with none (`without`, "without an index") and with each
//! index's columns reversed (`reversed`, "columns reversed").
//!
//! - Knob: `rows` (1,000..100,000). Action: `run`.
//! - Blocks: see [`crate::index_lab::index_page`] (`outcome`, `queries`,
//!   `entries-metrics`, `index-entries`, `statements`) and the Note `engine-note`.
//!   Query labels: "user + status", "status, by date", "user only".

mod lab;

pub use lab::LAB;

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
    starter_sql: r#"-- The lab's orders (10,000 by default) with the reference's two composite indexes.
-- ix_orders_user_status (user_id, status): both columns compared with =
SELECT id, total, created_at FROM orders WHERE user_id = 7 AND status = 'pending' ORDER BY id;
-- ix_orders_status_created (status, created_at): = on status, then created_at order
SELECT id, user_id, created_at FROM orders WHERE status = 'pending' ORDER BY created_at LIMIT 20;
-- A query on the leading column alone can use ix_orders_user_status too
SELECT status, COUNT(*) AS orders FROM orders WHERE user_id = 7 GROUP BY status;
-- Neither index leads with created_at, so this one reads the whole table
SELECT COUNT(*) AS recent FROM orders WHERE created_at > '2024-12-01';
"#,
    live: true,
};
