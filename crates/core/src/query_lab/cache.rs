//! An in-page stand-in for Redis, for the query-caching lab: GET, SETEX (a value with a
//! time to live) and DEL on a virtual clock the page advances. A simulation, labelled
//! as such on the page; the database behind it is real.

use std::collections::BTreeMap;

/// Keys with their value and expiry (virtual seconds).
#[derive(Clone, Debug, Default)]
pub struct SimRedis {
    entries: BTreeMap<String, (String, f64)>,
}

impl SimRedis {
    /// `GET key` at `now`: the value if the key exists and has not expired.
    pub fn get(&self, key: &str, now: f64) -> Option<&str> {
        self.entries
            .get(key)
            .filter(|(_, expires)| *expires > now)
            .map(|(value, _)| value.as_str())
    }

    /// `SETEX key ttl value`.
    pub fn setex(&mut self, key: &str, ttl_seconds: f64, value: String, now: f64) {
        self.entries
            .insert(key.to_string(), (value, now + ttl_seconds));
    }

    /// `DEL key`: whether a key was there.
    pub fn del(&mut self, key: &str) -> bool {
        self.entries.remove(key).is_some()
    }

    /// Drops the keys whose TTL has run out by `now` (Redis expires them); returns them.
    pub fn expire(&mut self, now: f64) -> Vec<String> {
        let gone: Vec<String> = self
            .entries
            .iter()
            .filter(|(_, (_, expires))| *expires <= now)
            .map(|(k, _)| k.clone())
            .collect();
        for key in &gone {
            self.entries.remove(key);
        }
        gone
    }

    /// (key, value, seconds left) of every live key.
    pub fn keys(&self, now: f64) -> Vec<(String, String, f64)> {
        self.entries
            .iter()
            .map(|(k, (v, expires))| (k.clone(), v.clone(), expires - now))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_lives_for_its_ttl_then_expires() {
        let mut redis = SimRedis::default();
        redis.setex("product:1", 60.0, "{}".into(), 0.0);
        assert_eq!(redis.get("product:1", 59.0), Some("{}"));
        assert_eq!(redis.get("product:1", 60.0), None);
        assert_eq!(redis.expire(30.0), Vec::<String>::new());
        assert_eq!(redis.expire(60.0), ["product:1"]);
        assert!(!redis.del("product:1"));
    }
}
