//! Authorisation matrix: every endpoint of the OpenAPI document × caller × object.
//!
//! Each row names an endpoint and what each of the seven callers gets on the world's own object,
//! in this order: placing LA (Hackney), host LA (Leeds), unrelated LA (Kent), provider of the
//! setting (P1), other provider (P2), operator, no token. Tokens:
//!
//! - a status (`200`, `201`, `204`, `409`, ...): authorisation passes; this exact status on the
//!   own object, and for an object that does not exist the row's "missing" answer (404 for a path,
//!   422 naming the field for an object referenced in the body);
//! - `N`: the own object is invisible to this caller: exactly the answer for a nonexistent one;
//! - `F`: 403 whatever the object (role or scope refused before any lookup);
//! - `f`: 403 on the own object, which the caller sees but may not act on; missing ones as above;
//! - `U`: 401.
//!
//! For every caller, a foreign object (one belonging to others that none of the seven callers
//! may see: Manchester's child placed at P3's home in Birmingham and everything about it) must
//! answer exactly, status and body, as a nonexistent one, and no list or report may name it.

use crate::common::*;
use serde_json::{Value, json};
use std::collections::HashMap;

const CALLERS: [&str; 7] =
    ["placing LA", "host LA", "unrelated LA", "provider", "other provider", "operator", "anonymous"];
const OWN_URN: &str = "SC480011";
const FOREIGN_URN: &str = "SC480033";
const MISSING_URN: &str = "SC999999";
const BIRMINGHAM: &str = "E08000025";
const BIRMINGHAM_POSTCODE: &str = "B1 1BB";
const PERIOD: &str = "2026-Q1";
const HOOK: &str = "http://127.0.0.1:9/hook";
/// RFC 8037's example Ed25519 public key.
const JWK_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

