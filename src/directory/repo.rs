//! SQL for the directory.

use super::model::{Authority, Provider, Setting};
use crate::auth::{Caller, OrgType};
use crate::db::AnyConnection;
use crate::db::schema::{authorities, placements, providers, settings};
use crate::error::ApiError;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

type AuthorityRow = (String, String, String, Option<NaiveDate>, Option<NaiveDate>);

fn authority(r: AuthorityRow) -> Authority {
    Authority { code: r.0, dfe_code: r.1, name: r.2, valid_from: r.3, valid_to: r.4 }
}

pub fn list_authorities(conn: &mut AnyConnection, current_on: Option<NaiveDate>) -> Result<Vec<Authority>, ApiError> {
    let mut q = authorities::table.into_boxed();
    if let Some(d) = current_on {
        q = q
            .filter(authorities::valid_from.is_null().or(authorities::valid_from.le(d)))
            .filter(authorities::valid_to.is_null().or(authorities::valid_to.ge(d)));
    }
    let rows: Vec<AuthorityRow> = q.order(authorities::name.asc()).load(conn)?;
    Ok(rows.into_iter().map(authority).collect())
}

pub fn find_authority(conn: &mut AnyConnection, code: &str) -> Result<Option<Authority>, ApiError> {
    let row: Option<AuthorityRow> = authorities::table.find(code).first(conn).optional()?;
    Ok(row.map(authority))
}

type ProviderRow = (String, String, Option<String>, i64, NaiveDateTime, NaiveDateTime);

fn provider(r: ProviderRow) -> Provider {
    Provider {
        id: r.0,
        name: r.1,
        contact_email: r.2,
        version: r.3,
        created_at: r.4.and_utc(),
        updated_at: r.5.and_utc(),
    }
}

