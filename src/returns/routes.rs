//! HTTP for quarterly returns.

use super::input::{BODY_LIMIT, ROW_LIMIT};
use super::model::{
    AreaQuery, AreaReturns, PeriodReturns, QuarterlyReturn, ReturnKey, ReturnQuery, ReturnSubmission, ReviewInput,
    SubmitQuery, Template,
};
use super::service;
use crate::auth::{Caller, scopes};
use crate::error::{ApiError, Problem};
use crate::http::query::Query;
use crate::http::{Page, PageQuery, created, ok_versioned, optional_if_match};
use crate::idempotency::Idempotency;
use crate::state::AppState;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, put, web};
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

fn too_large(size: Option<usize>) -> ApiError {
    let what = size.map_or_else(|| "The body is larger than".to_string(), |n| format!("The body is {n} bytes, over"));
    ApiError::PayloadTooLarge {
        detail: format!(
            "{what} the {BODY_LIMIT} bytes (16 MiB) a return may have; a return has at most {ROW_LIMIT} episode rows."
        ),
    }
}

/// Reads the body up to the returns limit.
async fn read_body(req: &HttpRequest, mut payload: web::Payload) -> Result<Vec<u8>, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<usize>().ok());
    if let Some(n) = declared.filter(|n| *n > BODY_LIMIT) {
        return Err(too_large(Some(n)));
    }
    let mut body = Vec::with_capacity(declared.unwrap_or(0));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::bad_request(format!("The body could not be read: {e}.")))?;
        if body.len() + chunk.len() > BODY_LIMIT {
            return Err(too_large(None));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Submit a setting's quarterly missing-episode return (the provider running the setting; another
/// provider gets 404, an LA 403), once the quarter is over. Each submission is stored as the next
/// version; earlier versions stay readable. `Idempotency-Key` is honoured.
///
/// **JSON** (`application/json`): `{"nil": false, "reason": "...", "episodes": [...]}` with the
/// fields of `ReturnSubmission`; instants RFC 3339.
///
/// **CSV** (`text/csv`, UTF-8 with or without a byte order mark, comma separated, fields quoted
/// with `"` where they hold commas, quotes or line breaks): a header row, then one row per episode.
/// Columns (any order, names case-insensitive): `child_id`, `kind`, `started_at` (required), and
/// `ended_at`, `reported_to_police_at`, `police_reference`, `risk_indicators` (separated by `;`),
/// `found_where`, `safe_and_well_at`, `safe_and_well_by`, `return_interview_offered_at`,
/// `return_interview_offered_by`, `return_interview_independent` (true/false, yes/no, y/n, 1/0),
/// `return_interview_outcome`, `return_interview_not_offered_reason`,
/// `return_interview_completed_at`. The template's `given_name`, `family_name` and
/// `date_of_birth` columns are allowed and ignored. `safe_and_well_at` and `safe_and_well_by` go
/// together, and any `return_interview_*` value needs `return_interview_outcome`. Instants are RFC 3339
/// (`2026-07-14T23:10:00Z`) or `YYYY-MM-DD HH:MM` taken as UTC. Rows naming a child with every
/// episode column empty (template rows) mean "no episode" and are ignored. A nil return is
/// `?nil=true` with an empty file or one holding only the header and template rows; `reason` is
/// a query parameter.
///
/// The whole return is checked before anything is stored: codes, instants, the child placed at
/// this setting during the quarter and on the episode's start, the start inside the quarter, and
/// the SSDA903 Missing rules against the child's placements and other episodes (including the
/// other rows of the return). Any problem rejects all of it (422), with every problem listed in
/// `errors` by row and field: `episodes[12].started_at` (JSON, counted from 0) or
/// `rows[14].started_at` (CSV, the line the record starts on; the header is line 1; header
/// problems are `header.<column>`).
///
/// A valid return is reconciled with the episodes reported as they happened at this setting in
/// the quarter: a row with the same child and a start on the same day is matched, and fills in
/// what the stored episode lacks (never overwriting a different stored value: those are listed
/// as conflicts); other rows become new episodes first reported in this return; reported
/// episodes the return leaves out are listed as omitted. `return.submitted` goes to the host LA.
/// Once a version has been accepted, a new one needs a `reason`. Limits: 16 MiB and 20,000
/// episode rows (413 beyond).
#[utoipa::path(
    tag = "returns",
    params(
        ("urn" = String, Path, description = "Ofsted URN of the setting"),
        ("period" = String, Path, description = "Calendar quarter, e.g. 2026-Q3"),
        SubmitQuery,
        ("Idempotency-Key" = Option<String>, Header),
    ),
    request_body(
        description = "The return as JSON or CSV",
        content(
            (ReturnSubmission = "application/json"),
            (String = "text/csv", example = "child_id,kind,started_at,ended_at,found_where\n6f1c...,M,2026-07-14 23:10,2026-07-15 02:30,friends\n")
        )
    ),
    responses(
        (status = 201, description = "Stored as the next version, with its reconciliation", body = QuarterlyReturn, headers(("ETag" = String), ("Location" = String))),
        (status = 403, description = "Not a provider, or the token lacks returns:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such setting of yours", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Another request with this Idempotency-Key is in progress", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Over 16 MiB or 20,000 rows", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Every problem of the return, by row and field; nothing stored", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/v1/settings/{urn}/returns/{period}")]
pub async fn submit_return(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    q: Query<SubmitQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let (urn, period) = path.into_inner();
    let key = ReturnKey::parse(&urn, &period)?;
    let content_type =
        req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let (c, u) = (caller.clone(), key.urn.clone());
    let setting = state.db(move |conn| service::submittable(conn, &c, &u)).await?;
    let body = read_body(&req, payload).await?;
    let q = q.into_inner();
    let mut h = Sha256::new();
    h.update(content_type.as_bytes());
    h.update(format!("\n{:?}\n{:?}\n", q.nil, q.reason).as_bytes());
    h.update(&body);
    let idem = Idempotency::of(
        &req,
        &caller,
        &format!("PUT /v1/settings/{}/returns/{}", key.urn, key.period),
        &hex::encode(h.finalize()),
    )?;
    let (now, due_days) = (state.now(), state.config.return_due_days);
    let (r, replayed) = state
        .db_pooled(move |conn| {
            let parsed = service::parse(&content_type, &body, q.nil, q.reason)?;
            drop(body);
            idem.run(conn, now, |conn| {
                service::submit_version(conn, &caller, &setting, key.period, parsed, now, due_days)
            })
        })
        .await?;
    let location = format!("/v1/settings/{}/returns/{}/versions/{}", r.urn, r.period, r.version);
    Ok(created(&location, r.version, replayed).json(r))
}

/// The latest version of a setting's return for a quarter, with its reconciliation summary and
/// episodes; or, with `template=csv`, the CSV template to fill in (UTF-8 with a byte order mark,
/// the columns of the submit endpoint): for each child placed at the setting during the quarter
/// (by family name), one row per episode already reported there, pre-filled, then a blank row
/// with only the child's id, names and date of birth (left blank, it means "no episode"). The
/// template is available before any return is submitted. For the provider running the setting
/// and the host LA; anyone else gets 404.
#[utoipa::path(
    tag = "returns",
    params(("urn" = String, Path), ("period" = String, Path, description = "Calendar quarter, e.g. 2026-Q3"), ReturnQuery),
    responses(
        (status = 200, description = "The latest version (JSON), or the CSV template (`template=csv`)", headers(("ETag" = String, description = "JSON only: the version, for `If-Match`")), content(
            (QuarterlyReturn = "application/json"),
            (String = "text/csv"),
        )),
        (status = 404, description = "No such setting you may see, or no return for the quarter yet", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/v1/settings/{urn}/returns/{period}")]
pub async fn get_return(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
    q: Query<ReturnQuery>,
) -> Result<HttpResponse, ApiError> {
    let (urn, period) = path.into_inner();
    let key = ReturnKey::parse(&urn, &period)?;
    let template = q.into_inner().template == Some(Template::Csv);
    let (now, due_days) = (state.now(), state.config.return_due_days);
    if template {
        let file = format!("{}-{}.csv", key.urn, key.period);
        let csv = state.db(move |conn| service::read_template(conn, &caller, &key, now)).await?;
        return Ok(crate::http::csv::response(csv, &file));
    }
    let r = state.db(move |conn| service::read(conn, &caller, &key, None, now, due_days)).await?;
    Ok(ok_versioned(r.version, &r))
}

/// One version of a setting's return for a quarter (1 is the first), as stored, with its
/// reconciliation summary. For the provider running the setting and the host LA.
#[utoipa::path(
    tag = "returns",
    params(("urn" = String, Path), ("period" = String, Path, description = "Calendar quarter, e.g. 2026-Q3"), ("version" = i64, Path)),
    responses(
        (status = 200, body = QuarterlyReturn, headers(("ETag" = String))),
    )
)]
#[get("/v1/settings/{urn}/returns/{period}/versions/{version}")]
pub async fn get_return_version(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String, i64)>,
) -> Result<HttpResponse, ApiError> {
    let (urn, period, version) = path.into_inner();
    let key = ReturnKey::parse(&urn, &period)?;
    let (now, due_days) = (state.now(), state.config.return_due_days);
    let r = state.db(move |conn| service::read(conn, &caller, &key, Some(version), now, due_days)).await?;
    Ok(ok_versioned(r.version, &r))
}

