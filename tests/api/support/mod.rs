//! The test harness. Tests use `crate::support::*`; only this folder names the crate's
//! internals (`placement_registry::...`), most of them in `internals.rs` and `app.rs`.

#[macro_use]
pub mod snapshot;
pub mod actor;
pub mod app;
pub mod builders;
pub mod db;
pub mod endpoints;
pub mod federation;
pub mod fixtures;
pub mod internals;
pub mod peers;
pub mod server;
pub mod tempdir;

pub use actor::{Actor, Resp};
pub use app::{TestApp, authority_scopes};
pub use builders::*;
pub use fixtures::*;
