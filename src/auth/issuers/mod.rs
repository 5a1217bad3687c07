//! Trusted token issuers, kept by the operator: an LA's identity provider whose tokens the
//! registry accepts for the organisations it is registered to speak for, verified with the
//! issuer's public keys (JWKS inline or fetched from a URL) and algorithms pinned per issuer.

pub mod model;
pub mod repo;
pub mod routes;
pub mod service;
pub mod verify;
