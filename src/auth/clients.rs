//! API clients: machine identities the operator creates for LA and provider systems. The secret
//! is shown once and stored as an argon2 hash; a client can be revoked.

use super::{Caller, OrgType, parse_scopes, scopes};
use crate::app::AppState;
use crate::db::schema::{api_clients, authorities, providers};
use crate::db::{AnyConnection, write_tx};
use crate::error::{ApiError, FieldError};
use crate::http::check_text;
use actix_web::{HttpResponse, get, post, web};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewApiClient {
    /// What the client is, for people reading the list (e.g. "Leeds case management system").
    #[schema(example = "Hackney case management system")]
    pub name: String,
    pub org_type: OrgType,
    /// ONS code of the authority, or registry id of the provider; any label for the operator.
    #[schema(example = "E09000012")]
    pub org: String,
    /// Space-separated scopes; default: every scope the organisation type may hold.
    pub scope: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiClient {
    pub client_id: String,
    pub name: String,
    pub org_type: OrgType,
    pub org: String,
    pub scope: String,
    pub created_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiClient {
    #[serde(flatten)]
    pub client: ApiClient,
    /// The secret, shown this once; only a hash is kept.
    pub client_secret: String,
}

type Row = (String, String, String, String, String, NaiveDateTime, Option<NaiveDateTime>);

fn from_row(r: Row) -> Result<ApiClient, ApiError> {
    Ok(ApiClient {
        client_id: r.0,
        name: r.1,
        org_type: OrgType::parse(&r.2).ok_or_else(|| ApiError::internal("bad org_type in api_clients"))?,
        org: r.3,
        scope: r.4,
        created_at: r.5.and_utc(),
        revoked_at: r.6.map(|t| t.and_utc()),
    })
}

const COLUMNS: (
    api_clients::id,
    api_clients::name,
    api_clients::org_type,
    api_clients::org,
    api_clients::scopes,
    api_clients::created_at,
    api_clients::revoked_at,
) = (
    api_clients::id,
    api_clients::name,
    api_clients::org_type,
    api_clients::org,
    api_clients::scopes,
    api_clients::created_at,
    api_clients::revoked_at,
);

pub fn is_revoked(conn: &mut AnyConnection, id: &str) -> Result<bool, ApiError> {
    let r: Option<Option<NaiveDateTime>> =
        api_clients::table.find(id).select(api_clients::revoked_at).first(conn).optional()?;
    Ok(!matches!(r, Some(None)))
}

/// Checks a client id and secret; the client when they match and it is not revoked.
pub fn authenticate(
    conn: &mut AnyConnection,
    id: &str,
    secret: &str,
) -> Result<Option<(ApiClient, Vec<String>)>, ApiError> {
    let row: Option<(Row, String)> =
        api_clients::table.find(id).select((COLUMNS, api_clients::secret_hash)).first(conn).optional()?;
    let Some((row, hash)) = row else {
        // Spend the same effort as a real check so timing does not reveal which ids exist.
        let _ = hash_secret("not-a-client-secret");
        return Ok(None);
    };
    let parsed = PasswordHash::new(&hash).map_err(ApiError::internal)?;
    if Argon2::default().verify_password(secret.as_bytes(), &parsed).is_err() {
        return Ok(None);
    }
    let client = from_row(row)?;
    if client.revoked_at.is_some() {
        return Ok(None);
    }
    let scopes = client.scope.split_whitespace().map(str::to_string).collect();
    Ok(Some((client, scopes)))
}

fn hash_secret(secret: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default().hash_password(secret.as_bytes(), &salt).map(|h| h.to_string()).map_err(ApiError::internal)
}

fn org_exists(conn: &mut AnyConnection, org_type: OrgType, org: &str) -> Result<bool, ApiError> {
    Ok(match org_type {
        OrgType::Authority => authorities::table.find(org).count().get_result::<i64>(conn)? > 0,
        OrgType::Provider => providers::table.find(org).count().get_result::<i64>(conn)? > 0,
        OrgType::Operator => true,
    })
}

/// Create an API client (operator only). The response carries the secret, once.
#[utoipa::path(tag = "auth", request_body = NewApiClient, responses(
    (status = 201, body = CreatedApiClient),
    (status = 400, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/v1/api-clients")]
pub async fn create_api_client(
    state: web::Data<AppState>,
    caller: Caller,
    body: web::Json<NewApiClient>,
) -> Result<HttpResponse, ApiError> {
    caller.operator(scopes::CLIENTS_ADMIN)?;
    let input = body.into_inner();
    let mut errors = Vec::new();
    check_text(&mut errors, "name", &input.name, 200);
    check_text(&mut errors, "org", &input.org, 64);
    let scopes = match parse_scopes(input.org_type, input.scope.as_deref()) {
        Ok(s) => s,
        Err(m) => {
            errors.push(FieldError::new("scope", m));
            vec![]
        }
    };
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let now = state.now();
    let created = state
        .db(move |conn| {
            if !org_exists(conn, input.org_type, &input.org)? {
                return Err(ApiError::field("org", format!("no {} with this code is registered", input.org_type)));
            }
            let mut raw = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut raw);
            let secret = URL_SAFE_NO_PAD.encode(raw);
            let hash = hash_secret(&secret)?;
            let id = uuid::Uuid::new_v4().to_string();
            let scope = scopes.join(" ");
            write_tx(conn, |conn| {
                diesel::insert_into(api_clients::table)
                    .values((
                        api_clients::id.eq(&id),
                        api_clients::name.eq(input.name.trim()),
                        api_clients::org_type.eq(input.org_type.as_str()),
                        api_clients::org.eq(&input.org),
                        api_clients::scopes.eq(&scope),
                        api_clients::secret_hash.eq(&hash),
                        api_clients::created_at.eq(now),
                    ))
                    .execute(conn)
            })?;
            Ok(CreatedApiClient {
                client: ApiClient {
                    client_id: id,
                    name: input.name.trim().to_string(),
                    org_type: input.org_type,
                    org: input.org,
                    scope,
                    created_at: now.and_utc(),
                    revoked_at: None,
                },
                client_secret: secret,
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// List API clients (operator only), revoked ones included.
#[utoipa::path(tag = "auth", responses(
    (status = 200, body = Vec<ApiClient>),
    (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/v1/api-clients")]
pub async fn list_api_clients(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.operator(scopes::CLIENTS_ADMIN)?;
    let rows = state
        .db(|conn| {
            let rows: Vec<Row> = api_clients::table.select(COLUMNS).order(api_clients::created_at.asc()).load(conn)?;
            rows.into_iter().map(from_row).collect::<Result<Vec<_>, _>>()
        })
        .await?;
    Ok(HttpResponse::Ok().json(rows))
}

/// Revoke an API client (operator only): its secret stops working and tokens already issued to
/// it are refused. Revoking twice is harmless.
#[utoipa::path(tag = "auth", params(("client_id" = String, Path)), responses(
    (status = 200, body = ApiClient),
    (status = 401, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 403, body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 404, body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/v1/api-clients/{client_id}/revoke")]
pub async fn revoke_api_client(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.operator(scopes::CLIENTS_ADMIN)?;
    let id = path.into_inner();
    let now = state.now();
    let client = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                diesel::update(api_clients::table.find(&id).filter(api_clients::revoked_at.is_null()))
                    .set(api_clients::revoked_at.eq(now))
                    .execute(conn)?;
                let row: Row = api_clients::table.find(&id).select(COLUMNS).first(conn)?;
                from_row(row)
            })
        })
        .await?;
    state.revocations.remember(&client.client_id, true);
    Ok(HttpResponse::Ok().json(client))
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_api_client).service(list_api_clients).service(revoke_api_client);
}
