//! The API driven through HTTP, on SQLite by default or PostgreSQL when TEST_DATABASE_URL is
//! set. Modules follow what a user does; the harness is in `support/`.

#[macro_use]
mod support;

mod admissions;
mod children;
mod exports;
mod host_view;
mod missing;
mod notifications;
mod placements;
mod reports;
mod returns;

// Not yet moved to the new harness.
mod common;

mod audit;
mod auth;
mod directory;

mod federation;
mod http;
mod matrix;
mod openapi;

mod schema;
mod security;
mod webhooks;
