use crate::auth::{Caller, OrgType};
use crate::db::rows::admissions::AdmissionRow;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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

impl AdmissionRow {
    /// The movement as the caller may see it: a provider is not shown who an unmatched
    /// movement's child is or who placed it (it may not see that child).
    pub fn view_for(self, caller: &Caller) -> Movement {
        let hide = caller.org_type == OrgType::Provider && self.status == "unmatched";
        let mut m = self.view();
        if hide {
            m.child_id = None;
            m.placing_la = None;
        }
        m
    }

    pub fn view(self) -> Movement {
        Movement {
            id: self.id,
            kind: self.kind,
            urn: self.urn,
            host_area: self.host_area,
            date: self.event_date,
            status: self.status,
            placement_id: self.placement_id.map(String::from),
            child_id: self.child_id.map(String::from),
            given_name: self.given_name,
            family_name: self.family_name,
            date_of_birth: self.date_of_birth,
            placing_la: self.placing_la,
            resolved_at: self.resolved_at.map(|t| t.and_utc()),
            recorded_at: self.created_at.and_utc(),
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MovementQuery {
    /// `matched` (a placement stands behind it), `unmatched` (none yet) or `resolved` (matched
    /// later).
    #[param(inline)]
    pub status: Option<MovementStatus>,
    #[param(inline)]
    pub kind: Option<MovementKind>,
    pub urn: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MovementStatus {
    Matched,
    Unmatched,
    Resolved,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MovementKind {
    Admission,
    Discharge,
}

impl MovementStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MovementStatus::Matched => "matched",
            MovementStatus::Unmatched => "unmatched",
            MovementStatus::Resolved => "resolved",
        }
    }
}

impl MovementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MovementKind::Admission => "admission",
            MovementKind::Discharge => "discharge",
        }
    }
}
