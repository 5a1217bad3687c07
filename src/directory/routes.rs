//! HTTP for the directory.

use super::model::*;
use super::repo::{self, SettingFilter, SettingValues};
use crate::auth::{Caller, OrgType, scopes};
use crate::error::{ApiError, FieldError, Problem};
use crate::http::{Page, PageQuery, check_text, created, etag, if_match};
use crate::state::AppState;
use crate::{location, ssda903};
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuthorityQuery {
    /// Only authorities that existed on this date (YYYY-MM-DD); default: all, historic ones included.
    pub current_on: Option<NaiveDate>,
}

/// List local authorities. Any authenticated caller.
#[utoipa::path(tag = "directory", params(AuthorityQuery), responses(
    (status = 200, body = Vec<Authority>),
    (status = 401, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/authorities")]
pub async fn list_authorities(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<AuthorityQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::DIRECTORY_READ)?;
    let on = q.current_on;
    let rows = state.db(move |conn| repo::list_authorities(conn, on)).await?;
    Ok(HttpResponse::Ok().json(rows))
}

/// One local authority by ONS code. Any authenticated caller.
#[utoipa::path(tag = "directory", params(("code" = String, Path, description = "ONS code")), responses(
    (status = 200, body = Authority),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/authorities/{code}")]
pub async fn get_authority(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::DIRECTORY_READ)?;
    let code = code.into_inner();
    let a = state.db(move |conn| repo::find_authority(conn, &code)).await?.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(a))
}

fn check_email(errors: &mut Vec<FieldError>, email: Option<&str>) {
    if let Some(e) = email {
        check_text(errors, "contact_email", e, 254);
        if !e.contains('@') || e.contains(char::is_whitespace) {
            errors.push(FieldError::new("contact_email", "is not an email address"));
        }
    }
}

/// Register a provider (operator only).
#[utoipa::path(tag = "directory", request_body = NewProvider, responses(
    (status = 201, body = Provider, headers(("ETag" = String))),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/providers")]
pub async fn create_provider(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<NewProvider>,
) -> Result<HttpResponse, ApiError> {
    caller.operator(scopes::DIRECTORY_WRITE)?;
    let input = body.into_inner();
    let mut errors = Vec::new();
    check_text(&mut errors, "name", &input.name, 200);
    check_email(&mut errors, input.contact_email.as_deref());
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let key = crate::http::idempotency_key(&req)?;
    let owner = caller.owner_key();
    let fp = crate::idempotency::fingerprint("POST /v1/providers", &input);
    let now = state.now();
    let (p, replayed) = state
        .db(move |conn| {
            crate::idempotency::run(conn, &owner, key.as_deref(), &fp, now, |conn| {
                let id = uuid::Uuid::new_v4().to_string();
                repo::insert_provider(conn, &id, input.name.trim(), input.contact_email.as_deref(), now)?;
                repo::find_provider(conn, &id)?.ok_or(ApiError::NotFound)
            })
        })
        .await?;
    Ok(created(&format!("/v1/providers/{}", p.id), p.version, replayed).json(p))
}

/// List providers: the operator sees all, a provider its own.
#[utoipa::path(tag = "directory", params(PageQuery), responses(
    (status = 200, body = Page<Provider>),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/providers")]
pub async fn list_providers(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::DIRECTORY_READ)?;
    let limit = page.limit()?;
    let after = page.after()?.and_then(|k| k.into_iter().next());
    let rows = state.db(move |conn| repo::list_providers(conn, &caller, after.as_deref(), limit)).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |p| vec![p.id.clone()])))
}

fn visible_provider(caller: &Caller, id: &str) -> bool {
    caller.org_type == OrgType::Operator || (caller.org_type == OrgType::Provider && caller.org == id)
}

/// One provider: the operator, or the provider itself.
#[utoipa::path(tag = "directory", params(("id" = String, Path)), responses(
    (status = 200, body = Provider, headers(("ETag" = String))),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/providers/{id}")]
