//! Rows of webhook endpoints, their deliveries and every attempt at one.

use super::Words;
use crate::db::schema::{webhook_attempts, webhook_deliveries, webhook_endpoints};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// An LA's webhook endpoint as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_endpoints)]
pub struct EndpointRow {
    pub id: String,
    /// The organisation that owns it: an LA's ONS code, or a provider's id.
    pub authority: String,
    pub url: String,
    /// Notification types delivered, or `*` alone for every type.
    #[diesel(serialize_as = String, deserialize_as = String)]
    pub event_types: Words,
    /// The signing secret (`whsec_...`).
    pub secret: String,
    pub created_at: NaiveDateTime,
    /// Set when disabled; nothing is delivered to it since.
    pub disabled_at: Option<NaiveDateTime>,
    /// `authority` or `provider`: the kind of organisation `authority` names.
    pub owner_org_type: String,
}

/// One notification on its way to one endpoint.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: String,
    pub notification_id: String,
    pub endpoint_id: String,
    /// `pending`, `delivered`, `failed` or `cancelled`.
    pub status: String,
    /// Attempts made so far.
    pub attempts: i64,
    pub next_attempt_at: NaiveDateTime,
    /// The worker leasing it, until `locked_until`.
    pub locked_by: Option<String>,
    pub locked_until: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
}

/// One try at sending a delivery.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = webhook_attempts)]
pub struct AttemptRow {
    pub id: String,
    pub delivery_id: String,
    pub attempted_at: NaiveDateTime,
    /// The HTTP status the endpoint answered, when it answered.
    pub status_code: Option<i64>,
    pub error: Option<String>,
    pub duration_ms: i64,
}