/// What a row's object is.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Kind {
    /// No object: collections, creations, public documents.
    None,
    Child,
    Placement,
    Episode,
    Admission,
    Notification,
    Webhook,
    ApiClient,
    Issuer,
    Provider,
    /// A setting in the public directory (no foreign one).
    Setting,
    /// A setting as the object of admissions and returns (foreign: P3's home).
    Home,
    /// An LA code (public; no foreign one).
    Authority,
    /// Client credentials `id:secret` (foreign: the right id with a wrong secret).
    Credentials,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Obj {
    Own,
    Foreign,
    Missing,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Expect {
    Allowed(u16),
    NotFound,
    Forbidden,
    ForbiddenOwn,
    Unauthenticated,
}

fn parse_expect(s: &str) -> Vec<Expect> {
    s.split_whitespace()
        .map(|t| match t {
            "N" => Expect::NotFound,
            "F" => Expect::Forbidden,
            "f" => Expect::ForbiddenOwn,
            "U" => Expect::Unauthenticated,
            n => Expect::Allowed(n.parse().unwrap_or_else(|_| panic!("bad expectation token {n}"))),
        })
        .collect()
}

/// How a row's request body is made from the world and the object.
#[derive(Clone, Copy)]
enum MakeBody {
    None,
    Json(fn(&World, &str) -> Value),
    /// Content type and text.
    Raw(&'static str, fn(&str) -> String),
}

struct Row {
    method: &'static str,
    path: &'static str,
    expect: &'static str,
    kind: Kind,
    /// The body field naming the object, when the object is referenced in the body.
    field: Option<&'static str>,
    if_match: bool,
    body: MakeBody,
}

fn row(endpoint: &'static str, expect: &'static str, kind: Kind) -> Row {
    let (method, path) = endpoint.split_once(' ').expect("METHOD /path");
    Row { method, path, expect, kind, field: None, if_match: false, body: MakeBody::None }
}

impl Row {
    fn json(mut self, body: fn(&World, &str) -> Value) -> Row {
        self.body = MakeBody::Json(body);
        self
    }
    fn raw(mut self, content_type: &'static str, body: fn(&str) -> String) -> Row {
        self.body = MakeBody::Raw(content_type, body);
        self
    }
    fn field(mut self, field: &'static str) -> Row {
        self.field = Some(field);
        self
    }
    fn if_match(mut self) -> Row {
        self.if_match = true;
        self
    }
    fn endpoint(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
    /// The answer for an object that does not exist.
    fn missing_status(&self) -> u16 {
        match (self.field, self.kind) {
            (Some(_), _) => 422,
            (None, Kind::Credentials) => 401,
            _ => 404,
        }
    }
}

fn child_patch(_: &World, _: &str) -> Value {
    json!({"given_name": "Rubie"})
}

/// The matrix: one line per endpoint of the OpenAPI document.
///                                                                    H   L   K   P1  P2  Op  -
fn rows() -> Vec<Row> {
    use Kind::*;
    vec![
        row("GET /.well-known/jwks.json", "200 200 200 200 200 200 200", None),
        row("GET /healthz", "200 200 200 200 200 200 200", None),
        row("POST /v1/oauth/token", "200 200 200 200 200 200 200", Credentials).raw("application/x-www-form-urlencoded", |o| {
            let (id, secret) = o.split_once(':').expect("id:secret");
            format!("grant_type=client_credentials&client_id={id}&client_secret={secret}")
        }),
        // Auth administration (operator only).
        row("GET /v1/api-clients", "F F F F F 200 U", None),
        row("POST /v1/api-clients", "F F F F F 201 U", None)
            .json(|_, _| json!({"name": "Leeds CMS", "org_type": "authority", "org": LEEDS})),
        row("POST /v1/api-clients/{client_id}/revoke", "F F F F F 200 U", ApiClient).json(|_, _| json!({})),
        row("GET /v1/trusted-issuers", "F F F F F 200 U", None),
        row("POST /v1/trusted-issuers", "F F F F F 201 U", None).json(|_, _| issuer_body("https://login.leeds.example", LEEDS)),
        row("DELETE /v1/trusted-issuers/{id}", "F F F F F 200 U", Issuer),
        // Directory.
        row("GET /v1/authorities", "200 200 200 200 200 200 U", None),
        row("GET /v1/authorities/{code}", "200 200 200 200 200 200 U", Authority),
        row("GET /v1/authorities/{code}/placed-children", "f 200 f F F F U", Authority),
        row("GET /v1/authorities/{code}/returns", "f 200 f F F F U", Authority),
        row("GET /v1/providers", "200 200 200 200 200 200 U", None),
        row("POST /v1/providers", "F F F F F 201 U", None).json(|_, _| json!({"name": "New Care Ltd"})),
        row("GET /v1/providers/{id}", "N N N 200 N 200 U", Provider),
        row("PATCH /v1/providers/{id}", "F F F F F 200 U", Provider).if_match().json(|_, _| json!({"name": "Brightwater Ltd"})),
        row("GET /v1/settings", "200 200 200 200 200 200 U", None),
        row("POST /v1/settings", "F F F F F 201 U", Provider).field("provider_id").json(|_, o| {
            json!({"urn": "SC480099", "provider_id": o, "name": "Ash House", "place": "K2", "postcode": LEEDS_POSTCODE})
        }),
        row("GET /v1/settings/{urn}", "200 200 200 200 200 200 U", Setting),
        row("PATCH /v1/settings/{urn}", "F F F F F 200 U", Setting).if_match().json(|_, _| json!({"name": "Oak House East"})),
        // Children.
        row("GET /v1/children", "200 200 200 F F F U", None),
        row("POST /v1/children", "201 201 201 F F F U", None).json(|_, _| child_body("Ava", "Stone", "2013-02-01")),
        row("GET /v1/children/{id}", "200 200 N 200 N F U", Child),
        row("PATCH /v1/children/{id}", "200 f N F F F U", Child).if_match().json(child_patch),
        row("GET /v1/children/{id}/access-log", "200 f N f N F U", Child),
        row("GET /v1/children/{id}/timeline", "200 f N f N F U", Child),
        // Placements.
        row("GET /v1/placements", "200 200 200 200 200 F U", None),
        row("POST /v1/placements", "409 N N F F F U", Child)
            .field("child_id")
            .json(|_, o| setting_placement(o, OWN_URN, "2026-06-12")),
        row("GET /v1/placements/{id}", "200 200 N 200 N F U", Placement),
        row("PATCH /v1/placements/{id}", "200 f N F F F U", Placement).if_match().json(|_, _| json!({"emergency": true})),
        row("POST /v1/placements/{id}/end", "200 f N F F F U", Placement)
            .json(|_, _| json!({"end_date": "2026-06-14", "rec": "E11"})),
        row("POST /v1/placements/{id}/legal-statuses", "200 f N F F F U", Placement)
            .json(|_, _| json!({"effective_from": "2026-06-10", "legal_status": "C1"})),
        // Admissions and discharges.
        row("GET /v1/admissions", "200 200 200 200 200 F U", None),
        row("GET /v1/admissions/{id}", "200 200 N 200 N F U", Admission),
        row("POST /v1/settings/{urn}/admissions", "F F F 201 N F U", Home)
            .json(|w, _| json!({"child_id": w.child, "date": "2026-06-14"})),
        row("POST /v1/settings/{urn}/discharges", "F F F 201 N F U", Home)
            .json(|w, _| json!({"child_id": w.child, "date": "2026-06-14"})),
        // Missing episodes.
        row("GET /v1/missing-episodes", "200 200 200 200 200 F U", None),
        row("POST /v1/missing-episodes", "201 201 N 201 N F U", Child)
            .field("child_id")
            .json(|_, o| json!({"child_id": o, "kind": "M", "started_at": "2026-06-13T20:00:00Z"})),
        row("GET /v1/missing-episodes/{id}", "200 200 N 200 N F U", Episode),
        row("PATCH /v1/missing-episodes/{id}", "200 200 N 200 N F U", Episode)
            .if_match()
            .json(|_, _| json!({"police_reference": "WY-2026-7"})),
        // Notifications and webhooks.
        row("GET /v1/notifications", "200 200 200 F F F U", None),
        row("GET /v1/notifications/sent", "200 200 200 200 200 F U", None),
        row("GET /v1/notifications/{id}", "200 200 N N N F U", Notification),
        row("POST /v1/notifications/{id}/acknowledge", "f 200 N F F F U", Notification).json(|_, _| json!({})),
        row("GET /v1/webhooks", "200 200 200 F F F U", None),
        row("POST /v1/webhooks", "201 201 201 F F F U", None)
            .json(|_, _| json!({"url": HOOK, "event_types": ["placement.ended"]})),
        row("GET /v1/webhooks/{id}", "N 200 N F F F U", Webhook),
        row("DELETE /v1/webhooks/{id}", "N 204 N F F F U", Webhook),
        row("GET /v1/webhooks/{id}/deliveries", "N 200 N F F F U", Webhook),
        // Quarterly returns.
        row("GET /v1/settings/{urn}/returns", "N 200 N 200 N F U", Home),
        row("GET /v1/settings/{urn}/returns/{period}", "N 200 N 200 N F U", Home),
        row("PUT /v1/settings/{urn}/returns/{period}", "F F F 201 N F U", Home)
            .json(|_, _| json!({"nil": true, "episodes": []})),
        row("POST /v1/settings/{urn}/returns/{period}/review", "N 200 N f N F U", Home)
            .json(|_, _| json!({"decision": "accept"})),
        row("GET /v1/settings/{urn}/returns/{period}/versions/{version}", "N 200 N 200 N F U", Home),
        // Reports and exports: always of the caller's own organisation.
        row("GET /v1/reports/placing", "200 200 200 F F F U", None),
        row("GET /v1/reports/placing/records", "200 200 200 F F F U", None),
        row("GET /v1/reports/host", "200 200 200 F F F U", None),
        row("GET /v1/reports/host/records", "200 200 200 F F F U", None),
        row("GET /v1/reports/provider", "F F F 200 200 F U", None),
        row("GET /v1/reports/provider/records", "F F F 200 200 F U", None),
        row("GET /v1/exports/ssda903/{year}/header.csv", "200 200 200 F F F U", None),
        row("GET /v1/exports/ssda903/{year}/episodes.csv", "200 200 200 F F F U", None),
        row("GET /v1/exports/ssda903/{year}/missing.csv", "200 200 200 F F F U", None),
        row("GET /v1/exports/ssda903/{year}/validation", "200 200 200 F F F U", None),
    ]
}

fn issuer_body(issuer: &str, org: &str) -> Value {
    json!({"issuer": issuer, "audience": "placement-registry-api", "algorithms": ["EdDSA"],
           "jwks": {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": JWK_X, "kid": "k1", "alg": "EdDSA", "use": "sig"}]},
           "org_type": "authority", "orgs": [org]})
}

/// The fixture: Hackney's child placed at P1's Oak House (SC480011) in Leeds with everything
/// around it, and the foreign counterpart: Manchester's child at P3's Elm House in Birmingham.
struct World {
    app: TestApp,
    p1: String,
    p2: String,
    child: String,
    own: HashMap<Kind, String>,
    foreign: HashMap<Kind, String>,
    etags: HashMap<String, String>,
}

impl World {
    /// Builds the world; an API client (slow to hash) only for rows about one.
    async fn build(kind: Kind) -> World {
        let app = TestApp::start().await;
        let op = app.operator();
        let (p1, _) = app.provider_with_home().await;
        let p2 = op.post("/v1/providers", json!({"name": "Harbour Homes Ltd"})).await.expect(201).id();
        let p3 = op.post("/v1/providers", json!({"name": "Midland Care Ltd"})).await.expect(201).id();
        op.post(
            "/v1/settings",
            json!({"urn": FOREIGN_URN, "provider_id": p3, "name": "Elm House", "place": "K2", "postcode": BIRMINGHAM_POSTCODE}),
        )
        .await
        .expect(201);

        let (mut own, mut foreign) = (HashMap::new(), HashMap::new());
        for (la, provider, urn, map, given) in
            [(HACKNEY, &p1, OWN_URN, &mut own, "Ruby"), (MANCHESTER, &p3, FOREIGN_URN, &mut foreign, "Maya")]
        {
            let placing = app.la(la);
            let home = app.provider(provider);
            let child = app.child(la, given, "Stone", "2012-04-03").await;
            let placement =
                placing.post("/v1/placements", setting_placement(&child, urn, "2026-06-01")).await.expect(201).id();
            let episode = home
                .post(
                    "/v1/missing-episodes",
                    json!({"child_id": child, "kind": "M", "started_at": "2026-06-10T22:00:00Z", "ended_at": "2026-06-11T02:00:00Z"}),
                )
                .await
                .expect(201)
                .id();
            let admission = home
                .post(&format!("/v1/settings/{urn}/admissions"), json!({"child_id": child, "date": "2026-06-01"}))
                .await
                .expect(201)
                .id();
            let sent = placing.get("/v1/notifications/sent?type=placement.started").await.expect(200);
            let notification = sent.body["items"][0]["id"].as_str().expect("placement.started sent").to_string();
            home.send(
                reqwest::Method::PUT,
                &format!("/v1/settings/{urn}/returns/{PERIOD}"),
                Some(json!({"nil": true, "episodes": []})),
                &[],
            )
            .await
            .expect(201);
            map.insert(Kind::Child, child);
            map.insert(Kind::Placement, placement);
            map.insert(Kind::Episode, episode);
            map.insert(Kind::Admission, admission);
            map.insert(Kind::Notification, notification);
            map.insert(Kind::Home, urn.to_string());
        }
        for (la, map) in [(LEEDS, &mut own), (BIRMINGHAM, &mut foreign)] {
            let hook =
                app.la(la).post("/v1/webhooks", json!({"url": HOOK, "event_types": ["placement.started"]})).await;
            map.insert(Kind::Webhook, hook.expect(201).id());
        }
        if matches!(kind, Kind::ApiClient | Kind::Credentials) {
            let client = op
                .post("/v1/api-clients", json!({"name": "Hackney CMS", "org_type": "authority", "org": HACKNEY}))
                .await
                .expect(201);
            let client_id = client.body["client_id"].as_str().expect("client_id").to_string();
            let secret = client.body["client_secret"].as_str().expect("client_secret").to_string();
            own.insert(Kind::ApiClient, client_id.clone());
            own.insert(Kind::Credentials, format!("{client_id}:{secret}"));
            foreign.insert(Kind::Credentials, format!("{client_id}:{}", "x".repeat(secret.len())));
        }
        let issuer = op.post("/v1/trusted-issuers", issuer_body("https://login.hackney.example", HACKNEY)).await;
        own.insert(Kind::Issuer, issuer.expect(201).id());
        own.insert(Kind::Provider, p1.clone());
        own.insert(Kind::Setting, OWN_URN.to_string());
        own.insert(Kind::Authority, LEEDS.to_string());

        let mut etags = HashMap::new();
        for map in [&own, &foreign] {
            let placing = if std::ptr::eq(map, &own) { app.la(HACKNEY) } else { app.la(MANCHESTER) };
            for (kind, path) in [
                (Kind::Child, "/v1/children/"),
                (Kind::Placement, "/v1/placements/"),
                (Kind::Episode, "/v1/missing-episodes/"),
            ] {
                let id = &map[&kind];
                etags.insert(id.clone(), placing.get(&format!("{path}{id}")).await.expect(200).etag());
            }
        }
        etags.insert(p1.clone(), op.get(&format!("/v1/providers/{p1}")).await.expect(200).etag());
        etags.insert(OWN_URN.to_string(), op.get(&format!("/v1/settings/{OWN_URN}")).await.expect(200).etag());
        let child = own[&Kind::Child].clone();
        World { app, p1, p2, child, own, foreign, etags }
    }

    fn callers(&self) -> [Actor; 7] {
        let a = &self.app;
        [
            a.la(HACKNEY),
            a.la(LEEDS),
            a.la(KENT),
            a.provider(&self.p1),
            a.provider(&self.p2),
            a.operator(),
            a.anonymous(),
        ]
    }

    fn object(&self, kind: Kind, obj: Obj) -> Option<String> {
        match obj {
            Obj::Own => Some(self.own.get(&kind).cloned().unwrap_or_default()),
            Obj::Foreign => self.foreign.get(&kind).cloned(),
            Obj::Missing => Some(match kind {
                Kind::None => String::new(),
                Kind::Setting | Kind::Home => MISSING_URN.to_string(),
                Kind::Authority => "E09999999".to_string(),
                Kind::Credentials => format!("{}:{}", uuid::Uuid::new_v4(), "x".repeat(43)),
                _ => uuid::Uuid::new_v4().to_string(),
            }),
        }
    }

    async fn call(&self, row: &Row, actor: &Actor, o: &str) -> Resp {
        let mut path = row.path.replace("{period}", PERIOD).replace("{version}", "1").replace("{year}", "2026");
        if let Some(start) = path.find('{') {
            let end = path[start..].find('}').expect("closing brace") + start;
            path.replace_range(start..=end, o);
        }
        match row.path {
            "/v1/reports/placing/records" | "/v1/reports/host/records" | "/v1/reports/provider/records" => {
                path.push_str("?period=2026-Q2&figure=episodes")
            }
            "/v1/reports/placing" | "/v1/reports/host" | "/v1/reports/provider" => path.push_str("?period=2026-Q2"),
            _ => {}
        }
        let etag = self.etags.get(o).cloned().unwrap_or_else(|| "\"1\"".to_string());
        let headers: Vec<(&str, &str)> = if row.if_match { vec![("if-match", etag.as_str())] } else { vec![] };
        let method = reqwest::Method::from_bytes(row.method.as_bytes()).expect("method");
        match row.body {
            MakeBody::None => actor.send(method, &path, None, &headers).await,
            MakeBody::Json(make) => actor.send(method, &path, Some(make(self, o)), &headers).await,
            MakeBody::Raw(content_type, make) => actor.raw(row.method, &path, content_type, &make(o)).await,
        }
    }
}

/// The body with the object's id masked, so that answers about different objects compare.
fn masked(r: &Resp, o: &str) -> String {
    if o.is_empty() { r.text.clone() } else { r.text.replace(o, "{object}") }
}

/// Runs one row; returns every way it departs from the matrix.
async fn check(row: &Row) -> Vec<String> {
    let expect = parse_expect(row.expect);
    assert_eq!(expect.len(), CALLERS.len(), "{}: one token per caller", row.endpoint());
    let mut failures = Vec::new();
    let mut fail =
        |caller: usize, what: String| failures.push(format!("{} as {}: {what}", row.endpoint(), CALLERS[caller]));
    let world = World::build(row.kind).await;
    let callers = world.callers();
    let missing_status = row.missing_status();

    // Objects that do not exist, and foreign ones: same answer, never anything but a refusal.
    let mut missing_answers = Vec::new();
    for (i, actor) in callers.iter().enumerate() {
        if row.kind == Kind::None {
            missing_answers.push(None);
            continue;
        }
        let o = world.object(row.kind, Obj::Missing).expect("a missing object");
        let r = world.call(row, actor, &o).await;
        let want = match expect[i] {
            Expect::Allowed(_) | Expect::NotFound | Expect::ForbiddenOwn => missing_status,
            Expect::Forbidden => 403,
            Expect::Unauthenticated => 401,
        };
        if r.status != want {
            fail(i, format!("nonexistent object answered {} (expected {want}): {}", r.status, r.text));
        }
        if let Some(f) = world.object(row.kind, Obj::Foreign) {
            let fr = world.call(row, actor, &f).await;
            if (fr.status, masked(&fr, &f)) != (r.status, masked(&r, &o)) {
                fail(
                    i,
                    format!(
                        "foreign object answered {} {} but a nonexistent one {} {}",
                        fr.status, fr.text, r.status, r.text
                    ),
                );
            }
        }
        missing_answers.push(Some((r.status, masked(&r, &o))));
    }

    // The own object: refusals first on this world, then each allowed call on a fresh world
    // (unless the call only reads), so that a successful write cannot spoil the next caller.
    let own = world.object(row.kind, Obj::Own).expect("own object");
    let mut order: Vec<usize> = (0..CALLERS.len()).collect();
    order.sort_by_key(|i| matches!(expect[*i], Expect::Allowed(_)));
    for i in order {
        let r = match expect[i] {
            Expect::Allowed(_) if row.method != "GET" => {
                let w = World::build(row.kind).await;
                let own = w.object(row.kind, Obj::Own).expect("own object");
                w.call(row, &w.callers()[i], &own).await
            }
            _ => world.call(row, &callers[i], &own).await,
        };
        if row.kind == Kind::None && row.method == "GET" && r.status == 200 {
            for (kind, id) in world.foreign.iter().filter(|(k, _)| !matches!(k, Kind::Home | Kind::Credentials)) {
                if r.text.contains(id.as_str()) {
                    fail(i, format!("lists the foreign {kind:?} {id}"));
                }
            }
        }
        match expect[i] {
            Expect::Allowed(s) if r.status != s => {
                fail(i, format!("own object answered {} (expected {s}): {}", r.status, r.text))
            }
            Expect::NotFound => match &missing_answers[i] {
                Some((s, body)) if (r.status, &masked(&r, &own)) != (*s, body) => {
                    fail(i, format!("own object answered {} {} but a nonexistent one {s} {body}", r.status, r.text))
                }
                Option::None if r.status != 404 => fail(i, format!("answered {} (expected 404): {}", r.status, r.text)),
                _ => {}
            },
            Expect::Forbidden | Expect::ForbiddenOwn if r.status != 403 => {
                fail(i, format!("own object answered {} (expected 403): {}", r.status, r.text))
            }
            Expect::Unauthenticated if r.status != 401 => {
                fail(i, format!("answered {} (expected 401): {}", r.status, r.text))
            }
            _ => {}
        }
    }
    failures
}

/// Rows are spread over several tests so that they run in parallel.
const CHUNKS: usize = 8;

async fn run_chunk(chunk: usize) {
    let mut failures = Vec::new();
    for (_, row) in rows().iter().enumerate().filter(|(n, _)| n % CHUNKS == chunk) {
        failures.extend(check(row).await);
    }
    assert!(failures.is_empty(), "authorisation matrix departures:\n{}", failures.join("\n"));
}

macro_rules! chunks {
    ($($name:ident = $n:literal),*) => {$(
        #[actix_rt::test]
        async fn $name() {
            run_chunk($n).await;
        }
    )*};
}

chunks!(rows_0 = 0, rows_1 = 1, rows_2 = 2, rows_3 = 3, rows_4 = 4, rows_5 = 5, rows_6 = 6, rows_7 = 7);

#[test]
fn the_matrix_covers_every_endpoint_of_the_openapi_document() {
    let doc: Value = serde_json::from_str(&placement_registry::app::openapi_json()).expect("json");
    let mut documented = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                documented.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    let table = rows();
    let mut covered = std::collections::BTreeSet::new();
    for r in &table {
        assert!(covered.insert(r.endpoint()), "{} is in the matrix twice", r.endpoint());
        assert_eq!(parse_expect(r.expect).len(), CALLERS.len(), "{}: one token per caller", r.endpoint());
    }
    let uncovered: Vec<&String> = documented.difference(&covered).collect();
    let unknown: Vec<&String> = covered.difference(&documented).collect();
    assert!(
        uncovered.is_empty() && unknown.is_empty(),
        "endpoints missing from the matrix: {uncovered:#?}\nmatrix rows not in the OpenAPI document: {unknown:#?}"
    );
}