pub async fn get_provider(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::DIRECTORY_READ)?;
    let id = id.into_inner();
    if !visible_provider(&caller, &id) {
        return Err(ApiError::NotFound);
    }
    let p = state.db(move |conn| repo::find_provider(conn, &id)).await?.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().insert_header(("ETag", etag(p.version))).json(p))
}

/// Edit a provider (operator only; `If-Match` required). `contact_email: null` clears it.
#[utoipa::path(tag = "directory", params(("id" = String, Path), ("If-Match" = String, Header)), request_body = ProviderPatch, responses(
    (status = 200, body = Provider, headers(("ETag" = String))),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 412, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
    (status = 428, body = Problem, content_type = "application/problem+json"),
))]
#[patch("/v1/providers/{id}")]
pub async fn update_provider(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<ProviderPatch>,
) -> Result<HttpResponse, ApiError> {
    caller.operator(scopes::DIRECTORY_WRITE)?;
    let version = if_match(&req)?;
    let id = id.into_inner();
    let patch = body.into_inner();
    let now = state.now();
    let p = state
        .db(move |conn| {
            crate::db::write_tx(conn, |conn| {
                let cur = repo::find_provider(conn, &id)?.ok_or(ApiError::NotFound)?;
                let name = patch.name.unwrap_or(cur.name);
                let email = match patch.contact_email {
                    Some(v) => v,
                    None => cur.contact_email,
                };
                let mut errors = Vec::new();
                check_text(&mut errors, "name", &name, 200);
                check_email(&mut errors, email.as_deref());
                if !errors.is_empty() {
                    return Err(ApiError::validation(errors));
                }
                if repo::update_provider(conn, &id, version, name.trim(), email.as_deref(), now)? == 0 {
                    return Err(ApiError::PreconditionFailed);
                }
                repo::find_provider(conn, &id)?.ok_or(ApiError::NotFound)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header(("ETag", etag(p.version))).json(p))
}

/// Validates a setting's fields and resolves its location; returns (urn, host_area, postcode).
fn check_setting(
    urn: &str,
    name: &str,
    place: &str,
    postcode: &str,
    host_la: Option<&str>,
) -> Result<(String, String), ApiError> {
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
        Ok(l) if errors.is_empty() => Ok((l.area.code().to_string(), l.postcode)),
        _ => Err(ApiError::validation(errors)),
    }
}

/// Register a setting (operator only). The host area is derived from the postcode.
#[utoipa::path(tag = "directory", request_body = NewSetting, responses(
    (status = 201, body = Setting, headers(("ETag" = String))),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "URN already registered", body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/settings")]
pub async fn create_setting(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<NewSetting>,
) -> Result<HttpResponse, ApiError> {
    caller.operator(scopes::DIRECTORY_WRITE)?;
    let input = body.into_inner();
    let urn = input.urn.trim().to_ascii_uppercase();
    let (host_area, postcode) =
        check_setting(&urn, &input.name, &input.place, &input.postcode, input.host_la.as_deref())?;
    let key = crate::http::idempotency_key(&req)?;
    let owner = caller.owner_key();
    let fp = crate::idempotency::fingerprint("POST /v1/settings", &input);
    let now = state.now();
    let (s, replayed) = state
        .db(move |conn| {
            crate::idempotency::run(conn, &owner, key.as_deref(), &fp, now, |conn| {
                if repo::find_provider(conn, &input.provider_id)?.is_none() {
                    return Err(ApiError::field("provider_id", "no provider with this id"));
                }
                if repo::setting_values(conn, &urn)?.is_some() {
                    return Err(ApiError::conflict(
                        crate::error::ProblemType::DuplicateUrn,
                        format!("A setting with URN {urn} is already registered."),
                    ));
                }
                let v = SettingValues {
                    urn: &urn,
                    provider_id: &input.provider_id,
                    name: input.name.trim(),
                    place: &input.place,
                    host_area: &host_area,
                    postcode: &postcode,
                };
                repo::insert_setting(conn, &v, now)?;
                repo::find_setting(conn, &caller, &urn)?.ok_or(ApiError::NotFound)
            })
        })
        .await?;
    Ok(created(&format!("/v1/settings/{}", s.urn), s.version, replayed).json(s))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SettingQuery {
    pub provider_id: Option<String>,
    /// Area code (ONS LA code, or WAL, SCO, NIR).
    pub host_area: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// List settings: the operator sees all, a provider its own, an authority those in its area.
#[utoipa::path(tag = "directory", params(SettingQuery), responses(
    (status = 200, body = Page<Setting>),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/settings")]
pub async fn list_settings(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<SettingQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::DIRECTORY_READ)?;
    let q = q.into_inner();
    let page = PageQuery { limit: q.limit, cursor: q.cursor };
    let limit = page.limit()?;
    let after = page.after()?.and_then(|k| k.into_iter().next());
    let filter = SettingFilter { provider_id: q.provider_id, host_area: q.host_area };
    let rows = state.db(move |conn| repo::list_settings(conn, &caller, &filter, after.as_deref(), limit)).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |s| vec![s.urn.clone()])))
}

