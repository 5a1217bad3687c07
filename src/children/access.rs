//! Which view of a child a caller who may see it gets (DESIGN §6). Which children a caller may
//! see at all is an SQL condition every child query carries: `repo::visible`.

use super::model::ChildAccess;
use crate::auth::{Caller, OrgType};

/// The view a caller who can see a child gets.
pub fn access_for(caller: &Caller, responsible_la: &str) -> ChildAccess {
    match caller.org_type {
        OrgType::Authority if caller.org == responsible_la => ChildAccess::Placing,
        OrgType::Authority => ChildAccess::Host,
        _ => ChildAccess::Provider,
    }
}

/// Refuses (403) a caller who can see the child but is not its responsible LA.
pub fn require_placing(caller: &Caller, responsible_la: &str, what: &str) -> Result<(), crate::error::ApiError> {
    if access_for(caller, responsible_la) == ChildAccess::Placing {
        Ok(())
    } else {
        Err(crate::error::ApiError::forbidden(format!("Only the responsible LA {what}.")))
    }
}
