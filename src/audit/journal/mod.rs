//! The read journal, on SQLite: a file beside the database (`<database>-audit`) where reads wait
//! to be chained. SQLite has one writer at a time, and a commit to the database makes every other
//! connection drop its page cache; reads recorded in a file of their own leave the database's
//! readers their caches and queue behind no write. Only the recorder's thread writes to it
//! (`audit::recorder`); its chaining thread keeps it attached to read, and a connection chaining
//! from elsewhere (the command line, a child's access log) attaches it for that time.
//!
//! Rows are numbered in the order they were committed (`AUTOINCREMENT`: never reused). The chain
//! takes them in that order and records how far it got (`audit_head.journal_seq`) in the
//! database's own transaction; the journal's writer deletes them afterwards, and until then the
//! rows up to that number are skipped. A journal created anew, or older than the database, numbers
//! its rows after it.

mod repo;

pub use repo::{after, attached, chained_to, chained_to_set, detach, forget_chained, insert, open};
use std::path::{Path, PathBuf};

/// The journal of the database at `database` (a file path).
pub fn path_of(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push("-audit");
    PathBuf::from(name)
}

/// What [`attached`] did: the journal was already attached, attached now (detach it after), or
/// there is none (PostgreSQL, a database without one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Attachment {
    Kept,
    ForNow,
    None,
}
