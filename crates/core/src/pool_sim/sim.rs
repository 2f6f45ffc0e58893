//! The discrete-event simulation of SQLAlchemy's `QueuePool` under a workload.
//!
//! What it follows from SQLAlchemy 2.0: idle connections wait in a FIFO queue of at most
//! `pool_size`; a checkout takes one, or opens a new one while fewer than
//! `pool_size + max_overflow` are open, or waits up to `pool_timeout` for one to be
//! returned (then `TimeoutError`); a returned connection goes to the first waiter, else to
//! the queue, else (queue full: an overflow connection) is closed. At checkout, a
//! connection older than `pool_recycle` is reopened; with `pool_pre_ping` a `SELECT 1`
//! runs first and a dead connection is reopened. A disconnect error invalidates the whole
//! pool: every connection opened before it is reopened at its next checkout.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use super::config::{PoolConfig, Workload, US_PER_S};
use crate::rng::SplitMix64;

/// What became of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Served,
    /// `sqlalchemy.exc.TimeoutError` after `pool_timeout`.
    TimedOut,
    /// Its query ran on a connection the restart had killed (no pre_ping).
    DeadConnection,
    /// Its query was running when the database restarted.
    KilledInFlight,
    /// Still waiting or running when the simulated time ended.
    Unfinished,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub client: usize,
    pub arrived_us: u64,
    /// When the pool gave it a connection.
    pub checkout_us: Option<u64>,
    pub ended_us: Option<u64>,
    pub outcome: Outcome,
}

