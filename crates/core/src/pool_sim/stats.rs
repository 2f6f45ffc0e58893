//! Headline numbers of a simulation and its timeline, bounded in size.

use super::config::US_PER_MS;
use super::sim::{Outcome, SimResult, SpanKind, SpanRecord};

#[derive(Clone, Debug, PartialEq)]
pub struct Stats {
    pub requests: usize,
    pub served: usize,
    pub timeouts: usize,
    pub max_wait_ms: f64,
    pub p95_wait_ms: f64,
    pub overflow_peak: usize,
    /// Requests that got a dead connection after the restart (what pre_ping prevents).
    pub errors_after_restart: usize,
    /// Queries running when the database restarted (nothing prevents these).
    pub killed_in_flight: usize,
}

pub fn stats(result: &SimResult) -> Stats {
    let count = |o: Outcome| result.requests.iter().filter(|r| r.outcome == o).count();
    let mut waits: Vec<u64> = result.requests.iter().filter_map(|r| r.wait_us()).collect();
    waits.sort_unstable();
    let p95 = if waits.is_empty() {
        0
    } else {
        waits[((waits.len() as f64 * 0.95).ceil() as usize).clamp(1, waits.len()) - 1]
    };
    Stats {
        requests: result.requests.len(),
        served: count(Outcome::Served),
        timeouts: count(Outcome::TimedOut),
        max_wait_ms: waits.last().copied().unwrap_or(0) as f64 / US_PER_MS as f64,
        p95_wait_ms: p95 as f64 / US_PER_MS as f64,
        overflow_peak: result.overflow_peak,
        errors_after_restart: count(Outcome::DeadConnection),
        killed_in_flight: count(Outcome::KilledInFlight),
    }
}

/// The spans with idle stretches shorter than `gap_us` left out and neighbours of the
/// same kind and label on a lane merged when the gap between them is under `gap_us`, the gap
/// doubling until at most `max_spans` remain: a busy lane becomes a few long spans, and
/// the UI never draws thousands.
pub fn compact(spans: &[SpanRecord], max_spans: usize) -> Vec<SpanRecord> {
    let mut gap_us = US_PER_MS;
    loop {
        let merged = merge(spans, gap_us);
        if merged.len() <= max_spans || gap_us > 3_600_000_000 {
            return merged;
        }
        gap_us *= 2;
    }
}

fn merge(spans: &[SpanRecord], gap_us: u64) -> Vec<SpanRecord> {
    let mut out: Vec<(SpanRecord, usize)> = Vec::new();
    let kept = spans
        .iter()
        .filter(|s| s.kind != SpanKind::Idle || s.end_us - s.start_us >= gap_us);
    for span in kept {
        match out.last_mut() {
            Some((last, n))
                if last.lane == span.lane
                    && last.kind == span.kind
                    && last.label == span.label
                    && span.start_us <= last.end_us + gap_us =>
            {
                last.end_us = last.end_us.max(span.end_us);
                *n += 1;
            }
            _ => out.push((span.clone(), 1)),
        }
    }
    out.into_iter()
        .map(|(mut span, n)| {
            if n > 1 {
                span.label = format!("{} x{n}", span.label);
            }
            span
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start_ms: u64, end_ms: u64, kind: SpanKind) -> SpanRecord {
        SpanRecord {
            lane: 0,
            start_us: start_ms * US_PER_MS,
            end_us: end_ms * US_PER_MS,
            kind,
            label: "query".into(),
        }
    }

    #[test]
    fn short_idle_gaps_merge_uses_until_the_cap_holds() {
        let spans: Vec<SpanRecord> = (0..100)
            .flat_map(|i| {
                [
                    span(i * 10, i * 10 + 8, SpanKind::InUse),
                    span(i * 10 + 8, i * 10 + 10, SpanKind::Idle),
                ]
            })
            .collect();
        assert_eq!(compact(&spans, 1_000).len(), 200);
        let merged = compact(&spans, 10);
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].label, "query x100");
        assert_eq!(merged[0].end_us, 998 * US_PER_MS);
    }
}
