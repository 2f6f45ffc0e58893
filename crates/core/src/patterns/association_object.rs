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
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Added the missing imports (ForeignKey, Mapped, mapped_column, relationship, and the Base Model Pattern's classes).",
        "OrderItem now derives from TimestampMixin and Base instead of BaseModel: BaseModel's own id primary key made the key (order_id, product_id, id), which allowed the same product twice in one order.",
    ],
    starter_sql: r#"CREATE TABLE orders (id INTEGER PRIMARY KEY);
CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT);
-- The association row carries its own fields (key: order_id + product_id)
CREATE TABLE order_items (
  order_id INTEGER NOT NULL,
  product_id INTEGER NOT NULL,
  quantity INTEGER DEFAULT 1,
  unit_price FLOAT NOT NULL,
  discount FLOAT DEFAULT 0.0
);
INSERT INTO orders VALUES (1), (2);
INSERT INTO products VALUES (1, 'Keyboard'), (2, 'Monitor');
INSERT INTO order_items (order_id, product_id, unit_price) VALUES (1, 1, 49.0);
INSERT INTO order_items VALUES (1, 2, 2, 150.0, 0.1), (2, 1, 3, 45.0, 0.0);
-- Order.items with OrderItem.product, and each line's total
SELECT i.order_id, p.name, i.quantity, i.unit_price, i.discount,
  i.unit_price * i.quantity * (1.0 - i.discount) AS line_total
FROM order_items i JOIN products p ON p.id = i.product_id
ORDER BY i.order_id, p.name;
SELECT order_id, SUM(unit_price * quantity * (1.0 - discount)) AS order_total
FROM order_items GROUP BY order_id ORDER BY order_id;
"#,
    live: false,
};
