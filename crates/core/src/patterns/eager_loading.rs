//! Eager Loading Strategies: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "eager-loading",
    title: "Eager Loading Strategies",
    section: Section::QueryOptimization,
    summary: "Loading related objects lazily runs one extra query per parent row (the N+1 problem), and in async code an unexpected lazy load fails outright. Loader options fetch the relationships up front: joinedload in the same query with a JOIN, selectinload and subqueryload in one extra query per relationship, chained for nested relationships.",
    reference_code: r#"from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import (
    Mapped,
    joinedload,
    mapped_column,
    relationship,
    selectinload,
    subqueryload,
)

from .base import BaseModel  # the Base Model Pattern
from .models import Order, OrderItem  # the relationship patterns

# The one-to-one User.profile that joinedload loads below
class Profile(BaseModel):
    __tablename__ = 'profiles'

    user_id: Mapped[str] = mapped_column(
        ForeignKey('users.id', ondelete='CASCADE'),
        unique=True
    )
    bio: Mapped[str | None] = mapped_column(String(500), nullable=True)

    user: Mapped['User'] = relationship(back_populates='profile')

class User(BaseModel):
    __tablename__ = 'users'

    email: Mapped[str] = mapped_column(String(255), unique=True)

    profile: Mapped['Profile | None'] = relationship(back_populates='user')
    orders: Mapped[list['Order']] = relationship(back_populates='user')

# joinedload: Single query with JOIN (good for one-to-one/many-to-one)
result = await session.execute(
    select(User).options(joinedload(User.profile))
)
users = result.scalars().all()

# selectinload: Separate IN query (good for one-to-many)
result = await session.execute(
    select(User).options(selectinload(User.orders))
)
users = result.scalars().all()

# subqueryload: Subquery (good for complex filters)
result = await session.execute(
    select(User).options(subqueryload(User.orders))
)
users = result.scalars().all()

# Nested eager loading
result = await session.execute(
    select(User)
    .options(
        selectinload(User.orders)
        .selectinload(Order.items)
        .joinedload(OrderItem.product)
    )
)
users = result.scalars().all()
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Imported select, which the queries used without importing it.",
        "Defined the one-to-one User.profile (a Profile model) that joinedload loads: no model of the reference had it.",
        "Each query now takes result.scalars().all(): awaiting session.execute() gives a Result of rows, not the users.",
    ],
    starter_sql: r#"CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);
CREATE TABLE profiles (id INTEGER PRIMARY KEY, user_id INTEGER UNIQUE, bio TEXT);
CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER, status TEXT);
INSERT INTO users VALUES (1, 'ada@example.com'), (2, 'bob@example.com'), (3, 'cy@example.com');
INSERT INTO profiles VALUES (1, 1, 'Mathematician'), (2, 2, 'Engineer');
INSERT INTO orders VALUES (10, 1, 'pending'), (11, 1, 'shipped'), (12, 3, 'pending');
-- Lazy loading would run one query per user for its orders (N+1 queries).
-- joinedload(User.profile): one query, profile columns joined in
SELECT u.id, u.email, p.bio
FROM users u LEFT JOIN profiles p ON p.user_id = u.id
ORDER BY u.id;
-- selectinload(User.orders): the users, then ONE query for all their orders
SELECT id, email FROM users ORDER BY id;
SELECT id, user_id, status FROM orders WHERE user_id IN (1, 2, 3) ORDER BY user_id, id;
"#,
    live: false,
};
