//! HTTP for notifications: the recipient's inbox, the sender's sent list, acknowledgements.

use super::model::{Notification, NotificationQuery};
use super::repo::Side;
use super::service;
use crate::auth::{Caller, OrgType, scopes};
use crate::error::ApiError;
use crate::http::Page;
use crate::http::query::Query;
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    q: NotificationQuery,
    side: Side,
) -> Result<HttpResponse, ApiError> {
    let (now, cal, ack_days) = (state.now(), state.calendar.clone(), state.config.ack_overdue_working_days);
    let page = state.db(move |conn| service::list(conn, &caller, side, q, &cal, ack_days, now)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// The caller's inbox (an LA's or a provider's), newest first. Reading marks notifications
/// delivered. A provider receives what concerns its settings: placements of children there
/// started, changed or ended by the placing LA, admissions matched or unmatched, its returns
/// queried or accepted, and its returns due soon, late or missing.
#[utoipa::path(tag = "notifications", params(NotificationQuery), responses(
    (status = 200, body = Page<Notification>),
))]
#[get("/v1/notifications")]
pub async fn inbox(
    state: web::Data<AppState>,
    caller: Caller,
    q: Query<NotificationQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.recipient(scopes::NOTIFICATIONS_READ)?;
    list(state, caller, q.into_inner(), Side::Inbox).await
}

/// Notifications the caller's organisation caused (an LA's placements, a provider's admissions),
/// with their delivery and acknowledgement state and escalations.
#[utoipa::path(tag = "notifications", params(NotificationQuery), responses(
    (status = 200, body = Page<Notification>),
))]
#[get("/v1/notifications/sent")]
pub async fn sent(
    state: web::Data<AppState>,
    caller: Caller,
    q: Query<NotificationQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::NOTIFICATIONS_READ)?;
    if caller.org_type == OrgType::Operator {
        return Err(ApiError::forbidden("The operator sends no notifications."));
    }
    list(state, caller, q.into_inner(), Side::Sent).await
}

/// One notification: its recipient or its sender.
#[utoipa::path(tag = "notifications", params(("id" = String, Path)), responses(
    (status = 200, body = Notification),
))]
#[get("/v1/notifications/{id}")]
pub async fn get_notification(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::NOTIFICATIONS_READ)?;
    let (now, cal, ack_days) = (state.now(), state.calendar.clone(), state.config.ack_overdue_working_days);
    let n = state.db(move |conn| service::read(conn, &caller, &id, &cal, ack_days, now)).await?;
    Ok(HttpResponse::Ok().json(n))
}

/// Acknowledge a notification (its recipient: an LA or a provider). Recording who and when; repeating it changes
/// nothing.
#[utoipa::path(tag = "notifications", params(("id" = String, Path)), responses(
    (status = 200, body = Notification),
))]
#[post("/v1/notifications/{id}/acknowledge")]
pub async fn acknowledge(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.recipient(scopes::NOTIFICATIONS_WRITE)?;
    let (now, cal, ack_days) = (state.now(), state.calendar.clone(), state.config.ack_overdue_working_days);
    let n = state.db(move |conn| service::acknowledge(conn, &caller, &id, &cal, ack_days, now)).await?;
    Ok(HttpResponse::Ok().json(n))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(inbox).service(sent).service(get_notification).service(acknowledge);
}
