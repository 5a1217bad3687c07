//! SQL for the audit log.

use crate::db::AnyConnection;
use crate::db::rows::audit::{AuditEvent, PendingEvent};
use crate::db::schema::{
    audit_checkpoints as cp, audit_event_children as ch, audit_events as ev, audit_head as head,
    audit_pending as pending,
};
use crate::error::ApiError;
use diesel::prelude::*;

/// Rows per `INSERT` (at most 11 values each, well under both backends' limits on bound values).
const INSERT_ROWS: usize = 1_000;

/// Takes the chain head's row lock for the rest of the transaction and reads it: (last
/// sequence number, last hash). Serialises appends across processes.
pub fn lock_head(conn: &mut AnyConnection) -> Result<(i64, String), ApiError> {
    diesel::update(head::table.find(1i64)).set(head::seq.eq(head::seq)).execute(conn)?;
    head(conn)
}

pub fn head(conn: &mut AnyConnection) -> Result<(i64, String), ApiError> {
    Ok(head::table.find(1i64).select((head::seq, head::hash)).first(conn)?)
}

/// The first sequence number chained with the key (earlier ones used plain SHA-256).
pub fn keyed_from(conn: &mut AnyConnection) -> Result<i64, ApiError> {
    Ok(head::table.find(1i64).select(head::keyed_from).first(conn)?)
}

/// The newest checkpoint's sequence number, if any.
pub fn last_checkpoint(conn: &mut AnyConnection) -> Result<Option<i64>, ApiError> {
    Ok(cp::table.select(diesel::dsl::max(cp::seq)).first(conn)?)
}

pub fn insert_checkpoint(
    conn: &mut AnyConnection,
    seq: i64,
    hash: &str,
    at: chrono::NaiveDateTime,
    jws: &str,
) -> Result<(), ApiError> {
    diesel::insert_into(cp::table)
        .values((cp::seq.eq(seq), cp::hash.eq(hash), cp::at.eq(at), cp::jws.eq(jws)))
        .execute(conn)?;
    Ok(())
}

/// The stored checkpoints after a sequence number, oldest first (compact JWS each).
pub fn checkpoints_after(conn: &mut AnyConnection, after: i64) -> Result<Vec<String>, ApiError> {
    Ok(cp::table.filter(cp::seq.gt(after)).order(cp::seq.asc()).select(cp::jws).load(conn)?)
}

/// The hash of one event.
pub fn hash_at(conn: &mut AnyConnection, seq: i64) -> Result<Option<String>, ApiError> {
    Ok(ev::table.find(seq).select(ev::hash).first(conn).optional()?)
}

pub fn set_head(conn: &mut AnyConnection, seq: i64, hash: &str) -> Result<(), ApiError> {
    diesel::update(head::table.find(1i64)).set((head::seq.eq(seq), head::hash.eq(hash))).execute(conn)?;
    Ok(())
}

/// Inserts events many rows at a time (multi-row `INSERT` exists per backend only).
pub fn insert_events(conn: &mut AnyConnection, events: &[AuditEvent]) -> Result<(), ApiError> {
    for chunk in events.chunks(INSERT_ROWS) {
        match conn {
            AnyConnection::Postgresql(c) => diesel::insert_into(ev::table).values(chunk).execute(c)?,
            AnyConnection::Sqlite(c) => diesel::insert_into(ev::table).values(chunk).execute(c)?,
        };
    }
    Ok(())
}

/// Events after a sequence number, in order.
pub fn events_after(conn: &mut AnyConnection, after: i64, limit: i64) -> Result<Vec<AuditEvent>, ApiError> {
    Ok(ev::table
        .filter(ev::seq.gt(after))
        .order(ev::seq.asc())
        .limit(limit)
        .select(AuditEvent::as_select())
        .load(conn)?)
}

/// Inserts the rows by which a child's access log finds events: (child, event).
pub fn insert_event_children(conn: &mut AnyConnection, rows: &[(String, i64)]) -> Result<(), ApiError> {
    for chunk in rows.chunks(INSERT_ROWS) {
        let values: Vec<_> = chunk.iter().map(|(child, seq)| (ch::child_id.eq(child), ch::seq.eq(seq))).collect();
        match conn {
            AnyConnection::Postgresql(c) => diesel::insert_into(ch::table).values(values).execute(c)?,
            AnyConnection::Sqlite(c) => diesel::insert_into(ch::table).values(values).execute(c)?,
        };
    }
    Ok(())
}

/// The (child, event) rows of the events after `after` (all, when None) up to `to`, in the
/// events' order.
pub fn event_children_between(
    conn: &mut AnyConnection,
    after: Option<i64>,
    to: i64,
) -> Result<Vec<(String, i64)>, ApiError> {
    Ok(ch::table
        .filter(ch::seq.gt(after.unwrap_or(i64::MIN)))
        .filter(ch::seq.le(to))
        .select((ch::child_id, ch::seq))
        .order((ch::seq.asc(), ch::child_id.asc()))
        .load(conn)?)
}

/// The events naming any of these children (of one of them, or of a page showing it), newest
/// first, before a sequence number: each once, even a page that showed two of them (a child's
/// record and one since merged into it).
pub fn of_child(
    conn: &mut AnyConnection,
    child_ids: &[&str],
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditEvent>, ApiError> {
    let ids: Vec<String> = child_ids.iter().map(|s| s.to_string()).collect();
    let seqs = ch::table
        .filter(ch::child_id.eq_any(ids))
        .filter(ch::seq.lt(before.unwrap_or(i64::MAX)))
        .select(ch::seq)
        .distinct()
        .order(ch::seq.desc())
        .limit(limit);
    Ok(ev::table
        .filter(ev::seq.eq_any(seqs))
        .order(ev::seq.desc())
        .limit(limit)
        .select(AuditEvent::as_select())
        .load(conn)?)
}

pub fn insert_pending(conn: &mut AnyConnection, events: &[PendingEvent]) -> Result<(), ApiError> {
    for chunk in events.chunks(INSERT_ROWS) {
        match conn {
            AnyConnection::Postgresql(c) => diesel::insert_into(pending::table).values(chunk).execute(c)?,
            AnyConnection::Sqlite(c) => diesel::insert_into(pending::table).values(chunk).execute(c)?,
        };
    }
    Ok(())
}

/// [`insert_pending`] on an asynchronous PostgreSQL connection (shared, so that other
/// statements go in the same round trip).
pub async fn insert_pending_pg(
    mut conn: &diesel_async::AsyncPgConnection,
    events: &[PendingEvent],
) -> Result<(), ApiError> {
    for chunk in events.chunks(INSERT_ROWS) {
        diesel_async::RunQueryDsl::execute(diesel::insert_into(pending::table).values(chunk), &mut conn).await?;
    }
    Ok(())
}

/// The oldest pending read events, in the order they were written.
pub fn oldest_pending(conn: &mut AnyConnection, limit: i64) -> Result<Vec<PendingEvent>, ApiError> {
    Ok(pending::table.order(pending::id.asc()).limit(limit).select(PendingEvent::as_select()).load(conn)?)
}

pub fn delete_pending(conn: &mut AnyConnection, ids: &[String]) -> Result<(), ApiError> {
    for chunk in ids.chunks(INSERT_ROWS) {
        diesel::delete(pending::table.filter(pending::id.eq_any(chunk))).execute(conn)?;
    }
    Ok(())
}
