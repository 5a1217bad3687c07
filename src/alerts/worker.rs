//! The background worker that raises alerts. A round takes the `alerts` lease in the database
//! (so one process at a time scans, however many run), checks every clock against the
//! injectable clock and gives the lease back. A worker that dies holding the lease only delays
//! the next round until the lease expires; the alert keys keep every alert to one even then.

use super::service::{self, Clocks};
use crate::error::ApiError;
use crate::state::AppState;
use chrono::TimeDelta;
use std::time::Duration;

/// The lease's name in `worker_leases`.
pub const LEASE_NAME: &str = "alerts";
/// How long a round may hold the lease.
pub const LEASE: TimeDelta = TimeDelta::seconds(60);

/// Raises alerts; several may run at once, in one process or many.
pub struct Worker {
    state: AppState,
    name: String,
}

impl Worker {
    /// A worker named `name` (the name holds the lease; make it unique).
    pub fn new(state: AppState, name: impl Into<String>) -> Worker {
        Worker { state, name: name.into() }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Takes the lease for this worker; false when another worker holds it.
    pub async fn lease(&self) -> Result<bool, ApiError> {
        let (now, name) = (self.state.now(), self.name.clone());
        self.state.db_pooled(move |conn| super::repo::take_lease(conn, LEASE_NAME, &name, now, now + LEASE)).await
    }

    /// One round: None when another worker holds the lease, else how many alerts were raised.
    pub async fn run_once(&self) -> Result<Option<usize>, ApiError> {
        if !self.lease().await? {
            return Ok(None);
        }
        let state = self.state.clone();
        let name = self.name.clone();
        let raised = self
            .state
            .db_pooled(move |conn| {
                let c = Clocks {
                    calendar: &state.calendar,
                    ack_days: state.config.ack_overdue_working_days,
                    return_due_days: state.config.return_due_days,
                    missing_long_hours: state.config.missing_long_hours,
                    now: state.now(),
                    page: service::PAGE,
                };
                let raised = service::scan(conn, &c);
                super::repo::release_lease(conn, LEASE_NAME, &name)?;
                raised
            })
            .await?;
        Ok(Some(raised))
    }
}

/// Starts the alerts loop on the current actix runtime (poll interval from the config; 0
/// disables it).
pub fn spawn(state: AppState) {
    let every = state.config.alerts_poll_ms;
    if every == 0 {
        return;
    }
    let name = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let worker = Worker::new(state, name);
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(Duration::from_millis(every));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match worker.run_once().await {
                Ok(Some(n)) if n > 0 => tracing::info!(worker = %worker.name(), alerts = n, "alerts raised"),
                Ok(_) => {}
                Err(e) => tracing::warn!(worker = %worker.name(), error = %e, "alerts round failed"),
            }
        }
    });
}
