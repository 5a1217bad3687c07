//! The API driven through HTTP, on SQLite by default or PostgreSQL when TEST_DATABASE_URL is set.

mod common;

mod auth;
mod children;
mod directory;
mod http;
mod openapi;
mod placements;
mod schema;
