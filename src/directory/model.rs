//! What the directory takes and shows.

use crate::db::rows::directory::{AuthorityRow, ProviderRow, SettingWithProvider};
use crate::http::PageQuery;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuthorityQuery {
    /// Only authorities that existed on this date (YYYY-MM-DD); default: all, historic ones included.
    #[param(value_type = Option<NaiveDate>)]
    pub current_on: Option<crate::http::query::Date>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SettingQuery {
    pub provider_id: Option<String>,
    /// Area code (ONS LA code, or WAL, SCO, NIR).
    pub host_area: Option<String>,
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

impl SettingQuery {
    /// The page selection, with the filters taken out.
    pub fn split(self) -> (PageQuery, SettingFilter) {
        (
            PageQuery { limit: self.limit, cursor: self.cursor },
            SettingFilter { provider_id: self.provider_id, host_area: self.host_area },
        )
    }
}

/// Which settings a list is restricted to, besides what the caller may see.
#[derive(Debug, Clone, Default)]
pub struct SettingFilter {
    pub provider_id: Option<String>,
    pub host_area: Option<String>,
}

impl From<AuthorityRow> for Authority {
    fn from(r: AuthorityRow) -> Authority {
        Authority { code: r.code, dfe_code: r.dfe_code, name: r.name, valid_from: r.valid_from, valid_to: r.valid_to }
    }
}

impl From<ProviderRow> for Provider {
    fn from(r: ProviderRow) -> Provider {
        Provider {
            id: r.id,
            name: r.name,
            contact_email: r.contact_email,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        }
    }
}

impl SettingWithProvider {
    /// The setting as shown, its postcode only when `show_postcode`.
    pub fn view(self, show_postcode: bool) -> Setting {
        let SettingWithProvider { setting: s, provider_name } = self;
        Setting {
            urn: s.urn,
            provider_id: s.provider_id,
            provider_name,
            name: s.name,
            place: s.place,
            host_area: s.host_area,
            postcode: show_postcode.then_some(s.postcode),
            version: s.version,
            created_at: s.created_at.and_utc(),
            updated_at: s.updated_at.and_utc(),
        }
    }
}
