//! Push of notifications to LA systems: endpoints, signed deliveries, retries.
//!
//! An LA registers endpoints (`routes`); each notification to it is queued for every matching
//! active endpoint in the transaction that writes the notification
//! (`notifications::repo::enqueue_webhooks`); the `worker` sends the queue, signed as the
//! Standard Webhooks specification describes, and records every attempt.

pub mod model;
pub mod repo;
pub mod routes;
pub mod service;
pub mod worker;

/// HTTP routes of this module.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    routes::routes(cfg);
}
