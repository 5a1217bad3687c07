//! SQL for missing episodes. Reads by a caller carry the access condition of [`visible`].

use super::model::EpisodeRecord;
use crate::auth::{Caller, OrgType};
use crate::db::schema::{children, missing_episodes as m, placements, settings};
use crate::db::{AnyConnection, MultiBackend};
use crate::error::ApiError;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Bool;

type T = (
    (
        String,
        String,
        String,
        String,
        NaiveDateTime,
        Option<NaiveDateTime>,
        Option<NaiveDateTime>,
        Option<String>,
        String,
    ),
    (
        Option<String>,
        Option<NaiveDateTime>,
        Option<String>,
        Option<NaiveDateTime>,
        Option<String>,
        Option<bool>,
        Option<String>,
        Option<String>,
        Option<NaiveDateTime>,
    ),
    (String, Option<String>, String, String, String, i64, NaiveDateTime, NaiveDateTime),
);

#[allow(clippy::type_complexity)]
const COLUMNS: (
    (
        m::id,
        m::child_id,
        m::placement_id,
        m::kind,
        m::started_at,
        m::ended_at,
        m::reported_to_police_at,
        m::police_reference,
        m::risk_indicators,
    ),
    (
        m::found_where,
        m::safe_and_well_at,
        m::safe_and_well_by,
        m::ri_offered_at,
        m::ri_offered_by,
        m::ri_independent,
        m::ri_outcome,
        m::ri_not_offered_reason,
        m::ri_completed_at,
    ),
    (
        m::source,
        m::return_id,
        m::recorded_by_org_type,
        m::recorded_by_org,
        m::recorded_by,
        m::version,
        m::created_at,
        m::updated_at,
    ),
) = (
    (
        m::id,
        m::child_id,
        m::placement_id,
        m::kind,
        m::started_at,
        m::ended_at,
        m::reported_to_police_at,
        m::police_reference,
        m::risk_indicators,
    ),
    (
        m::found_where,
        m::safe_and_well_at,
        m::safe_and_well_by,
        m::ri_offered_at,
        m::ri_offered_by,
        m::ri_independent,
        m::ri_outcome,
        m::ri_not_offered_reason,
        m::ri_completed_at,
    ),
    (
        m::source,
        m::return_id,
        m::recorded_by_org_type,
        m::recorded_by_org,
        m::recorded_by,
        m::version,
        m::created_at,
        m::updated_at,
    ),
);

fn record(t: T) -> EpisodeRecord {
    let (a, b, c) = t;
    EpisodeRecord {
        id: a.0,
        child_id: a.1,
        placement_id: a.2,
        kind: a.3,
        started_at: a.4,
        ended_at: a.5,
        reported_to_police_at: a.6,
        police_reference: a.7,
        risk_indicators: a.8.split_whitespace().map(str::to_string).collect(),
        found_where: b.0,
        safe_and_well_at: b.1,
        safe_and_well_by: b.2,
        ri_offered_at: b.3,
        ri_offered_by: b.4,
        ri_independent: b.5,
        ri_outcome: b.6,
        ri_not_offered_reason: b.7,
        ri_completed_at: b.8,
        source: c.0,
        return_id: c.1,
        recorded_by_org_type: c.2,
        recorded_by_org: c.3,
        recorded_by: c.4,
        version: c.5,
        created_at: c.6,
        updated_at: c.7,
    }
}

type Cond = Box<dyn BoxableExpression<m::table, MultiBackend, SqlType = Bool>>;

