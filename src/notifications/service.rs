//! Writing notifications (always inside the caller's transaction) and presenting them.

use super::model::{Notification, NotificationQuery, Relay, StatutoryStatus};
use super::repo::{self, Filter, Row, Side};
use super::statutory::{self, Statutory};
use crate::auth::{Caller, OrgType};
use crate::calendar::WorkingCalendar;
use crate::clock::{date_of, london_midnight};
use crate::db::AnyConnection;
use crate::db::rows::placements::PlacementRecord;
use crate::error::ApiError;
use crate::http::{Page, PageQuery};
use crate::ids::{ChildId, PlacementId};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};

/// What to notify.
pub struct Message<'a> {
    pub kind: &'static str,
    pub recipient: &'a str,
    pub sender_type: OrgType,
    pub sender: &'a str,
    pub child_id: Option<&'a ChildId>,
    pub placement_id: Option<&'a PlacementId>,
    pub payload: serde_json::Value,
    pub statutory: Option<Statutory>,
}

/// Writes a notification to an LA and queues its webhook deliveries, in the caller's
/// transaction. Areas that are not English LAs (Wales, Scotland, Northern Ireland) have no inbox
/// here: None.
pub fn emit(conn: &mut AnyConnection, m: Message<'_>, now: NaiveDateTime) -> Result<Option<String>, ApiError> {
    if !repo::is_authority(conn, m.recipient)? {
        return Ok(None);
    }
    write(conn, m, OrgType::Authority, None, now)
}

/// Writes a notification to a provider (its inbox and webhooks are on this node) and queues its
/// webhook deliveries, in the caller's transaction. None when the provider is not known.
pub fn emit_to_provider(
    conn: &mut AnyConnection,
    m: Message<'_>,
    now: NaiveDateTime,
) -> Result<Option<String>, ApiError> {
    if !repo::is_provider(conn, m.recipient)? {
        return Ok(None);
    }
    write(conn, m, OrgType::Provider, None, now)
}

/// Writes an alert of the registry's own clocks (sender type `registry`; `m.sender` is the LA
/// the alert speaks for) to an LA or a provider, in the caller's transaction.
pub fn emit_alert(
    conn: &mut AnyConnection,
    m: Message<'_>,
    recipient_type: OrgType,
    now: NaiveDateTime,
) -> Result<Option<String>, ApiError> {
    let known = match recipient_type {
        OrgType::Provider => repo::is_provider(conn, m.recipient)?,
        _ => repo::is_authority(conn, m.recipient)?,
    };
    if !known {
        return Ok(None);
    }
    write(conn, m, recipient_type, Some(REGISTRY_SENDER), now)
}

/// The sender type of alerts the registry raises itself.
pub const REGISTRY_SENDER: &str = "registry";

/// Writes a notification to the provider running the setting `urn`, if it is known.
pub fn emit_to_setting(
    conn: &mut AnyConnection,
    urn: &str,
    m: Message<'_>,
    now: NaiveDateTime,
) -> Result<Option<String>, ApiError> {
    let Some(provider) = repo::provider_of(conn, urn)? else {
        return Ok(None);
    };
    emit_to_provider(conn, Message { recipient: &provider, ..m }, now)
}

