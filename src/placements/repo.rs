//! SQL for placements. Reads by a caller carry the access condition of [`visible`].

use super::model::{LegalStatusPeriod, PlacementRecord};
use crate::auth::{Caller, OrgType};
use crate::db::schema::{placement_legal_statuses as pls, placements, settings};
use crate::db::{AnyConnection, MultiBackend};
use crate::error::ApiError;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::Bool;

type Row = (
    (String, String, String, Option<String>, String, String, String, Option<String>),
    (NaiveDate, Option<NaiveDate>, Option<String>, Option<String>, bool, Option<f64>, Option<NaiveDateTime>),
    (i64, NaiveDateTime, NaiveDateTime),
);

#[allow(clippy::type_complexity)]
const COLUMNS: (
    (
        placements::id,
        placements::child_id,
        placements::placing_la,
        placements::urn,
        placements::host_area,
        placements::postcode,
        placements::place,
        placements::place_provider,
    ),
    (
        placements::start_date,
        placements::end_date,
        placements::rec,
        placements::reason_place_change,
        placements::emergency,
        placements::distance_miles,
        placements::ended_recorded_at,
    ),
    (placements::version, placements::created_at, placements::updated_at),
) = (
    (
        placements::id,
        placements::child_id,
        placements::placing_la,
        placements::urn,
        placements::host_area,
        placements::postcode,
        placements::place,
        placements::place_provider,
    ),
    (
        placements::start_date,
        placements::end_date,
        placements::rec,
        placements::reason_place_change,
        placements::emergency,
        placements::distance_miles,
        placements::ended_recorded_at,
    ),
    (placements::version, placements::created_at, placements::updated_at),
);

fn record(r: Row) -> PlacementRecord {
    let (a, b, c) = r;
    PlacementRecord {
        id: a.0,
        child_id: a.1,
        placing_la: a.2,
        urn: a.3,
        host_area: a.4,
        postcode: a.5,
        place: a.6,
        place_provider: a.7,
        start_date: b.0,
        end_date: b.1,
        rec: b.2,
        reason_place_change: b.3,
        emergency: b.4,
        distance_miles: b.5,
        ended_recorded_at: b.6,
        version: c.0,
        created_at: c.1,
        updated_at: c.2,
    }
}

type Cond = Box<dyn BoxableExpression<placements::table, MultiBackend, SqlType = Bool>>;

/// Placements a caller may see: an authority those it made and those in its area; a provider
/// those in its settings.
pub fn visible(caller: &Caller) -> Cond {
    match caller.org_type {
        OrgType::Authority => {
            Box::new(placements::placing_la.eq(caller.org.clone()).or(placements::host_area.eq(caller.org.clone())))
        }
        OrgType::Provider => Box::new(
            placements::urn
                .assume_not_null()
                .eq_any(settings::table.filter(settings::provider_id.eq(caller.org.clone())).select(settings::urn)),
        ),
        OrgType::Operator => Box::new(diesel::dsl::sql::<Bool>("1 = 0")),
    }
}

