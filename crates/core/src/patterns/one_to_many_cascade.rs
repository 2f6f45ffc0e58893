//! One-to-Many with Cascade: placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "one-to-many-cascade",
    title: "One-to-Many with Cascade",
    section: Section::RelationshipPatterns,
    summary: " (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

class User(BaseModel):
    __tablename__ = 'users'

    email: Mapped[str] = mapped_column(String(255), unique=True)

    # One user has many orders
    orders: Mapped[list['Order']] = relationship(
        back_populates='user',
        cascade='all, delete-orphan',  # Delete orders when user deleted
        lazy='selectin'  # Eager load by default
    )

class Order(BaseModel):
    __tablename__ = 'orders'

    user_id: Mapped[str] = mapped_column(
        ForeignKey('users.id', ondelete='CASCADE'),
        index=True  # Always index foreign keys
    )

    user: Mapped['User'] = relationship(back_populates='orders')
"#,
    code_language: CodeLanguage::Python,
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
