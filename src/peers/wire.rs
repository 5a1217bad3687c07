//! What nodes send each other: events (immutable, thin: ids, codes, dates and the fields the
//! receiver may store), batches of them, and the receipts that answer a batch.

use crate::db::rows::missing::EpisodeRecord;
use crate::db::rows::notifications::NotificationRow;
use crate::db::rows::placements::{LegalStatusRow, PlacementRecord};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// The largest batch a sender posts (and a receiver takes).
pub const MAX_BATCH: usize = 100;

/// One event on a stream from `origin_node` to `dest_node`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// UUIDv7, unique per origin.
    pub event_id: String,
    pub origin_node: String,
    pub dest_node: String,
    /// Position on the stream, from 1, without gaps.
    pub seq: i64,
    pub occurred_at: DateTime<Utc>,
    /// `placement.started`, `child.updated`, `episode.updated`, `notification.acknowledged`, a
    /// notification's own type, ...
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_id: Option<String>,
    /// The previous event about this child on this stream, so the receiver applies per child in
    /// order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prev_event_id: Option<String>,
    /// The LA the event speaks for (for a home, the LA its setting is in): the receiver checks
    /// that the origin node homes it.
    pub authority: String,
    pub data: EventData,
}

/// The records an event carries; the receiver applies each part present.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child: Option<ChildSnapshot>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<PlacementSnapshot>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub episode: Option<EpisodeRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification: Option<NotificationRow>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledgement: Option<Acknowledgement>,
}

/// What a host LA may see of a child (DESIGN §6): identity and placing LA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChildSnapshot {
    pub id: String,
    pub responsible_la: String,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub sex: String,
    pub version: i64,
}

/// A placement in the host LA's area, with its legal statuses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlacementSnapshot {
    pub placement: PlacementRecord,
    pub legal_statuses: Vec<LegalStatusRow>,
}

/// A notification acknowledged by its recipient on the receiver's node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Acknowledgement {
    pub notification_id: String,
    pub acknowledged_at: DateTime<Utc>,
    pub acknowledged_by: String,
}

/// A batch of events, posted to `/fed/v1/events` or answered to a pull.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Batch {
    pub origin_node: String,
    pub dest_node: String,
    pub events: Vec<Event>,
}

/// What the receiver did with one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventOutcome {
    pub event_id: String,
    pub seq: i64,
    /// `applied` or `rejected` (for good: the sender's LA is told the reason).
    pub outcome: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The signed answer to a batch: a JWS (typ `registry-receipt`) of this, by the receiver's
/// node key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Receipt {
    pub receipt_id: String,
    /// The receiver.
    pub node_id: String,
    /// The sender.
    pub origin_node: String,
    pub issued_at: DateTime<Utc>,
    /// The last sequence number of the sender's stream the receiver has processed: the sender
    /// resumes after it.
    pub last_seq: i64,
    pub events: Vec<EventOutcome>,
    /// The receiver's audit log head when it answered.
    pub audit_head: AuditHead,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
}

/// The answer to `/fed/v1/events`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BatchAnswer {
    /// The receipt, a compact JWS.
    pub receipt: String,
}

/// The answer to a pull.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pulled {
    pub events: Vec<Event>,
    /// The last sequence number on the stream (more to pull when beyond the last event).
    pub last_seq: i64,
}