pub fn find_visible(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<Option<PlacementRecord>, ApiError> {
    let row: Option<Row> = placements::table
        .filter(placements::id.eq(id))
        .filter(visible(caller))
        .select(COLUMNS)
        .first(conn)
        .optional()?;
    Ok(row.map(record))
}

pub struct ListFilter {
    pub placing_la: Option<String>,
    pub child_id: Option<String>,
    pub open_on: Option<NaiveDate>,
}

/// Placements the caller may see, newest start first.
pub fn list(
    conn: &mut AnyConnection,
    caller: &Caller,
    f: &ListFilter,
    after: Option<(NaiveDate, String)>,
    limit: i64,
) -> Result<Vec<PlacementRecord>, ApiError> {
    let mut q = placements::table.filter(visible(caller)).select(COLUMNS).into_boxed();
    if let Some(la) = &f.placing_la {
        q = q.filter(placements::placing_la.eq(la.clone()));
    }
    if let Some(c) = &f.child_id {
        q = q.filter(placements::child_id.eq(c.clone()));
    }
    if let Some(d) = f.open_on {
        q = q
            .filter(placements::start_date.le(d))
            .filter(placements::end_date.is_null().or(placements::end_date.gt(d)));
    }
    if let Some((d, id)) = after {
        q = q.filter(placements::start_date.lt(d).or(placements::start_date.eq(d).and(placements::id.lt(id))));
    }
    let rows: Vec<Row> = q.order((placements::start_date.desc(), placements::id.desc())).limit(limit + 1).load(conn)?;
    Ok(rows.into_iter().map(record).collect())
}

/// A child's placements other than `except`, for overlap checks.
pub fn of_child(conn: &mut AnyConnection, child_id: &str) -> Result<Vec<PlacementRecord>, ApiError> {
    let rows: Vec<Row> = placements::table
        .filter(placements::child_id.eq(child_id))
        .select(COLUMNS)
        .order(placements::start_date.asc())
        .load(conn)?;
    Ok(rows.into_iter().map(record).collect())
}

/// Every placement of these children (no order).
pub fn of_children(conn: &mut AnyConnection, child_ids: &[String]) -> Result<Vec<PlacementRecord>, ApiError> {
    let rows: Vec<Row> = placements::table.filter(placements::child_id.eq_any(child_ids)).select(COLUMNS).load(conn)?;
    Ok(rows.into_iter().map(record).collect())
}

pub fn insert(conn: &mut AnyConnection, p: &PlacementRecord) -> Result<(), ApiError> {
    diesel::insert_into(placements::table)
        .values((
            (
                placements::id.eq(&p.id),
                placements::child_id.eq(&p.child_id),
                placements::placing_la.eq(&p.placing_la),
                placements::urn.eq(&p.urn),
                placements::host_area.eq(&p.host_area),
                placements::postcode.eq(&p.postcode),
                placements::place.eq(&p.place),
                placements::place_provider.eq(&p.place_provider),
            ),
            (
                placements::start_date.eq(p.start_date),
                placements::end_date.eq(p.end_date),
                placements::rec.eq(&p.rec),
                placements::reason_place_change.eq(&p.reason_place_change),
                placements::emergency.eq(p.emergency),
                placements::distance_miles.eq(p.distance_miles),
                placements::ended_recorded_at.eq(p.ended_recorded_at),
            ),
            (
                placements::version.eq(p.version),
                placements::created_at.eq(p.created_at),
                placements::updated_at.eq(p.updated_at),
            ),
        ))
        .execute(conn)?;
    Ok(())
}

/// Writes `p` over the stored placement when its version is still `expected`; rows changed.
pub fn update(conn: &mut AnyConnection, p: &PlacementRecord, expected: i64) -> Result<usize, ApiError> {
    let changed = diesel::update(placements::table.find(&p.id).filter(placements::version.eq(expected)))
        .set((
            (
                placements::urn.eq(&p.urn),
                placements::host_area.eq(&p.host_area),
                placements::postcode.eq(&p.postcode),
                placements::place.eq(&p.place),
                placements::place_provider.eq(&p.place_provider),
                placements::start_date.eq(p.start_date),
                placements::end_date.eq(p.end_date),
            ),
            (
                placements::rec.eq(&p.rec),
                placements::reason_place_change.eq(&p.reason_place_change),
                placements::emergency.eq(p.emergency),
                placements::distance_miles.eq(p.distance_miles),
                placements::ended_recorded_at.eq(p.ended_recorded_at),
                placements::version.eq(expected + 1),
                placements::updated_at.eq(p.updated_at),
            ),
        ))
        .execute(conn)?;
    if changed > 0 {
        crate::missing::repo::copy_placement_scope(conn, &p.id)?;
    }
    Ok(changed)
}

pub fn legal_statuses(conn: &mut AnyConnection, placement_id: &str) -> Result<Vec<LegalStatusPeriod>, ApiError> {
    let rows: Vec<(NaiveDate, String)> = pls::table
        .filter(pls::placement_id.eq(placement_id))
        .select((pls::effective_from, pls::legal_status))
        .order(pls::effective_from.asc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(effective_from, legal_status)| LegalStatusPeriod { effective_from, legal_status })
        .collect())
}

/// Legal statuses of many placements at once, keyed by placement id.
pub fn legal_statuses_of(
    conn: &mut AnyConnection,
    ids: &[String],
) -> Result<std::collections::HashMap<String, Vec<LegalStatusPeriod>>, ApiError> {
    let rows: Vec<(String, NaiveDate, String)> = pls::table
        .filter(pls::placement_id.eq_any(ids))
        .select((pls::placement_id, pls::effective_from, pls::legal_status))
        .order((pls::placement_id.asc(), pls::effective_from.asc()))
        .load(conn)?;
    let mut map: std::collections::HashMap<String, Vec<LegalStatusPeriod>> = std::collections::HashMap::new();
    for (id, effective_from, legal_status) in rows {
        map.entry(id).or_default().push(LegalStatusPeriod { effective_from, legal_status });
    }
    Ok(map)
}

/// Records a legal status from a date, replacing one recorded for the same date.
pub fn put_legal_status(
    conn: &mut AnyConnection,
    placement_id: &str,
    from: NaiveDate,
    ls: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::delete(pls::table.find((placement_id, from))).execute(conn)?;
    diesel::insert_into(pls::table)
        .values((
            pls::placement_id.eq(placement_id),
            pls::effective_from.eq(from),
            pls::legal_status.eq(ls),
            pls::recorded_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Moves the first legal status of a placement to a new start date.
pub fn move_first_legal_status(
    conn: &mut AnyConnection,
    placement_id: &str,
    old: NaiveDate,
    new: NaiveDate,
) -> Result<(), ApiError> {
    diesel::update(pls::table.find((placement_id, old))).set(pls::effective_from.eq(new)).execute(conn)?;
    Ok(())
}

pub fn setting_names(
    conn: &mut AnyConnection,
    urns: &[String],
) -> Result<std::collections::HashMap<String, String>, ApiError> {
    let rows: Vec<(String, String)> =
        settings::table.filter(settings::urn.eq_any(urns)).select((settings::urn, settings::name)).load(conn)?;
    Ok(rows.into_iter().collect())
}
