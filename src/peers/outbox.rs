//! Writing events for other nodes, always in the transaction of the change that causes them:
//! each gets the next number on its destination's stream, the previous event about the same
//! child, and the snapshots the receiver may store. Nothing here sends: the federation worker
//! does, from the database.

use super::repo;
use super::wire::{Acknowledgement, ChildSnapshot, Event, EventData, PlacementSnapshot};
use crate::db::AnyConnection;
use crate::db::rows::children::ChildRecord;
use crate::db::rows::federation::{OutboxRow, RelayRow};
use crate::db::rows::notifications::NotificationRow;
use crate::db::rows::placements::PlacementRecord;
use crate::error::ApiError;
use chrono::NaiveDateTime;

/// What a host LA may see of a child.
pub fn child_snapshot(c: &ChildRecord) -> ChildSnapshot {
    ChildSnapshot {
        id: c.id.to_string(),
        responsible_la: c.responsible_la.clone(),
        given_name: c.given_name.clone(),
        family_name: c.family_name.clone(),
        date_of_birth: c.date_of_birth,
        sex: c.sex.clone(),
        version: c.version,
    }
}

fn placement_snapshot(conn: &mut AnyConnection, p: &PlacementRecord) -> Result<PlacementSnapshot, ApiError> {
    Ok(PlacementSnapshot { placement: p.clone(), legal_statuses: repo::legal_statuses(conn, p.id.as_str())? })
}

/// An event about to be written.
struct Pending<'a> {
    dest: &'a str,
    kind: &'a str,
    child_id: Option<&'a str>,
    authority: &'a str,
    /// The local LA told if the event is late, undeliverable or refused.
    sender_la: Option<&'a str>,
    notification_id: Option<&'a str>,
    data: EventData,
}

fn write(conn: &mut AnyConnection, e: Pending<'_>, now: NaiveDateTime) -> Result<String, ApiError> {
    let seq = repo::next_seq(conn, e.dest, now)?;
    let prev_event_id = match e.child_id {
        Some(c) => repo::last_event_of_child(conn, e.dest, c)?,
        None => None,
    };
    let event_id = uuid::Uuid::now_v7().to_string();
    let event = Event {
        event_id: event_id.clone(),
        // Filled in when sent: the origin is always this node.
        origin_node: String::new(),
        dest_node: e.dest.to_string(),
        seq,
        occurred_at: now.and_utc(),
        kind: e.kind.to_string(),
        child_id: e.child_id.map(str::to_string),
        prev_event_id,
        authority: e.authority.to_string(),
        data: e.data,
    };
    let body = serde_json::to_string(&event).map_err(ApiError::internal)?;
    repo::insert_event(
        conn,
        &OutboxRow {
            event_id: event_id.clone(),
            dest_node: e.dest.to_string(),
            seq,
            kind: e.kind.to_string(),
            child_id: e.child_id.map(str::to_string),
            sender_la: e.sender_la.map(str::to_string),
            notification_id: e.notification_id.map(str::to_string),
            body,
            occurred_at: now,
            status: "pending".into(),
            reason: None,
            receipt_id: None,
            processed_at: None,
            escalated_at: None,
            undeliverable_at: None,
        },
    )?;
    Ok(event_id)
}

/// A notification to an LA homed on `dest`: sent there (where its inbox and webhooks are), with
/// what the host LA may see of the child and placement when this node holds them.
pub fn notification(
    conn: &mut AnyConnection,
    n: &NotificationRow,
    dest: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let mut data = EventData { notification: Some(n.clone()), ..EventData::default() };
    if let Some(child_id) = &n.child_id
        && let Some((c, None)) = repo::child(conn, child_id.as_str())?
    {
        data.child = Some(child_snapshot(&c));
    }
    if let Some(pid) = &n.placement_id
        && let Some((p, None)) = repo::placement(conn, pid.as_str())?
    {
        data.placement = Some(placement_snapshot(conn, &p)?);
    }
    // The LA the notification speaks for: the sending LA, or for a home the LA its setting is in.
    // Alerts of the registry's clocks (`registry`) name the LA they speak for as their sender.
    let authority = if n.sender_org_type == "authority" || n.sender_org_type == "registry" {
        Some(n.sender_org.clone())
    } else {
        let urn = serde_json::from_str::<serde_json::Value>(&n.payload)
            .ok()
            .and_then(|p| p.get("urn").and_then(|u| u.as_str()).map(str::to_string));
        match urn {
            Some(u) => repo::setting_area(conn, &u)?,
            None => None,
        }
    };
    let Some(authority) = authority else {
        return Err(ApiError::internal("a notification for another node names no LA it speaks for"));
    };
    let sender_la = repo::home_of(conn, &authority)?.is_none().then_some(authority.as_str());
    write(
        conn,
        Pending {
            dest,
            kind: &n.kind,
            child_id: n.child_id.as_ref().map(|c| c.as_str()),
            authority: &authority,
            sender_la,
            notification_id: Some(&n.id),
            data,
        },
        now,
    )?;
    repo::insert_relay(
        conn,
        &RelayRow {
            notification_id: n.id.clone(),
            direction: "out".into(),
            peer_node: dest.to_string(),
            received_at: None,
            receipt_id: None,
        },
    )
}

