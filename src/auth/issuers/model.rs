use crate::auth::OrgType;
use crate::db::rows::auth::TrustedIssuerRow;
use crate::error::ApiError;
use chrono::{DateTime, Utc};
use jsonwebtoken::Algorithm;
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use utoipa::ToSchema;

/// Algorithms an external issuer may use: asymmetric only (a JWKS holds public keys).
pub const ALLOWED_ALGORITHMS: &[&str] =
    &["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"];

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

impl TryFrom<TrustedIssuerRow> for TrustedIssuer {
    type Error = ApiError;
    fn try_from(r: TrustedIssuerRow) -> Result<TrustedIssuer, ApiError> {
        Ok(TrustedIssuer {
            id: r.id,
            issuer: r.issuer,
            audience: r.audience,
            algorithms: r.algorithms.split_whitespace().map(str::to_string).collect(),
            jwks_url: r.jwks_url,
            inline_jwks: r.jwks.is_some(),
            org_type: OrgType::parse(&r.org_type).ok_or_else(|| ApiError::internal("bad org_type"))?,
            org_claim: r.org_claim,
            scope_claim: r.scope_claim,
            orgs: r.orgs.split_whitespace().map(str::to_string).collect(),
            created_at: r.created_at.and_utc(),
            disabled_at: r.disabled_at.map(|t| t.and_utc()),
        })
    }
}

/// What verifying a token of an issuer needs to know about it.
#[derive(Debug, Clone)]
pub struct Issuer {
    pub id: String,
    pub issuer: String,
    pub audience: String,
    pub algorithms: Vec<Algorithm>,
    pub jwks: Option<String>,
    pub jwks_url: Option<String>,
    pub org_type: OrgType,
    pub org_claim: String,
    pub scope_claim: String,
    pub orgs: Vec<String>,
}

impl TryFrom<TrustedIssuerRow> for Issuer {
    type Error = ApiError;
    fn try_from(r: TrustedIssuerRow) -> Result<Issuer, ApiError> {
        Ok(Issuer {
            id: r.id,
            issuer: r.issuer,
            audience: r.audience,
            algorithms: r.algorithms.split_whitespace().filter_map(|a| Algorithm::from_str(a).ok()).collect(),
            jwks: r.jwks,
            jwks_url: r.jwks_url,
            org_type: OrgType::parse(&r.org_type)
                .ok_or_else(|| ApiError::internal("bad org_type in trusted_issuers"))?,
            org_claim: r.org_claim,
            scope_claim: r.scope_claim,
            orgs: r.orgs.split_whitespace().map(str::to_string).collect(),
        })
    }
}
