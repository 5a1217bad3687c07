//! SQL for admissions and discharges.

use super::model::Movement;
use crate::auth::{Caller, OrgType};
use crate::db::AnyConnection;
use crate::db::schema::{admissions as a, placements as p};
use crate::error::ApiError;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub kind: String,
    pub urn: String,
    pub provider_id: String,
    pub host_area: String,
    pub event_date: NaiveDate,
    pub child_id: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub placing_la: Option<String>,
    pub placement_id: Option<String>,
    pub status: String,
    pub resolved_at: Option<NaiveDateTime>,
    pub recorded_by: String,
    pub created_at: NaiveDateTime,
}

type Tuple = (
    (String, String, String, String, String, NaiveDate, Option<String>, Option<String>),
    (
        Option<String>,
        Option<NaiveDate>,
        Option<String>,
        Option<String>,
        String,
        Option<NaiveDateTime>,
        String,
        NaiveDateTime,
    ),
);

#[allow(clippy::type_complexity)]
const COLUMNS: (
    (a::id, a::kind, a::urn, a::provider_id, a::host_area, a::event_date, a::child_id, a::given_name),
    (
        a::family_name,
        a::date_of_birth,
        a::placing_la,
        a::placement_id,
        a::status,
        a::resolved_at,
        a::recorded_by,
        a::created_at,
    ),
) = (
    (a::id, a::kind, a::urn, a::provider_id, a::host_area, a::event_date, a::child_id, a::given_name),
    (
        a::family_name,
        a::date_of_birth,
        a::placing_la,
        a::placement_id,
        a::status,
        a::resolved_at,
        a::recorded_by,
        a::created_at,
    ),
);

fn row(t: Tuple) -> Row {
    let (x, y) = t;
    Row {
        id: x.0,
        kind: x.1,
        urn: x.2,
        provider_id: x.3,
        host_area: x.4,
        event_date: x.5,
        child_id: x.6,
        given_name: x.7,
        family_name: y.0,
        date_of_birth: y.1,
        placing_la: y.2,
        placement_id: y.3,
        status: y.4,
        resolved_at: y.5,
        recorded_by: y.6,
        created_at: y.7,
    }
}

impl Row {
    /// The movement as the caller may see it: a provider is not shown who an unmatched
    /// movement's child is or who placed it (it may not see that child).
    pub fn view_for(self, caller: &Caller) -> Movement {
        let hide = caller.org_type == OrgType::Provider && self.status == "unmatched";
        let mut m = self.view();
        if hide {
            m.child_id = None;
            m.placing_la = None;
        }
        m
    }

    pub fn view(self) -> Movement {
        Movement {
            id: self.id,
            kind: self.kind,
            urn: self.urn,
            host_area: self.host_area,
            date: self.event_date,
            status: self.status,
            placement_id: self.placement_id,
            child_id: self.child_id,
            given_name: self.given_name,
            family_name: self.family_name,
            date_of_birth: self.date_of_birth,
            placing_la: self.placing_la,
            resolved_at: self.resolved_at.map(|t| t.and_utc()),
            recorded_at: self.created_at.and_utc(),
        }
    }
}

pub fn insert(conn: &mut AnyConnection, r: &Row) -> Result<(), ApiError> {
    diesel::insert_into(a::table)
        .values((
            (
                a::id.eq(&r.id),
                a::kind.eq(&r.kind),
                a::urn.eq(&r.urn),
                a::provider_id.eq(&r.provider_id),
                a::host_area.eq(&r.host_area),
                a::event_date.eq(r.event_date),
                a::child_id.eq(&r.child_id),
                a::given_name.eq(&r.given_name),
            ),
            (
                a::family_name.eq(&r.family_name),
                a::date_of_birth.eq(r.date_of_birth),
                a::placing_la.eq(&r.placing_la),
                a::placement_id.eq(&r.placement_id),
                a::status.eq(&r.status),
                a::resolved_at.eq(r.resolved_at),
                a::recorded_by.eq(&r.recorded_by),
                a::created_at.eq(r.created_at),
            ),
        ))
        .execute(conn)?;
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
    let r: Option<Tuple> =
        a::table.filter(a::id.eq(id)).filter(visible(caller)).select(COLUMNS).first(conn).optional()?;
    Ok(r.map(row))
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
    let mut q = a::table.filter(visible(caller)).select(COLUMNS).into_boxed();
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
    let rows: Vec<Tuple> = q.order((a::event_date.desc(), a::id.desc())).limit(limit + 1).load(conn)?;
    Ok(rows.into_iter().map(row).collect())
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
    let rows: Vec<Tuple> = a::table
        .filter(a::kind.eq(kind))
        .filter(a::urn.eq(urn))
        .filter(a::status.eq("unmatched"))
        .filter(a::event_date.between(from, to))
        .select(COLUMNS)
        .load(conn)?;
    Ok(rows.into_iter().map(row).collect())
}

pub fn resolve(
    conn: &mut AnyConnection,
    id: &str,
    placement_id: &str,
    child_id: &str,
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
pub type PlacementAt = (String, String, String, NaiveDate, Option<NaiveDate>);

/// Placements at a setting of any of `children`.
pub fn placements_at(conn: &mut AnyConnection, urn: &str, children: &[String]) -> Result<Vec<PlacementAt>, ApiError> {
    Ok(p::table
        .filter(p::urn.eq(urn))
        .filter(p::child_id.eq_any(children))
        .select((p::id, p::child_id, p::placing_la, p::start_date, p::end_date))
        .load(conn)?)
}
