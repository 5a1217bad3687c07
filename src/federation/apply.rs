//! Applying a batch of events from a peer: in one transaction, in stream order, each event once
//! (by its id) with its audit entry; an event that breaks a rule is rejected for good with the
//! reason, and the stream goes on; a gap stops the batch where it is, and the answer says the
//! last sequence number processed so the sender resumes there.

use super::repo;
use crate::db::AnyConnection;
use crate::db::rows::audit::PendingEvent;
use crate::db::rows::children::ChildRecord;
use crate::db::rows::federation::{InboxRow, RelayRow};
use crate::error::ApiError;
use crate::ids::ChildId;
use crate::peers::repo as peers;
use crate::peers::wire::{AuditHead, Event, EventOutcome, Receipt};
use chrono::NaiveDateTime;

/// Applies `events` from `origin` (already authenticated) and makes the receipt.
pub fn apply_batch(
    conn: &mut AnyConnection,
    own: &str,
    origin: &str,
    events: &[Event],
    now: NaiveDateTime,
) -> Result<Receipt, ApiError> {
    crate::db::write_tx(conn, |conn| {
        repo::lock_peer(conn, origin)?;
        let mut last = repo::last_seq(conn, origin)?;
        let mut outcomes = Vec::new();
        for e in events {
            if e.seq <= last {
                // Sent again (a lost answer, a retry): report what was done with it then.
                let done = repo::processed(conn, origin, &e.event_id)?;
                outcomes.push(match done {
                    Some(d) => EventOutcome { event_id: d.event_id, seq: d.seq, outcome: d.outcome, reason: d.reason },
                    None => EventOutcome {
                        event_id: e.event_id.clone(),
                        seq: e.seq,
                        outcome: "rejected".into(),
                        reason: Some(format!("sequence number {} was already used by another event", e.seq)),
                    },
                });
                continue;
            }
            if e.seq != last + 1 {
                // A gap: nothing after it is applied out of order.
                break;
            }
            let verdict = match check_envelope(conn, own, origin, e)? {
                Err(reason) => Err(reason),
                Ok(()) => apply_event(conn, origin, e, now)?,
            };
            let (outcome, reason) = match verdict {
                Ok(()) => ("applied", None),
                Err(reason) => ("rejected", Some(reason)),
            };
            repo::insert_processed(
                conn,
                &InboxRow {
                    origin_node: origin.to_string(),
                    event_id: e.event_id.clone(),
                    seq: e.seq,
                    kind: e.kind.clone(),
                    outcome: outcome.to_string(),
                    reason: reason.clone(),
                    processed_at: now,
                },
            )?;
            crate::audit::repo::insert_pending(
                conn,
                &[PendingEvent {
                    id: uuid::Uuid::now_v7().to_string(),
                    at: now,
                    subject: format!("node:{origin}"),
                    org_type: "node".into(),
                    org: origin.to_string(),
                    action: format!("federation.{outcome}:{}", e.kind),
                    child_id: e.child_id.clone(),
                    request_id: Some(e.event_id.clone()),
                    child_ids: None,
                }],
            )?;
            outcomes.push(EventOutcome { event_id: e.event_id.clone(), seq: e.seq, outcome: outcome.into(), reason });
            last = e.seq;
        }
        let (seq, hash) = repo::audit_head(conn)?;
        Ok(Receipt {
            receipt_id: uuid::Uuid::now_v7().to_string(),
            node_id: own.to_string(),
            origin_node: origin.to_string(),
            issued_at: now.and_utc(),
            last_seq: last,
            events: outcomes,
            audit_head: AuditHead { seq, hash },
        })
    })
}

