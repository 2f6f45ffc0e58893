//! Connection Context Manager: summary, corrected reference code, notes on the
//! corrections, console script, and the lab: `get_session()` around units of work, run by
//! the ORM emulation ([`crate::orm::Session`]) on the page's database.
//!
//! Each action opens a new session (`AsyncSessionLocal()` with the knobs' `autoflush` and
//! `expire_on_commit`), adds a `User`, looks it up by email inside the block (where
//! autoflush decides whether the INSERT is sent first), then leaves the block: COMMIT on
//! success, ROLLBACK and re-raise on an exception. After a commit the lab reads
//! `user.email` outside the closed session, which `expire_on_commit=True` breaks.
//!
//! Knobs: `autoflush` (toggle, off as in the reference), `expire-on-commit` (toggle, off as
//! in the reference). Actions: `create-user` (primary: the happy path), `fail-inside` (the
//! block raises ValueError after the lookup), `duplicate-email` (an IntegrityError from the
//! engine's UNIQUE constraint), `reset`.
//! Blocks: `outcome`; `emulation` (Note, Info: expire_on_commit); `body` (Code: the Python
//! the action ran); `unit` (Metrics: `users-before`, `users-after`, `lookup-found`,
//! `returned-email`, `statements`); `users` (Table: committed rows); `echo` (Table:
//! SQLAlchemy's echo of the last unit of work: statement, parameters); `statements` (the
//! engine's statements of the last unit of work).

use crate::catalogue::{CodeLanguage, Pattern, Section};
use crate::engine::{Database, LogEntry, Snapshot};
use crate::lab::{
    ActionSpec, Block, Cell, CellStatus, KnobKind, KnobSpec, KnobValues, Lab, LabRun, LabView,
    Metric, NoteKind, TableBlock,
};
use crate::model::ir::ModelIr;
use crate::orm::{Echo, OrmError, Select, Session, Value};

pub const PATTERN: Pattern = Pattern {
    slug: "session-context",
    title: "Connection Context Manager",
    section: Section::ConnectionPooling,
    summary: "A session that is not committed, rolled back and closed on every path leaks connections and leaves failed work half-applied. An async context manager yields the session, commits when the block succeeds, rolls back and re-raises when it fails, and always closes it.",
    reference_code: r#"from contextlib import asynccontextmanager

from .database import AsyncSessionLocal  # the Pool Configuration pattern
from .models import User

@asynccontextmanager
async def get_session():
    session = AsyncSessionLocal()
    try:
        yield session
        await session.commit()
    except Exception:
        await session.rollback()
        raise
    finally:
        await session.close()

# Usage
async def create_user(user_data: dict):
    async with get_session() as session:
        user = User(**user_data)
        session.add(user)
        # Auto-commits on exit
        return user  # still readable after close: expire_on_commit=False
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Imported AsyncSessionLocal (from the Pool Configuration pattern) and User, which were used without importing them.",
    ],
    starter_sql: r#"-- The lab's table: users (ada@example.com committed by the seed)
-- A unit of work, as get_session() sends it: BEGIN, the INSERT, COMMIT
BEGIN;
INSERT INTO users (id, email) VALUES (100, 'bob@example.com');
COMMIT;
-- A failed unit of work: ROLLBACK, and the data is as before
BEGIN;
INSERT INTO users (id, email) VALUES (101, 'cy@example.com');
ROLLBACK;
SELECT id, email FROM users ORDER BY id;
"#,
    live: true,
};

static KNOBS: [KnobSpec; 2] = [
    KnobSpec {
        id: "autoflush",
        label: "autoflush",
        kind: KnobKind::Toggle,
        default: "0",
        help: "On: the session sends pending INSERTs before each query, so the lookup inside the block finds the new user.",
    },
    KnobSpec {
        id: "expire-on-commit",
        label: "expire_on_commit",
        kind: KnobKind::Toggle,
        default: "0",
        help: "On: COMMIT expires the objects' attributes, and reading one after the session closed raises DetachedInstanceError.",
    },
];

const EXPIRE_NOTE: &str = "expire_on_commit is emulated in this lab: our ORM session keeps attribute values after COMMIT, so the lab marks them expired at COMMIT when the knob is on, and reading one after the session closed raises what SQLAlchemy raises.";

pub static LAB: Lab = Lab {
    knobs: &KNOBS,
    note: Some(EXPIRE_NOTE),
    start,
};

/// The model the lab's sessions map.
const MODEL: &str = r#"from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

class Base(DeclarativeBase):
    pass

class User(Base):
    __tablename__ = 'users'
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
"#;

