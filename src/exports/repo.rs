//! Reads what an export needs: an LA's children with a placement it made that is open at some
//! time in the year, with all their placements by that LA up to the end of the export (the
//! earlier ones tell whether an episode continues a period of care), legal statuses and missing
//! episodes.

use super::build::{ChildHistory, ChildIn, MissingIn, PlacementIn, YearToDate};
use crate::db::AnyConnection;
use crate::db::schema::{children, missing_episodes as m, placement_legal_statuses as pls, placements};
use crate::error::ApiError;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use std::collections::HashMap;

/// Ids per query, well under SQLite's limit on bound parameters.
const CHUNK: usize = 500;

/// What an export reads of a child.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = children)]
struct ChildRow {
    id: String,
    la_child_id: String,
    date_of_birth: NaiveDate,
    sex: String,
    ethnicity: String,
    upn: Option<String>,
    home_postcode: Option<String>,
    category_of_need: Option<String>,
    mother: Option<bool>,
    mother_child_dob: Option<NaiveDate>,
    uasc: bool,
    uasc_ceased: Option<NaiveDate>,
}

/// What an export reads of a placement.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = placements)]
struct PlacementRow {
    id: String,
    child_id: String,
    start_date: NaiveDate,
    end_date: Option<NaiveDate>,
    rec: Option<String>,
    reason_place_change: Option<String>,
    place: String,
    place_provider: Option<String>,
    urn: Option<String>,
    host_area: String,
    postcode: String,
}

/// What an export reads of a legal status.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pls)]
struct LegalStatusRow {
    placement_id: String,
    effective_from: NaiveDate,
    legal_status: String,
}

/// What an export reads of a missing episode.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = m)]
struct MissingRow {
    child_id: String,
    kind: String,
    started_at: NaiveDateTime,
    ended_at: Option<NaiveDateTime>,
}

/// The start of a day in England.
fn midnight(d: NaiveDate) -> NaiveDateTime {
    crate::clock::london_midnight(d)
}

/// The histories of `la`'s children with a placement by `la` open at some time in the period.
pub fn load(conn: &mut AnyConnection, la: &str, period: &YearToDate) -> Result<Vec<ChildHistory>, ApiError> {
    let mut ids: Vec<String> = placements::table
        .inner_join(children::table)
        .filter(children::responsible_la.eq(la))
        .filter(placements::placing_la.eq(la))
        .filter(placements::start_date.le(period.as_of))
        .filter(placements::end_date.is_null().or(placements::end_date.ge(period.start)))
        .select(placements::child_id)
        .load(conn)?;
    ids.sort();
    ids.dedup();

    let mut out: HashMap<String, ChildHistory> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<ChildRow> = children::table
            .filter(children::id.eq_any(chunk))
            .filter(children::responsible_la.eq(la))
            .select(ChildRow::as_select())
            .load(conn)?;
        for r in rows {
            let child = ChildIn {
                id: r.id.clone(),
                la_child_id: r.la_child_id,
                date_of_birth: r.date_of_birth,
                sex: r.sex,
                ethnicity: r.ethnicity,
                upn: r.upn,
                home_postcode: r.home_postcode,
                category_of_need: r.category_of_need,
                mother: r.mother,
                mother_child_dob: r.mother_child_dob,
                uasc: r.uasc,
                uasc_ceased: r.uasc_ceased,
            };
            out.insert(r.id, ChildHistory { child, placements: Vec::new(), missing: Vec::new() });
        }

        let rows: Vec<PlacementRow> = placements::table
            .filter(placements::child_id.eq_any(chunk))
            .filter(placements::placing_la.eq(la))
            .filter(placements::start_date.le(period.as_of))
            .select(PlacementRow::as_select())
            .load(conn)?;
        let placement_ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let mut statuses: HashMap<String, Vec<(NaiveDate, String)>> = HashMap::new();
        for ids in placement_ids.chunks(CHUNK) {
            let s: Vec<LegalStatusRow> =
                pls::table.filter(pls::placement_id.eq_any(ids)).select(LegalStatusRow::as_select()).load(conn)?;
            for ls in s {
                statuses.entry(ls.placement_id).or_default().push((ls.effective_from, ls.legal_status));
            }
        }
        for r in rows {
            if let Some(h) = out.get_mut(&r.child_id) {
                h.placements.push(PlacementIn {
                    legal_statuses: statuses.remove(&r.id).unwrap_or_default(),
                    start_date: r.start_date,
                    end_date: r.end_date,
                    rec: r.rec,
                    reason_place_change: r.reason_place_change,
                    place: r.place,
                    place_provider: r.place_provider,
                    urn: r.urn,
                    host_area: r.host_area,
                    postcode: r.postcode,
                });
            }
        }

        let until = period.end.succ_opt().map(midnight).unwrap_or(NaiveDateTime::MAX);
        let rows: Vec<MissingRow> = m::table
            .filter(m::child_id.eq_any(chunk))
            .filter(m::started_at.lt(until))
            .filter(m::ended_at.is_null().or(m::ended_at.ge(midnight(period.start))))
            .select(MissingRow::as_select())
            .load(conn)?;
        for r in rows {
            if let Some(h) = out.get_mut(&r.child_id) {
                h.missing.push(MissingIn {
                    kind: r.kind,
                    start: crate::clock::date_of(r.started_at),
                    end: r.ended_at.map(crate::clock::date_of),
                });
            }
        }
    }
    Ok(out.into_values().collect())
}
