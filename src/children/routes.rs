//! HTTP for children.

use super::model::{Child, ChildPatch, NewChild};
use super::{access, repo, service};
use crate::auth::{Caller, scopes};
use crate::error::{ApiError, Problem};
use crate::http::created;
use crate::http::{Page, PageQuery, etag, if_match};
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};

/// Register a child (placing LA). Refused with 409 when the NHS number is already registered
/// (`existing_id`), or when a child with the same date of birth and a similar name exists
/// (`candidates`) unless their ids are listed in `confirmed_distinct_from`.
#[utoipa::path(tag = "children", request_body = NewChild, params(("Idempotency-Key" = Option<String>, Header)), responses(
    (status = 201, body = Child, headers(("ETag" = String), ("Location" = String))),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Duplicate or likely duplicate", body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/children")]
pub async fn create_child(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<NewChild>,
) -> Result<HttpResponse, ApiError> {
    let la = caller.authority(scopes::CHILDREN_WRITE)?.to_string();
    let input = body.into_inner();
    let key = crate::http::idempotency_key(&req)?;
    let fp = crate::idempotency::fingerprint("POST /v1/children", &input);
    let owner = caller.owner_key();
    let now = state.now();
    let today = state.clock.today();
    let confirmed = input.confirmed_distinct_from.clone();
    let mut record = service::new_record(&la, input, now);
    service::validate(&mut record, today)?;
    let (child, replayed) = state
        .db(move |conn| {
            crate::idempotency::run(conn, &owner, key.as_deref(), &fp, now, |conn| {
                service::check_duplicates(conn, &record, Some(&confirmed))?;
                repo::insert(conn, &record)?;
                crate::audit::record(conn, &caller, "child.create", std::slice::from_ref(&record.id), now)?;
                Ok(record.view(super::model::ChildAccess::Placing))
            })
        })
        .await?;
    Ok(created(&format!("/v1/children/{}", child.id), child.version, replayed).json(child))
}

/// The responsible LA's children, by family name.
#[utoipa::path(tag = "children", params(PageQuery), responses(
    (status = 200, body = Page<Child>),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/children")]
pub async fn list_children(
    state: web::Data<AppState>,
    caller: Caller,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let audit = state.audit.clone();
    let la = caller.authority(scopes::CHILDREN_READ)?.to_string();
    let limit = page.limit()?;
    let after = page.after_pair::<String>()?;
    let now = state.now();
    let views = state
        .db(move |conn| {
            let rows = repo::list_own(conn, &la, after, limit)?;
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            audit.push(&caller, "child.list", &ids, now)?;
            let mut missing = crate::children::service::flags_of_children(conn, &ids, now)?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    let flags = missing.remove(&r.id).unwrap_or_else(|| crate::flags::child(&[], now));
                    Child { missing: flags, ..r.view(super::model::ChildAccess::Placing) }
                })
                .collect::<Vec<Child>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(views, limit, |c| vec![c.family_name.clone(), c.id.clone()])))
}

/// One child: the responsible LA sees everything; an LA where the child is or was placed and a
/// provider whose setting the child is or was placed in see a reduced view. Anyone else: 404.
#[utoipa::path(tag = "children", params(("id" = String, Path)), responses(
    (status = 200, body = Child, headers(("ETag" = String))),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/children/{id}")]
