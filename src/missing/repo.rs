//! SQL for missing episodes. Reads by a caller carry the access condition of [`visible`].

use crate::auth::{Caller, OrgType};
use crate::db::rows::missing::EpisodeRecord;
use crate::db::rows::placements::PlacementRecord;
use crate::db::schema::{children, missing_episodes as m, placements, settings};
use crate::db::{AnyConnection, MultiBackend};
use crate::error::ApiError;
use crate::ids::{ChildId, EpisodeId, PlacementId};
use chrono::NaiveDateTime;
use diesel::dsl::{Eq, SingleValue};
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};

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
    Ok(m::table
        .filter(m::id.eq(id))
        .filter(visible(caller))
        .select(EpisodeRecord::as_select())
        .first(conn)
        .optional()?)
}

pub struct ListFilter {
    pub child_id: Option<ChildId>,
    pub open: Option<bool>,
}

pub fn list(
    conn: &mut AnyConnection,
    caller: &Caller,
    f: &ListFilter,
    after: Option<(NaiveDateTime, EpisodeId)>,
    limit: i64,
) -> Result<Vec<EpisodeRecord>, ApiError> {
    let mut q = m::table.filter(visible(caller)).select(EpisodeRecord::as_select()).into_boxed();
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
    Ok(q.order((m::started_at.desc(), m::id.desc())).limit(limit + 1).load(conn)?)
}

/// A child's episodes, oldest first.
pub fn of_child(conn: &mut AnyConnection, child_id: &ChildId) -> Result<Vec<EpisodeRecord>, ApiError> {
    Ok(m::table
        .filter(m::child_id.eq(child_id))
        .select(EpisodeRecord::as_select())
        .order(m::started_at.asc())
        .load(conn)?)
}

/// Episodes of many children at once.
pub fn of_children(conn: &mut AnyConnection, ids: &[ChildId]) -> Result<Vec<EpisodeRecord>, ApiError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        out.extend(m::table.filter(m::child_id.eq_any(chunk)).select(EpisodeRecord::as_select()).load(conn)?);
    }
    Ok(out)
}

pub fn open_in_placement(conn: &mut AnyConnection, placement_id: &PlacementId) -> Result<Vec<EpisodeRecord>, ApiError> {
    Ok(m::table
        .filter(m::placement_id.eq(placement_id))
        .filter(m::ended_at.is_null())
        .select(EpisodeRecord::as_select())
        .load(conn)?)
}

/// A child's placements, oldest first: the periods an episode must fall in (rules 577/578) and
/// the one it started in.
pub fn placements_of_child(conn: &mut AnyConnection, child_id: &ChildId) -> Result<Vec<PlacementRecord>, ApiError> {
    Ok(placements::table
        .filter(placements::child_id.eq(child_id))
        .select(PlacementRecord::as_select())
        .order(placements::start_date.asc())
        .load(conn)?)
}

/// Whether a setting is run by a provider.
pub fn provider_runs(conn: &mut AnyConnection, provider: &str, urn: &str) -> Result<bool, ApiError> {
    Ok(settings::table.find(urn).filter(settings::provider_id.eq(provider)).count().get_result::<i64>(conn)? > 0)
}

pub fn insert(conn: &mut AnyConnection, e: &EpisodeRecord) -> Result<(), ApiError> {
    diesel::insert_into(m::table).values((e.clone(), scope_of(&e.placement_id))).execute(conn)?;
    keep_state(conn, &e.child_id)
}

/// Computes the stored missing state of every child from its episodes, and copies it onto the
/// child's open placements (for a bulk load, which writes episodes and placements without
/// [`insert`]): the same as [`keep_state`] for each child.
pub const REBUILD_STATE: &str = "DELETE FROM child_missing_state;
INSERT INTO child_missing_state (child_id, missing_since, third_latest_start, interview_pending_since)
SELECT e.child_id,
       MIN(CASE WHEN e.ended_at IS NULL THEN e.started_at END),
       (SELECT t.started_at FROM missing_episodes t WHERE t.child_id = e.child_id
         ORDER BY t.started_at DESC LIMIT 1 OFFSET 2),
       MIN(CASE WHEN e.ended_at IS NOT NULL AND e.ri_completed_at IS NULL
                 AND (e.ri_outcome IS NULL OR e.ri_outcome NOT IN ('declined', 'not_offered'))
            THEN e.ended_at END)
  FROM missing_episodes e
 GROUP BY e.child_id;
UPDATE placements
   SET child_missing_since =
         (SELECT st.missing_since FROM child_missing_state st WHERE st.child_id = placements.child_id),
       child_third_latest_start =
         (SELECT st.third_latest_start FROM child_missing_state st WHERE st.child_id = placements.child_id),
       child_interview_pending_since =
         (SELECT st.interview_pending_since FROM child_missing_state st WHERE st.child_id = placements.child_id)
 WHERE end_date IS NULL;";

/// Recomputes a child's stored missing state from its episodes, in the transaction of the write
/// that changed them: every write of an episode here calls it.
fn keep_state(conn: &mut AnyConnection, child_id: &ChildId) -> Result<(), ApiError> {
    crate::db::missing_state::keep(conn, child_id)
}

/// A subquery reading one column of one placement.
type PlacementValue<'a, ST> = SingleValue<placements::BoxedQuery<'a, MultiBackend, ST>>;

/// An episode's copies of its placement's placing LA, host area and setting.
type Scope<'a> = (
    Eq<m::placing_la, PlacementValue<'a, Text>>,
    Eq<m::host_area, PlacementValue<'a, Text>>,
    Eq<m::urn, PlacementValue<'a, Nullable<Text>>>,
);

/// The placing LA, host area and setting of a placement, as the values of an episode's copies
/// of them (subqueries in the same statement as the episode's insert or update).
fn scope_of(placement_id: &PlacementId) -> Scope<'_> {
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
pub fn copy_placement_scope(conn: &mut AnyConnection, placement_id: &PlacementId) -> Result<(), ApiError> {
    diesel::update(m::table.filter(m::placement_id.eq(placement_id))).set(scope_of(placement_id)).execute(conn)?;
    Ok(())
}

/// Writes `e` over the stored episode, as version `expected + 1`, when the stored version is
/// still `expected`; rows changed.
pub fn update(conn: &mut AnyConnection, e: &EpisodeRecord, expected: i64) -> Result<usize, ApiError> {
    let next = EpisodeRecord { version: expected + 1, ..e.clone() };
    let changed = diesel::update(m::table.find(&e.id).filter(m::version.eq(expected)))
        .set((next, scope_of(&e.placement_id)))
        .execute(conn)?;
    if changed > 0 {
        keep_state(conn, &e.child_id)?;
    }
    Ok(changed)
}

/// Writes `e` over the stored episode whatever its version (a projection of another node's
/// record).
pub fn replace(conn: &mut AnyConnection, e: &EpisodeRecord) -> Result<(), ApiError> {
    diesel::update(m::table.find(&e.id)).set(e.clone()).execute(conn)?;
    keep_state(conn, &e.child_id)
}
