//! HTTP for a child's timeline.

use super::service::{self, TimelineEvent};
use crate::auth::{Caller, scopes};
use crate::error::ApiError;
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};

/// A child's timeline, oldest first: placements, legal status changes, missing episodes with
/// their checks and interviews, and the notifications sent with their statutory status. Only the
/// responsible (placing) LA.
#[utoipa::path(tag = "children", params(("id" = String, Path)), responses((status = 200, body = Vec<TimelineEvent>)))]
#[get("/v1/children/{id}/timeline")]
pub async fn child_timeline(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::CHILDREN_READ)?;
    let now = state.now();
    let events = state.db(move |conn| service::timeline(conn, &caller, &id, now)).await?;
    Ok(HttpResponse::Ok().json(events))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(child_timeline);
}
