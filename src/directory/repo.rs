//! SQL for the directory. Who may list which providers and settings is part of the query.

use super::model::SettingFilter;
use crate::auth::{Caller, OrgType};
use crate::db::AnyConnection;
use crate::db::rows::directory::{AuthorityRow, ProviderRow, SettingRow, SettingWithProvider};
use crate::db::schema::{authorities, placements, providers, settings};
use crate::error::ApiError;
use chrono::NaiveDate;
use diesel::prelude::*;

/// Authorities by name; with `current_on`, only those that existed on that date.
pub fn list_authorities(
    conn: &mut AnyConnection,
    current_on: Option<NaiveDate>,
) -> Result<Vec<AuthorityRow>, ApiError> {
    let mut q = authorities::table.select(AuthorityRow::as_select()).into_boxed();
    if let Some(d) = current_on {
        q = q
            .filter(authorities::valid_from.is_null().or(authorities::valid_from.le(d)))
            .filter(authorities::valid_to.is_null().or(authorities::valid_to.ge(d)));
    }
    Ok(q.order(authorities::name.asc()).load(conn)?)
}

pub fn find_authority(conn: &mut AnyConnection, code: &str) -> Result<Option<AuthorityRow>, ApiError> {
    Ok(authorities::table.find(code).select(AuthorityRow::as_select()).first(conn).optional()?)
}

pub fn insert_provider(conn: &mut AnyConnection, row: &ProviderRow) -> Result<(), ApiError> {
    diesel::insert_into(providers::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find_provider(conn: &mut AnyConnection, id: &str) -> Result<Option<ProviderRow>, ApiError> {
    Ok(providers::table.find(id).select(ProviderRow::as_select()).first(conn).optional()?)
}

/// Providers the caller may see, by id after `after`: all for the operator, its own for a
/// provider, none for an authority.
pub fn list_providers(
    conn: &mut AnyConnection,
    caller: &Caller,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<ProviderRow>, ApiError> {
    let mut q = providers::table.select(ProviderRow::as_select()).into_boxed();
    match caller.org_type {
        OrgType::Operator => {}
        OrgType::Provider => q = q.filter(providers::id.eq(caller.org.clone())),
        OrgType::Authority => return Ok(vec![]),
    }
    if let Some(a) = after {
        q = q.filter(providers::id.gt(a.to_string()));
    }
    Ok(q.order(providers::id.asc()).limit(limit + 1).load(conn)?)
}

/// Writes `row` over the stored provider when the stored version is still `expected`; rows
/// changed.
pub fn update_provider(conn: &mut AnyConnection, row: &ProviderRow, expected: i64) -> Result<usize, ApiError> {
    Ok(diesel::update(providers::table.find(&row.id).filter(providers::version.eq(expected))).set(row).execute(conn)?)
}

/// A setting with its provider's name (no access rule: every caller may see a setting; what it
/// shows of it is the service's decision).
pub fn find_setting(conn: &mut AnyConnection, urn: &str) -> Result<Option<SettingWithProvider>, ApiError> {
    Ok(settings::table
        .inner_join(providers::table)
        .filter(settings::urn.eq(urn))
        .select(SettingWithProvider::as_select())
        .first(conn)
        .optional()?)
}

/// A setting as stored, for a write.
pub fn find_setting_row(conn: &mut AnyConnection, urn: &str) -> Result<Option<SettingRow>, ApiError> {
    Ok(settings::table.find(urn).select(SettingRow::as_select()).first(conn).optional()?)
}

/// The setting's location, for placements (no access rule: used inside checked writes):
/// (host area, postcode, name).
pub fn setting_location(conn: &mut AnyConnection, urn: &str) -> Result<Option<(String, String, String)>, ApiError> {
    Ok(settings::table
        .find(urn)
        .select((settings::host_area, settings::postcode, settings::name))
        .first(conn)
        .optional()?)
}

/// Settings the caller may list, by URN after `after`: the operator all, a provider its own, an
/// authority those in its area.
pub fn list_settings(
    conn: &mut AnyConnection,
    caller: &Caller,
    f: &SettingFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<SettingWithProvider>, ApiError> {
    let mut q = settings::table.inner_join(providers::table).select(SettingWithProvider::as_select()).into_boxed();
    match caller.org_type {
        OrgType::Operator => {}
        OrgType::Provider => q = q.filter(settings::provider_id.eq(caller.org.clone())),
        OrgType::Authority => q = q.filter(settings::host_area.eq(caller.org.clone())),
    }
    if let Some(p) = &f.provider_id {
        q = q.filter(settings::provider_id.eq(p.clone()));
    }
    if let Some(h) = &f.host_area {
        q = q.filter(settings::host_area.eq(h.clone()));
    }
    if let Some(a) = after {
        q = q.filter(settings::urn.gt(a.to_string()));
    }
    Ok(q.order(settings::urn.asc()).limit(limit + 1).load(conn)?)
}

pub fn insert_setting(conn: &mut AnyConnection, row: &SettingRow) -> Result<(), ApiError> {
    diesel::insert_into(settings::table).values(row).execute(conn)?;
    Ok(())
}

/// Writes `row` over the stored setting when the stored version is still `expected`; rows
/// changed.
pub fn update_setting(conn: &mut AnyConnection, row: &SettingRow, expected: i64) -> Result<usize, ApiError> {
    Ok(diesel::update(settings::table.find(&row.urn).filter(settings::version.eq(expected))).set(row).execute(conn)?)
}

/// Whether the LA has placed a child at the setting (at any time).
pub fn has_placed_at(conn: &mut AnyConnection, la: &str, urn: &str) -> Result<bool, ApiError> {
    Ok(placements::table
        .filter(placements::urn.eq(urn))
        .filter(placements::placing_la.eq(la))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}
