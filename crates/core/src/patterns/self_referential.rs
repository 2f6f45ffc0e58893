//! Self-Referential Relationship: placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "self-referential",
    title: "Self-Referential Relationship",
    section: Section::RelationshipPatterns,
    summary: "For hierarchical data: (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"class Category(BaseModel):
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
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
