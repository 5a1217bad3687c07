//! SQL for the peer directory, the homes of LAs, the outbox and its streams, receipts and relays,
//! and the reads that make an event's snapshots.

use crate::db::rows::children::ChildRecord;
use crate::db::rows::federation::{OutboxRow, PeerRow, ReceiptRow, RelayRow, StreamRow};
use crate::db::rows::missing::EpisodeRecord;
use crate::db::rows::placements::{LegalStatusRow, PlacementRecord};
use crate::db::schema::{
    authorities, children, federation_homes as fh, federation_inbox as fi, federation_outbox as fo,
    federation_peers as fp, federation_receipts as fr, federation_streams as fs, missing_episodes,
    notification_relays as nr, placement_legal_statuses as pls, placements, settings,
};
use crate::db::{AnyConnection, MultiBackend};
use crate::error::ApiError;
use chrono::NaiveDateTime;
use diesel::prelude::*;

// The directory.

pub fn insert_peer(conn: &mut AnyConnection, row: &PeerRow) -> Result<(), ApiError> {
    diesel::insert_into(fp::table).values(row).execute(conn)?;
    Ok(())
}

pub fn find_peer(conn: &mut AnyConnection, node_id: &str) -> Result<Option<PeerRow>, ApiError> {
    Ok(fp::table.find(node_id).select(PeerRow::as_select()).first(conn).optional()?)
}

pub fn peers(conn: &mut AnyConnection) -> Result<Vec<PeerRow>, ApiError> {
    Ok(fp::table.select(PeerRow::as_select()).order(fp::node_id.asc()).load(conn)?)
}

/// Replaces a peer's stored row if it is still at `expected`; rows changed.
pub fn update_peer(conn: &mut AnyConnection, row: &PeerRow, expected: i64) -> Result<usize, ApiError> {
    Ok(diesel::update(fp::table.find(&row.node_id).filter(fp::version.eq(expected))).set(row).execute(conn)?)
}

pub fn delete_peer(conn: &mut AnyConnection, node_id: &str) -> Result<(), ApiError> {
    diesel::delete(fh::table.filter(fh::node_id.eq(node_id))).execute(conn)?;
    diesel::delete(fp::table.find(node_id)).execute(conn)?;
    Ok(())
}

pub fn known_authorities(conn: &mut AnyConnection, codes: &[String]) -> Result<Vec<String>, ApiError> {
    Ok(authorities::table.filter(authorities::code.eq_any(codes)).select(authorities::code).load(conn)?)
}

/// The LAs a peer homes, by code.
pub fn homes_of(conn: &mut AnyConnection, node_id: &str) -> Result<Vec<String>, ApiError> {
    Ok(fh::table.filter(fh::node_id.eq(node_id)).select(fh::authority).order(fh::authority.asc()).load(conn)?)
}

/// Every homed LA with its node.
pub fn all_homes(conn: &mut AnyConnection) -> Result<Vec<(String, String)>, ApiError> {
    Ok(fh::table.select((fh::authority, fh::node_id)).load(conn)?)
}

/// Makes `node_id` the home of exactly `codes`.
pub fn set_homes(conn: &mut AnyConnection, node_id: &str, codes: &[String]) -> Result<(), ApiError> {
    diesel::delete(fh::table.filter(fh::node_id.eq(node_id))).execute(conn)?;
    for code in codes {
        diesel::insert_into(fh::table).values((fh::authority.eq(code), fh::node_id.eq(node_id))).execute(conn)?;
    }
    Ok(())
}

/// The peer that homes an LA; None when this node does.
pub fn home_of(conn: &mut AnyConnection, authority: &str) -> Result<Option<String>, ApiError> {
    Ok(fh::table.find(authority).select(fh::node_id).first(conn).optional()?)
}