/// One setting. Any authenticated caller; the postcode only for those allowed to know it.
#[utoipa::path(tag = "directory", params(("urn" = String, Path)), responses(
    (status = 200, body = Setting, headers(("ETag" = String))),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/settings/{urn}")]
pub async fn get_setting(
    state: web::Data<AppState>,
    caller: Caller,
    urn: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::DIRECTORY_READ)?;
    let urn = urn.into_inner().to_ascii_uppercase();
    let s = state.db(move |conn| repo::find_setting(conn, &caller, &urn)).await?.ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().insert_header(("ETag", etag(s.version))).json(s))
}

/// Edit a setting (operator only; `If-Match` required). A new postcode re-derives the host area.
#[utoipa::path(tag = "directory", params(("urn" = String, Path), ("If-Match" = String, Header)), request_body = SettingPatch, responses(
    (status = 200, body = Setting, headers(("ETag" = String))),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 412, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
    (status = 428, body = Problem, content_type = "application/problem+json"),
))]
#[patch("/v1/settings/{urn}")]
pub async fn update_setting(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    urn: web::Path<String>,
    body: web::Json<SettingPatch>,
) -> Result<HttpResponse, ApiError> {
    caller.operator(scopes::DIRECTORY_WRITE)?;
    let version = if_match(&req)?;
    let urn = urn.into_inner().to_ascii_uppercase();
    let patch = body.into_inner();
    let now = state.now();
    let s = state
        .db(move |conn| {
            crate::db::write_tx(conn, |conn| {
                let (provider_id, name, place, _, postcode, _) =
                    repo::setting_values(conn, &urn)?.ok_or(ApiError::NotFound)?;
                let provider_id = patch.provider_id.unwrap_or(provider_id);
                let name = patch.name.unwrap_or(name);
                let place = patch.place.unwrap_or(place);
                let postcode = patch.postcode.unwrap_or(postcode);
                let (host_area, postcode) = check_setting(&urn, &name, &place, &postcode, None)?;
                if repo::find_provider(conn, &provider_id)?.is_none() {
                    return Err(ApiError::field("provider_id", "no provider with this id"));
                }
                let v = SettingValues {
                    urn: &urn,
                    provider_id: &provider_id,
                    name: name.trim(),
                    place: &place,
                    host_area: &host_area,
                    postcode: &postcode,
                };
                if repo::update_setting(conn, &v, version, now)? == 0 {
                    return Err(ApiError::PreconditionFailed);
                }
                repo::find_setting(conn, &caller, &urn)?.ok_or(ApiError::NotFound)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header(("ETag", etag(s.version))).json(s))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_authorities)
        .service(get_authority)
        .service(create_provider)
        .service(list_providers)
        .service(get_provider)
        .service(update_provider)
        .service(create_setting)
        .service(list_settings)
        .service(get_setting)
        .service(update_setting);
}