/// A notification that came from another node was acknowledged here: the acknowledgement goes
/// back to the sender's node.
pub fn acknowledged(
    conn: &mut AnyConnection,
    n: &NotificationRow,
    at: NaiveDateTime,
    by: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let Some(relay) = repo::relay(conn, &n.id)?.filter(|r| r.direction == "in") else {
        return Ok(());
    };
    let data = EventData {
        acknowledgement: Some(Acknowledgement {
            notification_id: n.id.clone(),
            acknowledged_at: at.and_utc(),
            acknowledged_by: by.to_string(),
        }),
        ..EventData::default()
    };
    write(
        conn,
        Pending {
            dest: &relay.peer_node,
            kind: "notification.acknowledged",
            child_id: n.child_id.as_ref().map(|c| c.as_str()),
            authority: &n.recipient_la,
            sender_la: Some(&n.recipient_la),
            notification_id: Some(&n.id),
            data,
        },
        now,
    )?;
    Ok(())
}

/// A child held here changed: every node hosting one of its placements gets what it may see.
pub fn child_updated(conn: &mut AnyConnection, child_id: &str, now: NaiveDateTime) -> Result<(), ApiError> {
    let Some((c, None)) = repo::child(conn, child_id)? else {
        return Ok(());
    };
    let mut nodes = Vec::new();
    for p in repo::own_placements_of(conn, child_id)? {
        if let Some(node) = repo::home_of(conn, &p.host_area)?
            && !nodes.contains(&node)
        {
            nodes.push(node);
        }
    }
    for dest in nodes {
        let data = EventData { child: Some(child_snapshot(&c)), ..EventData::default() };
        write(
            conn,
            Pending {
                dest: &dest,
                kind: "child.updated",
                child_id: Some(child_id),
                authority: &c.responsible_la,
                sender_la: Some(&c.responsible_la),
                notification_id: None,
                data,
            },
            now,
        )?;
    }
    Ok(())
}

/// A placement held here changed without a notification (a legal status): its host LA's node
/// gets the new state.
pub fn placement_updated(conn: &mut AnyConnection, placement_id: &str, now: NaiveDateTime) -> Result<(), ApiError> {
    let Some((p, None)) = repo::placement(conn, placement_id)? else {
        return Ok(());
    };
    let Some(dest) = repo::home_of(conn, &p.host_area)? else {
        return Ok(());
    };
    let Some((c, _)) = repo::child(conn, p.child_id.as_str())? else {
        return Ok(());
    };
    let data = EventData {
        child: Some(child_snapshot(&c)),
        placement: Some(placement_snapshot(conn, &p)?),
        ..EventData::default()
    };
    write(
        conn,
        Pending {
            dest: &dest,
            kind: "placement.updated",
            child_id: Some(p.child_id.as_str()),
            authority: &p.placing_la,
            sender_la: Some(&p.placing_la),
            notification_id: None,
            data,
        },
        now,
    )?;
    Ok(())
}

/// A missing episode was recorded or changed here: the other node that keeps it gets its new
/// state. For a child projected from another node, that node (the child's record is there); for
/// a child held here placed in an area homed elsewhere, that area's node (its host view).
pub fn episode(conn: &mut AnyConnection, id: &str, now: NaiveDateTime) -> Result<(), ApiError> {
    let Some(e) = repo::episode(conn, id)? else {
        return Ok(());
    };
    let Some((c, origin)) = repo::child(conn, e.child_id.as_str())? else {
        return Ok(());
    };
    let Some((p, _)) = repo::placement(conn, e.placement_id.as_str())? else {
        return Ok(());
    };
    let (dest, authority, sender_la) = match origin {
        Some(origin) => {
            let local_host = repo::home_of(conn, &p.host_area)?.is_none();
            (origin, p.host_area.clone(), local_host.then(|| p.host_area.clone()))
        }
        None => match repo::home_of(conn, &p.host_area)? {
            Some(node) => (node, c.responsible_la.clone(), Some(c.responsible_la.clone())),
            None => return Ok(()),
        },
    };
    let data = EventData { episode: Some(e.clone()), ..EventData::default() };
    write(
        conn,
        Pending {
            dest: &dest,
            kind: "episode.updated",
            child_id: Some(e.child_id.as_str()),
            authority: &authority,
            sender_la: sender_la.as_deref(),
            notification_id: None,
            data,
        },
        now,
    )?;
    Ok(())
}
