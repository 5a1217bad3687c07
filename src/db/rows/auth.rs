//! Rows of API clients, trusted token issuers and signing keys.

use crate::db::schema::{api_clients, signing_keys, trusted_issuers};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = api_clients)]
pub struct ApiClientRow {
    pub id: String,
    pub name: String,
    pub org_type: String,
    pub org: String,
    pub scopes: String,
    /// argon2 hash of the secret.
    pub secret_hash: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = trusted_issuers)]
pub struct TrustedIssuerRow {
    pub id: String,
    pub issuer: String,
    pub audience: String,
    /// Space-separated algorithm names.
    pub algorithms: String,
    /// A JSON Web Key Set, when given inline.
    pub jwks: Option<String>,
    pub jwks_url: Option<String>,
    pub org_type: String,
    pub org_claim: String,
    pub scope_claim: String,
    /// Space-separated organisation codes.
    pub orgs: String,
    pub created_at: NaiveDateTime,
    pub disabled_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = signing_keys)]
pub struct SigningKeyRow {
    pub kid: String,
    pub private_key: String,
    pub public_key: String,
    pub created_at: NaiveDateTime,
}
