//! Placement registry: placing local authorities register looked-after children and their
//! placements, host authorities see who is placed in their area.

pub mod admissions;
pub mod alerts;
pub mod app;
pub mod audit;
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
pub mod exports;
pub mod federation;
pub mod flags;
pub mod geo;
pub mod health;
pub mod host_view;
pub mod http;
pub mod httpsig;
pub mod idempotency;
pub mod ids;
pub mod limits;
pub mod location;
pub mod missing;

pub mod node;
pub mod notifications;
pub mod openapi;
pub mod outbound;
pub mod peers;
pub mod period;
pub mod placements;
pub mod reports;
pub mod returns;
pub mod secrets;
pub mod seed;
pub mod ssda903;
pub mod state;
pub mod telemetry;
pub mod timeline;
pub mod tls;
pub mod webhooks;
