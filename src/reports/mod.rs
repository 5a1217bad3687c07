//! Compliance and data-quality reports of an LA as placing LA, of an LA as host LA, and of a
//! provider, for a calendar quarter or a collection year, with the records behind every figure.
//!
//! The organisation is always the caller's own; the role follows the path. Figures are counted
//! in SQL (one filtered `COUNT(*)` per figure, one query per kind of record) over rows restricted
//! to the organisation and the period, and the records behind a figure are selected by the same
//! condition, so the two always agree. Notifications are placed in a period by the start or end
//! date they are about, admissions by their date, episodes by their start, and returns by the
//! quarter they cover; deadlines that depend on today (acknowledgements, missing returns) are
//! judged as of the time of the request. Days are UTC days, as instants are stored.

pub mod figures;
pub mod model;
mod render;
pub mod repo;
pub mod routes;
pub mod service;

/// HTTP routes of this module.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    routes::routes(cfg);
}
