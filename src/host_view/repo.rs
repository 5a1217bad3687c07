//! SQL for the host view: the placements open in an area on a date with their child, placing LA
//! and setting, and the state of the notification the host received for each.

use super::model::{HostFlag, PlacedChild};
use crate::children::repo::{StateRow, episodes_since, state, state_of};
use crate::db::AnyConnection;
use crate::db::schema::{authorities, child_missing_state as st, children, notifications, placements, settings};
use crate::error::ApiError;
use crate::ids::{ChildId, PlacementId};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use std::collections::HashMap;

type Row = (
    (ChildId, String, String, NaiveDate, String),
    (String, String, PlacementId, Option<String>, Option<String>, String),
    (NaiveDate, Option<NaiveDate>, bool, Option<f64>),
    (StateRow, Option<i64>),
);

/// Narrows the host view in SQL.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub placing_la: Option<String>,
    pub urn: Option<String>,
    /// Only children with this flag, when it is a missing flag (the notification flags are
    /// checked by the caller).
    pub flag: Option<HostFlag>,
}

/// The first `limit` rows in the default order (newest start first, then placement id) after
/// a cursor's start date and placement id.
#[derive(Debug, Clone)]
pub struct Top {
    pub after: Option<(NaiveDate, PlacementId)>,
    pub limit: i64,
}

/// The conditions of the host view on the placement alone, applied to `$q`: a boxed query over
/// `placements`, joined or not. `$ending` is `None` for the placements still open, else the
/// placements ending after the date, by id (see [`ending_ids`]). An open placement's missing
/// flags are checked on the copy of its child's state it carries, which the index on the open
/// placements holds (see `db::missing_state::copy_to_open_placements`); with `$top`, the
/// open placements are ordered and cut to a page.
macro_rules! on_placement {
    ($q:expr, $host:expr, $on:expr, $filter:expr, $top:expr, $ending:expr, $window_start:expr, $overdue_before:expr) => {{
        let (host, on, filter, top, ending, window_start, overdue_before): (
            &str,
            NaiveDate,
            &Filter,
            Option<&Top>,
            Option<&[PlacementId]>,
            NaiveDateTime,
            NaiveDateTime,
        ) = ($host, $on, $filter, $top, $ending, $window_start, $overdue_before);
        let mut q = $q.filter(placements::host_area.eq(host)).filter(placements::start_date.le(on));
        q = match ending {
            None => q.filter(placements::end_date.is_null()),
            Some(ids) => q.filter(placements::id.eq_any(ids)).filter(placements::end_date.gt(on)),
        };
        if let Some(la) = &filter.placing_la {
            q = q.filter(placements::placing_la.eq(la.clone()));
        }
        if let Some(urn) = &filter.urn {
            q = q.filter(placements::urn.eq(urn.clone()));
        }
        if ending.is_none() {
            q = match filter.flag {
                Some(HostFlag::CurrentlyMissing) => q.filter(placements::child_missing_since.is_not_null()),
                Some(HostFlag::RepeatMissing) => q.filter(placements::child_third_latest_start.ge(window_start)),
                Some(HostFlag::ReturnInterviewOverdue) => {
                    q.filter(placements::child_interview_pending_since.lt(overdue_before))
                }
                Some(HostFlag::NotificationLate | HostFlag::NotificationUnacknowledged) | None => q,
            };
        }
        // Only the open placements are many; the few ending after the date are read whole
        // (ordering those by start would walk every placement the area ever had).
        if let Some(top) = top.filter(|_| ending.is_none()) {
            if let Some((date, id)) = &top.after {
                q = q.filter(
                    placements::start_date
                        .lt(*date)
                        .or(placements::start_date.eq(*date).and(placements::id.gt(id.clone()))),
                );
            }
            q = q.order((placements::start_date.desc(), placements::id.asc())).limit(top.limit);
        }
        q
    }};
}

