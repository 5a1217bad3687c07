use crate::common::*;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, TimeDelta, Utc};
use hmac::{Hmac, Mac};
use placement_registry::auth::OrgType;
use placement_registry::webhooks::worker::Worker;
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    headers: HashMap<String, String>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or_default()
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

#[derive(Default)]
struct Log {
    received: Vec<Received>,
    /// Answers to give, in order: status and extra headers. When empty: 204.
    script: VecDeque<(u16, Vec<(&'static str, String)>)>,
}

/// A webhook receiver on 127.0.0.1 that records every request and answers from a script.
struct Receiver {
    base: String,
    log: Arc<Mutex<Log>>,
    server: actix_web::dev::ServerHandle,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        drop(self.server.stop(false));
    }
}

async fn receive(req: HttpRequest, body: web::Bytes, log: web::Data<Arc<Mutex<Log>>>) -> HttpResponse {
    let mut log = log.lock().expect("log");
    let headers = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or_default().to_string()))
        .collect();
    log.received.push(Received { path: req.path().to_string(), headers, body: body.to_vec() });
    let (status, headers) = log.script.pop_front().unwrap_or((204, vec![]));
    let mut res = HttpResponse::build(actix_web::http::StatusCode::from_u16(status).expect("status"));
    for (k, v) in headers {
        res.insert_header((k, v));
    }
    res.finish()
}

