//! What every domain handler is given: the database pool, the clock, the configuration, the
//! working-day calendar and the authenticator. Opened once per
//! process (migrating the database and loading reference data), shared by every worker.

use crate::audit::recorder::deferring;
use crate::auth::authenticator::Authenticator;
use crate::auth::keys::{self, KeyRing, SigningKey};
use crate::auth::tokens::TokenService;
use crate::calendar::WorkingCalendar;
use crate::clock::Clock;
use crate::config::{Config, DbCalls};
use crate::db::rows::audit::PendingEvent;
use crate::db::{self, AnyConnection, DbPool};
use crate::error::ApiError;
use crate::node::Node;
use crate::secrets::Secrets;
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
    /// The secrets key: seals secrets in the database, keys the audit chain.
    pub secrets: Arc<Secrets>,
    /// This node's id and key.
    pub node: Arc<Node>,
    /// Whether a request's database work runs on its HTTP worker thread (`Config::db_calls`).
    db_on_worker: bool,
    /// The asynchronous PostgreSQL pool each worker opens for reads (`Config::db_calls`).
    read_pool_config: Option<db::reads::ReadPoolConfig>,
    /// This worker's asynchronous PostgreSQL pool, once [`AppState::for_worker`] opened it.
    reads: Option<db::reads::ReadPool>,
    /// On SQLite: commits the reads of requests' database work together (`audit::recorder`).
    recorder: Option<Arc<crate::audit::Recorder>>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] db::DbSetupError),
    #[error(transparent)]
    Key(#[from] crate::auth::keys::KeyError),
    #[error(transparent)]
    Secrets(#[from] crate::secrets::SecretsError),
    #[error(transparent)]
    NodeKey(#[from] crate::node::NodeKeyError),
    #[error("cannot load reference data: {0}")]
    Reference(String),
    #[error("bank holidays file: {0}")]
    Calendar(String),
    #[error("cannot start the audit recorder: {0}")]
    Recorder(String),
}

impl AppState {
    /// Migrates the database, loads the reference authorities and the signing key, opens the pool.
    pub fn open(config: Config, clock: Arc<dyn Clock>) -> Result<AppState, StartError> {
        db::migrate(&config.database_url)?;
        let pool = db::pool(&config.database_url, config.pool_size)?;
        let mut conn = pool.get().map_err(db::DbSetupError::from)?;
        crate::db::reference::load_authorities(&mut conn).map_err(|e| StartError::Reference(e.to_string()))?;
        let secrets = Arc::new(Secrets::load(config.secrets_key.as_deref(), &config.secrets_key_path())?);
        let now = db::db_time(clock.now());
        let ring = match &config.signing_key_file {
            Some(path) => KeyRing { keys: vec![SigningKey::from_pem_file(path)?] },
            None => keys::load_or_create(&mut conn, &secrets, now)?,
        };
        let tokens = TokenService::new(&ring, &config.issuer, &config.audience, now);
        let calendar = match &config.bank_holidays_file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| StartError::Calendar(e.to_string()))?;
                WorkingCalendar::from_csv(&text).map_err(StartError::Calendar)?
            }
            None => WorkingCalendar::england_and_wales(),
        };
        let auth = Arc::new(Authenticator::new(tokens, pool.clone(), clock.clone(), secrets.clone(), &config));
        let node = Arc::new(Node::load(&config.node_id, &config.node_key_path(), &secrets)?);
        let db_on_worker = match config.db_calls {
            DbCalls::Worker => true,
            DbCalls::Pool => false,
            DbCalls::Auto => db::Backend::of(&config.database_url) == db::Backend::Sqlite,
        };
        let read_pool_config = match config.db_calls {
            DbCalls::Auto => db::reads::usable_url(&config.database_url)
                .map(|url| db::reads::ReadPoolConfig::new(url, read_pool_size(&config, default_workers()))),
            DbCalls::Worker | DbCalls::Pool => None,
        };
        let recorder = match db::Backend::of(&config.database_url) {
            db::Backend::Sqlite => crate::audit::Recorder::start(&config.database_url, *secrets.audit_key())
                .map_err(|e| StartError::Recorder(e.to_string()))?
                .map(Arc::new),
            db::Backend::Postgres => None,
        };
        Ok(AppState {
            pool,
            clock,
            calendar: Arc::new(calendar),
            auth,
            secrets,
            node,
            config: Arc::new(config),
            db_on_worker,
            read_pool_config,
            reads: None,
            recorder,
        })
    }

    /// The state for a server of `workers` HTTP workers: each worker's read pool gets its share
    /// of `Config::pool_size`.
    pub fn with_workers(self, workers: usize) -> AppState {
        let read_pool_config = self.read_pool_config.as_ref().map(|c| c.resized(read_pool_size(&self.config, workers)));
        AppState { read_pool_config, ..self }
    }

    /// The state one HTTP worker serves with: its own asynchronous read pool, where reads use
    /// one (connections are opened on first use, on the worker's runtime).
    pub fn for_worker(&self) -> AppState {
        let reads = self.read_pool_config.as_ref().and_then(|c| match db::reads::ReadPool::for_worker(c) {
            Ok(pool) => Some(pool),
            Err(e) => {
                tracing::error!(cause = %e, "cannot create the read pool; reads use the blocking pool");
                None
            }
        });
        AppState { reads, ..self.clone() }
    }

    /// This worker's asynchronous PostgreSQL pool for reads on the request path, or None (SQLite,
    /// or `--db-calls` other than `auto`): then reads go through [`AppState::db`].
    pub fn reads(&self) -> Option<&db::reads::ReadPool> {
        self.reads.as_ref()
    }

    /// Runs a request's database work with a pooled connection: on this HTTP worker thread, or
    /// on the blocking thread pool (`Config::db_calls`). The reads it records are committed
    /// before its result is given (on SQLite by the recorder, after the connection is back in
    /// the pool and without holding the thread).
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let defer = self.recorder.is_some();
        let (out, reads) = if self.db_on_worker {
            let mut conn = self.pool.get()?;
            deferring(defer, || f(&mut conn))
        } else {
            db::run(&self.pool, move |conn| Ok(deferring(defer, || f(conn)))).await?
        };
        self.recorded(reads, out).await
    }

    /// Runs database work on the blocking thread pool whatever `Config::db_calls` says: for the
    /// background workers, which must not hold up the thread they share with others, and for
    /// requests whose work takes long (exports, federation batches), which would hold up every
    /// other request of their HTTP worker.
    pub async fn db_pooled<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let defer = self.recorder.is_some();
        let (out, reads) = db::run(&self.pool, move |conn| Ok(deferring(defer, || f(conn)))).await?;
        self.recorded(reads, out).await
    }

    /// `out`, once the reads its work kept are committed (a failed read's too: it may have read
    /// before failing).
    async fn recorded<T>(&self, reads: Vec<PendingEvent>, out: Result<T, ApiError>) -> Result<T, ApiError> {
        if let Some(recorder) = &self.recorder {
            recorder.record(reads).await?;
        }
        out
    }

    /// Appends pending events to the audit chain (on SQLite, by the recorder's chaining thread,
    /// which reads the journal without holding up its writer).
    pub async fn chain_audit(&self) -> Result<usize, ApiError> {
        if let Some(recorder) = &self.recorder {
            return recorder.chain().await;
        }
        let secrets = self.secrets.clone();
        self.db_pooled(move |conn| crate::audit::chain_pending(conn, secrets.audit_key())).await
    }

    /// Signs a checkpoint of the audit log's head, if it moved since the last one.
    pub async fn checkpoint_audit(&self) -> Result<Option<String>, ApiError> {
        let (node, now) = (self.node.clone(), self.now());
        self.db_pooled(move |conn| crate::audit::checkpoint(conn, &node, now)).await
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

/// Connections in each worker's read pool: `Config::pool_size` shared by the workers, and at
/// least 4 (a read holds its connection only while PostgreSQL answers).
fn read_pool_size(config: &Config, workers: usize) -> usize {
    (config.pool_size as usize / workers.max(1)).max(4)
}

/// As many HTTP workers as the machine has cores (`serve`'s default).
fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}
