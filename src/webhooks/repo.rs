//! SQL for webhook endpoints, deliveries and attempts. An LA sees only its own endpoints.

use super::model::{Attempt, Delivery, DeliveryStatus, Webhook};
use super::service;
use crate::db::schema::{
    notifications as n, webhook_attempts as wa, webhook_deliveries as wd, webhook_endpoints as we,
};
use crate::db::{AnyConnection, write_tx};
use crate::error::ApiError;
use chrono::NaiveDateTime;
use diesel::prelude::*;

type EndpointTuple = (String, String, String, String, NaiveDateTime, Option<NaiveDateTime>);

const ENDPOINT_COLUMNS: (we::id, we::authority, we::url, we::event_types, we::created_at, we::disabled_at) =
    (we::id, we::authority, we::url, we::event_types, we::created_at, we::disabled_at);

fn endpoint(t: EndpointTuple) -> Webhook {
    Webhook {
        id: t.0,
        authority: t.1,
        url: t.2,
        event_types: service::event_types(&t.3),
        created_at: t.4.and_utc(),
        disabled_at: t.5.map(|d| d.and_utc()),
    }
}

pub struct NewEndpoint<'a> {
    pub id: &'a str,
    pub authority: &'a str,
    pub url: &'a str,
    pub event_types: &'a str,
    pub secret: &'a str,
    pub created_at: NaiveDateTime,
}

pub fn insert_endpoint(conn: &mut AnyConnection, e: &NewEndpoint<'_>) -> Result<(), ApiError> {
    diesel::insert_into(we::table)
        .values((
            we::id.eq(e.id),
            we::authority.eq(e.authority),
            we::url.eq(e.url),
            we::event_types.eq(e.event_types),
            we::secret.eq(e.secret),
            we::created_at.eq(e.created_at),
        ))
        .execute(conn)?;
    Ok(())
}

/// An active endpoint of the LA (a deleted one is gone for the API).
pub fn find_endpoint(conn: &mut AnyConnection, la: &str, id: &str) -> Result<Option<Webhook>, ApiError> {
    let r: Option<EndpointTuple> = we::table
        .filter(we::id.eq(id))
        .filter(we::authority.eq(la))
        .filter(we::disabled_at.is_null())
        .select(ENDPOINT_COLUMNS)
        .first(conn)
        .optional()?;
    Ok(r.map(endpoint))
}

