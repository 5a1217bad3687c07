//! The rules of each alert: which clock, which records, who is told. A round looks at every
//! clock once; each alert is written with its key (one alert per clock per record), a batch of
//! them to a transaction, so a round that fails half-way, or two rounds at once, never tell
//! anyone twice.

use super::repo::{self, Episode};
use crate::auth::OrgType;
use crate::calendar::WorkingCalendar;
use crate::clock::{london_date, london_midnight};
use crate::db::{AnyConnection, write_tx};
use crate::error::ApiError;
use crate::flags::{REPEAT_THRESHOLD, REPEAT_WINDOW_DAYS, RETURN_INTERVIEW_HOURS};
use crate::ids::{ChildId, PlacementId};
use crate::notifications::service::{Message, emit_alert, overdue_before};
use crate::period::Quarter;
use chrono::{NaiveDateTime, TimeDelta};
use std::collections::BTreeMap;

pub const RETURN_INTERVIEW_OVERDUE: &str = "return_interview.overdue";
pub const MISSING_LONG: &str = "missing.long";
pub const REPEAT_MISSING: &str = "child.repeat_missing";
pub const RETURN_DUE_SOON: &str = "return.due_soon";
pub const RETURN_LATE: &str = "return.late";
pub const RETURN_MISSING: &str = "return.missing";
pub const ACKNOWLEDGEMENT_OVERDUE: &str = "notification.acknowledgement_overdue";
pub const UNDELIVERED: &str = "notification.undelivered";

/// Days before its due date that a return not yet submitted is `return.due_soon`.
pub const RETURN_DUE_SOON_DAYS: i64 = 7;
/// Days after its due date that a return still not submitted is `return.missing`.
pub const RETURN_MISSING_AFTER_DAYS: i64 = 28;
/// Hours after which an undelivered notification is reported to its sender.
pub const UNDELIVERED_HOURS: i64 = 24;

/// What the clocks depend on.
pub struct Clocks<'a> {
    pub calendar: &'a WorkingCalendar,
    pub ack_days: u32,
    pub return_due_days: u32,
    pub missing_long_hours: u32,
    pub now: NaiveDateTime,
    /// Episodes read per page by the repeat-missing scan ([`PAGE`] in the worker).
    pub page: i64,
}

/// Episodes the repeat-missing scan reads per page.
pub const PAGE: i64 = 2_000;

/// An alert to raise.
struct Alert<'a> {
    kind: &'static str,
    /// The record the clock belongs to (an episode, a setting, a notification).
    subject: &'a str,
    /// The clock's instance, when a record has several (a quarter).
    instance: Option<&'a str>,
    recipients: Vec<(OrgType, String)>,
    /// The LA the alert speaks for.
    speaks_for: &'a str,
    child_id: Option<ChildId>,
    placement_id: Option<PlacementId>,
    payload: serde_json::Value,
}

/// Checks every clock once; how many alerts were raised.
pub fn scan(conn: &mut AnyConnection, c: &Clocks<'_>) -> Result<usize, ApiError> {
    Ok(interviews_overdue(conn, c)?
        + missing_long(conn, c)?
        + repeat_missing(conn, c)?
        + returns(conn, c)?
        + notifications(conn, c)?)
}

/// Alerts written per transaction. A round can owe thousands (after an outage, or over years of
/// imported history): one commit each made a round over the seeded nation commit 1,627 times in
/// 12 s. A batch keeps a SQLite writer waiting for one batch at most.
const PER_TX: usize = 100;

impl Alert<'_> {
    fn key(&self) -> String {
        match self.instance {
            Some(i) => format!("{}:{}:{}", self.kind, self.subject, i),
            None => format!("{}:{}", self.kind, self.subject),
        }
    }
}