/// The quarters a setting has returns for, newest first, each with its versions (status,
/// review, counts of the reconciliation) and whether it arrived on time. For the provider
/// running the setting and the host LA.
#[utoipa::path(
    tag = "returns",
    params(("urn" = String, Path), PageQuery),
    responses(
        (status = 200, body = Page<PeriodReturns>),
    )
)]
#[get("/v1/settings/{urn}/returns")]
pub async fn list_returns(
    state: web::Data<AppState>,
    caller: Caller,
    urn: web::Path<String>,
    page: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let urn = urn.into_inner().trim().to_ascii_uppercase();
    let due_days = state.config.return_due_days;
    let page = state.db(move |conn| service::history(conn, &caller, &urn, &page, due_days)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// The host LA accepts or queries the latest version of a return (`comment` required to query).
/// An accepted return is locked: the provider's next version must give a reason. Send `If-Match`
/// with the version's ETag to be sure the version you read is the one you review (412 if a newer
/// one has arrived). Only the host LA: the provider of the setting gets 403, anyone else 404.
#[utoipa::path(
    tag = "returns",
    params(("urn" = String, Path), ("period" = String, Path, description = "Calendar quarter, e.g. 2026-Q3"), ("If-Match" = Option<String>, Header)),
    request_body = ReviewInput,
    responses(
        (status = 200, body = QuarterlyReturn, headers(("ETag" = String))),
        (status = 409, description = "Already accepted", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/v1/settings/{urn}/returns/{period}/review")]
pub async fn review_return(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Json<ReviewInput>,
) -> Result<HttpResponse, ApiError> {
    let (urn, period) = path.into_inner();
    let key = ReturnKey::parse(&urn, &period)?;
    let expected = optional_if_match(&req)?;
    let (input, now, due_days) = (body.into_inner(), state.now(), state.config.return_due_days);
    let r = state.db(move |conn| service::review(conn, &caller, &key, input, expected, now, due_days)).await?;
    Ok(ok_versioned(r.version, &r))
}

/// Every setting located in this LA's area and where its return for a quarter stands:
/// `received` (first version by the due date), `late` (after it), `missing` (none, past due) or
/// `not_due` (none yet, not yet due), with the latest version, its review status and counts over
/// the whole area. A return is due `return_due_days` (default 28) after the quarter's last day;
/// the default quarter is the latest whose due date has passed (on 15 June 2026: 2026-Q1, due
/// 28 April). Only the LA itself (another LA or a provider: 403; unknown code: 404).
#[utoipa::path(
    tag = "returns",
    params(("code" = String, Path, description = "ONS code of the host LA"), AreaQuery),
    responses(
        (status = 200, body = AreaReturns),
    )
)]
#[get("/v1/authorities/{code}/returns")]
pub async fn area_returns(
    state: web::Data<AppState>,
    caller: Caller,
    code: web::Path<String>,
    q: Query<AreaQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.authority(scopes::RETURNS_READ)?;
    let (today, due_days) = (state.clock.today(), state.config.return_due_days);
    let r = state.db(move |conn| service::area_standing(conn, &caller, &code, q.into_inner(), today, due_days)).await?;
    Ok(HttpResponse::Ok().json(r))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(submit_return)
        .service(get_return)
        .service(get_return_version)
        .service(list_returns)
        .service(review_return)
        .service(area_returns);
}
