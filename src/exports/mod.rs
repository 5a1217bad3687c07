//! The SSDA903 export of a placing LA's collection year: the Header, Episodes, Missing and UASC
//! tables as DfE's CSV files, derived from the registry's children, placements, legal status
//! changes and missing episodes, and checked against DfE's validation rules.
//!
//! - [`build`]: episodes derived from placements and legal status changes; the four tables.
//! - [`tables`]: the rows, the exact DfE header rows, CSV in and out.
//! - [`validate`]: the DfE rules, run on the tables as DfE receives them.
//! - [`repo`]: what an export reads.
//! - [`service`]: the year asked for, the export with its audit, the validation report.
//!
//! Decisions where DfE's specification leaves a choice:
//!
//! - Only the caller's own children (`responsible_la`) and the placements it made.
//! - `UPN` as stored; when none is stored, `UN1` for a child not yet of school age (under 4 on 31
//!   August before the year, DfE rule 209) and `UN5` otherwise. `MOTHER` (`1` or `0`) and `MC_DOB`
//!   for girls as recorded; blank for boys, and for a girl whose `MOTHER` is not yet recorded
//!   (which `/validation` flags, rules 393 and 607).
//! - Codes as the collection year has them: `SEX` `1`/`2` up to 2023-24; `PLACE` from the year's
//!   list, so a code that did not exist in the year is flagged (rule 146).
//! - `CIN` is the child's category of need as recorded now, on every episode.
//! - `HOME_POST` (the child's home as recorded now) and `PL_POST` are full postcodes, normalised
//!   (`LS1 4AP`), from which DfE derives the placement LA and distance. `HOME_POST` is blank for a
//!   child in the year's UASC table, whose distance DfE wants blank (rule 406). Both are blank
//!   on a short break (`LS` `V3`, `V4`), which DfE wants without a location (398, 420).
//! - UASC: every child with UASC status at some time in the year (status not ceased before 1
//!   April), `DUC` the date it ceased when that is within the year; a child whose status ceased
//!   in an earlier year is not in the table (rule 104).
//! - `URN` blank outside England and for exempt placement types; `XXXXXXX` for an adoption or
//!   fostering placement without one.
//! - Every new placement is a change of carer (`P`, `B`) unless it has the same `URN` and the
//!   same postcode as the previous one (`T`, `U`); see [`build`] for the rest.

pub mod build;
pub mod model;
pub mod repo;
pub mod routes;
pub mod service;
pub mod tables;
pub mod validate;
pub mod validate_previous;

/// HTTP routes of this module.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    routes::routes(cfg);
}
