//! Audit Trail Pattern: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};
use crate::demo::{Comparison, ComparisonOutcome, Demo, DemoContext, Step, StepOutcome};
use crate::model::ir::ClassKind;
use crate::orm::{FlushSets, ObjId, Select, Session, Value};

use super::live::{add, count, exec, guard, line, rows, text, R};

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
-- (audit_logs.id is SERIAL; this page's seed already logged rows 1 and 2: ids given here)
INSERT INTO audit_logs (id, table_name, record_id, action, new_values, changed_by, changed_at) VALUES
  (101, 'users', '00000000-0000-4000-8000-000000000001', 'INSERT',
   '{"email": "ada@example.com", "id": "00000000-0000-4000-8000-000000000001"}', 'admin', '2024-03-01 09:00:00+00');
-- user.email = ...: the UPDATE, logged with the old and new value of the changed column
UPDATE users SET email = 'ada@example.org', updated_at = '2024-03-02 10:00:00+00'
WHERE id = '00000000-0000-4000-8000-000000000001';
INSERT INTO audit_logs (id, table_name, record_id, action, old_values, new_values, changed_by, changed_at) VALUES
  (102, 'users', '00000000-0000-4000-8000-000000000001', 'UPDATE',
   '{"email": "ada@example.com"}', '{"email": "ada@example.org"}', 'admin', '2024-03-02 10:00:00+00');
-- session.delete(user): the DELETE, logged with the row's last values
DELETE FROM users WHERE id = '00000000-0000-4000-8000-000000000001';
INSERT INTO audit_logs (id, table_name, record_id, action, old_values, changed_by, changed_at) VALUES
  (103, 'users', '00000000-0000-4000-8000-000000000001', 'DELETE',
   '{"email": "ada@example.org", "id": "00000000-0000-4000-8000-000000000001"}', 'admin', '2024-03-03 11:00:00+00');
-- The row is gone, its full history is not
SELECT COUNT(*) AS users_left FROM users;
SELECT id, action, old_values, new_values, changed_at FROM audit_logs
WHERE table_name = 'users' AND record_id = '00000000-0000-4000-8000-000000000001'
ORDER BY id;
"#,
    live: true,
};

/// The live page: the before_flush hook writes an audit_logs row for every insert, update
/// and delete of an audited model; a per-record history; a bulk UPDATE leaves no trace.
pub static DEMO: Demo = Demo {
    seed,
    steps: &[
        Step {
            id: "register",
            label: "Register Eve",
            run: register,
        },
        Step {
            id: "change-email",
            label: "Change Eve's email",
            run: change_email,
        },
        Step {
            id: "history",
            label: "Eve's history",
            run: history,
        },
        Step {
            id: "bulk-update",
            label: "Bulk UPDATE (bypasses the hook)",
            run: bulk_update,
        },
        Step {
            id: "delete-user",
            label: "Delete Eve",
            run: delete_user,
        },
    ],
    tables: &["users", "audit_logs"],
    engine_note: None,
    comparisons: &[Comparison {
        title: "Changing a user through the session vs a bulk UPDATE",
        run: compare_bulk,
    }],
};

const EVE: &str = "eve@example.com";
const EVE_NEW: &str = "eve.adams@example.com";

fn json(value: Option<&Value>) -> serde_json::Value {
    match value {
        None | Some(Value::Null) => serde_json::Value::Null,
        Some(Value::Bool(b)) => (*b).into(),
        Some(Value::Int(i)) => (*i).into(),
        Some(Value::Float(f)) => {
            serde_json::Number::from_f64(*f).map_or(serde_json::Value::Null, Into::into)
        }
        Some(Value::Json(t)) => serde_json::from_str(t).unwrap_or_else(|_| t.clone().into()),
        Some(Value::Str(t) | Value::Timestamp(t)) => t.clone().into(),
    }
}

/// `obj.to_dict()`: every column attribute (None where not set yet).
fn to_dict(session: &Session, id: ObjId) -> (String, serde_json::Value) {
    let instance = session.instance(id);
    let mut map = serde_json::Map::new();
    let mut table = String::new();
    if let Some(mapper) = session
        .registry()
        .mappers
        .iter()
        .find(|m| m.class == instance.class)
    {
        table = mapper.table.clone();
        for column in &mapper.columns {
            map.insert(
                column.attribute.clone(),
                json(instance.values.get(&column.name)),
            );
        }
    }
    (table, serde_json::Value::Object(map))
}

fn log(
    session: &mut Session,
    table: &str,
    record: String,
    action: &str,
    old: Option<serde_json::Value>,
    new: Option<serde_json::Value>,
) {
    let mut values = vec![
        ("table_name", Value::from(table)),
        ("record_id", Value::from(record)),
        ("action", Value::from(action)),
    ];
    if let Some(old) = old {
        values.push(("old_values", Value::Json(old.to_string())));
    }
    if let Some(new) = new {
        values.push(("new_values", Value::Json(new.to_string())));
    }
    let _ = session.add_new("AuditLog", &values);
}

