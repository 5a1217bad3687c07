//! Several registry nodes in one test: each a `TestApp` with a node id and key of its own, and
//! its own database. The helpers list nodes in each other's directories, drive the federation
//! worker (no background worker runs in tests), and sign requests as a node would, or as an
//! attacker would.

use super::app::TestApp;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, TimeDelta, Utc};
use placement_registry::federation::worker::{Round, Worker};
use placement_registry::httpsig::{self, Params};
use placement_registry::node::Node;
use serde_json::{Value, json};

impl TestApp {
    /// A node of this id, at the default time.
    pub async fn node(id: &str) -> TestApp {
        TestApp::configure().node(id).start().await
    }

    pub fn node_id(&self) -> String {
        self.state().node.id.clone()
    }

    /// This node's entry for another node's directory: its id, URL, key and the LAs it homes.
    pub fn directory_entry(&self, authorities: &[&str]) -> Value {
        json!({
            "node_id": self.node_id(),
            "base_url": self.base,
            "keys": [self.state().node.jwk()],
            "authorities": authorities,
        })
    }

    /// Lists `other` in this node's directory, homing `authorities`.
    pub async fn add_peer(&self, other: &TestApp, authorities: &[&str]) {
        self.operator().post("/v1/federation/peers", other.directory_entry(authorities)).await.expect(201);
    }

    /// One round of this node's federation worker.
    pub async fn deliver(&self) -> Round {
        self.federation_worker("test-worker").run_once().await.expect("federation round")
    }

    pub fn federation_worker(&self, name: &str) -> Worker {
        Worker::new(self.state().clone(), name)
    }

    /// Fetches and applies what `peer` holds for this node.
    #[allow(dead_code, reason = "a step the federation tests take")]
    pub async fn pull_from(&self, peer: &TestApp) -> usize {
        self.federation_worker("test-puller").pull_from(&peer.node_id()).await.expect("pull")
    }

    /// This node's key, to sign as it.
    pub fn node_key(&self) -> &Node {
        &self.state().node
    }
}

/// Two nodes that know each other: `south` homes Hackney, `north` homes Leeds (and Brightwater's
/// Oak House in Leeds is registered on north).
pub struct TwoNodes {
    pub south: TestApp,
    pub north: TestApp,
    /// Brightwater, which runs Oak House (on north).
    pub provider: String,
}

impl TwoNodes {
    pub async fn start() -> TwoNodes {
        let south = TestApp::node("south").await;
        let north = TestApp::node("north").await;
        south.add_peer(&north, &[super::LEEDS]).await;
        north.add_peer(&south, &[super::HACKNEY]).await;
        let (provider, _) = north.provider_with_home().await;
        TwoNodes { south, north, provider }
    }

    /// Both clocks move together.
    pub fn advance(&self, by: TimeDelta) {
        self.south.advance(by);
        self.north.advance(by);
    }

    /// Delivers both ways until nothing moves.
    pub async fn settle(&self) {
        for _ in 0..10 {
            let a = self.south.deliver().await;
            let b = self.north.deliver().await;
            if a.processed == 0 && b.processed == 0 {
                return;
            }
        }
        panic!("federation did not settle in 10 rounds");
    }
}

/// A fresh Ed25519 key, as a node of `id` would have.
pub fn stranger_key(id: &str) -> Node {
    let doc = aws_lc_rs::signature::Ed25519KeyPair::generate_pkcs8(&aws_lc_rs::rand::SystemRandom::new()).expect("key");
    Node::from_pkcs8(id, doc.as_ref().to_vec()).expect("node key")
}

/// How to sign a request (each part may be set wrong on purpose).
pub struct Signing<'a> {
    pub key: &'a Node,
    pub keyid: String,
    pub created: DateTime<Utc>,
    pub expires_after: i64,
    pub nonce: String,
    pub components: Vec<&'static str>,
}

impl<'a> Signing<'a> {
    /// As `key`'s node would sign at `now`.
    pub fn by(key: &'a Node, now: DateTime<Utc>) -> Signing<'a> {
        Signing {
            key,
            keyid: key.kid.clone(),
            created: now,
            expires_after: 300,
            nonce: URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes()),
            components: vec!["@method", "@target-uri", "content-digest"],
        }
    }

    /// The headers for a request to `url` with `body`.
    pub fn headers(&self, method: &str, url: &str, body: Option<&[u8]>) -> Vec<(String, String)> {
        let mut headers = Vec::new();
        if let Some(b) = body {
            headers.push(("content-digest".to_string(), httpsig::content_digest(b)));
        }
        let components: Vec<&str> =
            self.components.iter().copied().filter(|c| body.is_some() || *c != "content-digest").collect();
        let params = Params::new(&components)
            .int("created", self.created.timestamp())
            .int("expires", self.created.timestamp() + self.expires_after)
            .str("keyid", &self.keyid)
            .str("nonce", &self.nonce)
            .str("alg", "ed25519")
            .str("tag", "registry-node");
        let req = httpsig::Request { method, target_uri: url, headers: headers.clone() };
        let (input, sig) = httpsig::sign(&req, "reg", &params, |b| self.key.sign(b)).expect("sign");
        headers.push(("signature-input".into(), input));
        headers.push(("signature".into(), sig));
        headers
    }
}

/// Posts `body` to `app`'s `/fed/v1/events` with these headers.
pub async fn post_events(app: &TestApp, headers: &[(String, String)], body: &[u8]) -> super::Resp {
    let url = format!("{}/fed/v1/events", app.base);
    let mut req = app.client.post(&url).header("content-type", "application/json").body(body.to_vec());
    for (k, v) in headers {
        req = req.header(k.as_str(), v.as_str());
    }
    super::Resp::from_response(req.send().await.expect("request")).await
}

/// A batch from `from` to `to` of these events.
pub fn batch(from: &str, to: &str, events: Vec<Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({"origin_node": from, "dest_node": to, "events": events})).expect("json")
}

/// An event as a node writes one: a child snapshot about `child` speaking for `authority`.
pub fn child_event(from: &str, to: &str, seq: i64, child: &str, authority: &str) -> Value {
    json!({
        "event_id": uuid::Uuid::now_v7().to_string(),
        "origin_node": from,
        "dest_node": to,
        "seq": seq,
        "occurred_at": "2026-06-15T09:00:00Z",
        "type": "child.updated",
        "child_id": child,
        "authority": authority,
        "data": {"child": {
            "id": child, "responsible_la": authority, "given_name": "Mia", "family_name": "Stone",
            "date_of_birth": "2012-03-04", "sex": "F", "version": 1,
        }},
    })
}

/// The payload of a compact JWS verified with an Ed25519 public JWK (`x`).
pub fn verify_with_jwk(jws: &str, jwk: &Value) -> Option<Value> {
    let x = URL_SAFE_NO_PAD.decode(jwk["x"].as_str()?).ok()?;
    placement_registry::node::verify_jws(jws, &x)
}
