//! The audit log: every read and write of a child's data appends an event (who, organisation,
//! action, child, request id, time), in the same transaction as a write. Events are hash-chained:
//! each hash covers the previous one, so editing, deleting, inserting or reordering rows breaks
//! the chain, and `placement-registry audit verify` finds the first broken link.

use crate::auth::Caller;
use crate::db::AnyConnection;
use crate::db::schema::{audit_events as ev, audit_head as head};
use crate::error::ApiError;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields an event's hash covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub seq: i64,
    pub at: NaiveDateTime,
    pub subject: String,
    pub org_type: String,
    pub org: String,
    pub action: String,
    pub child_id: Option<String>,
    pub request_id: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// SHA-256 over the previous hash and the event's fields, each length-prefixed.
pub fn hash(prev: &str, e: &Event) -> String {
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

/// Appends one event per child (or one without a child) to the chain, in the caller's
/// transaction. Taking the head row's lock first serialises appends across processes.
pub fn record(
    conn: &mut AnyConnection,
    caller: &Caller,
    action: &str,
    children: &[String],
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    append(conn, &[Entry { caller, action, children, at: now }])
}

/// Who did what to which children, and when: one event per child, or one without a child.
struct Entry<'a> {
    caller: &'a Caller,
    action: &'a str,
    children: &'a [String],
    at: NaiveDateTime,
}

/// Rows per `INSERT` (10 values each, well under both backends' limits on bound values).
const INSERT_ROWS: usize = 1_000;

/// Appends the events of `entries`, in order, to the chain in the caller's transaction: the
/// head row is locked and read once, the events hashed in memory and inserted many rows at a
/// time, and the head moved once.
fn append(conn: &mut AnyConnection, entries: &[Entry<'_>]) -> Result<(), ApiError> {
    diesel::update(head::table.find(1i64)).set(head::seq.eq(head::seq)).execute(conn)?;
    let (mut seq, mut prev): (i64, String) = head::table.find(1i64).select((head::seq, head::hash)).first(conn)?;
    let mut rows = Vec::with_capacity(entries.iter().map(|e| e.children.len().max(1)).sum());
    for entry in entries {
        let targets: Vec<Option<&String>> =
            if entry.children.is_empty() { vec![None] } else { entry.children.iter().map(Some).collect() };
        for child in targets {
            seq += 1;
            let mut e = Event {
                seq,
                at: entry.at,
                subject: entry.caller.sub.clone(),
                org_type: entry.caller.org_type.as_str().to_string(),
                org: entry.caller.org.clone(),
                action: entry.action.to_string(),
                child_id: child.cloned(),
                request_id: entry.caller.request_id.clone(),
                prev_hash: prev.clone(),
                hash: String::new(),
            };
            e.hash = hash(&prev, &e);
            prev = e.hash.clone();
            rows.push(e);
        }
    }
    for chunk in rows.chunks(INSERT_ROWS) {
        let values: Vec<_> = chunk
            .iter()
            .map(|e| {
                (
                    ev::seq.eq(e.seq),
                    ev::at.eq(e.at),
                    ev::subject.eq(&e.subject),
                    ev::org_type.eq(&e.org_type),
                    ev::org.eq(&e.org),
                    ev::action.eq(&e.action),
                    ev::child_id.eq(&e.child_id),
                    ev::request_id.eq(&e.request_id),
                    ev::prev_hash.eq(&e.prev_hash),
                    ev::hash.eq(&e.hash),
                )
            })
            .collect();
        match conn {
            AnyConnection::Postgresql(c) => {
                diesel::insert_into(ev::table).values(values).execute(c)?;
            }
            AnyConnection::Sqlite(c) => {
                diesel::insert_into(ev::table).values(values).execute(c)?;
            }
        }
    }
    diesel::update(head::table.find(1i64)).set((head::seq.eq(seq), head::hash.eq(&prev))).execute(conn)?;
    Ok(())
}

/// Read events waiting to be chained. Reads do not take the chain's lock on the request path:
/// they are buffered here and appended in batches by [`ReadBuffer::flush`] (every few hundred
/// milliseconds by the server, and before the access log is served). Writes are recorded in their
/// own transaction by [`record`].
/// A queued read: who, the action, the children, when.
type PendingRead = (Caller, String, Vec<String>, NaiveDateTime);

#[derive(Default)]
pub struct ReadBuffer {
    pending: std::sync::Mutex<Vec<PendingRead>>,
}

impl ReadBuffer {
    /// Queues read events (one per child).
    pub fn push(&self, caller: &Caller, action: &str, children: &[String], now: NaiveDateTime) -> Result<(), ApiError> {
        let mut p = self.pending.lock().map_err(|_| ApiError::internal("audit buffer poisoned"))?;
        p.push((caller.clone(), action.to_string(), children.to_vec(), now));
        Ok(())
    }

    /// Appends every read event queued so far to the chain, in order, in transactions of at
    /// most [`FLUSH_EVENTS`] events so that writes waiting for the chain's lock are not held up
    /// behind a long backlog. What a failed transaction did not store goes back to the front
    /// of the queue.
    pub fn flush(&self, conn: &mut AnyConnection) -> Result<usize, ApiError> {
        self.flush_in(conn, FLUSH_EVENTS)
    }

    /// [`ReadBuffer::flush`] with at most `max_events` events per transaction (and at least
    /// one queued read).
    pub fn flush_in(&self, conn: &mut AnyConnection, max_events: usize) -> Result<usize, ApiError> {
        let batch = {
            let mut p = self.pending.lock().map_err(|_| ApiError::internal("audit buffer poisoned"))?;
            std::mem::take(&mut *p)
        };
        let mut done = 0;
        while done < batch.len() {
            let mut end = done;
            let mut events = 0;
            while end < batch.len() && (end == done || events + batch[end].2.len().max(1) <= max_events) {
                events += batch[end].2.len().max(1);
                end += 1;
            }
            let entries: Vec<Entry<'_>> = batch[done..end]
                .iter()
                .map(|(caller, action, children, at)| Entry { caller, action, children, at: *at })
                .collect();
            if let Err(e) = crate::db::write_tx(conn, |conn| append(conn, &entries)) {
                // Put the rest back so a passing fault loses nothing.
                if let Ok(mut p) = self.pending.lock() {
                    let newer = std::mem::take(&mut *p);
                    *p = batch[done..].to_vec();
                    p.extend(newer);
                }
                return Err(e);
            }
            done = end;
        }
        Ok(done)
    }
}

/// Most read events appended in one transaction by [`ReadBuffer::flush`].
pub const FLUSH_EVENTS: usize = 5_000;

/// The outcome of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Intact { events: i64 },
    Broken { seq: i64, reason: String },
}