pub fn insert_provider(
    conn: &mut AnyConnection,
    id: &str,
    name: &str,
    email: Option<&str>,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::insert_into(providers::table)
        .values((
            providers::id.eq(id),
            providers::name.eq(name),
            providers::contact_email.eq(email),
            providers::version.eq(1i64),
            providers::created_at.eq(now),
            providers::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn find_provider(conn: &mut AnyConnection, id: &str) -> Result<Option<Provider>, ApiError> {
    let row: Option<ProviderRow> = providers::table.find(id).first(conn).optional()?;
    Ok(row.map(provider))
}

/// Providers the caller may see: all for the operator, its own for a provider, none otherwise.
pub fn list_providers(
    conn: &mut AnyConnection,
    caller: &Caller,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Provider>, ApiError> {
    let mut q = providers::table.into_boxed();
    match caller.org_type {
        OrgType::Operator => {}
        OrgType::Provider => q = q.filter(providers::id.eq(caller.org.clone())),
        OrgType::Authority => return Ok(vec![]),
    }
    if let Some(a) = after {
        q = q.filter(providers::id.gt(a.to_string()));
    }
    let rows: Vec<ProviderRow> = q.order(providers::id.asc()).limit(limit + 1).load(conn)?;
    Ok(rows.into_iter().map(provider).collect())
}

pub fn update_provider(
    conn: &mut AnyConnection,
    id: &str,
    version: i64,
    name: &str,
    email: Option<&str>,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    Ok(diesel::update(providers::table.find(id).filter(providers::version.eq(version)))
        .set((
            providers::name.eq(name),
            providers::contact_email.eq(email),
            providers::version.eq(version + 1),
            providers::updated_at.eq(now),
        ))
        .execute(conn)?)
}

type SettingRow = (String, String, String, String, String, String, i64, NaiveDateTime, NaiveDateTime, String);

const SETTING_COLUMNS: (
    settings::urn,
    settings::provider_id,
    settings::name,
    settings::place,
    settings::host_area,
    settings::postcode,
    settings::version,
    settings::created_at,
    settings::updated_at,
    providers::name,
) = (
    settings::urn,
    settings::provider_id,
    settings::name,
    settings::place,
    settings::host_area,
    settings::postcode,
    settings::version,
    settings::created_at,
    settings::updated_at,
    providers::name,
);

/// Whether the caller may see a setting's postcode: the operator, the provider, the host LA,
/// and LAs that have placed a child there.
fn may_see_postcode(
    conn: &mut AnyConnection,
    caller: &Caller,
    urn: &str,
    provider_id: &str,
    host: &str,
) -> Result<bool, ApiError> {
    Ok(match caller.org_type {
        OrgType::Operator => true,
        OrgType::Provider => caller.org == provider_id,
        OrgType::Authority => {
            caller.org == host
                || placements::table
                    .filter(placements::urn.eq(urn))
                    .filter(placements::placing_la.eq(&caller.org))
                    .count()
                    .get_result::<i64>(conn)?
                    > 0
        }
    })
}

fn setting(conn: &mut AnyConnection, caller: &Caller, r: SettingRow) -> Result<Setting, ApiError> {
    let show = may_see_postcode(conn, caller, &r.0, &r.1, &r.4)?;
    Ok(Setting {
        urn: r.0,
        provider_id: r.1,
        name: r.2,
        place: r.3,
        host_area: r.4,
        postcode: show.then_some(r.5),
        version: r.6,
        created_at: r.7.and_utc(),
        updated_at: r.8.and_utc(),
        provider_name: r.9,
    })
}

pub fn find_setting(conn: &mut AnyConnection, caller: &Caller, urn: &str) -> Result<Option<Setting>, ApiError> {
    let row: Option<SettingRow> = settings::table
        .inner_join(providers::table)
        .filter(settings::urn.eq(urn))
        .select(SETTING_COLUMNS)
        .first(conn)
        .optional()?;
    row.map(|r| setting(conn, caller, r)).transpose()
}

/// The setting's location, for placements (no access rule: used inside checked writes).
pub fn setting_location(conn: &mut AnyConnection, urn: &str) -> Result<Option<(String, String, String)>, ApiError> {
    Ok(settings::table
        .find(urn)
        .select((settings::host_area, settings::postcode, settings::name))
        .first(conn)
        .optional()?)
}

pub struct SettingFilter {
    pub provider_id: Option<String>,
    pub host_area: Option<String>,
}

/// Settings the caller may list: the operator all, a provider its own, an authority those in its area.
pub fn list_settings(
    conn: &mut AnyConnection,
    caller: &Caller,
    f: &SettingFilter,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<Setting>, ApiError> {
    let mut q = settings::table.inner_join(providers::table).select(SETTING_COLUMNS).into_boxed();
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
    let rows: Vec<SettingRow> = q.order(settings::urn.asc()).limit(limit + 1).load(conn)?;
    rows.into_iter().map(|r| setting(conn, caller, r)).collect()
}

pub struct SettingValues<'a> {
    pub urn: &'a str,
    pub provider_id: &'a str,
    pub name: &'a str,
    pub place: &'a str,
    pub host_area: &'a str,
    pub postcode: &'a str,
}

pub fn insert_setting(conn: &mut AnyConnection, v: &SettingValues<'_>, now: NaiveDateTime) -> Result<(), ApiError> {
    diesel::insert_into(settings::table)
        .values((
            settings::urn.eq(v.urn),
            settings::provider_id.eq(v.provider_id),
            settings::name.eq(v.name),
            settings::place.eq(v.place),
            settings::host_area.eq(v.host_area),
            settings::postcode.eq(v.postcode),
            settings::version.eq(1i64),
            settings::created_at.eq(now),
            settings::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn update_setting(
    conn: &mut AnyConnection,
    v: &SettingValues<'_>,
    version: i64,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    Ok(diesel::update(settings::table.find(v.urn).filter(settings::version.eq(version)))
        .set((
            settings::provider_id.eq(v.provider_id),
            settings::name.eq(v.name),
            settings::place.eq(v.place),
            settings::host_area.eq(v.host_area),
            settings::postcode.eq(v.postcode),
            settings::version.eq(version + 1),
            settings::updated_at.eq(now),
        ))
        .execute(conn)?)
}

/// (provider id, name, place, host area, postcode, version).
pub type SettingValuesRow = (String, String, String, String, String, i64);

/// Raw setting values for an update.
pub fn setting_values(conn: &mut AnyConnection, urn: &str) -> Result<Option<SettingValuesRow>, ApiError> {
    Ok(settings::table
        .find(urn)
        .select((
            settings::provider_id,
            settings::name,
            settings::place,
            settings::host_area,
            settings::postcode,
            settings::version,
        ))
        .first(conn)
        .optional()?)
}
