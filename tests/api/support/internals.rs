//! Every look past the HTTP API: rows written or read straight in the database, the webhook
//! worker driven by hand, the audit chain checked, keys and tokens made by the registry's own
//! code, the SSDA903 validator and the geography. These are the crate's internal paths, kept
//! here behind small functions so that a rename in `src/` touches this file only.

use super::app::TestApp;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use placement_registry::auth::OrgType;
use placement_registry::auth::keys::{KeyRing, SigningKey};
use placement_registry::auth::tokens::{Grant, TokenService};

/// The SSDA903 files as the validator reads them, and the validator itself.
pub mod ssda903 {
    pub use placement_registry::exports::tables::{EpisodeRow, HeaderRow, MissingRow, Tables, UascRow};
    pub use placement_registry::exports::validate::{
        RULES, Violation, validate, validate_as_of, validate_return, validate_with_last_year,
    };
}

pub use placement_registry::audit::Verdict;

/// The OpenAPI document the code describes, as committed (pretty JSON).
pub fn openapi_json() -> String {
    placement_registry::app::openapi_json()
}

/// A page cursor made of these keys, as the API encodes them.
pub fn encode_cursor(keys: &[&str]) -> String {
    placement_registry::http::encode_cursor(&keys.iter().map(|k| k.to_string()).collect::<Vec<_>>())
}

/// `n` real postcodes of an area, the same for the same seed.
pub fn postcodes_in(area: &str, n: usize, seed: u64) -> Vec<String> {
    placement_registry::geo::Geo::global().sample(area, n, seed)
}

#[derive(diesel::QueryableByName)]
struct TextRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    text: String,
}

/// The text of the first column (aliased `text`) of every row a query returns, read straight
/// from the test's database.
pub fn query_texts(app: &TestApp, sql: &str) -> Vec<String> {
    let mut conn = app.state().pool.get().expect("connection");
    diesel::sql_query(sql).load::<TextRow>(&mut conn).expect(sql).into_iter().map(|r| r.text).collect()
}

/// Registers a provider with this id, unless one is.
pub fn ensure_provider(app: &TestApp, id: &str) {
    use placement_registry::db::schema::providers as p;
    let mut conn = app.state().pool.get().expect("connection");
    let exists: i64 = p::table.filter(p::id.eq(id)).count().get_result(&mut conn).expect("count");
    if exists == 0 {
        let now = app.now().naive_utc();
        diesel::insert_into(p::table)
            .values((
                p::id.eq(id),
                p::name.eq(format!("Provider {id}")),
                p::version.eq(1i64),
                p::created_at.eq(now),
                p::updated_at.eq(now),
            ))
            .execute(&mut conn)
            .expect("provider");
    }
}

/// How many issuers the app keeps in its cache.
pub fn cached_issuers(app: &TestApp) -> usize {
    app.state().auth.issuers.len()
}

/// Runs a statement straight on the test's database.
pub fn execute_sql(app: &TestApp, sql: &str) {
    let mut conn = app.state().pool.get().expect("connection");
    diesel::sql_query(sql).execute(&mut conn).expect(sql);
}

// The audit chain.

/// The SQLite read journal beside the test's database (`audit::journal`), opened on its own; None
/// on PostgreSQL, which keeps reads in `audit_pending`.
pub fn read_journal(app: &TestApp) -> Option<diesel::SqliteConnection> {
    let url = app.database_url();
    let path = url.strip_prefix("sqlite://")?;
    let journal = placement_registry::audit::journal::path_of(std::path::Path::new(path));
    Some(diesel::SqliteConnection::establish(&journal.display().to_string()).expect("open the read journal"))
}

