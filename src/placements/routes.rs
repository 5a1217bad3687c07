//! HTTP for placements and the host view.

use super::model::*;
use super::service;
use crate::auth::{Caller, scopes};
use crate::error::{ApiError, Problem};
use crate::http::query::Query;
use crate::http::{Page, created, if_match, ok_versioned, optional_if_match};
use crate::idempotency::Idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};

/// Register a placement of one of your children (placing LA). For a registered setting give its
/// `urn`; otherwise give the `postcode` (and the agency `urn` for foster and adoption placements).
/// The host area always comes from the postcode; `host_la`, if sent, must agree with it.
#[utoipa::path(tag = "placements", request_body = NewPlacement, params(("Idempotency-Key" = Option<String>, Header)), responses(
    (status = 201, body = Placement, headers(("ETag" = String), ("Location" = String))),
    (status = 409, description = "Overlaps another placement of the child", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/placements")]
pub async fn create_placement(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<NewPlacement>,
) -> Result<HttpResponse, ApiError> {
    caller.authority(scopes::PLACEMENTS_WRITE)?;
    let input = body.into_inner();
    let idem = Idempotency::of(&req, &caller, "POST /v1/placements", &input)?;
    let (cal, now) = (state.calendar.clone(), state.now());
    let (p, replayed) =
        state.db(move |conn| idem.run(conn, now, |conn| service::register(conn, &cal, &caller, input, now))).await?;
    Ok(created(&format!("/v1/placements/{}", p.id), p.version, replayed).json(p))
}

/// Placements you made (placing LA), or those in your settings (provider); newest first.
#[utoipa::path(tag = "placements", params(PlacementQuery), responses(
    (status = 200, body = Page<Placement>),
))]
#[get("/v1/placements")]
pub async fn list_placements(
    state: web::Data<AppState>,
    caller: Caller,
    q: Query<PlacementQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::PLACEMENTS_READ)?;
    let now = state.now();
    let page = state.db(move |conn| service::list(conn, &caller, q.into_inner(), now)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One placement: the placing LA, the host LA of its area, or the provider of its setting.
#[utoipa::path(tag = "placements", params(("id" = String, Path)), responses(
    (status = 200, body = Placement, headers(("ETag" = String))),
))]
#[get("/v1/placements/{id}")]
pub async fn get_placement(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::PLACEMENTS_READ)?;
    let now = state.now();
    let p = state.db(move |conn| service::read(conn, &caller, &id, now)).await?;
    Ok(ok_versioned(p.version, &p))
}

/// Correct a placement (placing LA; `If-Match` required).
#[utoipa::path(tag = "placements", params(("id" = String, Path), ("If-Match" = String, Header)), request_body = PlacementPatch, responses(
    (status = 200, body = Placement, headers(("ETag" = String))),
    (status = 409, description = "Overlaps another placement of the child", body = Problem, content_type = "application/problem+json"),
))]
#[patch("/v1/placements/{id}")]
pub async fn amend_placement(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<PlacementPatch>,
) -> Result<HttpResponse, ApiError> {
    caller.authority(scopes::PLACEMENTS_WRITE)?;
    let version = if_match(&req)?;
    let (patch, now) = (body.into_inner(), state.now());
    let p = state.db(move |conn| service::correct(conn, &caller, &id, patch, version, now)).await?;
    Ok(ok_versioned(p.version, &p))
}

/// End a placement (placing LA): the date, SSDA903 `REC`, and the reason for a move.
/// `If-Match` is optional here and honoured when sent.
#[utoipa::path(tag = "placements", params(("id" = String, Path), ("If-Match" = Option<String>, Header)), request_body = EndPlacement, responses(
    (status = 200, body = Placement, headers(("ETag" = String))),
    (status = 409, description = "Already ended", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/placements/{id}/end")]
pub async fn end_placement(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<EndPlacement>,
) -> Result<HttpResponse, ApiError> {
    caller.authority(scopes::PLACEMENTS_WRITE)?;
    let version = optional_if_match(&req)?;
    let (input, cal, now) = (body.into_inner(), state.calendar.clone(), state.now());
    let p = state.db(move |conn| service::finish(conn, &cal, &caller, &id, input, version, now)).await?;
    Ok(ok_versioned(p.version, &p))
}

/// Record a change of legal status during a placement (placing LA). A status for a date that
/// already has one replaces it.
#[utoipa::path(tag = "placements", params(("id" = String, Path)), request_body = NewLegalStatus, responses(
    (status = 200, body = Placement, headers(("ETag" = String))),
))]
#[post("/v1/placements/{id}/legal-statuses")]
pub async fn add_legal_status(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<NewLegalStatus>,
) -> Result<HttpResponse, ApiError> {
    caller.authority(scopes::PLACEMENTS_WRITE)?;
    let (input, now) = (body.into_inner(), state.now());
    let p = state.db(move |conn| service::record_legal_status(conn, &caller, &id, input, now)).await?;
    Ok(ok_versioned(p.version, &p))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_placement)
        .service(list_placements)
        .service(get_placement)
        .service(amend_placement)
        .service(end_placement)
        .service(add_legal_status);
}
