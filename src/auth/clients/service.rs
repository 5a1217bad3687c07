//! Rules for API clients: checking secrets in constant effort, creating and revoking clients.

use super::model::{ApiClient, CreatedApiClient, NewApiClient};
use super::repo;
use crate::auth::parse_scopes;
use crate::db::rows::auth::ApiClientRow;
use crate::db::{AnyConnection, write_tx};
use crate::error::{ApiError, FieldError};
use crate::http::check_text;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDateTime;
use rand::RngCore;

/// Checks a client id and secret; the client and its scopes when they match and it is not revoked.
pub fn authenticate(
    conn: &mut AnyConnection,
    id: &str,
    secret: &str,
) -> Result<Option<(ApiClient, Vec<String>)>, ApiError> {
    let Some(row) = repo::find(conn, id)? else {
        // Spend the same effort as a real check so timing does not reveal which ids exist.
        let _ = hash_secret("not-a-client-secret");
        return Ok(None);
    };
    let parsed = PasswordHash::new(&row.secret_hash).map_err(ApiError::internal)?;
    if Argon2::default().verify_password(secret.as_bytes(), &parsed).is_err() {
        return Ok(None);
    }
    let client = ApiClient::try_from(row)?;
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

/// Creates a client with a fresh secret, returned this once.
pub fn create(conn: &mut AnyConnection, input: NewApiClient, now: NaiveDateTime) -> Result<CreatedApiClient, ApiError> {
    let mut errors = Vec::new();
    check_text(&mut errors, "name", &input.name, 200);
    check_text(&mut errors, "org", &input.org, 64);
    let scopes = parse_scopes(input.org_type, input.scope.as_deref()).unwrap_or_else(|m| {
        errors.push(FieldError::new("scope", m));
        vec![]
    });
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    if !crate::auth::repo::org_exists(conn, input.org_type, &input.org)? {
        return Err(ApiError::field("org", format!("no {} with this code is registered", input.org_type)));
    }
    let mut raw = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut raw);
    let secret = URL_SAFE_NO_PAD.encode(raw);
    let row = ApiClientRow {
        id: uuid::Uuid::new_v4().to_string(),
        name: input.name.trim().to_string(),
        org_type: input.org_type.as_str().to_string(),
        org: input.org,
        scopes: scopes.join(" "),
        secret_hash: hash_secret(&secret)?,
        created_at: now,
        revoked_at: None,
    };
    write_tx(conn, |conn| repo::insert(conn, &row))?;
    Ok(CreatedApiClient { client: ApiClient::try_from(row)?, client_secret: secret })
}

pub fn list(conn: &mut AnyConnection) -> Result<Vec<ApiClient>, ApiError> {
    repo::list(conn)?.into_iter().map(ApiClient::try_from).collect()
}

/// Revokes a client (revoking twice is harmless); 404 for an unknown one.
pub fn revoke(conn: &mut AnyConnection, id: &str, now: NaiveDateTime) -> Result<ApiClient, ApiError> {
    write_tx(conn, |conn| {
        repo::revoke(conn, id, now)?;
        ApiClient::try_from(repo::find(conn, id)?.ok_or(ApiError::NotFound)?)
    })
}
