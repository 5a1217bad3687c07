//! The federation worker: delivers each peer's stream in order, in batches of up to 100, signed;
//! keeps each receipt and the outcome of every event; retries with exponential backoff and full
//! jitter (5 s to 1 h, or the peer's `Retry-After`), never dropping an event; tells the sending
//! LA when an event is 24 hours late, reports it undeliverable after 5 days (and keeps trying),
//! and passes on a peer's refusal with its reason. Streams are leased in the database (one
//! worker per stream at a time, `FOR UPDATE SKIP LOCKED` on PostgreSQL), so any number of
//! processes may run it.
//!
//! It also pulls: `pull_from` fetches this node's stream from a peer and applies it, which is how
//! a node restored from a backup catches up without the sender doing anything.

use super::{apply, sign};
use crate::db::rows::federation::{OutboxRow, ReceiptRow, StreamRow};
use crate::error::ApiError;
use crate::notifications::service as notify;
use crate::peers::model::Peer;
use crate::peers::wire::{Batch, BatchAnswer, Event, MAX_BATCH, Pulled, Receipt};
use crate::state::AppState;
use chrono::{NaiveDateTime, TimeDelta};
use rand::Rng;
use std::time::Duration;

/// How long a claim holds a stream.
pub const LEASE: TimeDelta = TimeDelta::seconds(60);
/// How long a peer has to answer.
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// The first and the longest wait between attempts.
pub const MIN_DELAY: TimeDelta = TimeDelta::seconds(5);
pub const MAX_DELAY: TimeDelta = TimeDelta::hours(1);
/// When the sending LA is told an event is late, and when it is reported undeliverable.
pub const ESCALATE_AFTER: TimeDelta = TimeDelta::hours(24);
pub const UNDELIVERABLE_AFTER: TimeDelta = TimeDelta::days(5);
/// Most batches one stream gets in one round.
const ROUNDS_PER_CLAIM: usize = 50;

/// The wait before the next attempt after `attempts` failed ones: the peer's `Retry-After` when
/// it sent one (at most 1 h), else full jitter, uniform in [5 s, min(1 h, 5 s × 2^attempts)].
pub fn next_delay(attempts: i64, retry_after: Option<TimeDelta>, rng: &mut impl Rng) -> TimeDelta {
    if let Some(d) = retry_after {
        return d.clamp(MIN_DELAY, MAX_DELAY);
    }
    let min = MIN_DELAY.num_milliseconds();
    let cap = match u32::try_from(attempts.max(0)) {
        Ok(n) if n < 30 => (min << n).min(MAX_DELAY.num_milliseconds()),
        _ => MAX_DELAY.num_milliseconds(),
    };
    TimeDelta::milliseconds(rng.gen_range(min..=cap.max(min)))
}

/// What one round did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Round {
    /// Events the peers processed (applied or rejected).
    pub processed: usize,
    /// Batches that failed (to be retried).
    pub failed: usize,
    /// Sending LAs told of late or undeliverable events.
    pub escalated: usize,
}

pub struct Worker {
    state: AppState,
    name: String,
    client: reqwest::Client,
}

