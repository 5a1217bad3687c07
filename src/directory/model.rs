use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A local authority with children's services duties.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Authority {
    /// ONS code.
    #[schema(example = "E09000012")]
    pub code: String,
    /// Three-digit DfE LA code.
    #[schema(example = "204")]
    pub dfe_code: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<NaiveDate>,
    /// Set for authorities that no longer exist (kept for historical records).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_to: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Provider {
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewProvider {
    #[schema(example = "Brightwater Care Ltd")]
    pub name: String,
    pub contact_email: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProviderPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<String>)]
    pub contact_email: Option<Option<String>>,
}

/// A setting (children's home or similar), identified by its Ofsted URN.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Setting {
    #[schema(example = "SC123456")]
    pub urn: String,
    pub provider_id: String,
    pub provider_name: String,
    pub name: String,
    /// SSDA903 PLACE code of the placements it offers (e.g. K2 children's home).
    #[schema(example = "K2")]
    pub place: String,
    /// Where it is: an English LA's ONS code, or WAL, SCO, NIR. Derived from the postcode.
    pub host_area: String,
    /// Confidential: shown only to the provider, the host LA, LAs with a child placed there and the operator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postcode: Option<String>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSetting {
    #[schema(example = "SC123456")]
    pub urn: String,
    pub provider_id: String,
    #[schema(example = "Oak House")]
    pub name: String,
    #[schema(example = "K2")]
    pub place: String,
    #[schema(example = "LS1 4AP")]
    pub postcode: String,
    /// Optional check: the host LA you expect; refused when the postcode says otherwise.
    pub host_la: Option<String>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingPatch {
    pub name: Option<String>,
    pub place: Option<String>,
    pub postcode: Option<String>,
    pub provider_id: Option<String>,
}
