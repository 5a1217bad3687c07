//! HTTP for the SSDA903 export: the three CSV files of a collection year and their validation.

use super::build::YearToDate;
use super::tables::{Table, Tables};
use super::validate::{self, Violation};
use crate::auth::{Caller, scopes};
use crate::error::{ApiError, FieldError, Problem};
use crate::ssda903;
use crate::state::AppState;
use actix_web::{HttpResponse, get, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The first collection year with episodes DfE accepts (rule 353: none before 14/10/1991).
const FIRST_YEAR: i32 = 1992;

/// The collection year named in the path: four digits (400 otherwise), from 1992 to the year in
/// progress (422 otherwise).
fn parse_year(raw: &str, today: NaiveDate) -> Result<i32, ApiError> {
    let latest = ssda903::collection_year(today);
    let year = match raw.parse::<i32>() {
        Ok(y) if raw.len() == 4 && raw.bytes().all(|b| b.is_ascii_digit()) => y,
        _ => {
            return Err(ApiError::BadRequest {
                detail: format!("year must be a collection year such as {latest}."),
                errors: vec![FieldError::new(
                    "year",
                    "must be four digits naming the year the collection ends in (2026 is 1 April 2025 to 31 March 2026)",
                )],
            });
        }
    };
    if !(FIRST_YEAR..=latest).contains(&year) {
        return Err(ApiError::validation(vec![FieldError::new(
            "year",
            format!("must be a collection year from {FIRST_YEAR} to {latest} (the year in progress)"),
        )]));
    }
    Ok(year)
}

/// The caller's LA, the year asked for and the tables; the read of each child exported goes to
/// the audit log as `action`.
async fn tables(
    state: &AppState,
    caller: &Caller,
    raw_year: &str,
    action: &str,
) -> Result<(String, YearToDate, Tables), ApiError> {
    let la = caller.authority(scopes::EXPORTS_READ)?.to_string();
    let today = state.clock.today();
    let period = YearToDate::new(parse_year(raw_year, today)?, today);
    let (c, a, now) = (caller.clone(), action.to_string(), state.now());
    let tables = state.db(move |conn| super::export(conn, &c, &period, &a, now)).await?;
    tracing::info!(la = %la, year = period.year, children = tables.header.len(), episodes = tables.episodes.len(), "ssda903 export");
    Ok((la, period, tables))
}

async fn csv(
    state: web::Data<AppState>,
    caller: Caller,
    raw_year: String,
    table: Table,
) -> Result<HttpResponse, ApiError> {
    let action = format!("ssda903.{}.read", table.file_stem());
    let (la, period, tables) = tables(&state, &caller, &raw_year, &action).await?;
    let body = tables.to_csv(table).map_err(ApiError::internal)?;
    let name = format!("ssda903_{}_{}_{}.csv", period.year, la, table.file_stem());
    Ok(crate::http::csv::response(body, &name))
}

/// The SSDA903 Header table of a collection year.
///
/// A placing LA, for its own children: one row per child with an episode in the year (`CHILD, SEX, DOB, ETHNIC, UPN, MOTHER,
/// MC_DOB`). `UPN` is `UN1` (under 6) or `UN5` where none is recorded; `MOTHER` and `MC_DOB` are
/// blank. Only local authorities with the `exports:read` scope may call it.
#[utoipa::path(tag = "exports", params(("year" = String, Path, description = "Collection year, named by the year it ends in: 2026 is 1 April 2025 to 31 March 2026", example = "2026")), responses(
    (status = 200, description = "The Header table: UTF-8 CSV, dates dd/mm/YYYY, blank for null", content_type = "text/csv", body = String, headers(("Content-Disposition" = String, description = "attachment; filename=\"ssda903_{year}_{la}_header.csv\""))),
    (status = 400, description = "The year is not four digits", body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
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
/// postcodes. Only local authorities with the `exports:read` scope may call it.
#[utoipa::path(tag = "exports", params(("year" = String, Path, description = "Collection year, named by the year it ends in: 2026 is 1 April 2025 to 31 March 2026", example = "2026")), responses(
    (status = 200, description = "The Episodes table: UTF-8 CSV, dates dd/mm/YYYY, blank for null", content_type = "text/csv", body = String, headers(("Content-Disposition" = String, description = "attachment; filename=\"ssda903_{year}_{la}_episodes.csv\""))),
    (status = 400, description = "The year is not four digits", body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
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
    (status = 401, body = Problem, content_type = "application/problem+json"),
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

/// Rows in each table.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RowCounts {
    pub header: usize,
    pub episodes: usize,
    pub missing: usize,
}

/// The DfE validation of a collection year's export.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ValidationReport {
    pub year: i32,
    pub collection_start: NaiveDate,
    pub collection_end: NaiveDate,
    /// The last day the export reports: the end of the year, or today while the year runs.
    pub as_of: NaiveDate,
    pub rows: RowCounts,
    /// True when no rule is broken.
    pub valid: bool,
    /// The DfE rule codes checked.
    pub rules_checked: Vec<String>,
    /// Every rule broken, by table and row.
    pub violations: Vec<Violation>,
}

/// The DfE validation of a collection year's SSDA903 export.
///
/// For a placing LA to check its own children's return before submitting it. The three CSV files are built exactly as for download,
/// read back, and every rule in `rules_checked` is applied; each violation names the rule, the
/// table, the row (from 1, after the header row), the child and the columns. Only local
/// authorities with the `exports:read` scope may call it.
#[utoipa::path(tag = "exports", params(("year" = String, Path, description = "Collection year, named by the year it ends in: 2026 is 1 April 2025 to 31 March 2026", example = "2026")), responses(
    (status = 200, description = "Every DfE rule the export breaks; `valid` when none", body = ValidationReport),
    (status = 400, description = "The year is not four digits", body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "Not a local authority, or no `exports:read` scope", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "The year is before 1992 or after the year in progress", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/exports/ssda903/{year}/validation")]
pub async fn validation(
    state: web::Data<AppState>,
    caller: Caller,
    year: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (_, period, tables) = tables(&state, &caller, &year.into_inner(), "ssda903.validation.read").await?;
    let files = [Table::Header, Table::Episodes, Table::Missing].map(|t| tables.to_csv(t));
    let [h, e, m] = files;
    let (h, e, m) = (h.map_err(ApiError::internal)?, e.map_err(ApiError::internal)?, m.map_err(ApiError::internal)?);
    let parsed = Tables::from_csv(&h, &e, &m).map_err(ApiError::internal)?;
    let violations = validate::validate(period.year, &parsed);
    Ok(HttpResponse::Ok().json(ValidationReport {
        year: period.year,
        collection_start: period.start,
        collection_end: period.end,
        as_of: period.as_of,
        rows: RowCounts { header: parsed.header.len(), episodes: parsed.episodes.len(), missing: parsed.missing.len() },
        valid: violations.is_empty(),
        rules_checked: validate::RULES.iter().map(|r| r.to_string()).collect(),
        violations,
    }))
}
