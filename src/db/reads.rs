//! Reads on the request path over asynchronous PostgreSQL connections: the HTTP worker sends the
//! statements and serves other requests while PostgreSQL answers, instead of handing each
//! request to a blocking thread and waiting for it (two thread wake-ups per request).
//!
//! Each HTTP worker has its own small pool ([`ReadPool::for_worker`]): a connection's socket is
//! driven by a task on the runtime that opened it, so a connection shared between workers would
//! wake another worker's thread for every statement. Writes stay on the blocking pool
//! (`db::write_tx`), whose transactions span many statements and the audit chain.

use crate::error::ApiError;
use diesel::ConnectionResult;
use diesel_async::pooled_connection::deadpool::{Object, Pool, PoolError};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures_util::FutureExt;

/// A pooled asynchronous PostgreSQL connection.
pub type ReadConn = Object<AsyncPgConnection>;

/// The URL the asynchronous pool opens, or None where it cannot serve it: a URL asking for TLS
/// (the blocking pool's libpq speaks TLS; these connections do not), or not PostgreSQL.
pub fn usable_url(url: &str) -> Option<&str> {
    let postgres = url.starts_with("postgres://") || url.starts_with("postgresql://");
    let tls = ["sslmode=require", "sslmode=verify-ca", "sslmode=verify-full"].iter().any(|m| url.contains(m));
    (postgres && !tls).then_some(url)
}

/// A description of the pool to open in each worker (URL and size); cheap to clone.
#[derive(Debug, Clone)]
pub struct ReadPoolConfig {
    url: String,
    size: usize,
}

impl ReadPoolConfig {
    pub fn new(url: &str, size: usize) -> ReadPoolConfig {
        ReadPoolConfig { url: url.to_string(), size: size.max(1) }
    }

    /// The same pool with `size` connections.
    pub fn resized(&self, size: usize) -> ReadPoolConfig {
        ReadPoolConfig::new(&self.url, size)
    }
}

/// One worker's pool of asynchronous connections, opened lazily on first use.
#[derive(Clone)]
pub struct ReadPool(Pool<AsyncPgConnection>);

impl ReadPool {
    /// A pool for the worker that calls this (connections open on first use, on its runtime).
    pub fn for_worker(config: &ReadPoolConfig) -> Result<ReadPool, String> {
        let mut manager_config = ManagerConfig::default();
        // No `SELECT 1` before every use: a failed connection is dropped when it errs.
        manager_config.recycling_method = RecyclingMethod::Fast;
        manager_config.custom_setup = Box::new(|url| open(url.to_string()).boxed());
        let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(&config.url, manager_config);
        Pool::builder(manager)
            .max_size(config.size)
            // The connection used last is taken first: after a burst, a quiet worker keeps to one
            // warm connection (and one PostgreSQL backend) instead of turning through them all.
            .queue_mode(deadpool::managed::QueueMode::Lifo)
            .wait_timeout(Some(std::time::Duration::from_secs(10)))
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map(ReadPool)
            .map_err(|e| e.to_string())
    }

    pub async fn get(&self) -> Result<ReadConn, ApiError> {
        self.0.get().await.map_err(|e| {
            if let PoolError::Backend(diesel_async::pooled_connection::PoolError::QueryError(e)) = e {
                return ApiError::from(e);
            }
            tracing::error!(cause = %e, "database read pool");
            ApiError::Unavailable { detail: "The database is not reachable right now.".into() }
        })
    }
}

/// Opens a connection with the settings the blocking pool gives its connections.
async fn open(url: String) -> ConnectionResult<AsyncPgConnection> {
    let mut conn = AsyncPgConnection::establish(&url).await?;
    conn.batch_execute("SET random_page_cost = 1.1; SET statement_timeout = '30s';")
        .await
        .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::usable_url;

    /// The asynchronous reads open only plain PostgreSQL URLs: one asking for TLS stays with the
    /// blocking pool, whose libpq speaks it, and SQLite has no such pool.
    #[test]
    fn only_postgres_urls_without_tls_get_asynchronous_reads() {
        let plain = "postgres://registry:registry@127.0.0.1:5432/registry";
        assert_eq!(usable_url(plain), Some(plain));
        assert!(usable_url("postgresql://db.example/registry?sslmode=prefer").is_some());
        for url in [
            "postgres://db.example/registry?sslmode=require",
            "postgresql://db.example/registry?sslmode=verify-full",
            "postgres://db.example/registry?sslmode=verify-ca",
            "sqlite://data/registry.db",
            "data/registry.db",
        ] {
            assert_eq!(usable_url(url), None, "{url}");
        }
    }
}
