//! Webhooks: an LA registers an endpoint, and each notification for it is delivered, signed
//! (Standard Webhooks), retried with backoff until delivered, by workers that lease deliveries.

mod delivery;
mod registration;
mod workers;

use crate::support::*;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

pub use crate::support::peers::{Received, Receiver};

/// Registers a webhook for `la`; returns (id, secret).
pub async fn register(app: &TestApp, la: &str, url: &str, types: &[&str]) -> (String, String) {
    let r = app.la(la).register_webhook(url, types).await.expect(201);
    (r.id(), r.body["secret"].as_str().expect("secret").to_string())
}

/// Hackney places a new child (`given` tells children apart) at Oak House in Leeds: a
/// `placement.started` for Leeds. `home` is the URN from `provider_with_home`. Returns the
/// placement id.
pub async fn place_in_leeds(app: &TestApp, home: &str, given: &str) -> String {
    let child = app.child_of(HACKNEY, a_child(given, "Hughes").born("2011-05-14")).await;
    app.la(HACKNEY).place(Placement::at(&child, home).from("2026-06-10")).await.expect(201).id()
}

/// The notifications Hackney sent (reading them does not mark them delivered).
pub async fn sent(app: &TestApp) -> Vec<Value> {
    app.la(HACKNEY).sent_notifications("").await.expect(200).items()
}

pub async fn deliveries(app: &TestApp, webhook: &str) -> Vec<Value> {
    app.la(LEEDS).deliveries(webhook, "").await.expect(200).items()
}

/// One round of the delivery worker named `worker`; returns how many deliveries it attempted.
pub async fn run(app: &TestApp, worker: &str) -> usize {
    app.webhook_worker(worker).run_once().await
}

pub fn instant_of(v: &Value) -> DateTime<Utc> {
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("not an instant: {v}"))
}

/// Checks the Standard Webhooks signature as a receiver would.
pub fn verify(secret: &str, r: &Received) {
    let key = STANDARD.decode(secret.strip_prefix("whsec_").expect("whsec_ prefix")).expect("base64 secret");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("key");
    mac.update(format!("{}.{}.", r.header("webhook-id"), r.header("webhook-timestamp")).as_bytes());
    mac.update(&r.body);
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    let signatures: Vec<&str> = r.header("webhook-signature").split(' ').collect();
    assert!(signatures.contains(&expected.as_str()), "signature {signatures:?} is not {expected}");
}
