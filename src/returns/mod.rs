//! Quarterly missing-episode returns of settings, validated whole and reconciled with the
//! episodes reported as they happened.

pub mod input;
pub mod model;
pub mod reconcile;
pub mod repo;
pub mod routes;
pub mod service;

/// HTTP routes of this module.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    routes::routes(cfg);
}
