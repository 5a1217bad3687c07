//! HTTP for children.

use super::model::{Child, ChildPatch, NewChild};
use super::{access, repo, service};
use crate::app::AppState;
use crate::auth::{Caller, scopes};
use crate::directory::routes::created;
use crate::error::{ApiError, Problem};
use crate::http::{Page, PageQuery, etag, if_match};
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
    let la = caller.authority(scopes::CHILDREN_READ)?.to_string();
    let limit = page.limit()?;
    let after = match page.after()? {
        None => None,
        Some(k) if k.len() == 2 => Some((k[0].clone(), k[1].clone())),
        Some(_) => return Err(ApiError::field("cursor", "not a cursor this API issued")),
    };
    let rows = state.db(move |conn| repo::list_own(conn, &la, after, limit)).await?;
    let views: Vec<Child> = rows.into_iter().map(|r| r.view(super::model::ChildAccess::Placing)).collect();
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
    caller.require(scopes::CHILDREN_READ)?;
    let id = id.into_inner();
    let child = state
        .db(move |conn| {
            let rec = repo::find_visible(conn, &caller, &id)?.ok_or(ApiError::NotFound)?;
            let access = access::access_for(&caller, &rec.responsible_la);
            Ok(rec.view(access))
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
                if access::access_for(&caller, &rec.responsible_la) != super::model::ChildAccess::Placing {
                    return Err(ApiError::forbidden("Only the responsible LA may change a child's record."));
                }
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
                Ok(rec.view(super::model::ChildAccess::Placing))
            })
        })
        .await?;
    Ok(HttpResponse::Ok().insert_header(("ETag", etag(child.version))).json(child))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_child).service(list_children).service(get_child).service(update_child);
}
