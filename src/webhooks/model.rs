//! What the webhook endpoints take and show.

use crate::db::rows::webhooks::{AttemptRow, DeliveryRow, EndpointRow};
use crate::error::ApiError;
use crate::http::PageQuery;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The notification types an endpoint may subscribe to; `*` stands for all of them.
pub const EVENT_TYPES: &[&str] = &[
    "placement.started",
    "placement.changed",
    "placement.ended",
    "admission.recorded",
    "admission.unmatched",
    "discharge.recorded",
    "discharge.unmatched",
    "missing.started",
    "missing.ended",
    "return.submitted",
    "child.transferred",
    "child.merged",
    "admission.matched",
    "return.queried",
    "return.accepted",
    "return.due_soon",
    "return.late",
    "return.missing",
    "return_interview.overdue",
    "missing.long",
    "child.repeat_missing",
    "notification.acknowledgement_overdue",
    "notification.undelivered",
    "federation.delayed",
    "federation.undeliverable",
    "federation.rejected",
];

/// The organisation that owns webhook endpoints: an LA or a provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// `authority` or `provider`.
    pub org_type: &'static str,
    pub org: String,
}

impl Owner {
    /// The caller's organisation, when it is an LA or a provider holding `scope`.
    pub fn of(caller: &crate::auth::Caller, scope: &str) -> Result<Owner, ApiError> {
        let org = caller.recipient(scope)?.to_string();
        Ok(Owner { org_type: caller.org_type.as_str(), org })
    }
}

/// A webhook endpoint to register.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewWebhook {
    /// Where to POST notifications: an `https://` URL without user name or password. Plain
    /// `http://` is accepted only for a loopback host (127.0.0.1, ::1, localhost) in development mode.
    #[schema(example = "https://cms.leeds.example/hooks/placement-registry")]
    pub url: String,
    /// Notification types to deliver (`placement.started`, `placement.changed`, `placement.ended`,
    /// `admission.recorded`, `admission.unmatched`, `admission.matched`, `discharge.recorded`,
    /// `discharge.unmatched`, `missing.started`, `missing.ended`, `return.submitted`,
    /// `return.queried`, `return.accepted`, `child.transferred`, `child.merged`, the alerts
    /// `return.due_soon`, `return.late`, `return.missing`, `return_interview.overdue`,
    /// `missing.long`, `child.repeat_missing`, `notification.acknowledgement_overdue`,
    /// `notification.undelivered`, and `federation.delayed`, `federation.undeliverable`,
    /// `federation.rejected`), or `["*"]` for every type.
    #[schema(example = json!(["placement.started", "placement.ended"]))]
    pub event_types: Vec<String>,
}

/// A webhook endpoint of an LA or a provider. The signing secret is never shown again after
/// registration.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Webhook {
    pub id: String,
    /// ONS code of the LA that owns the endpoint (absent for a provider's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    /// `authority` or `provider`: the kind of organisation that owns the endpoint.
    pub owner_org_type: String,
    /// The owner: an LA's ONS code or a provider's registry id.
    pub owner_org: String,
    pub url: String,
    /// Notification types delivered, or `["*"]`.
    pub event_types: Vec<String>,
    pub created_at: DateTime<Utc>,
    /// When the endpoint was disabled; nothing is delivered to it since.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_at: Option<DateTime<Utc>>,
}

/// A newly registered endpoint, with its signing secret.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// The signing secret, shown this once: `whsec_` followed by the base64 of 32 random bytes.
    /// The HMAC key is the base64-decoded part after `whsec_`.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw8f7eU5Y3EfM=")]
    pub secret: String,
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Not delivered yet; retried until it is (see `next_attempt_at`).
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// The endpoint refused it for good (4xx other than 408 and 429); not retried.
    Failed,
    /// The endpoint was disabled before it was delivered.
    Cancelled,
}

impl DeliveryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
            DeliveryStatus::Cancelled => "cancelled",
        }
    }
    pub fn parse(s: &str) -> Option<DeliveryStatus> {
        match s {
            "pending" => Some(DeliveryStatus::Pending),
            "delivered" => Some(DeliveryStatus::Delivered),
            "failed" => Some(DeliveryStatus::Failed),
            "cancelled" => Some(DeliveryStatus::Cancelled),
            _ => None,
        }
    }
}

/// One try at sending a delivery.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Attempt {
    pub attempted_at: DateTime<Utc>,
    /// The HTTP status the endpoint answered, when it answered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_code: Option<u16>,
    /// What went wrong (no answer, timeout, refused URL, non-2xx status).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// How long the request took, in milliseconds.
    pub duration_ms: i64,
}

/// One notification on its way to one endpoint, with every attempt so far.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Delivery {
    pub id: String,
    /// The notification sent; also the `webhook-id` header of every attempt.
    pub notification_id: String,
    /// Its type (`placement.started`, ...).
    pub notification_type: String,
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempt_count: i64,
    /// When the next attempt is due (pending deliveries only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<DateTime<Utc>>,
    /// The error of the last unsuccessful attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Every attempt, oldest first.
    pub attempts: Vec<Attempt>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeliveryQuery {
    /// Only deliveries in this state.
    pub status: Option<DeliveryStatus>,
    /// Largest number of items to return (1 to 200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

impl DeliveryQuery {
    /// The page selection, with the status filter taken out.
    pub fn split(self) -> (PageQuery, Option<DeliveryStatus>) {
        (PageQuery { limit: self.limit, cursor: self.cursor }, self.status)
    }
}

impl From<EndpointRow> for Webhook {
    fn from(r: EndpointRow) -> Webhook {
        Webhook {
            id: r.id,
            authority: (r.owner_org_type == "authority").then(|| r.authority.clone()),
            owner_org_type: r.owner_org_type,
            owner_org: r.authority,
            url: r.url,
            event_types: r.event_types.0,
            created_at: r.created_at.and_utc(),
            disabled_at: r.disabled_at.map(|d| d.and_utc()),
        }
    }
}

impl From<AttemptRow> for Attempt {
    fn from(a: AttemptRow) -> Attempt {
        Attempt {
            attempted_at: a.attempted_at.and_utc(),
            status_code: a.status_code.and_then(|c| u16::try_from(c).ok()),
            error: a.error,
            duration_ms: a.duration_ms,
        }
    }
}

impl Delivery {
    /// A stored delivery, the type of its notification and its attempts (oldest first).
    pub fn of(d: DeliveryRow, notification_type: String, attempts: Vec<Attempt>) -> Result<Delivery, ApiError> {
        let status =
            DeliveryStatus::parse(&d.status).ok_or_else(|| ApiError::internal("bad status in webhook_deliveries"))?;
        Ok(Delivery {
            id: d.id,
            notification_id: d.notification_id,
            notification_type,
            status,
            attempt_count: d.attempts,
            next_attempt_at: (status == DeliveryStatus::Pending).then(|| d.next_attempt_at.and_utc()),
            delivered_at: d.delivered_at.map(|t| t.and_utc()),
            last_error: d.last_error,
            created_at: d.created_at.and_utc(),
            attempts,
        })
    }
}