pub async fn get_child(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let audit = state.audit.clone();
    caller.require(scopes::CHILDREN_READ)?;
    let id = id.into_inner();
    let now = state.now();
    let child = state
        .db(move |conn| {
            let rec = repo::find_visible(conn, &caller, &id)?.ok_or(ApiError::NotFound)?;
            let access = access::access_for(&caller, &rec.responsible_la);
            let missing = crate::children::service::child_flags(conn, &rec.id, now)?;
            audit.push(&caller, "child.read", std::slice::from_ref(&rec.id), now)?;
            Ok(Child { missing, ..rec.view(access) })
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header(("ETag", etag(child.version))).json(child))
}

/// Update a child (responsible LA only; `If-Match` required). Absent fields stay as they are;
/// `null` clears an optional field.
#[utoipa::path(tag = "children", params(("id" = String, Path), ("If-Match" = String, Header)), request_body = ChildPatch, responses(
    (status = 200, body = Child, headers(("ETag" = String))),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
    (status = 412, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
    (status = 428, body = Problem, content_type = "application/problem+json"),
))]
#[patch("/v1/children/{id}")]
pub async fn update_child(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    id: web::Path<String>,
    body: web::Json<ChildPatch>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::CHILDREN_WRITE)?;
    let version = if_match(&req)?;
    let id = id.into_inner();
    let patch = body.into_inner();
    let now = state.now();
    let today = state.clock.today();
    let child = state
        .db(move |conn| {
            crate::db::write_tx(conn, |conn| {
                let mut rec = repo::find_visible(conn, &caller, &id)?.ok_or(ApiError::NotFound)?;
                access::require_placing(&caller, &rec.responsible_la, "may change a child's record")?;
                if rec.version != version {
                    return Err(ApiError::PreconditionFailed);
                }
                service::apply_patch(&mut rec, patch);
                service::validate(&mut rec, today)?;
                service::check_duplicates(conn, &rec, None)?;
                rec.updated_at = now;
                if repo::update(conn, &rec, version)? == 0 {
                    return Err(ApiError::PreconditionFailed);
                }
                rec.version = version + 1;
                crate::audit::record(conn, &caller, "child.update", std::slice::from_ref(&rec.id), now)?;
                let missing = crate::children::service::child_flags(conn, &rec.id, now)?;
                Ok(Child { missing, ..rec.view(super::model::ChildAccess::Placing) })
            })
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header(("ETag", etag(child.version))).json(child))
}

/// A child's timeline, oldest first: placements, legal status changes, missing episodes with
/// their checks and interviews, and the notifications sent with their statutory status. Only the
/// responsible (placing) LA.
#[utoipa::path(tag = "children", params(("id" = String, Path)), responses(
    (status = 200, body = Vec<super::timeline::TimelineEvent>),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/children/{id}/timeline")]
pub async fn child_timeline(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let audit = state.audit.clone();
    caller.require(scopes::CHILDREN_READ)?;
    let id = id.into_inner();
    let now = state.now();
    let events = state
        .db(move |conn| {
            let rec = repo::find_visible(conn, &caller, &id)?.ok_or(ApiError::NotFound)?;
            access::require_placing(&caller, &rec.responsible_la, "sees a child's timeline")?;
            audit.push(&caller, "child.timeline", std::slice::from_ref(&rec.id), now)?;
            super::timeline::build(conn, &rec.id, &rec.responsible_la, now)
        })
        .await?;
    Ok(HttpResponse::Ok().json(events))
}

/// Who accessed this child's record: every read and write, newest first (the audit log). Only
/// the responsible (placing) LA.
#[utoipa::path(tag = "children", params(("id" = String, Path), PageQuery), responses(
    (status = 200, body = Page<crate::audit::AccessEntry>),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/children/{id}/access-log")]
pub async fn access_log(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    page: web::Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let audit = state.audit.clone();
    caller.require(scopes::CHILDREN_READ)?;
    let id = id.into_inner();
    let limit = page.limit()?;
    let before = match page.after()? {
        None => None,
        Some(k) => Some(
            k.first()
                .and_then(|s| s.parse::<i64>().ok())
                .ok_or_else(|| ApiError::field("cursor", "not a cursor this API issued"))?,
        ),
    };
    let entries = state
        .db(move |conn| {
            let rec = repo::find_visible(conn, &caller, &id)?.ok_or(ApiError::NotFound)?;
            access::require_placing(&caller, &rec.responsible_la, "sees who accessed a child's record")?;
            audit.flush(conn)?;
            crate::audit::access_log(conn, &rec.id, before, limit)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(entries, limit, |e| vec![e.seq.to_string()])))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_child)
        .service(list_children)
        .service(get_child)
        .service(update_child)
        .service(child_timeline)
        .service(access_log);
}