/// Whether this node holds records of an LA as their placing LA (its own, not projections).
pub fn holds_records_of(conn: &mut AnyConnection, authority: &str) -> Result<bool, ApiError> {
    let n: i64 = children::table
        .filter(children::responsible_la.eq(authority))
        .filter(children::origin_node.is_null())
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

// Streams and the outbox.

/// The next sequence number on the stream to `dest` (creating the stream), taken in the caller's
/// transaction: the row stays locked until it commits, so numbers are given in commit order.
pub fn next_seq(conn: &mut AnyConnection, dest: &str, now: NaiveDateTime) -> Result<i64, ApiError> {
    let bumped = diesel::update(fs::table.find(dest)).set(fs::last_seq.eq(fs::last_seq + 1)).execute(conn)?;
    if bumped == 0 {
        let row = StreamRow {
            dest_node: dest.to_string(),
            last_seq: 1,
            acked_seq: 0,
            attempts: 0,
            next_attempt_at: now,
            locked_by: None,
            locked_until: None,
            last_attempt_at: None,
            last_error: None,
            last_receipt_id: None,
            last_receipt_at: None,
        };
        diesel::insert_into(fs::table).values(&row).execute(conn)?;
        return Ok(1);
    }
    Ok(fs::table.find(dest).select(fs::last_seq).first(conn)?)
}

pub fn insert_event(conn: &mut AnyConnection, row: &OutboxRow) -> Result<(), ApiError> {
    diesel::insert_into(fo::table).values(row).execute(conn)?;
    Ok(())
}

/// The last event about a child on the stream to `dest`.
pub fn last_event_of_child(conn: &mut AnyConnection, dest: &str, child_id: &str) -> Result<Option<String>, ApiError> {
    Ok(fo::table
        .filter(fo::dest_node.eq(dest))
        .filter(fo::child_id.eq(child_id))
        .order(fo::seq.desc())
        .select(fo::event_id)
        .first(conn)
        .optional()?)
}

pub fn stream(conn: &mut AnyConnection, dest: &str) -> Result<Option<StreamRow>, ApiError> {
    Ok(fs::table.find(dest).select(StreamRow::as_select()).first(conn).optional()?)
}

pub fn streams(conn: &mut AnyConnection) -> Result<Vec<StreamRow>, ApiError> {
    Ok(fs::table.select(StreamRow::as_select()).order(fs::dest_node.asc()).load(conn)?)
}

/// The bodies of events on the stream to `dest` after `after`, in order.
pub fn events_after(conn: &mut AnyConnection, dest: &str, after: i64, limit: i64) -> Result<Vec<String>, ApiError> {
    Ok(fo::table
        .filter(fo::dest_node.eq(dest))
        .filter(fo::seq.gt(after))
        .order(fo::seq.asc())
        .limit(limit)
        .select(fo::body)
        .load(conn)?)
}

/// Claims the stream to `dest` for `worker` until `until` when it has events its peer has not
/// processed, is due, and is not leased by a live worker. One worker per stream keeps the order.
pub fn claim_streams(
    conn: &mut AnyConnection,
    worker: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
) -> Result<Vec<StreamRow>, ApiError> {
    crate::db::write_tx(conn, |conn| {
        let due = fs::table
            .filter(fs::last_seq.gt(fs::acked_seq))
            .filter(fs::next_attempt_at.le(now))
            .filter(fs::locked_until.is_null().or(fs::locked_until.le(now)))
            .select(fs::dest_node)
            .order(fs::next_attempt_at.asc());
        let candidates: Vec<String> = match &mut *conn {
            AnyConnection::Postgresql(pg) => due.for_update().skip_locked().load(pg)?,
            _ => due.load(conn)?,
        };
        let mut claimed = Vec::new();
        for dest in candidates {
            let n = diesel::update(
                fs::table
                    .find(&dest)
                    .filter(fs::next_attempt_at.le(now))
                    .filter(fs::locked_until.is_null().or(fs::locked_until.le(now))),
            )
            .set((fs::locked_by.eq(worker), fs::locked_until.eq(until)))
            .execute(conn)?;
            if n == 1
                && let Some(s) = fs::table.find(&dest).select(StreamRow::as_select()).first(conn).optional()?
            {
                claimed.push(s);
            }
        }
        Ok(claimed)
    })
}

/// Whether `worker` still holds the stream.
pub fn holds(conn: &mut AnyConnection, worker: &str, dest: &str) -> Result<bool, ApiError> {
    let n: i64 = fs::table.find(dest).filter(fs::locked_by.eq(worker)).count().get_result(conn)?;
    Ok(n > 0)
}

/// Records a failed attempt and when to try again, releasing the lease.
pub fn attempt_failed(
    conn: &mut AnyConnection,
    worker: &str,
    dest: &str,
    error: &str,
    now: NaiveDateTime,
    next: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::update(fs::table.find(dest).filter(fs::locked_by.eq(worker)))
        .set((
            fs::attempts.eq(fs::attempts + 1),
            fs::last_attempt_at.eq(now),
            fs::last_error.eq(error),
            fs::next_attempt_at.eq(next),
            fs::locked_by.eq(None::<String>),
            fs::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    Ok(())
}

/// A peer that fetched its stream is evidently reachable again: the next round sends to it
/// without waiting out the backoff its absence earned.
pub fn retry_now(conn: &mut AnyConnection, dest: &str, now: NaiveDateTime) -> Result<(), ApiError> {
    diesel::update(fs::table.find(dest).filter(fs::next_attempt_at.gt(now)))
        .set((fs::attempts.eq(0), fs::next_attempt_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

/// Records a receipt's verdict on the stream: the peer has processed up to `acked`.
pub fn acknowledged(
    conn: &mut AnyConnection,
    worker: &str,
    dest: &str,
    acked: i64,
    receipt: Option<(&str, NaiveDateTime)>,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::update(fs::table.find(dest).filter(fs::locked_by.eq(worker)))
        .set((
            fs::acked_seq.eq(acked),
            fs::attempts.eq(0),
            fs::last_attempt_at.eq(now),
            fs::last_error.eq(None::<String>),
            fs::next_attempt_at.eq(now),
            fs::locked_by.eq(None::<String>),
            fs::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    if let Some((id, at)) = receipt {
        diesel::update(fs::table.find(dest))
            .set((fs::last_receipt_id.eq(id), fs::last_receipt_at.eq(at)))
            .execute(conn)?;
    }
    Ok(())
}

/// An event's outcome from a receipt; the first verdict stands. Its notification, sender LA and
/// kind when it changed now.
pub fn set_outcome(
    conn: &mut AnyConnection,
    event_id: &str,
    outcome: &str,
    reason: Option<&str>,
    receipt_id: &str,
    now: NaiveDateTime,
) -> Result<Option<OutboxRow>, ApiError> {
    let n = diesel::update(fo::table.find(event_id).filter(fo::status.eq("pending")))
        .set((fo::status.eq(outcome), fo::reason.eq(reason), fo::receipt_id.eq(receipt_id), fo::processed_at.eq(now)))
        .execute(conn)?;
    if n == 0 {
        return Ok(None);
    }
    Ok(fo::table.find(event_id).select(OutboxRow::as_select()).first(conn).optional()?)
}

/// Pending events written before `before` and not yet escalated (`undeliverable`: not yet
/// reported undeliverable); marks them so each is reported once.
pub fn take_overdue(
    conn: &mut AnyConnection,
    before: NaiveDateTime,
    undeliverable: bool,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<OutboxRow>, ApiError> {
    let mut q = fo::table
        .filter(fo::status.eq("pending"))
        .filter(fo::occurred_at.lt(before))
        .select(OutboxRow::as_select())
        .order(fo::occurred_at.asc())
        .limit(limit)
        .into_boxed::<MultiBackend>();
    q = if undeliverable { q.filter(fo::undeliverable_at.is_null()) } else { q.filter(fo::escalated_at.is_null()) };
    let rows: Vec<OutboxRow> = q.load(conn)?;
    let mut taken = Vec::new();
    for r in rows {
        let n = if undeliverable {
            diesel::update(fo::table.find(&r.event_id).filter(fo::undeliverable_at.is_null()))
                .set(fo::undeliverable_at.eq(now))
                .execute(conn)?
        } else {
            diesel::update(fo::table.find(&r.event_id).filter(fo::escalated_at.is_null()))
                .set(fo::escalated_at.eq(now))
                .execute(conn)?
        };
        if n == 1 {
            taken.push(r);
        }
    }
    Ok(taken)
}

/// Counts for the status of the stream to `dest`: pending, oldest pending, escalated,
/// undeliverable, rejected.
pub fn outbox_counts(
    conn: &mut AnyConnection,
    dest: &str,
) -> Result<(i64, Option<NaiveDateTime>, i64, i64, i64), ApiError> {
    let pending = fo::table.filter(fo::dest_node.eq(dest)).filter(fo::status.eq("pending"));
    let n: i64 = pending.count().get_result(conn)?;
    let oldest: Option<NaiveDateTime> = pending.select(diesel::dsl::min(fo::occurred_at)).first(conn)?;
    let escalated: i64 = pending.filter(fo::escalated_at.is_not_null()).count().get_result(conn)?;
    let undeliverable: i64 = pending.filter(fo::undeliverable_at.is_not_null()).count().get_result(conn)?;
    let rejected: i64 =
        fo::table.filter(fo::dest_node.eq(dest)).filter(fo::status.eq("rejected")).count().get_result(conn)?;
    Ok((n, oldest, escalated, undeliverable, rejected))
}

/// The last sequence number this node processed from `origin`.
pub fn applied_from(conn: &mut AnyConnection, origin: &str) -> Result<i64, ApiError> {
    let max: Option<i64> =
        fi::table.filter(fi::origin_node.eq(origin)).select(diesel::dsl::max(fi::seq)).first(conn)?;
    Ok(max.unwrap_or(0))
}

// Receipts.

pub fn insert_receipt(conn: &mut AnyConnection, row: &ReceiptRow) -> Result<(), ApiError> {
    if find_receipt(conn, &row.id)?.is_none() {
        diesel::insert_into(fr::table).values(row).execute(conn)?;
    }
    Ok(())
}

pub fn find_receipt(conn: &mut AnyConnection, id: &str) -> Result<Option<ReceiptRow>, ApiError> {
    Ok(fr::table.find(id).select(ReceiptRow::as_select()).first(conn).optional()?)
}

/// Whether a receipt covers an event `authority` sent (or is about one of its notifications).
pub fn receipt_concerns(conn: &mut AnyConnection, receipt_id: &str, authority: &str) -> Result<bool, ApiError> {
    let n: i64 =
        fo::table.filter(fo::receipt_id.eq(receipt_id)).filter(fo::sender_la.eq(authority)).count().get_result(conn)?;
    Ok(n > 0)
}

// Relays of notifications.

pub fn insert_relay(conn: &mut AnyConnection, row: &RelayRow) -> Result<(), ApiError> {
    if relay(conn, &row.notification_id)?.is_none() {
        diesel::insert_into(nr::table).values(row).execute(conn)?;
    }
    Ok(())
}

pub fn relay(conn: &mut AnyConnection, notification_id: &str) -> Result<Option<RelayRow>, ApiError> {
    Ok(nr::table.find(notification_id).select(RelayRow::as_select()).first(conn).optional()?)
}

pub fn relays_of(conn: &mut AnyConnection, ids: &[String]) -> Result<Vec<RelayRow>, ApiError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    Ok(nr::table.filter(nr::notification_id.eq_any(ids)).select(RelayRow::as_select()).load(conn)?)
}

/// The recipient's node got the notification (the first receipt stands).
pub fn relay_received(
    conn: &mut AnyConnection,
    notification_id: &str,
    receipt_id: &str,
    at: NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::update(nr::table.find(notification_id).filter(nr::received_at.is_null()))
        .set((nr::received_at.eq(at), nr::receipt_id.eq(receipt_id)))
        .execute(conn)?;
    Ok(())
}

// What events carry.

pub fn child(conn: &mut AnyConnection, id: &str) -> Result<Option<(ChildRecord, Option<String>)>, ApiError> {
    Ok(children::table.find(id).select((ChildRecord::as_select(), children::origin_node)).first(conn).optional()?)
}

pub fn placement(conn: &mut AnyConnection, id: &str) -> Result<Option<(PlacementRecord, Option<String>)>, ApiError> {
    Ok(placements::table
        .find(id)
        .select((PlacementRecord::as_select(), placements::origin_node))
        .first(conn)
        .optional()?)
}

/// A child's placements held here (not projections).
pub fn own_placements_of(conn: &mut AnyConnection, child_id: &str) -> Result<Vec<PlacementRecord>, ApiError> {
    Ok(placements::table
        .filter(placements::child_id.eq(child_id))
        .filter(placements::origin_node.is_null())
        .select(PlacementRecord::as_select())
        .order(placements::start_date.asc())
        .load(conn)?)
}

pub fn legal_statuses(conn: &mut AnyConnection, placement_id: &str) -> Result<Vec<LegalStatusRow>, ApiError> {
    Ok(pls::table
        .filter(pls::placement_id.eq(placement_id))
        .select(LegalStatusRow::as_select())
        .order(pls::effective_from.asc())
        .load(conn)?)
}

pub fn episode(conn: &mut AnyConnection, id: &str) -> Result<Option<EpisodeRecord>, ApiError> {
    Ok(missing_episodes::table.find(id).select(EpisodeRecord::as_select()).first(conn).optional()?)
}

/// The area a setting is in.
pub fn setting_area(conn: &mut AnyConnection, urn: &str) -> Result<Option<String>, ApiError> {
    Ok(settings::table.find(urn).select(settings::host_area).first(conn).optional()?)
}