impl Worker {
    pub fn new(state: AppState, name: impl Into<String>) -> Worker {
        let client = crate::outbound::client(state.config.dev, TIMEOUT);
        Worker { state, name: name.into(), client }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Escalates late events, then delivers every due stream this worker can claim.
    pub async fn run_once(&self) -> Result<Round, ApiError> {
        let mut round = Round { escalated: self.escalate().await?, ..Round::default() };
        let now = self.state.now();
        let name = self.name.clone();
        let streams =
            self.state.db_pooled(move |conn| crate::peers::repo::claim_streams(conn, &name, now, now + LEASE)).await?;
        for s in streams {
            let (processed, failed) = self.deliver_stream(s).await?;
            round.processed += processed;
            round.failed += failed;
        }
        Ok(round)
    }

    /// Tells sending LAs of events late by 24 hours, and of those undeliverable after 5 days.
    async fn escalate(&self) -> Result<usize, ApiError> {
        let now = self.state.now();
        self.state
            .db_pooled(move |conn| {
                crate::db::write_tx(conn, |conn| {
                    let mut n = 0;
                    for (after, undeliverable, kind) in [
                        (ESCALATE_AFTER, false, "federation.delayed"),
                        (UNDELIVERABLE_AFTER, true, "federation.undeliverable"),
                    ] {
                        for e in crate::peers::repo::take_overdue(conn, now - after, undeliverable, now, 500)? {
                            let why = if undeliverable {
                                "could not be delivered for 5 days and is reported undeliverable; it is still retried"
                            } else {
                                "has not reached its node for 24 hours; it is still retried"
                            };
                            n += tell_sender(conn, &e, kind, why, now)?;
                        }
                    }
                    Ok(n)
                })
            })
            .await
    }

    /// Delivers a claimed stream batch after batch while its peer takes them; (processed, failed).
    async fn deliver_stream(&self, mut s: StreamRow) -> Result<(usize, usize), ApiError> {
        let mut processed = 0;
        for _ in 0..ROUNDS_PER_CLAIM {
            match self.deliver_batch(&s).await {
                Ok(Some((n, acked))) => {
                    processed += n;
                    s.acked_seq = acked;
                    if acked >= s.last_seq || n == 0 {
                        return Ok((processed, 0));
                    }
                    // More may be waiting: keep the lease and go on.
                    let (name, dest, now) = (self.name.clone(), s.dest_node.clone(), self.state.now());
                    let still = self
                        .state
                        .db_pooled(move |conn| {
                            if !crate::peers::repo::holds(conn, &name, &dest)? {
                                let claimed = crate::peers::repo::claim_streams(conn, &name, now, now + LEASE)?;
                                return Ok(claimed.into_iter().find(|c| c.dest_node == dest));
                            }
                            crate::peers::repo::stream(conn, &dest)
                        })
                        .await?;
                    match still {
                        Some(fresh) => s = fresh,
                        None => return Ok((processed, 0)),
                    }
                }
                Ok(None) => return Ok((processed, 0)),
                Err((error, retry_after)) => {
                    let delay = next_delay(s.attempts, retry_after, &mut rand::thread_rng());
                    let now = self.state.now();
                    tracing::warn!(peer = %s.dest_node, error = %error, "federation delivery failed; will retry");
                    let (name, dest) = (self.name.clone(), s.dest_node.clone());
                    self.state
                        .db_pooled(move |conn| {
                            crate::peers::repo::attempt_failed(conn, &name, &dest, &error, now, now + delay)
                        })
                        .await?;
                    return Ok((processed, 1));
                }
            }
        }
        Ok((processed, 0))
    }

    /// Sends the next batch of a stream and records the receipt: Some((events processed, last
    /// sequence the peer has)), None when there was nothing to send, or the error to retry on.
    async fn deliver_batch(&self, s: &StreamRow) -> Result<Option<(usize, i64)>, (String, Option<TimeDelta>)> {
        let dest = s.dest_node.clone();
        let after = s.acked_seq;
        let loaded = self
            .state
            .db_pooled(move |conn| {
                let peer = crate::peers::service::read(conn, &dest).ok();
                let bodies = crate::peers::repo::events_after(conn, &dest, after, MAX_BATCH as i64)?;
                Ok((peer, bodies))
            })
            .await
            .map_err(|e| (format!("database: {e}"), None))?;
        let (Some(peer), bodies) = loaded else {
            return Err((format!("node {} is not in the peer directory", s.dest_node), None));
        };
        if bodies.is_empty() {
            return Ok(None);
        }
        let mut events = Vec::with_capacity(bodies.len());
        for b in bodies {
            let mut e: Event = serde_json::from_str(&b).map_err(|e| (format!("stored event unreadable: {e}"), None))?;
            e.origin_node = self.state.node.id.clone();
            events.push(e);
        }
        let batch = Batch { origin_node: self.state.node.id.clone(), dest_node: peer.node_id.clone(), events };
        let body = serde_json::to_vec(&batch).map_err(|e| (e.to_string(), None))?;
        let url = format!("{}/fed/v1/events", peer.base_url);
        let receipt_jws = self.post(&url, body).await?;
        let now = self.state.clock.now();
        let Some(payload) = sign::verify_from(&peer, &receipt_jws, now) else {
            return Err(("the receipt is not signed by a key of the peer".into(), None));
        };
        let receipt: Receipt =
            serde_json::from_value(payload).map_err(|e| (format!("the receipt is not valid: {e}"), None))?;
        if receipt.node_id != peer.node_id || receipt.origin_node != self.state.node.id {
            return Err(("the receipt is for another exchange".into(), None));
        }
        let kid = crate::node::jws_kid(&receipt_jws).unwrap_or_default();
        let (name, last_seq) = (self.name.clone(), s.last_seq);
        // Acknowledged: what the receipt answers for, never beyond. A peer that already holds more
        // (it pulled them) answers for those when they are sent, so each gets its outcome and
        // receipt here; one that misses earlier events answers with where to resume.
        let answered = receipt.events.iter().map(|e| e.seq).max();
        let acked = answered.map_or(receipt.last_seq, |m| m.min(receipt.last_seq)).clamp(0, last_seq);
        let processed = receipt.events.iter().filter(|e| e.seq > after).count();
        let peer_id = peer.node_id.clone();
        let at = self.state.now();
        self.state
            .db_pooled(move |conn| record_receipt(conn, &name, &peer_id, &receipt, &receipt_jws, &kid, acked, at))
            .await
            .map_err(|e| (format!("database: {e}"), None))?;
        Ok(Some((processed, acked)))
    }

    /// Posts a signed batch; the receipt JWS, or why not with any `Retry-After`.
    async fn post(&self, url: &str, body: Vec<u8>) -> Result<String, (String, Option<TimeDelta>)> {
        let headers = sign::sign_request(&self.state.node, "POST", url, Some(&body), self.state.clock.now())
            .map_err(|e| (e.to_string(), None))?;
        let mut req = self.client.post(url).header("content-type", "application/json").body(body);
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let res = req.send().await.map_err(|e| (crate::outbound::describe(&e), None))?;
        let status = res.status();
        if !status.is_success() {
            let retry_after = res
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| crate::webhooks::worker::retry_after(v, self.state.clock.now()));
            let text = res.text().await.unwrap_or_default();
            let detail = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v.get("detail").and_then(|d| d.as_str()).map(str::to_string))
                .unwrap_or_default();
            return Err((
                format!("HTTP {}: {}", status.as_u16(), crate::outbound::truncate(&detail, 300)),
                retry_after,
            ));
        }
        let answer: BatchAnswer = res.json().await.map_err(|e| (format!("the answer is not a receipt: {e}"), None))?;
        Ok(answer.receipt)
    }

    /// Fetches this node's stream from `peer` after what was applied from it, applies it, and
    /// goes on until it has everything; the events applied.
    pub async fn pull_from(&self, peer_id: &str) -> Result<usize, ApiError> {
        let mut applied = 0;
        loop {
            let (id, own) = (peer_id.to_string(), self.state.node.id.clone());
            let (peer, after) = self
                .state
                .db_pooled(move |conn| {
                    let peer = crate::peers::service::read(conn, &id)?;
                    Ok((peer, super::repo::last_seq(conn, &id)?))
                })
                .await?;
            let url = format!("{}/fed/v1/streams/{own}/events?after={after}", peer.base_url);
            let pulled = self.fetch(&peer, &url).await?;
            if pulled.events.is_empty() {
                return Ok(applied);
            }
            let (own, origin, now) = (self.state.node.id.clone(), peer.node_id.clone(), self.state.now());
            let events = pulled.events;
            let receipt =
                self.state.db_pooled(move |conn| apply::apply_batch(conn, &own, &origin, &events, now)).await?;
            let n = receipt.events.iter().filter(|e| e.seq > after).count();
            applied += n;
            if n == 0 || receipt.last_seq >= pulled.last_seq {
                return Ok(applied);
            }
        }
    }

    async fn fetch(&self, peer: &Peer, url: &str) -> Result<Pulled, ApiError> {
        let headers = sign::sign_request(&self.state.node, "GET", url, None, self.state.clock.now())?;
        let mut req = self.client.get(url);
        for (k, v) in headers {
            req = req.header(k, v);
        }
        let unavailable = |detail: String| ApiError::Unavailable { detail };
        let res = req.send().await.map_err(|e| unavailable(crate::outbound::describe(&e)))?;
        if !res.status().is_success() {
            return Err(unavailable(format!("{} answered HTTP {}", peer.node_id, res.status().as_u16())));
        }
        let body: serde_json::Value = res.json().await.map_err(|e| unavailable(e.to_string()))?;
        let jws = body.get("events").and_then(|v| v.as_str()).unwrap_or_default();
        let payload = sign::verify_from(peer, jws, self.state.clock.now())
            .ok_or_else(|| unavailable(format!("the events from {} are not signed by its key", peer.node_id)))?;
        serde_json::from_value(payload).map_err(|e| unavailable(e.to_string()))
    }
}

