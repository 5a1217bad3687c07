//! SQL for alerts: the records whose clocks have run out and that have no alert yet, the alert
//! keys, and the lease that lets one worker at a time scan.

use crate::db::AnyConnection;
use crate::db::schema::{
    alerts, children, federation_homes, missing_episodes as me, notification_relays, notifications as n,
    quarterly_returns, settings, worker_leases,
};
use crate::error::ApiError;
use chrono::NaiveDateTime;
use diesel::dsl::{exists, not};
use diesel::prelude::*;

/// The most records of one kind a round looks at.
pub const BATCH: i64 = 500;

/// An episode with what its alerts need (ids and codes only).
#[derive(Debug, Clone, Queryable)]
pub struct Episode {
    pub id: String,
    pub child_id: String,
    pub placement_id: String,
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub placing_la: Option<String>,
    pub host_area: Option<String>,
}

type EpisodeColumns =
    (me::id, me::child_id, me::placement_id, me::started_at, me::ended_at, me::placing_la, me::host_area);
const EPISODE: EpisodeColumns =
    (me::id, me::child_id, me::placement_id, me::started_at, me::ended_at, me::placing_la, me::host_area);

/// Children whose record this node holds (not projections of another node's).
fn held_here()
-> diesel::dsl::Select<diesel::dsl::Filter<children::table, diesel::dsl::IsNull<children::origin_node>>, children::id> {
    children::table.filter(children::origin_node.is_null()).select(children::id)
}

/// Returned episodes whose return interview is overdue at `now` (72 hours after the return,
/// none recorded, neither declined nor not offered) and not yet alerted.
pub fn interviews_overdue(
    conn: &mut AnyConnection,
    kind: &str,
    returned_before: NaiveDateTime,
) -> Result<Vec<Episode>, ApiError> {
    Ok(me::table
        .filter(me::ended_at.lt(returned_before))
        .filter(me::ri_completed_at.is_null())
        .filter(me::ri_outcome.is_null().or(not(me::ri_outcome.eq_any(["declined", "not_offered"]))))
        .filter(me::child_id.eq_any(held_here()))
        .filter(not(exists(alerts::table.filter(alerts::subject.eq(me::id)).filter(alerts::kind.eq(kind.to_string())))))
        .select(EPISODE)
        .order((me::ended_at.asc(), me::id.asc()))
        .limit(BATCH)
        .load(conn)?)
}

/// Open episodes that started before `started_before` and are not yet alerted.
pub fn missing_since(
    conn: &mut AnyConnection,
    kind: &str,
    started_before: NaiveDateTime,
) -> Result<Vec<Episode>, ApiError> {
    Ok(me::table
        .filter(me::ended_at.is_null())
        .filter(me::started_at.lt(started_before))
        .filter(me::child_id.eq_any(held_here()))
        .filter(not(exists(alerts::table.filter(alerts::subject.eq(me::id)).filter(alerts::kind.eq(kind.to_string())))))
        .select(EPISODE)
        .order((me::started_at.asc(), me::id.asc()))
        .limit(BATCH)
        .load(conn)?)
}

