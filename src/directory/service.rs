//! Rules for the directory: which values a provider and a setting may have, where a setting is
//! (from its postcode), who may see a provider or a setting's postcode, and registering,
//! amending and listing them.

use super::model::*;
use super::repo;
use crate::auth::{Caller, OrgType};
use crate::db::rows::directory::{ProviderRow, SettingRow, SettingWithProvider};
use crate::db::{AnyConnection, write_tx};
use crate::error::{ApiError, FieldError, ProblemType};
use crate::http::{Page, PageQuery, check_text};
use crate::{location, ssda903};
use chrono::{NaiveDate, NaiveDateTime};

/// Every authority by name; with `current_on`, only those that existed on that date.
pub fn authorities(conn: &mut AnyConnection, current_on: Option<NaiveDate>) -> Result<Vec<Authority>, ApiError> {
    Ok(repo::list_authorities(conn, current_on)?.into_iter().map(Authority::from).collect())
}

/// One authority by ONS code; 404 when there is none.
pub fn authority(conn: &mut AnyConnection, code: &str) -> Result<Authority, ApiError> {
    repo::find_authority(conn, code)?.map(Authority::from).ok_or(ApiError::NotFound)
}

fn check_email(errors: &mut Vec<FieldError>, email: Option<&str>) {
    if let Some(e) = email {
        check_text(errors, "contact_email", e, 254);
        if !e.contains('@') || e.contains(char::is_whitespace) {
            errors.push(FieldError::new("contact_email", "is not an email address"));
        }
    }
}

/// Checks a provider's values; 422 naming every bad field.
fn check_provider(name: &str, email: Option<&str>) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    check_text(&mut errors, "name", name, 200);
    check_email(&mut errors, email);
    if errors.is_empty() { Ok(()) } else { Err(ApiError::validation(errors)) }
}

/// A new provider's row, at version 1.
pub fn provider_record(id: String, name: &str, contact_email: Option<String>, now: NaiveDateTime) -> ProviderRow {
    ProviderRow { id, name: name.to_string(), contact_email, version: 1, created_at: now, updated_at: now }
}

/// Registers a provider (the operator, in the caller's transaction).
pub fn create_provider(conn: &mut AnyConnection, input: NewProvider, now: NaiveDateTime) -> Result<Provider, ApiError> {
    check_provider(&input.name, input.contact_email.as_deref())?;
    let row = provider_record(uuid::Uuid::new_v4().to_string(), input.name.trim(), input.contact_email, now);
    repo::insert_provider(conn, &row)?;
    Ok(row.into())
}

/// A page of the providers the caller may see: all for the operator, its own for a provider.
pub fn providers(conn: &mut AnyConnection, caller: &Caller, page: &PageQuery) -> Result<Page<Provider>, ApiError> {
    let limit = page.limit()?;
    let after = page.after()?.and_then(|k| k.into_iter().next());
    let rows = repo::list_providers(conn, caller, after.as_deref(), limit)?;
    Ok(Page::from_rows(rows.into_iter().map(Provider::from).collect(), limit, |p| vec![p.id.clone()]))
}

/// Whether the caller may see a provider: the operator, or the provider itself.
fn may_see_provider(caller: &Caller, id: &str) -> bool {
    caller.org_type == OrgType::Operator || (caller.org_type == OrgType::Provider && caller.org == id)
}

