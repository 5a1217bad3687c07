//! Admissions and discharges that homes record (Children's Homes Regulations 2015, reg 41),
//! matched to placements. An admission with no placement behind it is an unnotified placement,
//! and the host LA is told at once.

pub mod model;
pub mod repo;
pub mod routes;
pub mod service;
