//! Storage: one diesel schema over SQLite (embedded default) and PostgreSQL, an r2d2 pool,
//! embedded migrations and the transaction helper every write goes through.

pub mod missing_state;
pub mod reads;
pub mod reference;
pub mod rows;
pub mod schema;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to whichever backend the database URL names.
#[derive(diesel::MultiConnection)]
pub enum AnyConnection {
    Postgresql(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

pub type DbPool = Pool<ConnectionManager<AnyConnection>>;
pub type DbConn = PooledConnection<ConnectionManager<AnyConnection>>;

/// Which backend a URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub fn of(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

impl AnyConnection {
    pub fn backend(&self) -> Backend {
        match self {
            AnyConnection::Postgresql(_) => Backend::Postgres,
            AnyConnection::Sqlite(_) => Backend::Sqlite,
        }
    }
}

/// Turns `sqlite://path` (or a bare path) into the path SQLite opens, creating its directory.
fn sqlite_path(url: &str) -> Result<String, std::io::Error> {
    let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).unwrap_or(url).to_string();
    if path != ":memory:"
        && !path.starts_with("file:")
        && let Some(dir) = std::path::Path::new(&path).parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    Ok(path)
}

/// The URL the driver understands (SQLite takes a path).
pub fn driver_url(url: &str) -> Result<String, std::io::Error> {
    match Backend::of(url) {
        Backend::Postgres => Ok(url.to_string()),
        Backend::Sqlite => sqlite_path(url),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("cannot prepare the database location: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot connect to the database: {0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("cannot run migrations: {0}")]
    Migration(String),
    #[error("cannot apply the connection's settings: {0}")]
    Settings(String),
    #[error("cannot create the connection pool: {0}")]
    Pool(#[from] diesel::r2d2::PoolError),
}

/// Runs pending migrations on the inner connection so errors name the real cause.
pub fn migrate(url: &str) -> Result<usize, DbSetupError> {
    let url = driver_url(url)?;
    let applied = match Backend::of(&url) {
        Backend::Postgres => diesel::PgConnection::establish(&url)?
            .run_pending_migrations(PG_MIGRATIONS)
            .map_err(|e| DbSetupError::Migration(e.to_string()))?
            .len(),
        Backend::Sqlite => {
            let mut c = diesel::SqliteConnection::establish(&url)?;
            c.batch_execute("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;")
                .map_err(|e| DbSetupError::Migration(e.to_string()))?;
            c.run_pending_migrations(SQLITE_MIGRATIONS).map_err(|e| DbSetupError::Migration(e.to_string()))?.len()
        }
    };
    Ok(applied)
}

/// Per-connection settings: SQLite refuses what PostgreSQL refuses and waits for locks;
/// PostgreSQL plans for SSDs and bounds statement time.
///
/// SQLite's page cache is 4 MiB per connection (the default is 2 MiB): a flag-filtered page of
/// the largest area's host view reads about 680 pages (2.7 MiB), which then stay cached until
/// the next commit by another connection. Requests run on the HTTP workers' threads, and the
/// pool hands out its most recently used connection first, so two or three connections stay
/// warm and the rest stay small; at most 4 MiB for each open connection.
#[derive(Debug, Clone, Copy)]
struct SqlitePragmas;

impl CustomizeConnection<AnyConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, c: &mut AnyConnection) -> Result<(), diesel::r2d2::Error> {
        match c {
            AnyConnection::Sqlite(c) => c
                .batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA cache_size = -4096;",
                )
                .map_err(diesel::r2d2::Error::QueryError)?,
            // Random reads cost about as much as sequential ones on SSDs and cached data; with
            // the default of 4 the planner hashes whole tables instead of following indexes.
            // No query may hold a connection for more than 30 seconds.
            AnyConnection::Postgresql(c) => c
                .batch_execute("SET random_page_cost = 1.1; SET statement_timeout = '30s';")
                .map_err(diesel::r2d2::Error::QueryError)?,
        }
        Ok(())
    }
}

/// Opens a pool on the URL (the database must already be migrated).
pub fn pool(url: &str, max_size: u32) -> Result<DbPool, DbSetupError> {
    let manager = ConnectionManager::<AnyConnection>::new(driver_url(url)?);
    Ok(Pool::builder()
        .max_size(max_size)
        .connection_timeout(std::time::Duration::from_secs(10))
        // No `SELECT 1` round trip before every use: a connection that fails is marked broken
        // by diesel and dropped when it returns to the pool.
        .test_on_check_out(false)
        .connection_customizer(Box::new(SqlitePragmas))
        .build(manager)?)
}

/// Opens one connection outside the pool, with the pool's per-connection settings (for a
/// thread that keeps its own).
pub fn connect(url: &str) -> Result<AnyConnection, DbSetupError> {
    let mut conn = AnyConnection::establish(&driver_url(url)?)?;
    SqlitePragmas.on_acquire(&mut conn).map_err(|e| DbSetupError::Settings(e.to_string()))?;
    Ok(conn)
}

/// Runs `f` in a write transaction. On SQLite the transaction is `BEGIN IMMEDIATE`, so a
/// transaction that reads before it writes waits for the write lock instead of failing.
pub fn write_tx<T, E, F>(conn: &mut AnyConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    transaction(conn, "BEGIN IMMEDIATE", f)
}

/// [`write_tx`] for work whose first statement writes to the main database: on SQLite the
/// transaction begins with that statement, and so locks only the main database, reading any
/// other attached one without holding up its writers (`BEGIN IMMEDIATE` would lock them all).
pub fn main_write_tx<T, E, F>(conn: &mut AnyConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    transaction(conn, "BEGIN", f)
}

fn transaction<T, E, F>(conn: &mut AnyConnection, sqlite_begin: &str, f: F) -> Result<T, E>
where
    F: FnOnce(&mut AnyConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    if let AnyConnection::Sqlite(c) = conn {
        AnsiTransactionManager::begin_transaction_sql(c, sqlite_begin)?;
    } else {
        <AnyConnection as Connection>::TransactionManager::begin_transaction(conn)?;
    }
    match f(conn) {
        Ok(value) => {
            if let Err(e) = <AnyConnection as Connection>::TransactionManager::commit_transaction(conn) {
                let _ = <AnyConnection as Connection>::TransactionManager::rollback_transaction(conn);
                return Err(e.into());
            }
            Ok(value)
        }
        Err(e) => {
            <AnyConnection as Connection>::TransactionManager::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

/// Whether the database answers a trivial query.
pub fn ping(conn: &mut AnyConnection) -> QueryResult<()> {
    diesel::sql_query("SELECT 1").execute(conn).map(|_| ())
}

/// Runs blocking database work with a pooled connection on the blocking thread pool.
pub async fn run<T, F>(pool: &DbPool, f: F) -> Result<T, crate::error::ApiError>
where
    T: Send + 'static,
    F: FnOnce(&mut AnyConnection) -> Result<T, crate::error::ApiError> + Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get()?;
        f(&mut conn)
    })
    .await?
}

/// Current UTC time truncated to microseconds, the precision both backends keep.
pub fn db_time(t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
    use chrono::{DurationRound, TimeDelta};
    let naive = t.naive_utc();
    naive.duration_trunc(TimeDelta::microseconds(1)).unwrap_or(naive)
}
