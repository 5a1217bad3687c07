//! HTTP for the directory.

use super::model::*;
use super::service;
use crate::auth::{Caller, scopes};
use crate::error::{ApiError, Problem};
use crate::http::{Page, PageQuery, created, if_match, ok_versioned};
use crate::idempotency::Idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};

/// List local authorities. Any authenticated caller.
#[utoipa::path(tag = "directory", params(AuthorityQuery), responses((status = 200, body = Vec<Authority>)))]
#[get("/v1/authorities")]
pub async fn list_authorities(
    state: web::Data<AppState>,
    caller: Caller,
    q: crate::http::query::Query<AuthorityQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::DIRECTORY_READ)?;
    let on = q.current_on.map(|d| d.0);
    let authorities = state.db(move |conn| service::authorities(conn, on)).await?;
    Ok(HttpResponse::Ok().json(authorities))
}

/// One local authority by ONS code. Any authenticated caller.
#[utoipa::path(tag = "directory", params(("code" = String, Path, description = "ONS code")), responses(
    (status = 200, body = Authority),
))]
#[get("/v1/authorities/{code}")]
pub async fn get_authority(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::DIRECTORY_READ)?;
    let authority = state.db(move |conn| service::authority(conn, &code)).await?;
    Ok(HttpResponse::Ok().json(authority))
}

/// Register a provider (operator only).
#[utoipa::path(tag = "directory", request_body = NewProvider, responses(
    (status = 201, body = Provider, headers(("ETag" = String))),
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
    let idem = Idempotency::of(&req, &caller, "POST /v1/providers", &input)?;
    let now = state.now();
    let (p, replayed) =
        state.db(move |conn| idem.run(conn, now, |conn| service::create_provider(conn, input, now))).await?;
    Ok(created(&format!("/v1/providers/{}", p.id), p.version, replayed).json(p))
}

/// List providers: the operator sees all, a provider its own.
#[utoipa::path(tag = "directory", params(PageQuery), responses((status = 200, body = Page<Provider>)))]
#[get("/v1/providers")]
pub async fn list_providers(
    state: web::Data<AppState>,
    caller: Caller,
    page: crate::http::query::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::DIRECTORY_READ)?;
    let page = state.db(move |conn| service::providers(conn, &caller, &page)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One provider: the operator, or the provider itself.
#[utoipa::path(tag = "directory", params(("id" = String, Path)), responses(
    (status = 200, body = Provider, headers(("ETag" = String))),
))]
#[get("/v1/providers/{id}")]
pub async fn get_provider(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::DIRECTORY_READ)?;
    let p = state.db(move |conn| service::provider(conn, &caller, &id)).await?;
    Ok(ok_versioned(p.version, &p))
}

/// Edit a provider (operator only; `If-Match` required). `contact_email: null` clears it.
#[utoipa::path(tag = "directory", params(("id" = String, Path), ("If-Match" = String, Header)), request_body = ProviderPatch, responses(
    (status = 200, body = Provider, headers(("ETag" = String))),
    (status = 412, description = "The provider changed since the version in `If-Match`", body = Problem, content_type = "application/problem+json"),
    (status = 428, description = "`If-Match` is missing", body = Problem, content_type = "application/problem+json"),
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
    let (patch, now) = (body.into_inner(), state.now());
    let p = state.db(move |conn| service::amend_provider(conn, &id, patch, version, now)).await?;
    Ok(ok_versioned(p.version, &p))
}

/// Register a setting (operator only). The host area is derived from the postcode.
#[utoipa::path(tag = "directory", request_body = NewSetting, responses(
    (status = 201, body = Setting, headers(("ETag" = String))),
    (status = 409, description = "URN already registered", body = Problem, content_type = "application/problem+json"),
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
    let idem = Idempotency::of(&req, &caller, "POST /v1/settings", &input)?;
    let now = state.now();
    let (s, replayed) =
        state.db(move |conn| idem.run(conn, now, |conn| service::create_setting(conn, &caller, input, now))).await?;
    Ok(created(&format!("/v1/settings/{}", s.urn), s.version, replayed).json(s))
}

/// List settings: the operator sees all, a provider its own, an authority those in its area.
#[utoipa::path(tag = "directory", params(SettingQuery), responses((status = 200, body = Page<Setting>)))]
#[get("/v1/settings")]
pub async fn list_settings(
    state: web::Data<AppState>,
    caller: Caller,
    q: crate::http::query::Query<SettingQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::DIRECTORY_READ)?;
    let page = state.db(move |conn| service::settings(conn, &caller, q.into_inner())).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One setting. Any authenticated caller; the postcode only for those allowed to know it.
#[utoipa::path(tag = "directory", params(("urn" = String, Path)), responses(
    (status = 200, body = Setting, headers(("ETag" = String))),
))]
#[get("/v1/settings/{urn}")]
pub async fn get_setting(
    state: web::Data<AppState>,
    caller: Caller,
    urn: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::DIRECTORY_READ)?;
    let s = state.db(move |conn| service::setting(conn, &caller, &urn)).await?;
    Ok(ok_versioned(s.version, &s))
}

/// Edit a setting (operator only; `If-Match` required). A new postcode re-derives the host area.
#[utoipa::path(tag = "directory", params(("urn" = String, Path), ("If-Match" = String, Header)), request_body = SettingPatch, responses(
    (status = 200, body = Setting, headers(("ETag" = String))),
    (status = 412, description = "The setting changed since the version in `If-Match`", body = Problem, content_type = "application/problem+json"),
    (status = 428, description = "`If-Match` is missing", body = Problem, content_type = "application/problem+json"),
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
    let (patch, now) = (body.into_inner(), state.now());
    let s = state.db(move |conn| service::amend_setting(conn, &caller, &urn, patch, version, now)).await?;
    Ok(ok_versioned(s.version, &s))
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
