//! Reads what an export needs: an LA's children with a placement it made that is open at some
//! time in the year, with all their placements by that LA up to the end of the export (the
//! earlier ones tell whether an episode continues a period of care), legal statuses and missing
//! episodes.

use super::build::{ChildHistory, ChildIn, MissingIn, PlacementIn, YearToDate};
use crate::db::AnyConnection;
use crate::db::schema::{children, missing_episodes as m, placement_legal_statuses as pls, placements};
use crate::error::ApiError;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::prelude::*;
use std::collections::HashMap;

/// Ids per query, well under SQLite's limit on bound parameters.
const CHUNK: usize = 500;

type ChildRow = (String, String, NaiveDate, String, String, Option<String>, Option<String>, Option<String>);

type PlacementRow = (
    String,
    String,
    NaiveDate,
    Option<NaiveDate>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
);

fn midnight(d: NaiveDate) -> NaiveDateTime {
    d.and_time(NaiveTime::MIN)
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
            .select((
                children::id,
                children::la_child_id,
                children::date_of_birth,
                children::sex,
                children::ethnicity,
                children::upn,
                children::home_postcode,
                children::category_of_need,
            ))
            .load(conn)?;
        for r in rows {
            let child = ChildIn {
                id: r.0.clone(),
                la_child_id: r.1,
                date_of_birth: r.2,
                sex: r.3,
                ethnicity: r.4,
                upn: r.5,
                home_postcode: r.6,
                category_of_need: r.7,
            };
            out.insert(r.0, ChildHistory { child, placements: Vec::new(), missing: Vec::new() });
        }

        let rows: Vec<PlacementRow> = placements::table
            .filter(placements::child_id.eq_any(chunk))
            .filter(placements::placing_la.eq(la))
            .filter(placements::start_date.le(period.as_of))
            .select((
                placements::id,
                placements::child_id,
                placements::start_date,
                placements::end_date,
                placements::rec,
                placements::reason_place_change,
                placements::place,
                placements::place_provider,
                placements::urn,
                placements::host_area,
                placements::postcode,
            ))
            .load(conn)?;
        let placement_ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        let mut statuses: HashMap<String, Vec<(NaiveDate, String)>> = HashMap::new();
        for ids in placement_ids.chunks(CHUNK) {
            let s: Vec<(String, NaiveDate, String)> = pls::table
                .filter(pls::placement_id.eq_any(ids))
                .select((pls::placement_id, pls::effective_from, pls::legal_status))
                .load(conn)?;
            for (id, from, ls) in s {
                statuses.entry(id).or_default().push((from, ls));
            }
        }
        for r in rows {
            if let Some(h) = out.get_mut(&r.1) {
                h.placements.push(PlacementIn {
                    legal_statuses: statuses.remove(&r.0).unwrap_or_default(),
                    start_date: r.2,
                    end_date: r.3,
                    rec: r.4,
                    reason_place_change: r.5,
                    place: r.6,
                    place_provider: r.7,
                    urn: r.8,
                    host_area: r.9,
                    postcode: r.10,
                });
            }
        }

        let until = period.end.succ_opt().map(midnight).unwrap_or(NaiveDateTime::MAX);
        let rows: Vec<(String, String, NaiveDateTime, Option<NaiveDateTime>)> = m::table
            .filter(m::child_id.eq_any(chunk))
            .filter(m::started_at.lt(until))
            .filter(m::ended_at.is_null().or(m::ended_at.ge(midnight(period.start))))
            .select((m::child_id, m::kind, m::started_at, m::ended_at))
            .load(conn)?;
        for (child_id, kind, start, end) in rows {
            if let Some(h) = out.get_mut(&child_id) {
                h.missing.push(MissingIn { kind, start: start.date(), end: end.map(|e| e.date()) });
            }
        }
    }
    Ok(out.into_values().collect())
}
