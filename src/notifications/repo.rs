//! SQL for notifications. The recipient sees its inbox, the sender its sent ones; nobody else.

use crate::db::AnyConnection;
use crate::db::schema::{
    authorities, notifications as n, providers, settings, webhook_deliveries as wd, webhook_endpoints as we,
};
use crate::error::ApiError;
use crate::ids::PlacementId;
use chrono::NaiveDateTime;
use diesel::prelude::*;

pub use crate::db::rows::notifications::NotificationRow as Row;

/// Whether an area is an English LA (other areas have no inbox here).
pub fn is_authority(conn: &mut AnyConnection, code: &str) -> Result<bool, ApiError> {
    Ok(authorities::table.find(code).count().get_result::<i64>(conn)? > 0)
}

/// Whether a provider is in the directory.
pub fn is_provider(conn: &mut AnyConnection, id: &str) -> Result<bool, ApiError> {
    Ok(providers::table.find(id).count().get_result::<i64>(conn)? > 0)
}

/// The provider running a setting.
pub fn provider_of(conn: &mut AnyConnection, urn: &str) -> Result<Option<String>, ApiError> {
    Ok(settings::table.find(urn).select(settings::provider_id).first(conn).optional()?)
}

pub fn insert(conn: &mut AnyConnection, r: &Row) -> Result<(), ApiError> {
    diesel::insert_into(n::table).values(r).execute(conn)?;
    Ok(())
}

/// Queues the notification for every active webhook endpoint of the recipient that wants it.
pub fn enqueue_webhooks(conn: &mut AnyConnection, r: &Row) -> Result<usize, ApiError> {
    let endpoints: Vec<(String, String)> = we::table
        .filter(we::authority.eq(&r.recipient_la))
        .filter(we::owner_org_type.eq(&r.recipient_org_type))
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
    pub placement_id: Option<PlacementId>,
}

pub fn list(
    conn: &mut AnyConnection,
    side: Side,
    org_type: &str,
    org: &str,
    f: &Filter,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<Row>, ApiError> {
    let mut q = n::table.select(Row::as_select()).into_boxed();
    q = match side {
        Side::Inbox => {
            q.filter(n::recipient_la.eq(org.to_string())).filter(n::recipient_org_type.eq(org_type.to_string()))
        }
        // What an organisation was told about its own records (a home's admission matched) is in
        // its inbox, not among what it sent.
        Side::Sent => q
            .filter(n::sender_org.eq(org.to_string()))
            .filter(n::sender_org_type.eq(org_type.to_string()))
            .filter(n::recipient_la.ne(org.to_string()).or(n::recipient_org_type.ne(org_type.to_string()))),
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
    Ok(q.order((n::created_at.desc(), n::id.desc())).limit(limit + 1).load(conn)?)
}

/// A notification the caller's organisation received or sent.
pub fn find_for(conn: &mut AnyConnection, org_type: &str, org: &str, id: &str) -> Result<Option<Row>, ApiError> {
    Ok(n::table
        .filter(n::id.eq(id))
        .filter(
            (n::recipient_la.eq(org).and(n::recipient_org_type.eq(org_type)))
                .or(n::sender_org.eq(org).and(n::sender_org_type.eq(org_type))),
        )
        .select(Row::as_select())
        .first(conn)
        .optional()?)
}

pub fn find(conn: &mut AnyConnection, id: &str) -> Result<Option<Row>, ApiError> {
    Ok(n::table.find(id).select(Row::as_select()).first(conn).optional()?)
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
