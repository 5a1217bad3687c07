//! The API driven through HTTP, on SQLite by default or PostgreSQL when TEST_DATABASE_URL is
//! set. Modules follow what a user does; the harness is in `support/`.

#[macro_use]
mod support;

mod admissions;
mod alerts;
mod audit;
mod auth;
mod children;
mod demo;
mod directory;
mod exports;
mod federation;
mod host_view;
mod http;
mod matrix;
mod missing;
mod notifications;
mod openapi;
mod placements;
mod reports;
mod returns;
mod schema;
mod security;
mod shapes;
mod trust;
mod trusted_issuers;
mod webhooks;
