//! The hash chain: appending events in order under the head's lock, chaining pending reads, and
//! verifying the whole chain.

use super::repo;
use crate::auth::Caller;
use crate::db::AnyConnection;
use crate::db::rows::audit::AuditEvent;
use crate::error::ApiError;
use crate::ids::ChildId;
use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// SHA-256 over the previous hash and the event's fields, each length-prefixed.
pub fn hash(prev: &str, e: &AuditEvent) -> String {
    let mut h = Sha256::new();
    for part in [
        prev,
        &e.seq.to_string(),
        &e.at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        &e.subject,
        &e.org_type,
        &e.org,
        &e.action,
        e.child_id.as_deref().unwrap_or(""),
        e.request_id.as_deref().unwrap_or(""),
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Who did what to which children, and when: one event per child, or one without a child.
pub(super) struct Entry<'a> {
    pub caller: &'a Caller,
    pub action: &'a str,
    pub children: &'a [ChildId],
    pub at: NaiveDateTime,
}

/// The fields of an event before it is placed in the chain.
struct Unchained {
    at: NaiveDateTime,
    subject: String,
    org_type: String,
    org: String,
    action: String,
    child_id: Option<String>,
    request_id: Option<String>,
}

/// Appends events, in order, in the caller's transaction: the head row is locked and read once,
/// the events hashed in memory and inserted many rows at a time, and the head moved once.
fn append_all(conn: &mut AnyConnection, events: Vec<Unchained>) -> Result<(), ApiError> {
    if events.is_empty() {
        return Ok(());
    }
    let (mut seq, mut prev) = repo::lock_head(conn)?;
    let mut rows = Vec::with_capacity(events.len());
    for u in events {
        seq += 1;
        let mut e = AuditEvent {
            seq,
            at: u.at,
            subject: u.subject,
            org_type: u.org_type,
            org: u.org,
            action: u.action,
            child_id: u.child_id,
            request_id: u.request_id,
            prev_hash: prev.clone(),
            hash: String::new(),
        };
        e.hash = hash(&prev, &e);
        prev = e.hash.clone();
        rows.push(e);
    }
    repo::insert_events(conn, &rows)?;
    repo::set_head(conn, seq, &prev)
}

pub(super) fn append(conn: &mut AnyConnection, entries: &[Entry<'_>]) -> Result<(), ApiError> {
    let mut events = Vec::new();
    for entry in entries {
        let targets: Vec<Option<&ChildId>> =
            if entry.children.is_empty() { vec![None] } else { entry.children.iter().map(Some).collect() };
        for child in targets {
            events.push(Unchained {
                at: entry.at,
                subject: entry.caller.sub.clone(),
                org_type: entry.caller.org_type.as_str().to_string(),
                org: entry.caller.org.clone(),
                action: entry.action.to_string(),
                child_id: child.map(|c| c.0.clone()),
                request_id: entry.caller.request_id.clone(),
            });
        }
    }
    append_all(conn, events)
}

/// Most pending read events appended in one transaction, so that writes waiting for the chain's
/// lock are not held up behind a long backlog.
pub const CHAIN_BATCH: i64 = 5_000;

/// Appends every pending read event to the chain, oldest first, in transactions of at most
/// [`CHAIN_BATCH`] events, each deleting from the pending table what it chained. Returns how
/// many were chained. Safe to run from several processes at once: the head's lock orders them.
pub fn chain_pending(conn: &mut AnyConnection) -> Result<usize, ApiError> {
    chain_pending_in(conn, CHAIN_BATCH)
}

pub fn chain_pending_in(conn: &mut AnyConnection, batch: i64) -> Result<usize, ApiError> {
    let mut done = 0;
    loop {
        let n = crate::db::write_tx(conn, |conn| {
            // The head's lock first: two chainers never take the same pending rows.
            repo::lock_head(conn)?;
            let pending = repo::oldest_pending(conn, batch)?;
            let ids: Vec<String> = pending.iter().map(|p| p.id.clone()).collect();
            let events = pending
                .into_iter()
                .map(|p| Unchained {
                    at: p.at,
                    subject: p.subject,
                    org_type: p.org_type,
                    org: p.org,
                    action: p.action,
                    child_id: p.child_id,
                    request_id: p.request_id,
                })
                .collect();
            append_all(conn, events)?;
            repo::delete_pending(conn, &ids)?;
            Ok::<_, ApiError>(ids.len())
        })?;
        done += n;
        if (n as i64) < batch {
            return Ok(done);
        }
    }
}

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Intact { events: i64 },
    Broken { seq: i64, reason: String },
}

/// Chains pending reads, then walks the chain in order and reports the first broken link.
pub fn verify(conn: &mut AnyConnection) -> Result<Verdict, ApiError> {
    chain_pending(conn)?;
    let (head_seq, head_hash) = repo::head(conn)?;
    let mut expected_seq = 1i64;
    let mut prev = GENESIS.to_string();
    let mut after = 0i64;
    loop {
        let batch = repo::events_after(conn, after, 5000)?;
        if batch.is_empty() {
            break;
        }
        for e in batch {
            after = e.seq;
            if e.seq != expected_seq {
                return Ok(Verdict::Broken {
                    seq: expected_seq,
                    reason: format!("event {expected_seq} is missing (next stored is {})", e.seq),
                });
            }
            if e.prev_hash != prev {
                return Ok(Verdict::Broken { seq: e.seq, reason: "does not follow the previous event".into() });
            }
            if hash(&prev, &e) != e.hash {
                return Ok(Verdict::Broken { seq: e.seq, reason: "its contents do not match its hash".into() });
            }
            prev = e.hash;
            expected_seq += 1;
        }
    }
    let last = expected_seq - 1;
    if last != head_seq || prev != head_hash {
        return Ok(Verdict::Broken {
            seq: last + 1,
            reason: format!("the log ends at {last} but {head_seq} events were written"),
        });
    }
    Ok(Verdict::Intact { events: last })
}
