//! SQL for the read journal.

use super::{Attachment, path_of};
use crate::db::AnyConnection;
use crate::db::rows::audit::PendingEvent;
use crate::db::schema::audit_head as head;
use crate::error::ApiError;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use std::path::Path;

diesel::table! {
    journal.reads (seq) {
        seq -> BigInt,
        id -> Text,
        at -> Timestamp,
        subject -> Text,
        org_type -> Text,
        org -> Text,
        action -> Text,
        child_id -> Nullable<Text>,
        request_id -> Nullable<Text>,
        child_ids -> Nullable<Text>,
    }
}

/// Rows per `INSERT` (9 values each, well under SQLite's limit on bound values).
const INSERT_ROWS: usize = 1_000;

#[derive(QueryableByName)]
struct Attached {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    file: String,
}

/// The databases open on this SQLite connection: (name, file).
fn databases(conn: &mut AnyConnection) -> Result<Vec<(String, String)>, ApiError> {
    let rows: Vec<Attached> = diesel::sql_query("SELECT name, file FROM pragma_database_list").load(conn)?;
    Ok(rows.into_iter().map(|a| (a.name, a.file)).collect())
}

fn attach(conn: &mut AnyConnection, path: &Path) -> Result<(), ApiError> {
    diesel::sql_query("ATTACH DATABASE ? AS journal")
        .bind::<Text, _>(path.to_string_lossy().into_owned())
        .execute(conn)?;
    Ok(())
}

/// Attaches the journal of this SQLite connection's database, creating it when absent (for the
/// recorder's threads, which keep it). Its numbering goes on after the chain's mark, even for a
/// journal made anew or older than the database (restored from a backup), so that no new read
/// is taken for one already chained. False for a database without a file.
pub fn open(conn: &mut AnyConnection) -> Result<bool, ApiError> {
    let main = databases(conn)?.into_iter().find(|(name, _)| name == "main").map(|(_, file)| file);
    let Some(main) = main.filter(|f| !f.is_empty()) else {
        return Ok(false);
    };
    attach(conn, &path_of(Path::new(&main)))?;
    conn.batch_execute(
        "PRAGMA journal.journal_mode = WAL; PRAGMA journal.synchronous = NORMAL;
         CREATE TABLE IF NOT EXISTS journal.reads (
             seq INTEGER PRIMARY KEY AUTOINCREMENT,
             id TEXT NOT NULL,
             at TIMESTAMP NOT NULL,
             subject TEXT NOT NULL,
             org_type TEXT NOT NULL,
             org TEXT NOT NULL,
             action TEXT NOT NULL,
             child_id TEXT,
             request_id TEXT,
             child_ids TEXT
         );
         INSERT INTO journal.sqlite_sequence (name, seq)
             SELECT 'reads', journal_seq FROM main.audit_head
              WHERE id = 1 AND NOT EXISTS (SELECT 1 FROM journal.sqlite_sequence WHERE name = 'reads');
         UPDATE journal.sqlite_sequence SET seq = (SELECT journal_seq FROM main.audit_head WHERE id = 1)
          WHERE name = 'reads' AND seq < (SELECT journal_seq FROM main.audit_head WHERE id = 1);",
    )?;
    Ok(true)
}

/// Attaches the journal to this connection for chaining, if the database has one.
pub fn attached(conn: &mut AnyConnection) -> Result<Attachment, ApiError> {
    if !matches!(conn, AnyConnection::Sqlite(_)) {
        return Ok(Attachment::None);
    }
    let dbs = databases(conn)?;
    if dbs.iter().any(|(name, _)| name == "journal") {
        return Ok(Attachment::Kept);
    }
    let main = dbs.into_iter().find(|(name, _)| name == "main").map(|(_, file)| file).unwrap_or_default();
    let path = path_of(Path::new(&main));
    if main.is_empty() || !path.exists() {
        return Ok(Attachment::None);
    }
    attach(conn, &path)?;
    Ok(Attachment::ForNow)
}

/// Undoes [`attached`].
pub fn detach(conn: &mut AnyConnection, attachment: Attachment) -> Result<(), ApiError> {
    if attachment == Attachment::ForNow {
        diesel::sql_query("DETACH DATABASE journal").execute(conn)?;
    }
    Ok(())
}

/// Writes reads to the journal, in one transaction of its own (which locks the journal only).
pub fn insert(conn: &mut AnyConnection, events: &[PendingEvent]) -> Result<(), ApiError> {
    let AnyConnection::Sqlite(c) = conn else {
        return Err(ApiError::Internal("the read journal is SQLite's".into()));
    };
    c.transaction(|c| {
        for chunk in events.chunks(INSERT_ROWS) {
            let rows: Vec<_> = chunk
                .iter()
                .map(|e| {
                    (
                        reads::id.eq(&e.id),
                        reads::at.eq(e.at),
                        reads::subject.eq(&e.subject),
                        reads::org_type.eq(&e.org_type),
                        reads::org.eq(&e.org),
                        reads::action.eq(&e.action),
                        reads::child_id.eq(e.child_id.as_ref()),
                        reads::request_id.eq(e.request_id.as_ref()),
                        reads::child_ids.eq(e.child_ids.as_ref()),
                    )
                })
                .collect();
            diesel::insert_into(reads::table).values(rows).execute(c)?;
        }
        Ok::<_, diesel::result::Error>(())
    })?;
    Ok(())
}

/// How far the chain has taken the journal.
pub fn chained_to(conn: &mut AnyConnection) -> Result<i64, ApiError> {
    Ok(head::table.find(1i64).select(head::journal_seq).first(conn)?)
}

/// The journal's reads after `seq`, oldest first, with their numbers.
pub fn after(conn: &mut AnyConnection, seq: i64, limit: i64) -> Result<Vec<(i64, PendingEvent)>, ApiError> {
    Ok(reads::table
        .filter(reads::seq.gt(seq))
        .order(reads::seq.asc())
        .limit(limit)
        .select((
            reads::seq,
            (
                reads::id,
                reads::at,
                reads::subject,
                reads::org_type,
                reads::org,
                reads::action,
                reads::child_id,
                reads::request_id,
                reads::child_ids,
            ),
        ))
        .load(conn)?)
}

/// Records, in the chain's transaction, that the chain has taken the journal up to `seq`.
pub fn chained_to_set(conn: &mut AnyConnection, seq: i64) -> Result<(), ApiError> {
    diesel::update(head::table.find(1i64)).set(head::journal_seq.eq(seq)).execute(conn)?;
    Ok(())
}

/// Deletes the journal's rows the chain has taken (by its writer, which is not held up then).
pub fn forget_chained(conn: &mut AnyConnection) -> Result<usize, ApiError> {
    let to = chained_to(conn)?;
    Ok(diesel::delete(reads::table.filter(reads::seq.le(to))).execute(conn)?)
}
