//! Placements: where a looked-after child lives, registered, corrected and ended by the placing
//! LA, with what follows from each (see `service`).

pub mod model;
pub mod repo;
pub mod routes;
pub mod rules;
pub mod service;
