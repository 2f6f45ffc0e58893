//! Domain core of sqlpatterns: everything below the UI, in plain Rust.
//!
//! - [`engine`]: the database (GlueSQL) and the [`engine::StatementLog`], the single
//!   source of every number the UI shows.
//! - [`console`]: the SQL console's logic (statement splitting, result conversion,
//!   running a script statement by statement).
//! - [`catalogue`] and [`patterns`]: the 25 patterns of the reference, one module each.
//! - [`highlight`]: tokenizers for SQL and Python used by the editors.
//! - [`route`]: the URL-fragment routes of the app.
//! - [`share`]: permalinks (versioned, compressed page state) and embed options.
//! - [`model`]: SQLAlchemy declarative models parsed into an IR, DDL and an ER diagram;
//!   [`model_editor`]: one build of an edited model (diagnostics, DDL, diagram, database).
//! - [`orm`]: SQLAlchemy 2.0 Session emulation; [`loader_demo`]: loader strategies, live.
//! - [`query_lab`]: the query lab's data set and run measurements (eager loading,
//!   selected columns, batch writes, caching).
//! - [`dialect`]: the PostgreSQL front behind `Database::execute`.
//! - [`demo`]: the shape of a live pattern page (seed, named steps, comparisons);
//!   [`lab`]: the shape of a lab page (knobs, actions, generic view blocks).
//! - [`migration`]: the migration stepper (phases, app versions' live traffic, lint,
//!   schema diff) behind the migration pattern pages.
//! - [`index_lab`]: seeds and measurements shared by the pagination and index labs.
//! - [`pool_sim`]: the discrete-event simulation of SQLAlchemy's connection pool.
//! - [`tx_lab`]: statement groups, trails and log-free table reads of the transaction labs.
//! - [`rng`]: SplitMix64, the one seeded generator (seed data, simulations, UUIDs).
//!
//! Nothing here depends on Leptos or web-sys; it is tested natively with `cargo test`.

/// Every allocation is counted, for the engine's memory budget (`engine::memory`).
#[global_allocator]
static ALLOCATOR: engine::memory::CountingAllocator = engine::memory::CountingAllocator;

pub mod catalogue;
pub mod console;
pub mod demo;
pub mod dialect;
pub mod engine;
pub mod export;
pub mod highlight;
pub mod index_lab;
pub mod lab;
pub mod loader_demo;
pub mod migration;
pub mod model;
pub mod model_editor;
pub mod orm;
pub mod patterns;
pub mod pool_sim;
pub mod query_lab;
pub mod replay;
pub mod rng;
pub mod route;
pub mod share;
pub mod tx_lab;
