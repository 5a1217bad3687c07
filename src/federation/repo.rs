//! SQL of the receiving side: what was applied from each peer, the nonces seen, and the writes
//! that apply an event (projections of children and placements, notifications, episodes,
//! acknowledgements). These write rows directly, never through the domain services, so that
//! applying an event never writes another event back.

use crate::db::AnyConnection;
use crate::db::rows::children::ChildRecord;
use crate::db::rows::federation::InboxRow;
use crate::db::rows::missing::EpisodeRecord;
use crate::db::rows::placements::{LegalStatusRow, PlacementRecord};
use crate::db::schema::{
    audit_head, children, federation_inbox as fi, federation_nonces as fnc, federation_peers as fp,
    missing_episodes as me, notifications as n, placement_legal_statuses as pls, placements, quarterly_returns,
};
use crate::error::ApiError;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// Locks the peer's row for the rest of the transaction, so batches from one peer are applied
/// one after another (on SQLite the write transaction already is exclusive).
pub fn lock_peer(conn: &mut AnyConnection, origin: &str) -> Result<bool, ApiError> {
    Ok(diesel::update(fp::table.find(origin)).set(fp::version.eq(fp::version)).execute(conn)? == 1)
}

/// The last sequence number processed from `origin`.
pub fn last_seq(conn: &mut AnyConnection, origin: &str) -> Result<i64, ApiError> {
    let max: Option<i64> =
        fi::table.filter(fi::origin_node.eq(origin)).select(diesel::dsl::max(fi::seq)).first(conn)?;
    Ok(max.unwrap_or(0))
}

pub fn processed(conn: &mut AnyConnection, origin: &str, event_id: &str) -> Result<Option<InboxRow>, ApiError> {
    Ok(fi::table.find((origin, event_id)).select(InboxRow::as_select()).first(conn).optional()?)
}

pub fn processed_at_seq(conn: &mut AnyConnection, origin: &str, seq: i64) -> Result<Option<InboxRow>, ApiError> {
    Ok(fi::table
        .filter(fi::origin_node.eq(origin))
        .filter(fi::seq.eq(seq))
        .select(InboxRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn insert_processed(conn: &mut AnyConnection, row: &InboxRow) -> Result<(), ApiError> {
    diesel::insert_into(fi::table).values(row).execute(conn)?;
    Ok(())
}

/// Records a signature's nonce; false when it was seen before (a replay).
pub fn use_nonce(
    conn: &mut AnyConnection,
    node: &str,
    nonce: &str,
    expires_at: NaiveDateTime,
) -> Result<bool, ApiError> {
    crate::db::write_tx(conn, |conn| {
        let seen: i64 = fnc::table.find((node, nonce)).count().get_result(conn)?;
        if seen > 0 {
            return Ok(false);
        }
        diesel::insert_into(fnc::table)
            .values((fnc::node_id.eq(node), fnc::nonce.eq(nonce), fnc::expires_at.eq(expires_at)))
            .execute(conn)?;
        Ok(true)
    })
}

/// Forgets nonces of signatures that have expired (they would be refused anyway).
pub fn prune_nonces(conn: &mut AnyConnection, before: NaiveDateTime) -> Result<usize, ApiError> {
    Ok(diesel::delete(fnc::table.filter(fnc::expires_at.lt(before))).execute(conn)?)
}

pub fn audit_head(conn: &mut AnyConnection) -> Result<(i64, String), ApiError> {
    Ok(audit_head::table.select((audit_head::seq, audit_head::hash)).first(conn)?)
}

// Projections.

pub fn insert_child(conn: &mut AnyConnection, c: &ChildRecord, origin: &str) -> Result<(), ApiError> {
    diesel::insert_into(children::table).values(c).execute(conn)?;
    diesel::update(children::table.find(&c.id)).set(children::origin_node.eq(origin)).execute(conn)?;
    Ok(())
}

pub fn update_child(conn: &mut AnyConnection, c: &ChildRecord) -> Result<(), ApiError> {
    diesel::update(children::table.find(&c.id)).set(c).execute(conn)?;
    Ok(())
}

pub fn insert_placement(conn: &mut AnyConnection, p: &PlacementRecord, origin: &str) -> Result<(), ApiError> {
    diesel::insert_into(placements::table).values(p).execute(conn)?;
    diesel::update(placements::table.find(&p.id)).set(placements::origin_node.eq(origin)).execute(conn)?;
    crate::db::missing_state::copy_to_open_placements(conn, &p.child_id)
}

pub fn update_placement(conn: &mut AnyConnection, p: &PlacementRecord) -> Result<(), ApiError> {
    diesel::update(placements::table.find(&p.id)).set(p).execute(conn)?;
    crate::db::missing_state::copy_to_open_placements(conn, &p.child_id)
}

pub fn replace_legal_statuses(
    conn: &mut AnyConnection,
    placement_id: &str,
    rows: &[LegalStatusRow],
) -> Result<(), ApiError> {
    diesel::delete(pls::table.filter(pls::placement_id.eq(placement_id))).execute(conn)?;
    for r in rows {
        diesel::insert_into(pls::table).values(r).execute(conn)?;
    }
    Ok(())
}

pub fn episode(conn: &mut AnyConnection, id: &str) -> Result<Option<EpisodeRecord>, ApiError> {
    Ok(me::table.find(id).select(EpisodeRecord::as_select()).first(conn).optional()?)
}

pub fn insert_episode(conn: &mut AnyConnection, e: &EpisodeRecord) -> Result<(), ApiError> {
    crate::missing::repo::insert(conn, e)?;
    Ok(())
}

pub fn update_episode(conn: &mut AnyConnection, e: &EpisodeRecord) -> Result<(), ApiError> {
    crate::missing::repo::replace(conn, e)
}

pub fn return_exists(conn: &mut AnyConnection, id: &str) -> Result<bool, ApiError> {
    let c: i64 = quarterly_returns::table.find(id).count().get_result(conn)?;
    Ok(c > 0)
}

pub fn notification_exists(conn: &mut AnyConnection, id: &str) -> Result<bool, ApiError> {
    let c: i64 = n::table.find(id).count().get_result(conn)?;
    Ok(c > 0)
}

/// Records an acknowledgement made on the recipient's node (the first one stands).
pub fn acknowledge(conn: &mut AnyConnection, id: &str, by: &str, at: NaiveDateTime) -> Result<(), ApiError> {
    diesel::update(n::table.find(id).filter(n::acknowledged_at.is_null()))
        .set((n::acknowledged_at.eq(at), n::acknowledged_by.eq(by)))
        .execute(conn)?;
    Ok(())
}
