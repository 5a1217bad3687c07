//! Rows of the audit log: chained events, and read events waiting to be chained.

use crate::db::schema::{audit_events, audit_pending};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// An event in the chain: `hash` covers `prev_hash` and the event's fields. An event of one child
/// names it in `child_id`; a read of a page of children lists them in `child_ids`
/// (space-separated, in the order shown).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
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
    pub child_ids: Option<String>,
}

/// A read event, durable but not yet in the chain: of one child (`child_id`), or of a page of
/// children (`child_ids`, space-separated), chained as one event listing them.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_pending)]
pub struct PendingEvent {
    /// UUIDv7, so ids sort in the order events were written.
    pub id: String,
    pub at: NaiveDateTime,
    pub subject: String,
    pub org_type: String,
    pub org: String,
    pub action: String,
    pub child_id: Option<String>,
    pub request_id: Option<String>,
    pub child_ids: Option<String>,
}
