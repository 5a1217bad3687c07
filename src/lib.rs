//! Placement registry: placing local authorities register looked-after children and their
//! placements, host authorities see who is placed in their area.

pub mod app;
pub mod auth;
pub mod calendar;
pub mod children;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod directory;
pub mod error;
pub mod geo;
pub mod health;
pub mod http;
pub mod idempotency;
pub mod location;
pub mod names;
pub mod openapi;
pub mod placements;
pub mod ssda903;
pub mod telemetry;
