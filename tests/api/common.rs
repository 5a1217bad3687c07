//! Test harness: a real server on an ephemeral port per test, a fresh database per test (SQLite
//! file, or a PostgreSQL schema when TEST_DATABASE_URL is set), and a clock the test moves.

use chrono::{DateTime, TimeZone, Utc};
use diesel::{Connection, RunQueryDsl};
use placement_registry::app;
use placement_registry::auth::OrgType;
use placement_registry::auth::tokens::Grant;
use placement_registry::clock::ManualClock;
use placement_registry::config::Config;
use placement_registry::state::AppState;
use serde_json::{Value, json};
use std::sync::Arc;

pub const HACKNEY: &str = "E09000012";
pub const LEEDS: &str = "E08000035";
pub const KENT: &str = "E10000016";
pub const MANCHESTER: &str = "E08000003";
/// Real postcodes from the ONS directory.
pub const LEEDS_POSTCODE: &str = "LS1 4AP";
pub const HACKNEY_POSTCODE: &str = "E8 1DY";
pub const KENT_POSTCODE: &str = "CT1 2EH";
pub const CARDIFF_POSTCODE: &str = "CF10 1EP";

/// A UTC instant at 09:00 on a date (`YYYY-MM-DD`).
pub fn at(date: &str) -> DateTime<Utc> {
    let d: chrono::NaiveDate = date.parse().expect("date");
    d.and_hms_opt(9, 0, 0).expect("time").and_utc()
}

/// Monday 15 June 2026, 09:00 UTC.
pub fn default_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 9, 0, 0).single().expect("valid time")
}

enum TestDb {
    Sqlite(#[allow(dead_code, reason = "held only so the directory lives as long as the test")] tempfile::TempDir),
    Postgres { admin: String, schema: String },
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let TestDb::Postgres { admin, schema } = self
            && let Ok(mut c) = diesel::PgConnection::establish(admin)
        {
            let _ = diesel::sql_query(format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).execute(&mut c);
        }
    }
}

fn fresh_database() -> (String, TestDb) {
    match std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        Some(admin) => {
            let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
            let mut c = diesel::PgConnection::establish(&admin).expect("TEST_DATABASE_URL reachable");
            diesel::sql_query(format!("CREATE SCHEMA {schema}")).execute(&mut c).expect("create schema");
            let sep = if admin.contains('?') { '&' } else { '?' };
            (format!("{admin}{sep}options=-csearch_path%3D{schema}"), TestDb::Postgres { admin, schema })
        }
        None => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("registry.db").display());
            (url, TestDb::Sqlite(dir))
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub clock: ManualClock,
    pub state: AppState,
    server: actix_web::dev::ServerHandle,
    _db: TestDb,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let handle = self.server.clone();
        drop(handle.stop(false));
    }
}

/// A response with its JSON body (Null when empty or not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }
    pub fn etag(&self) -> String {
        self.header("etag").expect("ETag header")
    }
    #[track_caller]
    pub fn expect(self, status: u16) -> Resp {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.text);
        self
    }
    /// Asserts a problem+json error with this status whose errors[] names `field`.
    #[track_caller]
    pub fn expect_field_error(self, status: u16, field: &str) -> Resp {
        let r = self.expect_problem(status);
        let fields: Vec<&str> = r.body["errors"]
            .as_array()
            .map(|a| a.iter().filter_map(|e| e["field"].as_str()).collect())
            .unwrap_or_default();
        assert!(fields.contains(&field), "expected an error on `{field}`, got {fields:?}: {}", r.text);
        r
    }
    #[track_caller]
    pub fn expect_problem(self, status: u16) -> Resp {
        let r = self.expect(status);
        assert_eq!(r.header("content-type").as_deref(), Some("application/problem+json"), "{}", r.text);
        assert_eq!(r.body["status"], json!(status));
        assert!(r.body["type"].as_str().is_some_and(|t| t.starts_with("urn:placement-registry:problem:")));
        r
    }
    pub fn id(&self) -> String {
        self.body["id"].as_str().expect("id in body").to_string()
    }
}

/// A caller of the API with a bearer token (or none).
#[derive(Clone)]
pub struct Actor {
    pub base: String,
    pub client: reqwest::Client,
    pub token: Option<String>,
}

