//! HTTP for placements and the host view.

use super::model::*;
use super::{host, repo, service};
use crate::auth::{Caller, OrgType, scopes};
use crate::error::{ApiError, Problem};
use crate::http::created;
use crate::http::{Page, PageQuery, etag, if_match, optional_if_match};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

fn ok(p: Placement) -> HttpResponse {
    HttpResponse::Ok().insert_header(("ETag", etag(p.version))).json(p)
}

/// Register a placement of one of your children (placing LA). For a registered setting give its
/// `urn`; otherwise give the `postcode` (and the agency `urn` for foster and adoption placements).
/// The host area always comes from the postcode; `host_la`, if sent, must agree with it.
#[utoipa::path(tag = "placements", request_body = NewPlacement, params(("Idempotency-Key" = Option<String>, Header)), responses(
    (status = 201, body = Placement, headers(("ETag" = String), ("Location" = String))),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Overlaps another placement of the child", body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/placements")]
pub async fn create_placement(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<NewPlacement>,
) -> Result<HttpResponse, ApiError> {
    let la = caller.authority(scopes::PLACEMENTS_WRITE)?.to_string();
    let input = body.into_inner();
    let key = crate::http::idempotency_key(&req)?;
    let fp = crate::idempotency::fingerprint("POST /v1/placements", &input);
    let cal = state.calendar.clone();
    let owner = caller.owner_key();
    let now = state.now();
    let today = state.clock.today();
    let (p, replayed) = state
        .db(move |conn| {
            crate::idempotency::run(conn, &owner, key.as_deref(), &fp, now, |conn| {
                let p = service::create(conn, &cal, &la, input, now)?;
                crate::audit::record(conn, &caller, "placement.create", std::slice::from_ref(&p.child_id), now)?;
                service::view(conn, p, today)
            })
        })
        .await?;
    Ok(created(&format!("/v1/placements/{}", p.id), p.version, replayed).json(p))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PlacementQuery {
    /// Only this child's placements.
    pub child_id: Option<String>,
    /// Only placements open on this date (YYYY-MM-DD).
    pub open_on: Option<NaiveDate>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Placements you made (placing LA), or those in your settings (provider); newest first.
#[utoipa::path(tag = "placements", params(PlacementQuery), responses(
    (status = 200, body = Page<Placement>),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/placements")]
pub async fn list_placements(
    state: web::Data<AppState>,
    caller: Caller,
    q: web::Query<PlacementQuery>,
) -> Result<HttpResponse, ApiError> {
    let audit = state.audit.clone();
    caller.require(scopes::PLACEMENTS_READ)?;
    if caller.org_type == OrgType::Operator {
        return Err(ApiError::forbidden("The operator does not see placements."));
    }
    let q = q.into_inner();
    let page = PageQuery { limit: q.limit, cursor: q.cursor };
    let limit = page.limit()?;
    let after = page.after_pair::<NaiveDate>()?;
    let filter = repo::ListFilter {
        placing_la: (caller.org_type == OrgType::Authority).then(|| caller.org.clone()),
        child_id: q.child_id,
        open_on: q.open_on,
    };
    let now = state.now();
    let today = state.clock.today();
    let rows = state
        .db(move |conn| {
            let rows = repo::list(conn, &caller, &filter, after, limit)?;
            let mut ids: Vec<String> = rows.iter().map(|p| p.child_id.clone()).collect();
            ids.dedup();
            audit.push(&caller, "placement.list", &ids, now)?;
            service::views(conn, rows, today)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |p| vec![p.start_date.to_string(), p.id.clone()])))
}

/// One placement: the placing LA, the host LA of its area, or the provider of its setting.
#[utoipa::path(tag = "placements", params(("id" = String, Path)), responses(
    (status = 200, body = Placement, headers(("ETag" = String))),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/placements/{id}")]
pub async fn get_placement(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let audit = state.audit.clone();
    caller.require(scopes::PLACEMENTS_READ)?;
    let id = id.into_inner();
    let now = state.now();
    let today = state.clock.today();
    let p = state
        .db(move |conn| {
            let p = repo::find_visible(conn, &caller, &id)?.ok_or(ApiError::NotFound)?;
            audit.push(&caller, "placement.read", std::slice::from_ref(&p.child_id), now)?;
            service::view(conn, p, today)
        })
        .await?;
    Ok(ok(p))
}

/// Correct a placement (placing LA; `If-Match` required).
#[utoipa::path(tag = "placements", params(("id" = String, Path), ("If-Match" = String, Header)), request_body = PlacementPatch, responses(
    (status = 200, body = Placement, headers(("ETag" = String))),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
    (status = 412, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
    (status = 428, body = Problem, content_type = "application/problem+json"),
))]
#[patch("/v1/placements/{id}")]
pub async fn amend_placement(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<PlacementPatch>,
) -> Result<HttpResponse, ApiError> {
    caller.authority(scopes::PLACEMENTS_WRITE)?;
    let version = if_match(&req)?;
    let id = id.into_inner();
    let patch = body.into_inner();
    let now = state.now();
    let today = state.clock.today();
    let p = state
        .db(move |conn| {
            crate::db::write_tx(conn, |conn| {
                let (_before, p) = service::amend(conn, &caller, &id, patch, version, now)?;
                crate::audit::record(conn, &caller, "placement.amend", std::slice::from_ref(&p.child_id), now)?;
                service::view(conn, p, today)
            })
        })
        .await?;
    Ok(ok(p))
}

