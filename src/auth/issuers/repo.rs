//! SQL for trusted issuers.

use crate::db::AnyConnection;
use crate::db::rows::auth::TrustedIssuerRow;
use crate::db::schema::trusted_issuers as ti;
use crate::error::ApiError;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// The issuer with this `iss`, unless disabled.
pub fn find_active(conn: &mut AnyConnection, iss: &str) -> Result<Option<TrustedIssuerRow>, ApiError> {
    Ok(ti::table
        .filter(ti::issuer.eq(iss))
        .filter(ti::disabled_at.is_null())
        .select(TrustedIssuerRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<TrustedIssuerRow>, ApiError> {
    Ok(ti::table.find(id).select(TrustedIssuerRow::as_select()).first(conn).optional()?)
}

pub fn list(conn: &mut AnyConnection) -> Result<Vec<TrustedIssuerRow>, ApiError> {
    Ok(ti::table.select(TrustedIssuerRow::as_select()).order(ti::created_at.asc()).load(conn)?)
}

pub fn issuer_exists(conn: &mut AnyConnection, iss: &str) -> Result<bool, ApiError> {
    Ok(ti::table.filter(ti::issuer.eq(iss)).count().get_result::<i64>(conn)? > 0)
}

pub fn insert(conn: &mut AnyConnection, row: &TrustedIssuerRow) -> Result<(), ApiError> {
    diesel::insert_into(ti::table).values(row).execute(conn)?;
    Ok(())
}

pub fn disable(conn: &mut AnyConnection, id: &str, now: NaiveDateTime) -> Result<usize, ApiError> {
    Ok(diesel::update(ti::table.find(id).filter(ti::disabled_at.is_null()))
        .set(ti::disabled_at.eq(now))
        .execute(conn)?)
}
