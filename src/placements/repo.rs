//! SQL for placements. Reads by a caller carry the access condition of [`visible`].

use super::model::LegalStatusPeriod;
use crate::auth::{Caller, OrgType};
use crate::db::rows::placements::PlacementRecord;
use crate::db::schema::{placement_legal_statuses as pls, placements, settings};
use crate::db::{AnyConnection, MultiBackend};
use crate::error::ApiError;
use crate::ids::{ChildId, PlacementId};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::sql_types::Bool;

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
    Ok(placements::table
        .filter(placements::id.eq(id))
        .filter(visible(caller))
        .select(PlacementRecord::as_select())
        .first(conn)
        .optional()?)
}

pub struct ListFilter {
    pub placing_la: Option<String>,
    pub child_id: Option<ChildId>,
    pub open_on: Option<NaiveDate>,
}

/// Placements the caller may see, newest start first.
pub fn list(
    conn: &mut AnyConnection,
    caller: &Caller,
    f: &ListFilter,
    after: Option<(NaiveDate, PlacementId)>,
    limit: i64,
) -> Result<Vec<PlacementRecord>, ApiError> {
    let mut q = placements::table.filter(visible(caller)).select(PlacementRecord::as_select()).into_boxed();
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
    Ok(q.order((placements::start_date.desc(), placements::id.desc())).limit(limit + 1).load(conn)?)
}

/// A child's placements, oldest first.
pub fn of_child(conn: &mut AnyConnection, child_id: &ChildId) -> Result<Vec<PlacementRecord>, ApiError> {
    Ok(placements::table
        .filter(placements::child_id.eq(child_id))
        .select(PlacementRecord::as_select())
        .order(placements::start_date.asc())
        .load(conn)?)
}

/// Every placement of these children (no order).
pub fn of_children(conn: &mut AnyConnection, child_ids: &[ChildId]) -> Result<Vec<PlacementRecord>, ApiError> {
    Ok(placements::table
        .filter(placements::child_id.eq_any(child_ids))
        .select(PlacementRecord::as_select())
        .load(conn)?)
}

/// Stores a new placement, with its child's missing state copied on if it is open.
pub fn insert(conn: &mut AnyConnection, p: &PlacementRecord) -> Result<(), ApiError> {
    diesel::insert_into(placements::table).values(p).execute(conn)?;
    crate::db::missing_state::copy_to_open_placements(conn, &p.child_id)
}

/// Writes `p` over the stored placement, as version `expected + 1`, when the stored version is
/// still `expected`; rows changed. An end date taken away reopens it, so its child's missing
/// state is copied on again.
pub fn update(conn: &mut AnyConnection, p: &PlacementRecord, expected: i64) -> Result<usize, ApiError> {
    let next = PlacementRecord { version: expected + 1, ..p.clone() };
    let changed = diesel::update(placements::table.find(&p.id).filter(placements::version.eq(expected)))
        .set(&next)
        .execute(conn)?;
    if changed > 0 && p.end_date.is_none() {
        crate::db::missing_state::copy_to_open_placements(conn, &p.child_id)?;
    }
    Ok(changed)
}

pub fn legal_statuses(
    conn: &mut AnyConnection,
    placement_id: &PlacementId,
) -> Result<Vec<LegalStatusPeriod>, ApiError> {
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
    ids: &[PlacementId],
) -> Result<std::collections::HashMap<PlacementId, Vec<LegalStatusPeriod>>, ApiError> {
    let rows: Vec<(PlacementId, NaiveDate, String)> = pls::table
        .filter(pls::placement_id.eq_any(ids))
        .select((pls::placement_id, pls::effective_from, pls::legal_status))
        .order((pls::placement_id.asc(), pls::effective_from.asc()))
        .load(conn)?;
    let mut map: std::collections::HashMap<PlacementId, Vec<LegalStatusPeriod>> = std::collections::HashMap::new();
    for (id, effective_from, legal_status) in rows {
        map.entry(id).or_default().push(LegalStatusPeriod { effective_from, legal_status });
    }
    Ok(map)
}

/// Records a legal status from a date, replacing one recorded for the same date.
pub fn put_legal_status(
    conn: &mut AnyConnection,
    placement_id: &PlacementId,
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
    placement_id: &PlacementId,
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

/// Where a placement's `placement.started` notification went when its host LA is on another node.
#[derive(Queryable)]
pub struct HostRelay {
    pub notification_id: String,
    pub node: String,
    pub received_at: Option<NaiveDateTime>,
    pub receipt_id: Option<String>,
}

/// The `placement.started` notification of a placement sent to another node: its id, the node,
/// when that node received it and its receipt.
pub fn host_relay(conn: &mut AnyConnection, placement_id: &str) -> Result<Option<HostRelay>, ApiError> {
    use crate::db::schema::{notification_relays as nr, notifications as n};
    Ok(n::table
        .inner_join(nr::table.on(nr::notification_id.eq(n::id)))
        .filter(n::placement_id.eq(placement_id))
        .filter(n::kind.eq("placement.started"))
        .filter(nr::direction.eq("out"))
        .select((n::id, nr::peer_node, nr::received_at, nr::receipt_id))
        .order(n::created_at.desc())
        .first(conn)
        .optional()?)
}
