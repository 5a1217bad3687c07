//! The audit log: every read and write of a child's data is recorded (who, organisation,
//! action, child, request id, time). Each event is written durably before the answer is sent: a
//! write's in the write's own transaction, a read's before its answer. Writes' events land in a
//! pending table and the chainer appends them to the chain in order soon after, so no write
//! waits for the chain's lock and none is lost if the process dies. Reads' events go to the
//! pending table too on PostgreSQL (written in the read's own round trip); on SQLite, whose one
//! writer would queue every read behind the last, the reads of many requests are committed
//! together to a journal beside the database and chained from there ([`recorder`]).
//!
//! The chain is keyed: each event's HMAC-SHA256 (with a key derived from the secrets key, which
//! never enters the database) covers the previous one, so editing, deleting, inserting or
//! reordering rows breaks it even for someone who can write to the database. Its head is signed
//! with the node key in checkpoints (stored, exported with `audit checkpoints`, and given to peer
//! nodes in receipts): a truncated or rewound log no longer matches them. A read of a page of
//! children is one event listing them; a child's access log finds the events naming it (alone or
//! on a page) through rows of their own, which the chain does not cover but `placement-registry
//! audit verify` checks against the events, with every link and the checkpoints.

mod chain;
pub mod journal;
pub mod recorder;
pub mod repo;

pub use chain::{Checkpoint, GENESIS, Verdict, chain_pending, chain_pending_in, checkpoint, hash, verify};
pub use recorder::Recorder;

use crate::auth::Caller;
use crate::db::AnyConnection;
use crate::db::rows::audit::PendingEvent;
use crate::error::ApiError;
use crate::ids::ChildId;

/// The key of the chain's HMAC (from the secrets key).
pub type AuditKey = [u8; 32];
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Records a write (one event per child, or one without a child), in the write's transaction.
pub fn record(
    conn: &mut AnyConnection,
    caller: &Caller,
    action: &str,
    children: &[ChildId],
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let targets: Vec<Option<&ChildId>> =
        if children.is_empty() { vec![None] } else { children.iter().map(Some).collect() };
    repo::insert_pending(conn, &pending(caller, action, &targets, now))
}

fn pending(caller: &Caller, action: &str, children: &[Option<&ChildId>], now: NaiveDateTime) -> Vec<PendingEvent> {
    children
        .iter()
        .map(|child| PendingEvent {
            id: uuid::Uuid::now_v7().to_string(),
            at: now,
            subject: caller.sub.clone(),
            org_type: caller.org_type.as_str().to_string(),
            org: caller.org.clone(),
            action: action.to_string(),
            child_id: child.map(|c| c.0.clone()),
            request_id: caller.request_id.clone(),
            child_ids: None,
        })
        .collect()
}

/// Records a read of these children (one event each), durably, before the answer is sent. A
/// read of no child records nothing. When the event cannot be written, the read is refused.
///
/// On SQLite, outside a transaction, under [`recorder::deferring`] (a request's database work),
/// the event is kept for the request's [`Recorder`], which commits it before the answer is sent;
/// otherwise it is written here.
pub fn read(
    conn: &mut AnyConnection,
    caller: &Caller,
    action: &str,
    children: &[ChildId],
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    if children.is_empty() {
        return Ok(());
    }
    let mut events = read_events(caller, action, children, now);
    if matches!(conn, AnyConnection::Sqlite(_)) && !in_transaction(conn) {
        match recorder::defer(events) {
            Ok(()) => return Ok(()),
            Err(back) => events = back,
        }
    }
    repo::insert_pending(conn, &events).map_err(unrecorded)
}

/// Whether the connection is inside a transaction (a read there is written with it; a
/// connection whose transaction state is unknown counts as inside one).
fn in_transaction(conn: &mut AnyConnection) -> bool {
    use diesel::connection::{Connection, TransactionManager};
    !matches!(
        <AnyConnection as Connection>::TransactionManager::transaction_manager_status_mut(conn).transaction_depth(),
        Ok(None)
    )
}

/// The event recording a read of one child, for a read that writes it itself (see
/// `children::repo::read_visible_with_flags`).
pub fn read_event(caller: &Caller, action: &str, child: &ChildId, now: NaiveDateTime) -> PendingEvent {
    let mut events = pending(caller, action, &[Some(child)], now);
    events.swap_remove(0)
}

/// The pending row recording a read of these children: what [`read`] writes, and what a read on
/// an asynchronous connection writes itself with [`repo::insert_pending_pg`]. A read of several
/// children is one row listing them in the order given, chained as one event listing them (each
/// child's access log finds it); a read of none records nothing.
pub fn read_events(caller: &Caller, action: &str, children: &[ChildId], now: NaiveDateTime) -> Vec<PendingEvent> {
    match children {
        [] => Vec::new(),
        [child] => pending(caller, action, &[Some(child)], now),
        many => {
            let mut events = pending(caller, action, &[None], now);
            let ids: Vec<&str> = many.iter().map(|c| c.0.as_str()).collect();
            for e in &mut events {
                e.child_ids = Some(ids.join(" "));
            }
            events
        }
    }
}

/// The answer to a read whose audit event could not be written: the read is refused.
pub fn unrecorded(e: ApiError) -> ApiError {
    tracing::error!(error = %e, "a read could not be recorded in the audit log; refusing it");
    refusal()
}

/// The problem a refused read answers with.
fn refusal() -> ApiError {
    ApiError::Unavailable { detail: "The audit log cannot be written right now; the read was refused.".into() }
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

/// A child's access log (of one record and those merged into it), newest first: pending events
/// are chained first, so it is complete.
pub fn access_log(
    conn: &mut AnyConnection,
    key: &AuditKey,
    child_ids: &[ChildId],
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AccessEntry>, ApiError> {
    chain_pending(conn, key)?;
    let ids: Vec<&str> = child_ids.iter().map(ChildId::as_str).collect();
    Ok(repo::of_child(conn, &ids, before, limit + 1)?
        .into_iter()
        .map(|e| AccessEntry {
            seq: e.seq,
            at: e.at.and_utc(),
            subject: e.subject,
            org_type: e.org_type,
            org: e.org,
            action: e.action,
            request_id: e.request_id,
        })
        .collect())
}
