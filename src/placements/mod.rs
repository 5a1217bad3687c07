//! Placements: where a looked-after child lives, registered by the placing LA; and the host
//! view, in which an LA sees the children placed in its area.

pub mod host;
pub mod model;
pub mod repo;
pub mod routes;
pub mod service;
