//! HTTP for webhook endpoints and their deliveries.

use super::model::{CreatedWebhook, Delivery, DeliveryQuery, NewWebhook, Owner, Webhook};
use super::service;
use crate::auth::{Caller, scopes};
use crate::error::ApiError;
use crate::http::{Page, PageQuery};
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, post, web};

/// Register a webhook endpoint (an LA or a provider). The response carries the endpoint's signing secret, this once.
///
/// From then on the registry POSTs every notification to the caller's organisation of the chosen `event_types` to
/// the URL, as JSON: the notification exactly as `GET /v1/notifications/{id}` shows it at the time
/// of the attempt. Delivery is at least once, from a durable outbox: an answer other than 2xx
/// within 10 seconds is retried with exponential backoff and full jitter (at most one hour apart),
/// honouring `Retry-After`, for as long as the endpoint is active. A 4xx other than 408 and 429
/// is taken as a permanent refusal: the delivery is marked `failed` and not retried. Redirects are
/// not followed. Every attempt is listed at `GET /v1/webhooks/{id}/deliveries`. A notification
/// still undelivered (by webhook or inbox) after 24 hours shows as `escalated` to its sender.
///
/// Requests are signed as the Standard Webhooks specification describes, with three headers:
///
/// - `webhook-id`: the notification id. It is the same on every retry and for every endpoint of
///   the organisation, so use it to ignore messages you have already processed.
/// - `webhook-timestamp`: when the attempt was made, in Unix seconds.
/// - `webhook-signature`: `v1,` followed by the base64 (standard alphabet, padded) of
///   HMAC-SHA256(key, `{webhook-id}.{webhook-timestamp}.{body}`), where the key is the
///   base64-decoded part of the secret after `whsec_` and `body` is the exact bytes of the request
///   body.
///
/// To verify a request: take the raw body bytes before parsing them; compute the HMAC-SHA256 as
/// above with your copy of the secret; base64-encode it and compare it, in constant time, with
/// the signatures in `webhook-signature` (a space-separated list of `v1,<signature>`; accept if
/// any matches). Refuse the request when no signature matches, or when `webhook-timestamp` is
/// more than five minutes from your clock (a replay). The Standard Webhooks libraries do all this.
///
/// The URL must use `https://` (plain `http://` only to a loopback host in development mode) and
/// carry no user name or password; private, loopback and link-local addresses are refused.
#[utoipa::path(tag = "webhooks", request_body = NewWebhook, responses(
    (status = 201, body = CreatedWebhook, headers(("Location" = String))),
))]
#[post("/v1/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewWebhook>,
) -> Result<HttpResponse, ApiError> {
    let la = Owner::of(&caller, scopes::NOTIFICATIONS_WRITE)?;
    let (dev, now, secrets) = (state.config.dev, state.now(), state.secrets.clone());
    let created = state.db(move |conn| service::register(conn, &la, &body, &secrets, dev, now)).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/webhooks/{}", created.webhook.id)))
        .json(created))
}

/// The caller's webhook endpoints, newest first, disabled ones included. Secrets are never shown.
#[utoipa::path(tag = "webhooks", params(PageQuery), responses(
    (status = 200, body = Page<Webhook>),
))]
#[get("/v1/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    caller: Caller,
    page: crate::http::query::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let la = Owner::of(&caller, scopes::NOTIFICATIONS_READ)?;
    let page = state.db(move |conn| service::list(conn, &la, &page)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One webhook endpoint of the caller (without its secret). Another organisation's endpoint: 404.
#[utoipa::path(tag = "webhooks", params(("id" = String, Path)), responses(
    (status = 200, body = Webhook),
))]
#[get("/v1/webhooks/{id}")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let la = Owner::of(&caller, scopes::NOTIFICATIONS_READ)?;
    let webhook = state.db(move |conn| service::read(conn, &la, &id)).await?;
    Ok(HttpResponse::Ok().json(webhook))
}

/// Disable a webhook endpoint of the caller: nothing more is sent to it, and its pending
/// deliveries are cancelled (the notifications stay in the inbox). Disabling twice is harmless.
#[utoipa::path(tag = "webhooks", params(("id" = String, Path)), responses(
    (status = 204, description = "Disabled"),
))]
#[delete("/v1/webhooks/{id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let la = Owner::of(&caller, scopes::NOTIFICATIONS_WRITE)?;
    let now = state.now();
    state.db(move |conn| service::disable(conn, &la, &id, now)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Deliveries to a webhook endpoint of the caller, newest first, each with every attempt
/// (time, HTTP status, error, duration), its state and when the next attempt is due.
#[utoipa::path(tag = "webhooks", params(("id" = String, Path), DeliveryQuery), responses(
    (status = 200, body = Page<Delivery>),
))]
#[get("/v1/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    q: crate::http::query::Query<DeliveryQuery>,
) -> Result<HttpResponse, ApiError> {
    let la = Owner::of(&caller, scopes::NOTIFICATIONS_READ)?;
    let page = state.db(move |conn| service::deliveries(conn, &la, &id, q.into_inner())).await?;
    Ok(HttpResponse::Ok().json(page))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_webhook)
        .service(list_webhooks)
        .service(get_webhook)
        .service(delete_webhook)
        .service(list_deliveries);
}
