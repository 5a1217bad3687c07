//! API clients: machine identities the operator creates for LA and provider systems. The secret
//! is shown once and stored as an argon2 hash; a client can be revoked.

pub mod model;
pub mod repo;
pub mod routes;
pub mod service;
