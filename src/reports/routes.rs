//! HTTP for reports: one report per role (placing LA, host LA, provider), always of the caller's
//! own organisation, and the records behind each figure; JSON, or CSV on request.

use super::figures::Role;
use super::model::*;
use super::service::{self, Context, Rendered};
use crate::auth::{Caller, scopes};
use crate::error::{ApiError, Problem};
use crate::period::ReportPeriod as Period;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;

/// The answer to a report or records request: JSON or CSV, varying by `Accept`.
fn render<T: Serialize>(rendered: Rendered<T>) -> HttpResponse {
    match rendered {
        Rendered::Json(body) => HttpResponse::Ok().insert_header((header::VARY, "Accept")).json(body),
        Rendered::Csv { file, body, next } => {
            let mut res = crate::http::csv::response(body, &file);
            if let Some(v) = next.and_then(|n| header::HeaderValue::from_str(&n).ok()) {
                res.headers_mut().insert(header::LINK, v);
            }
            res
        }
    }
}

async fn report(
    state: web::Data<AppState>,
    req: HttpRequest,
    role: Role,
    org: String,
    q: ReportQuery,
) -> Result<HttpResponse, ApiError> {
    let period = Period::from_query(q.period.as_deref(), q.year.as_deref())?;
    let csv = crate::http::wants_csv(&req, q.format)?;
    let ctx = Context::new(state.now(), state.calendar.clone(), &state.config);
    let report = state.db(move |conn| service::report(conn, role, &org, &period, csv, &ctx)).await?;
    Ok(render(report))
}

async fn records(
    state: web::Data<AppState>,
    req: HttpRequest,
    caller: Caller,
    role: Role,
    q: RecordsQuery,
) -> Result<HttpResponse, ApiError> {
    let period = Period::from_query(q.period.as_deref(), q.year.as_deref())?;
    let csv = crate::http::wants_csv(&req, q.format)?;
    let ctx = Context::new(state.now(), state.calendar.clone(), &state.config);
    let page = state.db(move |conn| service::records(conn, &caller, role, &period, q, csv, &ctx)).await?;
    Ok(render(page))
}

const REPORT_CSV: &str = "figure,value\r\nnotifications,12\r\nnotifications_on_time,10\r\nnotifications_late,2\r\n";
const RECORDS_CSV: &str = "id,urn,host_la,date,status,placing_la,child_id,placement_id,recorded_at,resolved_at\r\n\
    2b1f0c9e-8d51-4c1e-9a43-0f4c2d7e1a55,SC480011,E08000035,2026-06-03,unmatched,E09000012,\
    7c0d5a2e-3f4b-4e8a-b1c9-5d6e7f8a9b0c,,2026-06-05T09:00:00Z,\r\n";

/// The placing LA's compliance and data-quality report for a quarter (`period=2026-Q2`) or a
/// collection year (`year=2026`): the statutory notices it gave host LAs, unnotified placements
/// of its children found through admissions, and the missing episodes of the children it placed.
/// Any LA, about itself only (there is no way to name another). JSON, or `figure,value` CSV with
/// `Accept: text/csv` or `format=csv`.
#[utoipa::path(tag = "reports", params(ReportQuery, ("Accept" = Option<String>, Header, description = "`text/csv` for CSV")), responses(
    (status = 200, description = "The figures, each with the link to its records", content(
        (Report<PlacingFigures> = "application/json"),
        (String = "text/csv", example = json!(REPORT_CSV)),
    )),
    (status = 400, description = "A bad or missing period, year or format (named in `errors`)", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a local authority, or no `reports:read` scope", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/reports/placing")]
pub async fn placing_report(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    q: crate::http::query::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let org = caller.authority(scopes::REPORTS_READ)?.to_string();
    report(state, req, Role::Placing, org, q.into_inner()).await
}

