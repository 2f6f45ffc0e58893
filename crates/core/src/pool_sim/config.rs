//! What a simulation runs: the pool's settings (SQLAlchemy's `create_async_engine`
//! arguments) and the workload. Times are in microseconds of virtual time.

/// `QueuePool` settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PoolConfig {
    pub pool_size: usize,
    pub max_overflow: usize,
    pub pool_timeout_us: u64,
    /// Connections older than this are closed and reopened at checkout.
    pub pool_recycle_us: u64,
    /// Check each connection with a ping at checkout, reconnecting a dead one.
    pub pre_ping: bool,
}

/// Clients sending requests, each holding one connection for one query.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Workload {
    /// Concurrent clients, each sending a request, waiting for its answer (or its error),
    /// pausing, and sending the next (a closed loop, like a load tester's users).
    pub concurrency: usize,
    /// The offered rate: each client pauses for an exponential time with mean
    /// `concurrency / rps` seconds between requests.
    pub rps: f64,
    /// How long a request holds its connection (its query).
    pub query_us: u64,
    /// How long a ping (`SELECT 1`) takes, for pre_ping.
    pub ping_us: u64,
    /// How long opening a connection takes.
    pub connect_us: u64,
    /// Virtual time simulated.
    pub duration_us: u64,
    /// A database restart at this instant: open connections die, queries in flight fail.
    pub restart_at_us: Option<u64>,
    pub seed: u64,
}

pub const US_PER_MS: u64 = 1_000;
pub const US_PER_S: u64 = 1_000_000;