/// Which of an area's placements a statement of [`placed_children`] reads: one of two index
/// ranges on (host_area, end_date), instead of an OR over years of history.
#[derive(Debug, Clone, Copy)]
enum Range<'a> {
    /// The open placements (no end date), a page of them with a `Top`.
    Open,
    /// These open placements: a page of those with a missing flag, chosen by [`flag_page`].
    Page(&'a [PlacementId]),
    /// These placements, ending after the date (see [`ending_ids`]).
    Ending(&'a [PlacementId]),
}

/// The ids of a page of the open placements with the filter's missing flag, from the index of
/// the open placements alone (it holds each one's copy of its child's state), on PostgreSQL.
/// The rows are read by id afterwards: PostgreSQL's planner, expecting few flagged placements,
/// joined the other tables first, for every flagged child in the area, then sorted.
macro_rules! flag_page {
    ($db:ty, $host:expr, $on:expr, $filter:expr, $top:expr, $window_start:expr, $now:expr) => {{
        let overdue_before = crate::flags::interview_overdue_before($now);
        let q = placements::table.select(placements::id).into_boxed::<$db>();
        on_placement!(q, $host, $on, $filter, $top, None, $window_start, overdue_before)
    }};
}

/// The statement of [`placed_children`] for a [`Range`], on the backend `$db`: written once for
/// the blocking connections and the asynchronous PostgreSQL ones.
macro_rules! placed_query {
    ($db:ty, $host:expr, $on:expr, $filter:expr, $top:expr, $range:expr, $window_start:expr, $now:expr) => {{
        let (host, on, filter, top, range, window_start, now): (
            &str,
            NaiveDate,
            &Filter,
            Option<&Top>,
            Range<'_>,
            NaiveDateTime,
            NaiveDateTime,
        ) = ($host, $on, $filter, $top, $range, $window_start, $now);
        let overdue_before = crate::flags::interview_overdue_before(now);
        let q = placements::table
            .left_join(st::table.on(st::child_id.eq(placements::child_id)))
            .inner_join(children::table.on(children::id.eq(placements::child_id)))
            .inner_join(authorities::table.on(authorities::code.eq(placements::placing_la)))
            .left_join(settings::table.on(settings::urn.nullable().eq(placements::urn)))
            .select((
                (children::id, children::given_name, children::family_name, children::date_of_birth, children::sex),
                (
                    placements::placing_la,
                    authorities::name,
                    placements::id,
                    placements::urn,
                    settings::name.nullable(),
                    placements::place,
                ),
                (placements::start_date, placements::end_date, placements::emergency, placements::distance_miles),
                (state(), episodes_since(window_start)),
            ))
            .into_boxed::<$db>();
        match range {
            Range::Open => on_placement!(q, host, on, filter, top, None, window_start, overdue_before),
            Range::Page(ids) => {
                q.filter(placements::id.eq_any(ids)).order((placements::start_date.desc(), placements::id.asc()))
            }
            Range::Ending(ids) => {
                let q = on_placement!(q, host, on, filter, top, Some(ids), window_start, overdue_before);
                match filter.flag {
                    Some(HostFlag::CurrentlyMissing) => q.filter(st::missing_since.is_not_null()),
                    Some(HostFlag::RepeatMissing) => q.filter(st::third_latest_start.ge(window_start)),
                    Some(HostFlag::ReturnInterviewOverdue) => q.filter(st::interview_pending_since.lt(overdue_before)),
                    Some(HostFlag::NotificationLate | HostFlag::NotificationUnacknowledged) | None => q,
                }
            }
        }
    }};
}

/// Whether the open placements are read as a page with a missing flag ([`flag_page`]).
fn pages_a_missing_flag(filter: &Filter, top: Option<&Top>) -> bool {
    top.is_some()
        && matches!(
            filter.flag,
            Some(HostFlag::CurrentlyMissing | HostFlag::RepeatMissing | HostFlag::ReturnInterviewOverdue)
        )
}

/// The placements in `host` open on `on` that end after it (the few with a planned end): one
/// table, so that the statement joining the rest is only planned when there are any. That
/// statement's plan depends on how many there are, so the server plans it anew each time, and
/// planning a join of five tables cost more than running it.
#[diesel::dsl::auto_type(no_type_alias)]
fn ending_ids<'a>(host: &'a str, on: NaiveDate) -> _ {
    placements::table
        .filter(placements::host_area.eq(host))
        .filter(placements::end_date.gt(on))
        .filter(placements::start_date.le(on))
        .select(placements::id)
}

/// Every placement in `host` open on `on` (started on or before, not ended by then) that
/// matches `filter`, with its child's missing flags at `now` (from the child's stored state, in
/// the same statement) and its notification flags left unset: see
/// `service::add_notification_flags`. With `top`, at most `top.limit` of the open placements,
/// in the default order (with a missing flag on PostgreSQL, their ids first: [`flag_page`]),
/// and every one ending after the date: the caller sorts the union with `service::sort_key` as
/// for all rows and keeps a page.
pub fn placed_children(
    conn: &mut AnyConnection,
    host: &str,
    on: NaiveDate,
    filter: &Filter,
    top: Option<&Top>,
    now: NaiveDateTime,
) -> Result<Vec<PlacedChild>, ApiError> {
    use crate::db::MultiBackend;
    let window_start = crate::flags::repeat_window_start(now);
    // SQLite follows the index in the statement's order whatever it joins, so one statement
    // reads only a page of rows there.
    let mut rows: Vec<Row> = if pages_a_missing_flag(filter, top) && conn.backend() == crate::db::Backend::Postgres {
        let page: Vec<PlacementId> = flag_page!(MultiBackend, host, on, filter, top, window_start, now).load(conn)?;
        if page.is_empty() {
            Vec::new()
        } else {
            placed_query!(MultiBackend, host, on, filter, top, Range::Page(&page), window_start, now).load(conn)?
        }
    } else {
        placed_query!(MultiBackend, host, on, filter, top, Range::Open, window_start, now).load(conn)?
    };
    let ending: Vec<PlacementId> = ending_ids(host, on).load(conn)?;
    if !ending.is_empty() {
        rows.extend(
            placed_query!(MultiBackend, host, on, filter, top, Range::Ending(&ending), window_start, now)
                .load::<Row>(conn)?,
        );
    }
    Ok(rows.into_iter().map(|row| placed_child(row, now)).collect())
}

