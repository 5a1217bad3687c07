//! Missing-from-care episodes: reported as they happen by the home or an LA, checked against the
//! DfE SSDA903 Missing rules with date-times, with the return-interview clock and repeat flags.

pub mod model;
pub mod repo;
pub mod routes;
pub mod rules;
pub mod service;
