//! Deterministic stand-ins for `uuid4()` and `datetime.now(UTC)`: a seeded UUID generator
//! (so a permalink reproduces the same keys) and a virtual clock the UI advances.

use crate::rng::SplitMix64;

/// A virtual wall clock in microseconds since the Unix epoch (UTC). It never moves by
/// itself: [`VirtualClock::advance`] moves it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VirtualClock {
    micros: i64,
}

/// 2025-01-01 00:00:00 UTC.
pub const DEFAULT_EPOCH_MICROS: i64 = 1_735_689_600_000_000;

impl Default for VirtualClock {
    fn default() -> Self {
        Self {
            micros: DEFAULT_EPOCH_MICROS,
        }
    }
}

impl VirtualClock {
    pub fn at_micros(micros: i64) -> Self {
        Self { micros }
    }

    pub fn micros(&self) -> i64 {
        self.micros
    }

    pub fn advance_seconds(&mut self, seconds: f64) {
        self.micros += (seconds * 1_000_000.0) as i64;
    }

    pub fn advance_micros(&mut self, micros: i64) {
        self.micros += micros;
    }

    /// `str(datetime.now(UTC))`: `2025-01-01 00:00:00+00:00`.
    pub fn now_utc(&self) -> String {
        format!("{}+00:00", format_micros(self.micros))
    }

    /// `str(datetime.now())`, naive (the virtual clock's zone is UTC).
    pub fn now_local(&self) -> String {
        format_micros(self.micros)
    }
}

fn format_micros(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let frac = micros.rem_euclid(1_000_000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let time = format!("{:02}:{:02}:{:02}", rem / 3600, rem / 60 % 60, rem % 60);
    if frac == 0 {
        format!("{y:04}-{m:02}-{d:02} {time}")
    } else {
        format!("{y:04}-{m:02}-{d:02} {time}.{frac:06}")
    }
}

/// Howard Hinnant's days-to-civil algorithm.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Version-4 UUIDs from a seeded generator (SplitMix64): the same seed gives the same
/// sequence of keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UuidGenerator {
    rng: SplitMix64,
}

impl Default for UuidGenerator {
    fn default() -> Self {
        Self::seeded(0x5EED)
    }
}

impl UuidGenerator {
    pub fn seeded(seed: u64) -> Self {
        Self {
            rng: SplitMix64::new(seed),
        }
    }

    /// `str(uuid4())`.
    pub fn next_uuid(&mut self) -> String {
        let hi = self.rng.next_u64();
        let lo = self.rng.next_u64();
        let hi = (hi & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000;
        let lo = (lo & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            hi >> 32,
            (hi >> 16) & 0xFFFF,
            hi & 0xFFFF,
            lo >> 48,
            lo & 0xFFFF_FFFF_FFFF
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_formats_and_advances() {
        let mut clock = VirtualClock::default();
        assert_eq!(clock.now_utc(), "2025-01-01 00:00:00+00:00");
        clock.advance_seconds(86_400.0 * 59.0 + 3_661.5);
        assert_eq!(clock.now_utc(), "2025-03-01 01:01:01.500000+00:00");
        assert_eq!(clock.now_local(), "2025-03-01 01:01:01.500000");
    }

    #[test]
    fn uuids_are_v4_and_reproducible() {
        let mut a = UuidGenerator::seeded(7);
        let mut b = UuidGenerator::seeded(7);
        let first = a.next_uuid();
        assert_eq!(first, b.next_uuid());
        assert_ne!(first, a.next_uuid());
        assert_eq!(first.len(), 36);
        assert_eq!(&first[14..15], "4");
        assert!(matches!(&first[19..20], "8" | "9" | "a" | "b"), "{first}");
    }
}