/// SQLAlchemy's message for reading an expired attribute of a detached object.
const DETACHED: &str = "sqlalchemy.orm.exc.DetachedInstanceError: Instance <User at 0x...> is not bound to a Session; attribute refresh operation cannot proceed (Background on this error at: https://sqlalche.me/e/20/bhk3)";

/// How a unit of work ends.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    HappyPath,
    RaiseInside,
    DuplicateEmail,
}

impl Unit {
    fn of(id: &str) -> Option<Unit> {
        match id {
            "create-user" => Some(Unit::HappyPath),
            "fail-inside" => Some(Unit::RaiseInside),
            "duplicate-email" => Some(Unit::DuplicateEmail),
            _ => None,
        }
    }

    fn body(self, id: i64, email: &str) -> String {
        let raise = match self {
            Unit::RaiseInside => "\n    raise ValueError('quota exceeded')",
            _ => "",
        };
        [
            "async with get_session() as session:".to_string(),
            format!("    user = User(id={id}, email='{email}')"),
            "    session.add(user)".to_string(),
            "    # autoflush=True sends the INSERT before this query".to_string(),
            "    found = (await session.scalars(".to_string(),
            "        select(User).where(User.email == user.email)".to_string(),
            format!("    )).all(){raise}"),
            "print(user.email)  # after the block: the session is closed".to_string(),
        ]
        .join("\n")
    }
}

fn start(knobs: &KnobValues, db: &mut Database) -> Result<Box<dyn LabRun>, String> {
    let parsed = crate::model::parse(MODEL);
    if parsed.has_errors() {
        return Err("the lab's User model does not parse".into());
    }
    let ir = parsed.ir;
    let mut session = Session::new(&ir).map_err(|e| e.to_string())?;
    session.create_all(db, &ir).map_err(|e| e.to_string())?;
    db.execute("INSERT INTO users (id, email) VALUES (1, 'ada@example.com')")
        .map_err(|e| e.message)?;
    Ok(Box::new(SessionLab {
        ir,
        autoflush: knobs.on("autoflush"),
        expire_on_commit: knobs.on("expire-on-commit"),
        seed: db.snapshot(),
        next_id: 2,
        last: None,
    }))
}

struct SessionLab {
    ir: ModelIr,
    autoflush: bool,
    expire_on_commit: bool,
    seed: Snapshot,
    /// The id the next new user gets.
    next_id: i64,
    last: Option<LastUnit>,
}

/// What the last unit of work did.
struct LastUnit {
    text: String,
    error: Option<String>,
    body: String,
    echo: Vec<Echo>,
    statements: Vec<LogEntry>,
    users_before: usize,
    users_after: usize,
    lookup_found: Option<usize>,
    /// `user.email` read after the block, or the error reading it raised.
    returned: Option<Result<String, String>>,
}

impl SessionLab {
    /// `async with get_session() as session: ...` for one unit of work.
    fn run_unit(&mut self, db: &mut Database, unit: Unit) -> Result<(), String> {
        let users_before = db.row_count("users").unwrap_or(0);
        let since = db.log().last_seq();
        let (id, email) = match unit {
            Unit::DuplicateEmail => (self.next_id, "ada@example.com".to_string()),
            _ => (self.next_id, format!("user{}@example.com", self.next_id)),
        };
        // session = AsyncSessionLocal()
        let mut session = Session::new(&self.ir).map_err(|e| e.to_string())?;
        session.autoflush = self.autoflush;
        // try: yield session (the block's body)
        let user = session
            .add_new(
                "User",
                &[("id", Value::Int(id)), ("email", email.clone().into())],
            )
            .map_err(|e| e.to_string())?;
        let lookup = session.execute(db, &Select::new("User").where_eq("email", email.clone()));
        let mut lookup_found = None;
        let outcome: Result<(), String> = match (lookup, unit) {
            (Err(e), _) => Err(integrity(&e)),
            (Ok(found), Unit::RaiseInside) => {
                lookup_found = Some(found.len());
                Err("ValueError: quota exceeded".into())
            }
            (Ok(found), _) => {
                lookup_found = Some(found.len());
                // await session.commit()
                session.commit(db).map_err(|e| integrity(&e))
            }
        };
        let (text, error, returned) = match outcome {
            Ok(()) => {
                self.next_id += 1;
                // finally: await session.close(); then the caller reads user.email.
                let returned = if self.expire_on_commit {
                    Err(DETACHED.to_string())
                } else {
                    Ok(session
                        .value(user, "email")
                        .map(|v| v.python_repr())
                        .unwrap_or_default())
                };
                let text = match &returned {
                    Ok(_) => "The block succeeded: get_session() committed, and the returned user is still readable after the session closed (expire_on_commit=False).",
                    Err(_) => "The block succeeded: get_session() committed; but COMMIT expired the user, and reading user.email after the session closed fails (expire_on_commit=True).",
                };
                (text.to_string(), None, Some(returned))
            }
            Err(raised) => {
                // except Exception: await session.rollback(); raise
                session.rollback(db).map_err(|e| e.to_string())?;
                let text = "The block raised: get_session() rolled back and re-raised; the users table is as before.";
                (text.to_string(), Some(raised), None)
            }
        };
        self.last = Some(LastUnit {
            text,
            error,
            body: unit.body(id, &email),
            echo: session.echo().to_vec(),
            statements: db.log().since(since).to_vec(),
            users_before,
            users_after: db.row_count("users").unwrap_or(0),
            lookup_found,
            returned,
        });
        Ok(())
    }
}

