use crate::auth::OrgType;
use crate::db::rows::auth::ApiClientRow;
use crate::error::ApiError;
use chrono::{DateTime, Utc};
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

impl TryFrom<ApiClientRow> for ApiClient {
    type Error = ApiError;
    fn try_from(r: ApiClientRow) -> Result<ApiClient, ApiError> {
        Ok(ApiClient {
            client_id: r.id,
            name: r.name,
            org_type: OrgType::parse(&r.org_type).ok_or_else(|| ApiError::internal("bad org_type in api_clients"))?,
            org: r.org,
            scope: r.scopes,
            created_at: r.created_at.and_utc(),
            revoked_at: r.revoked_at.map(|t| t.and_utc()),
        })
    }
}