fn write(
    conn: &mut AnyConnection,
    m: Message<'_>,
    recipient_type: OrgType,
    sender_type: Option<&str>,
    now: NaiveDateTime,
) -> Result<Option<String>, ApiError> {
    let s = m.statutory;
    let r = Row {
        // Time-ordered, so notifications created in the same instant list in creation order.
        id: uuid::Uuid::now_v7().to_string(),
        kind: m.kind.to_string(),
        recipient_la: m.recipient.to_string(),
        sender_org_type: sender_type.unwrap_or(m.sender_type.as_str()).to_string(),
        sender_org: m.sender.to_string(),
        child_id: m.child_id.cloned(),
        placement_id: m.placement_id.cloned(),
        payload: m.payload.to_string(),
        regulation: s.as_ref().map(|s| s.regulation.to_string()),
        event_date: s.as_ref().map(|s| s.event_date),
        emergency: s.as_ref().is_some_and(|s| s.emergency),
        due_by: s.as_ref().map(|s| s.due_by),
        on_time: s.as_ref().map(|s| s.on_time),
        late_by_working_days: s.as_ref().map(|s| s.late_by_working_days),
        created_at: now,
        delivered_at: None,
        acknowledged_at: None,
        acknowledged_by: None,
        recipient_org_type: recipient_type.as_str().to_string(),
    };
    repo::insert(conn, &r)?;
    if recipient_type != OrgType::Authority {
        repo::enqueue_webhooks(conn, &r)?;
        return Ok(Some(r.id));
    }
    match crate::peers::repo::home_of(conn, &r.recipient_la)? {
        // The recipient's inbox and webhooks are on its own node: the notification goes there.
        Some(node) => crate::peers::outbox::notification(conn, &r, &node, now)?,
        None => {
            repo::enqueue_webhooks(conn, &r)?;
        }
    }
    Ok(Some(r.id))
}

/// The codes and ids of a placement, as carried in notifications (no personal data).
pub fn placement_payload(p: &PlacementRecord, legal_status: Option<&str>) -> serde_json::Value {
    serde_json::json!({
        "placement_id": p.id,
        "child_id": p.child_id,
        "placing_la": p.placing_la,
        "host_area": p.host_area,
        "urn": p.urn,
        "place": p.place,
        "place_provider": p.place_provider,
        "legal_status": legal_status,
        "start_date": p.start_date,
        "end_date": p.end_date,
        "rec": p.rec,
        "reason_place_change": p.reason_place_change,
        "emergency": p.emergency,
    })
}

fn placement_message<'a>(
    kind: &'static str,
    p: &'a PlacementRecord,
    recipient: &'a str,
    payload: serde_json::Value,
    statutory: Option<Statutory>,
) -> Message<'a> {
    Message {
        kind,
        recipient,
        sender_type: OrgType::Authority,
        sender: &p.placing_la,
        child_id: Some(&p.child_id),
        placement_id: Some(&p.id),
        payload,
        statutory,
    }
}

/// The same placement message to the provider running the placement's setting, if any
/// (no statutory clock: the regulations bind the placing LA to the host LA).
fn to_provider(
    conn: &mut AnyConnection,
    kind: &'static str,
    p: &PlacementRecord,
    urn: Option<&str>,
    payload: serde_json::Value,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    if let Some(urn) = urn {
        emit_to_setting(conn, urn, placement_message(kind, p, "", payload, None), now)?;
    }
    Ok(())
}

/// `placement.started` to the host LA when it is not the placing LA, with the reg 13(4) clock,
/// and to the provider of the setting.
pub fn placement_started(
    conn: &mut AnyConnection,
    cal: &WorkingCalendar,
    p: &PlacementRecord,
    ls: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    to_provider(conn, "placement.started", p, p.urn.as_deref(), placement_payload(p, Some(ls)), now)?;
    if p.host_area == p.placing_la {
        return Ok(());
    }
    let clock = statutory::placement_start(cal, p.start_date, p.emergency, date_of(now));
    emit(
        conn,
        placement_message("placement.started", p, &p.host_area, placement_payload(p, Some(ls)), Some(clock)),
        now,
    )?;
    Ok(())
}

/// `placement.ended` to the host LA when it is not the placing LA, with the reg 14 clock, and to
/// the provider of the setting.
pub fn placement_ended(
    conn: &mut AnyConnection,
    cal: &WorkingCalendar,
    p: &PlacementRecord,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    if p.end_date.is_some() {
        to_provider(conn, "placement.ended", p, p.urn.as_deref(), placement_payload(p, None), now)?;
    }
    let Some(end) = p.end_date.filter(|_| p.host_area != p.placing_la) else {
        return Ok(());
    };
    let clock = statutory::placement_end(cal, end, date_of(now));
    emit(conn, placement_message("placement.ended", p, &p.host_area, placement_payload(p, None), Some(clock)), now)?;
    Ok(())
}

