//! A child's timeline for the placing LA: placements, legal status changes, missing episodes
//! with their checks and interviews, and notifications with their statutory status, in order.
//! It reads every domain below it and writes nothing.

pub mod routes;
pub mod service;
