//! Notifications to LAs: an immutable outbox written in the same transaction as the change that
//! caused it, read through the recipient's inbox or pushed to its webhooks, with the statutory
//! clock of each placement notification and acknowledgements.

pub mod model;
pub mod repo;
pub mod routes;
pub mod service;
pub mod statutory;
