use crate::db::rows::missing::EpisodeRecord;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// Risk indicators an episode may carry.
pub const RISK_INDICATORS: &[&str] = &[
    "sexual_exploitation",
    "criminal_exploitation",
    "trafficking",
    "substance_misuse",
    "gang_association",
    "self_harm",
    "other",
];

/// Where a child was found or returned to.
pub const FOUND_WHERE: &[&str] = &["placement", "family", "friends", "police", "hospital", "other"];

/// Outcomes of a return interview offer.
pub const RI_OUTCOMES: &[&str] = &["accepted", "declined", "not_offered"];

/// The safe-and-well check (by police) on return.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SafeAndWell {
    pub at: DateTime<Utc>,
    /// Who carried it out (e.g. "West Yorkshire Police").
    pub by: String,
}

/// The independent return interview, due within 72 hours of return.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ReturnInterview {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offered_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offered_by: Option<String>,
    /// Independent of the placement and of the placing LA.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub independent: Option<bool>,
    /// `accepted`, `declined` or `not_offered`.
    pub outcome: String,
    /// Required when not offered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_offered_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEpisode {
    pub child_id: String,
    /// `M` missing (whereabouts unknown) or `A` away without authorisation (whereabouts known).
    #[schema(example = "M")]
    pub kind: String,
    /// When the child left or was last seen by a responsible adult, whichever is later.
    pub started_at: DateTime<Utc>,
    pub reported_to_police_at: Option<DateTime<Utc>>,
    pub police_reference: Option<String>,
    /// From: sexual_exploitation, criminal_exploitation, trafficking, substance_misuse,
    /// gang_association, self_harm, other.
    #[serde(default)]
    pub risk_indicators: Vec<String>,
    /// When known already (recording after the event).
    pub ended_at: Option<DateTime<Utc>>,
    pub found_where: Option<String>,
    pub safe_and_well: Option<SafeAndWell>,
    pub return_interview: Option<ReturnInterview>,
}

/// Changes to an episode; absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EpisodePatch {
    pub ended_at: Option<DateTime<Utc>>,
    /// placement, family, friends, police, hospital, other.
    pub found_where: Option<String>,
    pub reported_to_police_at: Option<DateTime<Utc>>,
    pub police_reference: Option<String>,
    pub risk_indicators: Option<Vec<String>>,
    pub safe_and_well: Option<SafeAndWell>,
    pub return_interview: Option<ReturnInterview>,
}

/// How to end the open episodes of a placement that is ending.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EpisodeEnd {
    pub ended_at: DateTime<Utc>,
    /// placement, family, friends, police, hospital, other.
    pub found_where: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EpisodeFlags {
    pub currently_missing: bool,
    /// Minutes since it started, while still open.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_for_minutes: Option<i64>,
    pub safe_and_well_recorded: bool,
    pub return_interview: crate::flags::ReturnInterviewClock,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Episode {
    pub id: String,
    pub child_id: String,
    /// The placement the child went missing from, found by date.
    pub placement_id: String,
    pub kind: String,
    pub started_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reported_to_police_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub police_reference: Option<String>,
    pub risk_indicators: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found_where: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safe_and_well: Option<SafeAndWell>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_interview: Option<ReturnInterview>,
    /// `real_time`, `la_record` or `return`.
    pub source: String,
    /// Never reported as it happened: first seen in a quarterly return.
    pub first_reported_in_return: bool,
    pub recorded_by_org_type: String,
    pub recorded_by_org: String,
    pub flags: EpisodeFlags,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl EpisodeRecord {
    pub fn clock(&self) -> crate::flags::EpisodeClock {
        crate::flags::EpisodeClock {
            started_at: self.started_at,
            ended_at: self.ended_at,
            ri_outcome: self.ri_outcome.clone(),
            ri_completed_at: self.ri_completed_at,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EpisodeQuery {
    pub child_id: Option<String>,
    /// Only open (true) or ended (false) episodes.
    pub open: Option<bool>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}
