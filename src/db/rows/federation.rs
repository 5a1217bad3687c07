//! Rows of the federation tables: peers, streams, the outbox, receipts, the inbox, relays.

use crate::db::schema::{
    federation_inbox, federation_outbox, federation_peers, federation_receipts, federation_streams, notification_relays,
};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A peer node as stored; `keys` is a JSON list of its public keys.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = federation_peers)]
pub struct PeerRow {
    pub node_id: String,
    pub base_url: String,
    pub keys: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The stream of events to one destination node.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = federation_streams)]
pub struct StreamRow {
    pub dest_node: String,
    /// The last sequence number given to an event.
    pub last_seq: i64,
    /// The last sequence number the destination has processed, by its receipts.
    pub acked_seq: i64,
    /// Failed attempts since the last success.
    pub attempts: i64,
    pub next_attempt_at: NaiveDateTime,
    pub locked_by: Option<String>,
    pub locked_until: Option<NaiveDateTime>,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub last_receipt_id: Option<String>,
    pub last_receipt_at: Option<NaiveDateTime>,
}

/// An event for another node.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = federation_outbox)]
pub struct OutboxRow {
    pub event_id: String,
    pub dest_node: String,
    pub seq: i64,
    pub kind: String,
    pub child_id: Option<String>,
    /// The local LA told when the event is late, undeliverable or rejected.
    pub sender_la: Option<String>,
    pub notification_id: Option<String>,
    /// The event as sent (JSON), immutable.
    pub body: String,
    pub occurred_at: NaiveDateTime,
    /// `pending`, `applied` or `rejected`.
    pub status: String,
    pub reason: Option<String>,
    pub receipt_id: Option<String>,
    pub processed_at: Option<NaiveDateTime>,
    pub escalated_at: Option<NaiveDateTime>,
    pub undeliverable_at: Option<NaiveDateTime>,
}

/// A receipt a peer signed.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = federation_receipts)]
pub struct ReceiptRow {
    pub id: String,
    pub peer_node: String,
    pub kid: String,
    pub jws: String,
    pub last_seq: i64,
    pub received_at: NaiveDateTime,
}

/// An event this node processed from a peer.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = federation_inbox)]
pub struct InboxRow {
    pub origin_node: String,
    pub event_id: String,
    pub seq: i64,
    pub kind: String,
    /// `applied` or `rejected`.
    pub outcome: String,
    pub reason: Option<String>,
    pub processed_at: NaiveDateTime,
}

/// A notification that crossed nodes.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = notification_relays)]
pub struct RelayRow {
    pub notification_id: String,
    /// `out` (to the recipient's node) or `in` (from the sender's).
    pub direction: String,
    pub peer_node: String,
    pub received_at: Option<NaiveDateTime>,
    pub receipt_id: Option<String>,
}
