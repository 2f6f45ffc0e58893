//! Base Model Pattern: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};
use crate::demo::{Comparison, ComparisonOutcome, Demo, DemoContext, Step, StepOutcome};
use crate::orm::{Session, Value};

use super::live::{add, commit, exec, guard, line, one, text};

pub const PATTERN: Pattern = Pattern {
    slug: "base-model",
    title: "Base Model Pattern",
    section: Section::ModelPatterns,
    summary: "Every table needs a primary key and creation and modification times, and repeating those columns in each model invites drift. An abstract BaseModel combines a UUID primary key mixin and a timestamp mixin, with Python-side and server-side defaults and an onupdate hook, so every model inherits the same columns.",
    reference_code: r#"from datetime import UTC, datetime
from uuid import uuid4

from sqlalchemy import DateTime, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

class Base(DeclarativeBase):
    pass

class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True),
        default=lambda: datetime.now(UTC),
        server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True),
        default=lambda: datetime.now(UTC),
        onupdate=lambda: datetime.now(UTC),
        server_default=func.now()
    )

class UUIDMixin:
    id: Mapped[str] = mapped_column(
        primary_key=True,
        default=lambda: str(uuid4())
    )

class BaseModel(Base, UUIDMixin, TimestampMixin):
    __abstract__ = True
"#,
    code_language: CodeLanguage::Python,
    fixes: &[],
    starter_sql: r#"-- BaseModel is abstract: create_all makes no table for it. This page puts a model on it,
-- class Note(BaseModel) with text = mapped_column(String(200)), whose table is:
--   CREATE TABLE notes (text VARCHAR(200) NOT NULL, id VARCHAR NOT NULL,
--     created_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL,
--     updated_at TIMESTAMP WITH TIME ZONE DEFAULT now() NOT NULL, PRIMARY KEY (id));
-- id's default (uuid4()) runs in Python: SQL gives it. The timestamps are fixed here;
-- left out, server_default=func.now() would fill them
INSERT INTO notes (id, text, created_at, updated_at) VALUES
  ('00000000-0000-4000-8000-000000000001', 'Buy milk', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00'),
  ('00000000-0000-4000-8000-000000000002', 'Call Bob', '2024-01-16 14:30:00+00', '2024-01-16 14:30:00+00');
-- onupdate runs in Python: the ORM's UPDATE also sets updated_at (plain SQL must do it itself)
UPDATE notes SET text = 'Buy oat milk', updated_at = '2024-02-01 10:00:00+00'
WHERE id = '00000000-0000-4000-8000-000000000001';
SELECT id, text, created_at, updated_at, updated_at > created_at AS edited
FROM notes ORDER BY id;
-- Every model on BaseModel has the same three columns
SELECT COUNT(*) AS notes, MIN(created_at) AS first_created, MAX(updated_at) AS last_updated
FROM notes;
"#,
    live: true,
};

/// The model the live page puts on BaseModel (abstract: it has no table of its own).
/// [`crate::demo::start`] appends it to the edited source, so edits to BaseModel show.
pub const NOTE_MODEL: &str = "
class Note(BaseModel):
    __tablename__ = 'notes'

    text: Mapped[str] = mapped_column(String(200))
";

/// The live page: a Note on BaseModel; the ORM fills the key and both timestamps, an
/// update moves updated_at only, and plain SQL gets neither Python-side default.
pub static DEMO: Demo = Demo {
    seed,
    steps: &[
        Step {
            id: "insert-note",
            label: "Insert a note",
            run: insert_note,
        },
        Step {
            id: "edit-note",
            label: "Edit the first note",
            run: edit_note,
        },
        Step {
            id: "sql-insert",
            label: "Plain SQL INSERT without an id",
            run: sql_insert,
        },
        Step {
            id: "sql-update",
            label: "Plain SQL UPDATE (no onupdate)",
            run: sql_update,
        },
    ],
    tables: &["notes"],
    engine_note: None,
    comparisons: &[Comparison {
        title: "Python-side default vs server_default",
        run: compare_defaults,
    }],
};

fn seed(ctx: &mut DemoContext) -> Result<(), String> {
    if ctx.session.registry().index_of("Note").is_err() {
        // Opened without `demo::start`: the Note model on the reference's BaseModel.
        let ir = crate::model::parse(&format!("{}{NOTE_MODEL}", PATTERN.reference_code)).ir;
        for sql in crate::model::ddl_statements(&ir) {
            exec(ctx.db, &sql)?;
        }
        *ctx.session = Session::new(&ir).map_err(|e| e.to_string())?;
    }
    add(ctx, "Note", &[("text", "Buy milk")])?;
    commit(ctx.session, ctx.db)
}

