//! HTTP for the SSDA903 export: the four CSV files of a collection year and their validation.

use super::model::ValidationReport;
use super::service;
use super::tables::Table;
use crate::auth::{Caller, scopes};
use crate::error::{ApiError, Problem};
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};

/// One table of the caller's collection year as a CSV download (a placing LA, `exports:read`).
async fn csv(
    state: web::Data<AppState>,
    caller: Caller,
    raw_year: String,
    table: Table,
) -> Result<HttpResponse, ApiError> {
    caller.authority(scopes::EXPORTS_READ)?;
    let (today, now) = (state.clock.today(), state.now());
    let file = state.db_pooled(move |conn| service::table(conn, &caller, &raw_year, table, today, now)).await?;
    Ok(crate::http::csv::response(file.body, &file.name))
}

/// The SSDA903 Header table of a collection year.
///
/// A placing LA, for its own children: one row per child with an episode in the year (`CHILD, SEX, DOB, ETHNIC, UPN, MOTHER,
/// MC_DOB`). `UPN` is `UN1` (not yet of school age: under 4 on 31 August before the year, DfE rule 209) or `UN5` where none is recorded; `MOTHER` (`1`, `0`) and `MC_DOB` are
/// given for girls as recorded, blank otherwise. Only local authorities with the `exports:read` scope may call it.
#[utoipa::path(tag = "exports", params(("year" = String, Path, description = "Collection year, named by the year it ends in: 2026 is 1 April 2025 to 31 March 2026", example = "2026")), responses(
    (status = 200, description = "The Header table: UTF-8 CSV, dates dd/mm/YYYY, blank for null", content_type = "text/csv", body = String, headers(("Content-Disposition" = String, description = "attachment; filename=\"ssda903_{year}_{la}_header.csv\""))),
    (status = 400, description = "The year is not four digits", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a local authority, or no `exports:read` scope", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "The year is before 1992 or after the year in progress", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/exports/ssda903/{year}/header.csv")]
pub async fn header_csv(
    state: web::Data<AppState>,
    caller: Caller,
    year: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    csv(state, caller, year.into_inner(), Table::Header).await
}

/// The SSDA903 Episodes table of a collection year.
///
/// A placing LA, for its own children: every episode open at some time in the year, derived from placements and legal
/// status changes (`CHILD, DECOM, RNE, LS, CIN, PLACE, PLACE_PROVIDER, DEC, REC,
/// REASON_PLACE_CHANGE, HOME_POST, PL_POST, URN`). An episode still going at the end of the year
/// (or today, for the year in progress) is open: `DEC` and `REC` blank. Postcodes are full
/// postcodes; `HOME_POST` is blank for a child in the year's UASC table. Only local authorities
/// with the `exports:read` scope may call it.
#[utoipa::path(tag = "exports", params(("year" = String, Path, description = "Collection year, named by the year it ends in: 2026 is 1 April 2025 to 31 March 2026", example = "2026")), responses(
    (status = 200, description = "The Episodes table: UTF-8 CSV, dates dd/mm/YYYY, blank for null", content_type = "text/csv", body = String, headers(("Content-Disposition" = String, description = "attachment; filename=\"ssda903_{year}_{la}_episodes.csv\""))),
    (status = 400, description = "The year is not four digits", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a local authority, or no `exports:read` scope", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "The year is before 1992 or after the year in progress", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/exports/ssda903/{year}/episodes.csv")]
pub async fn episodes_csv(
    state: web::Data<AppState>,
    caller: Caller,
    year: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    csv(state, caller, year.into_inner(), Table::Episodes).await
}

/// The SSDA903 Missing table of a collection year.
///
/// A placing LA, for its own children: every period missing (`M`) or away without authorisation (`A`) that started by
/// the end of the year and had not ended before it began (`CHILD, DOB, MISSING, MIS_START,
/// MIS_END`); `MIS_END` is blank when the child came back after the end of the year. Only local
/// authorities with the `exports:read` scope may call it.
#[utoipa::path(tag = "exports", params(("year" = String, Path, description = "Collection year, named by the year it ends in: 2026 is 1 April 2025 to 31 March 2026", example = "2026")), responses(
    (status = 200, description = "The Missing table: UTF-8 CSV, dates dd/mm/YYYY, blank for null", content_type = "text/csv", body = String, headers(("Content-Disposition" = String, description = "attachment; filename=\"ssda903_{year}_{la}_missing.csv\""))),
    (status = 400, description = "The year is not four digits", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a local authority, or no `exports:read` scope", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "The year is before 1992 or after the year in progress", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/exports/ssda903/{year}/missing.csv")]
pub async fn missing_csv(
    state: web::Data<AppState>,
    caller: Caller,
    year: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    csv(state, caller, year.into_inner(), Table::Missing).await
}

/// The SSDA903 UASC table of a collection year.
///
/// A placing LA, for its own children: one row per child in the Header table who had UASC
/// (unaccompanied asylum-seeking child) status at some time in the year, that is status not
/// ceased before the year began (`CHILD, SEX, DOB, DUC`). `DUC` is the date the status ceased,
/// blank while it went on at the end of the year (or today, for the year in progress). DfE reads
/// being in this table as the child's UASC status. Only local authorities with the
/// `exports:read` scope may call it.
#[utoipa::path(tag = "exports", params(("year" = String, Path, description = "Collection year, named by the year it ends in: 2026 is 1 April 2025 to 31 March 2026", example = "2026")), responses(
    (status = 200, description = "The UASC table: UTF-8 CSV, dates dd/mm/YYYY, blank for null", content_type = "text/csv", body = String, headers(("Content-Disposition" = String, description = "attachment; filename=\"ssda903_{year}_{la}_uasc.csv\""))),
    (status = 400, description = "The year is not four digits", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a local authority, or no `exports:read` scope", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "The year is before 1992 or after the year in progress", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/exports/ssda903/{year}/uasc.csv")]
pub async fn uasc_csv(
    state: web::Data<AppState>,
    caller: Caller,
    year: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    csv(state, caller, year.into_inner(), Table::Uasc).await
}

/// The DfE validation of a collection year's SSDA903 export.
///
/// For a placing LA to check its own children's return before submitting it. The four CSV files are built exactly as for download,
/// read back, and every rule in `rules_checked` is applied; each violation names the rule, the
/// table, the row (from 1, after the header row), the child and the columns. The rules comparing
/// a return with last year's (199, 202 to 208, 452, 453, 502, 503A to 503J, 562, 576, 624, 626, NoE)
/// read last year's return as the registry builds it from the same records. Only local
/// authorities with the `exports:read` scope may call it.
#[utoipa::path(tag = "exports", params(("year" = String, Path, description = "Collection year, named by the year it ends in: 2026 is 1 April 2025 to 31 March 2026", example = "2026")), responses(
    (status = 200, description = "Every DfE rule the export breaks; `valid` when none", body = ValidationReport),
    (status = 400, description = "The year is not four digits", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a local authority, or no `exports:read` scope", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "The year is before 1992 or after the year in progress", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/exports/ssda903/{year}/validation")]
pub async fn validation(
    state: web::Data<AppState>,
    caller: Caller,
    year: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.authority(scopes::EXPORTS_READ)?;
    let (today, now) = (state.clock.today(), state.now());
    let report = state.db_pooled(move |conn| service::validation(conn, &caller, &year, today, now)).await?;
    Ok(HttpResponse::Ok().json(report))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(header_csv).service(episodes_csv).service(missing_csv).service(uasc_csv).service(validation);
}
