//! Trusted token issuers, kept by the operator: an LA's identity provider whose tokens the
//! registry accepts for the organisations it is registered to speak for.

use super::federation::ALLOWED_ALGORITHMS;
use super::{Caller, OrgType, scopes};
use crate::app::AppState;
use crate::db::schema::{authorities, providers, trusted_issuers as ti};
use crate::db::{AnyConnection, write_tx};
use crate::error::{ApiError, FieldError, Problem};
use crate::http::check_text;
use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTrustedIssuer {
    /// The `iss` its tokens carry.
    #[schema(example = "https://login.hackney.gov.example")]
    pub issuer: String,
    /// The `aud` its tokens must carry for this registry.
    pub audience: String,
    /// Algorithms accepted from it (asymmetric only): RS256, RS384, RS512, PS256, PS384, PS512,
    /// ES256, ES384, EdDSA.
    pub algorithms: Vec<String>,
    /// Its public keys as a JSON Web Key Set, or
    #[schema(value_type = Option<Object>)]
    pub jwks: Option<serde_json::Value>,
    /// the HTTPS address to fetch them from (refetched at most once a minute for an unknown kid).
    pub jwks_url: Option<String>,
    /// The kind of organisation its users act for.
    pub org_type: OrgType,
    /// The claim holding the organisation code (default `org`).
    pub org_claim: Option<String>,
    /// The claim holding the scopes, space-separated or a list (default `scope`).
    pub scope_claim: Option<String>,
    /// The organisations it may speak for (ONS codes or provider ids).
    pub orgs: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TrustedIssuer {
    pub id: String,
    pub issuer: String,
    pub audience: String,
    pub algorithms: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jwks_url: Option<String>,
    pub inline_jwks: bool,
    pub org_type: OrgType,
    pub org_claim: String,
    pub scope_claim: String,
    pub orgs: Vec<String>,
    pub created_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_at: Option<DateTime<Utc>>,
}

type Row = (
    String,
    String,
    String,
    String,
    bool,
    Option<String>,
    String,
    String,
    String,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

fn view(r: Row) -> Result<TrustedIssuer, ApiError> {
    Ok(TrustedIssuer {
        id: r.0,
        issuer: r.1,
        audience: r.2,
        algorithms: r.3.split_whitespace().map(str::to_string).collect(),
        inline_jwks: r.4,
        jwks_url: r.5,
        org_type: OrgType::parse(&r.6).ok_or_else(|| ApiError::internal("bad org_type"))?,
        org_claim: r.7,
        scope_claim: r.8,
        orgs: r.9.split_whitespace().map(str::to_string).collect(),
        created_at: r.10.and_utc(),
        disabled_at: r.11.map(|t| t.and_utc()),
    })
}

fn load(conn: &mut AnyConnection, id: Option<&str>) -> Result<Vec<TrustedIssuer>, ApiError> {
    let mut q = ti::table
        .select((
            ti::id,
            ti::issuer,
            ti::audience,
            ti::algorithms,
            ti::jwks.is_not_null(),
            ti::jwks_url,
            ti::org_type,
            ti::org_claim,
            ti::scope_claim,
            ti::orgs,
            ti::created_at,
            ti::disabled_at,
        ))
        .into_boxed();
    if let Some(id) = id {
        q = q.filter(ti::id.eq(id.to_string()));
    }
    let rows: Vec<Row> = q.order(ti::created_at.asc()).load(conn)?;
    rows.into_iter().map(view).collect()
}

fn check_url(errors: &mut Vec<FieldError>, url: &str, dev: bool) {
    match reqwest::Url::parse(url) {
        Err(_) => errors.push(FieldError::new("jwks_url", "is not a URL")),
        Ok(u) => {
            let loopback = matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
            if u.scheme() != "https" && !(dev && u.scheme() == "http" && loopback) {
                errors.push(FieldError::new("jwks_url", "must be https://"));
            }
        }
    }
}

/// Trust a token issuer (operator only). Its tokens are then accepted for the listed
/// organisations, with the listed algorithms, verified with its keys.
#[utoipa::path(tag = "auth", request_body = NewTrustedIssuer, responses(
    (status = 201, body = TrustedIssuer),
    (status = 400, body = Problem, content_type = "application/problem+json"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 409, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
#[post("/v1/trusted-issuers")]
pub async fn create_issuer(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewTrustedIssuer>,
) -> Result<HttpResponse, ApiError> {
    caller.operator(scopes::CLIENTS_ADMIN)?;
    let input = body.into_inner();
    let mut errors = Vec::new();
    check_text(&mut errors, "issuer", &input.issuer, 500);
    check_text(&mut errors, "audience", &input.audience, 500);
    if input.issuer == state.tokens.issuer() {
        errors.push(FieldError::new("issuer", "is this registry's own issuer"));
    }
    if input.algorithms.is_empty() {
        errors.push(FieldError::new("algorithms", "must list at least one algorithm"));
    }
    for (i, a) in input.algorithms.iter().enumerate() {
        if !ALLOWED_ALGORITHMS.contains(&a.as_str()) {
            errors.push(FieldError::new(
                format!("algorithms[{i}]"),
                format!("must be one of {}", ALLOWED_ALGORITHMS.join(", ")),
            ));
        }
    }
    match (&input.jwks, &input.jwks_url) {
        (Some(j), None) => {
            if serde_json::from_value::<jsonwebtoken::jwk::JwkSet>(j.clone()).is_err() {
                errors.push(FieldError::new("jwks", "is not a JSON Web Key Set"));
            }
        }
        (None, Some(url)) => check_url(&mut errors, url, state.config.dev),
        _ => errors.push(FieldError::new("jwks", "give exactly one of jwks and jwks_url")),
    }
    if input.org_type == OrgType::Operator {
        errors.push(FieldError::new("org_type", "an external issuer may speak for authorities or providers only"));
    }
    if input.orgs.is_empty() {
        errors.push(FieldError::new("orgs", "must list the organisations it may speak for"));
    }
    let org_claim = input.org_claim.clone().unwrap_or_else(|| "org".into());
    let scope_claim = input.scope_claim.clone().unwrap_or_else(|| "scope".into());
    check_text(&mut errors, "org_claim", &org_claim, 100);
    check_text(&mut errors, "scope_claim", &scope_claim, 100);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let now = state.now();
    let created = state
        .db(move |conn| {
            let mut errors = Vec::new();
            for (i, org) in input.orgs.iter().enumerate() {
                let known = match input.org_type {
                    OrgType::Authority => authorities::table.find(org).count().get_result::<i64>(conn)? > 0,
                    _ => providers::table.find(org).count().get_result::<i64>(conn)? > 0,
                };
                if !known {
                    errors.push(FieldError::new(
                        format!("orgs[{i}]"),
                        format!("no {} {org} is registered", input.org_type),
                    ));
                }
            }
            if !errors.is_empty() {
                return Err(ApiError::validation(errors));
            }
            if ti::table.filter(ti::issuer.eq(&input.issuer)).count().get_result::<i64>(conn)? > 0 {
                return Err(ApiError::conflict("duplicate-issuer", "This issuer is already registered."));
            }
            let id = uuid::Uuid::new_v4().to_string();
            write_tx(conn, |conn| {
                diesel::insert_into(ti::table)
                    .values((
                        ti::id.eq(&id),
                        ti::issuer.eq(&input.issuer),
                        ti::audience.eq(&input.audience),
                        ti::algorithms.eq(input.algorithms.join(" ")),
                        ti::jwks.eq(input.jwks.as_ref().map(|j| j.to_string())),
                        ti::jwks_url.eq(&input.jwks_url),
                        ti::org_type.eq(input.org_type.as_str()),
                        ti::org_claim.eq(&org_claim),
                        ti::scope_claim.eq(&scope_claim),
                        ti::orgs.eq(input.orgs.join(" ")),
                        ti::created_at.eq(now),
                    ))
                    .execute(conn)
            })?;
            load(conn, Some(&id))?.pop().ok_or(ApiError::NotFound)
        })
        .await?;
    state.federation.invalidate(&created.issuer);
    Ok(HttpResponse::Created().json(created))
}

/// List trusted issuers (operator only).
#[utoipa::path(tag = "auth", responses(
    (status = 200, body = Vec<TrustedIssuer>),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
))]
#[get("/v1/trusted-issuers")]
pub async fn list_issuers(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.operator(scopes::CLIENTS_ADMIN)?;
    Ok(HttpResponse::Ok().json(state.db(|conn| load(conn, None)).await?))
}

/// Stop trusting an issuer (operator only): its tokens are refused from now on.
#[utoipa::path(tag = "auth", params(("id" = String, Path)), responses(
    (status = 200, body = TrustedIssuer),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
#[delete("/v1/trusted-issuers/{id}")]
pub async fn disable_issuer(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.operator(scopes::CLIENTS_ADMIN)?;
    let id = id.into_inner();
    let now = state.now();
    let issuer = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                diesel::update(ti::table.find(&id).filter(ti::disabled_at.is_null()))
                    .set(ti::disabled_at.eq(now))
                    .execute(conn)
            })?;
            load(conn, Some(&id))?.pop().ok_or(ApiError::NotFound)
        })
        .await?;
    state.federation.invalidate(&issuer.issuer);
    Ok(HttpResponse::Ok().json(issuer))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_issuer).service(list_issuers).service(disable_issuer);
}