/// One provider, for the operator or the provider itself; 404 for anyone else.
pub fn provider(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<Provider, ApiError> {
    if !may_see_provider(caller, id) {
        return Err(ApiError::NotFound);
    }
    repo::find_provider(conn, id)?.map(Provider::from).ok_or(ApiError::NotFound)
}

/// Amends a provider (the operator) at the version the caller read. `contact_email: null`
/// clears it.
pub fn amend_provider(
    conn: &mut AnyConnection,
    id: &str,
    patch: ProviderPatch,
    version: i64,
    now: NaiveDateTime,
) -> Result<Provider, ApiError> {
    write_tx(conn, |conn| {
        let mut row = repo::find_provider(conn, id)?.ok_or(ApiError::NotFound)?;
        crate::apply_patch!(row, patch, [name, contact_email]);
        check_provider(&row.name, row.contact_email.as_deref())?;
        row.name = row.name.trim().to_string();
        row.version = version + 1;
        row.updated_at = now;
        if repo::update_provider(conn, &row, version)? == 0 {
            return Err(ApiError::PreconditionFailed);
        }
        Ok(row.into())
    })
}

/// Where a setting is, resolved from its postcode.
struct Located {
    host_area: String,
    postcode: String,
}

/// Validates a setting's fields and resolves its location; 422 naming every bad field.
fn check_setting(
    urn: &str,
    name: &str,
    place: &str,
    postcode: &str,
    host_la: Option<&str>,
) -> Result<Located, ApiError> {
    let mut errors = Vec::new();
    if !ssda903::is_valid_urn(urn) {
        errors.push(FieldError::new("urn", "is not an Ofsted URN (SC followed by 6 digits, or 7 digits)"));
    }
    check_text(&mut errors, "name", name, 200);
    if !ssda903::is_code(ssda903::PLACE, place) {
        errors.push(FieldError::new("place", "is not a 2025-26 SSDA903 PLACE code"));
    } else if ssda903::urn_rule(place) != ssda903::UrnRule::Required {
        errors.push(FieldError::new("place", "is not a placement type provided by an Ofsted-registered setting"));
    }
    let loc = location::resolve("postcode", postcode, "host_la", host_la).map_err(|mut e| {
        errors.append(&mut e);
    });
    match loc {
        Ok(l) if errors.is_empty() => Ok(Located { host_area: l.area.code().to_string(), postcode: l.postcode }),
        _ => Err(ApiError::validation(errors)),
    }
}

/// Whether the caller may see a setting's postcode: the operator, the provider, the host LA,
/// and LAs that have placed a child there.
fn may_see_postcode(conn: &mut AnyConnection, caller: &Caller, s: &SettingRow) -> Result<bool, ApiError> {
    Ok(match caller.org_type {
        OrgType::Operator => true,
        OrgType::Provider => caller.org == s.provider_id,
        OrgType::Authority => caller.org == s.host_area || repo::has_placed_at(conn, &caller.org, &s.urn)?,
    })
}

/// The setting as the caller may see it.
fn view(conn: &mut AnyConnection, caller: &Caller, s: SettingWithProvider) -> Result<Setting, ApiError> {
    let show = may_see_postcode(conn, caller, &s.setting)?;
    Ok(s.view(show))
}

/// The stored setting as the caller sees it, after a write.
fn reread(conn: &mut AnyConnection, caller: &Caller, urn: &str) -> Result<Setting, ApiError> {
    let s = repo::find_setting(conn, urn)?.ok_or(ApiError::NotFound)?;
    view(conn, caller, s)
}

fn require_provider(conn: &mut AnyConnection, id: &str) -> Result<(), ApiError> {
    match repo::find_provider(conn, id)? {
        Some(_) => Ok(()),
        None => Err(ApiError::field("provider_id", "no provider with this id")),
    }
}

/// A new setting's row, at version 1.
pub fn setting_record(
    urn: &str,
    provider_id: &str,
    name: &str,
    place: &str,
    host_area: &str,
    postcode: &str,
    now: NaiveDateTime,
) -> SettingRow {
    SettingRow {
        urn: urn.to_string(),
        provider_id: provider_id.to_string(),
        name: name.to_string(),
        place: place.to_string(),
        host_area: host_area.to_string(),
        postcode: postcode.to_string(),
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

/// Registers a setting (the operator, in the caller's transaction). The host area comes from
/// the postcode; `host_la`, when given, must agree. 409 when the URN is already registered.
pub fn create_setting(
    conn: &mut AnyConnection,
    caller: &Caller,
    input: NewSetting,
    now: NaiveDateTime,
) -> Result<Setting, ApiError> {
    let urn = input.urn.trim().to_ascii_uppercase();
    let at = check_setting(&urn, &input.name, &input.place, &input.postcode, input.host_la.as_deref())?;
    require_provider(conn, &input.provider_id)?;
    if repo::find_setting_row(conn, &urn)?.is_some() {
        return Err(ApiError::conflict(
            ProblemType::DuplicateUrn,
            format!("A setting with URN {urn} is already registered."),
        ));
    }
    let row =
        setting_record(&urn, &input.provider_id, input.name.trim(), &input.place, &at.host_area, &at.postcode, now);
    repo::insert_setting(conn, &row)?;
    reread(conn, caller, &urn)
}

/// A page of the settings the caller may list: the operator all, a provider its own, an
/// authority those in its area.
pub fn settings(conn: &mut AnyConnection, caller: &Caller, q: SettingQuery) -> Result<Page<Setting>, ApiError> {
    let (page, filter) = q.split();
    let limit = page.limit()?;
    let after = page.after()?.and_then(|k| k.into_iter().next());
    let rows = repo::list_settings(conn, caller, &filter, after.as_deref(), limit)?;
    let views = rows.into_iter().map(|s| view(conn, caller, s)).collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_rows(views, limit, |s| vec![s.urn.clone()]))
}

/// One setting by URN (any case): every caller may see it, the postcode only those allowed to.
pub fn setting(conn: &mut AnyConnection, caller: &Caller, urn: &str) -> Result<Setting, ApiError> {
    reread(conn, caller, &urn.to_ascii_uppercase())
}

/// Amends a setting (the operator) at the version the caller read. A new postcode re-derives
/// the host area.
pub fn amend_setting(
    conn: &mut AnyConnection,
    caller: &Caller,
    urn: &str,
    patch: SettingPatch,
    version: i64,
    now: NaiveDateTime,
) -> Result<Setting, ApiError> {
    let urn = urn.to_ascii_uppercase();
    write_tx(conn, |conn| {
        let mut row = repo::find_setting_row(conn, &urn)?.ok_or(ApiError::NotFound)?;
        crate::apply_patch!(row, patch, [provider_id, name, place, postcode]);
        let at = check_setting(&urn, &row.name, &row.place, &row.postcode, None)?;
        require_provider(conn, &row.provider_id)?;
        row.name = row.name.trim().to_string();
        row.host_area = at.host_area;
        row.postcode = at.postcode;
        row.version = version + 1;
        row.updated_at = now;
        if repo::update_setting(conn, &row, version)? == 0 {
            return Err(ApiError::PreconditionFailed);
        }
        reread(conn, caller, &urn)
    })
}