/// The error an engine failure surfaces as in SQLAlchemy (IntegrityError for constraints).
fn integrity(error: &OrmError) -> String {
    match error {
        OrmError::Engine { message, .. } if message.contains("duplicate key") => {
            format!("sqlalchemy.exc.IntegrityError: {message}")
        }
        other => other.to_string(),
    }
}

impl LabRun for SessionLab {
    fn actions(&self) -> Vec<ActionSpec> {
        vec![
            ActionSpec::new("create-user", "create_user(): the block succeeds").primary(),
            ActionSpec::new("fail-inside", "The block raises"),
            ActionSpec::new("duplicate-email", "A duplicate email (IntegrityError)"),
            ActionSpec::new("reset", "Reset"),
        ]
    }

    fn apply(&mut self, db: &mut Database, id: &str) -> Result<(), String> {
        if id == "reset" {
            db.restore(&self.seed);
            self.next_id = 2;
            self.last = None;
            return Ok(());
        }
        let unit = Unit::of(id).ok_or_else(|| format!("unknown action '{id}'"))?;
        self.run_unit(db, unit)
    }

    fn view(&self, db: &mut Database) -> LabView {
        let mut view = LabView::default();
        let Some(last) = &self.last else {
            view.push(Block::outcome(
                "outcome",
                "Run a unit of work through get_session().",
                None,
            ));
            view.push(Block::note("emulation", NoteKind::Info, EXPIRE_NOTE));
            view.push(Block::Table(users_table(db)));
            return view;
        };
        view.push(Block::outcome(
            "outcome",
            last.text.clone(),
            last.error.clone(),
        ));
        view.push(Block::note("emulation", NoteKind::Info, EXPIRE_NOTE));
        view.push(Block::Code {
            id: "body".into(),
            title: "The unit of work".into(),
            language: "python",
            text: last.body.clone(),
        });
        let returned = match &last.returned {
            Some(Ok(email)) => Metric::new(
                "returned-email",
                "user.email after the block",
                email.clone(),
            )
            .with_status(CellStatus::Ok),
            Some(Err(_)) => Metric::new(
                "returned-email",
                "user.email after the block",
                "DetachedInstanceError",
            )
            .with_status(CellStatus::Bad),
            None => Metric::new("returned-email", "user.email after the block", "(raised)"),
        };
        view.push(Block::Metrics {
            id: "unit".into(),
            title: "The last unit of work".into(),
            items: vec![
                Metric::new(
                    "users-before",
                    "users before",
                    last.users_before.to_string(),
                ),
                Metric::new("users-after", "users after", last.users_after.to_string()),
                Metric::new(
                    "lookup-found",
                    "rows the lookup found",
                    last.lookup_found
                        .map_or_else(|| "(failed)".to_string(), |n| n.to_string()),
                ),
                returned,
                Metric::new(
                    "statements",
                    "statements",
                    last.statements.len().to_string(),
                ),
            ],
        });
        view.push(Block::Table(users_table(db)));
        view.push(Block::Table(TableBlock {
            id: "echo".into(),
            title: "echo=True".into(),
            columns: vec!["statement".into(), "parameters".into()],
            rows: last
                .echo
                .iter()
                .map(|e| vec![Cell::plain(e.sql.clone()), Cell::plain(e.params_text())])
                .collect(),
            omitted: 0,
        }));
        view.push(Block::statements(
            "statements",
            "Statements of the last unit of work",
            &last.statements,
            50,
        ));
        view
    }
}

fn users_table(db: &Database) -> TableBlock {
    crate::tx_lab::read_table(
        db,
        "users",
        "users (committed)",
        "SELECT id, email FROM users ORDER BY id",
    )
}
