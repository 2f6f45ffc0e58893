//! Selecting Specific Columns: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "select-columns",
    title: "Selecting Specific Columns",
    section: Section::QueryOptimization,
    summary: "Loading whole ORM objects transfers and hydrates every column, including large ones the caller never reads. Selecting only the needed columns, or limiting loaded entities and their relationships with load_only, keeps queries and memory small.",
    reference_code: r#"from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, load_only, mapped_column, relationship, selectinload

from .base import BaseModel  # the Base Model Pattern

# The columns the queries below use
class User(BaseModel):
    __tablename__ = 'users'

    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(default=True)

    orders: Mapped[list['Order']] = relationship(back_populates='user')

class Order(BaseModel):
    __tablename__ = 'orders'

    user_id: Mapped[str] = mapped_column(ForeignKey('users.id'), index=True)
    total: Mapped[float] = mapped_column(default=0.0)

    user: Mapped['User'] = relationship(back_populates='orders')

# Only select needed columns
result = await session.execute(
    select(User.id, User.email, User.name)
    .where(User.is_active == True)
)

# Using load_only for relationships
result = await session.execute(
    select(User)
    .options(load_only(User.id, User.email))
    .options(
        selectinload(User.orders)
        .load_only(Order.id, Order.total)
    )
)
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Imported select, load_only and selectinload, which the queries used without importing them.",
        "Defined User.name, User.is_active and Order.total, which the queries use but no model of the reference defined.",
    ],
    starter_sql: r#"CREATE TABLE users (
  id INTEGER PRIMARY KEY, email TEXT, name TEXT, is_active BOOLEAN, bio TEXT
);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, total FLOAT, notes TEXT);
INSERT INTO users VALUES
  (1, 'ada@example.com', 'Ada', TRUE, 'A long biography the list page never shows...'),
  (2, 'bob@example.com', 'Bob', FALSE, 'Another long text...'),
  (3, 'cy@example.com', 'Cy', TRUE, 'More text nobody asked for...');
INSERT INTO orders VALUES (10, 1, 25.5, 'gift wrap'), (11, 3, 99.0, 'leave at door');
-- select(User.id, User.email, User.name): only the needed columns travel
SELECT id, email, name FROM users WHERE is_active = TRUE ORDER BY id;
-- load_only(User.id, User.email), then load_only(Order.id, Order.total) for the orders
SELECT id, email FROM users ORDER BY id;
SELECT user_id, id, total FROM orders WHERE user_id IN (1, 2, 3) ORDER BY id;
"#,
    live: false,
};
