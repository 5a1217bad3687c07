//! Who may see which child (DESIGN §6), as SQL conditions every child query carries.

use super::model::ChildAccess;
use crate::auth::{Caller, OrgType};
use crate::db::schema::{children, placements, settings};
use diesel::dsl::exists;
use diesel::prelude::*;
use diesel::sql_types::Bool;

type Cond = Box<dyn BoxableExpression<children::table, crate::db::MultiBackend, SqlType = Bool>>;

/// The SQL condition selecting the children a caller may see: an authority its own children and
/// those with a placement in its area (history kept); a provider those placed in its settings.
pub fn visible(caller: &Caller) -> Cond {
    match caller.org_type {
        OrgType::Authority => {
            let org = caller.org.clone();
            Box::new(children::responsible_la.eq(org.clone()).or(exists(
                placements::table.filter(placements::child_id.eq(children::id)).filter(placements::host_area.eq(org)),
            )))
        }
        OrgType::Provider => Box::new(exists(placements::table.filter(placements::child_id.eq(children::id)).filter(
            placements::urn.eq_any(
                settings::table.filter(settings::provider_id.eq(caller.org.clone())).select(settings::urn.nullable()),
            ),
        ))),
        OrgType::Operator => Box::new(diesel::dsl::sql::<Bool>("1 = 0")),
    }
}

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
