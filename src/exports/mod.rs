//! The SSDA903 export of a placing LA's collection year: the Header, Episodes and Missing tables
//! as DfE's CSV files, derived from the registry's children, placements, legal status changes
//! and missing episodes, and checked against DfE's validation rules.
//!
//! - [`build`]: episodes derived from placements and legal status changes; the three tables.
//! - [`tables`]: the rows, the exact DfE header rows, CSV in and out.
//! - [`validate`]: the DfE rules, run on the tables as DfE receives them.
//! - [`repo`]: what an export reads.
//!
//! Decisions where DfE's specification leaves a choice:
//!
//! - Only the caller's own children (`responsible_la`) and the placements it made.
//! - `UPN` as stored; when none is stored, `UN1` for a child under 6 at the end of the year and
//!   `UN5` otherwise. `MOTHER` and `MC_DOB` are blank (the registry does not hold them).
//! - `CIN` is the child's category of need as recorded now, on every episode.
//! - `HOME_POST` (the child's home as recorded now) and `PL_POST` are full postcodes, normalised
//!   (`LS1 4AP`), from which DfE derives the placement LA and distance.
//! - `URN` blank outside England and for exempt placement types; `XXXXXXX` for an adoption or
//!   fostering placement without one.
//! - Every new placement is a change of carer (`P`, `B`) unless it has the same `URN` and the
//!   same postcode as the previous one (`T`, `U`); see [`build`] for the rest.

pub mod build;
pub mod handlers;
pub mod repo;
pub mod tables;
pub mod validate;

use crate::auth::Caller;
use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::ids::ChildId;
use chrono::NaiveDateTime;

/// The three tables of the caller's collection year, with the read of every child in them in
/// the audit log as `action`.
pub fn export(
    conn: &mut AnyConnection,
    caller: &Caller,
    period: &build::YearToDate,
    action: &str,
    now: NaiveDateTime,
) -> Result<tables::Tables, ApiError> {
    let la = caller.org.as_str();
    let histories = repo::load(conn, la, period)?;
    let tables = build::build(period, &histories);
    let exported: std::collections::HashSet<&str> = tables.header.iter().map(|h| h.child.as_str()).collect();
    let ids: Vec<ChildId> = histories
        .iter()
        .filter(|h| exported.contains(h.child.la_child_id.as_str()))
        .map(|h| ChildId::from(h.child.id.as_str()))
        .collect();
    crate::audit::read(conn, caller, action, &ids, now)?;
    Ok(tables)
}

/// HTTP routes of this module.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(handlers::header_csv)
        .service(handlers::episodes_csv)
        .service(handlers::missing_csv)
        .service(handlers::validation);
}
