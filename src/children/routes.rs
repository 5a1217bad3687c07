//! HTTP for children.

use super::model::{Child, ChildPatch, Merge, NewChild, NewMerge, NewTransfer, Transfer};
use super::service;
use crate::auth::{Caller, scopes};
use crate::error::{ApiError, Problem};
use crate::http::query::Query;
use crate::http::{Page, PageQuery, created, if_match, ok_versioned};
use crate::idempotency::Idempotency;
use crate::state::AppState;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};

/// Register a child (placing LA). Refused with 409 when a child you may see already has the NHS
/// number (`duplicate-nhs-number`, `existing_id`) or a similar name (nickname, spelling, sound)
/// and the same or a slipped date of birth (day and month swapped, one digit wrong):
/// `possible-duplicate`, `candidates` with their `reasons`; repeat with their ids in `confirmed_distinct_from` if they
/// are different children. A child you may not see is never revealed, except to an LA that
/// proves it has the child: the same NHS number, date of birth and family name answer 409
/// `child-already-registered` with `existing_id`. Every such match is in that child's access log.
#[utoipa::path(tag = "children", request_body = NewChild, params(("Idempotency-Key" = Option<String>, Header)), responses(
    (status = 201, body = Child, headers(("ETag" = String), ("Location" = String))),
    (status = 409, description = "Duplicate or likely duplicate", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/children")]
pub async fn create_child(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: web::Json<NewChild>,
) -> Result<HttpResponse, ApiError> {
    caller.authority(scopes::CHILDREN_WRITE)?;
    let input = body.into_inner();
    let idem = Idempotency::of(&req, &caller, "POST /v1/children", &input)?;
    let (now, today) = (state.now(), state.clock.today());
    let (child, replayed) =
        state.db(move |conn| service::register_once(conn, &idem, &caller, input, now, today)).await?;
    Ok(created(&format!("/v1/children/{}", child.id), child.version, replayed).json(child))
}

/// The responsible LA's children, by family name.
#[utoipa::path(tag = "children", params(PageQuery), responses((status = 200, body = Page<Child>)))]
#[get("/v1/children")]
pub async fn list_children(
    state: web::Data<AppState>,
    caller: Caller,
    page: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let la = caller.authority(scopes::CHILDREN_READ)?.to_string();
    let now = state.now();
    let page = state.db(move |conn| service::list(conn, &caller, &la, &page, now)).await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One child: the responsible LA sees everything; an LA where the child is or was placed and a
/// provider whose setting the child is or was placed in see a reduced view. Anyone else: 404. A
/// record merged into another answers 301 `child-merged` naming `merged_into`.
#[utoipa::path(tag = "children", params(("id" = String, Path)), responses(
    (status = 200, body = Child, headers(("ETag" = String))),
    (status = 301, description = "This record was merged into another (`merged_into`, `Location`)", body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/children/{id}")]
pub async fn get_child(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::CHILDREN_READ)?;
    let now = state.now();
    let child = match state.reads() {
        Some(pool) => {
            let mut conn = pool.get().await?;
            service::read_async(&mut conn, &caller, &id, now).await?
        }
        None => state.db(move |conn| service::read(conn, &caller, &id, now)).await?,
    };
    Ok(ok_versioned(child.version, &child))
}

/// Update a child (responsible LA only; `If-Match` required). Absent fields stay as they are;
/// `null` clears an optional field.
#[utoipa::path(tag = "children", params(("id" = String, Path), ("If-Match" = String, Header)), request_body = ChildPatch, responses(
    (status = 200, body = Child, headers(("ETag" = String))),
    (status = 409, description = "The change would duplicate another child", body = Problem, content_type = "application/problem+json"),    (status = 301, description = "This record was merged into another (`merged_into`, `Location`)", body = Problem, content_type = "application/problem+json"),
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
    let (now, today) = (state.now(), state.clock.today());
    let patch = body.into_inner();
    let child = state.db(move |conn| service::amend(conn, &caller, &id, patch, version, now, today)).await?;
    Ok(ok_versioned(child.version, &child))
}

/// Who accessed this child's record: every read and write, newest first (the audit log). Only
/// the responsible (placing) LA.
#[utoipa::path(tag = "children", params(("id" = String, Path), PageQuery), responses(
    (status = 200, body = Page<crate::audit::AccessEntry>),
))]
#[get("/v1/children/{id}/access-log")]
pub async fn access_log(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    page: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require(scopes::CHILDREN_READ)?;
    let secrets = state.secrets.clone();
    let entries = state.db(move |conn| service::access_log(conn, &caller, secrets.audit_key(), &id, &page)).await?;
    Ok(HttpResponse::Ok().json(entries))
}

