//! The stored shape of every table: one row type per table, derived with diesel (`Queryable`,
//! `Selectable` for reads with `as_select()`, `Insertable` for inserts, `AsChangeset` for
//! updates). Domains read and write these in their `repo.rs` and map them to their API types.
//!
//! Two things diesel's `MultiConnection` cannot do over SQLite and PostgreSQL at once, and how
//! the repos work around them: `.returning(Row::as_returning())` does not compile (repos insert,
//! then select by id), and multi-row `INSERT ... VALUES` and `ON CONFLICT` exist per backend only
//! (repos `match` on the connection, see `audit.rs`).

pub mod auth;
