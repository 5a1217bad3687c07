//! The directory: local authorities (seeded from the ONS list), providers and their settings,
//! maintained by the operator.

pub mod model;
pub mod repo;
pub mod routes;
pub mod service;
