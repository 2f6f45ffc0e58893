//! One-to-Many with Cascade: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "one-to-many-cascade",
    title: "One-to-Many with Cascade",
    section: Section::RelationshipPatterns,
    summary: "A parent with many children needs a foreign key on the child side, and deleting the parent must not leave orphaned children behind. The relationship pairs a ForeignKey with ondelete='CASCADE' (indexed) and an ORM cascade='all, delete-orphan', so child rows are removed whether the delete comes from the ORM or from SQL.",
    reference_code: r#"from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import BaseModel  # the Base Model Pattern

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
    fixes: &[
        "Imported BaseModel from the Base Model Pattern.",
    ],
    starter_sql: r#"-- Two users (ids are uuid4() strings in the app: fixed, readable ones here)
INSERT INTO users (id, email, created_at, updated_at) VALUES
  ('00000000-0000-4000-8000-000000000001', 'ada@example.com', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00'),
  ('00000000-0000-4000-8000-000000000002', 'bob@example.com', '2024-01-16 10:00:00+00', '2024-01-16 10:00:00+00');
-- Ada has two orders, Bob one: orders.user_id is the foreign key
INSERT INTO orders (id, user_id, created_at, updated_at) VALUES
  ('00000000-0000-4000-8000-000000000101', '00000000-0000-4000-8000-000000000001', '2024-02-01 09:00:00+00', '2024-02-01 09:00:00+00'),
  ('00000000-0000-4000-8000-000000000102', '00000000-0000-4000-8000-000000000001', '2024-02-02 09:00:00+00', '2024-02-02 09:00:00+00'),
  ('00000000-0000-4000-8000-000000000103', '00000000-0000-4000-8000-000000000002', '2024-02-03 09:00:00+00', '2024-02-03 09:00:00+00');
-- User.orders: one user, many orders
SELECT u.email, COUNT(o.id) AS orders
FROM users u LEFT JOIN orders o ON o.user_id = u.id
GROUP BY u.email ORDER BY u.email;
-- ondelete='CASCADE': deleting Ada in plain SQL deletes her orders in the same statement
DELETE FROM users WHERE email = 'ada@example.com';
-- Only Bob's order is left: no orphans
SELECT o.id, u.email FROM orders o LEFT JOIN users u ON u.id = o.user_id ORDER BY o.id;
-- this one fails: the foreign key rejects an order for a user who no longer exists
INSERT INTO orders (id, user_id, created_at, updated_at) VALUES
  ('00000000-0000-4000-8000-000000000104', '00000000-0000-4000-8000-000000000001', '2024-03-01 09:00:00+00', '2024-03-01 09:00:00+00');
"#,
    live: false,
};
