//! HTTP for missing episodes.

use super::model::{Episode, EpisodePatch, NewEpisode};
use super::{repo, service};
use crate::auth::{Caller, OrgType, scopes};
use crate::error::{ApiError, Problem};
use crate::http::created;
use crate::http::{Page, PageQuery, etag, if_match};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

fn ok(e: Episode) -> HttpResponse {
    HttpResponse::Ok().insert_header(("ETag", etag(e.version))).json(e)
}

/// Report a child missing (`M`) or away without authorisation (`A`): the home the child is placed
/// in, the placing LA or the host LA. The placement is found by date. Checked against the SSDA903
/// Missing rules (each refusal names the rule and field). `missing.started` goes to the placing
/// and the host LA (and `missing.ended` too when the end is already known).
#[utoipa::path(tag = "missing", request_body = NewEpisode, params(("Idempotency-Key" = Option<String>, Header)), responses(
    (status = 201, body = Episode, headers(("ETag" = String), ("Location" = String))),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/missing-episodes")]
pub async fn create_episode(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<NewEpisode>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::MISSING_WRITE)?;
    if caller.org_type == OrgType::Operator {
        return Err(ApiError::forbidden("The operator does not report episodes."));
    }
    let input = body.into_inner();
    let key = crate::http::idempotency_key(&req)?;
    let fp = crate::idempotency::fingerprint("POST /v1/missing-episodes", &input);
    let owner = caller.owner_key();
    let now = state.now();
    let (e, replayed) = state
        .db(move |conn| {
            crate::idempotency::run(conn, &owner, key.as_deref(), &fp, now, |conn| {
                let e = service::create(conn, &caller, input, now)?;
                crate::audit::record(conn, &caller, "missing.create", std::slice::from_ref(&e.child_id), now)?;
                Ok(service::view(e, now))
            })
        })
        .await?;
    Ok(created(&format!("/v1/missing-episodes/{}", e.id), e.version, replayed).json(e))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct EpisodeQuery {
    pub child_id: Option<String>,
    /// Only open (true) or ended (false) episodes.
    pub open: Option<bool>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Episodes the caller may see (its children's, those in its area, those in its settings),
/// newest first.
#[utoipa::path(tag = "missing", params(EpisodeQuery), responses(
    (status = 200, body = Page<Episode>),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/missing-episodes")]
pub async fn list_episodes(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<EpisodeQuery>,
) -> Result<HttpResponse, ApiError> {
    let audit = state.audit.clone();
    caller.require(scopes::MISSING_READ)?;
    let q = q.into_inner();
    let page = PageQuery { limit: q.limit, cursor: q.cursor };
    let limit = page.limit()?;
    let after: Option<(NaiveDateTime, String)> = page.after_pair::<DateTime<Utc>>()?.map(|(t, id)| (t.naive_utc(), id));
    let now = state.now();
    let filter = repo::ListFilter { child_id: q.child_id, open: q.open };
    let rows = state
        .db(move |conn| {
            let rows = repo::list(conn, &caller, &filter, after, limit)?;
            let mut ids: Vec<String> = rows.iter().map(|e| e.child_id.clone()).collect();
            ids.sort();
            ids.dedup();
            audit.push(&caller, "missing.list", &ids, now)?;
            Ok(rows.into_iter().map(|e| service::view(e, now)).collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |e| vec![e.started_at.to_rfc3339(), e.id.clone()])))
}

/// One episode, with its flags (return interview clock, safe-and-well, currently missing).
#[utoipa::path(tag = "missing", params(("id" = String, Path)), responses(
    (status = 200, body = Episode, headers(("ETag" = String))),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/missing-episodes/{id}")]
pub async fn get_episode(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let audit = state.audit.clone();
    caller.require(scopes::MISSING_READ)?;
    let id = id.into_inner();
    let now = state.now();
    let e = state
        .db(move |conn| {
            let e = repo::find_visible(conn, &caller, &id)?.ok_or(ApiError::NotFound)?;
            audit.push(&caller, "missing.read", std::slice::from_ref(&e.child_id), now)?;
            Ok(service::view(e, now))
        })
        .await?;
    Ok(ok(e))
}

/// Record the end (when and where found), the safe-and-well check and the return interview
/// (`If-Match` required). `missing.ended` goes to the placing and host LA when the end is first
/// recorded.
#[utoipa::path(tag = "missing", params(("id" = String, Path), ("If-Match" = String, Header)), request_body = EpisodePatch, responses(
    (status = 200, body = Episode, headers(("ETag" = String))),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 412, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
    (status = 428, body = Problem, content_type = "application/problem+json"),
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
    let id = id.into_inner();
    let patch = body.into_inner();
    let now = state.now();
    let e = state
        .db(move |conn| {
            crate::db::write_tx(conn, |conn| {
                let e = service::update(conn, &caller, &id, patch, version, now)?;
                crate::audit::record(conn, &caller, "missing.update", std::slice::from_ref(&e.child_id), now)?;
                Ok(service::view(e, now))
            })
        })
        .await?;
    Ok(ok(e))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_episode).service(list_episodes).service(get_episode).service(update_episode);
}