impl Actor {
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let mut rb = self.client.request(method, format!("{}{}", self.base, path));
        if let Some(t) = &self.token {
            rb = rb.bearer_auth(t);
        }
        for (k, v) in headers {
            rb = rb.header(*k, *v);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let res = rb.send().await.expect("request sent");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp { status, headers, body, text }
    }
    pub async fn get(&self, path: &str) -> Resp {
        self.send(reqwest::Method::GET, path, None, &[]).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.send(reqwest::Method::POST, path, Some(body), &[]).await
    }
    pub async fn post_with(&self, path: &str, body: Value, headers: &[(&str, &str)]) -> Resp {
        self.send(reqwest::Method::POST, path, Some(body), headers).await
    }
    pub async fn patch(&self, path: &str, body: Value, etag: &str) -> Resp {
        self.send(reqwest::Method::PATCH, path, Some(body), &[("if-match", etag)]).await
    }
    pub async fn raw(&self, method: &str, path: &str, content_type: &str, body: &str) -> Resp {
        let mut rb = self
            .client
            .request(reqwest::Method::from_bytes(method.as_bytes()).expect("method"), format!("{}{}", self.base, path))
            .header("content-type", content_type)
            .body(body.to_string());
        if let Some(t) = &self.token {
            rb = rb.bearer_auth(t);
        }
        let res = rb.send().await.expect("request sent");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp { status, headers, body, text }
    }
}

impl TestApp {
    pub async fn start() -> TestApp {
        TestApp::start_at(default_now()).await
    }

    pub async fn start_at(now: DateTime<Utc>) -> TestApp {
        TestApp::start_with(now, |_| {}).await
    }

    /// Starts with the configuration adjusted by `adjust`.
    pub async fn start_with(now: DateTime<Utc>, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let (url, db) = fresh_database();
        let clock = ManualClock::new(now);
        let mut config = Config::for_database(&url);
        config.pool_size = 4;
        // Webhook receivers in tests listen on plain http loopback; tests drive the worker themselves.
        config.dev = true;
        config.webhook_poll_ms = 0;
        adjust(&mut config);
        let state = AppState::open(config, Arc::new(clock.clone())).expect("app state");
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let s = state.clone();
        let server = actix_web::HttpServer::new(move || app::build(s.clone()))
            .workers(1)
            .disable_signals()
            .listen(listener)
            .expect("listen")
            .run();
        let handle = server.handle();
        actix_rt::spawn(server);
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client"),
            clock,
            state,
            server: handle,
            _db: db,
        }
    }

    pub fn token(&self, org_type: OrgType, org: &str) -> String {
        let scopes: Vec<String> = org_type.allowed_scopes().iter().map(|s| s.to_string()).collect();
        self.token_with(org_type, org, &scopes, 3600)
    }

    pub fn token_with(&self, org_type: OrgType, org: &str, scopes: &[String], ttl: i64) -> String {
        let grant = Grant { sub: "test-user", org_type, org, scopes, client_id: None, ttl_secs: ttl };
        self.state.tokens().issue(&grant, placement_registry::clock::Clock::now(&self.clock)).expect("token")
    }

    pub fn actor(&self, token: Option<String>) -> Actor {
        Actor { base: self.base.clone(), client: self.client.clone(), token }
    }
    pub fn la(&self, code: &str) -> Actor {
        self.actor(Some(self.token(OrgType::Authority, code)))
    }
    pub fn provider(&self, id: &str) -> Actor {
        self.actor(Some(self.token(OrgType::Provider, id)))
    }
    pub fn operator(&self) -> Actor {
        self.actor(Some(self.token(OrgType::Operator, "registry")))
    }
    pub fn anonymous(&self) -> Actor {
        self.actor(None)
    }

    /// A provider with one children's home in Leeds; returns (provider id, URN).
    pub async fn provider_with_home(&self) -> (String, String) {
        let op = self.operator();
        let p = op.post("/v1/providers", json!({"name": "Brightwater Care Ltd"})).await.expect(201);
        let pid = p.id();
        op.post(
            "/v1/settings",
            json!({"urn": "SC480011", "provider_id": pid, "name": "Oak House", "place": "K2", "postcode": LEEDS_POSTCODE}),
        )
        .await
        .expect(201);
        (pid, "SC480011".to_string())
    }

    /// A child registered by `la`; returns its id.
    pub async fn child(&self, la: &str, given: &str, family: &str, dob: &str) -> String {
        let r = self.la(la).post("/v1/children", child_body(given, family, dob)).await.expect(201);
        r.id()
    }
}

pub fn child_body(given: &str, family: &str, dob: &str) -> Value {
    json!({
        "la_child_id": format!("C{}", &uuid::Uuid::new_v4().simple().to_string()[..8]),
        "given_name": given,
        "family_name": family,
        "date_of_birth": dob,
        "sex": "F",
        "ethnicity": "WBRI",
        "home_postcode": HACKNEY_POSTCODE,
    })
}

/// A placement body for a child at a setting.
pub fn setting_placement(child_id: &str, urn: &str, start: &str) -> Value {
    json!({"child_id": child_id, "urn": urn, "place": "K2", "place_provider": "PR4", "legal_status": "C2", "start_date": start})
}

/// A foster placement at a postcode.
pub fn foster_placement(child_id: &str, postcode: &str, start: &str) -> Value {
    json!({"child_id": child_id, "urn": "SC057821", "postcode": postcode, "place": "U4", "place_provider": "PR4", "legal_status": "C2", "start_date": start})
}
