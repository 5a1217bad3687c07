//! Rows of the directory: local authorities, providers and their settings.

use crate::db::schema::{authorities, providers, settings};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// A local authority as stored (seeded from the ONS list).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = authorities)]
pub struct AuthorityRow {
    /// ONS code.
    pub code: String,
    /// Three-digit DfE LA code.
    pub dfe_code: String,
    pub name: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

/// A provider as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = providers, treat_none_as_null = true)]
pub struct ProviderRow {
    pub id: String,
    pub name: String,
    pub contact_email: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A setting as stored, identified by its Ofsted URN.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = settings, primary_key(urn), treat_none_as_null = true)]
pub struct SettingRow {
    pub urn: String,
    pub provider_id: String,
    pub name: String,
    /// SSDA903 PLACE code of the placements it offers.
    pub place: String,
    /// An English LA's ONS code, or WAL, SCO, NIR: derived from the postcode.
    pub host_area: String,
    pub postcode: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A setting with its provider's name, as read joined to `providers`.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = settings)]
pub struct SettingWithProvider {
    #[diesel(embed)]
    pub setting: SettingRow,
    #[diesel(select_expression = providers::name)]
    pub provider_name: String,
}
