//! HTTP for the host view.

use super::model::{HostQuery, PlacedChild};
use super::service::{self, HostView};
use crate::auth::{Caller, scopes};
use crate::error::ApiError;
use crate::http::Page;
use crate::http::query::Query;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, web};

/// Children placed in this LA's area on a date, by any LA (host view), with their missing flags
/// (episodes in the last 90 days, currently missing, repeat missing, return interview overdue)
/// and whether this LA was told of the placement late or has not acknowledged it. Filter by
/// placing LA, setting or flag; sort; page; or download every matching child as CSV with
/// `Accept: text/csv` or `format=csv`. Only the host LA itself.
#[utoipa::path(tag = "placements", params(("code" = String, Path, description = "ONS code of the host LA"), HostQuery), responses(
    (status = 200, description = "One page of children (JSON), or every matching child (`text/csv`)", content(
        (Page<PlacedChild> = "application/json"),
        (String = "text/csv"),
    )),
))]
#[get("/v1/authorities/{code}/placed-children")]
pub async fn placed_children(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    code: web::Path<String>,
    q: Query<HostQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.authority(scopes::PLACEMENTS_READ)?;
    let q = q.into_inner();
    let csv = crate::http::wants_csv(&req, q.format)?;
    let now = state.now();
    if let Some(pool) = state.reads().filter(|_| service::served_async(&caller, &code, &q, csv)) {
        let mut conn = pool.get().await?;
        return Ok(HttpResponse::Ok().json(service::placed_children_async(&mut conn, &caller, &code, q, now).await?));
    }
    match state.db(move |conn| service::placed_children(conn, &caller, &code, q, csv, now)).await? {
        HostView::Csv { rows, on } => {
            Ok(crate::http::csv::response(service::to_csv(&rows)?, &format!("placed-children-{on}.csv")))
        }
        HostView::Page(page) => Ok(HttpResponse::Ok().json(page)),
    }
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(placed_children);
}
