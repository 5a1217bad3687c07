//! HTTP for missing episodes.

use super::model::{Episode, EpisodePatch, EpisodeQuery, NewEpisode};
use super::service;
use crate::auth::{Caller, scopes};
use crate::error::ApiError;
use crate::http::query::Query;
use crate::http::{Page, created, if_match, ok_versioned};
use crate::idempotency::Idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};

/// Report a child missing (`M`) or away without authorisation (`A`): the home the child is placed
/// in, the placing LA or the host LA. The placement is found by date. Checked against the SSDA903
/// Missing rules (each refusal names the rule and field). `missing.started` goes to the placing
/// and the host LA (and `missing.ended` too when the end is already known).
#[utoipa::path(tag = "missing", request_body = NewEpisode, params(("Idempotency-Key" = Option<String>, Header)), responses(
    (status = 201, body = Episode, headers(("ETag" = String), ("Location" = String))),
))]
#[post("/v1/missing-episodes")]
pub async fn create_episode(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<NewEpisode>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::MISSING_WRITE)?;
    let input = body.into_inner();
    let idem = Idempotency::of(&req, &caller, "POST /v1/missing-episodes", &input)?;
    let now = state.now();
    let (e, replayed) =
        state.db(move |conn| idem.run(conn, now, |conn| service::report(conn, &caller, input, now))).await?;
    Ok(created(&format!("/v1/missing-episodes/{}", e.id), e.version, replayed).json(e))
}

/// Episodes the caller may see (its children's, those in its area, those in its settings),
/// newest first.
#[utoipa::path(tag = "missing", params(EpisodeQuery), responses((status = 200, body = Page<Episode>)))]
#[get("/v1/missing-episodes")]
pub async fn list_episodes(
    state: web::Data<AppState>,
    caller: Caller,
    q: Query<EpisodeQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::MISSING_READ)?;
    let now = state.now();
    let page = state.db(move |conn| service::list(conn, &caller, q.into_inner(), now)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One episode, with its flags (return interview clock, safe-and-well, currently missing).
#[utoipa::path(tag = "missing", params(("id" = String, Path)), responses((status = 200, body = Episode, headers(("ETag" = String)))))]
#[get("/v1/missing-episodes/{id}")]
pub async fn get_episode(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::MISSING_READ)?;
    let now = state.now();
    let e = state.db(move |conn| service::read(conn, &caller, &id, now)).await?;
    Ok(ok_versioned(e.version, &e))
}

/// Record the end (when and where found), the safe-and-well check and the return interview
/// (`If-Match` required). `missing.ended` goes to the placing and host LA when the end is first
/// recorded.
#[utoipa::path(tag = "missing", params(("id" = String, Path), ("If-Match" = String, Header)), request_body = EpisodePatch, responses(
    (status = 200, body = Episode, headers(("ETag" = String))),
))]
#[patch("/v1/missing-episodes/{id}")]
pub async fn update_episode(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<EpisodePatch>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::MISSING_WRITE)?;
    let version = if_match(&req)?;
    let now = state.now();
    let patch = body.into_inner();
    let e = state.db(move |conn| service::amend(conn, &caller, &id, patch, version, now)).await?;
    Ok(ok_versioned(e.version, &e))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_episode).service(list_episodes).service(get_episode).service(update_episode);
}