/// `audit_changes`: the reference's before_flush listener, for the classes with AuditMixin.
fn audit_hook(audited: Vec<String>) -> impl FnMut(&mut Session, &FlushSets) + 'static {
    move |session, sets| {
        let is_audited = |s: &Session, id: ObjId| audited.contains(&s.instance(id).class);
        for &id in &sets.new {
            if !is_audited(session, id) {
                continue;
            }
            if session.value(id, "id").is_none_or(Value::is_null) {
                let uuid = session.uuids.next_uuid();
                let _ = session.set(id, "id", Value::from(uuid));
            }
            let (table, new) = to_dict(session, id);
            let record = text(session.value(id, "id"));
            log(session, &table, record, "INSERT", None, Some(new));
        }
        for &id in &sets.dirty {
            if !is_audited(session, id) {
                continue;
            }
            let instance = session.instance(id);
            let mut old = serde_json::Map::new();
            let mut new = serde_json::Map::new();
            if let Some(mapper) = session
                .registry()
                .mappers
                .iter()
                .find(|m| m.class == instance.class)
            {
                for column in &mapper.columns {
                    let now = instance.values.get(&column.name);
                    let before = instance.committed.get(&column.name);
                    if now.is_some() && now != before {
                        old.insert(column.attribute.clone(), json(before));
                        new.insert(column.attribute.clone(), json(now));
                    }
                }
            }
            if new.is_empty() {
                continue;
            }
            let table = to_dict(session, id).0;
            let record = text(session.value(id, "id"));
            log(
                session,
                &table,
                record,
                "UPDATE",
                Some(old.into()),
                Some(new.into()),
            );
        }
        for &id in &sets.deleted {
            if !is_audited(session, id) {
                continue;
            }
            let (table, old) = to_dict(session, id);
            let record = text(session.value(id, "id"));
            log(session, &table, record, "DELETE", Some(old), None);
        }
    }
}

/// `session.commit()`, the session's stand-in for the audit_logs sequence first
/// re-read (the console may have inserted rows since).
fn commit(ctx: &mut DemoContext) -> R<()> {
    ctx.session.serials.remove("audit_logs");
    super::live::commit(ctx.session, ctx.db)
}

fn seed(ctx: &mut DemoContext) -> Result<(), String> {
    let audited: Vec<String> = ctx
        .ir
        .classes
        .iter()
        .filter(|c| c.kind == ClassKind::Mapped && c.bases.iter().any(|b| b == "AuditMixin"))
        .map(|c| c.name.clone())
        .collect();
    ctx.session.on_before_flush(audit_hook(audited));
    for email in ["ann@example.com", "ben@example.com"] {
        add(ctx, "User", &[("email", email)])?;
        ctx.session.clock.advance_seconds(60.0);
    }
    commit(ctx)
}

/// Eve, under her first or her changed email.
fn eve(ctx: &mut DemoContext) -> R<Option<ObjId>> {
    for email in [EVE, EVE_NEW] {
        let found = ctx
            .session
            .execute(ctx.db, &Select::new("User").where_eq("email", email))
            .map_err(|e| e.to_string())?;
        if let Some(id) = found.first() {
            return Ok(Some(*id));
        }
    }
    Ok(None)
}

const NO_EVE: &str = "Eve is not registered (any more): run 'Register Eve' first.";

fn register(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        if eve(ctx)?.is_some() {
            return Ok(StepOutcome::ok("Eve is already registered."));
        }
        ctx.session.clock.advance_seconds(600.0);
        add(ctx, "User", &[("email", EVE)])?;
        commit(ctx)?;
        Ok(StepOutcome::ok(
            "session.add(User(email=...)): before_flush saw the new user in session.new, gave it its id and added an AuditLog('INSERT', new_values=to_dict()); one flush wrote both rows.",
        ))
    })
}

fn change_email(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        let Some(id) = eve(ctx)? else {
            return Ok(StepOutcome::ok(NO_EVE));
        };
        let next = if text(ctx.session.value(id, "email")) == EVE {
            EVE_NEW
        } else {
            EVE
        };
        ctx.session.clock.advance_seconds(600.0);
        ctx.session
            .set(id, "email", Value::from(next))
            .map_err(|e| e.to_string())?;
        commit(ctx)?;
        Ok(StepOutcome::ok(format!(
            "user.email = '{next}': the hook read the attribute history (old and new value of each changed column) into an AuditLog('UPDATE') flushed with the UPDATE."
        )))
    })
}