fn insert_note(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        ctx.session.clock.advance_seconds(600.0);
        let note = add(ctx, "Note", &[("text", "Call Bob")])?;
        commit(ctx.session, ctx.db)?;
        Ok(StepOutcome::ok(format!(
            "session.add(Note(text='Call Bob')): Python's defaults filled id = {} (uuid4()) and created_at = updated_at = {} before the flush, so the INSERT lists every column and server_default=func.now() is not used.",
            text(ctx.session.value(note, "id")),
            text(ctx.session.value(note, "created_at")),
        )))
    })
}

fn edit_note(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        let note = one(ctx, "Note", "text", "Buy milk")?;
        let before = text(ctx.session.value(note, "updated_at"));
        ctx.session.clock.advance_seconds(5400.0);
        ctx.session
            .set(note, "text", Value::from("Buy oat milk"))
            .map_err(|e| e.to_string())?;
        commit(ctx.session, ctx.db)?;
        Ok(StepOutcome::ok(format!(
            "note.text = 'Buy oat milk': onupdate moved updated_at from {before} to {} in the same UPDATE; created_at ({}) is not in the statement and stays.",
            text(ctx.session.value(note, "updated_at")),
            text(ctx.session.value(note, "created_at")),
        )))
    })
}

fn sql_insert(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        match exec(ctx.db, "INSERT INTO notes (text) VALUES ('Typed in psql')") {
        Ok(_) => Ok(StepOutcome::ok(
            "The row was stored: these models give the id a server-side default.",
        )),
        Err(e) => Ok(StepOutcome::failed(
            "default=lambda: str(uuid4()) runs in Python only: the table has no default for id, so plain SQL must supply the key (the timestamps would come from server_default=func.now()).",
            e,
        )),
    }
    })
}

fn sql_update(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        let sql = "UPDATE notes SET text = 'Buy milk and bread' WHERE text IN ('Buy milk', 'Buy oat milk')";
        exec(ctx.db, sql)?;
        let rows = super::live::rows(
            ctx.db,
            "SELECT created_at, updated_at FROM notes WHERE text = 'Buy milk and bread'",
        )?;
        let stamps = rows
            .first()
            .map(|r| format!(" (updated_at is still {})", text(r.get(1))))
            .unwrap_or_default();
        Ok(StepOutcome::ok(format!(
            "onupdate is Python-side too: a plain SQL UPDATE leaves updated_at alone{stamps}. Use server_onupdate with a trigger if other writers must move it."
        )))
    })
}

fn compare_defaults() -> ComparisonOutcome {
    let source = format!("{}{NOTE_MODEL}", PATTERN.reference_code);
    let build = crate::model_editor::build(&source);
    let mut orm_db = build.database;
    let mut with = Vec::new();
    match Session::new(&build.ir) {
        Ok(mut session) => {
            let seq = orm_db.log().last_seq();
            let added = session.add_new("Note", &[("text", Value::from("Via the ORM"))]);
            let result = added
                .map_err(|e| e.to_string())
                .and_then(|_| session.commit(&mut orm_db).map_err(|e| e.to_string()));
            with.extend(
                orm_db
                    .log()
                    .since(seq)
                    .iter()
                    .filter(|e| e.sql.starts_with("INSERT"))
                    .map(|e| e.sql.clone()),
            );
            if let Err(e) = result {
                with.push(format!("ERROR: {e}"));
            }
            with.push(line(
                &mut orm_db,
                "SELECT id, created_at, updated_at FROM notes",
            ));
        }
        Err(e) => with.push(e.to_string()),
    }
    let mut sql_db = crate::model_editor::build(&source).database;
    let without = vec![
        line(
            &mut sql_db,
            "INSERT INTO notes (id, text) VALUES ('n1', 'Via plain SQL')",
        ),
        line(&mut sql_db, "SELECT id, created_at, updated_at FROM notes"),
    ];
    ComparisonOutcome {
        with_pattern: with,
        without_pattern: without,
        verdict: "The ORM sends Python's values (the id and both timestamps); plain SQL must give the id itself and gets the timestamps from server_default=func.now(), the database's clock.".into(),
    }
}
