use crate::support::federation::*;
use crate::support::*;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::TimeDelta;
use serde_json::{Value, json};

fn events_url(app: &TestApp) -> String {
    format!("{}/fed/v1/events", app.base)
}

/// The receipt in a batch's answer, verified with the receiver's key.
fn receipt(app: &TestApp, r: &Resp) -> Value {
    let jwk = app.node_key().jwk();
    verify_with_jwk(r.body["receipt"].as_str().expect("receipt"), &jwk).expect("signed by the receiver")
}

#[actix_web::test]
async fn node_routes_take_only_node_signatures_and_a_node_key_is_no_token() {
    let n = TwoNodes::start().await;
    let body = batch("south", "north", vec![child_event("south", "north", 1, "c-1", HACKNEY)]);
    // No signature, or a user's bearer token (even with a good signature): refused.
    post_events(&n.north, &[], &body).await.expect_problem(401);
    let mut headers =
        Signing::by(n.south.node_key(), n.south.now()).headers("POST", &events_url(&n.north), Some(&body));
    let token = n.north.la(LEEDS).token.clone().expect("token");
    headers.push(("authorization".into(), format!("Bearer {token}")));
    let r = post_events(&n.north, &headers, &body).await.expect_problem(401);
    assert!(r.body["detail"].as_str().is_some_and(|d| d.contains("not bearer tokens")), "{}", r.text);

    // A genuine token's claims signed with a node key are not a token.
    let claims = token.split('.').nth(1).expect("claims");
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).expect("b64")).expect("json");
    for key in [n.south.node_key(), n.north.node_key()] {
        let forged = key.jws("JWT", &claims);
        n.north.bearer(&forged).children("").await.expect_problem(401);
    }
    n.north.la(LEEDS).children("").await.expect(200);
}

#[actix_web::test]
async fn wrong_unknown_expired_replayed_or_altered_signatures_are_refused() {
    let n = TwoNodes::start().await;
    let url = events_url(&n.north);
    let now = n.south.now();
    let body = batch("south", "north", vec![child_event("south", "north", 1, "c-1", HACKNEY)]);
    let south = n.south.node_key();
    let stranger = stranger_key("south");

    // Signed by another key under south's kid; by a key north never listed.
    let mut wrong = Signing::by(&stranger, now);
    wrong.keyid = south.kid.clone();
    let r = post_events(&n.north, &wrong.headers("POST", &url, Some(&body)), &body).await.expect_problem(401);
    assert!(r.text.contains("does not verify"), "{}", r.text);
    let r = post_events(&n.north, &Signing::by(&stranger, now).headers("POST", &url, Some(&body)), &body).await;
    assert!(r.expect_problem(401).text.contains("unknown keyid"));

    // Expired; valid too long; made in the future.
    let mut old = Signing::by(south, now - TimeDelta::seconds(400));
    let r = post_events(&n.north, &old.headers("POST", &url, Some(&body)), &body).await.expect_problem(401);
    assert!(r.text.contains("expired"), "{}", r.text);
    old.created = now;
    old.expires_after = 3600;
    let r = post_events(&n.north, &old.headers("POST", &url, Some(&body)), &body).await.expect_problem(401);
    assert!(r.text.contains("at most 300 seconds"), "{}", r.text);
    let future = Signing::by(south, now + TimeDelta::minutes(5));
    post_events(&n.north, &future.headers("POST", &url, Some(&body)), &body).await.expect_problem(401);

    // Not covering the target; signed for another URI; body changed after signing.
    let mut partial = Signing::by(south, now);
    partial.components = vec!["@method", "content-digest"];
    post_events(&n.north, &partial.headers("POST", &url, Some(&body)), &body).await.expect_problem(401);
    let elsewhere = Signing::by(south, now).headers("POST", "https://north.example/fed/v1/events", Some(&body));
    post_events(&n.north, &elsewhere, &body).await.expect_problem(401);
    let signed = Signing::by(south, now).headers("POST", &url, Some(&body));
    let other = batch("south", "north", vec![child_event("south", "north", 1, "c-2", HACKNEY)]);
    let r = post_events(&n.north, &signed, &other).await.expect_problem(401);
    assert!(r.text.contains("Content-Digest"), "{}", r.text);

    // Nothing above was applied. The genuine request is, once: replaying it is refused.
    let r = post_events(&n.north, &signed, &body).await.expect(200);
    assert_eq!(receipt(&n.north, &r)["events"][0]["outcome"], "applied");
    let r = post_events(&n.north, &signed, &body).await.expect_problem(401);
    assert!(r.text.contains("nonce"), "{}", r.text);
    let status = n.north.operator().get("/v1/federation/status").await.expect(200);
    assert_eq!(status.body["peers"][0]["applied_from_seq"], 1);
}

