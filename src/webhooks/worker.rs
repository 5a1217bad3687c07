//! The background worker that delivers queued notifications to webhook endpoints.
//!
//! Deliveries live in the database (`webhook_deliveries`), so a restart loses nothing. A worker
//! claims due deliveries with a 60-second lease (an atomic conditional UPDATE), sends each one,
//! records the attempt and either finishes the delivery or schedules the next attempt:
//! exponential backoff with full jitter capped at one hour, or the endpoint's `Retry-After`.
//! A worker that dies holding a lease only delays its deliveries until the lease expires.

use super::repo::{self, AttemptRecord, Job, Outcome};
use super::service;
use crate::error::ApiError;
use crate::state::AppState;
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use rand::Rng;
use std::time::{Duration, Instant};

/// Most deliveries one round claims (and sends concurrently).
pub const BATCH: i64 = 10;
/// How long a claim holds a delivery.
pub const LEASE: TimeDelta = TimeDelta::seconds(60);
/// How long an endpoint has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The longest wait between two attempts.
pub const MAX_DELAY: TimeDelta = TimeDelta::hours(1);

/// Delivers due webhook deliveries; several may run at once, in one process or many.
pub struct Worker {
    state: AppState,
    name: String,
    client: Result<reqwest::Client, String>,
}

impl Worker {
    /// A worker named `name` (the name marks the deliveries it leases; make it unique).
    pub fn new(state: AppState, name: impl Into<String>) -> Worker {
        let client = Ok(crate::outbound::client(state.config.dev, TIMEOUT));
        Worker { state, name: name.into(), client }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Leases up to [`BATCH`] due deliveries to this worker for [`LEASE`]; their ids.
    pub async fn claim(&self) -> Result<Vec<String>, ApiError> {
        let now = self.state.now();
        let name = self.name.clone();
        self.state.db_pooled(move |conn| repo::claim(conn, &name, now, now + LEASE, BATCH)).await
    }

    /// Claims due deliveries, sends them and records each attempt; how many were attempted.
    pub async fn run_once(&self) -> Result<usize, ApiError> {
        let client = self.client.clone().map_err(ApiError::internal)?;
        let ids = self.claim().await?;
        let mut tasks = tokio::task::JoinSet::new();
        for id in ids {
            let ctx = Ctx { state: self.state.clone(), name: self.name.clone(), client: client.clone() };
            tasks.spawn(async move { ctx.deliver(&id).await });
        }
        let mut attempted = 0;
        let mut first_error = None;
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok(Ok(true)) => attempted += 1,
                Ok(Ok(false)) => {}
                Ok(Err(e)) => {
                    tracing::warn!(worker = %self.name, error = %e, "webhook delivery not recorded");
                    first_error.get_or_insert(e);
                }
                Err(e) => {
                    first_error.get_or_insert(ApiError::internal(e));
                }
            }
        }
        match first_error {
            Some(e) if attempted == 0 => Err(e),
            _ => Ok(attempted),
        }
    }
}

struct Ctx {
    state: AppState,
    name: String,
    client: reqwest::Client,
}