/// The LA's endpoints, newest first, after the (created_at, id) of the previous page.
pub fn list_endpoints(
    conn: &mut AnyConnection,
    la: &str,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<Webhook>, ApiError> {
    let mut q = we::table
        .filter(we::authority.eq(la.to_string()))
        .filter(we::disabled_at.is_null())
        .select(ENDPOINT_COLUMNS)
        .into_boxed();
    if let Some((t, id)) = after {
        q = q.filter(we::created_at.lt(t).or(we::created_at.eq(t).and(we::id.lt(id))));
    }
    let rows: Vec<EndpointTuple> = q.order((we::created_at.desc(), we::id.desc())).limit(limit + 1).load(conn)?;
    Ok(rows.into_iter().map(endpoint).collect())
}

/// Disables an endpoint of the LA and cancels its pending deliveries. False when the LA has no
/// such endpoint; disabling twice keeps the first time.
pub fn disable_endpoint(conn: &mut AnyConnection, la: &str, id: &str, now: NaiveDateTime) -> Result<bool, ApiError> {
    write_tx(conn, |conn| {
        let found: i64 = we::table.filter(we::id.eq(id)).filter(we::authority.eq(la)).count().get_result(conn)?;
        if found == 0 {
            return Ok(false);
        }
        diesel::update(we::table.find(id).filter(we::disabled_at.is_null()))
            .set(we::disabled_at.eq(now))
            .execute(conn)?;
        diesel::update(
            wd::table.filter(wd::endpoint_id.eq(id)).filter(wd::status.eq(DeliveryStatus::Pending.as_str())),
        )
        .set((
            wd::status.eq(DeliveryStatus::Cancelled.as_str()),
            wd::locked_by.eq(None::<String>),
            wd::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
        Ok(true)
    })
}

type DeliveryTuple =
    ((String, String, String, String, i64), (NaiveDateTime, Option<NaiveDateTime>, Option<String>, NaiveDateTime));

type AttemptTuple = (String, NaiveDateTime, Option<i64>, Option<String>, i64);

/// Deliveries to an endpoint, newest first, each with its attempts (oldest first).
pub fn list_deliveries(
    conn: &mut AnyConnection,
    endpoint_id: &str,
    status: Option<DeliveryStatus>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<Delivery>, ApiError> {
    let mut q = wd::table
        .inner_join(n::table)
        .filter(wd::endpoint_id.eq(endpoint_id.to_string()))
        .select((
            (wd::id, wd::notification_id, n::kind, wd::status, wd::attempts),
            (wd::next_attempt_at, wd::delivered_at, wd::last_error, wd::created_at),
        ))
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(wd::status.eq(s.as_str()));
    }
    if let Some((t, id)) = after {
        q = q.filter(wd::created_at.lt(t).or(wd::created_at.eq(t).and(wd::id.lt(id))));
    }
    let rows: Vec<DeliveryTuple> = q.order((wd::created_at.desc(), wd::id.desc())).limit(limit + 1).load(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.0.0.clone()).collect();
    let attempts: Vec<AttemptTuple> = wa::table
        .filter(wa::delivery_id.eq_any(&ids))
        .select((wa::delivery_id, wa::attempted_at, wa::status_code, wa::error, wa::duration_ms))
        .order((wa::attempted_at.asc(), wa::id.asc()))
        .load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for ((id, notification_id, kind, status, count), (next, delivered_at, last_error, created_at)) in rows {
        let status =
            DeliveryStatus::parse(&status).ok_or_else(|| ApiError::internal("bad status in webhook_deliveries"))?;
        let attempts = attempts
            .iter()
            .filter(|a| a.0 == id)
            .map(|a| Attempt {
                attempted_at: a.1.and_utc(),
                status_code: a.2.and_then(|c| u16::try_from(c).ok()),
                error: a.3.clone(),
                duration_ms: a.4,
            })
            .collect();
        out.push(Delivery {
            id,
            notification_id,
            notification_type: kind,
            status,
            attempt_count: count,
            next_attempt_at: (status == DeliveryStatus::Pending).then(|| next.and_utc()),
            delivered_at: delivered_at.map(|t| t.and_utc()),
            last_error,
            created_at: created_at.and_utc(),
            attempts,
        });
    }
    Ok(out)
}

/// Claims up to `limit` due deliveries for `worker` until `until`: pending, due, to an active
/// endpoint, and not leased by a live worker. Each claim is a conditional UPDATE that only
/// succeeds while the lease is free, so two workers (or processes) never hold the same delivery;
/// on PostgreSQL the candidates are also picked `FOR UPDATE SKIP LOCKED` so concurrent workers
/// do not wait on each other.
pub fn claim(
    conn: &mut AnyConnection,
    worker: &str,
    now: NaiveDateTime,
    until: NaiveDateTime,
    limit: i64,
) -> Result<Vec<String>, ApiError> {
    write_tx(conn, |conn| {
        let active = we::table.filter(we::disabled_at.is_null()).select(we::id);
        let due = wd::table
            .filter(wd::status.eq(DeliveryStatus::Pending.as_str()))
            .filter(wd::next_attempt_at.le(now))
            .filter(wd::locked_until.is_null().or(wd::locked_until.le(now)))
            .filter(wd::endpoint_id.eq_any(active))
            .select(wd::id)
            .order((wd::next_attempt_at.asc(), wd::id.asc()))
            .limit(limit);
        let candidates: Vec<String> = match &mut *conn {
            AnyConnection::Postgresql(pg) => due.for_update().skip_locked().load(pg)?,
            _ => due.load(conn)?,
        };
        let mut claimed = Vec::with_capacity(candidates.len());
        for id in candidates {
            let n = diesel::update(
                wd::table
                    .find(&id)
                    .filter(wd::status.eq(DeliveryStatus::Pending.as_str()))
                    .filter(wd::next_attempt_at.le(now))
                    .filter(wd::locked_until.is_null().or(wd::locked_until.le(now))),
            )
            .set((wd::locked_by.eq(worker), wd::locked_until.eq(until)))
            .execute(conn)?;
            if n == 1 {
                claimed.push(id);
            }
        }
        Ok(claimed)
    })
}

/// A claimed delivery, ready to send.
#[derive(Debug, Clone)]
pub struct Job {
    pub delivery_id: String,
    pub notification_id: String,
    pub url: String,
    pub secret: String,
    /// Attempts made before this one.
    pub attempts: i64,
    pub endpoint_disabled: bool,
}

/// The delivery if `worker` still holds it and it is pending.
pub fn job(conn: &mut AnyConnection, worker: &str, delivery_id: &str) -> Result<Option<Job>, ApiError> {
    let r: Option<(String, String, i64, String, String, Option<NaiveDateTime>)> = wd::table
        .inner_join(we::table)
        .filter(wd::id.eq(delivery_id))
        .filter(wd::locked_by.eq(worker))
        .filter(wd::status.eq(DeliveryStatus::Pending.as_str()))
        .select((wd::id, wd::notification_id, wd::attempts, we::url, we::secret, we::disabled_at))
        .first(conn)
        .optional()?;
    Ok(r.map(|(delivery_id, notification_id, attempts, url, secret, disabled)| Job {
        delivery_id,
        notification_id,
        url,
        secret,
        attempts,
        endpoint_disabled: disabled.is_some(),
    }))
}

/// Gives a claimed delivery back without attempting it.
pub fn release(conn: &mut AnyConnection, worker: &str, delivery_id: &str) -> Result<(), ApiError> {
    diesel::update(wd::table.find(delivery_id).filter(wd::locked_by.eq(worker)))
        .set((wd::locked_by.eq(None::<String>), wd::locked_until.eq(None::<NaiveDateTime>)))
        .execute(conn)?;
    Ok(())
}

/// What an attempt came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// 2xx.
    Delivered,
    /// Refused for good (4xx other than 408 and 429).
    Failed { error: String },
    /// Try again at `next_attempt_at`.
    Retry { error: String, next_attempt_at: NaiveDateTime },
}

/// One attempt as recorded.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    pub attempted_at: NaiveDateTime,
    pub status_code: Option<u16>,
    pub duration_ms: i64,
}

/// Records an attempt and its outcome, releasing the lease. A success always counts (the
/// endpoint has the message); a failure only changes a delivery `worker` still holds.
pub fn record(
    conn: &mut AnyConnection,
    worker: &str,
    job: &Job,
    attempt: &AttemptRecord,
    outcome: &Outcome,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let error = match outcome {
        Outcome::Delivered => None,
        Outcome::Failed { error } | Outcome::Retry { error, .. } => Some(error.clone()),
    };
    write_tx(conn, |conn| {
        diesel::insert_into(wa::table)
            .values((
                wa::id.eq(uuid::Uuid::new_v4().to_string()),
                wa::delivery_id.eq(&job.delivery_id),
                wa::attempted_at.eq(attempt.attempted_at),
                wa::status_code.eq(attempt.status_code.map(i64::from)),
                wa::error.eq(&error),
                wa::duration_ms.eq(attempt.duration_ms),
            ))
            .execute(conn)?;
        let unlock = (wd::locked_by.eq(None::<String>), wd::locked_until.eq(None::<NaiveDateTime>));
        let held = wd::table
            .filter(wd::id.eq(&job.delivery_id))
            .filter(wd::status.eq(DeliveryStatus::Pending.as_str()))
            .filter(wd::locked_by.eq(worker));
        match outcome {
            Outcome::Delivered => {
                diesel::update(
                    wd::table
                        .filter(wd::id.eq(&job.delivery_id))
                        .filter(wd::status.ne(DeliveryStatus::Delivered.as_str())),
                )
                .set((
                    wd::status.eq(DeliveryStatus::Delivered.as_str()),
                    wd::attempts.eq(wd::attempts + 1i64),
                    wd::delivered_at.eq(now),
                    wd::last_error.eq(None::<String>),
                    unlock,
                ))
                .execute(conn)?;
                crate::notifications::repo::mark_delivered(conn, std::slice::from_ref(&job.notification_id), now)?;
            }
            Outcome::Failed { error } => {
                diesel::update(held)
                    .set((
                        wd::status.eq(DeliveryStatus::Failed.as_str()),
                        wd::attempts.eq(wd::attempts + 1i64),
                        wd::last_error.eq(error),
                        unlock,
                    ))
                    .execute(conn)?;
            }
            Outcome::Retry { error, next_attempt_at } => {
                diesel::update(held)
                    .set((
                        wd::attempts.eq(wd::attempts + 1i64),
                        wd::next_attempt_at.eq(*next_attempt_at),
                        wd::last_error.eq(error),
                        unlock,
                    ))
                    .execute(conn)?;
            }
        }
        Ok(())
    })
}
