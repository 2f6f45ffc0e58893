//! Many-to-Many with Association Table: placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "many-to-many",
    title: "Many-to-Many with Association Table",
    section: Section::RelationshipPatterns,
    summary: " (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"from sqlalchemy import Column, ForeignKey, Table
from sqlalchemy.orm import Mapped, relationship

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
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