impl Receiver {
    async fn start() -> Receiver {
        let log = Arc::new(Mutex::new(Log::default()));
        let shared = log.clone();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = HttpServer::new(move || {
            App::new().app_data(web::Data::new(shared.clone())).default_service(web::to(receive))
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .expect("listen")
        .run();
        let handle = server.handle();
        actix_rt::spawn(server);
        Receiver { base: format!("http://127.0.0.1:{port}"), log, server: handle }
    }
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
    fn answer(&self, status: u16, headers: &[(&'static str, &str)]) {
        let headers = headers.iter().map(|(k, v)| (*k, v.to_string())).collect();
        self.log.lock().expect("log").script.push_back((status, headers));
    }
    fn received(&self) -> Vec<Received> {
        self.log.lock().expect("log").received.clone()
    }
}

/// Registers a webhook for `la`; returns (id, secret).
async fn register(app: &TestApp, la: &str, url: &str, types: &[&str]) -> (String, String) {
    let r = app.la(la).post("/v1/webhooks", json!({"url": url, "event_types": types})).await.expect(201);
    (r.id(), r.body["secret"].as_str().expect("secret").to_string())
}

/// Hackney places a new child (`given` tells children apart) at Oak House in Leeds: a
/// `placement.started` for Leeds. `home` is the URN from `provider_with_home`. Returns the
/// placement id.
async fn place_in_leeds(app: &TestApp, home: &str, given: &str) -> String {
    let child = app.child(HACKNEY, given, "Hughes", "2011-05-14").await;
    app.la(HACKNEY).post("/v1/placements", setting_placement(&child, home, "2026-06-10")).await.expect(201).id()
}

/// The notifications Hackney sent (reading them does not mark them delivered).
async fn sent(app: &TestApp) -> Vec<Value> {
    let r = app.la(HACKNEY).get("/v1/notifications/sent").await.expect(200);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

async fn deliveries(app: &TestApp, webhook: &str) -> Vec<Value> {
    let r = app.la(LEEDS).get(&format!("/v1/webhooks/{webhook}/deliveries")).await.expect(200);
    r.body["items"].as_array().cloned().unwrap_or_default()
}

async fn run(app: &TestApp, worker: &str) -> usize {
    Worker::new(app.state.clone(), worker).run_once().await.expect("worker round")
}

fn now(app: &TestApp) -> DateTime<Utc> {
    placement_registry::clock::Clock::now(&app.clock)
}

fn instant(v: &Value) -> DateTime<Utc> {
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("not an instant: {v}"))
}

/// Checks the Standard Webhooks signature as a receiver would.
fn verify(secret: &str, r: &Received) {
    let key = STANDARD.decode(secret.strip_prefix("whsec_").expect("whsec_ prefix")).expect("base64 secret");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("key");
    mac.update(format!("{}.{}.", r.header("webhook-id"), r.header("webhook-timestamp")).as_bytes());
    mac.update(&r.body);
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    let signatures: Vec<&str> = r.header("webhook-signature").split(' ').collect();
    assert!(signatures.contains(&expected.as_str()), "signature {signatures:?} is not {expected}");
}

#[actix_rt::test]
async fn webhooks_registration_checks_its_input_and_shows_the_secret_once() {
    let app = TestApp::start().await;
    let leeds = app.la(LEEDS);
    let body = |url: &str, types: Value| json!({"url": url, "event_types": types});
    let ok_types = json!(["placement.started"]);
    for bad in [
        "not a url",
        "/relative/path",
        "http://example.com/hooks",
        "http://10.0.0.8/hooks",
        "ftp://example.com/hooks",
        "https://user:secret@example.com/hooks",
    ] {
        leeds.post("/v1/webhooks", body(bad, ok_types.clone())).await.expect_field_error(422, "url");
    }
    let r = leeds
        .post("/v1/webhooks", body("https://example.com/h", json!(["placement.started", "placement.exploded"])))
        .await
        .expect_field_error(422, "event_types[1]");
    assert!(r.text.contains("placement.ended"), "the message lists the known types: {}", r.text);
    leeds.post("/v1/webhooks", body("https://example.com/h", json!([]))).await.expect_field_error(422, "event_types");
    leeds
        .post("/v1/webhooks", json!({"url": "https://example.com/h", "event_types": ["*"], "secret": "mine"}))
        .await
        .expect_field_error(400, "secret");
    app.anonymous().post("/v1/webhooks", body("https://example.com/h", ok_types.clone())).await.expect_problem(401);
    app.provider("p1").post("/v1/webhooks", body("https://example.com/h", ok_types.clone())).await.expect_problem(403);
    let read_only = app.actor(Some(app.token_with(OrgType::Authority, LEEDS, &["notifications:read".into()], 600)));
    read_only.post("/v1/webhooks", body("https://example.com/h", ok_types.clone())).await.expect_problem(403);

    let created = leeds
        .post("/v1/webhooks", body("http://127.0.0.1:9/hooks", json!(["placement.ended", "placement.started"])))
        .await
        .expect(201);
    let id = created.id();
    assert_eq!(created.header("location"), Some(format!("/v1/webhooks/{id}")));
    assert_eq!(created.body["authority"], LEEDS);
    assert_eq!(created.body["url"], "http://127.0.0.1:9/hooks");
    assert_eq!(created.body["event_types"], json!(["placement.started", "placement.ended"]));
    let secret = created.body["secret"].as_str().expect("secret").to_string();
    let key = STANDARD.decode(secret.strip_prefix("whsec_").expect("whsec_ prefix")).expect("base64");
    assert_eq!(key.len(), 32);
    let all = leeds.post("/v1/webhooks", body("https://example.com/h", json!(["*", "placement.started"]))).await;
    assert_eq!(all.expect(201).body["event_types"], json!(["*"]));

    let one = read_only.get(&format!("/v1/webhooks/{id}")).await.expect(200);
    assert_eq!(one.body["id"], json!(id));
    let list = read_only.get("/v1/webhooks").await.expect(200);
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(2));
    for text in [&one.text, &list.text] {
        assert!(!text.contains(&secret) && !text.contains("\"secret\""), "secret shown again: {text}");
    }

    let kent = app.la(KENT);
    kent.get(&format!("/v1/webhooks/{id}")).await.expect_problem(404);
    kent.get(&format!("/v1/webhooks/{id}/deliveries")).await.expect_problem(404);
    kent.send(reqwest::Method::DELETE, &format!("/v1/webhooks/{id}"), None, &[]).await.expect_problem(404);
    assert_eq!(kent.get("/v1/webhooks").await.expect(200).body["items"], json!([]));
    leeds.get("/v1/webhooks/no-such-id").await.expect_problem(404);

    leeds.send(reqwest::Method::DELETE, &format!("/v1/webhooks/{id}"), None, &[]).await.expect(204);
    // A deleted endpoint is gone: not readable, not listed; deleting again is harmless.
    leeds.get(&format!("/v1/webhooks/{id}")).await.expect_problem(404);
    assert!(!leeds.get("/v1/webhooks").await.expect(200).text.contains(&id));
    leeds.send(reqwest::Method::DELETE, &format!("/v1/webhooks/{id}"), None, &[]).await.expect(204);
}

#[actix_rt::test]
async fn webhooks_deliver_a_signed_notification() {
    let app = TestApp::start().await;
    let rx = Receiver::start().await;
    let (_, home) = app.provider_with_home().await;
    let (hook, secret) = register(&app, LEEDS, &rx.url("/hooks"), &["placement.started"]).await;
    let placement = place_in_leeds(&app, &home, "Amelia").await;

    assert_eq!(run(&app, "w1").await, 1);
    let got = rx.received();
    assert_eq!(got.len(), 1);
    let r = &got[0];
    assert_eq!(r.path, "/hooks");
    assert_eq!(r.header("content-type"), "application/json");
    assert_eq!(r.header("webhook-timestamp"), now(&app).timestamp().to_string());
    verify(&secret, r);
    let n = r.json();
    assert_eq!(n["id"], json!(r.header("webhook-id")));
    assert_eq!(n["type"], "placement.started");
    assert_eq!(n["recipient_la"], LEEDS);
    assert_eq!(n["placement_id"], json!(placement));

    let d = deliveries(&app, &hook).await;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["notification_id"], json!(r.header("webhook-id")));
    assert_eq!(d[0]["notification_type"], "placement.started");
    assert_eq!(d[0]["status"], "delivered");
    assert_eq!(d[0]["attempt_count"], 1);
    assert!(d[0]["delivered_at"].is_string() && d[0]["next_attempt_at"].is_null());
    assert_eq!(d[0]["attempts"].as_array().map(Vec::len), Some(1));
    assert_eq!(d[0]["attempts"][0]["status_code"], 204);
    assert!(d[0]["attempts"][0]["duration_ms"].as_i64().is_some());
    // The sender sees it delivered; nothing more to send.
    let s = sent(&app).await;
    assert!(s[0]["delivered_at"].is_string() && s[0]["escalated"] == json!(false), "{s:?}");
    app.clock.advance(TimeDelta::hours(2));
    assert_eq!(run(&app, "w1").await, 0);
    assert_eq!(rx.received().len(), 1);
}

#[actix_rt::test]
async fn webhooks_retry_failures_with_backoff_until_delivered() {
    let app = TestApp::start().await;
    let rx = Receiver::start().await;
    let (_, home) = app.provider_with_home().await;
    let (hook, secret) = register(&app, LEEDS, &rx.url("/in"), &["*"]).await;
    place_in_leeds(&app, &home, "Amelia").await;
    for _ in 0..3 {
        rx.answer(500, &[]);
    }
    for i in 1..=3i64 {
        assert_eq!(run(&app, "w1").await, 1, "attempt {i}");
        let d = &deliveries(&app, &hook).await[0];
        assert_eq!(d["status"], "pending");
        assert_eq!(d["attempt_count"], i);
        assert!(d["last_error"].as_str().is_some_and(|e| e.contains("500")), "{d}");
        // Full jitter: somewhere between now and 2^attempts seconds later.
        let wait = instant(&d["next_attempt_at"]) - now(&app);
        assert!(wait >= TimeDelta::zero() && wait <= TimeDelta::seconds(1 << i), "attempt {i}: {wait}");
        app.clock.advance(TimeDelta::hours(1));
    }
    // Undelivered for more than 24 hours: the sender sees an escalation; the delivery goes on.
    app.clock.advance(TimeDelta::hours(22));
    assert_eq!(sent(&app).await[0]["escalated"], true);
    assert_eq!(deliveries(&app, &hook).await[0]["status"], "pending");
    rx.answer(200, &[]);
    assert_eq!(run(&app, "w1").await, 1);

    let got = rx.received();
    assert_eq!(got.len(), 4);
    let id = got[0].header("webhook-id").to_string();
    assert!(!id.is_empty());
    for r in &got {
        assert_eq!(r.header("webhook-id"), id, "the same message id on every retry");
        verify(&secret, r);
    }
    let stamps: Vec<i64> = got.iter().map(|r| r.header("webhook-timestamp").parse().expect("timestamp")).collect();
    assert!(stamps.windows(2).all(|w| w[0] < w[1]), "{stamps:?}");
    let d = &deliveries(&app, &hook).await[0];
    assert_eq!(d["status"], "delivered");
    assert_eq!(d["attempt_count"], 4);
    assert!(d["last_error"].is_null());
    let codes: Vec<i64> =
        d["attempts"].as_array().expect("attempts").iter().filter_map(|a| a["status_code"].as_i64()).collect();
    assert_eq!(codes, [500, 500, 500, 200]);
    assert!(d["attempts"][0]["error"].as_str().is_some_and(|e| e.contains("500")));
    assert!(d["attempts"][3]["error"].is_null());
    let s = sent(&app).await;
    assert!(s[0]["delivered_at"].is_string() && s[0]["escalated"] == json!(false), "{s:?}");
}

#[actix_rt::test]
async fn webhooks_honour_retry_after() {
    let app = TestApp::start().await;
    let rx = Receiver::start().await;
    let (_, home) = app.provider_with_home().await;
    let (hook, _) = register(&app, LEEDS, &rx.url("/in"), &["placement.started"]).await;
    place_in_leeds(&app, &home, "Amelia").await;
    rx.answer(429, &[("retry-after", "120")]);
    assert_eq!(run(&app, "w1").await, 1);
    let d = &deliveries(&app, &hook).await[0];
    assert_eq!(d["status"], "pending");
    assert_eq!(instant(&d["next_attempt_at"]), now(&app) + TimeDelta::seconds(120));
    assert_eq!(d["attempts"][0]["status_code"], 429);
    app.clock.advance(TimeDelta::seconds(119));
    assert_eq!(run(&app, "w1").await, 0, "not due before Retry-After");
    app.clock.advance(TimeDelta::seconds(1));
    assert_eq!(run(&app, "w1").await, 1);
    assert_eq!(rx.received().len(), 2);
    assert_eq!(deliveries(&app, &hook).await[0]["status"], "delivered");
}

#[actix_rt::test]
async fn webhooks_stop_on_a_permanent_refusal() {
    let app = TestApp::start().await;
    let rx = Receiver::start().await;
    let (_, home) = app.provider_with_home().await;
    let (hook, _) = register(&app, LEEDS, &rx.url("/gone"), &["placement.started"]).await;
    place_in_leeds(&app, &home, "Amelia").await;
    rx.answer(410, &[]);
    assert_eq!(run(&app, "w1").await, 1);
    let d = &deliveries(&app, &hook).await[0];
    assert_eq!(d["status"], "failed");
    assert_eq!(d["attempt_count"], 1);
    assert!(d["next_attempt_at"].is_null());
    assert!(d["last_error"].as_str().is_some_and(|e| e.contains("410")), "{d}");
    app.clock.advance(TimeDelta::hours(3));
    assert_eq!(run(&app, "w1").await, 0);
    assert_eq!(rx.received().len(), 1);
    // Still visible, with its one attempt.
    let failed = app.la(LEEDS).get(&format!("/v1/webhooks/{hook}/deliveries?status=failed")).await.expect(200);
    assert_eq!(failed.body["items"][0]["attempts"].as_array().map(Vec::len), Some(1));
    let pending = app.la(LEEDS).get(&format!("/v1/webhooks/{hook}/deliveries?status=pending")).await.expect(200);
    assert_eq!(pending.body["items"], json!([]));
}

#[actix_rt::test]
async fn webhooks_survive_a_worker_that_dies_holding_a_lease() {
    let app = TestApp::start().await;
    let rx = Receiver::start().await;
    let (_, home) = app.provider_with_home().await;
    let (hook, _) = register(&app, LEEDS, &rx.url("/in"), &["placement.started"]).await;
    place_in_leeds(&app, &home, "Amelia").await;

    let crashed = Worker::new(app.state.clone(), "w1");
    assert_eq!(crashed.claim().await.expect("claim").len(), 1);
    drop(crashed);
    assert_eq!(run(&app, "w2").await, 0, "leased to w1");
    app.clock.advance(TimeDelta::seconds(59));
    assert_eq!(run(&app, "w2").await, 0, "lease not yet expired");
    assert!(rx.received().is_empty());
    app.clock.advance(TimeDelta::seconds(2));
    assert_eq!(run(&app, "w2").await, 1);
    assert_eq!(run(&app, "w1").await, 0);
    let got = rx.received();
    assert_eq!(got.len(), 1);
    let d = &deliveries(&app, &hook).await[0];
    assert_eq!(d["status"], "delivered");
    assert_eq!(d["notification_id"], json!(got[0].header("webhook-id")));
}

#[actix_rt::test]
async fn webhooks_concurrent_workers_never_claim_the_same_delivery() {
    let app = TestApp::start().await;
    let rx = Receiver::start().await;
    let (_, home) = app.provider_with_home().await;
    for path in ["/a", "/b", "/c", "/d"] {
        register(&app, LEEDS, &rx.url(path), &["*"]).await;
    }
    place_in_leeds(&app, &home, "Amelia").await;
    place_in_leeds(&app, &home, "Bethany").await;
    let (w1, w2, w3) = (
        Worker::new(app.state.clone(), "w1"),
        Worker::new(app.state.clone(), "w2"),
        Worker::new(app.state.clone(), "w3"),
    );
    let (a, b, c) = tokio::join!(w1.claim(), w2.claim(), w3.claim());
    let mut all: Vec<String> = [a.expect("w1"), b.expect("w2"), c.expect("w3")].concat();
    assert_eq!(all.len(), 8, "eight deliveries claimed once each");
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 8, "no delivery claimed twice");
    let (a, b, c) = tokio::join!(w1.run_once(), w2.run_once(), w3.run_once());
    assert_eq!(a.expect("w1") + b.expect("w2") + c.expect("w3"), 0, "all leased, nothing to send yet");
    app.clock.advance(TimeDelta::seconds(61));
    let (a, b, c) = tokio::join!(w1.run_once(), w2.run_once(), w3.run_once());
    assert_eq!(a.expect("w1") + b.expect("w2") + c.expect("w3"), 8);
    let got = rx.received();
    assert_eq!(got.len(), 8);
    let mut pairs: Vec<(String, String)> =
        got.iter().map(|r| (r.path.clone(), r.header("webhook-id").to_string())).collect();
    pairs.sort();
    pairs.dedup();
    assert_eq!(pairs.len(), 8, "each message once per endpoint");
}

#[actix_rt::test]
async fn webhooks_deliver_only_the_subscribed_event_types() {
    let app = TestApp::start().await;
    let rx = Receiver::start().await;
    let (_, home) = app.provider_with_home().await;
    let (ended, _) = register(&app, LEEDS, &rx.url("/ended"), &["placement.ended"]).await;
    let (started, _) = register(&app, LEEDS, &rx.url("/started"), &["placement.started"]).await;
    let (all, _) = register(&app, LEEDS, &rx.url("/all"), &["*"]).await;
    let (_, kent_secret) = register(&app, KENT, &rx.url("/kent"), &["*"]).await;
    assert!(!kent_secret.is_empty());
    let placement = place_in_leeds(&app, &home, "Amelia").await;
    assert_eq!(run(&app, "w1").await, 2);
    let mut paths: Vec<String> = rx.received().iter().map(|r| r.path.clone()).collect();
    paths.sort();
    assert_eq!(paths, ["/all", "/started"]);
    let ids: Vec<String> = rx.received().iter().map(|r| r.header("webhook-id").to_string()).collect();
    assert_eq!(ids[0], ids[1], "one message id for every endpoint");
    assert!(deliveries(&app, &ended).await.is_empty());
    assert_eq!(deliveries(&app, &started).await.len(), 1);

    app.clock.advance(TimeDelta::hours(1));
    app.la(HACKNEY)
        .post(&format!("/v1/placements/{placement}/end"), json!({"end_date": "2026-06-15", "rec": "E11"}))
        .await
        .expect(200);
    assert_eq!(run(&app, "w1").await, 2);
    let got = rx.received();
    let mut later: Vec<(String, String)> =
        got[2..].iter().map(|r| (r.path.clone(), r.json()["type"].as_str().unwrap_or_default().to_string())).collect();
    later.sort();
    assert_eq!(
        later,
        [("/all".to_string(), "placement.ended".to_string()), ("/ended".into(), "placement.ended".into())]
    );
    let d = deliveries(&app, &all).await;
    assert_eq!(d.len(), 2);
    assert_eq!(d[0]["notification_type"], "placement.ended", "newest first");
    assert_eq!(d[1]["notification_type"], "placement.started");
    let page = app.la(LEEDS).get(&format!("/v1/webhooks/{all}/deliveries?limit=1")).await.expect(200);
    let cursor = page.body["next_cursor"].as_str().expect("next page").to_string();
    let next = app.la(LEEDS).get(&format!("/v1/webhooks/{all}/deliveries?limit=1&cursor={cursor}")).await.expect(200);
    assert_eq!(next.body["items"][0]["notification_type"], "placement.started");
    assert!(next.body["next_cursor"].is_null());
}

/// (status, attempts) of the stored deliveries to an endpoint, read from the database.
fn stored_deliveries(app: &TestApp, endpoint: &str) -> Vec<(String, i64)> {
    use diesel::prelude::*;
    use placement_registry::db::schema::webhook_deliveries as wd;
    let mut conn = app.state.pool.get().expect("conn");
    wd::table.filter(wd::endpoint_id.eq(endpoint)).select((wd::status, wd::attempts)).load(&mut conn).expect("rows")
}

#[actix_rt::test]
async fn webhooks_send_nothing_to_a_disabled_endpoint() {
    let app = TestApp::start().await;
    let rx = Receiver::start().await;
    let (_, home) = app.provider_with_home().await;
    let (before, _) = register(&app, LEEDS, &rx.url("/before"), &["*"]).await;
    let (after, _) = register(&app, LEEDS, &rx.url("/after"), &["*"]).await;
    let leeds = app.la(LEEDS);
    leeds.send(reqwest::Method::DELETE, &format!("/v1/webhooks/{before}"), None, &[]).await.expect(204);
    place_in_leeds(&app, &home, "Amelia").await;
    // Queued for the active endpoint only; then that one is disabled before the worker runs.
    assert!(stored_deliveries(&app, &before).is_empty());
    assert_eq!(deliveries(&app, &after).await[0]["status"], "pending");
    leeds.send(reqwest::Method::DELETE, &format!("/v1/webhooks/{after}"), None, &[]).await.expect(204);
    assert_eq!(run(&app, "w1").await, 0);
    app.clock.advance(TimeDelta::hours(2));
    assert_eq!(run(&app, "w1").await, 0);
    assert!(rx.received().is_empty());
    // A deleted endpoint is gone from the API; its queued delivery is kept, cancelled.
    app.la(LEEDS).get(&format!("/v1/webhooks/{after}/deliveries")).await.expect_problem(404);
    assert_eq!(stored_deliveries(&app, &after), vec![("cancelled".to_string(), 0)]);
    // The notification is still in the LA's inbox.
    let inbox = app.la(LEEDS).get("/v1/notifications").await.expect(200);
    assert_eq!(inbox.body["items"].as_array().map(Vec::len), Some(1));
}

#[actix_rt::test]
async fn webhooks_retry_an_endpoint_that_does_not_answer() {
    let app = TestApp::start().await;
    let (_, home) = app.provider_with_home().await;
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let (hook, _) = register(&app, LEEDS, &format!("http://127.0.0.1:{closed}/in"), &["*"]).await;
    place_in_leeds(&app, &home, "Amelia").await;
    assert_eq!(run(&app, "w1").await, 1);
    let d = &deliveries(&app, &hook).await[0];
    assert_eq!(d["status"], "pending");
    assert!(d["attempts"][0]["status_code"].is_null());
    assert!(d["attempts"][0]["error"].as_str().is_some_and(|e| e.contains("connect")), "{d}");
}
