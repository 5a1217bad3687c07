//! The peer directory: kept by the operator, checked field by field, never emptied of a peer
//! that still has events waiting; the node's own document is public.

use crate::support::federation::*;
use crate::support::*;
use serde_json::json;

const PEERS: &str = "/v1/federation/peers";

fn fields(r: &Resp) -> Vec<String> {
    r.body["errors"]
        .as_array()
        .map_or(vec![], |e| e.iter().map(|f| f["field"].as_str().unwrap_or("").to_string()).collect())
}

#[actix_web::test]
async fn the_operator_lists_peers_and_every_bad_part_of_an_entry_is_named() {
    let south = TestApp::node("south").await;
    let north = TestApp::node("north").await;
    let op = south.operator();

    // The node's own document: its id and key, public, for the peer's operator to copy.
    let doc = south.anonymous().get("/.well-known/registry-node").await.expect(200);
    assert_eq!(doc.body["node_id"], "south");
    assert_eq!(doc.body["keys"][0]["kty"], "OKP");
    assert_eq!(doc.body["keys"][0]["kid"], json!(south.node_key().kid));

    // Everything wrong at once is reported at once, by field, and nothing is stored.
    let mut bad = north.directory_entry(&["E99999999", LEEDS]);
    bad["node_id"] = json!("North Node!");
    bad["keys"][0]["x"] = json!("not-a-key");
    let r = op.post(PEERS, bad).await.expect_problem(422);
    let named = fields(&r);
    for f in ["node_id", "keys[0].x", "authorities[0]"] {
        assert!(named.iter().any(|n| n == f), "{f} not named in {}", r.text);
    }
    assert_eq!(op.get(PEERS).await.expect(200).body.as_array().map(Vec::len), Some(0));

    // The node itself, or an LA whose records this node holds, cannot be homed elsewhere.
    let child = south.child_of(HACKNEY, a_child("Mia", "Stone").born("2012-03-04")).await;
    assert!(!child.is_empty());
    let r = op.post(PEERS, north.directory_entry(&[HACKNEY])).await.expect_problem(422);
    assert_eq!(fields(&r), ["authorities[0]"], "{}", r.text);
    let r = op.post(PEERS, south.directory_entry(&[LEEDS])).await.expect_problem(422);
    assert_eq!(fields(&r), ["node_id"], "{}", r.text);

    // A good entry; once only; an LA has one home.
    let created = op.post(PEERS, north.directory_entry(&[LEEDS])).await.expect(201);
    assert_eq!(created.header("location").as_deref(), Some("/v1/federation/peers/north"));
    op.post(PEERS, north.directory_entry(&[LEEDS])).await.expect_problem(409);
    let east = TestApp::node("east").await;
    let r = op.post(PEERS, east.directory_entry(&[LEEDS])).await.expect_problem(422);
    assert_eq!(fields(&r), ["authorities[0]"]);

    // Changes need the current version.
    let path = format!("{PEERS}/north");
    let current = op.get(&path).await.expect(200);
    assert_eq!(current.body["authorities"], json!([LEEDS]));
    op.patch_blind(&path, json!({"authorities": [LEEDS, KENT]})).await.expect_problem(428);
    op.patch(&path, json!({"authorities": [LEEDS, KENT]}), "\"7\"").await.expect_problem(412);
    let changed = op.patch(&path, json!({"authorities": [LEEDS, KENT]}), &current.etag()).await.expect(200);
    assert_eq!(changed.body["authorities"], json!([LEEDS, KENT]));
    assert_ne!(changed.etag(), current.etag());

    // Kent is now north's: a placement in Kent from Hackney is north's business.
    let listed = op.get(PEERS).await.expect(200);
    assert_eq!(listed.body[0]["node_id"], "north");
    op.delete(&path).await.expect(204);
    op.get(&path).await.expect_problem(404);
}

#[actix_web::test]
async fn a_peer_with_events_waiting_for_it_stays_in_the_directory() {
    let n = TwoNodes::start().await;
    let child = n.south.child_of(HACKNEY, a_child("Mia", "Stone").born("2012-03-04")).await;
    n.south.la(HACKNEY).place(Placement::at(&child, OAK_HOUSE).postcode(LEEDS_POSTCODE)).await.expect(201);

    let op = n.south.operator();
    let r = op.delete("/v1/federation/peers/north").await.expect_problem(409);
    assert!(r.text.contains("not delivered yet"), "{}", r.text);
    let status = op.get("/v1/federation/status").await.expect(200);
    assert_eq!(status.body["peers"][0]["backlog"], 1);

    assert_eq!(n.south.deliver().await.processed, 1);
    op.delete("/v1/federation/peers/north").await.expect(204);
}
