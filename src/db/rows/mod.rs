//! The stored shape of every table: one row type per table, derived with diesel (`Queryable`,
//! `Selectable` for reads with `as_select()`, `Insertable` for inserts, `AsChangeset` for
//! updates). Domains read and write these in their `repo.rs` and map them to their API types.
//!
//! Two things diesel's `MultiConnection` cannot do over SQLite and PostgreSQL at once, and how
//! the repos work around them: `.returning(Row::as_returning())` does not compile (repos insert,
//! then select by id), and multi-row `INSERT ... VALUES` and `ON CONFLICT` exist per backend only
//! (repos `match` on the connection, see `audit.rs`).

pub mod admissions;
pub mod audit;
pub mod auth;
pub mod children;
pub mod directory;
pub mod federation;
pub mod missing;
pub mod notifications;
pub mod placements;
pub mod returns;
pub mod webhooks;

/// A list of words kept in one text column, separated by spaces (risk indicators, event types).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Words(pub Vec<String>);

impl From<String> for Words {
    fn from(s: String) -> Words {
        Words(s.split_whitespace().map(str::to_string).collect())
    }
}

impl From<Words> for String {
    fn from(w: Words) -> String {
        w.0.join(" ")
    }
}

impl From<Vec<String>> for Words {
    fn from(v: Vec<String>) -> Words {
        Words(v)
    }
}

impl std::ops::Deref for Words {
    type Target = Vec<String>;
    fn deref(&self) -> &Vec<String> {
        &self.0
    }
}

impl std::ops::DerefMut for Words {
    fn deref_mut(&mut self) -> &mut Vec<String> {
        &mut self.0
    }
}
