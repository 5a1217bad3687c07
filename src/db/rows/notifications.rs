//! The row of a notification.

use crate::db::schema::notifications;
use crate::ids::{ChildId, PlacementId};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// A notification as stored: immutable but for delivery and acknowledgement.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = notifications)]
pub struct NotificationRow {
    pub id: String,
    /// `placement.started`, `missing.ended`, ...
    pub kind: String,
    pub recipient_la: String,
    pub sender_org_type: String,
    pub sender_org: String,
    pub child_id: Option<ChildId>,
    pub placement_id: Option<PlacementId>,
    /// JSON: ids, codes and dates only.
    pub payload: String,
    /// The statutory clock, for placement notifications: `reg 13(4)` or `reg 14`.
    pub regulation: Option<String>,
    pub event_date: Option<NaiveDate>,
    pub emergency: bool,
    pub due_by: Option<NaiveDate>,
    pub on_time: Option<bool>,
    pub late_by_working_days: Option<i64>,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub acknowledged_by: Option<String>,
    /// `authority` (the recipient is the LA `recipient_la`) or `provider` (a provider's id).
    #[serde(default = "authority")]
    pub recipient_org_type: String,
}

fn authority() -> String {
    "authority".to_string()
}
