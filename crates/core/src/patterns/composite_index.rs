//! Composite Indexes: placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "composite-index",
    title: "Composite Indexes",
    section: Section::IndexStrategies,
    summary: "Order matters - put high-cardinality columns first: (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"from sqlalchemy import Index

class Order(BaseModel):
    __tablename__ = 'orders'

    user_id: Mapped[str] = mapped_column(ForeignKey('users.id'))
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        # For queries: WHERE user_id = ? AND status = ?
        Index('ix_orders_user_status', 'user_id', 'status'),

        # For queries: WHERE status = ? ORDER BY created_at
        Index('ix_orders_status_created', 'status', 'created_at'),
    )
"#,
    code_language: CodeLanguage::Python,
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
