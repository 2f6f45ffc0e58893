//! Many-to-Many with Extra Fields: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "association-object",
    title: "Many-to-Many with Extra Fields",
    section: Section::RelationshipPatterns,
    summary: "When the link between two tables carries its own data, such as the quantity and price of a product in an order, a bare association table has nowhere to put it. The link becomes a mapped class, OrderItem, keyed by both foreign keys and holding the extra columns, with relationships to each side.",
    reference_code: r#"from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, BaseModel, TimestampMixin  # the Base Model Pattern

# Base + TimestampMixin, not BaseModel: BaseModel's own `id` primary key would
# make the key (order_id, product_id, id) and allow the same product twice
class OrderItem(TimestampMixin, Base):
    __tablename__ = 'order_items'

    order_id: Mapped[str] = mapped_column(
        ForeignKey('orders.id', ondelete='CASCADE'),
        primary_key=True
    )
    product_id: Mapped[str] = mapped_column(
        ForeignKey('products.id', ondelete='RESTRICT'),
        primary_key=True
    )

    # Extra fields on the relationship
    quantity: Mapped[int] = mapped_column(default=1)
    unit_price: Mapped[float] = mapped_column()
    discount: Mapped[float] = mapped_column(default=0.0)

    order: Mapped['Order'] = relationship(back_populates='items')
    product: Mapped['Product'] = relationship()

class Order(BaseModel):
    __tablename__ = 'orders'

    items: Mapped[list['OrderItem']] = relationship(
        back_populates='order',
        cascade='all, delete-orphan'
    )

# The products table, as the Many-to-Many pattern defines it
class Product(BaseModel):
    __tablename__ = 'products'
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Added the missing imports (ForeignKey, Mapped, mapped_column, relationship, and the Base Model Pattern's classes).",
        "OrderItem now derives from TimestampMixin and Base instead of BaseModel: BaseModel's own id primary key made the key (order_id, product_id, id), which allowed the same product twice in one order.",
        "Added a minimal Product model (the products table as the Many-to-Many pattern defines it): OrderItem's foreign key and relationship referred to it, but it was never defined.",
    ],
    starter_sql: r#"-- Two orders and two products (the app's ids are uuid4() strings: readable ones here)
INSERT INTO orders (id, created_at, updated_at) VALUES
  ('order-1', '2024-03-01 09:00:00+00', '2024-03-01 09:00:00+00'),
  ('order-2', '2024-03-02 09:00:00+00', '2024-03-02 09:00:00+00');
INSERT INTO products (id, created_at, updated_at) VALUES
  ('keyboard', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00'),
  ('monitor', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00');
-- Each OrderItem links an order and a product and carries quantity, price and discount
-- (default=1 and default=0.0 are applied by Python: SQL gives every value)
INSERT INTO order_items (order_id, product_id, quantity, unit_price, discount, created_at, updated_at) VALUES
  ('order-1', 'keyboard', 1, 49.0, 0.0, '2024-03-01 09:00:00+00', '2024-03-01 09:00:00+00'),
  ('order-1', 'monitor', 2, 150.0, 0.25, '2024-03-01 09:00:00+00', '2024-03-01 09:00:00+00'),
  ('order-2', 'keyboard', 3, 45.0, 0.0, '2024-03-02 09:00:00+00', '2024-03-02 09:00:00+00');
-- Order.items with OrderItem.product, and each line's total
SELECT order_id, product_id, quantity, unit_price, discount,
  unit_price * quantity * (1.0 - discount) AS line_total
FROM order_items ORDER BY order_id, product_id;
-- Order totals
SELECT o.id AS order_id, COUNT(*) AS items,
  SUM(i.unit_price * i.quantity * (1.0 - i.discount)) AS order_total
FROM orders o JOIN order_items i ON i.order_id = o.id
GROUP BY o.id ORDER BY o.id;
-- ondelete='CASCADE' on order_id: deleting an order deletes its items
DELETE FROM orders WHERE id = 'order-2';
SELECT order_id, product_id, quantity FROM order_items ORDER BY order_id, product_id;
-- this one fails: ondelete='RESTRICT' on product_id keeps a product that is still ordered
DELETE FROM products WHERE id = 'keyboard';
"#,
    live: false,
};
