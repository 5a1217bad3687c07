//! OAuth 2.0 client credentials (RFC 6749 §4.4): an API client trades its id and secret for a
//! short-lived bearer token. Errors carry the RFC's `error` code inside the problem document.

use super::authenticator::Authenticator;
use super::parse_scopes;
use super::tokens::Grant;
use crate::error::ApiError;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// Must be `client_credentials`.
    pub grant_type: String,
    /// The client id, unless sent with HTTP Basic authentication.
    pub client_id: Option<String>,
    /// The client secret, unless sent with HTTP Basic authentication.
    pub client_secret: Option<String>,
    /// Space-separated scopes to narrow the token to; default: all of the client's scopes.
    pub scope: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the token expires.
    pub expires_in: i64,
    pub scope: String,
}

fn oauth_error(code: &'static str, detail: &str) -> ApiError {
    ApiError::OAuth { code, detail: detail.into() }
}

fn basic_credentials(req: &HttpRequest) -> Option<(String, String)> {
    let value = req.headers().get(actix_web::http::header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

/// Exchange client credentials for a bearer token. Send the form fields, with the id and secret
/// either in the form or as HTTP Basic authentication. No bearer token needed.
#[utoipa::path(tag = "auth", security(()), request_body(content = TokenRequest, content_type = "application/x-www-form-urlencoded"), responses(
    (status = 200, body = TokenResponse),
    (status = 400, description = "Unsupported grant type or scope", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 401, description = "Unknown or revoked client, or wrong secret", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/v1/oauth/token")]
pub async fn token(
    auth: web::Data<Authenticator>,
    req: HttpRequest,
    form: web::Form<TokenRequest>,
) -> Result<HttpResponse, ApiError> {
    auth.limit_token_requests(req.peer_addr().map(|a| a.ip()))?;
    let form = form.into_inner();
    if form.grant_type != "client_credentials" {
        return Err(oauth_error("unsupported_grant_type", "Only grant_type=client_credentials is supported."));
    }
    let (id, secret) = match (basic_credentials(&req), form.client_id, form.client_secret) {
        (Some(pair), _, _) => pair,
        (None, Some(id), Some(secret)) => (id, secret),
        _ => return Err(oauth_error("invalid_client", "Send client_id and client_secret.")),
    };
    let found = auth.db(move |conn| super::clients::service::authenticate(conn, &id, &secret)).await?;
    let Some((client, granted)) = found else {
        return Err(oauth_error("invalid_client", "Unknown client, wrong secret, or revoked client."));
    };
    let scopes = match form.scope.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => granted,
        Some(req_scope) => {
            let asked = parse_scopes(client.org_type, Some(req_scope)).map_err(|m| oauth_error("invalid_scope", &m))?;
            if let Some(extra) = asked.iter().find(|s| !granted.contains(s)) {
                return Err(oauth_error("invalid_scope", &format!("scope `{extra}` was not granted to this client")));
            }
            asked
        }
    };
    let ttl = auth.token_ttl;
    let grant = Grant {
        sub: &client.client_id,
        org_type: client.org_type,
        org: &client.org,
        scopes: &scopes,
        client_id: Some(&client.client_id),
        ttl_secs: ttl,
    };
    let access_token = auth.tokens.issue(&grant, auth.clock.now())?;
    Ok(HttpResponse::Ok().insert_header(("Pragma", "no-cache")).json(TokenResponse {
        access_token,
        token_type: "Bearer".into(),
        expires_in: ttl,
        scope: scopes.join(" "),
    }))
}

/// The registry's token signing keys as a JSON Web Key Set. No token needed.
#[utoipa::path(tag = "auth", security(()), responses((status = 200, body = Object)))]
#[get("/.well-known/jwks.json")]
pub async fn jwks(auth: web::Data<Authenticator>) -> HttpResponse {
    HttpResponse::Ok().json(auth.tokens.jwks())
}

pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(token).service(jwks);
}
