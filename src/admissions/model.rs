use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An admission or discharge as a home records it: the child by registry id, or by name, date
/// of birth and (when known) placing LA when the home does not know the id.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMovement {
    pub child_id: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    /// ONS code of the LA that placed the child, when known.
    pub placing_la: Option<String>,
    /// The day the child arrived (admission) or left (discharge).
    pub date: NaiveDate,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Movement {
    pub id: String,
    /// `admission` or `discharge`.
    pub kind: String,
    pub urn: String,
    pub host_area: String,
    pub date: NaiveDate,
    /// `matched` (a placement stands behind it), `unmatched` (none yet: an unnotified placement,
    /// or a discharge from a placement that was not ended) or `resolved` (matched later).
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placing_la: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<DateTime<Utc>>,
    pub recorded_at: DateTime<Utc>,
}
