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
    #[param(value_type = Option<NaiveDate>)]
    pub on: Option<crate::http::query::Date>,
    /// Only children placed by this LA (ONS code).
    pub placing_la: Option<String>,
    /// Only children placed in this setting.
    pub urn: Option<String>,
    /// Only children with this flag.
    #[param(inline)]
    pub flag: Option<HostFlag>,
    /// `start_date` (newest first, the default), `family_name`, `placing_la`, `episodes` (most
    /// episodes in the last 90 days first).
    #[param(inline)]
    pub sort: Option<HostSort>,
    /// `csv` for a CSV download of every matching child (same as `Accept: text/csv`).
    #[param(inline)]
    pub format: Option<crate::http::Format>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// The flags the host view filters on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HostFlag {
    CurrentlyMissing,
    RepeatMissing,
    ReturnInterviewOverdue,
    NotificationLate,
    NotificationUnacknowledged,
}

/// The orders of the host view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HostSort {
    #[default]
    StartDate,
    FamilyName,
    PlacingLa,
    Episodes,
}