/// Episodes a caller may see: an authority those of its children and those from placements in
/// its area; a provider those from placements in its settings.
fn visible(caller: &Caller) -> Cond {
    match caller.org_type {
        OrgType::Authority => Box::new(
            m::child_id
                .eq_any(children::table.filter(children::responsible_la.eq(caller.org.clone())).select(children::id))
                .or(m::placement_id.eq_any(
                    placements::table.filter(placements::host_area.eq(caller.org.clone())).select(placements::id),
                )),
        ),
        OrgType::Provider => Box::new(
            m::placement_id.eq_any(
                placements::table
                    .filter(placements::urn.assume_not_null().eq_any(
                        settings::table.filter(settings::provider_id.eq(caller.org.clone())).select(settings::urn),
                    ))
                    .select(placements::id),
            ),
        ),
        OrgType::Operator => Box::new(diesel::dsl::sql::<Bool>("1 = 0")),
    }
}

pub fn find_visible(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<Option<EpisodeRecord>, ApiError> {
    let r: Option<T> = m::table.filter(m::id.eq(id)).filter(visible(caller)).select(COLUMNS).first(conn).optional()?;
    Ok(r.map(record))
}

pub struct ListFilter {
    pub child_id: Option<String>,
    pub open: Option<bool>,
}

pub fn list(
    conn: &mut AnyConnection,
    caller: &Caller,
    f: &ListFilter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<EpisodeRecord>, ApiError> {
    let mut q = m::table.filter(visible(caller)).select(COLUMNS).into_boxed();
    if let Some(c) = &f.child_id {
        q = q.filter(m::child_id.eq(c.clone()));
    }
    match f.open {
        Some(true) => q = q.filter(m::ended_at.is_null()),
        Some(false) => q = q.filter(m::ended_at.is_not_null()),
        None => {}
    }
    if let Some((t, id)) = after {
        q = q.filter(m::started_at.lt(t).or(m::started_at.eq(t).and(m::id.lt(id))));
    }
    let rows: Vec<T> = q.order((m::started_at.desc(), m::id.desc())).limit(limit + 1).load(conn)?;
    Ok(rows.into_iter().map(record).collect())
}

pub fn of_child(conn: &mut AnyConnection, child_id: &str) -> Result<Vec<EpisodeRecord>, ApiError> {
    let rows: Vec<T> =
        m::table.filter(m::child_id.eq(child_id)).select(COLUMNS).order(m::started_at.asc()).load(conn)?;
    Ok(rows.into_iter().map(record).collect())
}

/// Episodes of many children at once.
pub fn of_children(conn: &mut AnyConnection, ids: &[String]) -> Result<Vec<EpisodeRecord>, ApiError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<T> = m::table.filter(m::child_id.eq_any(chunk)).select(COLUMNS).load(conn)?;
        out.extend(rows.into_iter().map(record));
    }
    Ok(out)
}

pub fn open_in_placement(conn: &mut AnyConnection, placement_id: &str) -> Result<Vec<EpisodeRecord>, ApiError> {
    let rows: Vec<T> =
        m::table.filter(m::placement_id.eq(placement_id)).filter(m::ended_at.is_null()).select(COLUMNS).load(conn)?;
    Ok(rows.into_iter().map(record).collect())
}

pub fn insert(conn: &mut AnyConnection, e: &EpisodeRecord) -> Result<(), ApiError> {
    diesel::insert_into(m::table)
        .values((
            (
                m::id.eq(&e.id),
                m::child_id.eq(&e.child_id),
                m::placement_id.eq(&e.placement_id),
                m::kind.eq(&e.kind),
                m::started_at.eq(e.started_at),
                m::ended_at.eq(e.ended_at),
                m::reported_to_police_at.eq(e.reported_to_police_at),
                m::police_reference.eq(&e.police_reference),
                m::risk_indicators.eq(e.risk_indicators.join(" ")),
            ),
            (
                m::found_where.eq(&e.found_where),
                m::safe_and_well_at.eq(e.safe_and_well_at),
                m::safe_and_well_by.eq(&e.safe_and_well_by),
                m::ri_offered_at.eq(e.ri_offered_at),
                m::ri_offered_by.eq(&e.ri_offered_by),
                m::ri_independent.eq(e.ri_independent),
                m::ri_outcome.eq(&e.ri_outcome),
                m::ri_not_offered_reason.eq(&e.ri_not_offered_reason),
                m::ri_completed_at.eq(e.ri_completed_at),
            ),
            (
                m::source.eq(&e.source),
                m::return_id.eq(&e.return_id),
                m::recorded_by_org_type.eq(&e.recorded_by_org_type),
                m::recorded_by_org.eq(&e.recorded_by_org),
                m::recorded_by.eq(&e.recorded_by),
                m::version.eq(e.version),
                m::created_at.eq(e.created_at),
                m::updated_at.eq(e.updated_at),
            ),
            scope_of(&e.placement_id),
        ))
        .execute(conn)?;
    Ok(())
}

