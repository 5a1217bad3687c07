//! HTTP for admissions and discharges.

use super::model::{Movement, MovementQuery, NewMovement};
use super::service::{self, Kind};
use crate::auth::{Caller, scopes};
use crate::error::{ApiError, Problem};
use crate::http::query::Query;
use crate::http::{Page, created};
use crate::idempotency::Idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, post, web};

async fn record(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    urn: String,
    body: NewMovement,
    kind: Kind,
) -> Result<HttpResponse, ApiError> {
    caller.provider(scopes::ADMISSIONS_WRITE)?;
    let urn = urn.to_ascii_uppercase();
    let idem = Idempotency::of(&req, &caller, &format!("POST {urn} {}", kind.as_str()), &body)?;
    let (now, today) = (state.now(), state.clock.today());
    let (m, replayed) = state
        .db(move |conn| idem.run(conn, now, |conn| service::record_at(conn, &caller, kind, &urn, body, today, now)))
        .await?;
    Ok(created(&format!("/v1/admissions/{}", m.id), 1, replayed).json(m))
}

/// Record an admission to one of your settings (provider, reg 41). Give the child's registry id,
/// or name, date of birth and the placing LA when you do not know it. The host LA is notified at
/// once: `admission.recorded` when a placement stands behind it, else `admission.unmatched` (an
/// unnotified placement), which the placing LA gets too when known.
#[utoipa::path(tag = "admissions", params(("urn" = String, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = NewMovement, responses(
    (status = 201, body = Movement),
    (status = 404, description = "Not a setting of yours", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/settings/{urn}/admissions")]
pub async fn record_admission(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    urn: web::Path<String>,
    body: web::Json<NewMovement>,
) -> Result<HttpResponse, ApiError> {
    record(state, caller, req, urn.into_inner(), body.into_inner(), Kind::Admission).await
}

/// Record a discharge from one of your settings (provider, reg 41), matched to the end of the
/// placement: `discharge.recorded` to the host LA, or `discharge.unmatched` (to the placing LA
/// too) when the placement has not been ended.
#[utoipa::path(tag = "admissions", params(("urn" = String, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = NewMovement, responses(
    (status = 201, body = Movement),
    (status = 404, description = "Not a setting of yours", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/settings/{urn}/discharges")]
pub async fn record_discharge(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    urn: web::Path<String>,
    body: web::Json<NewMovement>,
) -> Result<HttpResponse, ApiError> {
    record(state, caller, req, urn.into_inner(), body.into_inner(), Kind::Discharge).await
}

/// Admissions and discharges: a provider's own, and for an LA those in its area or of children
/// it placed. `status=unmatched` lists unnotified placements.
#[utoipa::path(tag = "admissions", params(MovementQuery), responses(
    (status = 200, body = Page<Movement>),
))]
#[get("/v1/admissions")]
pub async fn list_movements(
    state: web::Data<AppState>,
    caller: Caller,
    q: Query<MovementQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::PLACEMENTS_READ)?;
    let page = state.db(move |conn| service::list(conn, &caller, q.into_inner())).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One admission or discharge (the provider that recorded it, the host LA, the placing LA).
#[utoipa::path(tag = "admissions", params(("id" = String, Path)), responses(
    (status = 200, body = Movement),
))]
#[get("/v1/admissions/{id}")]
pub async fn get_movement(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::PLACEMENTS_READ)?;
    let m = state.db(move |conn| service::read(conn, &caller, &id)).await?;
    Ok(HttpResponse::Ok().json(m))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(record_admission).service(record_discharge).service(list_movements).service(get_movement);
}
