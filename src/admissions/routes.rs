//! HTTP for admissions and discharges.

use super::model::{Movement, NewMovement};
use super::repo;
use super::service::{self, Kind, Setting};
use crate::auth::{Caller, OrgType, scopes};
use crate::db::schema::settings;
use crate::error::{ApiError, Problem};
use crate::http::created;
use crate::http::{Page, PageQuery};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;
use utoipa::IntoParams;

async fn record(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    urn: String,
    body: NewMovement,
    kind: Kind,
) -> Result<HttpResponse, ApiError> {
    let provider = caller.provider(scopes::ADMISSIONS_WRITE)?.to_string();
    let key = crate::http::idempotency_key(&req)?;
    let fp = crate::idempotency::fingerprint(&format!("POST {urn} {}", kind.as_str()), &body);
    let owner = caller.owner_key();
    let now = state.now();
    let today = state.clock.today();
    let who = caller.sub.clone();
    let urn = urn.to_ascii_uppercase();
    let (m, replayed) = state
        .db(move |conn| {
            let setting: Option<(String, String)> = settings::table
                .find(&urn)
                .filter(settings::provider_id.eq(&provider))
                .select((settings::provider_id, settings::host_area))
                .first(conn)
                .optional()?;
            let (provider_id, host_area) = setting.ok_or(ApiError::NotFound)?;
            let setting = Setting { urn: urn.clone(), provider_id, host_area };
            crate::idempotency::run(conn, &owner, key.as_deref(), &fp, now, |conn| {
                let row = service::record(conn, kind, &setting, body, &who, today, now)?;
                let ids: Vec<String> = row.child_id.iter().cloned().collect();
                crate::audit::record(conn, &caller, &format!("{}.record", kind.as_str()), &ids, now)?;
                Ok(row.view_for(&caller))
            })
        })
        .await?;
    Ok(created(&format!("/v1/admissions/{}", m.id), 1, replayed).json(m))
}

/// Record an admission to one of your settings (provider, reg 41). Give the child's registry id,
/// or name, date of birth and the placing LA when you do not know it. The host LA is notified at
/// once: `admission.recorded` when a placement stands behind it, else `admission.unmatched` (an
/// unnotified placement), which the placing LA gets too when known.
#[utoipa::path(tag = "admissions", params(("urn" = String, Path), ("Idempotency-Key" = Option<String>, Header)), request_body = NewMovement, responses(
    (status = 201, body = Movement),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Not a setting of yours", body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
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
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Not a setting of yours", body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct MovementQuery {
    /// `matched`, `unmatched` or `resolved`.
    pub status: Option<String>,
    /// `admission` or `discharge`.
    pub kind: Option<String>,
    pub urn: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Admissions and discharges: a provider's own, and for an LA those in its area or of children
/// it placed. `status=unmatched` lists unnotified placements.
#[utoipa::path(tag = "admissions", params(MovementQuery), responses(
    (status = 200, body = Page<Movement>),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/admissions")]
pub async fn list_movements(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<MovementQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::PLACEMENTS_READ)?;
    if caller.org_type == OrgType::Operator {
        return Err(ApiError::forbidden("The operator does not see admissions."));
    }
    let q = q.into_inner();
    let page = PageQuery { limit: q.limit, cursor: q.cursor };
    let limit = page.limit()?;
    let after = page.after_pair::<NaiveDate>()?;
    let filter = repo::Filter { status: q.status, kind: q.kind, urn: q.urn.map(|u| u.to_ascii_uppercase()) };
    let rows = state
        .db(move |conn| {
            Ok(repo::list(conn, &caller, &filter, after, limit)?
                .into_iter()
                .map(|r| r.view_for(&caller))
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |m| vec![m.date.to_string(), m.id.clone()])))
}

/// One admission or discharge (the provider that recorded it, the host LA, the placing LA).
#[utoipa::path(tag = "admissions", params(("id" = String, Path)), responses(
    (status = 200, body = Movement),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/admissions/{id}")]
pub async fn get_movement(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::PLACEMENTS_READ)?;
    let id = id.into_inner();
    let m = state
        .db(move |conn| repo::find_visible(conn, &caller, &id)?.ok_or(ApiError::NotFound).map(|r| r.view_for(&caller)))
        .await?;
    Ok(HttpResponse::Ok().json(m))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(record_admission).service(record_discharge).service(list_movements).service(get_movement);
}