/// Read events recorded and not yet chained, of this action and child: in the SQLite read
/// journal, or in `audit_pending` on PostgreSQL.
pub fn unchained_reads(app: &TestApp, action: &str, child: &str) -> i64 {
    use placement_registry::db::schema::audit_pending as p;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    match read_journal(app) {
        Some(mut journal) => {
            diesel::sql_query("SELECT COUNT(*) AS n FROM reads WHERE action = ? AND child_id = ?")
                .bind::<diesel::sql_types::Text, _>(action)
                .bind::<diesel::sql_types::Text, _>(child)
                .get_result::<Count>(&mut journal)
                .expect("count")
                .n
        }
        None => p::table
            .filter(p::action.eq(action))
            .filter(p::child_id.eq(child))
            .count()
            .get_result(&mut app.state().pool.get().expect("connection"))
            .expect("count"),
    }
}

/// Appends the pending audit events (written by every request) to the chain.
pub async fn chain_audit(app: &TestApp) {
    app.state().chain_audit().await.expect("chain the pending audit events");
}

/// Appends the pending audit events, `batch` to a transaction; returns how many there were.
pub fn chain_audit_in_batches(app: &TestApp, batch: i64) -> usize {
    let mut conn = app.state().pool.get().expect("connection");
    placement_registry::audit::chain_pending_in(&mut conn, app.state().secrets.audit_key(), batch).expect("chain")
}

/// Checks the chain (and the checkpoints given).
pub fn verify_audit_chain(app: &TestApp) -> Verdict {
    verify_audit_chain_with(app, &[])
}

/// Checks the chain against signed checkpoints (compact JWS, by this node).
pub fn verify_audit_chain_with(app: &TestApp, checkpoints: &[String]) -> Verdict {
    let mut conn = app.state().pool.get().expect("connection");
    let checkpoints: Vec<placement_registry::audit::Checkpoint> = checkpoints
        .iter()
        .map(|j| placement_registry::audit::Checkpoint::from_jws(j, app.state().node.public()).expect("signed"))
        .collect();
    placement_registry::audit::verify(&mut conn, app.state().secrets.audit_key(), &checkpoints).expect("verify")
}

/// Does what someone with write access to the database but not the secrets key could: recomputes
/// every link from the first with the unkeyed hash, and moves the head to match.
pub fn recompute_audit_chain_without_key(app: &TestApp) {
    use placement_registry::db::rows::audit::AuditEvent;
    use placement_registry::db::schema::{audit_events as ev, audit_head as head};
    let mut conn = app.state().pool.get().expect("connection");
    let events: Vec<AuditEvent> =
        ev::table.order(ev::seq.asc()).select(AuditEvent::as_select()).load(&mut conn).expect("events");
    let mut prev = placement_registry::audit::GENESIS.to_string();
    for mut e in events {
        e.prev_hash = prev.clone();
        e.hash = placement_registry::audit::hash(None, &prev, &e);
        diesel::update(ev::table.find(e.seq))
            .set((ev::prev_hash.eq(&e.prev_hash), ev::hash.eq(&e.hash)))
            .execute(&mut conn)
            .expect("rewrite");
        diesel::update(head::table.find(1i64))
            .set((head::seq.eq(e.seq), head::hash.eq(&e.hash)))
            .execute(&mut conn)
            .expect("head");
        prev = e.hash;
    }
}

/// Signs a checkpoint of the chain's head now; its JWS, if the head moved since the last one.
pub async fn audit_checkpoint(app: &TestApp) -> Option<String> {
    app.state().chain_audit().await.expect("chain");
    app.state().checkpoint_audit().await.expect("checkpoint")
}

// Rows the API does not write (other modules' endpoints).

/// A quarterly return version written straight to the table.
pub fn insert_return(app: &TestApp, urn: &str, period: &str, version: i64, submitted_at: &str, status: &str) {
    use placement_registry::db::schema::quarterly_returns as qr;
    let mut conn = app.state().pool.get().expect("connection");
    diesel::insert_into(qr::table)
        .values((
            qr::id.eq(uuid::Uuid::new_v4().to_string()),
            qr::urn.eq(urn),
            qr::period.eq(period),
            qr::version.eq(version),
            qr::nil.eq(false),
            qr::row_count.eq(1i64),
            qr::submitted_by.eq("test-user"),
            qr::submitted_at.eq(naive(submitted_at)),
            qr::status.eq(status),
            qr::summary.eq("{}"),
            qr::content.eq("{}"),
        ))
        .execute(&mut conn)
        .expect("insert return");
}

