//! Each child's stored missing state, kept from its episodes: below the domains, because more
//! than one of them moves episodes.

use crate::db::AnyConnection;
use crate::db::schema::{child_missing_state as st, children, missing_episodes as m, placements};
use crate::error::ApiError;
use crate::ids::ChildId;
use diesel::prelude::*;

/// Recomputes a child's stored missing state (`flags::MissingState`) from its episodes, in the
/// transaction of the write that changed them: every write of an episode calls it, in `missing`
/// and wherever episodes move from one child to another (a merge).
pub fn keep(conn: &mut AnyConnection, child_id: &ChildId) -> Result<(), ApiError> {
    // The child's row lock orders concurrent writers of its episodes (a home's report, a return,
    // a peer's event): the second waits for the first, then reads both episodes, so the state
    // stored last is computed from all of them and the two never collide on the state's key.
    diesel::update(children::table.find(child_id)).set(children::id.eq(children::id)).execute(conn)?;
    let of = || m::table.filter(m::child_id.eq(child_id));
    let missing_since = of().filter(m::ended_at.is_null()).select(diesel::dsl::min(m::started_at));
    let third_latest_start = of()
        .select(m::started_at)
        .order(m::started_at.desc())
        .limit(1)
        .offset(crate::flags::REPEAT_THRESHOLD - 1)
        .into_boxed()
        .single_value();
    let interview_pending_since = of()
        .filter(m::ended_at.is_not_null())
        .filter(m::ri_completed_at.is_null())
        .filter(m::ri_outcome.is_null().or(m::ri_outcome.ne_all(["declined", "not_offered"])))
        .select(diesel::dsl::min(m::ended_at));
    diesel::delete(st::table.find(child_id)).execute(conn)?;
    diesel::insert_into(st::table)
        .values((
            st::child_id.eq(child_id),
            st::missing_since.eq(missing_since.into_boxed().single_value()),
            st::third_latest_start.eq(third_latest_start),
            st::interview_pending_since.eq(interview_pending_since.into_boxed().single_value()),
        ))
        .execute(conn)?;
    copy_to_open_placements(conn, child_id)
}

/// Copies a child's stored missing state onto its open placements (`end_date` unset), which the
/// host view's flag filters walk by an index holding the copy (`placements_open_host`): after
/// every write of the state ([`keep`]) and of a placement (a new one, an end date changed, one
/// arriving from a peer). A placement with an end date keeps whatever copy it had, which
/// nothing reads.
pub fn copy_to_open_placements(conn: &mut AnyConnection, child_id: &ChildId) -> Result<(), ApiError> {
    // One statement: each column is read from the stored state by the update itself (none when
    // the child has no state).
    let state = || st::table.filter(st::child_id.eq(placements::child_id));
    diesel::update(placements::table.filter(placements::child_id.eq(child_id)).filter(placements::end_date.is_null()))
        .set((
            placements::child_missing_since.eq(state().select(st::missing_since).single_value()),
            placements::child_third_latest_start.eq(state().select(st::third_latest_start).single_value()),
            placements::child_interview_pending_since.eq(state().select(st::interview_pending_since).single_value()),
        ))
        .execute(conn)?;
    Ok(())
}