impl Request {
    /// How long it waited for the pool (until checkout, or until it gave up).
    pub fn wait_us(&self) -> Option<u64> {
        match (self.checkout_us, &self.outcome, self.ended_us) {
            (Some(at), _, _) => Some(at - self.arrived_us),
            (None, Outcome::TimedOut, Some(end)) => Some(end - self.arrived_us),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpanKind {
    InUse,
    Overflow,
    Idle,
    Recycled,
}

impl SpanKind {
    /// The timeline's `kind` (the UI's class and `data-kind`).
    pub fn as_str(self) -> &'static str {
        match self {
            SpanKind::InUse => "in-use",
            SpanKind::Overflow => "overflow",
            SpanKind::Idle => "idle",
            SpanKind::Recycled => "recycled",
        }
    }
}

/// A stretch of time on one lane (a connection slot).
#[derive(Clone, Debug, PartialEq)]
pub struct SpanRecord {
    pub lane: usize,
    pub start_us: u64,
    pub end_us: u64,
    pub kind: SpanKind,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SimResult {
    pub requests: Vec<Request>,
    pub spans: Vec<SpanRecord>,
    pub lanes: usize,
    /// The most overflow connections open at once.
    pub overflow_peak: usize,
    pub duration_us: u64,
    pub restart_at_us: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Arrive { client: usize },
    Done { conn: usize, request: usize },
    Timeout { request: usize },
    Restart,
}

struct Conn {
    lane: usize,
    /// When it was (re)opened: a restart kills connections opened before it.
    opened_us: u64,
    overflow: bool,
    busy: Option<usize>,
    /// Start of the current use or idle stretch.
    since_us: u64,
}

struct Sim {
    pool: PoolConfig,
    load: Workload,
    rng: SplitMix64,
    events: BinaryHeap<Reverse<(u64, u64, Event)>>,
    seq: u64,
    /// Never reused ids; None once closed.
    conns: Vec<Option<Conn>>,
    idle: VecDeque<usize>,
    waiters: VecDeque<usize>,
    lanes_busy: Vec<bool>,
    open: usize,
    invalidated_at: Option<u64>,
    restarted: bool,
    result: SimResult,
}

/// Runs the simulation: the same inputs (seed included) give the same result.
pub fn simulate(pool: PoolConfig, load: Workload) -> SimResult {
    let mut sim = Sim {
        pool,
        load,
        rng: SplitMix64::new(load.seed),
        events: BinaryHeap::new(),
        seq: 0,
        conns: Vec::new(),
        idle: VecDeque::new(),
        waiters: VecDeque::new(),
        lanes_busy: Vec::new(),
        open: 0,
        invalidated_at: None,
        restarted: false,
        result: SimResult {
            requests: Vec::new(),
            spans: Vec::new(),
            lanes: 0,
            overflow_peak: 0,
            duration_us: load.duration_us,
            restart_at_us: load.restart_at_us.filter(|&t| t < load.duration_us),
        },
    };
    for client in 0..load.concurrency {
        sim.next_request(client, 0);
    }
    if let Some(at) = sim.result.restart_at_us {
        sim.schedule(at, Event::Restart);
    }
    while let Some(Reverse((now, _, event))) = sim.events.pop() {
        if now > load.duration_us {
            break;
        }
        match event {
            Event::Arrive { client } => sim.arrive(client, now),
            Event::Done { conn, request } => sim.done(conn, request, now),
            Event::Timeout { request } => sim.timeout(request, now),
            Event::Restart => sim.restart(now),
        }
    }
    sim.finish()
}

impl Sim {
    fn schedule(&mut self, at: u64, event: Event) {
        self.seq += 1;
        self.events.push(Reverse((at, self.seq, event)));
    }

    /// The client's next request, after a pause keeping its share of the offered rate.
    fn next_request(&mut self, client: usize, now: u64) {
        let mean_s = self.load.concurrency as f64 / self.load.rps.max(0.001);
        let pause = (self.rng.exponential(mean_s) * US_PER_S as f64) as u64;
        let at = now + pause.max(1);
        if at < self.load.duration_us {
            self.schedule(at, Event::Arrive { client });
        }
    }

    fn arrive(&mut self, client: usize, now: u64) {
        let request = self.result.requests.len();
        self.result.requests.push(Request {
            client,
            arrived_us: now,
            checkout_us: None,
            ended_us: None,
            outcome: Outcome::Unfinished,
        });
        if let Some(conn) = self.idle.pop_front() {
            self.end_idle(conn, now);
            self.start_use(conn, request, now);
        } else if self.open < self.pool.pool_size + self.pool.max_overflow {
            let conn = self.open_conn(now);
            let ready = now + self.load.connect_us;
            self.begin_query(conn, request, now, ready);
        } else {
            self.waiters.push_back(request);
            self.schedule(now + self.pool.pool_timeout_us, Event::Timeout { request });
        }
    }

    fn open_conn(&mut self, now: u64) -> usize {
        let lane = match self.lanes_busy.iter().position(|busy| !busy) {
            Some(lane) => lane,
            None => {
                self.lanes_busy.push(false);
                self.lanes_busy.len() - 1
            }
        };
        self.lanes_busy[lane] = true;
        let overflow = self.open >= self.pool.pool_size;
        self.open += 1;
        self.result.overflow_peak = self
            .result
            .overflow_peak
            .max(self.open.saturating_sub(self.pool.pool_size));
        self.conns.push(Some(Conn {
            lane,
            opened_us: now,
            overflow,
            busy: None,
            since_us: now,
        }));
        self.conns.len() - 1
    }

    fn close(&mut self, conn: usize) {
        if let Some(c) = self.conns[conn].take() {
            self.lanes_busy[c.lane] = false;
            self.open -= 1;
        }
    }

    fn conn(&self, conn: usize) -> &Conn {
        self.conns[conn].as_ref().expect("open connection")
    }

    fn span(&mut self, conn: usize, start_us: u64, end_us: u64, kind: SpanKind, label: &str) {
        let lane = self.conn(conn).lane;
        self.result.spans.push(SpanRecord {
            lane,
            start_us,
            end_us: end_us.min(self.load.duration_us),
            kind,
            label: label.to_string(),
        });
    }

    fn end_idle(&mut self, conn: usize, now: u64) {
        let since = self.conn(conn).since_us;
        if now > since {
            self.span(conn, since, now, SpanKind::Idle, "idle in the pool");
        }
    }

    /// Whether the restart killed this connection.
    fn is_dead(&self, conn: usize, now: u64) -> bool {
        let opened = self.conn(conn).opened_us;
        self.result
            .restart_at_us
            .is_some_and(|r| self.restarted && opened < r && now >= r)
    }

    /// Checkout of an existing connection: recycle, pre-ping, or a dead connection's error.
    fn start_use(&mut self, conn: usize, request: usize, now: u64) {
        let opened = self.conn(conn).opened_us;
        let invalidated = self.invalidated_at.is_some_and(|at| opened <= at);
        let too_old = now.saturating_sub(opened) >= self.pool.pool_recycle_us;
        if invalidated || too_old {
            let ready = now + self.load.connect_us;
            let label = if too_old {
                "pool_recycle: reopened"
            } else {
                "invalidated: reopened"
            };
            self.span(conn, now, ready, SpanKind::Recycled, label);
            self.reopen(conn, now);
            self.begin_query(conn, request, now, ready);
        } else if self.pool.pre_ping {
            let pinged = now + self.load.ping_us;
            if self.is_dead(conn, now) {
                let ready = pinged + self.load.connect_us;
                self.span(
                    conn,
                    now,
                    ready,
                    SpanKind::Recycled,
                    "pre-ping failed: reopened",
                );
                self.reopen(conn, pinged);
                // The failed ping invalidates the pool, as any disconnect error does.
                self.invalidated_at = Some(pinged);
                self.begin_query(conn, request, now, ready);
            } else {
                self.begin_query(conn, request, now, pinged);
            }
        } else if self.is_dead(conn, now) {
            let failed = now + self.load.ping_us;
            self.span(conn, now, failed, SpanKind::InUse, "OperationalError");
            let r = &mut self.result.requests[request];
            r.checkout_us = Some(now);
            r.ended_us = Some(failed);
            r.outcome = Outcome::DeadConnection;
            let client = r.client;
            // The disconnect invalidates the pool; the record goes back, to reconnect
            // at its next checkout.
            self.invalidated_at = Some(now);
            self.checkin(conn, failed);
            self.next_request(client, failed);
        } else {
            self.begin_query(conn, request, now, now);
        }
    }

    fn reopen(&mut self, conn: usize, now: u64) {
        if let Some(c) = self.conns[conn].as_mut() {
            c.opened_us = now;
        }
    }

    /// The request holds `conn` from `checkout` on; its query starts at `ready`.
    fn begin_query(&mut self, conn: usize, request: usize, checkout: u64, ready: u64) {
        self.result.requests[request].checkout_us = Some(checkout);
        let c = self.conns[conn].as_mut().expect("open connection");
        c.busy = Some(request);
        c.since_us = ready;
        self.schedule(ready + self.load.query_us, Event::Done { conn, request });
    }

    fn use_kind(&self, conn: usize) -> SpanKind {
        if self.conn(conn).overflow {
            SpanKind::Overflow
        } else {
            SpanKind::InUse
        }
    }

    fn done(&mut self, conn: usize, request: usize, now: u64) {
        let running = self.conns[conn]
            .as_ref()
            .is_some_and(|c| c.busy == Some(request));
        if !running {
            return; // killed by the restart
        }
        let since = self.conn(conn).since_us;
        let kind = self.use_kind(conn);
        self.span(conn, since, now, kind, "query");
        let r = &mut self.result.requests[request];
        r.ended_us = Some(now);
        r.outcome = Outcome::Served;
        let client = r.client;
        self.checkin(conn, now);
        self.next_request(client, now);
    }

    fn checkin(&mut self, conn: usize, now: u64) {
        if let Some(c) = self.conns[conn].as_mut() {
            c.busy = None;
            c.since_us = now;
        }
        while let Some(waiter) = self.waiters.pop_front() {
            if self.result.requests[waiter].outcome == Outcome::Unfinished {
                self.start_use(conn, waiter, now);
                return;
            }
        }
        if self.idle.len() < self.pool.pool_size {
            self.idle.push_back(conn);
        } else {
            self.close(conn);
        }
    }

    fn timeout(&mut self, request: usize, now: u64) {
        let r = &mut self.result.requests[request];
        if r.checkout_us.is_some() || r.outcome != Outcome::Unfinished {
            return;
        }
        r.outcome = Outcome::TimedOut;
        r.ended_us = Some(now);
        let client = r.client;
        self.waiters.retain(|&w| w != request);
        self.next_request(client, now);
    }

    /// Every open connection dies; the queries running fail now (a disconnect error,
    /// which invalidates the pool), the idle ones fail when next used.
    fn restart(&mut self, now: u64) {
        self.restarted = true;
        let busy: Vec<(usize, usize)> = self
            .conns
            .iter()
            .enumerate()
            .filter_map(|(id, c)| c.as_ref().and_then(|c| c.busy.map(|r| (id, r))))
            .collect();
        for (conn, request) in busy {
            let since = self.conn(conn).since_us.min(now);
            let kind = self.use_kind(conn);
            self.span(conn, since, now, kind, "killed by the restart");
            let r = &mut self.result.requests[request];
            r.ended_us = Some(now);
            r.outcome = Outcome::KilledInFlight;
            let client = r.client;
            // The disconnect error invalidates the pool; the connection's record is
            // returned and reconnects at its next checkout.
            self.invalidated_at = Some(now);
            self.checkin(conn, now);
            self.next_request(client, now);
        }
    }

    fn finish(mut self) -> SimResult {
        let end = self.load.duration_us;
        for conn in 0..self.conns.len() {
            let Some(c) = &self.conns[conn] else { continue };
            let (since, busy) = (c.since_us, c.busy.is_some());
            if since < end {
                let kind = if busy {
                    self.use_kind(conn)
                } else {
                    SpanKind::Idle
                };
                let label = if busy { "query" } else { "idle in the pool" };
                self.span(conn, since, end, kind, label);
            }
        }
        self.result.lanes = self.lanes_busy.len();
        self.result.spans.sort_by_key(|s| (s.lane, s.start_us));
        self.result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pool_sim::config::US_PER_MS;

    fn pool(pool_size: usize, max_overflow: usize) -> PoolConfig {
        PoolConfig {
            pool_size,
            max_overflow,
            pool_timeout_us: 5 * US_PER_S,
            pool_recycle_us: 3600 * US_PER_S,
            pre_ping: false,
        }
    }

    fn load(concurrency: usize, query_ms: u64) -> Workload {
        Workload {
            concurrency,
            rps: 100.0,
            query_us: query_ms * US_PER_MS,
            ping_us: US_PER_MS,
            connect_us: 20 * US_PER_MS,
            duration_us: 20 * US_PER_S,
            restart_at_us: None,
            seed: 3,
        }
    }

    #[test]
    fn never_more_than_pool_size_plus_overflow_connections() {
        let result = simulate(pool(2, 1), load(10, 500));
        assert_eq!(result.lanes, 3);
        assert_eq!(result.overflow_peak, 1);
        // Waiters beyond the 3 connections: with 10 clients and 0.5 s queries the wait
        // stays under the 5 s timeout.
        assert!(result.requests.iter().any(|r| r.wait_us().unwrap_or(0) > 0));
        assert!(result
            .requests
            .iter()
            .all(|r| r.outcome != Outcome::TimedOut));
    }

    #[test]
    fn a_waiter_gives_up_after_pool_timeout() {
        let result = simulate(pool(1, 0), load(3, 8_000));
        let timed_out: Vec<&Request> = result
            .requests
            .iter()
            .filter(|r| r.outcome == Outcome::TimedOut)
            .collect();
        assert!(!timed_out.is_empty());
        assert!(timed_out.iter().all(|r| r.wait_us() == Some(5 * US_PER_S)));
    }

    #[test]
    fn overflow_connections_close_when_returned_to_a_full_pool() {
        // A burst opens the overflow connection, then one client alone keeps using the
        // pool: the overflow lane stops being used.
        let mut l = load(2, 50);
        l.rps = 4.0;
        let result = simulate(pool(1, 1), l);
        let overflow_spans = result
            .spans
            .iter()
            .filter(|s| s.kind == SpanKind::Overflow)
            .count();
        let idle_overflow_lane = result
            .spans
            .iter()
            .filter(|s| s.lane == 1 && s.kind == SpanKind::Idle)
            .count();
        // Never idle in the pool: returned to a full queue, it is closed.
        assert!(overflow_spans > 0);
        assert_eq!(idle_overflow_lane, 0);
    }
}
