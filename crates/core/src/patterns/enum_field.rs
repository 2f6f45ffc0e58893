//! Enum Field Pattern: placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "enum-field",
    title: "Enum Field Pattern",
    section: Section::ModelPatterns,
    summary: "Store enums safely with database constraints: (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"from enum import Enum

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

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
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
