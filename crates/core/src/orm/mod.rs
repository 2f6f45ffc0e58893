//! An emulation of SQLAlchemy 2.0's ORM `Session` over a [`ModelIr`] and the engine.
//!
//! Objects are rows with attribute values ([`Instance`], addressed by [`ObjId`]) kept in
//! an identity map keyed by primary key. [`Session`] adds, flushes (unit-of-work order,
//! Python-side and server defaults, onupdate, cascades save-update / delete /
//! delete-orphan, passive_deletes), commits and rolls back, deletes and gets, runs the
//! `before_flush` hooks, and loads relationships with SQLAlchemy's loader strategies
//! (select, joined, selectin, subquery, raise, nested chains, load_only).
//!
//! Every statement is emitted as SQLAlchemy 2.0 would send it to PostgreSQL through
//! psycopg2 (`%(name)s` parameters) and kept, with its parameters, as an [`Echo`]
//! record (what `echo=True` prints); the engine runs it with the parameters inlined as
//! literals, so it lands in the engine's statement log too.
//!
//! Modules: `value` (attribute values), `clock` (seeded uuid4 and a virtual clock),
//! `mapper` (classes resolved from the IR), `options` (loader options), `sql` (statement
//! text), `session` (identity map, get, delete, attribute access), `load` (queries and
//! loader strategies), `flush` (the unit of work).

mod clock;
mod flush;
mod load;
mod mapper;
mod options;
mod session;
mod sql;
mod value;

pub use clock::{UuidGenerator, VirtualClock};
pub use mapper::{Cascade, Direction, Mapper, Registry, Strategy};
pub use options::{
    joinedload, lazyload, raiseload, selectinload, subqueryload, Criterion, Load, LoadStep, Select,
};
pub use session::{FlushSets, Instance, ObjId, ObjectState, Session};
pub use value::Value;

use serde::Serialize;

/// What went wrong in the emulation: SQLAlchemy's own messages where it has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrmError {
    /// The model cannot be mapped (unknown class, no join condition).
    Mapping(String),
    /// `sqlalchemy.exc.InvalidRequestError`, e.g. `'User.orders' is not available due to
    /// lazy='raise'`.
    InvalidRequest(String),
    /// A statement failed in the engine (the session is then to be rolled back).
    Engine { sql: String, message: String },
}

impl std::fmt::Display for OrmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OrmError::Mapping(m) => write!(f, "sqlalchemy.exc.ArgumentError: {m}"),
            OrmError::InvalidRequest(m) => write!(f, "sqlalchemy.exc.InvalidRequestError: {m}"),
            OrmError::Engine { message, .. } => write!(f, "{message}"),
        }
    }
}

impl std::error::Error for OrmError {}

/// The parameters of one echoed statement.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Params {
    None,
    /// One set, by name.
    One(Vec<(String, Value)>),
    /// An executemany: one set per row, one statement text.
    Many(Vec<Vec<(String, Value)>>),
}

/// One statement as SQLAlchemy's `echo=True` shows it, and what the engine ran for it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Echo {
    /// PostgreSQL text with psycopg2 `%(name)s` placeholders (`BEGIN (implicit)`,
    /// `COMMIT` and `ROLLBACK` as echo prints them).
    pub sql: String,
    pub params: Params,
    /// The statements the engine ran for it, parameters inlined (several for an
    /// executemany; none when the engine had already begun a transaction).
    pub executed: Vec<String>,
    /// Where the emulation knowingly differs from PostgreSQL here (e.g. RETURNING).
    pub note: Option<String>,
}

impl Echo {
    /// BEGIN / COMMIT / ROLLBACK: not counted as the ORM's statements.
    pub fn is_transaction_control(&self) -> bool {
        matches!(
            self.sql.as_str(),
            "BEGIN (implicit)" | "COMMIT" | "ROLLBACK"
        )
    }

    /// The statement with parameters as echo prints them on the next line.
    pub fn params_text(&self) -> String {
        fn set(p: &[(String, Value)]) -> String {
            let items: Vec<String> = p
                .iter()
                .map(|(k, v)| format!("'{k}': {}", v.python_repr()))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        match &self.params {
            Params::None => "{}".into(),
            Params::One(p) => set(p),
            Params::Many(many) => {
                let sets: Vec<String> = many.iter().map(|p| set(p)).collect();
                format!("[{}]", sets.join(", "))
            }
        }
    }
}
