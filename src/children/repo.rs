//! SQL for children. Every read by a caller carries the access condition of `access::visible`.

use super::access;
use super::model::ChildRecord;
use crate::auth::Caller;
use crate::db::AnyConnection;
use crate::db::schema::{children, missing_episodes};
use crate::error::ApiError;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

type Row = (
    String,
    String,
    String,
    String,
    String,
    NaiveDate,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
    NaiveDateTime,
    NaiveDateTime,
);

#[allow(clippy::type_complexity)]
const COLUMNS: (
    children::id,
    children::responsible_la,
    children::la_child_id,
    children::given_name,
    children::family_name,
    children::date_of_birth,
    children::sex,
    children::ethnicity,
    children::nhs_number,
    children::upn,
    children::home_postcode,
    children::category_of_need,
    children::version,
    children::created_at,
    children::updated_at,
) = (
    children::id,
    children::responsible_la,
    children::la_child_id,
    children::given_name,
    children::family_name,
    children::date_of_birth,
    children::sex,
    children::ethnicity,
    children::nhs_number,
    children::upn,
    children::home_postcode,
    children::category_of_need,
    children::version,
    children::created_at,
    children::updated_at,
);

fn record(r: Row) -> ChildRecord {
    ChildRecord {
        id: r.0,
        responsible_la: r.1,
        la_child_id: r.2,
        given_name: r.3,
        family_name: r.4,
        date_of_birth: r.5,
        sex: r.6,
        ethnicity: r.7,
        nhs_number: r.8,
        upn: r.9,
        home_postcode: r.10,
        category_of_need: r.11,
        version: r.12,
        created_at: r.13,
        updated_at: r.14,
    }
}

/// A child the caller may see, or None (indistinguishable from a child that does not exist).
pub fn find_visible(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<Option<ChildRecord>, ApiError> {
    let row: Option<Row> = children::table
        .filter(children::id.eq(id))
        .filter(access::visible(caller))
        .select(COLUMNS)
        .first(conn)
        .optional()?;
    Ok(row.map(record))
}

/// A child by id without access rules, for checks inside writes that are already authorised.
pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<ChildRecord>, ApiError> {
    let row: Option<Row> = children::table.find(id).select(COLUMNS).first(conn).optional()?;
    Ok(row.map(record))
}

/// The responsible LA's children, by family name then id.
pub fn list_own(
    conn: &mut AnyConnection,
    la: &str,
    after: Option<(String, String)>,
    limit: i64,
) -> Result<Vec<ChildRecord>, ApiError> {
    let mut q = children::table.filter(children::responsible_la.eq(la.to_string())).select(COLUMNS).into_boxed();
    if let Some((name, id)) = after {
        q = q
            .filter(children::family_name.gt(name.clone()).or(children::family_name.eq(name).and(children::id.gt(id))));
    }
    let rows: Vec<Row> = q.order((children::family_name.asc(), children::id.asc())).limit(limit + 1).load(conn)?;
    Ok(rows.into_iter().map(record).collect())
}

pub fn by_nhs_number(conn: &mut AnyConnection, nhs: &str) -> Result<Option<(String, String)>, ApiError> {
    Ok(children::table
        .filter(children::nhs_number.eq(nhs))
        .select((children::id, children::responsible_la))
        .first(conn)
        .optional()?)
}

pub fn by_la_child_id(conn: &mut AnyConnection, la: &str, la_child_id: &str) -> Result<Option<String>, ApiError> {
    Ok(children::table
        .filter(children::responsible_la.eq(la))
        .filter(children::la_child_id.eq(la_child_id))
        .select(children::id)
        .first(conn)
        .optional()?)
}

/// Children born on a date: (id, responsible LA, given name, family name).
pub fn born_on(conn: &mut AnyConnection, dob: NaiveDate) -> Result<Vec<(String, String, String, String)>, ApiError> {
    Ok(children::table
        .filter(children::date_of_birth.eq(dob))
        .select((children::id, children::responsible_la, children::given_name, children::family_name))
        .limit(500)
        .load(conn)?)
}

pub fn insert(conn: &mut AnyConnection, c: &ChildRecord) -> Result<(), ApiError> {
    diesel::insert_into(children::table)
        .values((
            children::id.eq(&c.id),
            children::responsible_la.eq(&c.responsible_la),
            children::la_child_id.eq(&c.la_child_id),
            children::given_name.eq(&c.given_name),
            children::family_name.eq(&c.family_name),
            children::date_of_birth.eq(c.date_of_birth),
            children::sex.eq(&c.sex),
            children::ethnicity.eq(&c.ethnicity),
            children::nhs_number.eq(&c.nhs_number),
            children::upn.eq(&c.upn),
            children::home_postcode.eq(&c.home_postcode),
            children::category_of_need.eq(&c.category_of_need),
            children::version.eq(c.version),
            children::created_at.eq(c.created_at),
            children::updated_at.eq(c.updated_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Writes `c` over the stored record when its version is still `expected`; rows changed.
pub fn update(conn: &mut AnyConnection, c: &ChildRecord, expected: i64) -> Result<usize, ApiError> {
    Ok(diesel::update(children::table.find(&c.id).filter(children::version.eq(expected)))
        .set((
            children::la_child_id.eq(&c.la_child_id),
            children::given_name.eq(&c.given_name),
            children::family_name.eq(&c.family_name),
            children::date_of_birth.eq(c.date_of_birth),
            children::sex.eq(&c.sex),
            children::ethnicity.eq(&c.ethnicity),
            children::nhs_number.eq(&c.nhs_number),
            children::upn.eq(&c.upn),
            children::home_postcode.eq(&c.home_postcode),
            children::category_of_need.eq(&c.category_of_need),
            children::version.eq(expected + 1),
            children::updated_at.eq(c.updated_at),
        ))
        .execute(conn)?)
}

/// Takes the child's row lock for the rest of the transaction (serialises writes about one
/// child, such as placement overlap checks) by bumping nothing but `updated_at`'s twin: a no-op
/// update of the version to itself.
pub fn lock(conn: &mut AnyConnection, id: &str) -> Result<bool, ApiError> {
    Ok(diesel::update(children::table.find(id)).set(children::version.eq(children::version)).execute(conn)? > 0)
}

/// A child id and an episode's clock columns.
type ClockRow = (String, NaiveDateTime, Option<NaiveDateTime>, Option<String>, Option<NaiveDateTime>);

/// The clocks of the episodes of many children that are open, or started or ended since
/// `since`, with each one's child id.
pub fn missing_clocks(
    conn: &mut AnyConnection,
    ids: &[String],
    since: NaiveDateTime,
) -> Result<Vec<(String, crate::flags::EpisodeClock)>, ApiError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<ClockRow> = missing_episodes::table
            .filter(missing_episodes::child_id.eq_any(chunk))
            .filter(
                missing_episodes::started_at
                    .ge(since)
                    .or(missing_episodes::ended_at.is_null())
                    .or(missing_episodes::ended_at.ge(since)),
            )
            .select((
                missing_episodes::child_id,
                missing_episodes::started_at,
                missing_episodes::ended_at,
                missing_episodes::ri_outcome,
                missing_episodes::ri_completed_at,
            ))
            .load(conn)?;
        out.extend(rows.into_iter().map(|(child, started_at, ended_at, ri_outcome, ri_completed_at)| {
            (child, crate::flags::EpisodeClock { started_at, ended_at, ri_outcome, ri_completed_at })
        }));
    }
    Ok(out)
}
