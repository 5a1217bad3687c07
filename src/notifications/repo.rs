//! SQL for notifications. The recipient sees its inbox, the sender its sent ones; nobody else.

use crate::db::AnyConnection;
use crate::db::schema::{notifications as n, webhook_deliveries as wd, webhook_endpoints as we};
use crate::error::ApiError;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// A stored notification row.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub kind: String,
    pub recipient_la: String,
    pub sender_org_type: String,
    pub sender_org: String,
    pub child_id: Option<String>,
    pub placement_id: Option<String>,
    pub payload: String,
    pub regulation: Option<String>,
    pub event_date: Option<NaiveDate>,
    pub emergency: bool,
    pub due_by: Option<NaiveDate>,
    pub on_time: Option<bool>,
    pub late_by_working_days: Option<i64>,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
    pub acknowledged_at: Option<NaiveDateTime>,
    pub acknowledged_by: Option<String>,
}

type Tuple = (
    (String, String, String, String, String, Option<String>, Option<String>, String),
    (Option<String>, Option<NaiveDate>, bool, Option<NaiveDate>, Option<bool>, Option<i64>),
    (NaiveDateTime, Option<NaiveDateTime>, Option<NaiveDateTime>, Option<String>),
);

#[allow(clippy::type_complexity)]
const COLUMNS: (
    (n::id, n::kind, n::recipient_la, n::sender_org_type, n::sender_org, n::child_id, n::placement_id, n::payload),
    (n::regulation, n::event_date, n::emergency, n::due_by, n::on_time, n::late_by_working_days),
    (n::created_at, n::delivered_at, n::acknowledged_at, n::acknowledged_by),
) = (
    (n::id, n::kind, n::recipient_la, n::sender_org_type, n::sender_org, n::child_id, n::placement_id, n::payload),
    (n::regulation, n::event_date, n::emergency, n::due_by, n::on_time, n::late_by_working_days),
    (n::created_at, n::delivered_at, n::acknowledged_at, n::acknowledged_by),
);

fn row(t: Tuple) -> Row {
    let (a, b, c) = t;
    Row {
        id: a.0,
        kind: a.1,
        recipient_la: a.2,
        sender_org_type: a.3,
        sender_org: a.4,
        child_id: a.5,
        placement_id: a.6,
        payload: a.7,
        regulation: b.0,
        event_date: b.1,
        emergency: b.2,
        due_by: b.3,
        on_time: b.4,
        late_by_working_days: b.5,
        created_at: c.0,
        delivered_at: c.1,
        acknowledged_at: c.2,
        acknowledged_by: c.3,
    }
}

