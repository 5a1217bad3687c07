//! SQL for quarterly returns, and the bulk reads a return is checked against (one query per
//! table and chunk of 500 ids, never one per row).

use crate::db::AnyConnection;
use crate::db::rows::children::ChildRecord;
use crate::db::rows::placements::PlacementRecord;
use crate::db::schema::{children, placements, providers, quarterly_returns as qr, settings};
use crate::error::ApiError;
use crate::ids::ChildId;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use std::collections::HashMap;

const CHUNK: usize = 500;

/// A setting as returns need it.
#[derive(Debug, Clone)]
pub struct SettingInfo {
    pub urn: String,
    pub provider_id: String,
    pub host_area: String,
    pub name: String,
}

pub fn setting(conn: &mut AnyConnection, urn: &str) -> Result<Option<SettingInfo>, ApiError> {
    let row: Option<(String, String, String, String)> = settings::table
        .find(urn)
        .select((settings::urn, settings::provider_id, settings::host_area, settings::name))
        .first(conn)
        .optional()?;
    Ok(row.map(|(urn, provider_id, host_area, name)| SettingInfo { urn, provider_id, host_area, name }))
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

/// A stored version of a return, without its summary and content.
#[derive(Debug, Clone)]
pub struct VersionRow {
    pub id: String,
    pub urn: String,
    pub period: String,
    pub version: i64,
    pub nil: bool,
    pub row_count: i64,
    pub submitted_by: String,
    pub submitted_at: NaiveDateTime,
    pub reason: Option<String>,
    pub status: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub review_comment: Option<String>,
}

type VRow = (
    String,
    String,
    String,
    i64,
    bool,
    i64,
    String,
    NaiveDateTime,
    Option<String>,
    String,
    Option<String>,
    Option<NaiveDateTime>,
    Option<String>,
);

#[allow(clippy::type_complexity, reason = "the columns of a return version, mapped below")]
const VCOLS: (
    qr::id,
    qr::urn,
    qr::period,
    qr::version,
    qr::nil,
    qr::row_count,
    qr::submitted_by,
    qr::submitted_at,
    qr::reason,
    qr::status,
    qr::reviewed_by,
    qr::reviewed_at,
    qr::review_comment,
) = (
    qr::id,
    qr::urn,
    qr::period,
    qr::version,
    qr::nil,
    qr::row_count,
    qr::submitted_by,
    qr::submitted_at,
    qr::reason,
    qr::status,
    qr::reviewed_by,
    qr::reviewed_at,
    qr::review_comment,
);

fn version_row(r: VRow) -> VersionRow {
    VersionRow {
        id: r.0,
        urn: r.1,
        period: r.2,
        version: r.3,
        nil: r.4,
        row_count: r.5,
        submitted_by: r.6,
        submitted_at: r.7,
        reason: r.8,
        status: r.9,
        reviewed_by: r.10,
        reviewed_at: r.11,
        review_comment: r.12,
    }
}

/// The versions of a setting's return for a period, oldest first.
pub fn versions(conn: &mut AnyConnection, urn: &str, period: &str) -> Result<Vec<VersionRow>, ApiError> {
    let rows: Vec<VRow> = qr::table
        .filter(qr::urn.eq(urn))
        .filter(qr::period.eq(period))
        .select(VCOLS)
        .order(qr::version.asc())
        .load(conn)?;
    Ok(rows.into_iter().map(version_row).collect())
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

pub fn insert(conn: &mut AnyConnection, v: &VersionRow, summary: &str, content: &str) -> Result<(), ApiError> {
    diesel::insert_into(qr::table)
        .values((
            qr::id.eq(&v.id),
            qr::urn.eq(&v.urn),
            qr::period.eq(&v.period),
            qr::version.eq(v.version),
            qr::nil.eq(v.nil),
            qr::row_count.eq(v.row_count),
            qr::submitted_by.eq(&v.submitted_by),
            qr::submitted_at.eq(v.submitted_at),
            qr::reason.eq(&v.reason),
            qr::status.eq(&v.status),
            qr::summary.eq(summary),
            qr::content.eq(content),
        ))
        .execute(conn)?;
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
    let rows: Vec<VRow> = qr::table
        .filter(qr::urn.eq(urn))
        .filter(qr::period.eq_any(periods))
        .select(VCOLS)
        .order((qr::period.desc(), qr::version.asc()))
        .load(conn)?;
    Ok(rows.into_iter().map(version_row).collect())
}

/// Settings located in an area: (urn, name, provider id, provider name), by URN.
pub fn settings_in(conn: &mut AnyConnection, area: &str) -> Result<Vec<(String, String, String, String)>, ApiError> {
    Ok(settings::table
        .inner_join(providers::table)
        .filter(settings::host_area.eq(area))
        .select((settings::urn, settings::name, settings::provider_id, providers::name))
        .order(settings::urn.asc())
        .load(conn)?)
}

/// Every version for a period of the settings located in an area, oldest first.
pub fn versions_in_area(conn: &mut AnyConnection, area: &str, period: &str) -> Result<Vec<VersionRow>, ApiError> {
    let rows: Vec<VRow> = qr::table
        .filter(qr::period.eq(period))
        .filter(qr::urn.eq_any(settings::table.filter(settings::host_area.eq(area)).select(settings::urn)))
        .select(VCOLS)
        .order((qr::urn.asc(), qr::version.asc()))
        .load(conn)?;
    Ok(rows.into_iter().map(version_row).collect())
}
