use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Whether a placement notification met the law (reg 13(4) for starts, reg 14 for ends).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StatutoryStatus {
    /// `13(4)` (placement start) or `14` (placement end).
    pub regulation: String,
    /// The start or end date the notice was about.
    pub event_date: NaiveDate,
    pub emergency: bool,
    /// Last day notice could be given on time.
    pub due_by: NaiveDate,
    /// `on_time` or `late`.
    pub status: String,
    /// Working days late (0 when on time).
    pub late_by_working_days: i64,
}

/// A message to one LA. Carries ids, codes and dates only; fetch more through the API.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Notification {
    pub id: String,
    /// The notification type (see `NotificationType`): `placement.started`, `placement.changed`,
    /// `placement.ended`, `admission.recorded`, `admission.matched`, `return.queried`,
    /// `child.transferred`, `child.merged`, the alerts `return_interview.overdue`,
    /// `missing.long`, `return.late`, ..., and `federation.delayed`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// The recipient LA (absent when the recipient is a provider).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient_la: Option<String>,
    /// `authority` or `provider`: who the notification is for.
    pub recipient_org_type: String,
    /// The recipient: an LA's ONS code or a provider's registry id.
    pub recipient_org: String,
    /// `authority` or `provider`, or `registry` for alerts the registry raises from its clocks
    /// (then `sender_org` is the LA the alert speaks for).
    pub sender_org_type: String,
    pub sender_org: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement_id: Option<String>,
    /// The ids and codes the notification concerns.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statutory: Option<StatutoryStatus>,
    pub created_at: DateTime<Utc>,
    /// First delivery to the LA (webhook or inbox).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged_by: Option<String>,
    /// Last working day to acknowledge before it is overdue.
    pub acknowledgement_due_by: NaiveDate,
    pub acknowledgement_overdue: bool,
    /// Undelivered for more than 24 hours: the sender should chase it by other means.
    pub escalated: bool,
    /// For a notification that crossed registry nodes: the other node, and for one sent there,
    /// when that node received it and the id of the receipt it signed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relay: Option<Relay>,
}

/// A notification's passage between registry nodes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Relay {
    /// `out`: sent to the recipient's node; `in`: came from the sender's node.
    pub direction: String,
    /// The other node.
    pub node: String,
    /// When the recipient's node received it (by its receipt).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received_at: Option<DateTime<Utc>>,
    /// The receipt that node signed (`GET /v1/federation/receipts/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receipt_id: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NotificationQuery {
    /// Only this type.
    #[serde(rename = "type")]
    #[param(rename = "type", inline)]
    pub kind: Option<NotificationType>,
    /// Only acknowledged (true) or unacknowledged (false) ones.
    pub acknowledged: Option<bool>,
    /// Only those created at or after this instant: RFC 3339 (`2026-11-01T00:00:00Z`), or a date
    /// alone for the start of that day in England.
    #[param(value_type = Option<String>, example = "2026-11-01T00:00:00Z")]
    pub since: Option<crate::http::query::Instant>,
    /// Only unacknowledged ones past the acknowledgement deadline.
    pub acknowledgement_overdue: Option<bool>,
    /// Only those undelivered for more than 24 hours.
    pub escalated: Option<bool>,
    /// Only those about this placement.
    pub placement_id: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The types of notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum NotificationType {
    #[serde(rename = "placement.started")]
    PlacementStarted,
    #[serde(rename = "placement.changed")]
    PlacementChanged,
    #[serde(rename = "placement.ended")]
    PlacementEnded,
    #[serde(rename = "admission.recorded")]
    AdmissionRecorded,
    #[serde(rename = "admission.unmatched")]
    AdmissionUnmatched,
    #[serde(rename = "discharge.recorded")]
    DischargeRecorded,
    #[serde(rename = "discharge.unmatched")]
    DischargeUnmatched,
    #[serde(rename = "missing.started")]
    MissingStarted,
    #[serde(rename = "missing.ended")]
    MissingEnded,
    #[serde(rename = "return.submitted")]
    ReturnSubmitted,
    /// Responsibility for a child passed from one LA to another (to both).
    #[serde(rename = "child.transferred")]
    ChildTransferred,
    /// Two records of one child were merged into one (to the LAs that held them).
    #[serde(rename = "child.merged")]
    ChildMerged,
    /// An event for another registry node has not reached it for 24 hours.
    #[serde(rename = "federation.delayed")]
    FederationDelayed,
    /// An event for another registry node is undeliverable after 5 days (still retried).
    #[serde(rename = "federation.undeliverable")]
    FederationUndeliverable,
    /// Another registry node refused an event for good, with its reason.
    #[serde(rename = "federation.rejected")]
    FederationRejected,
    /// A home's admission or discharge was matched to the placing LA's placement (to the provider).
    #[serde(rename = "admission.matched")]
    AdmissionMatched,
    /// The host LA queried a quarterly return (to the provider).
    #[serde(rename = "return.queried")]
    ReturnQueried,
    /// The host LA accepted a quarterly return (to the provider).
    #[serde(rename = "return.accepted")]
    ReturnAccepted,
    /// A setting's quarterly return is due within 7 days and not yet submitted (to the provider and the host LA).
    #[serde(rename = "return.due_soon")]
    ReturnDueSoon,
    /// A setting's quarterly return was not submitted by its due date (to the provider and the host LA).
    #[serde(rename = "return.late")]
    ReturnLate,
    /// A setting's quarterly return is still not submitted 28 days after its due date (to the provider and the host LA).
    #[serde(rename = "return.missing")]
    ReturnMissing,
    /// No return interview recorded 72 hours after a child's return (to the placing and the host LA).
    #[serde(rename = "return_interview.overdue")]
    ReturnInterviewOverdue,
    /// A child has been missing longer than the configured hours, 24 by default (to the placing and the host LA).
    #[serde(rename = "missing.long")]
    MissingLong,
    /// A child newly has 3 or more missing episodes starting within 90 days (to the placing and the host LA).
    #[serde(rename = "child.repeat_missing")]
    ChildRepeatMissing,
    /// A notification the recipient has not acknowledged by its deadline (to its sender).
    #[serde(rename = "notification.acknowledgement_overdue")]
    NotificationAcknowledgementOverdue,
    /// A notification undelivered (neither by webhook nor inbox) 24 hours after it was written (to its sender).
    #[serde(rename = "notification.undelivered")]
    NotificationUndelivered,
}