/// The rules every event meets: addressed here, from its sender, once, after the event before it
/// about the same child, and speaking for an LA its sender homes.
fn check_envelope(
    conn: &mut AnyConnection,
    own: &str,
    origin: &str,
    e: &Event,
) -> Result<Result<(), String>, ApiError> {
    if e.dest_node != own {
        return Ok(Err(format!("addressed to node {}, not this one", e.dest_node)));
    }
    if e.origin_node != origin {
        return Ok(Err(format!("names node {} as its origin, but {origin} sent it", e.origin_node)));
    }
    if uuid::Uuid::parse_str(&e.event_id).is_err() {
        return Ok(Err("the event id is not a UUID".into()));
    }
    if repo::processed(conn, origin, &e.event_id)?.is_some() {
        return Ok(Err("this event id was already processed at another sequence number".into()));
    }
    if let Some(prev) = &e.prev_event_id
        && repo::processed(conn, origin, prev)?.is_none()
    {
        return Ok(Err(format!("the previous event about this child ({prev}) was never received")));
    }
    match peers::home_of(conn, &e.authority)? {
        Some(node) if node == origin => Ok(Ok(())),
        Some(node) => Ok(Err(format!("{} is homed on node {node}, not on {origin}", e.authority))),
        None => Ok(Err(format!("{} is homed on this node, not on {origin}", e.authority))),
    }
}