#[actix_web::test]
async fn a_node_cannot_speak_for_another_nodes_children() {
    let n = TwoNodes::start().await;
    let west = TestApp::node("west").await;
    n.north.add_peer(&west, &[MANCHESTER]).await;
    let events = vec![
        child_event("south", "north", 1, "c-1", LEEDS),
        child_event("south", "north", 2, "c-2", MANCHESTER),
        child_event("south", "north", 3, "c-3", KENT),
        child_event("south", "north", 4, "c-4", HACKNEY),
    ];
    let body = batch("south", "north", events);
    let headers = Signing::by(n.south.node_key(), n.south.now()).headers("POST", &events_url(&n.north), Some(&body));
    let r = post_events(&n.north, &headers, &body).await.expect(200);
    let receipt = receipt(&n.north, &r);
    let outcomes: Vec<(&str, &str)> = receipt["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| (e["outcome"].as_str().unwrap_or(""), e["reason"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(outcomes[0], ("rejected", "E08000035 is homed on this node, not on south"));
    assert_eq!(outcomes[1], ("rejected", "E08000003 is homed on node west, not on south"));
    assert_eq!(outcomes[2].0, "rejected");
    assert_eq!(outcomes[3], ("applied", ""), "the stream goes on after a refusal");
    assert_eq!(receipt["last_seq"], 4);
    // A batch naming another origin than its signer's is refused whole.
    let body = batch("west", "north", vec![child_event("west", "north", 1, "c-5", MANCHESTER)]);
    let headers = Signing::by(n.south.node_key(), n.south.now()).headers("POST", &events_url(&n.north), Some(&body));
    post_events(&n.north, &headers, &body).await.expect_problem(403);
}

#[actix_web::test]
async fn an_out_of_order_batch_waits_for_the_gap_and_nothing_is_applied_twice() {
    let n = TwoNodes::start().await;
    let url = events_url(&n.north);
    let first = child_event("south", "north", 1, "c-1", HACKNEY);
    let second = child_event("south", "north", 2, "c-2", HACKNEY);
    let send = |events: Vec<Value>| {
        let body = batch("south", "north", events);
        let headers = Signing::by(n.south.node_key(), n.south.now()).headers("POST", &url, Some(&body));
        (headers, body)
    };
    let (h, b) = send(vec![second.clone()]);
    let r = receipt(&n.north, &post_events(&n.north, &h, &b).await.expect(200));
    assert_eq!(r["last_seq"], 0, "the sender is told to resume after 0");
    assert_eq!(r["events"], json!([]));
    n.north.la(HACKNEY).child("c-2").await.expect_problem(404);
    let (h, b) = send(vec![first.clone(), second.clone()]);
    let r = receipt(&n.north, &post_events(&n.north, &h, &b).await.expect(200));
    assert_eq!(r["last_seq"], 2);
    assert_eq!(r["events"].as_array().map(Vec::len), Some(2));
    // Sent again (its answer lost): reported as applied, not applied again.
    let (h, b) = send(vec![first, second]);
    let r = receipt(&n.north, &post_events(&n.north, &h, &b).await.expect(200));
    assert_eq!(r["events"][1]["outcome"], "applied");
    let status = n.north.operator().get("/v1/federation/status").await.expect(200);
    assert_eq!(status.body["peers"][0]["applied_from_seq"], 2);
}

#[actix_web::test]
async fn a_peer_rotates_its_key_without_losing_a_message() {
    let n = TwoNodes::start().await;
    let url = events_url(&n.north);
    let old = n.south.node_key();
    let new = stranger_key("south");
    let peer = n.north.operator().get("/v1/federation/peers/south").await.expect(200);
    let both = json!({"keys": [old.jwk(), new.jwk()]});
    let r = n.north.operator().patch("/v1/federation/peers/south", both, &peer.etag()).await.expect(200);
    for (seq, key) in [(1, old), (2, &new)] {
        let body = batch("south", "north", vec![child_event("south", "north", seq, &format!("c-{seq}"), HACKNEY)]);
        let h = Signing::by(key, n.south.now()).headers("POST", &url, Some(&body));
        let answer = post_events(&n.north, &h, &body).await.expect(200);
        assert_eq!(receipt(&n.north, &answer)["events"][0]["outcome"], "applied", "key {}", key.kid);
    }
    // The old key retired, and a key past its validity, are refused.
    let mut expired = new.jwk();
    expired["not_after"] = json!("2026-06-01T00:00:00Z");
    let r = n.north.operator().patch("/v1/federation/peers/south", json!({"keys": [expired]}), &r.etag()).await;
    r.expect(200);
    for key in [old, &new] {
        let body = batch("south", "north", vec![child_event("south", "north", 3, "c-3", HACKNEY)]);
        let h = Signing::by(key, n.south.now()).headers("POST", &url, Some(&body));
        post_events(&n.north, &h, &body).await.expect_problem(401);
    }
}