impl Ctx {
    /// Sends one claimed delivery; false when it was not attempted (no longer held, or its
    /// endpoint was disabled meanwhile).
    async fn deliver(&self, delivery_id: &str) -> Result<bool, ApiError> {
        let now = self.state.now();
        let name = self.name.clone();
        let id = delivery_id.to_string();
        let cal = self.state.calendar.clone();
        let ack_days = self.state.config.ack_overdue_working_days;
        let loaded = self
            .state
            .db_pooled(move |conn| {
                let Some(job) = repo::job(conn, &name, &id)? else {
                    return Ok(None);
                };
                if job.endpoint_disabled() {
                    repo::release(conn, &name, &id)?;
                    return Ok(None);
                }
                let row = crate::notifications::repo::find(conn, &job.notification_id)?.ok_or(ApiError::NotFound)?;
                let body = serde_json::to_vec(&crate::notifications::service::view(row, &cal, ack_days, now))
                    .map_err(ApiError::internal)?;
                Ok(Some((job, body)))
            })
            .await?;
        let Some((job, body)) = loaded else {
            return Ok(false);
        };
        let started = Instant::now();
        let (status_code, outcome) = self.send(&job, body, now).await;
        let finished = self.state.now();
        let outcome = match outcome {
            Sent::Delivered => Outcome::Delivered,
            Sent::Failed(error) => Outcome::Failed { error },
            Sent::Retry(error, retry_after) => {
                let delay = next_delay(job.attempts + 1, retry_after, &mut rand::thread_rng());
                Outcome::Retry { error, next_attempt_at: finished + delay }
            }
        };
        let attempt = AttemptRecord {
            attempted_at: now,
            status_code,
            duration_ms: i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX),
        };
        tracing::info!(
            worker = %self.name,
            delivery = %job.delivery_id,
            notification = %job.notification_id,
            status = ?status_code,
            outcome = ?outcome,
            "webhook attempt"
        );
        let name = self.name.clone();
        self.state.db_pooled(move |conn| repo::record(conn, &name, &job, &attempt, &outcome, finished)).await?;
        Ok(true)
    }

    /// One HTTP attempt: the status code, if the endpoint answered, and what it means.
    async fn send(&self, job: &Job, body: Vec<u8>, now: NaiveDateTime) -> (Option<u16>, Sent) {
        if let Err(why) = service::check_url(&job.url, self.state.config.dev) {
            return (None, Sent::Retry(format!("URL refused: {why}"), None));
        }
        let timestamp = now.and_utc().timestamp();
        let secret = match service::open_secret(&self.state.secrets, &job.endpoint_id, &job.secret) {
            Ok(s) => s,
            Err(e) => return (None, Sent::Retry(format!("cannot open the signing secret: {e}"), None)),
        };
        let signature = match service::sign(&secret, &job.notification_id, timestamp, &body) {
            Ok(s) => s,
            Err(e) => return (None, Sent::Retry(format!("cannot sign: {e}"), None)),
        };
        let request = self
            .client
            .post(&job.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("webhook-id", &job.notification_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body);
        match request.send().await {
            Ok(res) => {
                let status = res.status();
                let retry_after = res
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| retry_after(v, self.state.clock.now()));
                let location =
                    res.headers().get(reqwest::header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string);
                (Some(status.as_u16()), classify(status, retry_after, location.as_deref()))
            }
            Err(e) => (None, Sent::Retry(crate::outbound::describe(&e), None)),
        }
    }
}

/// What an answer means for the delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Sent {
    Delivered,
    Failed(String),
    Retry(String, Option<TimeDelta>),
}

fn classify(status: reqwest::StatusCode, retry_after: Option<TimeDelta>, location: Option<&str>) -> Sent {
    let code = status.as_u16();
    let text = format!("HTTP {code}{}", status.canonical_reason().map(|r| format!(" {r}")).unwrap_or_default());
    if status.is_success() {
        Sent::Delivered
    } else if status.is_client_error() && code != 408 && code != 429 {
        Sent::Failed(format!("{text}: refused for good, not retried"))
    } else if status.is_redirection() {
        let to = location.map(|l| format!(" to {}", crate::outbound::truncate(l, 200))).unwrap_or_default();
        Sent::Retry(format!("{text}: redirect{to} not followed"), retry_after)
    } else {
        Sent::Retry(text, retry_after)
    }
}

/// `Retry-After` as a delay from `now`: delay-seconds or an HTTP date.
pub fn retry_after(value: &str, now: DateTime<Utc>) -> Option<TimeDelta> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let secs = value.parse::<u64>().unwrap_or(u64::MAX).min(MAX_DELAY.num_seconds().unsigned_abs());
        return i64::try_from(secs).ok().map(TimeDelta::seconds);
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?.with_timezone(&Utc);
    Some((at - now).max(TimeDelta::zero()))
}

