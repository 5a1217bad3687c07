//! `TestApp`: the registry served over HTTP on an ephemeral port, on a fresh copy of the
//! template database, with a clock the test moves; and the callers that use it.

use super::actor::Actor;
use super::db::TestDb;
use super::fixtures::default_now;
use super::server::Spawned;
use chrono::{DateTime, TimeDelta, Utc};
use placement_registry::app;
use placement_registry::auth::OrgType;
use placement_registry::auth::tokens::Grant;
use placement_registry::clock::{Clock, ManualClock};
use placement_registry::config::Config;
use placement_registry::state::AppState;
use std::path::PathBuf;
use std::sync::Arc;

/// How a test wants the registry configured, when the defaults do not do.
#[derive(Default)]
pub struct Options {
    now: Option<DateTime<Utc>>,
    bank_holidays_file: Option<PathBuf>,
    rate_limit_per_minute: Option<u32>,
    cors_origins: Vec<String>,
    tls: Option<(PathBuf, PathBuf)>,
    unauthenticated_rate_limit_per_minute: Option<u32>,
    production: bool,
    node: Option<String>,
}

impl Options {
    /// The clock starts here (default: Monday 15 June 2026, 09:00 UTC).
    pub fn at(mut self, now: DateTime<Utc>) -> Options {
        self.now = Some(now);
        self
    }
    /// Working days come from this CSV of bank holidays instead of the built-in calendar.
    pub fn bank_holidays_file(mut self, path: PathBuf) -> Options {
        self.bank_holidays_file = Some(path);
        self
    }
    pub fn rate_limit_per_minute(mut self, n: u32) -> Options {
        self.rate_limit_per_minute = Some(n);
        self
    }
    /// Failed authentications (and token requests) allowed per address and minute (off in tests
    /// unless set here).
    pub fn unauthenticated_rate_limit_per_minute(mut self, n: u32) -> Options {
        self.unauthenticated_rate_limit_per_minute = Some(n);
        self
    }
    /// A registry node of this id, with a node key of its own (for tests of several nodes).
    pub fn node(mut self, id: &str) -> Options {
        self.node = Some(id.to_string());
        self
    }
    /// Not in development mode: outbound calls never reach loopback.
    pub fn production(mut self) -> Options {
        self.production = true;
        self
    }
    pub fn cors_origin(mut self, origin: &str) -> Options {
        self.cors_origins.push(origin.to_string());
        self
    }
    /// The registry is told it serves HTTPS with this certificate and key (it then sends HSTS).
    pub fn tls(mut self, cert: PathBuf, key: PathBuf) -> Options {
        self.tls = Some((cert, key));
        self
    }
    pub async fn start(self) -> TestApp {
        TestApp::start_with(self)
    }
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    clock: ManualClock,
    server: Option<Spawned>,
    state: Option<AppState>,
    db: Option<TestDb>,
    _dir: Option<super::tempdir::TempDir>,
}

impl TestApp {
    pub async fn start() -> TestApp {
        TestApp::start_with(Options::default())
    }

    pub async fn start_at(now: DateTime<Utc>) -> TestApp {
        TestApp::start_with(Options::default().at(now))
    }

    pub fn configure() -> Options {
        Options::default()
    }

    fn start_with(o: Options) -> TestApp {
        let db = TestDb::fresh();
        let clock = ManualClock::new(o.now.unwrap_or_else(default_now));
        let mut config = test_config(db.url());
        config.bank_holidays_file = o.bank_holidays_file;
        if let Some(n) = o.rate_limit_per_minute {
            config.rate_limit_per_minute = n;
        }
        config.cors_origins = o.cors_origins;
        config.unauthenticated_rate_limit_per_minute = o.unauthenticated_rate_limit_per_minute.unwrap_or(0);
        config.dev = !o.production;
        if let Some((cert, key)) = o.tls {
            config.tls_cert = Some(cert);
            config.tls_key = Some(key);
        }
        let mut dir = None;
        if let Some(id) = o.node {
            let d = super::tempdir::tempdir().expect("node directory");
            config.node_id = id;
            config.node_key_file = Some(d.path().join("node.key"));
            dir = Some(d);
        }
        let state = AppState::open(config, Arc::new(clock.clone())).expect("app state");
        let s = state.clone();
        let server = Spawned::start(move |listener| {
            Ok(actix_web::HttpServer::new(move || app::build(s.clone()))
                .workers(1)
                .disable_signals()
                .shutdown_timeout(5)
                .listen(listener)?
                .run())
        });
        TestApp {
            base: server.base(),
            client: test_client(),
            clock,
            server: Some(server),
            state: Some(state),
            db: Some(db),
            _dir: dir,
        }
    }

