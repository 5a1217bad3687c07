//! SQL for API clients.

use crate::db::AnyConnection;
use crate::db::rows::auth::ApiClientRow;
use crate::db::schema::api_clients;
use crate::error::ApiError;
use chrono::NaiveDateTime;
use diesel::prelude::*;

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<ApiClientRow>, ApiError> {
    Ok(api_clients::table.find(id).select(ApiClientRow::as_select()).first(conn).optional()?)
}

pub fn list(conn: &mut AnyConnection) -> Result<Vec<ApiClientRow>, ApiError> {
    Ok(api_clients::table.select(ApiClientRow::as_select()).order(api_clients::created_at.asc()).load(conn)?)
}

pub fn insert(conn: &mut AnyConnection, row: &ApiClientRow) -> Result<(), ApiError> {
    diesel::insert_into(api_clients::table).values(row).execute(conn)?;
    Ok(())
}

/// Marks a client revoked (once); rows changed.
pub fn revoke(conn: &mut AnyConnection, id: &str, now: NaiveDateTime) -> Result<usize, ApiError> {
    Ok(diesel::update(api_clients::table.find(id).filter(api_clients::revoked_at.is_null()))
        .set(api_clients::revoked_at.eq(now))
        .execute(conn)?)
}

/// Whether a client is revoked or unknown.
pub fn is_revoked(conn: &mut AnyConnection, id: &str) -> Result<bool, ApiError> {
    let r: Option<Option<NaiveDateTime>> =
        api_clients::table.find(id).select(api_clients::revoked_at).first(conn).optional()?;
    Ok(!matches!(r, Some(None)))
}
