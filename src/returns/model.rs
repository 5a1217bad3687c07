//! What the returns endpoints take and show.

use crate::error::ApiError;
use crate::period::{QUARTER_FORMAT, Quarter};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// One missing episode in a return. Instants are RFC 3339.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReturnEpisode {
    /// Registry id of a child placed at the setting during the quarter.
    pub child_id: String,
    /// `M` missing (whereabouts unknown) or `A` away without authorisation (whereabouts known).
    #[schema(example = "M")]
    pub kind: String,
    /// When the child left or was last seen; must fall inside the quarter.
    pub started_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported_to_police_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub police_reference: Option<String>,
    /// From: sexual_exploitation, criminal_exploitation, trafficking, substance_misuse,
    /// gang_association, self_harm, other.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub risk_indicators: Vec<String>,
    /// placement, family, friends, police, hospital, other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub found_where: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe_and_well_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub safe_and_well_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_interview_offered_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_interview_offered_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_interview_independent: Option<bool>,
    /// accepted, declined or not_offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_interview_outcome: Option<String>,
    /// Required when the outcome is not_offered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_interview_not_offered_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_interview_completed_at: Option<DateTime<Utc>>,
}

/// A quarterly return as JSON. (As CSV: see the endpoint.)
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnSubmission {
    /// True for a nil return: no child placed at the setting went missing or away in the quarter.
    pub nil: bool,
    /// Why this version replaces an earlier one; required once a version has been accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Every episode of every child placed at the setting in the quarter (none for a nil return).
    #[serde(default)]
    pub episodes: Vec<ReturnEpisode>,
}

/// One episode of a stored return, with the registry episode it was reconciled with.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReturnedEpisode {
    /// Where it was in the submission: `episodes[3]` (JSON, from 0) or `rows[5]` (CSV line).
    pub row: String,
    /// The registry episode this row matched, enriched or created.
    pub episode_id: String,
    /// `matched` (nothing new), `enriched` (added detail) or `added` (first reported here).
    pub outcome: String,
    #[serde(flatten)]
    pub episode: ReturnEpisode,
}

/// A registry episode named in a reconciliation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct EpisodeRef {
    pub episode_id: String,
    pub child_id: String,
    pub started_at: DateTime<Utc>,
    /// The row of the return it came from (absent for omitted episodes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
}

/// A stored episode that the return filled in.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Enrichment {
    pub episode_id: String,
    pub child_id: String,
    pub row: String,
    /// The fields the return filled in (they were empty in the registry).
    pub fields: Vec<String>,
}

/// A value of the return that differs from the one stored; the stored value was kept.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Conflict {
    pub episode_id: String,
    pub child_id: String,
    pub row: String,
    pub field: String,
    pub stored: String,
    pub returned: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ReconciliationCounts {
    /// Episode rows in the return.
    pub rows: i64,
    /// Rows that matched an episode already reported (same child, start on the same day).
    pub matched: i64,
    /// Matched episodes the return added detail to (a subset of `matched`).
    pub enriched: i64,
    /// Rows that became new episodes, first reported in this return.
    pub added: i64,
    /// Episodes reported at the setting in the quarter that the return leaves out.
    pub omitted: i64,
    /// Values of the return that differ from stored ones (the stored ones were kept).
    pub conflicts: i64,
}

/// How a return compared with the episodes reported as they happened.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Reconciliation {
    pub counts: ReconciliationCounts,
    pub matched: Vec<EpisodeRef>,
    pub enriched: Vec<Enrichment>,
    pub added: Vec<EpisodeRef>,
    /// Discrepancies: reported at the setting in the quarter, missing from the return.
    pub omitted: Vec<EpisodeRef>,
    pub conflicts: Vec<Conflict>,
}

/// The host LA's review of a version.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReviewView {
    /// `accept` or `query`.
    pub decision: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// One version of a setting's quarterly return.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QuarterlyReturn {
    pub id: String,
    pub urn: String,
    /// `YYYY-Qn`.
    #[schema(example = "2026-Q3")]
    pub period: String,
    pub version: i64,
    /// True when this is the newest version (older ones stay readable).
    pub latest: bool,
    pub nil: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `submitted` (awaiting review), `accepted` or `queried` by the host LA.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<ReviewView>,
    /// `json` or `csv`.
    pub format: String,
    pub row_count: i64,
    pub submitted_by: String,
    pub submitted_at: DateTime<Utc>,
    /// Last day the return is on time.
    pub due_by: NaiveDate,
    /// Whether the first version arrived by the due date.
    pub received_on_time: bool,
    /// How this version compared with the episodes reported as they happened.
    pub summary: Reconciliation,
    pub episodes: Vec<ReturnedEpisode>,
}

/// A version in a listing (without its episodes).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VersionSummary {
    pub id: String,
    pub version: i64,
    pub nil: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<ReviewView>,
    pub row_count: i64,
    pub submitted_by: String,
    pub submitted_at: DateTime<Utc>,
    pub counts: ReconciliationCounts,
}

/// A quarter of a setting with its versions, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PeriodReturns {
    pub period: String,
    pub due_by: NaiveDate,
    /// `received` (on time) or `late`.
    pub standing: String,
    pub latest_version: i64,
    pub versions: Vec<VersionSummary>,
}

/// The host LA's decision on the latest version of a return.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewInput {
    /// `accept` (locks the return: a later version needs a reason) or `query`.
    #[schema(example = "accept")]
    pub decision: String,
    /// Required to query: what the provider should check or correct.
    #[serde(default)]
    pub comment: Option<String>,
}

/// Where one setting stands for a quarter.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SettingStanding {
    pub urn: String,
    pub setting_name: String,
    pub provider_id: String,
    pub provider_name: String,
    /// `received` (on time), `late`, `missing` (not received, past due) or `not_due`.
    pub standing: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_version: Option<i64>,
    /// Review status of the latest version: `submitted`, `accepted` or `queried`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nil: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_submitted_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_submitted_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct StandingCounts {
    pub received: i64,
    pub late: i64,
    pub missing: i64,
    pub not_due: i64,
}

/// Every setting in an LA's area and its return for a quarter.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AreaReturns {
    pub authority: String,
    pub period: String,
    pub due_by: NaiveDate,
    /// Over every setting in the area (not only this page).
    pub counts: StandingCounts,
    pub items: Vec<SettingStanding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct SubmitQuery {
    /// CSV only: `true` for a nil return (no episodes in the quarter). The file may then be
    /// empty, or hold only the header and template rows.
    pub nil: Option<bool>,
    /// CSV only: why this version replaces an earlier one (required once one was accepted).
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ReturnQuery {
    /// `csv` for the CSV template of the quarter instead of the latest version.
    #[param(inline)]
    pub template: Option<Template>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AreaQuery {
    /// Calendar quarter (`2026-Q3`); default: the latest quarter whose due date has passed.
    pub period: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// A setting's return for a calendar quarter: what `/v1/settings/{urn}/returns/{period}` names.
#[derive(Debug, Clone)]
pub struct ReturnKey {
    pub urn: String,
    pub period: Quarter,
}

impl ReturnKey {
    pub fn parse(urn: &str, period: &str) -> Result<ReturnKey, ApiError> {
        let period = Quarter::parse(period).ok_or_else(|| ApiError::field("period", QUARTER_FORMAT))?;
        Ok(ReturnKey { urn: urn.trim().to_ascii_uppercase(), period })
    }
}

/// The template a return may be read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Template {
    Csv,
}
