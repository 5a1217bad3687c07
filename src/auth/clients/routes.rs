//! HTTP for API clients (operator only).

use super::model::{ApiClient, CreatedApiClient, NewApiClient};
use super::service;
use crate::auth::authenticator::Authenticator;
use crate::auth::{Caller, scopes};
use crate::error::ApiError;
use actix_web::{HttpResponse, get, post, web};

/// Create an API client (operator only). The response carries the secret, once.
#[utoipa::path(tag = "auth", request_body = NewApiClient, responses((status = 201, body = CreatedApiClient)))]
#[post("/v1/api-clients")]
pub async fn create_api_client(
    auth: web::Data<Authenticator>,
    caller: Caller,
    body: web::Json<NewApiClient>,
) -> Result<HttpResponse, ApiError> {
    caller.operator(scopes::CLIENTS_ADMIN)?;
    let now = auth.now();
    let created = auth.db(move |conn| service::create(conn, body.into_inner(), now)).await?;
    Ok(HttpResponse::Created().json(created))
}

/// List API clients (operator only), revoked ones included.
#[utoipa::path(tag = "auth", responses((status = 200, body = Vec<ApiClient>)))]
#[get("/v1/api-clients")]
pub async fn list_api_clients(auth: web::Data<Authenticator>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.operator(scopes::CLIENTS_ADMIN)?;
    Ok(HttpResponse::Ok().json(auth.db(service::list).await?))
}

/// Revoke an API client (operator only): its secret stops working and tokens already issued to
/// it are refused. Revoking twice is harmless.
#[utoipa::path(tag = "auth", params(("client_id" = String, Path)), responses((status = 200, body = ApiClient)))]
#[post("/v1/api-clients/{client_id}/revoke")]
pub async fn revoke_api_client(
    auth: web::Data<Authenticator>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.operator(scopes::CLIENTS_ADMIN)?;
    let id = path.into_inner();
    let now = auth.now();
    let client = auth.db(move |conn| service::revoke(conn, &id, now)).await?;
    auth.remember_revoked(&client.client_id);
    Ok(HttpResponse::Ok().json(client))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_api_client).service(list_api_clients).service(revoke_api_client);
}
