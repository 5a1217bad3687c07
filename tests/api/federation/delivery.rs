//! Delivery between nodes: retried with backoff while a peer is away, the placing LA told when
//! an event is a day late and again when it is undeliverable, nothing lost when the peer is
//! back; events a peer refuses reported to the sender; a missed push caught up by pulling,
//! applied once.

use crate::support::federation::*;
use crate::support::*;
use chrono::TimeDelta;
use serde_json::json;

async fn status(app: &TestApp) -> serde_json::Value {
    app.operator().get("/v1/federation/status").await.expect(200).body["peers"][0].clone()
}

async fn point_at(app: &TestApp, peer: &str, base_url: &str) {
    let op = app.operator();
    let path = format!("/v1/federation/peers/{peer}");
    let etag = op.get(&path).await.expect(200).etag();
    op.patch(&path, json!({"base_url": base_url}), &etag).await.expect(200);
}

#[actix_web::test]
async fn an_unreachable_peer_is_retried_the_placing_la_is_told_and_nothing_is_lost() {
    let n = TwoNodes::start().await;
    // North's address is wrong in south's directory: nothing answers there.
    point_at(&n.south, "north", "http://127.0.0.1:9").await;
    let child = n.south.child_of(HACKNEY, a_child("Mia", "Stone").born("2012-03-04")).await;
    n.south.la(HACKNEY).place(Placement::at(&child, OAK_HOUSE).postcode(LEEDS_POSTCODE)).await.expect(201);

    let round = n.south.deliver().await;
    assert_eq!((round.processed, round.failed), (0, 1));
    let s = status(&n.south).await;
    assert_eq!(s["backlog"], 1);
    assert_eq!(s["attempts"], 1);
    assert!(s["last_error"].is_string(), "{s}");
    assert!(s["next_attempt_at"].is_string(), "backed off: {s}");
    // Not due again yet: the next round does not call.
    assert_eq!(n.south.deliver().await.failed, 0, "waits for its backoff");

    // A day late: Hackney is told, once.
    n.advance(TimeDelta::hours(24) + TimeDelta::minutes(1));
    let round = n.south.deliver().await;
    assert_eq!(round.escalated, 1);
    assert_eq!(n.south.deliver().await.escalated, 0, "told once");
    let hackney = n.south.la(HACKNEY);
    let delayed = hackney.inbox("type=federation.delayed").await.expect(200);
    assert_eq!(delayed.items().len(), 1);
    assert_eq!(delayed.items()[0]["child_id"], json!(child));

    // Five days: undeliverable, told once more; still retried.
    n.advance(TimeDelta::days(4));
    assert_eq!(n.south.deliver().await.escalated, 1);
    let hackney = n.south.la(HACKNEY);
    assert_eq!(hackney.inbox("type=federation.undeliverable").await.expect(200).items().len(), 1);
    let leeds = n.north.la(LEEDS);
    assert_eq!(leeds.placed_children("").await.expect(200).items().len(), 0);

    // The address is put right: the next due attempt delivers it, and Leeds sees the child.
    point_at(&n.south, "north", &n.north.base).await;
    n.advance(TimeDelta::hours(2));
    let round = n.south.deliver().await;
    assert_eq!((round.processed, round.failed), (1, 0));
    let leeds = n.north.la(LEEDS);
    assert_eq!(leeds.placed_children("").await.expect(200).items()[0]["child_id"], json!(child));
    assert_eq!(leeds.inbox("type=placement.started").await.expect(200).items().len(), 1);
    let s = status(&n.south).await;
    assert_eq!(s["backlog"], 0);
    assert!(s["last_error"].is_null(), "{s}");
    assert_eq!(s["acked_seq"], s["last_seq"]);
}