/// Writes the alerts not yet raised, with their notifications, [`PER_TX`] to a transaction; how
/// many were new. A batch that fails, because another worker raised one of its alerts meanwhile
/// (its lease having lapsed), is written again an alert at a time, so that the key keeps that
/// one to one and the others are still told.
fn raise_all(conn: &mut AnyConnection, alerts: Vec<Alert<'_>>, now: NaiveDateTime) -> Result<usize, ApiError> {
    let keyed: Vec<(String, Alert<'_>)> = alerts.into_iter().map(|a| (a.key(), a)).collect();
    let raised = repo::raised_among(conn, &keyed.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>())?;
    let fresh: Vec<_> = keyed.into_iter().filter(|(k, _)| !raised.contains(k)).collect();
    let mut n = 0;
    for batch in fresh.chunks(PER_TX) {
        let written = write_tx(conn, |conn| {
            for (key, a) in batch {
                write(conn, key, a, now)?;
            }
            Ok::<_, ApiError>(batch.len())
        });
        n += match written {
            Ok(k) => k,
            Err(_) => {
                let mut k = 0;
                for (key, a) in batch {
                    k += usize::from(raise(conn, key, a, now)?);
                }
                k
            }
        };
    }
    Ok(n)
}

/// Writes one alert in its own transaction, once: false when it was already raised.
fn raise(conn: &mut AnyConnection, key: &str, a: &Alert<'_>, now: NaiveDateTime) -> Result<bool, ApiError> {
    if repo::raised(conn, key)? {
        return Ok(false);
    }
    match write_tx(conn, |conn| write(conn, key, a, now)) {
        Ok(()) => Ok(true),
        // Another worker raised it meanwhile: the key kept it to one.
        Err(_) if repo::raised(conn, key)? => Ok(false),
        Err(e) => Err(e),
    }
}

/// The alert's key and its notifications, in the caller's transaction (the key is unique).
fn write(conn: &mut AnyConnection, key: &str, a: &Alert<'_>, now: NaiveDateTime) -> Result<(), ApiError> {
    repo::insert(conn, key, a.kind, a.subject, now)?;
    let mut told: Vec<&(OrgType, String)> = Vec::new();
    for r in &a.recipients {
        if told.contains(&r) {
            continue;
        }
        told.push(r);
        let m = Message {
            kind: a.kind,
            recipient: &r.1,
            sender_type: OrgType::Authority,
            sender: a.speaks_for,
            child_id: a.child_id.as_ref(),
            placement_id: a.placement_id.as_ref(),
            payload: a.payload.clone(),
            statutory: None,
        };
        emit_alert(conn, m, r.0, now)?;
    }
    Ok(())
}

fn episode_las(e: &Episode) -> Vec<(OrgType, String)> {
    [&e.placing_la, &e.host_area].into_iter().flatten().map(|la| (OrgType::Authority, la.clone())).collect()
}

fn episode_alert<'a>(kind: &'static str, e: &'a Episode, payload: serde_json::Value) -> Option<Alert<'a>> {
    let speaks_for = e.placing_la.as_deref().or(e.host_area.as_deref())?;
    Some(Alert {
        kind,
        subject: &e.id,
        instance: None,
        recipients: episode_las(e),
        speaks_for,
        child_id: Some(ChildId::from(e.child_id.clone())),
        placement_id: Some(PlacementId::from(e.placement_id.clone())),
        payload,
    })
}

fn episode_payload(e: &Episode) -> serde_json::Value {
    serde_json::json!({
        "episode_id": e.id,
        "child_id": e.child_id,
        "placement_id": e.placement_id,
        "placing_la": e.placing_la,
        "host_area": e.host_area,
        "started_at": e.started_at.and_utc(),
        "ended_at": e.ended_at.map(|t| t.and_utc()),
    })
}

/// `return_interview.overdue`: 72 hours after a return, no interview recorded.
fn interviews_overdue(conn: &mut AnyConnection, c: &Clocks<'_>) -> Result<usize, ApiError> {
    let hours = TimeDelta::hours(RETURN_INTERVIEW_HOURS);
    let episodes = repo::interviews_overdue(conn, RETURN_INTERVIEW_OVERDUE, c.now - hours)?;
    let alerts = episodes.iter().filter_map(|e| {
        let mut payload = episode_payload(e);
        payload["due_by"] = serde_json::json!(e.ended_at.map(|t| (t + hours).and_utc()));
        episode_alert(RETURN_INTERVIEW_OVERDUE, e, payload)
    });
    raise_all(conn, alerts.collect(), c.now)
}

/// `missing.long`: a child missing for longer than the configured hours.
fn missing_long(conn: &mut AnyConnection, c: &Clocks<'_>) -> Result<usize, ApiError> {
    let hours = TimeDelta::hours(i64::from(c.missing_long_hours));
    let episodes = repo::missing_since(conn, MISSING_LONG, c.now - hours)?;
    let alerts = episodes.iter().filter_map(|e| {
        let mut payload = episode_payload(e);
        payload["missing_hours"] = serde_json::json!(c.missing_long_hours);
        episode_alert(MISSING_LONG, e, payload)
    });
    raise_all(conn, alerts.collect(), c.now)
}

/// `child.repeat_missing`: the episode that brings a child to 3 episodes starting within 90
/// days (the rule of the host view's flag) when it had fewer just before.
fn repeat_missing(conn: &mut AnyConnection, c: &Clocks<'_>) -> Result<usize, ApiError> {
    let window = TimeDelta::days(REPEAT_WINDOW_DAYS);
    let recent = c.now - window;
    let mut n = 0;
    let mut after: Option<String> = None;
    loop {
        // A page of children's episodes; the last child of a full page is read again whole.
        let page = repo::started_between(conn, recent - window, c.now, after.as_deref(), c.page)?;
        let full = page.len() as i64 == c.page;
        let mut by_child: BTreeMap<String, Vec<Episode>> = BTreeMap::new();
        for e in page {
            by_child.entry(e.child_id.clone()).or_default().push(e);
        }
        if full && let Some((last, _)) = by_child.pop_last() {
            by_child.insert(last.clone(), repo::episodes_of(conn, &last, recent - window, c.now)?);
        }
        let alerts = by_child.values().flat_map(|episodes| repeat_alerts(episodes, recent, window));
        n += raise_all(conn, alerts.collect(), c.now)?;
        match by_child.keys().next_back() {
            Some(last) if full => after = Some(last.clone()),
            _ => return Ok(n),
        }
    }
}

/// The `child.repeat_missing` alerts of one child's episodes (oldest first) that started since
/// `recent`.
fn repeat_alerts(episodes: &[Episode], recent: NaiveDateTime, window: TimeDelta) -> Vec<Alert<'_>> {
    let mut alerts = Vec::new();
    for e in episodes.iter().filter(|e| e.started_at >= recent) {
        let within =
            episodes.iter().filter(|o| o.started_at >= e.started_at - window && o.started_at <= e.started_at).count()
                as i64;
        if within != REPEAT_THRESHOLD {
            continue;
        }
        let mut payload = episode_payload(e);
        payload["episodes_in_90_days"] = serde_json::json!(within);
        alerts.extend(episode_alert(REPEAT_MISSING, e, payload));
    }
    alerts
}