    /// The application's shared state, for the harness's direct look into the database.
    pub(crate) fn state(&self) -> &AppState {
        self.state.as_ref().expect("the app is running")
    }

    /// The database the registry runs on, as its command line takes it.
    pub fn database_url(&self) -> String {
        self.state().config.database_url.clone()
    }

    // The clock.

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }
    pub fn set_time(&self, at: DateTime<Utc>) {
        self.clock.set(at);
    }
    pub fn advance(&self, by: TimeDelta) {
        self.clock.advance(by);
    }

    // Callers. Each gets a token issued now, by the clock.

    pub fn la(&self, code: &str) -> Actor {
        self.caller(OrgType::Authority, code, None, 3600)
    }
    /// A caller with a genuine token for a provider id that was never registered.
    pub fn unregistered_provider(&self, id: &str) -> Actor {
        self.caller(OrgType::Provider, id, None, 3600)
    }
    /// A provider's caller. Tokens must name a registered organisation, so a provider the test
    /// has not created through the API is registered first (with no settings).
    pub fn provider(&self, id: &str) -> Actor {
        super::internals::ensure_provider(self, id);
        self.caller(OrgType::Provider, id, None, 3600)
    }
    pub fn operator(&self) -> Actor {
        self.caller(OrgType::Operator, "registry", None, 3600)
    }
    pub fn anonymous(&self) -> Actor {
        Actor::new(&self.base, &self.client, None, None)
    }
    /// A caller presenting this bearer token, whatever it is.
    pub fn bearer(&self, token: &str) -> Actor {
        Actor::new(&self.base, &self.client, Some(token.to_string()), None)
    }
    /// An LA whose token carries only `scopes`.
    pub fn la_scoped(&self, code: &str, scopes: &[&str]) -> Actor {
        self.caller(OrgType::Authority, code, Some(scopes), 600)
    }
    /// A provider whose token carries only `scopes`.
    pub fn provider_scoped(&self, id: &str, scopes: &[&str]) -> Actor {
        self.caller(OrgType::Provider, id, Some(scopes), 600)
    }
    /// An LA with every scope, whose token expires `ttl_secs` after now (negative: already has).
    pub fn la_with_token_lifetime(&self, code: &str, ttl_secs: i64) -> Actor {
        self.caller(OrgType::Authority, code, None, ttl_secs)
    }

    fn caller(&self, org_type: OrgType, org: &str, scopes: Option<&[&str]>, ttl_secs: i64) -> Actor {
        let scopes: Vec<String> = scopes.unwrap_or(org_type.allowed_scopes()).iter().map(|s| s.to_string()).collect();
        let grant = Grant { sub: "test-user", org_type, org, scopes: &scopes, client_id: None, ttl_secs };
        let token = self.state().tokens().issue(&grant, self.now()).expect("token");
        Actor::new(&self.base, &self.client, Some(token), Some(org))
    }
}

/// The client tests call the registry with: plain HTTP to loopback, redirects not followed.
/// It trusts no certificate authority, which spares loading the system's roots for every test
/// (a tenth of a second per ten tests in a debug build); the HTTPS test brings its own client.
fn test_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .tls_certs_only(Vec::<reqwest::Certificate>::new())
        .build()
        .expect("client")
}

/// Every scope an LA may hold.
pub fn authority_scopes() -> Vec<&'static str> {
    OrgType::Authority.allowed_scopes().to_vec()
}

/// The configuration every test starts from: a small pool, and a worker the tests drive
/// themselves (webhook receivers listen on plain HTTP loopback, so dev mode).
fn test_config(url: &str) -> Config {
    let mut config = Config::for_database(url);
    config.pool_size = 4;
    config.dev = true;
    config.webhook_poll_ms = 0;
    config
}

/// Opens the application once on `url` (migrating it and seeding the authorities) and closes it.
pub(super) fn prepare_database(url: &str) {
    let state =
        AppState::open(test_config(url), Arc::new(ManualClock::new(default_now()))).expect("prepare the database");
    drop(state);
}

impl Drop for TestApp {
    /// Stops the server and waits for its thread, then closes the pool here, then drops the
    /// database: nothing of this test is left running when it returns. Before, the server ran
    /// on the test's runtime and was only told to stop; its worker thread closed the pool's
    /// PostgreSQL connections (libpq over OpenSSL) after the test, at the same time as the
    /// process, after the last test, ran OpenSSL's exit handlers.
    fn drop(&mut self) {
        if let Some(mut server) = self.server.take() {
            server.stop();
        }
        if let Some(state) = self.state.take() {
            // The worker's copy of the state goes with its thread, just after it reports
            // stopped; wait for it, so that the last copy, and the pool with it, closes here.
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while Arc::strong_count(&state.config) > 1 && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
            drop(state);
        }
        drop(self.db.take());
    }
}