/// The wait before the next attempt, after `attempts` attempts: `Retry-After` when the endpoint
/// sent one, else full jitter (uniform in [0, min(1 h, 1 s × 2^attempts)]); never more than 1 h.
pub fn next_delay(attempts: i64, retry_after: Option<TimeDelta>, rng: &mut impl Rng) -> TimeDelta {
    if let Some(d) = retry_after {
        return d.clamp(TimeDelta::zero(), MAX_DELAY);
    }
    let max_ms = MAX_DELAY.num_milliseconds();
    let cap_ms = match u32::try_from(attempts.max(0)) {
        Ok(n) if n < 32 => (1000i64 << n).min(max_ms),
        _ => max_ms,
    };
    TimeDelta::milliseconds(rng.gen_range(0..=cap_ms))
}

/// Starts the delivery loop on the current actix runtime (poll interval from the config; 0 disables it).
pub fn spawn(state: AppState) {
    let every = state.config.webhook_poll_ms;
    if every == 0 {
        return;
    }
    let name = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let worker = Worker::new(state, name);
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(Duration::from_millis(every));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            loop {
                match worker.run_once().await {
                    // A full batch: more may be due, go on at once.
                    Ok(n) if n as i64 >= BATCH => continue,
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!(worker = %worker.name(), error = %e, "webhook worker round failed");
                        break;
                    }
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use rand::SeedableRng;

    #[test]
    fn webhooks_backoff_is_full_jitter_capped_at_an_hour() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for attempts in 0..40 {
            let cap = TimeDelta::milliseconds((1000i64 << attempts.min(31)).min(3_600_000));
            for _ in 0..50 {
                let d = next_delay(attempts, None, &mut rng);
                assert!(d >= TimeDelta::zero() && d <= cap && d <= MAX_DELAY, "{attempts}: {d}");
            }
        }
        assert_eq!(next_delay(3, Some(TimeDelta::seconds(120)), &mut rng), TimeDelta::seconds(120));
        assert_eq!(next_delay(3, Some(TimeDelta::hours(5)), &mut rng), MAX_DELAY);
    }

    #[test]
    fn webhooks_retry_after_takes_seconds_or_a_date() {
        let now = Utc.with_ymd_and_hms(2026, 6, 15, 9, 0, 0).single().expect("time");
        assert_eq!(retry_after("120", now), Some(TimeDelta::seconds(120)));
        assert_eq!(retry_after(" 0 ", now), Some(TimeDelta::zero()));
        assert_eq!(retry_after("99999999999999999999999", now), Some(MAX_DELAY));
        assert_eq!(retry_after("Mon, 15 Jun 2026 09:05:00 GMT", now), Some(TimeDelta::minutes(5)));
        assert_eq!(retry_after("Mon, 15 Jun 2026 08:00:00 GMT", now), Some(TimeDelta::zero()));
        assert_eq!(retry_after("soon", now), None);
        assert_eq!(retry_after("-5", now), None);
    }

    #[test]
    fn webhooks_answers_are_classified() {
        use reqwest::StatusCode as S;
        assert_eq!(classify(S::NO_CONTENT, None, None), Sent::Delivered);
        assert!(matches!(classify(S::GONE, None, None), Sent::Failed(_)));
        assert!(matches!(classify(S::BAD_REQUEST, None, None), Sent::Failed(_)));
        assert!(matches!(classify(S::REQUEST_TIMEOUT, None, None), Sent::Retry(_, None)));
        let ra = Some(TimeDelta::seconds(3));
        assert_eq!(classify(S::TOO_MANY_REQUESTS, ra, None), Sent::Retry("HTTP 429 Too Many Requests".into(), ra));
        assert!(matches!(classify(S::INTERNAL_SERVER_ERROR, None, None), Sent::Retry(_, None)));
        match classify(S::MOVED_PERMANENTLY, None, Some("https://elsewhere.example/")) {
            Sent::Retry(e, None) => assert!(e.contains("not followed") && e.contains("elsewhere"), "{e}"),
            other => panic!("{other:?}"),
        }
    }
}
