//! Many-to-Many with Extra Fields: placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "association-object",
    title: "Many-to-Many with Extra Fields",
    section: Section::RelationshipPatterns,
    summary: "When the relationship itself has attributes: (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"class OrderItem(BaseModel):
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
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