/// Episodes of children held here that started in [from, to], by child, oldest first: those of
/// the children after `after` (by id), at most `limit` rows, so a round never holds every
/// episode of the country at once. The last child of a full page may be cut short: see
/// `episodes_of`.
pub fn started_between(
    conn: &mut AnyConnection,
    from: NaiveDateTime,
    to: NaiveDateTime,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Episode>, ApiError> {
    let mut q = me::table
        .filter(me::started_at.ge(from))
        .filter(me::started_at.le(to))
        .filter(me::child_id.eq_any(held_here()))
        .select(EPISODE)
        .order((me::child_id.asc(), me::started_at.asc(), me::id.asc()))
        .limit(limit)
        .into_boxed();
    if let Some(child) = after {
        q = q.filter(me::child_id.gt(child.to_string()));
    }
    Ok(q.load(conn)?)
}

/// Every episode of one child that started in [from, to], oldest first.
pub fn episodes_of(
    conn: &mut AnyConnection,
    child: &str,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> Result<Vec<Episode>, ApiError> {
    Ok(me::table
        .filter(me::child_id.eq(child))
        .filter(me::started_at.ge(from))
        .filter(me::started_at.le(to))
        .select(EPISODE)
        .order((me::started_at.asc(), me::id.asc()))
        .load(conn)?)
}

/// A setting that owes quarterly returns here: (URN, provider, host LA).
pub type SettingRef = (String, String, String);

/// Settings located in an area this node homes, registered before `registered_before` (the end
/// of the quarter), that have submitted no return for `period`.
pub fn settings_without_return(
    conn: &mut AnyConnection,
    period: &str,
    registered_before: NaiveDateTime,
) -> Result<Vec<SettingRef>, ApiError> {
    let homed_elsewhere = federation_homes::table.select(federation_homes::authority);
    let submitted = quarterly_returns::table.filter(quarterly_returns::period.eq(period.to_string()));
    Ok(settings::table
        .filter(not(settings::host_area.eq_any(homed_elsewhere)))
        .filter(settings::created_at.lt(registered_before))
        .filter(not(exists(submitted.filter(quarterly_returns::urn.eq(settings::urn)))))
        .select((settings::urn, settings::provider_id, settings::host_area))
        .order(settings::urn.asc())
        .load(conn)?)
}

/// A notification an alert is about: (id, type, recipient LA, sender type, sender, child).
pub type NotificationRef = (String, String, String, String, String, Option<String>);

/// Notifications to LAs, sent by an LA or a provider of this node, with no alert under `kind`,
/// created before `created_before` and still unacknowledged (`undelivered` false) or undelivered
/// (`undelivered` true). Notifications that crossed nodes are left to the federation's own
/// escalations.
pub fn notifications_waiting(
    conn: &mut AnyConnection,
    kind: &str,
    created_before: NaiveDateTime,
    undelivered: bool,
) -> Result<Vec<NotificationRef>, ApiError> {
    let mut q = n::table
        .filter(n::recipient_org_type.eq("authority"))
        .filter(n::sender_org_type.eq_any(["authority", "provider"]))
        .filter(n::sender_org.ne(n::recipient_la))
        .filter(n::created_at.lt(created_before))
        .filter(not(exists(notification_relays::table.filter(notification_relays::notification_id.eq(n::id)))))
        .filter(not(exists(alerts::table.filter(alerts::subject.eq(n::id)).filter(alerts::kind.eq(kind.to_string())))))
        .into_boxed();
    q = if undelivered { q.filter(n::delivered_at.is_null()) } else { q.filter(n::acknowledged_at.is_null()) };
    Ok(q.select((n::id, n::kind, n::recipient_la, n::sender_org_type, n::sender_org, n::child_id))
        .order((n::created_at.asc(), n::id.asc()))
        .limit(BATCH)
        .load(conn)?)
}

/// Whether the alert with this key was raised.
pub fn raised(conn: &mut AnyConnection, key: &str) -> Result<bool, ApiError> {
    Ok(alerts::table.find(key).count().get_result::<i64>(conn)? > 0)
}

/// Which of these keys were raised: one statement per [`KEYS_PER_READ`] keys, where a round
/// would otherwise ask once for each of its thousands of candidates.
pub fn raised_among(conn: &mut AnyConnection, keys: &[&str]) -> Result<std::collections::HashSet<String>, ApiError> {
    let mut raised = std::collections::HashSet::new();
    for chunk in keys.chunks(KEYS_PER_READ) {
        raised.extend(alerts::table.filter(alerts::key.eq_any(chunk)).select(alerts::key).load::<String>(conn)?);
    }
    Ok(raised)
}

/// Keys looked up per statement by [`raised_among`] (under SQLite's limit of bound values).
const KEYS_PER_READ: usize = 500;

/// Records an alert; the key is unique, so a second insert of it fails.
pub fn insert(
    conn: &mut AnyConnection,
    key: &str,
    kind: &str,
    subject: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::insert_into(alerts::table)
        .values((alerts::key.eq(key), alerts::kind.eq(kind), alerts::subject.eq(subject), alerts::created_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// Takes the lease `name` for `holder` until `until` when it is free, expired or already the
/// holder's; whether it was taken.
pub fn take_lease(
    conn: &mut AnyConnection,
    name: &str,
    holder: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> Result<bool, ApiError> {
    let n = diesel::update(
        worker_leases::table.find(name).filter(
            worker_leases::holder
                .is_null()
                .or(worker_leases::until.is_null())
                .or(worker_leases::until.le(now))
                .or(worker_leases::holder.eq(holder)),
        ),
    )
    .set((worker_leases::holder.eq(holder), worker_leases::until.eq(until)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Gives the lease back, if the holder still has it.
pub fn release_lease(conn: &mut AnyConnection, name: &str, holder: &str) -> Result<(), ApiError> {
    diesel::update(worker_leases::table.find(name).filter(worker_leases::holder.eq(holder)))
        .set((worker_leases::holder.eq(None::<String>), worker_leases::until.eq(None::<NaiveDateTime>)))
        .execute(conn)?;
    Ok(())
}
