//! Rows of placements and their legal statuses.

use crate::db::schema::{placement_legal_statuses, placements};
use crate::ids::{ChildId, PlacementId};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// A placement as stored.
#[derive(
    Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Queryable, Selectable, Insertable, AsChangeset,
)]
#[diesel(table_name = placements, treat_none_as_null = true)]
pub struct PlacementRecord {
    pub id: PlacementId,
    pub child_id: ChildId,
    pub placing_la: String,
    pub urn: Option<String>,
    /// An English LA's ONS code, or WAL, SCO, NIR: derived from the postcode.
    pub host_area: String,
    pub postcode: String,
    pub place: String,
    pub place_provider: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub rec: Option<String>,
    pub reason_place_change: Option<String>,
    pub emergency: bool,
    pub distance_miles: Option<f64>,
    /// When the end was first recorded (for the reg 14 clock).
    pub ended_recorded_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A legal status in force from a date during a placement.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = placement_legal_statuses)]
pub struct LegalStatusRow {
    pub placement_id: PlacementId,
    pub effective_from: NaiveDate,
    pub legal_status: String,
    pub recorded_at: NaiveDateTime,
}
