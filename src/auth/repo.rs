//! SQL the auth module shares: whether an organisation a token or client names exists.

use super::OrgType;
use crate::db::AnyConnection;
use crate::db::schema::{authorities, providers};
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