/// An episode first reported in a quarterly return (found at the placement), written straight
/// to the table; returns its id.
pub fn insert_return_episode(app: &TestApp, child: &str, placement: &str, started: &str, ended: &str) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let e = placement_registry::db::rows::missing::EpisodeRecord {
        id: id.as_str().into(),
        child_id: child.into(),
        placement_id: placement.into(),
        kind: "M".into(),
        started_at: naive(started),
        ended_at: Some(naive(ended)),
        reported_to_police_at: None,
        police_reference: None,
        risk_indicators: Default::default(),
        found_where: Some("placement".into()),
        safe_and_well_at: None,
        safe_and_well_by: None,
        ri_offered_at: None,
        ri_offered_by: None,
        ri_independent: None,
        ri_outcome: None,
        ri_not_offered_reason: None,
        ri_completed_at: None,
        source: "return".into(),
        return_id: None,
        recorded_by_org_type: "provider".into(),
        recorded_by_org: "p".into(),
        recorded_by: "test-user".into(),
        version: 1,
        created_at: naive("2026-07-20T09:00:00Z"),
        updated_at: naive("2026-07-20T09:00:00Z"),
    };
    let mut conn = app.state().pool.get().expect("connection");
    placement_registry::missing::repo::insert(&mut conn, &e).expect("insert episode");
    id
}

/// (status, attempts) of the stored deliveries to a webhook endpoint, read from the table.
pub fn stored_deliveries(app: &TestApp, endpoint: &str) -> Vec<(String, i64)> {
    use placement_registry::db::schema::webhook_deliveries as wd;
    let mut conn = app.state().pool.get().expect("connection");
    wd::table.filter(wd::endpoint_id.eq(endpoint)).select((wd::status, wd::attempts)).load(&mut conn).expect("rows")
}

fn naive(s: &str) -> NaiveDateTime {
    super::fixtures::instant(s).naive_utc()
}

// The webhook worker, driven by the test.

/// A webhook delivery worker of the app, named `name` (the name leases are taken under).
pub struct WebhookWorker(placement_registry::webhooks::worker::Worker);

impl TestApp {
    pub fn webhook_worker(&self, name: &str) -> WebhookWorker {
        WebhookWorker(placement_registry::webhooks::worker::Worker::new(self.state().clone(), name))
    }
}

impl WebhookWorker {
    /// Leases the due deliveries without sending them; returns their ids.
    pub async fn claim(&self) -> Vec<String> {
        self.0.claim().await.expect("claim")
    }
    /// One round: claims what is due and sends it; returns how many were attempted.
    pub async fn run_once(&self) -> usize {
        self.0.run_once().await.expect("worker round")
    }
}

// Keys and tokens.

/// An Ed25519 signing key of the registry's kind.
pub struct RegistryKey(SigningKey);

impl RegistryKey {
    /// The key this app signs its tokens with.
    pub fn of(app: &TestApp) -> RegistryKey {
        let mut conn = app.state().pool.get().expect("connection");
        let ring = placement_registry::auth::keys::load(&mut conn, &app.state().secrets).expect("keys");
        RegistryKey(ring.signer().expect("a signing key").clone())
    }
    /// A key the app has never seen.
    pub fn fresh() -> RegistryKey {
        RegistryKey(SigningKey::generate(chrono::Utc::now().naive_utc()).expect("key"))
    }
    pub fn kid(&self) -> &str {
        &self.0.kid
    }
    pub fn pkcs8(&self) -> &[u8] {
        &self.0.pkcs8
    }
    pub fn public(&self) -> &[u8] {
        &self.0.public
    }
    /// A token for LA `org` (subject `x`, ten minutes) issued now by a token service with this
    /// key, issuer and audience.
    pub fn issue(&self, issuer: &str, audience: &str, org: &str, scopes: &[&str], app: &TestApp) -> String {
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        let grant =
            Grant { sub: "x", org_type: OrgType::Authority, org, scopes: &scopes, client_id: None, ttl_secs: 600 };
        let ring = KeyRing { keys: vec![self.0.clone()] };
        TokenService::new(&ring, issuer, audience, app.now().naive_utc()).issue(&grant, app.now()).expect("token")
    }
}