/// Keeps a receipt and what it says of each event, and moves the stream on.
#[allow(clippy::too_many_arguments, reason = "one write of everything a receipt settles, in one transaction")]
fn record_receipt(
    conn: &mut crate::db::AnyConnection,
    worker: &str,
    peer: &str,
    receipt: &Receipt,
    jws: &str,
    kid: &str,
    acked: i64,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    crate::db::write_tx(conn, |conn| {
        crate::peers::repo::insert_receipt(
            conn,
            &ReceiptRow {
                id: receipt.receipt_id.clone(),
                peer_node: peer.to_string(),
                kid: kid.to_string(),
                jws: jws.to_string(),
                last_seq: receipt.last_seq,
                received_at: now,
            },
        )?;
        let issued = crate::db::db_time(receipt.issued_at);
        for o in &receipt.events {
            let Some(row) = crate::peers::repo::set_outcome(
                conn,
                &o.event_id,
                &o.outcome,
                o.reason.as_deref(),
                &receipt.receipt_id,
                now,
            )?
            else {
                continue;
            };
            if o.outcome == "applied" {
                if let Some(n) = &row.notification_id
                    && row.kind != "notification.acknowledged"
                {
                    crate::peers::repo::relay_received(conn, n, &receipt.receipt_id, issued)?;
                }
            } else {
                let why = format!("was refused by node {peer}: {}", o.reason.as_deref().unwrap_or("no reason given"));
                tell_sender(conn, &row, "federation.rejected", &why, now)?;
            }
        }
        crate::peers::repo::acknowledged(conn, worker, peer, acked, Some((&receipt.receipt_id, now)), now)
    })
}

