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
    starter_sql: r#"CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE);
-- user_id is the foreign key (the engine has no REFERENCES yet)
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL);
INSERT INTO users VALUES (1, 'ada@example.com'), (2, 'bob@example.com');
INSERT INTO orders VALUES (10, 1), (11, 1), (12, 2);
-- One user has many orders
SELECT u.email, COUNT(o.id) AS orders
FROM users u LEFT JOIN orders o ON o.user_id = u.id
GROUP BY u.email ORDER BY u.email;
-- Deleting a user: cascade='all, delete-orphan' (and ON DELETE CASCADE) delete the orders first
DELETE FROM orders WHERE user_id = 1;
DELETE FROM users WHERE id = 1;
-- No orphans are left behind
SELECT o.id, o.user_id, u.email FROM orders o LEFT JOIN users u ON u.id = o.user_id;
"#,
    live: false,
};
