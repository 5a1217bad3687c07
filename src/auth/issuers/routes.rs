//! HTTP for trusted issuers (operator only).

use super::model::{NewTrustedIssuer, TrustedIssuer};
use super::service;
use crate::auth::authenticator::Authenticator;
use crate::auth::{Caller, scopes};
use crate::error::ApiError;
use actix_web::{HttpResponse, delete, get, post, web};

/// Trust a token issuer (operator only). Its tokens are then accepted for the listed
/// organisations, with the listed algorithms, verified with its keys.
#[utoipa::path(tag = "auth", request_body = NewTrustedIssuer, responses(
    (status = 201, body = TrustedIssuer),
    (status = 409, description = "The issuer is already registered", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/v1/trusted-issuers")]
pub async fn create_issuer(
    auth: web::Data<Authenticator>,
    caller: Caller,
    body: web::Json<NewTrustedIssuer>,
) -> Result<HttpResponse, ApiError> {
    caller.operator(scopes::CLIENTS_ADMIN)?;
    let (own, dev, now) = (auth.tokens.issuer().to_string(), auth.dev, auth.now());
    let created = auth.db(move |conn| service::create(conn, body.into_inner(), &own, dev, now)).await?;
    auth.issuers.invalidate(&created.issuer);
    Ok(HttpResponse::Created().json(created))
}

/// List trusted issuers (operator only).
#[utoipa::path(tag = "auth", responses((status = 200, body = Vec<TrustedIssuer>)))]
#[get("/v1/trusted-issuers")]
pub async fn list_issuers(auth: web::Data<Authenticator>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.operator(scopes::CLIENTS_ADMIN)?;
    Ok(HttpResponse::Ok().json(auth.db(service::list).await?))
}

/// Stop trusting an issuer (operator only): its tokens are refused from now on.
#[utoipa::path(tag = "auth", params(("id" = String, Path)), responses((status = 200, body = TrustedIssuer)))]
#[delete("/v1/trusted-issuers/{id}")]
pub async fn disable_issuer(
    auth: web::Data<Authenticator>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.operator(scopes::CLIENTS_ADMIN)?;
    let id = id.into_inner();
    let now = auth.now();
    let issuer = auth.db(move |conn| service::disable(conn, &id, now)).await?;
    auth.issuers.invalidate(&issuer.issuer);
    Ok(HttpResponse::Ok().json(issuer))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_issuer).service(list_issuers).service(disable_issuer);
}
