//! The audit log: every read and write of a child's data is recorded (who, organisation,
//! action, child, request id, time). A write's event is appended to the chain in the write's own
//! transaction; a read's event is written durably in the read's own database call, to a pending
//! table, and appended to the chain in order soon after by the chainer, so a read never waits for
//! the chain's lock and none is lost if the process dies. Events are hash-chained: each hash
//! covers the previous one, so editing, deleting, inserting or reordering rows breaks the chain,
//! and `placement-registry audit verify` finds the first broken link.

mod chain;
pub mod repo;

pub use chain::{GENESIS, Verdict, chain_pending, chain_pending_in, hash, verify};

use crate::auth::Caller;
use crate::db::AnyConnection;
use crate::db::rows::audit::PendingEvent;
use crate::error::ApiError;
use crate::ids::ChildId;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Appends one event per child (or one without a child) to the chain, in the caller's
/// transaction: for writes.
pub fn record(
    conn: &mut AnyConnection,
    caller: &Caller,
    action: &str,
    children: &[ChildId],
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    chain::append(conn, &[chain::Entry { caller, action, children, at: now }])
}

/// Records a read of these children (one event each), durably, before the answer is sent; the
/// chainer appends it to the chain later. A read of no child records nothing.
pub fn read(
    conn: &mut AnyConnection,
    caller: &Caller,
    action: &str,
    children: &[ChildId],
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let events: Vec<PendingEvent> = children
        .iter()
        .map(|child| PendingEvent {
            id: uuid::Uuid::now_v7().to_string(),
            at: now,
            subject: caller.sub.clone(),
            org_type: caller.org_type.as_str().to_string(),
            org: caller.org.clone(),
            action: action.to_string(),
            child_id: Some(child.0.clone()),
            request_id: caller.request_id.clone(),
        })
        .collect();
    if events.is_empty() {
        return Ok(());
    }
    repo::insert_pending(conn, &events).map_err(|e| {
        tracing::error!(error = %e, "a read could not be recorded in the audit log; refusing it");
        ApiError::Unavailable { detail: "The audit log cannot be written right now; the read was refused.".into() }
    })
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

/// A child's access log, newest first: pending reads are chained first, so it is complete.
pub fn access_log(
    conn: &mut AnyConnection,
    child_id: &ChildId,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AccessEntry>, ApiError> {
    chain_pending(conn)?;
    Ok(repo::of_child(conn, child_id.as_str(), before, limit + 1)?
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
