//! Audit Trail Pattern: placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "audit-trail",
    title: "Audit Trail Pattern",
    section: Section::ModelPatterns,
    summary: "Track all changes with full history: (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"from sqlalchemy import JSON, DateTime, ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column

class AuditLog(Base):
    __tablename__ = 'audit_logs'

    id: Mapped[int] = mapped_column(primary_key=True)
    table_name: Mapped[str] = mapped_column(String(100))
    record_id: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(10))  # INSERT, UPDATE, DELETE
    old_values: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    new_values: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    changed_by: Mapped[str | None] = mapped_column(String(36), nullable=True)
    changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True),
        default=lambda: datetime.now(UTC)
    )

# Event listener for automatic auditing
@event.listens_for(Session, 'before_flush')
def audit_changes(session, flush_context, instances):
    for obj in session.new:
        if hasattr(obj, '__audit__') and obj.__audit__:
            log = AuditLog(
                table_name=obj.__tablename__,
                record_id=str(obj.id),
                action='INSERT',
                new_values=obj.to_dict()
            )
            session.add(log)
"#,
    code_language: CodeLanguage::Python,
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