/// `return.due_soon`, `return.late` and `return.missing` for the last two quarters, by the date
/// in England.
fn returns(conn: &mut AnyConnection, c: &Clocks<'_>) -> Result<usize, ApiError> {
    let today = london_date(c.now);
    let last = Quarter::containing(today).prev();
    let mut n = 0;
    for q in [last, last.prev()] {
        let due = q.return_due(c.return_due_days);
        let kind = if today > due + TimeDelta::days(RETURN_MISSING_AFTER_DAYS) {
            RETURN_MISSING
        } else if today > due {
            RETURN_LATE
        } else if today >= due - TimeDelta::days(RETURN_DUE_SOON_DAYS) {
            RETURN_DUE_SOON
        } else {
            continue;
        };
        let period = q.to_string();
        // A home registered after the quarter ended owes no return for it.
        let end = london_midnight(q.last_day() + TimeDelta::days(1));
        let settings = repo::settings_without_return(conn, &period, end)?;
        let alerts = settings.iter().map(|(urn, provider, host)| Alert {
            kind,
            subject: urn,
            instance: Some(&period),
            recipients: vec![(OrgType::Provider, provider.clone()), (OrgType::Authority, host.clone())],
            speaks_for: host,
            child_id: None,
            placement_id: None,
            payload: serde_json::json!({"urn": urn, "period": period, "due_by": due, "host_area": host}),
        });
        n += raise_all(conn, alerts.collect(), c.now)?;
    }
    Ok(n)
}

/// `notification.acknowledgement_overdue` and `notification.undelivered`, to the sender.
fn notifications(conn: &mut AnyConnection, c: &Clocks<'_>) -> Result<usize, ApiError> {
    let overdue = overdue_before(c.calendar, london_date(c.now), c.ack_days);
    let stale = c.now - TimeDelta::hours(UNDELIVERED_HOURS);
    let mut n = 0;
    for (kind, before, undelivered) in [(ACKNOWLEDGEMENT_OVERDUE, overdue, false), (UNDELIVERED, stale, true)] {
        let waiting = repo::notifications_waiting(conn, kind, before, undelivered)?;
        let alerts = waiting.iter().map(|(id, original, recipient, sender_type, sender, child)| {
            let sender_type = if sender_type == "provider" { OrgType::Provider } else { OrgType::Authority };
            Alert {
                kind,
                subject: id,
                instance: None,
                recipients: vec![(sender_type, sender.clone())],
                speaks_for: if sender_type == OrgType::Authority { sender } else { recipient },
                child_id: child.clone().map(ChildId::from),
                placement_id: None,
                payload: serde_json::json!({"notification_id": id, "type": original, "recipient_la": recipient}),
            }
        });
        n += raise_all(conn, alerts.collect(), c.now)?;
    }
    Ok(n)
}
