//! Self-Referential Relationship: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "self-referential",
    title: "Self-Referential Relationship",
    section: Section::RelationshipPatterns,
    summary: "Hierarchies such as category trees have rows whose parent is a row of the same table. A nullable parent_id foreign key to the table's own id, with a parent relationship marked by remote_side and a children relationship back, maps the tree in both directions.",
    reference_code: r#"from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import BaseModel  # the Base Model Pattern

class Category(BaseModel):
    __tablename__ = 'categories'

    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey('categories.id', ondelete='SET NULL'),
        nullable=True
    )

    parent: Mapped['Category | None'] = relationship(
        remote_side='Category.id',
        back_populates='children'
    )
    children: Mapped[list['Category']] = relationship(
        back_populates='parent'
    )
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Added the missing imports (ForeignKey, String, Mapped, mapped_column, relationship, BaseModel).",
    ],
    starter_sql: r#"-- A tree: parent_id points at a row of the same table (readable ids; the app's are uuid4())
INSERT INTO categories (id, name, parent_id, created_at, updated_at) VALUES
  ('electronics', 'Electronics', NULL, '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00'),
  ('computers', 'Computers', 'electronics', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00'),
  ('phones', 'Phones', 'electronics', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00'),
  ('laptops', 'Laptops', 'computers', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00'),
  ('desktops', 'Desktops', 'computers', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00');
-- Category.parent: join the table to itself
SELECT c.name, p.name AS parent
FROM categories c LEFT JOIN categories p ON p.id = c.parent_id
ORDER BY c.name;
-- Category.children of Computers
SELECT name FROM categories WHERE parent_id = 'computers' ORDER BY name;
-- Three levels deep: one self-join per level
SELECT g.name AS grandparent, p.name AS parent, c.name AS category
FROM categories c
JOIN categories p ON p.id = c.parent_id
JOIN categories g ON g.id = p.parent_id
ORDER BY c.name;
-- ondelete='SET NULL': deleting Computers turns Laptops and Desktops into roots
DELETE FROM categories WHERE id = 'computers';
SELECT c.name, p.name AS parent
FROM categories c LEFT JOIN categories p ON p.id = c.parent_id
ORDER BY c.name;
"#,
    live: false,
};
