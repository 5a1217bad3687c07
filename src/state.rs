//! What every domain handler is given: the database pool, the clock, the configuration, the
//! working-day calendar and the authenticator. Opened once per
//! process (migrating the database and loading reference data), shared by every worker.

use crate::auth::authenticator::Authenticator;
use crate::auth::keys::SigningKey;
use crate::auth::tokens::TokenService;
use crate::calendar::WorkingCalendar;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::{self, AnyConnection, DbPool};
use crate::error::ApiError;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub clock: Arc<dyn Clock>,
    pub config: Arc<Config>,
    /// Working days (England and Wales) for the statutory clocks.
    pub calendar: Arc<WorkingCalendar>,
    /// Token verification and issuing, shared with the auth endpoints.
    pub auth: Arc<Authenticator>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] db::DbSetupError),
    #[error(transparent)]
    Key(#[from] crate::auth::keys::KeyError),
    #[error("cannot load reference data: {0}")]
    Reference(String),
    #[error("bank holidays file: {0}")]
    Calendar(String),
}

impl AppState {
    /// Migrates the database, loads the reference authorities and the signing key, opens the pool.
    pub fn open(config: Config, clock: Arc<dyn Clock>) -> Result<AppState, StartError> {
        db::migrate(&config.database_url)?;
        let pool = db::pool(&config.database_url, config.pool_size)?;
        let mut conn = pool.get().map_err(db::DbSetupError::from)?;
        crate::db::reference::load_authorities(&mut conn).map_err(|e| StartError::Reference(e.to_string()))?;
        let key = match &config.signing_key_file {
            Some(path) => SigningKey::from_pem_file(path)?,
            None => SigningKey::load_or_create(&mut conn, db::db_time(clock.now()))?,
        };
        let tokens = TokenService::new(&key, &config.issuer, &config.audience);
        let calendar = match &config.bank_holidays_file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| StartError::Calendar(e.to_string()))?;
                WorkingCalendar::from_csv(&text).map_err(StartError::Calendar)?
            }
            None => WorkingCalendar::england_and_wales(),
        };
        let auth = Arc::new(Authenticator::new(tokens, pool.clone(), clock.clone(), &config));
        Ok(AppState { pool, clock, calendar: Arc::new(calendar), auth, config: Arc::new(config) })
    }

    /// Runs blocking database work on the blocking thread pool.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    {
        db::run(&self.pool, f).await
    }

    /// Appends pending read events to the audit chain.
    pub async fn chain_audit(&self) -> Result<usize, ApiError> {
        self.db(crate::audit::chain_pending).await
    }

    /// Now, truncated to what both databases keep.
    pub fn now(&self) -> chrono::NaiveDateTime {
        db::db_time(self.clock.now())
    }

    /// The registry's own token service (to issue tokens from the command line, the demo, tests).
    pub fn tokens(&self) -> &TokenService {
        &self.auth.tokens
    }
}