/// `placement.changed` to the host LA, and to the previous one when the change moved the child
/// from one area to another; to the provider of the setting (and of the previous one, when the
/// change moved the placement to another setting).
pub fn placement_changed(
    conn: &mut AnyConnection,
    before: &PlacementRecord,
    after: &PlacementRecord,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let mut payload = placement_payload(after, None);
    if before.host_area != after.host_area {
        payload["previous_host_area"] = serde_json::Value::String(before.host_area.clone());
    }
    let mut recipients = vec![after.host_area.as_str()];
    if before.host_area != after.host_area {
        recipients.push(before.host_area.as_str());
    }
    for r in recipients.into_iter().filter(|r| *r != after.placing_la) {
        emit(conn, placement_message("placement.changed", after, r, payload.clone(), None), now)?;
    }
    to_provider(conn, "placement.changed", after, after.urn.as_deref(), payload.clone(), now)?;
    if before.urn.is_some() && before.urn != after.urn {
        let mut moved = payload;
        moved["previous_urn"] = serde_json::json!(before.urn);
        to_provider(conn, "placement.changed", after, before.urn.as_deref(), moved, now)?;
    }
    Ok(())
}

/// Presents a notification as of `now`.
pub fn view(r: Row, cal: &WorkingCalendar, ack_days: u32, now: NaiveDateTime) -> Notification {
    let ack_due = statutory::acknowledgement_due(cal, date_of(r.created_at), ack_days);
    let statutory = match (r.regulation, r.event_date, r.due_by, r.on_time) {
        (Some(regulation), Some(event_date), Some(due_by), Some(on_time)) => Some(StatutoryStatus {
            regulation,
            event_date,
            emergency: r.emergency,
            due_by,
            status: if on_time { "on_time" } else { "late" }.to_string(),
            late_by_working_days: r.late_by_working_days.unwrap_or_default(),
        }),
        _ => None,
    };
    Notification {
        acknowledgement_overdue: r.acknowledged_at.is_none() && date_of(now) > ack_due,
        escalated: r.delivered_at.is_none() && now - r.created_at > TimeDelta::hours(24),
        id: r.id,
        kind: r.kind,
        recipient_la: (r.recipient_org_type == "authority").then(|| r.recipient_la.clone()),
        recipient_org_type: r.recipient_org_type,
        recipient_org: r.recipient_la,
        sender_org_type: r.sender_org_type,
        sender_org: r.sender_org,
        child_id: r.child_id.map(String::from),
        placement_id: r.placement_id.map(String::from),
        payload: serde_json::from_str(&r.payload).unwrap_or(serde_json::Value::Null),
        statutory,
        created_at: r.created_at.and_utc(),
        delivered_at: r.delivered_at.map(|t| t.and_utc()),
        acknowledged_at: r.acknowledged_at.map(|t| t.and_utc()),
        acknowledged_by: r.acknowledged_by,
        acknowledgement_due_by: ack_due,
        relay: None,
    }
}

/// Adds to notifications their passage between nodes, where they crossed one.
pub fn with_relays(conn: &mut AnyConnection, mut items: Vec<Notification>) -> Result<Vec<Notification>, ApiError> {
    let ids: Vec<String> = items.iter().map(|n| n.id.clone()).collect();
    let relays = crate::peers::repo::relays_of(conn, &ids)?;
    for n in &mut items {
        if let Some(r) = relays.iter().find(|r| r.notification_id == n.id) {
            n.relay = Some(Relay {
                direction: r.direction.clone(),
                node: r.peer_node.clone(),
                received_at: r.received_at.map(|t| t.and_utc()),
                receipt_id: r.receipt_id.clone(),
            });
            // At the sender's node, a notification is delivered when the recipient's node has it.
            if r.direction == "out" && n.delivered_at.is_none() {
                n.delivered_at = r.received_at.map(|t| t.and_utc());
                n.escalated = n.escalated && r.received_at.is_none();
            }
        }
    }
    Ok(items)
}

