//! SQL for quarterly returns, and the bulk reads a return is checked against (one query per
//! table and chunk of 500 ids, never one per row).

use crate::db::AnyConnection;
use crate::db::rows::children::ChildRecord;
use crate::db::rows::placements::PlacementRecord;
use crate::db::rows::returns::ReturnRow;
use crate::db::schema::{children, placements, providers, quarterly_returns as qr, settings};
use crate::error::ApiError;
use crate::ids::ChildId;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use std::collections::HashMap;

pub use crate::db::rows::returns::ReturnVersionRow as VersionRow;

const CHUNK: usize = 500;

/// A setting as returns need it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = settings)]
pub struct SettingInfo {
    pub urn: String,
    pub provider_id: String,
    pub host_area: String,
    pub name: String,
}

pub fn setting(conn: &mut AnyConnection, urn: &str) -> Result<Option<SettingInfo>, ApiError> {
    Ok(settings::table.find(urn).select(SettingInfo::as_select()).first(conn).optional()?)
}

/// Takes the setting's row lock for the rest of the transaction, so two versions of one
/// return are never numbered alike.
pub fn lock_setting(conn: &mut AnyConnection, urn: &str) -> Result<(), ApiError> {
    diesel::update(settings::table.find(urn)).set(settings::version.eq(settings::version)).execute(conn)?;
    Ok(())
}

/// Takes the children's row locks (as real-time reports do), so no episode of theirs is
/// written by another request while the return is reconciled.
pub fn lock_children(conn: &mut AnyConnection, ids: &[ChildId]) -> Result<(), ApiError> {
    for chunk in ids.chunks(CHUNK) {
        diesel::update(children::table.filter(children::id.eq_any(chunk)))
            .set(children::version.eq(children::version))
            .execute(conn)?;
    }
    Ok(())
}

/// Children with a placement at the setting overlapping `from..=to`.
pub fn children_placed(
    conn: &mut AnyConnection,
    urn: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ChildId>, ApiError> {
    let mut ids: Vec<ChildId> = placements::table
        .filter(placements::urn.eq(urn))
        .filter(placements::start_date.le(to))
        .filter(placements::end_date.is_null().or(placements::end_date.ge(from)))
        .select(placements::child_id)
        .load(conn)?;
    ids.sort();
    ids.dedup();
    Ok(ids)
}

pub fn children_by_id(conn: &mut AnyConnection, ids: &[ChildId]) -> Result<HashMap<ChildId, ChildRecord>, ApiError> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        for c in children::table.filter(children::id.eq_any(chunk)).select(ChildRecord::as_select()).load(conn)? {
            out.insert(c.id.clone(), c);
        }
    }
    Ok(out)
}

/// Every placement of these children, oldest first per child.
pub fn placements_of(
    conn: &mut AnyConnection,
    ids: &[ChildId],
) -> Result<HashMap<ChildId, Vec<PlacementRecord>>, ApiError> {
    let mut out: HashMap<ChildId, Vec<PlacementRecord>> = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(CHUNK) {
        for p in placements::table
            .filter(placements::child_id.eq_any(chunk))
            .select(PlacementRecord::as_select())
            .load(conn)?
        {
            out.entry(p.child_id.clone()).or_default().push(p);
        }
    }
    for v in out.values_mut() {
        v.sort_by(|a, b| (a.start_date, &a.id).cmp(&(b.start_date, &b.id)));
    }
    Ok(out)
}

/// The versions of a setting's return for a period, oldest first.
pub fn versions(conn: &mut AnyConnection, urn: &str, period: &str) -> Result<Vec<VersionRow>, ApiError> {
    Ok(qr::table
        .filter(qr::urn.eq(urn))
        .filter(qr::period.eq(period))
        .select(VersionRow::as_select())
        .order(qr::version.asc())
        .load(conn)?)
}

/// The stored summary and content (JSON) of a version.
pub fn documents(conn: &mut AnyConnection, id: &str) -> Result<(String, String), ApiError> {
    Ok(qr::table.find(id).select((qr::summary, qr::content)).first(conn)?)
}

/// The stored summaries of versions, by id.
pub fn summaries(conn: &mut AnyConnection, ids: &[String]) -> Result<HashMap<String, String>, ApiError> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(String, String)> =
            qr::table.filter(qr::id.eq_any(chunk)).select((qr::id, qr::summary)).load(conn)?;
        out.extend(rows);
    }
    Ok(out)
}

pub fn insert(conn: &mut AnyConnection, row: &ReturnRow) -> Result<(), ApiError> {
    diesel::insert_into(qr::table).values(row).execute(conn)?;
    Ok(())
}

/// Records the host LA's decision on a version still in `from_status`; rows changed.
pub fn review(
    conn: &mut AnyConnection,
    id: &str,
    from_status: &str,
    status: &str,
    by: &str,
    at: NaiveDateTime,
    comment: Option<&str>,
) -> Result<usize, ApiError> {
    Ok(diesel::update(qr::table.find(id).filter(qr::status.eq(from_status)))
        .set((qr::status.eq(status), qr::reviewed_by.eq(by), qr::reviewed_at.eq(at), qr::review_comment.eq(comment)))
        .execute(conn)?)
}

/// The periods a setting has returns for, newest first, after `before` (a period), at most `limit + 1`.
pub fn periods(conn: &mut AnyConnection, urn: &str, before: Option<&str>, limit: i64) -> Result<Vec<String>, ApiError> {
    let mut q = qr::table.filter(qr::urn.eq(urn)).select(qr::period).distinct().into_boxed();
    if let Some(b) = before {
        q = q.filter(qr::period.lt(b.to_string()));
    }
    Ok(q.order(qr::period.desc()).limit(limit + 1).load(conn)?)
}

/// Versions of several periods of a setting, oldest first.
pub fn versions_of_periods(
    conn: &mut AnyConnection,
    urn: &str,
    periods: &[String],
) -> Result<Vec<VersionRow>, ApiError> {
    Ok(qr::table
        .filter(qr::urn.eq(urn))
        .filter(qr::period.eq_any(periods))
        .select(VersionRow::as_select())
        .order((qr::period.desc(), qr::version.asc()))
        .load(conn)?)
}

/// A setting located in an area, with its provider's name.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = settings)]
pub struct SettingInArea {
    pub urn: String,
    pub name: String,
    pub provider_id: String,
    #[diesel(select_expression = providers::name)]
    pub provider_name: String,
}

/// Settings located in an area, by URN.
pub fn settings_in(conn: &mut AnyConnection, area: &str) -> Result<Vec<SettingInArea>, ApiError> {
    Ok(settings::table
        .inner_join(providers::table)
        .filter(settings::host_area.eq(area))
        .select(SettingInArea::as_select())
        .order(settings::urn.asc())
        .load(conn)?)
}

/// Every version for a period of the settings located in an area, oldest first.
pub fn versions_in_area(conn: &mut AnyConnection, area: &str, period: &str) -> Result<Vec<VersionRow>, ApiError> {
    Ok(qr::table
        .filter(qr::period.eq(period))
        .filter(qr::urn.eq_any(settings::table.filter(settings::host_area.eq(area)).select(settings::urn)))
        .select(VersionRow::as_select())
        .order((qr::urn.asc(), qr::version.asc()))
        .load(conn)?)
}