// Serving HTTPS.

/// The registry of `app` served over HTTPS with this certificate and key, on a port of its own.
pub fn serve_tls(app: &TestApp, cert: &std::path::Path, key: &std::path::Path) -> super::server::Spawned {
    let tls = placement_registry::tls::server_config(cert, key).expect("tls config");
    let state = app.state().clone();
    super::server::Spawned::start(move |listener| {
        Ok(actix_web::HttpServer::new(move || placement_registry::app::build(state.clone()))
            .workers(1)
            .disable_signals()
            .shutdown_timeout(5)
            .listen_rustls_0_23(listener, tls)?
            .run())
    })
}

// Migrations.

/// Runs the embedded migrations up, all the way down and up again, on a scratch SQLite
/// database, and on a scratch PostgreSQL schema when the suite runs on PostgreSQL.
pub fn migrations_go_down_and_up() {
    use diesel_migrations::MigrationHarness;
    use placement_registry::db::{PG_MIGRATIONS, SQLITE_MIGRATIONS};
    let dir = crate::support::tempdir::tempdir().expect("tmp");
    let mut c = diesel::SqliteConnection::establish(&dir.path().join("m.db").display().to_string()).expect("sqlite");
    c.run_pending_migrations(SQLITE_MIGRATIONS).expect("up");
    c.revert_all_migrations(SQLITE_MIGRATIONS).expect("down");
    c.run_pending_migrations(SQLITE_MIGRATIONS).expect("up again");
    if let Some(scratch) = super::db::ScratchSchema::create() {
        let mut c = diesel::PgConnection::establish(&scratch.url).expect("pg");
        c.run_pending_migrations(PG_MIGRATIONS).expect("up");
        c.revert_all_migrations(PG_MIGRATIONS).expect("down");
        c.run_pending_migrations(PG_MIGRATIONS).expect("up again");
    }
}

// The alerts worker, driven by the test.

/// An alerts worker of the app, named `name` (the name the lease is taken under).
pub struct AlertsWorker(placement_registry::alerts::worker::Worker);

impl TestApp {
    pub fn alerts_worker(&self, name: &str) -> AlertsWorker {
        AlertsWorker(placement_registry::alerts::worker::Worker::new(self.state().clone(), name))
    }

    /// Checks every clock once, as a worker round does but without the lease; how many alerts
    /// were raised.
    pub fn scan_alerts_without_lease(&self) -> usize {
        self.scan_alerts_in_pages(placement_registry::alerts::service::PAGE)
    }

    /// The same, reading episodes `page` at a time where the scan pages.
    pub fn scan_alerts_in_pages(&self, page: i64) -> usize {
        let state = self.state();
        let mut conn = state.pool.get().expect("connection");
        let c = placement_registry::alerts::service::Clocks {
            calendar: &state.calendar,
            ack_days: state.config.ack_overdue_working_days,
            return_due_days: state.config.return_due_days,
            missing_long_hours: state.config.missing_long_hours,
            now: state.now(),
            page,
        };
        placement_registry::alerts::service::scan(&mut conn, &c).expect("scan")
    }
}

impl AlertsWorker {
    /// Takes the lease and keeps it (a worker that dies holding it); whether it was taken.
    pub async fn lease(&self) -> bool {
        self.0.lease().await.expect("lease")
    }
    /// One round: None when another worker holds the lease, else how many alerts were raised.
    pub async fn run_once(&self) -> Option<usize> {
        self.0.run_once().await.expect("alerts round")
    }
}

/// Loads the demo (`serve --demo`) into the test's empty database as of the app's clock.
pub fn load_demo(app: &TestApp) -> Result<bool, String> {
    let mut conn = app.state().pool.get().expect("connection");
    let now = app.now().naive_utc();
    placement_registry::demo::load(&mut conn, now.date(), now).map_err(|e| format!("{e:?}"))
}