/// The placing LA, host area and setting of a placement, as the values of an episode's copies
/// of them (subqueries in the same statement as the episode's insert or update).
#[allow(clippy::type_complexity)]
fn scope_of(
    placement_id: &str,
) -> (
    diesel::dsl::Eq<
        m::placing_la,
        diesel::dsl::SingleValue<placements::BoxedQuery<'_, MultiBackend, diesel::sql_types::Text>>,
    >,
    diesel::dsl::Eq<
        m::host_area,
        diesel::dsl::SingleValue<placements::BoxedQuery<'_, MultiBackend, diesel::sql_types::Text>>,
    >,
    diesel::dsl::Eq<
        m::urn,
        diesel::dsl::SingleValue<
            placements::BoxedQuery<'_, MultiBackend, diesel::sql_types::Nullable<diesel::sql_types::Text>>,
        >,
    >,
) {
    let of = || placements::table.filter(placements::id.eq(placement_id));
    (
        m::placing_la.eq(of().select(placements::placing_la).into_boxed().single_value()),
        m::host_area.eq(of().select(placements::host_area).into_boxed().single_value()),
        m::urn.eq(of().select(placements::urn).into_boxed().single_value()),
    )
}

/// Copies the placing LA, host area and setting of a placement onto the episodes that started
/// in it. Reports for an LA or a provider read episodes by these copies (an index range)
/// instead of joining every placement the LA ever made; an episode's insert and update set them
/// ([`scope_of`]), and every write of a placement calls this in its transaction.
pub fn copy_placement_scope(conn: &mut AnyConnection, placement_id: &str) -> Result<(), ApiError> {
    diesel::update(m::table.filter(m::placement_id.eq(placement_id))).set(scope_of(placement_id)).execute(conn)?;
    Ok(())
}

/// Writes `e` over the stored episode when its version is still `expected`; rows changed.
pub fn update(conn: &mut AnyConnection, e: &EpisodeRecord, expected: i64) -> Result<usize, ApiError> {
    Ok(diesel::update(m::table.find(&e.id).filter(m::version.eq(expected)))
        .set((
            (
                m::placement_id.eq(&e.placement_id),
                m::ended_at.eq(e.ended_at),
                m::reported_to_police_at.eq(e.reported_to_police_at),
                m::police_reference.eq(&e.police_reference),
                m::risk_indicators.eq(e.risk_indicators.join(" ")),
                m::found_where.eq(&e.found_where),
                m::safe_and_well_at.eq(e.safe_and_well_at),
                m::safe_and_well_by.eq(&e.safe_and_well_by),
            ),
            (
                m::ri_offered_at.eq(e.ri_offered_at),
                m::ri_offered_by.eq(&e.ri_offered_by),
                m::ri_independent.eq(e.ri_independent),
                m::ri_outcome.eq(&e.ri_outcome),
                m::ri_not_offered_reason.eq(&e.ri_not_offered_reason),
                m::ri_completed_at.eq(e.ri_completed_at),
                m::return_id.eq(&e.return_id),
                m::version.eq(expected + 1),
                m::updated_at.eq(e.updated_at),
            ),
            scope_of(&e.placement_id),
        ))
        .execute(conn)?)
}
