//! Deterministic, realistic seed data: users who sign up at irregular moments (some in the
//! same second, so `id` must break ties), orders in the statuses an order goes through,
//! and a job queue mostly processed. Rows go in as multi-row INSERTs of [`BATCH`] rows.

use crate::engine::Database;
use crate::rng::SplitMix64;

/// Rows per INSERT statement while seeding.
pub const BATCH: usize = 500;

/// The first signup, in seconds since 1970-01-01 (2024-01-01 00:00:00).
const EPOCH_2024: i64 = 1_704_067_200;

/// `'YYYY-MM-DD HH:MM:SS'` for seconds since 1970-01-01 UTC (civil-from-days, H. Hinnant).
pub fn timestamp_sql(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "'{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}'",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// Inserts `rows` (each a parenthesised tuple) into `table` in batches of [`BATCH`], with
/// the budget lifted while it runs (a seed of 100k rows is not a user's query).
pub fn insert_batched(db: &mut Database, table: &str, rows: &[String]) -> Result<(), String> {
    db.unbudgeted(|db| {
        rows.chunks(BATCH).try_for_each(|chunk| {
            db.execute(&format!("INSERT INTO {table} VALUES {}", chunk.join(", ")))
                .map(|_| ())
                .map_err(|e| format!("seeding {table}: {e}"))
        })
    })
}

fn exec(db: &mut Database, sql: &str) -> Result<(), String> {
    db.execute(sql)
        .map(|_| ())
        .map_err(|e| format!("{sql}: {e}"))
}

const FIRST: [&str; 12] = [
    "ada", "bob", "chen", "dana", "eve", "femi", "gus", "hana", "ivan", "jo", "kai", "lena",
];
const DOMAINS: [&str; 4] = ["example.com", "Example.com", "mail.example", "EXAMPLE.ORG"];

/// The email of user `id`: unique, in the mixed case people type (`Ada.17@Example.com`).
pub fn email_of(id: i64) -> String {
    let name = FIRST[(id as usize) % FIRST.len()];
    let domain = DOMAINS[(id as usize / FIRST.len()) % DOMAINS.len()];
    if id % 3 == 0 {
        let mut cased = name.to_string();
        cased[..1].make_ascii_uppercase();
        format!("{cased}.{id}@{domain}")
    } else {
        format!("{name}.{id}@{domain}")
    }
}

/// The signup times of `n` users: 0 to 90 s apart, one in five in the same second as the
/// one before (a bulk import), so `created_at` alone does not order them.
pub fn signup_times(n: usize, seed: u64) -> Vec<i64> {
    let mut rng = SplitMix64::new(seed);
    let mut t = EPOCH_2024;
    (0..n)
        .map(|_| {
            if rng.below(5) != 0 {
                t += 1 + rng.below(90) as i64;
            }
            t
        })
        .collect()
}

/// `users (id, email, is_active, created_at)` with `n` users, nine in ten active.
pub fn seed_users(db: &mut Database, n: usize, seed: u64) -> Result<Vec<i64>, String> {
    exec(
        db,
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(255) NOT NULL UNIQUE, \
         is_active BOOLEAN NOT NULL DEFAULT TRUE, created_at TIMESTAMP NOT NULL)",
    )?;
    let times = signup_times(n, seed);
    let mut rng = SplitMix64::new(seed ^ 0xA5A5);
    let rows: Vec<String> = times
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let id = i as i64 + 1;
            let active = rng.below(10) != 0;
            format!(
                "({id}, '{}', {}, {})",
                email_of(id),
                if active { "TRUE" } else { "FALSE" },
                timestamp_sql(*t)
            )
        })
        .collect();
    insert_batched(db, "users", &rows)?;
    Ok(times)
}

/// An order's statuses and how often each occurs: most orders are finished.
pub const ORDER_STATUSES: [(&str, u64); 5] = [
    ("pending", 6),
    ("paid", 4),
    ("shipped", 5),
    ("delivered", 75),
    ("cancelled", 10),
];

fn pick_status(rng: &mut SplitMix64) -> &'static str {
    let mut roll = rng.below(100);
    for (status, weight) in ORDER_STATUSES {
        if roll < weight {
            return status;
        }
        roll -= weight;
    }
    "delivered"
}

/// `orders (id, user_id, status, total, created_at)`: `n` orders of `users` users over
/// about a year, a few customers ordering far more than the rest.
pub fn seed_orders(db: &mut Database, n: usize, users: usize, seed: u64) -> Result<(), String> {
    exec(
        db,
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), \
         status VARCHAR(20) NOT NULL, total NUMERIC(10, 2) NOT NULL, created_at TIMESTAMP NOT NULL)",
    )?;
    let mut rng = SplitMix64::new(seed);
    let span = 365 * 86_400 / n.max(1) as i64 * 2;
    let mut t = EPOCH_2024;
    let users = users.max(1) as u64;
    let rows: Vec<String> = (1..=n as i64)
        .map(|id| {
            t += rng.below(span.max(2) as u64) as i64;
            // Skewed: half the orders come from the first tenth of the users.
            let user = if rng.below(2) == 0 {
                1 + rng.below(users.div_ceil(10))
            } else {
                1 + rng.below(users)
            };
            let cents = 500 + rng.below(50_000);
            format!(
                "({id}, {user}, '{}', {}.{:02}, {})",
                pick_status(&mut rng),
                cents / 100,
                cents % 100,
                timestamp_sql(t)
            )
        })
        .collect();
    insert_batched(db, "orders", &rows)
}

/// `job_queue (id, priority, payload, created_at, processed_at)`: `n` jobs, all but the
/// last few percent already processed (a queue's usual state).
pub fn seed_job_queue(db: &mut Database, n: usize, seed: u64) -> Result<(), String> {
    exec(
        db,
        "CREATE TABLE job_queue (id INTEGER PRIMARY KEY, priority INTEGER NOT NULL, \
         payload TEXT NOT NULL, created_at TIMESTAMP NOT NULL, processed_at TIMESTAMP NULL)",
    )?;
    let mut rng = SplitMix64::new(seed);
    let pending_from = n - n / 25;
    let rows: Vec<String> = (0..n)
        .map(|i| {
            let created = EPOCH_2024 + i as i64 * 7;
            let processed = if i >= pending_from {
                "NULL".to_string()
            } else {
                timestamp_sql(created + 1 + rng.below(30) as i64)
            };
            format!(
                "({}, {}, 'job {}', {}, {processed})",
                i + 1,
                rng.below(5),
                i + 1,
                timestamp_sql(created)
            )
        })
        .collect();
    insert_batched(db, "job_queue", &rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_civil_dates() {
        assert_eq!(timestamp_sql(EPOCH_2024), "'2024-01-01 00:00:00'");
        assert_eq!(
            timestamp_sql(EPOCH_2024 + 59 * 86_400 + 3_661),
            "'2024-02-29 01:01:01'"
        );
        assert_eq!(timestamp_sql(0), "'1970-01-01 00:00:00'");
    }

    #[test]
    fn signups_are_deterministic_ordered_and_tie_sometimes() {
        let a = signup_times(1000, 7);
        assert_eq!(a, signup_times(1000, 7));
        assert!(a.windows(2).all(|w| w[0] <= w[1]));
        assert!(a.windows(2).any(|w| w[0] == w[1]));
    }

    #[test]
    fn emails_are_unique_and_mixed_case() {
        let emails: std::collections::BTreeSet<String> = (1..=500).map(email_of).collect();
        assert_eq!(emails.len(), 500);
        assert!(emails
            .iter()
            .any(|e| e.chars().any(|c| c.is_ascii_uppercase())));
    }
}