#[actix_web::test]
async fn an_event_the_peer_refuses_is_reported_to_the_la_that_sent_it() {
    let south = TestApp::node("south").await;
    let north = TestApp::node("north").await;
    // South believes Leeds is north's; north does not believe Hackney is south's.
    south.add_peer(&north, &[LEEDS]).await;
    north.add_peer(&south, &[KENT]).await;
    north.provider_with_home().await;
    let child = south.child_of(HACKNEY, a_child("Mia", "Stone").born("2012-03-04")).await;
    south.la(HACKNEY).place(Placement::at(&child, OAK_HOUSE).postcode(LEEDS_POSTCODE)).await.expect(201);

    let round = south.deliver().await;
    assert_eq!((round.processed, round.failed), (1, 0), "refused is processed: retrying cannot help");
    let s = status(&south).await;
    assert_eq!(s["rejected"], 1);
    assert_eq!(s["backlog"], 0);
    let told = south.la(HACKNEY).inbox("type=federation.rejected").await.expect(200);
    assert_eq!(told.items().len(), 1);
    assert!(told.items()[0]["payload"]["reason"].as_str().is_some_and(|r| r.contains(HACKNEY)), "{:?}", told.items());
    assert_eq!(north.la(LEEDS).placed_children("").await.expect(200).items().len(), 0, "nothing applied");
}

#[actix_web::test]
async fn a_missed_push_is_caught_up_by_pulling_and_nothing_is_applied_twice() {
    let n = TwoNodes::start().await;
    let child = n.south.child_of(HACKNEY, a_child("Mia", "Stone").born("2012-03-04")).await;
    n.south.la(HACKNEY).place(Placement::at(&child, OAK_HOUSE).postcode(LEEDS_POSTCODE)).await.expect(201);

    // North pulls what south holds for it before south has pushed.
    assert_eq!(n.north.pull_from(&n.south).await, 1);
    let leeds = n.north.la(LEEDS);
    assert_eq!(leeds.placed_children("").await.expect(200).items().len(), 1);

    // South's push then finds it done: acknowledged, not applied again.
    let round = n.south.deliver().await;
    assert_eq!(round.failed, 0);
    assert_eq!(leeds.inbox("type=placement.started").await.expect(200).items().len(), 1, "one notification");
    assert_eq!(n.north.pull_from(&n.south).await, 0, "nothing new to pull");
    let s = status(&n.south).await;
    assert_eq!(s["backlog"], 0);
    assert_eq!(s["acked_seq"], s["last_seq"]);

    // A node pulls only its own stream: another node's is not there for it.
    let url = format!("{}/fed/v1/streams/south/events?after=0", n.south.base);
    let headers = Signing::by(n.north.node_key(), n.north.now()).headers("GET", &url, None);
    let mut req = n.north.client.get(&url);
    for (k, v) in &headers {
        req = req.header(k.as_str(), v.as_str());
    }
    Resp::from_response(req.send().await.expect("request")).await.expect_problem(404);
}

#[actix_web::test]
async fn a_peer_back_from_an_outage_that_fetches_its_stream_is_sent_to_at_once() {
    let n = TwoNodes::start().await;
    point_at(&n.south, "north", "http://127.0.0.1:9").await;
    let child = n.south.child_of(HACKNEY, a_child("Mia", "Stone").born("2012-03-04")).await;
    n.south.la(HACKNEY).place(Placement::at(&child, OAK_HOUSE).postcode(LEEDS_POSTCODE)).await.expect(201);
    assert_eq!(n.south.deliver().await.failed, 1);
    point_at(&n.south, "north", &n.north.base).await;
    assert_eq!(n.south.deliver().await.processed, 0, "still backing off");

    // North comes back and catches up by pulling: south stops waiting for it.
    assert_eq!(n.north.pull_from(&n.south).await, 1);
    let round = n.south.deliver().await;
    assert_eq!((round.processed, round.failed), (1, 0), "sent without waiting out the backoff");
    let s = status(&n.south).await;
    assert_eq!(s["backlog"], 0);
    assert!(s["last_receipt_id"].is_string());
    assert_eq!(n.north.la(LEEDS).inbox("type=placement.started").await.expect(200).items().len(), 1, "applied once");
}