/// Transfer responsibility for a child to another LA (a care order transferred; the responsible LA
/// only). The child, its open placements and their missing episodes pass to `to_la`, which then
/// sees and changes them; the old LA keeps the placements it made and sees the child only while
/// it is or was placed in its area. Both LAs get a `child.transferred` notification; the transfer
/// is in the child's timeline and audit log. A child whose record is held by another registry
/// node is refused (`held-by-another-node`).
#[utoipa::path(tag = "children", params(("id" = String, Path)), request_body = NewTransfer, responses(
    (status = 200, body = Transfer),
    (status = 409, description = "The receiving LA's records conflict, or another node holds the child", body = Problem, content_type = "application/problem+json"),    (status = 301, description = "This record was merged into another (`merged_into`, `Location`)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/children/{id}/transfer")]
pub async fn transfer_child(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<NewTransfer>,
) -> Result<HttpResponse, ApiError> {
    caller.authority(scopes::CHILDREN_WRITE)?;
    let now = state.now();
    let input = body.into_inner();
    let t = state.db(move |conn| service::transfer(conn, &caller, &id, input, now)).await?;
    Ok(HttpResponse::Ok().json(t))
}

/// Merge another record of the same child into this one, which is kept (its responsible LA
/// only). When you are responsible for both the merge is done at once (`completed`); when another
/// LA holds the other record it is `requested` (the same answer whatever the other id is) and
/// done when that LA confirms it (`POST /v1/child-merges/{id}/confirm`). The merged record stays,
/// answering 301 `child-merged` with `merged_into`; its placements, episodes, admissions,
/// notifications and audit trail follow the kept one, so the SSDA903 export counts the child once.
/// Both LAs get `child.merged`. Records held by another registry node are refused
/// (`held-by-another-node`).
#[utoipa::path(tag = "children", params(("id" = String, Path)), request_body = NewMerge, responses(
    (status = 200, description = "Merged", body = Merge),
    (status = 202, description = "Requested: the other LA confirms", body = Merge),
    (status = 301, description = "This record was merged into another (`merged_into`)", body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/children/{id}/merge")]
pub async fn merge_child(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
    body: web::Json<NewMerge>,
) -> Result<HttpResponse, ApiError> {
    caller.authority(scopes::CHILDREN_WRITE)?;
    let now = state.now();
    let input = body.into_inner();
    let m = state.db(move |conn| service::merge(conn, &caller, &id, input, now)).await?;
    Ok(if m.status == "completed" { HttpResponse::Ok() } else { HttpResponse::Accepted() }.json(m))
}

/// Confirm a merge another LA requested of a record you are responsible for: the merge is done.
#[utoipa::path(tag = "children", params(("id" = String, Path)), responses((status = 200, body = Merge)))]
#[post("/v1/child-merges/{id}/confirm")]
pub async fn confirm_merge(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.authority(scopes::CHILDREN_WRITE)?;
    let now = state.now();
    let m = state.db(move |conn| service::confirm_merge(conn, &caller, &id, now)).await?;
    Ok(HttpResponse::Ok().json(m))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_child)
        .service(list_children)
        .service(get_child)
        .service(update_child)
        .service(access_log)
        .service(transfer_child)
        .service(merge_child)
        .service(confirm_merge);
}