/// [`placed_children`] on an asynchronous PostgreSQL connection: the open placements (or a
/// flagged page's ids) and the ids of those ending later in one round trip, then the page's rows
/// and the rows of those ending later when there are any.
pub async fn placed_children_pg(
    conn: &mut diesel_async::AsyncPgConnection,
    host: &str,
    on: NaiveDate,
    filter: &Filter,
    top: Option<&Top>,
    now: NaiveDateTime,
) -> Result<Vec<PlacedChild>, ApiError> {
    use diesel::pg::Pg;
    use diesel_async::RunQueryDsl;
    let window_start = crate::flags::repeat_window_start(now);
    let ending_ids = RunQueryDsl::load::<PlacementId>(ending_ids(host, on), &mut *conn);
    let (mut rows, ending): (Vec<Row>, Vec<PlacementId>) = if pages_a_missing_flag(filter, top) {
        let page = flag_page!(Pg, host, on, filter, top, window_start, now);
        let (page, ending) =
            futures_util::future::try_join(RunQueryDsl::load::<PlacementId>(page, &mut *conn), ending_ids).await?;
        let q = placed_query!(Pg, host, on, filter, top, Range::Page(&page), window_start, now);
        (if page.is_empty() { Vec::new() } else { RunQueryDsl::load::<Row>(q, &mut *conn).await? }, ending)
    } else {
        let open = placed_query!(Pg, host, on, filter, top, Range::Open, window_start, now);
        futures_util::future::try_join(RunQueryDsl::load::<Row>(open, &mut *conn), ending_ids).await?
    };
    if !ending.is_empty() {
        let q = placed_query!(Pg, host, on, filter, top, Range::Ending(&ending), window_start, now);
        rows.extend(RunQueryDsl::load::<Row>(q, conn).await?);
    }
    Ok(rows.into_iter().map(|row| placed_child(row, now)).collect())
}

fn placed_child((c, p, d, (state_row, recent)): Row, now: NaiveDateTime) -> PlacedChild {
    let flags = crate::flags::from_state(&state_of(state_row), recent.unwrap_or(0), now);
    PlacedChild {
        child_id: c.0.0,
        given_name: c.1,
        family_name: c.2,
        date_of_birth: c.3,
        sex: c.4,
        placing_la: p.0,
        placing_la_name: p.1,
        placement_id: p.2.0,
        urn: p.3,
        setting_name: p.4,
        place: p.5,
        start_date: d.0,
        end_date: d.1,
        emergency: d.2,
        distance_miles: d.3,
        episodes_last_90_days: flags.episodes_last_90_days,
        currently_missing: flags.currently_missing,
        missing_since: flags.missing_since,
        repeat_missing: flags.repeat_missing,
        return_interview_overdue: flags.return_interview_overdue,
        notification_late: false,
        notification_unacknowledged: false,
    }
}

/// For each of these placements, the host's `placement.started` notification: (on time, or
/// None without a statutory clock; unacknowledged).
pub fn notification_states(
    conn: &mut AnyConnection,
    host: &str,
    placement_ids: &[PlacementId],
) -> Result<HashMap<PlacementId, (Option<bool>, bool)>, ApiError> {
    let mut notices = HashMap::new();
    for chunk in placement_ids.chunks(NOTICES_PER_QUERY) {
        notices.extend(notices_of(notices_query(host, chunk).load(conn)?));
    }
    Ok(notices)
}

/// [`notification_states`] on an asynchronous PostgreSQL connection (shared, so that other
/// statements go in the same round trip).
pub async fn notification_states_pg(
    mut conn: &diesel_async::AsyncPgConnection,
    host: &str,
    placement_ids: &[PlacementId],
) -> Result<HashMap<PlacementId, (Option<bool>, bool)>, ApiError> {
    let mut notices = HashMap::new();
    for chunk in placement_ids.chunks(NOTICES_PER_QUERY) {
        notices.extend(notices_of(diesel_async::RunQueryDsl::load(notices_query(host, chunk), &mut conn).await?));
    }
    Ok(notices)
}

const NOTICES_PER_QUERY: usize = 500;

type NoticeRow = (Option<PlacementId>, Option<bool>, Option<NaiveDateTime>);

#[diesel::dsl::auto_type(no_type_alias)]
fn notices_query<'a>(host: &'a str, chunk: &'a [PlacementId]) -> _ {
    notifications::table
        .filter(notifications::placement_id.eq_any(chunk))
        .filter(notifications::kind.eq("placement.started"))
        .filter(notifications::recipient_la.eq(host))
        .select((notifications::placement_id, notifications::on_time, notifications::acknowledged_at))
}

fn notices_of(rows: Vec<NoticeRow>) -> impl Iterator<Item = (PlacementId, (Option<bool>, bool))> {
    rows.into_iter().filter_map(|(pid, on_time, ack)| pid.map(|pid| (pid, (on_time, ack.is_none()))))
}
