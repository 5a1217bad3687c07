//! SQL for admissions and discharges.

use crate::auth::{Caller, OrgType};
use crate::db::AnyConnection;
use crate::db::schema::{admissions as a, children as c, placements as p, settings as st};
use crate::error::ApiError;
use crate::ids::{ChildId, PlacementId};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

pub use crate::db::rows::admissions::AdmissionRow as Row;

pub fn insert(conn: &mut AnyConnection, r: &Row) -> Result<(), ApiError> {
    diesel::insert_into(a::table).values(r).execute(conn)?;
    Ok(())
}

type Cond = Box<dyn BoxableExpression<a::table, crate::db::MultiBackend, SqlType = diesel::sql_types::Bool>>;

/// Movements a caller may see: the provider that recorded them, the host LA, the placing LA.
fn visible(caller: &Caller) -> Cond {
    match caller.org_type {
        OrgType::Provider => Box::new(a::provider_id.eq(caller.org.clone())),
        OrgType::Authority => Box::new(
            a::host_area
                .eq(caller.org.clone())
                .or(a::placing_la.assume_not_null().eq(caller.org.clone()).and(a::placing_la.is_not_null())),
        ),
        OrgType::Operator => Box::new(diesel::dsl::sql::<diesel::sql_types::Bool>("1 = 0")),
    }
}

pub fn find_visible(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<Option<Row>, ApiError> {
    Ok(a::table.filter(a::id.eq(id)).filter(visible(caller)).select(Row::as_select()).first(conn).optional()?)
}

pub struct Filter {
    pub status: Option<String>,
    pub kind: Option<String>,
    pub urn: Option<String>,
}

pub fn list(
    conn: &mut AnyConnection,
    caller: &Caller,
    f: &Filter,
    after: Option<(NaiveDate, String)>,
    limit: i64,
) -> Result<Vec<Row>, ApiError> {
    let mut q = a::table.filter(visible(caller)).select(Row::as_select()).into_boxed();
    if let Some(s) = &f.status {
        q = q.filter(a::status.eq(s.clone()));
    }
    if let Some(k) = &f.kind {
        q = q.filter(a::kind.eq(k.clone()));
    }
    if let Some(u) = &f.urn {
        q = q.filter(a::urn.eq(u.clone()));
    }
    if let Some((d, id)) = after {
        q = q.filter(a::event_date.lt(d).or(a::event_date.eq(d).and(a::id.lt(id))));
    }
    Ok(q.order((a::event_date.desc(), a::id.desc())).limit(limit + 1).load(conn)?)
}

/// Unmatched movements of a kind at a setting dated within `window` days of `date`.
pub fn unmatched_near(
    conn: &mut AnyConnection,
    kind: &str,
    urn: &str,
    date: NaiveDate,
    window: u64,
) -> Result<Vec<Row>, ApiError> {
    let from = date.checked_sub_days(chrono::Days::new(window)).unwrap_or(date);
    let to = date.checked_add_days(chrono::Days::new(window)).unwrap_or(date);
    Ok(a::table
        .filter(a::kind.eq(kind))
        .filter(a::urn.eq(urn))
        .filter(a::status.eq("unmatched"))
        .filter(a::event_date.between(from, to))
        .select(Row::as_select())
        .load(conn)?)
}

pub fn resolve(
    conn: &mut AnyConnection,
    id: &str,
    placement_id: &PlacementId,
    child_id: &ChildId,
    placing_la: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::update(a::table.find(id))
        .set((
            a::status.eq("resolved"),
            a::placement_id.eq(placement_id),
            a::child_id.eq(child_id),
            a::placing_la.eq(placing_la),
            a::resolved_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// A placement at a setting: (id, child, placing LA, start, end).
pub type PlacementAt = (PlacementId, ChildId, String, NaiveDate, Option<NaiveDate>);

/// Placements at a setting of any of `children`.
pub fn placements_at(conn: &mut AnyConnection, urn: &str, children: &[ChildId]) -> Result<Vec<PlacementAt>, ApiError> {
    Ok(p::table
        .filter(p::urn.eq(urn))
        .filter(p::child_id.eq_any(children))
        .select((p::id, p::child_id, p::placing_la, p::start_date, p::end_date))
        .load(conn)?)
}

/// The provider and host area of a setting the provider runs.
pub fn setting_of(conn: &mut AnyConnection, provider: &str, urn: &str) -> Result<Option<(String, String)>, ApiError> {
    Ok(st::table
        .find(urn)
        .filter(st::provider_id.eq(provider))
        .select((st::provider_id, st::host_area))
        .first(conn)
        .optional()?)
}

/// Ids of children born on a date (of one LA, when given): candidates for a home that does not
/// know the child's id.
pub fn children_born_on(
    conn: &mut AnyConnection,
    dob: NaiveDate,
    placing_la: Option<&str>,
) -> Result<Vec<String>, ApiError> {
    let mut q = c::table.filter(c::date_of_birth.eq(dob)).select(c::id).into_boxed();
    if let Some(la) = placing_la {
        q = q.filter(c::responsible_la.eq(la.to_string()));
    }
    Ok(q.limit(200).load(conn)?)
}
