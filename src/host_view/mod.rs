//! The host view: an LA sees every child placed in its area on a date, by any LA, with their
//! missing flags and whether it was told of the placement late or has not acknowledged it.

pub mod model;
pub mod repo;
pub mod routes;
pub mod service;