/// A notice in the sending LA's inbox about one of its events; 1 when there was one to tell.
fn tell_sender(
    conn: &mut crate::db::AnyConnection,
    e: &OutboxRow,
    kind: &'static str,
    why: &str,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    let Some(la) = &e.sender_la else {
        return Ok(0);
    };
    let payload = serde_json::json!({
        "event_id": e.event_id,
        "event_type": e.kind,
        "dest_node": e.dest_node,
        "occurred_at": e.occurred_at.and_utc(),
        "notification_id": e.notification_id,
        "reason": format!("The {} event for node {} {why}.", e.kind, e.dest_node),
    });
    let child = e.child_id.clone().map(crate::ids::ChildId::from);
    notify::emit(
        conn,
        notify::Message {
            kind,
            recipient: la,
            sender_type: crate::auth::OrgType::Operator,
            sender: "registry",
            child_id: child.as_ref(),
            placement_id: None,
            payload,
            statutory: None,
        },
        now,
    )?;
    Ok(1)
}

/// Starts the delivery loop (every `federation_poll_ms`; 0 disables it) and a pull from every
/// peer at start and every 10 minutes.
pub fn spawn(state: AppState) {
    let every = state.config.federation_poll_ms;
    if every == 0 {
        return;
    }
    let name = format!("fed-{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let worker = Worker::new(state.clone(), name);
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(Duration::from_millis(every));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_pull: Option<std::time::Instant> = None;
        loop {
            tick.tick().await;
            if last_pull.is_none_or(|t| t.elapsed() > Duration::from_secs(600)) {
                last_pull = Some(std::time::Instant::now());
                let peers = worker.state.db_pooled(crate::peers::service::list).await.unwrap_or_default();
                for p in peers {
                    if let Err(e) = worker.pull_from(&p.node_id).await {
                        tracing::info!(peer = %p.node_id, error = %e, "pull from peer did not complete");
                    }
                }
                let before = worker.state.now() - TimeDelta::seconds(sign::MAX_WINDOW_SECS);
                let _ = worker.state.db_pooled(move |conn| super::repo::prune_nonces(conn, before)).await;
            }
            if let Err(e) = worker.run_once().await {
                tracing::warn!(worker = %worker.name(), error = %e, "federation round failed");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn backoff_starts_at_five_seconds_doubles_its_cap_and_never_passes_an_hour() {
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        for attempts in 0..40 {
            let cap = (5_000i64 << attempts.min(20)).min(3_600_000);
            for _ in 0..50 {
                let d = next_delay(attempts, None, &mut rng).num_milliseconds();
                assert!((5_000..=cap.max(5_000)).contains(&d), "attempt {attempts}: {d} ms outside 5 s..{cap} ms");
            }
        }
        let spread: std::collections::HashSet<i64> =
            (0..50).map(|_| next_delay(10, None, &mut rng).num_seconds()).collect();
        assert!(spread.len() > 20, "full jitter spreads retries");
        assert_eq!(next_delay(3, Some(TimeDelta::seconds(120)), &mut rng), TimeDelta::seconds(120), "Retry-After");
        assert_eq!(next_delay(3, Some(TimeDelta::days(1)), &mut rng), MAX_DELAY, "never more than an hour");
    }
}
