//! Per-client rate limits: a token bucket per caller (organisation and subject), refilled from
//! the application clock; past the limit the API answers 429 with `Retry-After`.

use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Mutex;

pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<String, (f64, DateTime<Utc>)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter { per_minute, buckets: Mutex::new(HashMap::new()) }
    }

    /// Takes one request from the client's bucket: Ok, or Err(seconds to wait).
    pub fn check(&self, client: &str, now: DateTime<Utc>) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_sec = capacity / 60.0;
        let Ok(mut buckets) = self.buckets.lock() else { return Ok(()) };
        if buckets.len() > 100_000 {
            buckets.retain(|_, (_, at)| (now - *at).num_seconds() < 120);
        }
        let (tokens, at) = buckets.entry(client.to_string()).or_insert((capacity, now));
        let elapsed = (now - *at).num_milliseconds().max(0) as f64 / 1000.0;
        *tokens = (*tokens + elapsed * per_sec).min(capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / per_sec).ceil().max(1.0) as u64)
        }
    }
}

impl RateLimiter {
    /// Seconds to wait before the client may be charged again, if its bucket is empty now;
    /// takes nothing from it.
    pub fn exhausted(&self, client: &str, now: DateTime<Utc>) -> Option<u64> {
        if self.per_minute == 0 {
            return None;
        }
        let capacity = f64::from(self.per_minute);
        let per_sec = capacity / 60.0;
        let buckets = self.buckets.lock().ok()?;
        let (tokens, at) = buckets.get(client)?;
        let elapsed = (now - *at).num_milliseconds().max(0) as f64 / 1000.0;
        let tokens = (tokens + elapsed * per_sec).min(capacity);
        (tokens < 1.0).then(|| ((1.0 - tokens) / per_sec).ceil().max(1.0) as u64)
    }

    /// Takes one from the client's bucket, whatever is left (for failures counted after the fact).
    pub fn charge(&self, client: &str, now: DateTime<Utc>) {
        let _ = self.check(client, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_are_counted_and_then_refused_until_the_bucket_refills() {
        let limiter = RateLimiter::new(3);
        let t0 = chrono::Utc::now();
        assert_eq!(limiter.exhausted("ip", t0), None);
        for _ in 0..3 {
            limiter.charge("ip", t0);
        }
        let wait = limiter.exhausted("ip", t0).expect("empty after three");
        assert!((1..=20).contains(&wait), "{wait}");
        assert_eq!(limiter.exhausted("other ip", t0), None, "per client");
        assert_eq!(limiter.exhausted("ip", t0 + chrono::TimeDelta::seconds(21)), None, "refilled");
    }
}
