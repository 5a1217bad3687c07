//! The row of a missing-from-care episode.

use super::Words;
use crate::db::schema::missing_episodes;
use crate::ids::{ChildId, EpisodeId, PlacementId};
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// An episode as stored. Its placement's placing LA, host area and setting are copied onto the
/// row by the repository, in the same statement, from the placement.
#[derive(
    Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Queryable, Selectable, Insertable, AsChangeset,
)]
#[diesel(table_name = missing_episodes, treat_none_as_null = true)]
pub struct EpisodeRecord {
    pub id: EpisodeId,
    pub child_id: ChildId,
    pub placement_id: PlacementId,
    /// `M` missing or `A` away without authorisation.
    pub kind: String,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub reported_to_police_at: Option<NaiveDateTime>,
    pub police_reference: Option<String>,
    #[diesel(serialize_as = String, deserialize_as = String)]
    pub risk_indicators: Words,
    pub found_where: Option<String>,
    pub safe_and_well_at: Option<NaiveDateTime>,
    pub safe_and_well_by: Option<String>,
    pub ri_offered_at: Option<NaiveDateTime>,
    pub ri_offered_by: Option<String>,
    pub ri_independent: Option<bool>,
    pub ri_outcome: Option<String>,
    pub ri_not_offered_reason: Option<String>,
    pub ri_completed_at: Option<NaiveDateTime>,
    /// `real_time`, `la_record` or `return`.
    pub source: String,
    pub return_id: Option<String>,
    pub recorded_by_org_type: String,
    pub recorded_by_org: String,
    pub recorded_by: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
