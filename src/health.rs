//! Liveness and readiness.

use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` when the database answers.
    pub status: String,
}

/// Health check: answers 200 when the database answers. No token needed.
#[utoipa::path(tag = "health", security(()), responses(
    (status = 200, body = Health),
    (status = 503, description = "Database unreachable", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/healthz")]
pub async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state
        .db(|conn| {
            crate::db::ping(conn).map_err(|_| ApiError::Unavailable { detail: "The database does not answer.".into() })
        })
        .await?;
    Ok(HttpResponse::Ok().json(Health { status: "ok".into() }))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(healthz);
}