/// End a placement (placing LA): the date, SSDA903 `REC`, and the reason for a move.
/// `If-Match` is optional here and honoured when sent.
#[utoipa::path(tag = "placements", params(("id" = String, Path), ("If-Match" = Option<String>, Header)), request_body = EndPlacement, responses(
    (status = 200, body = Placement, headers(("ETag" = String))),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Already ended", body = Problem, content_type = "application/problem+json"),
    (status = 412, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/placements/{id}/end")]
pub async fn end_placement(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<EndPlacement>,
) -> Result<HttpResponse, ApiError> {
    caller.authority(scopes::PLACEMENTS_WRITE)?;
    let version = optional_if_match(&req)?;
    let id = id.into_inner();
    let input = body.into_inner();
    let now = state.now();
    let cal = state.calendar.clone();
    let today = state.clock.today();
    let p = state
        .db(move |conn| {
            crate::db::write_tx(conn, |conn| {
                let p = service::end(conn, &cal, &caller, &id, input, version, now)?;
                crate::audit::record(conn, &caller, "placement.end", std::slice::from_ref(&p.child_id), now)?;
                service::view(conn, p, today)
            })
        })
        .await?;
    Ok(ok(p))
}

/// Record a change of legal status during a placement (placing LA). A status for a date that
/// already has one replaces it.
#[utoipa::path(tag = "placements", params(("id" = String, Path)), request_body = NewLegalStatus, responses(
    (status = 200, body = Placement, headers(("ETag" = String))),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/placements/{id}/legal-statuses")]
pub async fn add_legal_status(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<NewLegalStatus>,
) -> Result<HttpResponse, ApiError> {
    caller.authority(scopes::PLACEMENTS_WRITE)?;
    let id = id.into_inner();
    let input = body.into_inner();
    let now = state.now();
    let today = state.clock.today();
    let p = state
        .db(move |conn| {
            crate::db::write_tx(conn, |conn| {
                let p = service::change_legal_status(conn, &caller, &id, input, now)?;
                crate::audit::record(conn, &caller, "placement.legal_status", std::slice::from_ref(&p.child_id), now)?;
                service::view(conn, p, today)
            })
        })
        .await?;
    Ok(ok(p))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct HostQuery {
    /// The date (YYYY-MM-DD); default today.
    pub on: Option<NaiveDate>,
    /// Only children placed by this LA (ONS code).
    pub placing_la: Option<String>,
    /// Only children placed in this setting.
    pub urn: Option<String>,
    /// Only children with this flag: currently_missing, repeat_missing, return_interview_overdue,
    /// notification_late, notification_unacknowledged.
    pub flag: Option<String>,
    /// start_date (newest first, default), family_name, placing_la, episodes (most first).
    pub sort: Option<String>,
    /// `csv` for a CSV download of every matching child (same as `Accept: text/csv`).
    pub format: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

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
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/authorities/{code}/placed-children")]
pub async fn placed_children(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    code: web::Path<String>,
    q: web::Query<HostQuery>,
) -> Result<HttpResponse, ApiError> {
    let la = caller.authority(scopes::PLACEMENTS_READ)?.to_string();
    let code = code.into_inner();
    let q = q.into_inner();
    let csv = crate::http::wants_csv(&req, q.format.as_deref())?;
    let page = PageQuery { limit: q.limit, cursor: q.cursor };
    let limit = page.limit()?;
    let after = page.after_pair::<String>()?;
    let sort = q.sort.unwrap_or_else(|| "start_date".into());
    if !host::SORTS.contains(&sort.as_str()) {
        return Err(ApiError::field("sort", format!("must be one of {}", host::SORTS.join(", "))));
    }
    if let Some(f) = q.flag.as_deref().filter(|f| !host::FLAGS.contains(f)) {
        return Err(ApiError::field("flag", format!("{f} is not one of {}", host::FLAGS.join(", "))));
    }
    let on = q.on.unwrap_or_else(|| state.clock.today());
    let now = state.now();
    let filter = host::Filter { placing_la: q.placing_la, urn: q.urn.map(|u| u.to_ascii_uppercase()) };
    let flag = q.flag;
    let flags_first = csv || host::flags_before_paging(flag.as_deref(), &sort);
    let audit_state = state.clone();
    let auditor = caller.clone();
    let (keys, all) = state
        .db(move |conn| {
            if crate::directory::repo::find_authority(conn, &code)?.is_none() {
                return Err(ApiError::NotFound);
            }
            if code != la {
                return Err(ApiError::forbidden("Only the host LA itself may see who is placed in its area."));
            }
            // In the default order, with nothing to filter or sort on flags, only a page of the
            // open placements is read (`limit + 1`, to know whether there is a next page).
            let top = if flags_first || sort != "start_date" {
                None
            } else {
                let after = after
                    .as_ref()
                    .map(|(key, id)| {
                        host::start_date_of_key(key).map(|d| (d, id.clone())).ok_or_else(crate::http::bad_cursor)
                    })
                    .transpose()?;
                Some(host::Top { after, limit: limit + 1 })
            };
            let mut rows = host::placed_children(conn, &code, on, &filter, top.as_ref())?;
            if flags_first {
                host::add_flags(conn, &code, &mut rows, now)?;
                rows.retain(|c| flag.as_deref().is_none_or(|f| host::has_flag(c, f)));
            }
            let mut keyed: Vec<(String, PlacedChild)> =
                rows.into_iter().map(|c| (host::sort_key(&c, &sort), c)).collect();
            keyed.sort_by(|a, b| (&a.0, &a.1.placement_id).cmp(&(&b.0, &b.1.placement_id)));
            if !csv {
                if let Some((k, id)) = after {
                    keyed.retain(|(key, c)| (key, &c.placement_id) > (&k, &id));
                }
                keyed.truncate(limit as usize + 1);
            }
            let (keys, mut rows): (Vec<String>, Vec<PlacedChild>) = keyed.into_iter().unzip();
            if !flags_first {
                host::add_flags(conn, &code, &mut rows, now)?;
            }
            Ok((keys, rows))
        })
        .await?;
    if csv {
        let ids: Vec<String> = all.iter().map(|c| c.child_id.clone()).collect();
        audit_state.audit.push(&auditor, "host_view.read", &ids, now)?;
        return Ok(crate::http::csv::response(host::to_csv(&all)?, &format!("placed-children-{on}.csv")));
    }
    let keys: std::collections::HashMap<String, String> =
        all.iter().zip(keys).map(|(c, k)| (c.placement_id.clone(), k)).collect();
    let ids: Vec<String> = all.iter().take(limit as usize).map(|c| c.child_id.clone()).collect();
    audit_state.audit.push(&auditor, "host_view.read", &ids, now)?;
    Ok(HttpResponse::Ok().json(Page::from_rows(all, limit, |c| {
        vec![keys.get(&c.placement_id).cloned().unwrap_or_default(), c.placement_id.clone()]
    })))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_placement)
        .service(list_placements)
        .service(get_placement)
        .service(amend_placement)
        .service(end_placement)
        .service(add_legal_status)
        .service(placed_children);
}
