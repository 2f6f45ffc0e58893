//! The PostgreSQL front: runs behind [`Database::execute`](crate::engine::Database::execute)
//! so the console, the ORM emulation and the UI get PostgreSQL's behaviour from the same
//! call.
//!
//! It parses with GlueSQL's own sqlparser (PostgreSqlDialect) and, before GlueSQL sees a
//! statement:
//! - CREATE TABLE / CREATE TYPE ... AS ENUM: PostgreSQL types mapped onto GlueSQL's
//!   (`types`), constraints recorded in a catalog kept inside the engine's snapshotted state
//!   (`catalog`, `create`);
//! - CREATE [UNIQUE] INDEX on several columns, expressions, with WHERE (`index`);
//! - ALTER TABLE as Alembic writes it (`alter`);
//! - expressions: `gen_random_uuid()`, `DATE(x)`, PostgreSQL casts, row values, integer and
//!   float arithmetic (`rewrite`); RETURNING (`returning`).
//!
//! While a statement writes, the storage checks each row (`constraints`: types, NOT NULL,
//! CHECK, UNIQUE) and, at the end of the statement, foreign keys with their actions
//! (`foreign`). Errors carry PostgreSQL's wording and the constraint's name (`errors`).

pub(crate) mod alter;
pub(crate) mod assign;
pub mod catalog;
pub(crate) mod clock;
pub(crate) mod constraints;
pub(crate) mod create;
pub(crate) mod cte;
pub mod differences;
pub(crate) mod distinct_on;
pub mod errors;
pub(crate) mod fold;
pub(crate) mod foreign;
mod front;
mod grouping;
mod index;
pub(crate) mod join_dml;
pub(crate) mod join_using;
pub(crate) mod json;
pub(crate) mod json_value;
pub(crate) mod key_update;
pub(crate) mod logic;
pub(crate) mod lone_call;
pub mod names;
pub(crate) mod nested_join;
pub mod output;
pub(crate) mod query_shape;
pub(crate) mod returning;
pub(crate) mod rewrite;
pub(crate) mod rounding;
pub(crate) mod row_count;
pub(crate) mod set_ops;
pub(crate) mod setval;
pub(crate) mod sleep;
pub(crate) mod syntax;
pub(crate) mod text_bytes;
pub mod types;
pub(crate) mod typing;
pub(crate) mod upsert;
pub(crate) mod window;

pub use catalog::{ConstraintAction, ConstraintInfo, FkAction};
pub use gluesql::core::translate::{IntoParamLiteral, ParamLiteral};
pub use types::PgType;
