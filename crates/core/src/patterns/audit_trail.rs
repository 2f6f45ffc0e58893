//! Audit Trail Pattern: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "audit-trail",
    title: "Audit Trail Pattern",
    section: Section::ModelPatterns,
    summary: "Knowing who changed a record, when, and from what to what is lost once a row is updated or deleted in place. A before_flush event listener writes an AuditLog row with the old and new values for every insert, update and delete of an audited model, in the same transaction as the change.",
    reference_code: r#"from datetime import UTC, datetime
from uuid import uuid4

from sqlalchemy import JSON, DateTime, String, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Base, BaseModel  # the Base Model Pattern

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

def _json_value(value):
    # JSON columns cannot store datetime objects
    return value.isoformat() if isinstance(value, datetime) else value

class AuditMixin:
    """Mix into a model to audit it: class User(AuditMixin, BaseModel)."""
    __audit__ = True

    def to_dict(self) -> dict:
        return {
            attr.key: _json_value(getattr(self, attr.key))
            for attr in inspect(self).mapper.column_attrs
        }

# Event listener for automatic auditing
@event.listens_for(Session, 'before_flush')
def audit_changes(session, flush_context, instances):
    for obj in session.new:
        if hasattr(obj, '__audit__') and obj.__audit__:
            if obj.id is None:
                # Column defaults only run during the flush: set the id now to log it
                obj.id = str(uuid4())
            log = AuditLog(
                table_name=obj.__tablename__,
                record_id=str(obj.id),
                action='INSERT',
                new_values=obj.to_dict()
            )
            session.add(log)

    for obj in session.dirty:
        if hasattr(obj, '__audit__') and obj.__audit__ and session.is_modified(obj):
            state = inspect(obj)
            old_values, new_values = {}, {}
            for attr in state.mapper.column_attrs:
                history = state.attrs[attr.key].history
                if history.has_changes():
                    old_values[attr.key] = _json_value(history.deleted[0]) if history.deleted else None
                    new_values[attr.key] = _json_value(history.added[0]) if history.added else None
            log = AuditLog(
                table_name=obj.__tablename__,
                record_id=str(obj.id),
                action='UPDATE',
                old_values=old_values,
                new_values=new_values
            )
            session.add(log)

    for obj in session.deleted:
        if hasattr(obj, '__audit__') and obj.__audit__:
            log = AuditLog(
                table_name=obj.__tablename__,
                record_id=str(obj.id),
                action='DELETE',
                old_values=obj.to_dict()
            )
            session.add(log)

# An audited model: every change to a user is logged
class User(AuditMixin, BaseModel):
    __tablename__ = 'users'

    email: Mapped[str] = mapped_column(String(255), unique=True)
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Imported datetime and UTC, which changed_at's default used without importing them.",
        "Imported Session from sqlalchemy.orm: the listener was registered on it without importing it.",
        "Imported Base and BaseModel from the Base Model Pattern.",
        "Defined to_dict() (in an AuditMixin that also sets __audit__): the listener called it but no model defined it; datetimes become ISO strings so the JSON column can store them.",
        "The id of a new object is assigned before logging: UUIDMixin's default only runs during the flush, so record_id was the string 'None'.",
        "Audited updates (old and new values of changed columns) and deletes too: the original only handled inserts, though the model is built for UPDATE and DELETE and old_values.",
        "Removed the unused ForeignKey import.",
        "Added an example audited model, User (AuditMixin on BaseModel), so the page has a table to audit: the code only named it in AuditMixin's docstring.",
    ],
    starter_sql: r#"-- session.add(user): the INSERT, and the audit row before_flush adds in the same flush
INSERT INTO users (id, email, created_at, updated_at) VALUES
  ('00000000-0000-4000-8000-000000000001', 'ada@example.com', '2024-03-01 09:00:00+00', '2024-03-01 09:00:00+00');
INSERT INTO audit_logs (table_name, record_id, action, new_values, changed_by, changed_at) VALUES
  ('users', '00000000-0000-4000-8000-000000000001', 'INSERT',
   '{"email": "ada@example.com", "id": "00000000-0000-4000-8000-000000000001"}', 'admin', '2024-03-01 09:00:00+00');
-- user.email = ...: the UPDATE, logged with the old and new value of the changed column
UPDATE users SET email = 'ada@example.org', updated_at = '2024-03-02 10:00:00+00'
WHERE id = '00000000-0000-4000-8000-000000000001';
INSERT INTO audit_logs (table_name, record_id, action, old_values, new_values, changed_by, changed_at) VALUES
  ('users', '00000000-0000-4000-8000-000000000001', 'UPDATE',
   '{"email": "ada@example.com"}', '{"email": "ada@example.org"}', 'admin', '2024-03-02 10:00:00+00');
-- session.delete(user): the DELETE, logged with the row's last values
DELETE FROM users WHERE id = '00000000-0000-4000-8000-000000000001';
INSERT INTO audit_logs (table_name, record_id, action, old_values, changed_by, changed_at) VALUES
  ('users', '00000000-0000-4000-8000-000000000001', 'DELETE',
   '{"email": "ada@example.org", "id": "00000000-0000-4000-8000-000000000001"}', 'admin', '2024-03-03 11:00:00+00');
-- The row is gone, its full history is not (audit_logs.id is SERIAL: 1, 2, 3)
SELECT COUNT(*) AS users_left FROM users;
SELECT id, action, old_values, new_values, changed_at FROM audit_logs
WHERE table_name = 'users' AND record_id = '00000000-0000-4000-8000-000000000001'
ORDER BY id;
"#,
    live: false,
};
