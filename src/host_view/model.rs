use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// One child placed in a host LA's area on the date asked about.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlacedChild {
    pub child_id: String,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub sex: String,
    pub placing_la: String,
    pub placing_la_name: String,
    pub placement_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub setting_name: Option<String>,
    pub place: String,
    pub start_date: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
    pub emergency: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_miles: Option<f64>,
    /// Missing episodes that started in the last 90 days.
    pub episodes_last_90_days: i64,
    pub currently_missing: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_since: Option<DateTime<Utc>>,
    /// 3 or more episodes starting in the last 90 days.
    pub repeat_missing: bool,
    pub return_interview_overdue: bool,
    /// This LA was told of the placement late (reg 13(4)).
    pub notification_late: bool,
    /// This LA has not acknowledged the placement notification.
    pub notification_unacknowledged: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct HostQuery {
    /// The date (YYYY-MM-DD); default today.
    pub on: Option<NaiveDate>,
    /// Only children placed by this LA (ONS code).
    pub placing_la: Option<String>,
    /// Only children placed in this setting.
    pub urn: Option<String>,
    /// Only children with this flag: currently_missing, repeat_missing, return_interview_overdue,
    /// notification_late, notification_unacknowledged.
    pub flag: Option<String>,
    /// start_date (newest first, default), family_name, placing_la, episodes (most first).
    pub sort: Option<String>,
    /// `csv` for a CSV download of every matching child (same as `Accept: text/csv`).
    pub format: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