/// Walks the chain in order and reports the first broken link.
pub fn verify(conn: &mut AnyConnection) -> Result<Verdict, ApiError> {
    let (head_seq, head_hash): (i64, String) = head::table.find(1i64).select((head::seq, head::hash)).first(conn)?;
    let mut expected_seq = 1i64;
    let mut prev = GENESIS.to_string();
    let mut after = 0i64;
    loop {
        type R = (i64, NaiveDateTime, String, String, String, String, Option<String>, Option<String>, String, String);
        let batch: Vec<R> = ev::table.filter(ev::seq.gt(after)).order(ev::seq.asc()).limit(5000).load(conn)?;
        if batch.is_empty() {
            break;
        }
        for r in batch {
            let e = Event {
                seq: r.0,
                at: r.1,
                subject: r.2,
                org_type: r.3,
                org: r.4,
                action: r.5,
                child_id: r.6,
                request_id: r.7,
                prev_hash: r.8,
                hash: r.9,
            };
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

/// One entry of a child's access log.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AccessEntry {
    pub seq: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    /// Who: the token's subject.
    pub subject: String,
    pub org_type: String,
    pub org: String,
    /// e.g. `child.read`, `placement.create`, `host_view.read`.
    pub action: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

pub fn access_log(
    conn: &mut AnyConnection,
    child_id: &str,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AccessEntry>, ApiError> {
    let mut q = ev::table
        .filter(ev::child_id.eq(child_id))
        .select((ev::seq, ev::at, ev::subject, ev::org_type, ev::org, ev::action, ev::request_id))
        .into_boxed();
    if let Some(b) = before {
        q = q.filter(ev::seq.lt(b));
    }
    type Row = (i64, NaiveDateTime, String, String, String, String, Option<String>);
    let rows: Vec<Row> = q.order(ev::seq.desc()).limit(limit + 1).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| AccessEntry {
            seq: r.0,
            at: r.1.and_utc(),
            subject: r.2,
            org_type: r.3,
            org: r.4,
            action: r.5,
            request_id: r.6,
        })
        .collect())
}
