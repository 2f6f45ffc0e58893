//! Enum Field Pattern: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "enum-field",
    title: "Enum Field Pattern",
    section: Section::ModelPatterns,
    summary: "A free-text status column accepts any typo, and application-side validation does not protect rows written by other code or by hand. A Python str Enum lists the allowed values once, and a CHECK constraint built from it (valid_order_status) makes the database itself reject any other value.",
    reference_code: r#"from enum import Enum

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import BaseModel  # the Base Model Pattern

class OrderStatus(str, Enum):
    PENDING = 'pending'
    CONFIRMED = 'confirmed'
    SHIPPED = 'shipped'
    DELIVERED = 'delivered'
    CANCELLED = 'cancelled'

class Order(BaseModel):
    __tablename__ = 'orders'

    status: Mapped[str] = mapped_column(
        String(20),
        default=OrderStatus.PENDING.value
    )

    __table_args__ = (
        CheckConstraint(
            status.in_([s.value for s in OrderStatus]),
            name='valid_order_status'
        ),
    )
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Imported BaseModel from the Base Model Pattern.",
    ],
    starter_sql: r#"-- default=OrderStatus.PENDING.value is applied by Python, not by the table: SQL gives the status
INSERT INTO orders (id, status, created_at, updated_at) VALUES
  ('00000000-0000-4000-8000-000000000001', 'pending', '2024-03-01 09:00:00+00', '2024-03-01 09:00:00+00'),
  ('00000000-0000-4000-8000-000000000002', 'confirmed', '2024-03-01 10:00:00+00', '2024-03-01 10:00:00+00'),
  ('00000000-0000-4000-8000-000000000003', 'shipped', '2024-03-01 11:00:00+00', '2024-03-01 11:00:00+00'),
  ('00000000-0000-4000-8000-000000000004', 'cancelled', '2024-03-01 12:00:00+00', '2024-03-01 12:00:00+00');
-- Any OrderStatus value passes valid_order_status, on UPDATE too
UPDATE orders SET status = 'delivered', updated_at = '2024-03-04 15:00:00+00'
WHERE id = '00000000-0000-4000-8000-000000000003';
SELECT id, status FROM orders ORDER BY id;
SELECT status, COUNT(*) AS orders FROM orders GROUP BY status ORDER BY status;
-- this one fails: 'completed' is not an OrderStatus, so valid_order_status rejects the row
INSERT INTO orders (id, status, created_at, updated_at) VALUES
  ('00000000-0000-4000-8000-000000000005', 'completed', '2024-03-05 09:00:00+00', '2024-03-05 09:00:00+00');
"#,
    live: false,
};
