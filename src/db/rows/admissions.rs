//! The row of an admission or discharge recorded by a home.

use crate::db::schema::admissions;
use crate::ids::{ChildId, PlacementId};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// An admission or discharge as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = admissions)]
pub struct AdmissionRow {
    pub id: String,
    /// `admission` or `discharge`.
    pub kind: String,
    pub urn: String,
    pub provider_id: String,
    pub host_area: String,
    pub event_date: NaiveDate,
    pub child_id: Option<ChildId>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub placing_la: Option<String>,
    pub placement_id: Option<PlacementId>,
    /// `matched`, `unmatched` or `resolved`.
    pub status: String,
    pub resolved_at: Option<NaiveDateTime>,
    pub recorded_by: String,
    pub created_at: NaiveDateTime,
}
