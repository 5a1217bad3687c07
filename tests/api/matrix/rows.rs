//! The matrix itself: one row per endpoint, and what each caller gets.

use super::world::World;
use crate::support::*;
use serde_json::{Value, json};

pub const CALLERS: [&str; 7] =
    ["placing LA", "host LA", "unrelated LA", "provider", "other provider", "operator", "anonymous"];
pub const OWN_URN: &str = "SC480011";
pub const FOREIGN_URN: &str = "SC480033";
pub const MISSING_URN: &str = "SC999999";
pub const BIRMINGHAM: &str = "E08000025";
pub const BIRMINGHAM_POSTCODE: &str = "B1 1BB";
pub const PERIOD: &str = "2026-Q1";
pub const HOOK: &str = "http://127.0.0.1:9/hook";
/// RFC 8037's example Ed25519 public key.
pub const JWK_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

/// What a row's object is.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Kind {
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
    /// A merge another LA asked Hackney to confirm (foreign: one Birmingham asked of Manchester).
    MergeRequest,
    /// A peer in the federation directory, by node id.
    Peer,
    /// A receipt a peer signed for events Hackney sent.
    Receipt,
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
pub enum Obj {
    Own,
    Foreign,
    Missing,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Expect {
    Allowed(u16),
    NotFound,
    Forbidden,
    ForbiddenOwn,
    Unauthenticated,
}

pub fn parse_expect(s: &str) -> Vec<Expect> {
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
pub enum MakeBody {
    None,
    Json(fn(&World, &str) -> Value),
    /// Content type and text.
    Raw(&'static str, fn(&str) -> String),
}

pub struct Row {
    pub method: &'static str,
    pub path: &'static str,
    pub expect: &'static str,
    pub kind: Kind,
    /// The body field naming the object, when the object is referenced in the body.
    pub field: Option<&'static str>,
    pub if_match: bool,
    pub body: MakeBody,
}

pub fn row(endpoint: &'static str, expect: &'static str, kind: Kind) -> Row {
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
    pub fn endpoint(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
    /// The answer for an object that does not exist.
    pub fn missing_status(&self) -> u16 {
        match (self.field, self.kind) {
            (Some(_), _) => 422,
            (None, Kind::Credentials) => 401,
            _ => 404,
        }
    }
}

pub fn child_patch(_: &World, _: &str) -> Value {
    json!({"given_name": "Rubie"})
}

/// The matrix: one line per endpoint of the OpenAPI document.
///                                                                    H   L   K   P1  P2  Op  -
pub fn rows() -> Vec<Row> {
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
        // Federation: the node's own document is public, the directory is the operator's.
        row("GET /.well-known/registry-node", "200 200 200 200 200 200 200", None),
        row("GET /v1/federation/peers", "F F F F F 200 U", None),
        row("POST /v1/federation/peers", "F F F F F 201 U", None).json(|_, _| peer_body("north", "E08000026")),
        row("GET /v1/federation/peers/{node_id}", "F F F F F 200 U", Peer),
        row("PATCH /v1/federation/peers/{node_id}", "F F F F F 200 U", Peer)
            .if_match()
            .json(|_, _| json!({"base_url": "https://north.example"})),
        row("DELETE /v1/federation/peers/{node_id}", "F F F F F 204 U", Peer),
        row("GET /v1/federation/status", "F F F F F 200 U", None),
        row("GET /v1/federation/receipts/{id}", "200 N N N N 200 U", Receipt),
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
        row("POST /v1/children", "201 201 201 F F F U", None).json(|_, _| a_child("Ava", "Stone").born("2013-02-01").json()),
        row("GET /v1/children/{id}", "200 200 N 200 N F U", Child),
        row("PATCH /v1/children/{id}", "200 f N F F F U", Child).if_match().json(child_patch),
        row("GET /v1/children/{id}/access-log", "200 f N f N F U", Child),
        row("GET /v1/children/{id}/timeline", "200 f N f N F U", Child),
        row("POST /v1/children/{id}/transfer", "200 f N F F F U", Child).json(|_, _| json!({"to_la": KENT})),
        row("POST /v1/children/{id}/merge", "202 f N F F F U", Child)
            .json(|_, _| json!({"duplicate_id": "0194f7e2-0000-7000-8000-000000000000"})),
        row("POST /v1/child-merges/{id}/confirm", "200 N N F F F U", MergeRequest).json(|_, _| json!({})),
        // Placements.
        row("GET /v1/placements", "200 200 200 200 200 F U", None),
        row("POST /v1/placements", "409 N N F F F U", Child)
            .field("child_id")
            .json(|_, o| crate::support::Placement::at(o, OWN_URN).from("2026-06-12").json()),
        row("GET /v1/placements/{id}", "200 200 N 200 N F U", Placement),
        row("PATCH /v1/placements/{id}", "200 f N F F F U", Placement).if_match().json(|_, _| json!({"emergency": true})),
        row("POST /v1/placements/{id}/end", "200 f N F F F U", Placement)
            .json(|_, _| json!({"end_date": "2026-06-14", "rec": "E4A"})),
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
        row("GET /v1/notifications", "200 200 200 200 200 F U", None),
        row("GET /v1/notifications/sent", "200 200 200 200 200 F U", None),
        row("GET /v1/notifications/{id}", "200 200 N N N F U", Notification),
        row("POST /v1/notifications/{id}/acknowledge", "f 200 N N N F U", Notification).json(|_, _| json!({})),
        row("GET /v1/webhooks", "200 200 200 200 200 F U", None),
        row("POST /v1/webhooks", "201 201 201 201 201 F U", None)
            .json(|_, _| json!({"url": HOOK, "event_types": ["placement.ended"]})),
        row("GET /v1/webhooks/{id}", "N 200 N N N F U", Webhook),
        row("DELETE /v1/webhooks/{id}", "N 204 N N N F U", Webhook),
        row("GET /v1/webhooks/{id}/deliveries", "N 200 N N N F U", Webhook),
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
        row("GET /v1/exports/ssda903/{year}/uasc.csv", "200 200 200 F F F U", None),
        row("GET /v1/exports/ssda903/{year}/validation", "200 200 200 F F F U", None),
    ]
}

/// A peer homing `authority`, with RFC 8037's example key.
pub fn peer_body(node_id: &str, authority: &str) -> Value {
    json!({"node_id": node_id, "base_url": format!("https://{node_id}.example"),
           "keys": [{"kty": "OKP", "crv": "Ed25519", "x": JWK_X, "kid": "n1", "alg": "EdDSA"}],
           "authorities": [authority]})
}

pub fn issuer_body(issuer: &str, org: &str) -> Value {
    json!({"issuer": issuer, "audience": "placement-registry-api", "algorithms": ["EdDSA"],
           "jwks": {"keys": [{"kty": "OKP", "crv": "Ed25519", "x": JWK_X, "kid": "k1", "alg": "EdDSA", "use": "sig"}]},
           "org_type": "authority", "orgs": [org]})
}