/// Applies one event's parts, or says why it is refused. Every check runs before any write.
fn apply_event(
    conn: &mut AnyConnection,
    origin: &str,
    e: &Event,
    now: NaiveDateTime,
) -> Result<Result<(), String>, ApiError> {
    let d = &e.data;
    let la = e.authority.as_str();
    // Checks.
    if let Some(c) = &d.child {
        if c.responsible_la != la {
            return Ok(Err(format!("the child's placing LA is {}, but the event speaks for {la}", c.responsible_la)));
        }
        if e.child_id.as_deref() != Some(c.id.as_str()) {
            return Ok(Err("the child is not the one the event is about".into()));
        }
        if let Some((_, held)) = peers::child(conn, &c.id)?
            && held.as_deref() != Some(origin)
        {
            return Ok(Err("this child is not held by the sending node".into()));
        }
    }
    if let Some(ps) = &d.placement {
        let p = &ps.placement;
        if p.placing_la != la {
            return Ok(Err(format!("the placing LA is {}, but the event speaks for {la}", p.placing_la)));
        }
        let child_known = d.child.as_ref().is_some_and(|c| c.id == p.child_id.as_str())
            || matches!(peers::child(conn, p.child_id.as_str())?, Some((_, Some(ref o))) if o == origin);
        if !child_known {
            return Ok(Err("the placement's child is not projected from the sending node".into()));
        }
        match peers::placement(conn, p.id.as_str())? {
            Some((_, held)) if held.as_deref() != Some(origin) => {
                return Ok(Err("this placement is not held by the sending node".into()));
            }
            None if peers::home_of(conn, &p.host_area)?.is_some() => {
                return Ok(Err(format!("the placement is in {}, which this node does not home", p.host_area)));
            }
            _ => {}
        }
    }
    if let Some(n) = &d.notification {
        if peers::home_of(conn, &n.recipient_la)?.is_some()
            || !crate::notifications::repo::is_authority(conn, &n.recipient_la)?
        {
            return Ok(Err(format!("the recipient {} is not homed on this node", n.recipient_la)));
        }
        if n.sender_org_type == "authority" && n.sender_org != la {
            return Ok(Err(format!("sent by {}, but the event speaks for {la}", n.sender_org)));
        }
        if let Some(c) = &n.child_id
            && d.child.is_none()
            && peers::child(conn, c.as_str())?.is_none()
        {
            return Ok(Err("the notification is about a child this node does not know".into()));
        }
    }
    if let Some(ep) = &d.episode {
        let Some((child, held)) = peers::child(conn, ep.child_id.as_str())? else {
            return Ok(Err("the episode's child is not known here".into()));
        };
        let Some((placement, _)) = peers::placement(conn, ep.placement_id.as_str())? else {
            return Ok(Err("the episode's placement is not known here".into()));
        };
        if placement.child_id != ep.child_id {
            return Ok(Err("the episode's placement is another child's".into()));
        }
        let allowed = match held.as_deref() {
            // The child's record is here: the host node reports for the area it homes.
            None => placement.host_area == la && peers::home_of(conn, &child.responsible_la)?.is_none(),
            // A projection: the child's own node speaks for its placing LA.
            Some(o) => o == origin && child.responsible_la == la,
        };
        if !allowed {
            return Ok(Err(format!("node {origin} may not report episodes of this child for {la}")));
        }
    }
    if let Some(a) = &d.acknowledgement {
        let relay = peers::relay(conn, &a.notification_id)?;
        let ok = relay.is_some_and(|r| r.direction == "out" && r.peer_node == origin)
            && crate::notifications::repo::find(conn, &a.notification_id)?.is_some_and(|n| n.recipient_la == la);
        if !ok {
            return Ok(Err("no notification sent to this LA on that node has this id".into()));
        }
    }

    // Writes.
    let mut new_placement = None;
    if let Some(c) = &d.child {
        let record = |existing: Option<&ChildRecord>| ChildRecord {
            id: ChildId::from(c.id.as_str()),
            responsible_la: c.responsible_la.clone(),
            // Not sent to a host LA's node: placeholders the host view never shows.
            la_child_id: c.id.clone(),
            given_name: c.given_name.clone(),
            family_name: c.family_name.clone(),
            date_of_birth: c.date_of_birth,
            sex: c.sex.clone(),
            ethnicity: String::new(),
            nhs_number: None,
            upn: None,
            home_postcode: None,
            category_of_need: None,
            mother: None,
            mother_child_dob: None,
            uasc: false,
            uasc_ceased: None,
            version: c.version,
            created_at: existing.map_or(now, |x| x.created_at),
            updated_at: now,
        };
        match peers::child(conn, &c.id)? {
            Some((existing, _)) if existing.version <= c.version => repo::update_child(conn, &record(Some(&existing)))?,
            Some(_) => {}
            None => repo::insert_child(conn, &record(None), origin)?,
        }
    }
    if let Some(ps) = &d.placement {
        let p = &ps.placement;
        let before = peers::placement(conn, p.id.as_str())?.map(|(b, _)| b);
        match &before {
            Some(b) if b.version > p.version => {}
            Some(_) => repo::update_placement(conn, p)?,
            None => repo::insert_placement(conn, p, origin)?,
        }
        if before.as_ref().is_none_or(|b| b.version <= p.version) {
            repo::replace_legal_statuses(conn, p.id.as_str(), &ps.legal_statuses)?;
            crate::missing::repo::copy_placement_scope(conn, &p.id)?;
        }
        new_placement = Some((before, p.clone()));
    }
    if let Some(ep) = &d.episode {
        let existing = repo::episode(conn, ep.id.as_str())?;
        let mut ep = ep.clone();
        // A quarterly return is kept on the node of its home: the link stays there.
        if let Some(r) = &ep.return_id
            && !repo::return_exists(conn, r)?
        {
            ep.return_id = None;
        }
        if ep.return_id.is_none() {
            ep.return_id = existing.as_ref().and_then(|x| x.return_id.clone());
        }
        match existing {
            Some(existing) if existing.version >= ep.version => {}
            Some(_) => repo::update_episode(conn, &ep)?,
            None => repo::insert_episode(conn, &ep)?,
        }
        crate::missing::repo::copy_placement_scope(conn, &ep.placement_id)?;
    }
    if let Some(n) = &d.notification
        && !repo::notification_exists(conn, &n.id)?
    {
        let mut row = n.clone();
        row.delivered_at = None;
        row.acknowledged_at = None;
        row.acknowledged_by = None;
        crate::notifications::repo::insert(conn, &row)?;
        crate::notifications::repo::enqueue_webhooks(conn, &row)?;
        peers::insert_relay(
            conn,
            &RelayRow {
                notification_id: row.id.clone(),
                direction: "in".into(),
                peer_node: origin.to_string(),
                received_at: Some(now),
                receipt_id: None,
            },
        )?;
    }
    if let Some(a) = &d.acknowledgement {
        repo::acknowledge(conn, &a.notification_id, &a.acknowledged_by, crate::db::db_time(a.acknowledged_at))?;
    }
    // A placement in a home here settles the home's unmatched admission or discharge of the child.
    if let Some((before, p)) = new_placement
        && let Some((child, _)) = peers::child(conn, p.child_id.as_str())?
    {
        if before.is_none() {
            crate::admissions::service::resolve_for_placement(conn, &p, &child, now)?;
        }
        if p.end_date.is_some() && before.is_none_or(|b| b.end_date.is_none()) {
            crate::admissions::service::resolve_discharge(conn, &p, &child, now)?;
        }
    }
    Ok(Ok(()))
}