/// The instant before which unacknowledged notifications are overdue on `today` (a date in
/// England): the start, in England, of the day after the latest overdue creation date.
pub fn overdue_before(cal: &WorkingCalendar, today: NaiveDate, ack_days: u32) -> NaiveDateTime {
    let cutoff = statutory::overdue_cutoff(cal, today, ack_days);
    london_midnight(cutoff.succ_opt().unwrap_or(cutoff))
}

/// A page of the caller's inbox or sent notifications, newest first. Reading the inbox marks
/// what it shows delivered.
pub fn list(
    conn: &mut AnyConnection,
    caller: &Caller,
    side: Side,
    q: NotificationQuery,
    cal: &WorkingCalendar,
    ack_days: u32,
    now: NaiveDateTime,
) -> Result<Page<Notification>, ApiError> {
    let page = PageQuery { limit: q.limit, cursor: q.cursor };
    let limit = page.limit()?;
    let after = page.after_pair::<DateTime<Utc>>()?.map(|(t, id)| (t.naive_utc(), id));
    let filter = Filter {
        kind: q.kind.map(|k| k.as_str().to_string()),
        acknowledged: q.acknowledged,
        since: q.since.map(|t| t.0.naive_utc()),
        unacknowledged_before: q
            .acknowledgement_overdue
            .filter(|b| *b)
            .map(|_| overdue_before(cal, date_of(now), ack_days)),
        undelivered_before: q.escalated.filter(|b| *b).map(|_| now - TimeDelta::hours(24)),
        placement_id: q.placement_id.map(PlacementId::from),
    };
    let rows = repo::list(conn, side, caller.org_type.as_str(), &caller.org, &filter, after, limit)?;
    if side == Side::Inbox {
        let ids: Vec<String> = rows.iter().filter(|r| r.delivered_at.is_none()).map(|r| r.id.clone()).collect();
        repo::mark_delivered(conn, &ids, now)?;
    }
    let items = with_relays(conn, rows.into_iter().map(|r| view(r, cal, ack_days, now)).collect())?;
    Ok(Page::from_rows(items, limit, |n: &Notification| vec![n.created_at.to_rfc3339(), n.id.clone()]))
}

/// One notification its recipient or sender reads.
pub fn read(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    cal: &WorkingCalendar,
    ack_days: u32,
    now: NaiveDateTime,
) -> Result<Notification, ApiError> {
    let r = repo::find_for(conn, caller.org_type.as_str(), &caller.org, id)?.ok_or(ApiError::NotFound)?;
    Ok(with_relays(conn, vec![view(r, cal, ack_days, now)])?.remove(0))
}

/// Records the recipient's acknowledgement (the first one stands).
pub fn acknowledge(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    cal: &WorkingCalendar,
    ack_days: u32,
    now: NaiveDateTime,
) -> Result<Notification, ApiError> {
    crate::db::write_tx(conn, |conn| {
        let r = repo::find_for(conn, caller.org_type.as_str(), &caller.org, id)?.ok_or(ApiError::NotFound)?;
        if r.recipient_la != caller.org || r.recipient_org_type != caller.org_type.as_str() {
            return Err(ApiError::forbidden("Only the recipient acknowledges a notification."));
        }
        if r.acknowledged_at.is_none() {
            repo::acknowledge(conn, id, &caller.sub, now)?;
            crate::peers::outbox::acknowledged(conn, &r, now, &caller.sub, now)?;
        }
        let r = repo::find(conn, id)?.ok_or(ApiError::NotFound)?;
        Ok(with_relays(conn, vec![view(r, cal, ack_days, now)])?.remove(0))
    })
}