impl NotificationType {
    pub const ALL: &'static [NotificationType] = &[
        NotificationType::PlacementStarted,
        NotificationType::PlacementChanged,
        NotificationType::PlacementEnded,
        NotificationType::AdmissionRecorded,
        NotificationType::AdmissionUnmatched,
        NotificationType::DischargeRecorded,
        NotificationType::DischargeUnmatched,
        NotificationType::MissingStarted,
        NotificationType::MissingEnded,
        NotificationType::ReturnSubmitted,
        NotificationType::ChildTransferred,
        NotificationType::ChildMerged,
        NotificationType::FederationDelayed,
        NotificationType::FederationUndeliverable,
        NotificationType::FederationRejected,
        NotificationType::AdmissionMatched,
        NotificationType::ReturnQueried,
        NotificationType::ReturnAccepted,
        NotificationType::ReturnDueSoon,
        NotificationType::ReturnLate,
        NotificationType::ReturnMissing,
        NotificationType::ReturnInterviewOverdue,
        NotificationType::MissingLong,
        NotificationType::ChildRepeatMissing,
        NotificationType::NotificationAcknowledgementOverdue,
        NotificationType::NotificationUndelivered,
    ];

    /// The type as written in notifications, webhooks and filters.
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationType::PlacementStarted => "placement.started",
            NotificationType::PlacementChanged => "placement.changed",
            NotificationType::PlacementEnded => "placement.ended",
            NotificationType::AdmissionRecorded => "admission.recorded",
            NotificationType::AdmissionUnmatched => "admission.unmatched",
            NotificationType::DischargeRecorded => "discharge.recorded",
            NotificationType::DischargeUnmatched => "discharge.unmatched",
            NotificationType::MissingStarted => "missing.started",
            NotificationType::MissingEnded => "missing.ended",
            NotificationType::ReturnSubmitted => "return.submitted",
            NotificationType::ChildTransferred => "child.transferred",
            NotificationType::ChildMerged => "child.merged",
            NotificationType::FederationDelayed => "federation.delayed",
            NotificationType::FederationUndeliverable => "federation.undeliverable",
            NotificationType::FederationRejected => "federation.rejected",
            NotificationType::AdmissionMatched => "admission.matched",
            NotificationType::ReturnQueried => "return.queried",
            NotificationType::ReturnAccepted => "return.accepted",
            NotificationType::ReturnDueSoon => "return.due_soon",
            NotificationType::ReturnLate => "return.late",
            NotificationType::ReturnMissing => "return.missing",
            NotificationType::ReturnInterviewOverdue => "return_interview.overdue",
            NotificationType::MissingLong => "missing.long",
            NotificationType::ChildRepeatMissing => "child.repeat_missing",
            NotificationType::NotificationAcknowledgementOverdue => "notification.acknowledgement_overdue",
            NotificationType::NotificationUndelivered => "notification.undelivered",
        }
    }
}