/// "email: 'a' -> 'b'" for each key that differs.
fn diff(old: &serde_json::Value, new: &serde_json::Value) -> String {
    let empty = serde_json::Map::new();
    let old = old.as_object().unwrap_or(&empty);
    let new = new.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.iter()
        .filter(|k| old.get(**k) != new.get(**k))
        .map(|k| {
            let show = |v: Option<&serde_json::Value>| v.map_or("-".to_string(), |v| v.to_string());
            format!("{k}: {} -> {}", show(old.get(*k)), show(new.get(*k)))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn history(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        let record = match eve(ctx)? {
            Some(id) => text(ctx.session.value(id, "id")),
            None => {
                // After a delete, her history is still there: find it by the last INSERT.
                let found = rows(
                    ctx.db,
                    "SELECT record_id, new_values FROM audit_logs WHERE action = 'INSERT' ORDER BY id",
                )?;
                let found: Vec<&Vec<Value>> = found
                    .iter()
                    .filter(|r| text(r.get(1)).contains(EVE))
                    .collect();
                match found.first() {
                    Some(r) => text(r.first()),
                    None => return Ok(StepOutcome::ok(NO_EVE)),
                }
            }
        };
        let entries = rows(
            ctx.db,
            &format!("SELECT action, old_values, new_values FROM audit_logs WHERE table_name = 'users' AND record_id = '{record}' ORDER BY id"),
        )?;
        let parse = |v: Option<&Value>| match v {
            Some(Value::Null) | None => serde_json::Value::Null,
            Some(v) => serde_json::from_str(&text(Some(v))).unwrap_or(serde_json::Value::Null),
        };
        let lines: Vec<String> = entries
            .iter()
            .map(|r| {
                format!(
                    "{} ({})",
                    text(r.first()),
                    diff(&parse(r.get(1)), &parse(r.get(2)))
                )
            })
            .collect();
        Ok(StepOutcome::ok(format!(
            "Eve's history, {} audit row(s), oldest first: {}.",
            lines.len(),
            lines.join("; ")
        )))
    })
}

fn bulk_update(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        let before = count(ctx.db, "SELECT COUNT(*) FROM audit_logs")?;
        let changed = match exec(
            ctx.db,
            "UPDATE users SET updated_at = '2025-01-01 00:00:00+00'",
        )? {
            gluesql::core::executor::Payload::Update(n) => n,
            _ => 0,
        };
        let after = count(ctx.db, "SELECT COUNT(*) FROM audit_logs")?;
        Ok(StepOutcome::ok(format!(
            "session.execute(update(User).values(...)) is a bulk statement: no object is flushed, so before_flush never runs. {changed} user(s) changed, {} audit row(s) written: the known gap (audit in the database with a trigger if bulk writes must be covered).",
            after - before
        )))
    })
}

fn delete_user(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        let Some(id) = eve(ctx)? else {
            return Ok(StepOutcome::ok(NO_EVE));
        };
        ctx.session.clock.advance_seconds(600.0);
        ctx.session.delete(ctx.db, id).map_err(|e| e.to_string())?;
        commit(ctx)?;
        Ok(StepOutcome::ok(
            "session.delete(user): the hook logged AuditLog('DELETE', old_values=to_dict()) in the same flush, so the row's last state outlives it.",
        ))
    })
}

fn compare_bulk() -> ComparisonOutcome {
    let build = crate::model_editor::build(PATTERN.reference_code);
    let mut db = build.database;
    let mut with = Vec::new();
    let mut without = Vec::new();
    match Session::new(&build.ir) {
        Ok(mut session) => {
            let mut ctx = DemoContext {
                db: &mut db,
                ir: &build.ir,
                session: &mut session,
            };
            if let Err(e) = seed(&mut ctx) {
                with.push(format!("ERROR: {e}"));
            }
            let ann = ctx
                .session
                .execute(
                    ctx.db,
                    &Select::new("User").where_eq("email", "ann@example.com"),
                )
                .ok()
                .and_then(|f| f.first().copied());
            if let Some(ann) = ann {
                let _ = ctx
                    .session
                    .set(ann, "email", Value::from("ann.lee@example.com"));
                if let Err(e) = commit(&mut ctx) {
                    with.push(format!("ERROR: {e}"));
                }
            }
            with.push("user.email = 'ann.lee@example.com'; session.commit()".into());
            with.push(line(
                ctx.db,
                "SELECT action, new_values FROM audit_logs WHERE action = 'UPDATE'",
            ));
            without.push(line(
                ctx.db,
                "UPDATE users SET email = 'ben.ray@example.com' WHERE email = 'ben@example.com'",
            ));
            without.push(line(
                ctx.db,
                "SELECT COUNT(*) FROM audit_logs WHERE COALESCE(new_values, '') LIKE '%ben.ray%'",
            ));
        }
        Err(e) => with.push(e.to_string()),
    }
    ComparisonOutcome {
        with_pattern: with,
        without_pattern: without,
        verdict: "A change through the session is audited; the same change as a bulk or plain SQL UPDATE leaves no audit row.".into(),
    }
}
