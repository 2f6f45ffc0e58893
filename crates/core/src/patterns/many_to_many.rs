//! Many-to-Many with Association Table: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "many-to-many",
    title: "Many-to-Many with Association Table",
    section: Section::RelationshipPatterns,
    summary: "A product can belong to many categories and a category holds many products, which neither table can express with a single foreign key. A plain association table holding the two foreign keys as a composite primary key links them, and relationship(secondary=...) lets each side load the other without a model class for the link.",
    reference_code: r#"from sqlalchemy import Column, ForeignKey, Table
from sqlalchemy.orm import Mapped, relationship

from .base import Base, BaseModel  # the Base Model Pattern

# Association table (no model class needed)
product_categories = Table(
    'product_categories',
    Base.metadata,
    Column('product_id', ForeignKey('products.id', ondelete='CASCADE'), primary_key=True),
    Column('category_id', ForeignKey('categories.id', ondelete='CASCADE'), primary_key=True)
)

class Product(BaseModel):
    __tablename__ = 'products'

    categories: Mapped[list['Category']] = relationship(
        secondary=product_categories,
        back_populates='products',
        lazy='selectin'
    )

class Category(BaseModel):
    __tablename__ = 'categories'

    products: Mapped[list['Product']] = relationship(
        secondary=product_categories,
        back_populates='categories',
        lazy='selectin'
    )
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Imported Base and BaseModel from the Base Model Pattern.",
    ],
    starter_sql: r#"CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE categories (id INTEGER PRIMARY KEY, name TEXT);
-- The association table: one row per (product, category) pair, no model class
CREATE TABLE product_categories (product_id INTEGER NOT NULL, category_id INTEGER NOT NULL);
INSERT INTO products VALUES (1, 'Laptop'), (2, 'Phone'), (3, 'Desk');
INSERT INTO categories VALUES (1, 'Electronics'), (2, 'Office'), (3, 'Mobile');
INSERT INTO product_categories VALUES (1, 1), (1, 2), (2, 1), (2, 3), (3, 2);
-- Product.categories
SELECT p.name AS product, c.name AS category
FROM products p
JOIN product_categories pc ON pc.product_id = p.id
JOIN categories c ON c.id = pc.category_id
ORDER BY p.name, c.name;
-- Category.products, counted
SELECT c.name AS category, COUNT(*) AS products
FROM categories c JOIN product_categories pc ON pc.category_id = c.id
GROUP BY c.name ORDER BY c.name;
"#,
    live: false,
};