pub fn insert(conn: &mut AnyConnection, r: &Row) -> Result<(), ApiError> {
    diesel::insert_into(n::table)
        .values((
            (
                n::id.eq(&r.id),
                n::kind.eq(&r.kind),
                n::recipient_la.eq(&r.recipient_la),
                n::sender_org_type.eq(&r.sender_org_type),
                n::sender_org.eq(&r.sender_org),
                n::child_id.eq(&r.child_id),
                n::placement_id.eq(&r.placement_id),
                n::payload.eq(&r.payload),
            ),
            (
                n::regulation.eq(&r.regulation),
                n::event_date.eq(r.event_date),
                n::emergency.eq(r.emergency),
                n::due_by.eq(r.due_by),
                n::on_time.eq(r.on_time),
                n::late_by_working_days.eq(r.late_by_working_days),
            ),
            (n::created_at.eq(r.created_at), n::delivered_at.eq(r.delivered_at)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Queues the notification for every active webhook endpoint of the recipient that wants it.
pub fn enqueue_webhooks(conn: &mut AnyConnection, r: &Row) -> Result<usize, ApiError> {
    let endpoints: Vec<(String, String)> = we::table
        .filter(we::authority.eq(&r.recipient_la))
        .filter(we::disabled_at.is_null())
        .select((we::id, we::event_types))
        .load(conn)?;
    let mut queued = 0;
    for (endpoint_id, types) in endpoints {
        if !types.split_whitespace().any(|t| t == "*" || t == r.kind) {
            continue;
        }
        diesel::insert_into(wd::table)
            .values((
                wd::id.eq(uuid::Uuid::new_v4().to_string()),
                wd::notification_id.eq(&r.id),
                wd::endpoint_id.eq(endpoint_id),
                wd::status.eq("pending"),
                wd::attempts.eq(0i64),
                wd::next_attempt_at.eq(r.created_at),
                wd::created_at.eq(r.created_at),
            ))
            .execute(conn)?;
        queued += 1;
    }
    Ok(queued)
}

/// Which side of a notification the caller reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Inbox,
    Sent,
}

#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub kind: Option<String>,
    pub acknowledged: Option<bool>,
    pub since: Option<NaiveDateTime>,
    /// Created before this instant and unacknowledged: overdue acknowledgements.
    pub unacknowledged_before: Option<NaiveDateTime>,
    /// Created before this instant and undelivered: escalations.
    pub undelivered_before: Option<NaiveDateTime>,
    pub placement_id: Option<String>,
}

pub fn list(
    conn: &mut AnyConnection,
    side: Side,
    org: &str,
    f: &Filter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<Row>, ApiError> {
    let mut q = n::table.select(COLUMNS).into_boxed();
    q = match side {
        Side::Inbox => q.filter(n::recipient_la.eq(org.to_string())),
        Side::Sent => q.filter(n::sender_org.eq(org.to_string())),
    };
    if let Some(k) = &f.kind {
        q = q.filter(n::kind.eq(k.clone()));
    }
    match f.acknowledged {
        Some(true) => q = q.filter(n::acknowledged_at.is_not_null()),
        Some(false) => q = q.filter(n::acknowledged_at.is_null()),
        None => {}
    }
    if let Some(s) = f.since {
        q = q.filter(n::created_at.ge(s));
    }
    if let Some(t) = f.unacknowledged_before {
        q = q.filter(n::acknowledged_at.is_null()).filter(n::created_at.lt(t));
    }
    if let Some(t) = f.undelivered_before {
        q = q.filter(n::delivered_at.is_null()).filter(n::created_at.lt(t));
    }
    if let Some(p) = &f.placement_id {
        q = q.filter(n::placement_id.eq(p.clone()));
    }
    if let Some((t, id)) = after {
        q = q.filter(n::created_at.lt(t).or(n::created_at.eq(t).and(n::id.lt(id))));
    }
    let rows: Vec<Tuple> = q.order((n::created_at.desc(), n::id.desc())).limit(limit + 1).load(conn)?;
    Ok(rows.into_iter().map(row).collect())
}

/// A notification the caller's organisation received or sent.
pub fn find_for(conn: &mut AnyConnection, org: &str, id: &str) -> Result<Option<Row>, ApiError> {
    let r: Option<Tuple> = n::table
        .filter(n::id.eq(id))
        .filter(n::recipient_la.eq(org).or(n::sender_org.eq(org)))
        .select(COLUMNS)
        .first(conn)
        .optional()?;
    Ok(r.map(row))
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<Row>, ApiError> {
    let r: Option<Tuple> = n::table.find(id).select(COLUMNS).first(conn).optional()?;
    Ok(r.map(row))
}

/// Records the acknowledgement unless already acknowledged (the first one stands).
pub fn acknowledge(conn: &mut AnyConnection, id: &str, by: &str, now: NaiveDateTime) -> Result<(), ApiError> {
    diesel::update(n::table.find(id).filter(n::acknowledged_at.is_null()))
        .set((n::acknowledged_at.eq(now), n::acknowledged_by.eq(by)))
        .execute(conn)?;
    diesel::update(n::table.find(id).filter(n::delivered_at.is_null())).set(n::delivered_at.eq(now)).execute(conn)?;
    Ok(())
}

/// Marks notifications delivered (first delivery only).
pub fn mark_delivered(conn: &mut AnyConnection, ids: &[String], now: NaiveDateTime) -> Result<usize, ApiError> {
    if ids.is_empty() {
        return Ok(0);
    }
    Ok(diesel::update(n::table.filter(n::id.eq_any(ids)).filter(n::delivered_at.is_null()))
        .set(n::delivered_at.eq(now))
        .execute(conn)?)
}
