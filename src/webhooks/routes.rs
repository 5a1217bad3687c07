//! HTTP for webhook endpoints and their deliveries.

use super::model::{CreatedWebhook, Delivery, DeliveryStatus, NewWebhook, Webhook};
use super::{repo, service};
use crate::auth::{Caller, scopes};
use crate::error::{ApiError, Problem};
use crate::http::{Page, PageQuery};
use crate::state::AppState;
use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

fn cursor(page: &PageQuery) -> Result<Option<(NaiveDateTime, String)>, ApiError> {
    match page.after()? {
        None => Ok(None),
        Some(k) if k.len() == 2 => match k[0].parse::<DateTime<Utc>>() {
            Ok(t) => Ok(Some((t.naive_utc(), k[1].clone()))),
            Err(_) => Err(ApiError::field("cursor", "not a cursor this API issued")),
        },
        Some(_) => Err(ApiError::field("cursor", "not a cursor this API issued")),
    }
}

/// Register a webhook endpoint (LA). The response carries the endpoint's signing secret, this once.
///
/// From then on the registry POSTs every notification to the LA of the chosen `event_types` to
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
///   the LA, so use it to ignore messages you have already processed.
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
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewWebhook>,
) -> Result<HttpResponse, ApiError> {
    let la = caller.authority(scopes::NOTIFICATIONS_WRITE)?.to_string();
    let checked = service::check(&body, state.config.dev)?;
    let now = state.now();
    let created = state
        .db(move |conn| {
            let id = uuid::Uuid::new_v4().to_string();
            let secret = service::new_secret();
            crate::db::write_tx(conn, |conn| {
                repo::insert_endpoint(
                    conn,
                    &repo::NewEndpoint {
                        id: &id,
                        authority: &la,
                        url: &checked.url,
                        event_types: &checked.event_types,
                        secret: &secret,
                        created_at: now,
                    },
                )
            })?;
            let webhook = repo::find_endpoint(conn, &la, &id)?.ok_or(ApiError::NotFound)?;
            Ok(CreatedWebhook { webhook, secret })
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/v1/webhooks/{}", created.webhook.id)))
        .json(created))
}

/// The caller LA's webhook endpoints, newest first, disabled ones included. Secrets are never shown.
#[utoipa::path(tag = "webhooks", params(PageQuery), responses(
    (status = 200, body = Page<Webhook>),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let la = caller.authority(scopes::NOTIFICATIONS_READ)?.to_string();
    let limit = page.limit()?;
    let after = cursor(&page)?;
    let rows = state.db(move |conn| repo::list_endpoints(conn, &la, after, limit)).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |w| vec![w.created_at.to_rfc3339(), w.id.clone()])))
}

/// One webhook endpoint of the caller LA (without its secret). Another LA's endpoint: 404.
#[utoipa::path(tag = "webhooks", params(("id" = String, Path)), responses(
    (status = 200, body = Webhook),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/webhooks/{id}")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let la = caller.authority(scopes::NOTIFICATIONS_READ)?.to_string();
    let id = id.into_inner();
    let w = state.db(move |conn| repo::find_endpoint(conn, &la, &id)?.ok_or(ApiError::NotFound)).await?;
    Ok(HttpResponse::Ok().json(w))
}

/// Disable a webhook endpoint of the caller LA: nothing more is sent to it, and its pending
/// deliveries are cancelled (the notifications stay in the LA's inbox). Disabling twice is harmless.
#[utoipa::path(tag = "webhooks", params(("id" = String, Path)), responses(
    (status = 204, description = "Disabled"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[delete("/v1/webhooks/{id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let la = caller.authority(scopes::NOTIFICATIONS_WRITE)?.to_string();
    let id = id.into_inner();
    let now = state.now();
    let found = state.db(move |conn| repo::disable_endpoint(conn, &la, &id, now)).await?;
    if !found {
        return Err(ApiError::NotFound);
    }
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct DeliveryQuery {
    /// Only deliveries in this state.
    pub status: Option<DeliveryStatus>,
    /// Largest number of items to return (1 to 200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// Deliveries to a webhook endpoint of the caller LA, newest first, each with every attempt
/// (time, HTTP status, error, duration), its state and when the next attempt is due.
#[utoipa::path(tag = "webhooks", params(("id" = String, Path), DeliveryQuery), responses(
    (status = 200, body = Page<Delivery>),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    q: web::Query<DeliveryQuery>,
) -> Result<HttpResponse, ApiError> {
    let la = caller.authority(scopes::NOTIFICATIONS_READ)?.to_string();
    let q = q.into_inner();
    let page = PageQuery { limit: q.limit, cursor: q.cursor };
    let limit = page.limit()?;
    let after = cursor(&page)?;
    let id = id.into_inner();
    let status = q.status;
    let rows = state
        .db(move |conn| {
            repo::find_endpoint(conn, &la, &id)?.ok_or(ApiError::NotFound)?;
            repo::list_deliveries(conn, &id, status, after, limit)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |d| vec![d.created_at.to_rfc3339(), d.id.clone()])))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_webhook)
        .service(list_webhooks)
        .service(get_webhook)
        .service(delete_webhook)
        .service(list_deliveries);
}
