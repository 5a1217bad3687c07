//! HTTP for notifications: the recipient's inbox, the sender's sent list, acknowledgements.

use super::model::Notification;
use super::repo::{self, Filter, Side};
use super::service;
use crate::auth::{Caller, OrgType, scopes};
use crate::error::{ApiError, Problem};
use crate::http::{Page, PageQuery};
use crate::state::AppState;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, TimeDelta, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct NotificationQuery {
    /// Only this type (e.g. `placement.started`).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kind: Option<String>,
    /// Only acknowledged (true) or unacknowledged (false) ones.
    pub acknowledged: Option<bool>,
    /// Only those created at or after this instant (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Only unacknowledged ones past the acknowledgement deadline.
    pub acknowledgement_overdue: Option<bool>,
    /// Only those undelivered for more than 24 hours.
    pub escalated: Option<bool>,
    /// Only those about this placement.
    pub placement_id: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    q: NotificationQuery,
    side: Side,
) -> Result<HttpResponse, ApiError> {
    let page = PageQuery { limit: q.limit, cursor: q.cursor };
    let limit = page.limit()?;
    let after = page.after_pair::<DateTime<Utc>>()?.map(|(t, id)| (t.naive_utc(), id));
    let now = state.now();
    let ack_days = state.config.ack_overdue_working_days;
    let cal = state.calendar.clone();
    let filter = Filter {
        kind: q.kind,
        acknowledged: q.acknowledged,
        since: q.since.map(|t| t.naive_utc()),
        unacknowledged_before: q
            .acknowledgement_overdue
            .filter(|b| *b)
            .map(|_| service::overdue_before(&cal, now.date(), ack_days)),
        undelivered_before: q.escalated.filter(|b| *b).map(|_| now - TimeDelta::hours(24)),
        placement_id: q.placement_id,
    };
    let org = caller.org.clone();
    let items = state
        .db(move |conn| {
            let rows = repo::list(conn, side, &org, &filter, after, limit)?;
            if side == Side::Inbox {
                let ids: Vec<String> = rows.iter().filter(|r| r.delivered_at.is_none()).map(|r| r.id.clone()).collect();
                repo::mark_delivered(conn, &ids, now)?;
            }
            Ok(rows.into_iter().map(|r| service::view(r, &cal, ack_days, now)).collect::<Vec<Notification>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(items, limit, |n| vec![n.created_at.to_rfc3339(), n.id.clone()])))
}

/// The caller LA's inbox, newest first. Reading marks notifications delivered.
#[utoipa::path(tag = "notifications", params(NotificationQuery), responses(
    (status = 200, body = Page<Notification>),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/notifications")]
pub async fn inbox(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<NotificationQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.authority(scopes::NOTIFICATIONS_READ)?;
    list(state, caller, q.into_inner(), Side::Inbox).await
}

/// Notifications the caller's organisation caused (an LA's placements, a provider's admissions),
/// with their delivery and acknowledgement state and escalations.
#[utoipa::path(tag = "notifications", params(NotificationQuery), responses(
    (status = 200, body = Page<Notification>),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/notifications/sent")]
pub async fn sent(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<NotificationQuery>,
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
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/notifications/{id}")]
pub async fn get_notification(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::NOTIFICATIONS_READ)?;
    let id = id.into_inner();
    let now = state.now();
    let ack_days = state.config.ack_overdue_working_days;
    let cal = state.calendar.clone();
    let n = state
        .db(move |conn| {
            let r = repo::find_for(conn, &caller.org, &id)?.ok_or(ApiError::NotFound)?;
            Ok(service::view(r, &cal, ack_days, now))
        })
        .await?;
    Ok(HttpResponse::Ok().json(n))
}

/// Acknowledge a notification (its recipient LA). Recording who and when; repeating it changes
/// nothing.
#[utoipa::path(tag = "notifications", params(("id" = String, Path)), responses(
    (status = 200, body = Notification),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/notifications/{id}/acknowledge")]
pub async fn acknowledge(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let la = caller.authority(scopes::NOTIFICATIONS_WRITE)?.to_string();
    let id = id.into_inner();
    let now = state.now();
    let ack_days = state.config.ack_overdue_working_days;
    let cal = state.calendar.clone();
    let who = caller.sub.clone();
    let n = state
        .db(move |conn| {
            crate::db::write_tx(conn, |conn| {
                let r = repo::find_for(conn, &la, &id)?.ok_or(ApiError::NotFound)?;
                if r.recipient_la != la {
                    return Err(ApiError::forbidden("Only the recipient acknowledges a notification."));
                }
                repo::acknowledge(conn, &id, &who, now)?;
                let r = repo::find(conn, &id)?.ok_or(ApiError::NotFound)?;
                Ok(service::view(r, &cal, ack_days, now))
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(n))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(inbox).service(sent).service(get_notification).service(acknowledge);
}
