//! SQL the auth module shares: whether an organisation a token or client names exists, and the
//! registry's signing keys.

use super::OrgType;
use crate::db::AnyConnection;
use crate::db::rows::auth::SigningKeyRow;
use crate::db::schema::{authorities, providers, signing_keys};
use crate::error::ApiError;
use diesel::prelude::*;

/// Whether the authority (ONS code) or provider (registry id) is registered; the operator always is.
pub fn org_exists(conn: &mut AnyConnection, org_type: OrgType, org: &str) -> Result<bool, ApiError> {
    Ok(match org_type {
        OrgType::Authority => authorities::table.find(org).count().get_result::<i64>(conn)? > 0,
        OrgType::Provider => providers::table.find(org).count().get_result::<i64>(conn)? > 0,
        OrgType::Operator => true,
    })
}

pub fn insert_signing_key(conn: &mut AnyConnection, row: &SigningKeyRow) -> Result<(), diesel::result::Error> {
    diesel::insert_into(signing_keys::table).values(row).execute(conn).map(|_| ())
}

/// Every stored signing key, oldest first.
pub fn signing_keys(conn: &mut AnyConnection) -> Result<Vec<SigningKeyRow>, diesel::result::Error> {
    signing_keys::table
        .select(SigningKeyRow::as_select())
        .order((signing_keys::created_at.asc(), signing_keys::kid.asc()))
        .load(conn)
}

/// Replaces a key stored in clear by its sealed form.
pub fn reseal_signing_key(conn: &mut AnyConnection, kid: &str, sealed: &str) -> Result<(), diesel::result::Error> {
    diesel::update(signing_keys::table.find(kid)).set(signing_keys::private_key.eq(sealed)).execute(conn).map(|_| ())
}