/// The host LA's report for a quarter or a collection year: the notices it received about
/// placements in its area and their timeliness, those it has not acknowledged, unnotified
/// placements in its area, the quarterly returns of settings in its area, and the missing
/// episodes of children placed in its area. Any LA, about itself only.
#[utoipa::path(tag = "reports", params(ReportQuery, ("Accept" = Option<String>, Header, description = "`text/csv` for CSV")), responses(
    (status = 200, description = "The figures, each with the link to its records", content(
        (Report<HostFigures> = "application/json"),
        (String = "text/csv", example = json!(REPORT_CSV)),
    )),
    (status = 400, description = "A bad or missing period, year or format (named in `errors`)", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a local authority, or no `reports:read` scope", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/reports/host")]
pub async fn host_report(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    q: crate::http::query::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let org = caller.authority(scopes::REPORTS_READ)?.to_string();
    report(state, req, Role::Host, org, q.into_inner()).await
}

/// The provider's report for a quarter or a collection year: its settings' quarterly returns
/// (on time, late, missing) and the missing episodes of children placed in its settings. Any
/// provider, about itself only.
#[utoipa::path(tag = "reports", params(ReportQuery, ("Accept" = Option<String>, Header, description = "`text/csv` for CSV")), responses(
    (status = 200, description = "The figures, each with the link to its records", content(
        (Report<ProviderFigures> = "application/json"),
        (String = "text/csv", example = json!(REPORT_CSV)),
    )),
    (status = 400, description = "A bad or missing period, year or format (named in `errors`)", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a provider, or no `reports:read` scope", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/reports/provider")]
pub async fn provider_report(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    q: crate::http::query::Query<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let org = caller.provider(scopes::REPORTS_READ)?.to_string();
    report(state, req, Role::Provider, org, q.into_inner()).await
}

/// The records behind one figure of the caller's placing-LA report (ids, dates and codes),
/// oldest first, a page at a time. Any LA, its own records only. CSV with `Accept: text/csv` or
/// `format=csv`, the next page then linked in the `Link` header.
#[utoipa::path(tag = "reports", params(RecordsQuery, ("Accept" = Option<String>, Header, description = "`text/csv` for CSV")), responses(
    (status = 200, description = "One page of records", headers(("Link" = String, description = "CSV only: the next page")), content(
        (RecordPage = "application/json"),
        (String = "text/csv", example = json!(RECORDS_CSV)),
    )),
    (status = 400, description = "A bad or missing period, year, figure, format, limit or cursor", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a local authority, or no `reports:read` scope", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/reports/placing/records")]
pub async fn placing_records(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    q: crate::http::query::Query<RecordsQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.authority(scopes::REPORTS_READ)?;
    records(state, req, caller, Role::Placing, q.into_inner()).await
}

/// The records behind one figure of the caller's host-LA report. Any LA, its own records only.
#[utoipa::path(tag = "reports", params(RecordsQuery, ("Accept" = Option<String>, Header, description = "`text/csv` for CSV")), responses(
    (status = 200, description = "One page of records", headers(("Link" = String, description = "CSV only: the next page")), content(
        (RecordPage = "application/json"),
        (String = "text/csv", example = json!(RECORDS_CSV)),
    )),
    (status = 400, description = "A bad or missing period, year, figure, format, limit or cursor", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a local authority, or no `reports:read` scope", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/reports/host/records")]
pub async fn host_records(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    q: crate::http::query::Query<RecordsQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.authority(scopes::REPORTS_READ)?;
    records(state, req, caller, Role::Host, q.into_inner()).await
}

/// The records behind one figure of the caller's provider report. Any provider, its own records
/// only.
#[utoipa::path(tag = "reports", params(RecordsQuery, ("Accept" = Option<String>, Header, description = "`text/csv` for CSV")), responses(
    (status = 200, description = "One page of records", headers(("Link" = String, description = "CSV only: the next page")), content(
        (RecordPage = "application/json"),
        (String = "text/csv", example = json!(RECORDS_CSV)),
    )),
    (status = 400, description = "A bad or missing period, year, figure, format, limit or cursor", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a provider, or no `reports:read` scope", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/reports/provider/records")]
pub async fn provider_records(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    q: crate::http::query::Query<RecordsQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.provider(scopes::REPORTS_READ)?;
    records(state, req, caller, Role::Provider, q.into_inner()).await
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(placing_report)
        .service(host_report)
        .service(provider_report)
        .service(placing_records)
        .service(host_records)
        .service(provider_records);
}
