//! Who is calling: bearer JWTs issued by the registry (EdDSA) or by trusted external issuers,
//! the organisation and scopes they carry, and the extractor every handler uses to learn its
//! caller. Self-contained: its endpoints (tokens, API clients, trusted issuers) and the
//! extractor use the [`Authenticator`](authenticator::Authenticator), never the application state.

pub mod authenticator;
pub mod clients;
pub mod issuers;
pub mod keys;
pub mod oauth;
pub mod repo;
pub mod tokens;

use crate::error::ApiError;
use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;
use utoipa::ToSchema;

/// The kind of organisation a caller acts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrgType {
    /// A local authority (placing or host, depending on the record); `org` is its ONS code.
    Authority,
    /// A provider of settings (children's homes); `org` is its registry id.
    Provider,
    /// The registry operator, who maintains the directory.
    Operator,
}

impl OrgType {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgType::Authority => "authority",
            OrgType::Provider => "provider",
            OrgType::Operator => "operator",
        }
    }
    pub fn parse(s: &str) -> Option<OrgType> {
        match s {
            "authority" => Some(OrgType::Authority),
            "provider" => Some(OrgType::Provider),
            "operator" => Some(OrgType::Operator),
            _ => None,
        }
    }
    /// Every scope an organisation of this kind may hold; also what a token gets by default.
    pub fn allowed_scopes(self) -> &'static [&'static str] {
        match self {
            OrgType::Authority => scopes::AUTHORITY,
            OrgType::Provider => scopes::PROVIDER,
            OrgType::Operator => scopes::OPERATOR,
        }
    }
}

impl std::fmt::Display for OrgType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The scopes the API checks, one per family of endpoints and access kind.
pub mod scopes {
    pub const CHILDREN_READ: &str = "children:read";
    pub const CHILDREN_WRITE: &str = "children:write";
    pub const PLACEMENTS_READ: &str = "placements:read";
    pub const PLACEMENTS_WRITE: &str = "placements:write";
    pub const DIRECTORY_READ: &str = "directory:read";
    pub const DIRECTORY_WRITE: &str = "directory:write";
    pub const CLIENTS_ADMIN: &str = "clients:admin";
    pub const NOTIFICATIONS_READ: &str = "notifications:read";
    pub const NOTIFICATIONS_WRITE: &str = "notifications:write";
    pub const ADMISSIONS_WRITE: &str = "admissions:write";
    pub const MISSING_READ: &str = "missing:read";
    pub const MISSING_WRITE: &str = "missing:write";
    pub const RETURNS_READ: &str = "returns:read";
    pub const RETURNS_WRITE: &str = "returns:write";
    pub const REPORTS_READ: &str = "reports:read";
    pub const EXPORTS_READ: &str = "exports:read";
    /// The peer directory and the state of delivery to other nodes (operator).
    pub const FEDERATION_ADMIN: &str = "federation:admin";

    pub const AUTHORITY: &[&str] = &[
        CHILDREN_READ,
        CHILDREN_WRITE,
        PLACEMENTS_READ,
        PLACEMENTS_WRITE,
        DIRECTORY_READ,
        NOTIFICATIONS_READ,
        NOTIFICATIONS_WRITE,
        MISSING_READ,
        MISSING_WRITE,
        RETURNS_READ,
        RETURNS_WRITE,
        REPORTS_READ,
        EXPORTS_READ,
    ];
    pub const PROVIDER: &[&str] = &[
        CHILDREN_READ,
        PLACEMENTS_READ,
        DIRECTORY_READ,
        ADMISSIONS_WRITE,
        NOTIFICATIONS_READ,
        NOTIFICATIONS_WRITE,
        MISSING_READ,
        MISSING_WRITE,
        RETURNS_READ,
        RETURNS_WRITE,
        REPORTS_READ,
    ];
    pub const OPERATOR: &[&str] = &[DIRECTORY_READ, DIRECTORY_WRITE, CLIENTS_ADMIN, FEDERATION_ADMIN];
}

/// Parses a space-separated scope list, refusing scopes the organisation type may not hold.
pub fn parse_scopes(org_type: OrgType, requested: Option<&str>) -> Result<Vec<String>, String> {
    let allowed = org_type.allowed_scopes();
    match requested.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(allowed.iter().map(|s| s.to_string()).collect()),
        Some(list) => {
            let mut out: Vec<String> = Vec::new();
            for s in list.split_whitespace() {
                if !allowed.contains(&s) {
                    return Err(format!("scope `{s}` is not available to a {org_type}"));
                }
                if !out.iter().any(|o| o == s) {
                    out.push(s.to_string());
                }
            }
            Ok(out)
        }
    }
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Subject: the API client id or the named user the token was issued to.
    pub sub: String,
    pub org_type: OrgType,
    /// ONS code for an authority, registry id for a provider.
    pub org: String,
    pub scopes: Vec<String>,
    /// The API client the token was issued to, when it came from client credentials.
    pub client_id: Option<String>,
    /// The id of the request being served, for the audit log.
    pub request_id: Option<String>,
}

impl Caller {
    pub fn require(&self, scope: &str) -> Result<(), ApiError> {
        if self.scopes.iter().any(|s| s == scope) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!("This token lacks the `{scope}` scope.")))
        }
    }
    /// The caller's authority code, when it acts for an authority and holds `scope`.
    pub fn authority(&self, scope: &str) -> Result<&str, ApiError> {
        if self.org_type != OrgType::Authority {
            return Err(ApiError::forbidden("Only a local authority may do this."));
        }
        self.require(scope)?;
        Ok(&self.org)
    }
    /// The caller's organisation when it is an LA or a provider (which have inboxes and webhooks)
    /// and holds `scope`.
    pub fn recipient(&self, scope: &str) -> Result<&str, ApiError> {
        if self.org_type == OrgType::Operator {
            return Err(ApiError::forbidden("Only a local authority or a provider may do this."));
        }
        self.require(scope)?;
        Ok(&self.org)
    }
    /// The caller's provider id, when it acts for a provider and holds `scope`.
    pub fn provider(&self, scope: &str) -> Result<&str, ApiError> {
        if self.org_type != OrgType::Provider {
            return Err(ApiError::forbidden("Only a provider may do this."));
        }
        self.require(scope)?;
        Ok(&self.org)
    }
    pub fn operator(&self, scope: &str) -> Result<(), ApiError> {
        if self.org_type != OrgType::Operator {
            return Err(ApiError::forbidden("Only the registry operator may do this."));
        }
        self.require(scope)
    }
    /// Owner key for per-caller records such as idempotency keys.
    pub fn owner_key(&self) -> String {
        format!("{}:{}:{}", self.org_type, self.org, self.sub)
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Caller, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let auth = req.app_data::<web::Data<authenticator::Authenticator>>().cloned();
        let request_id = {
            use actix_web::HttpMessage;
            req.extensions().get::<tracing_actix_web::RequestId>().map(|id| id.to_string())
        };
        let header =
            req.headers().get(actix_web::http::header::AUTHORIZATION).and_then(|v| v.to_str().ok()).map(str::to_string);
        let address = req.peer_addr().map(|a| a.ip());
        Box::pin(async move {
            let auth = auth.ok_or_else(|| ApiError::internal("authenticator missing"))?;
            auth.authenticate(header.as_deref(), request_id, address).await
        })
    }
}
