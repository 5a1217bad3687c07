//! SQL for webhook endpoints, deliveries and attempts. An LA sees only its own endpoints.

use super::model::{DeliveryStatus, Owner};
use crate::db::rows::webhooks::{AttemptRow, DeliveryRow, EndpointRow};
use crate::db::schema::{
    notifications as n, webhook_attempts as wa, webhook_deliveries as wd, webhook_endpoints as we,
};
use crate::db::{AnyConnection, write_tx};
use crate::error::ApiError;
use chrono::NaiveDateTime;
use diesel::prelude::*;

pub fn insert_endpoint(conn: &mut AnyConnection, row: &EndpointRow) -> Result<(), ApiError> {
    // A by-value insert: `event_types` is serialised through `String` (diesel inserts such rows
    // only by value).
    diesel::insert_into(we::table).values(row.clone()).execute(conn)?;
    Ok(())
}

/// An active endpoint of the owner (a disabled one is gone for the API).
pub fn find_endpoint(conn: &mut AnyConnection, la: &Owner, id: &str) -> Result<Option<EndpointRow>, ApiError> {
    Ok(we::table
        .filter(we::id.eq(id))
        .filter(we::authority.eq(&la.org))
        .filter(we::owner_org_type.eq(la.org_type))
        .filter(we::disabled_at.is_null())
        .select(EndpointRow::as_select())
        .first(conn)
        .optional()?)
}

/// The LA's active endpoints, newest first, after the (created_at, id) of the previous page.
pub fn list_endpoints(
    conn: &mut AnyConnection,
    la: &Owner,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<EndpointRow>, ApiError> {
    let mut q = we::table
        .filter(we::authority.eq(la.org.clone()))
        .filter(we::owner_org_type.eq(la.org_type))
        .filter(we::disabled_at.is_null())
        .select(EndpointRow::as_select())
        .into_boxed();
    if let Some((t, id)) = after {
        q = q.filter(we::created_at.lt(t).or(we::created_at.eq(t).and(we::id.lt(id))));
    }
    Ok(q.order((we::created_at.desc(), we::id.desc())).limit(limit + 1).load(conn)?)
}

/// Whether the LA has an endpoint with this id, disabled or not.
pub fn owns_endpoint(conn: &mut AnyConnection, la: &Owner, id: &str) -> Result<bool, ApiError> {
    let found: i64 = we::table
        .filter(we::id.eq(id))
        .filter(we::authority.eq(&la.org))
        .filter(we::owner_org_type.eq(la.org_type))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// Marks an endpoint disabled (disabling twice keeps the first time).
pub fn disable_endpoint(conn: &mut AnyConnection, id: &str, now: NaiveDateTime) -> Result<(), ApiError> {
    diesel::update(we::table.find(id).filter(we::disabled_at.is_null())).set(we::disabled_at.eq(now)).execute(conn)?;
    Ok(())
}

/// Cancels the endpoint's pending deliveries, releasing any lease on them.
pub fn cancel_pending(conn: &mut AnyConnection, endpoint_id: &str) -> Result<(), ApiError> {
    diesel::update(
        wd::table.filter(wd::endpoint_id.eq(endpoint_id)).filter(wd::status.eq(DeliveryStatus::Pending.as_str())),
    )
    .set((
        wd::status.eq(DeliveryStatus::Cancelled.as_str()),
        wd::locked_by.eq(None::<String>),
        wd::locked_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(())
}

/// A delivery with the type of its notification.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = wd)]
pub struct DeliveryWithType {
    #[diesel(embed)]
    pub delivery: DeliveryRow,
    #[diesel(select_expression = n::kind)]
    pub notification_type: String,
}

/// Deliveries to an endpoint, newest first, after the (created_at, id) of the previous page.
pub fn list_deliveries(
    conn: &mut AnyConnection,
    endpoint_id: &str,
    status: Option<DeliveryStatus>,
    after: Option<(NaiveDateTime, String)>,
    limit: i64,
) -> Result<Vec<DeliveryWithType>, ApiError> {
    let mut q = wd::table
        .inner_join(n::table)
        .filter(wd::endpoint_id.eq(endpoint_id.to_string()))
        .select(DeliveryWithType::as_select())
        .into_boxed();
    if let Some(s) = status {
        q = q.filter(wd::status.eq(s.as_str()));
    }
    if let Some((t, id)) = after {
        q = q.filter(wd::created_at.lt(t).or(wd::created_at.eq(t).and(wd::id.lt(id))));
    }
    Ok(q.order((wd::created_at.desc(), wd::id.desc())).limit(limit + 1).load(conn)?)
}

/// The attempts at these deliveries, oldest first.
pub fn attempts_of(conn: &mut AnyConnection, delivery_ids: &[String]) -> Result<Vec<AttemptRow>, ApiError> {
    Ok(wa::table
        .filter(wa::delivery_id.eq_any(delivery_ids))
        .select(AttemptRow::as_select())
        .order((wa::attempted_at.asc(), wa::id.asc()))
        .load(conn)?)
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

/// A claimed delivery, ready to send: the delivery and what it needs of its endpoint.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = wd)]
pub struct Job {
    #[diesel(column_name = id)]
    pub delivery_id: String,
    pub notification_id: String,
    pub endpoint_id: String,
    #[diesel(select_expression = we::url)]
    pub url: String,
    /// The signing secret as stored (sealed).
    #[diesel(select_expression = we::secret)]
    pub secret: String,
    /// Attempts made before this one.
    pub attempts: i64,
    /// When the endpoint was disabled, if it was.
    #[diesel(select_expression = we::disabled_at)]
    pub endpoint_disabled_at: Option<NaiveDateTime>,
}

impl Job {
    pub fn endpoint_disabled(&self) -> bool {
        self.endpoint_disabled_at.is_some()
    }
}

/// The delivery if `worker` still holds it and it is pending.
pub fn job(conn: &mut AnyConnection, worker: &str, delivery_id: &str) -> Result<Option<Job>, ApiError> {
    Ok(wd::table
        .inner_join(we::table)
        .filter(wd::id.eq(delivery_id))
        .filter(wd::locked_by.eq(worker))
        .filter(wd::status.eq(DeliveryStatus::Pending.as_str()))
        .select(Job::as_select())
        .first(conn)
        .optional()?)
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
        let row = AttemptRow {
            id: uuid::Uuid::new_v4().to_string(),
            delivery_id: job.delivery_id.clone(),
            attempted_at: attempt.attempted_at,
            status_code: attempt.status_code.map(i64::from),
            error,
            duration_ms: attempt.duration_ms,
        };
        diesel::insert_into(wa::table).values(&row).execute(conn)?;
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

/// Every endpoint's stored signing secret: (endpoint id, secret as stored).
pub fn endpoint_secrets(conn: &mut AnyConnection) -> Result<Vec<(String, String)>, ApiError> {
    Ok(we::table.select((we::id, we::secret)).load(conn)?)
}

pub fn set_endpoint_secret(conn: &mut AnyConnection, id: &str, secret: &str) -> Result<(), ApiError> {
    diesel::update(we::table.find(id)).set(we::secret.eq(secret)).execute(conn)?;
    Ok(())
}
