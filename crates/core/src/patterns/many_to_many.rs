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
    starter_sql: r#"-- BaseModel gives products and categories only id and timestamps: readable ids here
-- (the app's are uuid4() strings)
INSERT INTO products (id, created_at, updated_at) VALUES
  ('laptop', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00'),
  ('phone', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00'),
  ('desk', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00');
INSERT INTO categories (id, created_at, updated_at) VALUES
  ('electronics', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00'),
  ('office', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00'),
  ('mobile', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00');
-- product.categories.append(category) writes one row per (product, category) pair
INSERT INTO product_categories (product_id, category_id) VALUES
  ('laptop', 'electronics'), ('laptop', 'office'),
  ('phone', 'electronics'), ('phone', 'mobile'),
  ('desk', 'office');
-- Product.categories: a join through the association table
SELECT p.id AS product, c.id AS category
FROM products p
JOIN product_categories pc ON pc.product_id = p.id
JOIN categories c ON c.id = pc.category_id
ORDER BY p.id, c.id;
-- Category.products, counted
SELECT c.id AS category, COUNT(pc.product_id) AS products
FROM categories c LEFT JOIN product_categories pc ON pc.category_id = c.id
GROUP BY c.id ORDER BY c.id;
-- ondelete='CASCADE': deleting a product deletes its links, not the categories
DELETE FROM products WHERE id = 'laptop';
SELECT product_id, category_id FROM product_categories ORDER BY product_id, category_id;
-- this one fails: (product_id, category_id) is the primary key, so a pair is linked once
INSERT INTO product_categories (product_id, category_id) VALUES ('phone', 'mobile');
"#,
    live: false,
};
