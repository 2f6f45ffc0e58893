//! A discrete-event simulation of SQLAlchemy's connection pool (`QueuePool`, as
//! `create_async_engine` configures it) under a workload of concurrent clients, for the
//! pool-configuration page. Deterministic for a given seed ([`crate::rng::SplitMix64`], no
//! clock): a permalink reproduces the same timeline. The query times it uses come from
//! the caller (the page measures real statements on the engine).
//!
//! Modules: `config` (pool settings and workload), `sim` (the event
//! loop), `stats` (headline numbers, the bounded timeline).

pub mod config;
pub mod sim;
pub mod stats;

pub use config::{PoolConfig, Workload, US_PER_MS, US_PER_S};
pub use sim::{simulate, Outcome, Request, SimResult, SpanKind, SpanRecord};
pub use stats::{compact, stats, Stats};

/// SQLAlchemy's message for a checkout that waited `pool_timeout` in vain.
pub fn timeout_message(pool: &PoolConfig) -> String {
    format!(
        "QueuePool limit of size {} overflow {} reached, connection timed out, timeout {:.2}",
        pool.pool_size,
        pool.max_overflow,
        pool.pool_timeout_us as f64 / US_PER_S as f64
    )
}
