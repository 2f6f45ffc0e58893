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
    starter_sql: r#"-- The engine has no CHECK constraints yet; the live demo will show valid_order_status at work
CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT DEFAULT 'pending');
-- No status given: the default, OrderStatus.PENDING.value
INSERT INTO orders (id) VALUES (1);
INSERT INTO orders VALUES (2, 'confirmed'), (3, 'shipped'), (4, 'cancelled');
-- Not an OrderStatus value: valid_order_status would reject this row
INSERT INTO orders VALUES (5, 'completed');
-- What the constraint checks: status IN (every OrderStatus value)
SELECT id, status,
  status IN ('pending', 'confirmed', 'shipped', 'delivered', 'cancelled') AS valid
FROM orders ORDER BY id;
SELECT status, COUNT(*) AS orders FROM orders GROUP BY status ORDER BY status;
"#,
    live: false,
};
