use crate::support::federation::*;
use crate::support::*;
use serde_json::json;

#[actix_web::test]
async fn a_placement_on_one_node_reaches_the_host_la_on_another_and_what_happens_there_comes_back() {
    let n = TwoNodes::start().await;
    let hackney = n.south.la(HACKNEY);
    let leeds = n.north.la(LEEDS);
    let child = n.south.child_of(HACKNEY, a_child("Mia", "Stone").born("2012-03-04")).await;

    // Oak House is registered on north, where Leeds is homed: south takes it by URN and postcode.
    let placement = hackney.place(Placement::at(&child, OAK_HOUSE).postcode(LEEDS_POSTCODE)).await.expect(201).id();
    assert_eq!(leeds.placed_children("").await.expect(200).items().len(), 0, "nothing has crossed yet");
    let round = n.south.deliver().await;
    assert_eq!(round.processed, 1);
    assert_eq!(round.failed, 0);

    // North: Leeds sees the child placed in its area, as a host LA sees a local child.
    let placed = leeds.placed_children("").await.expect(200);
    assert_eq!(placed.items().len(), 1);
    assert_eq!(placed.items()[0]["child_id"], json!(child));
    assert_eq!(placed.items()[0]["given_name"], "Mia");
    assert_eq!(placed.items()[0]["placing_la"], HACKNEY);
    assert_eq!(placed.items()[0]["setting_name"], "Oak House");
    let seen = leeds.child(&child).await.expect(200);
    assert_eq!(seen.body["access"], "host");
    assert_eq!(seen.body["family_name"], "Stone");
    assert!(seen.body.get("la_child_id").is_none_or(|v| v.is_null()), "what a host may not see never left south");
    n.north.la(KENT).child(&child).await.expect_problem(404);

    // Its inbox has the notification, with the statutory clock computed where it was placed.
    let inbox = leeds.inbox("type=placement.started").await.expect(200);
    let note = inbox.items()[0].clone();
    assert_eq!(note["placement_id"], json!(placement));
    assert_eq!(note["statutory"]["regulation"], "13(4)");
    assert_eq!(note["relay"]["direction"], "in");
    assert_eq!(note["relay"]["node"], "south");
    assert!(note["relay"]["received_at"].is_string(), "when north took it in");

    // Amending the placement needs the placing LA's node, and north says which.
    let r = leeds.amend_placement(&placement, json!({"emergency": true}), "\"1\"").await.expect_problem(409);
    assert_eq!(r.body["type"], "urn:placement-registry:problem:held-by-another-node");
    assert_eq!(r.body["origin_node"], "south");

    // Leeds acknowledges on north; south's sent notification shows it, and the receipt.
    leeds.acknowledge(note["id"].as_str().expect("id")).await.expect(200);
    assert_eq!(n.north.deliver().await.processed, 1);
    let sent = hackney.sent_notifications("type=placement.started").await.expect(200);
    let mine = sent.items()[0].clone();
    assert_eq!(mine["id"], note["id"], "one notification, one id, on both nodes");
    assert!(mine["acknowledged_at"].is_string(), "{mine}");
    assert_eq!(mine["relay"]["node"], "north");
    assert!(mine["relay"]["received_at"].is_string());
    assert!(mine["delivered_at"].is_string());
    let receipt_id = mine["relay"]["receipt_id"].as_str().expect("receipt id").to_string();
    let shown = hackney.placement(&placement).await.expect(200);
    assert_eq!(shown.body["host_notification"]["receipt_id"], json!(receipt_id));

    // The receipt is the placing LA's proof: it verifies offline with north's published key.
    let published = n.north.anonymous().get("/.well-known/registry-node").await.expect(200);
    assert_eq!(published.body["node_id"], "north");
    let receipt = hackney.get(&format!("/v1/federation/receipts/{receipt_id}")).await.expect(200);
    let payload =
        verify_with_jwk(receipt.body["jws"].as_str().expect("jws"), &published.body["keys"][0]).expect("verifies");
    assert_eq!(payload["node_id"], "north");
    assert_eq!(payload["origin_node"], "south");
    assert_eq!(payload["events"][0]["outcome"], "applied");
    assert!(payload["audit_head"]["hash"].is_string());
    n.south.la(KENT).get(&format!("/v1/federation/receipts/{receipt_id}")).await.expect_problem(404);

    // The home on north records the child's arrival: matched to the projected placement.
    let home = n.north.provider(&n.provider);
    let adm = home.record_admission(OAK_HOUSE, json!({"child_id": child, "date": "2026-06-01"})).await.expect(201);
    assert_eq!(adm.body["status"], "matched");
    assert_eq!(adm.body["placement_id"], json!(placement));

    // The home reports the child missing on north: the episode lands on the child's record at
    // south, with its clocks, and Hackney is told.
    n.advance(chrono::TimeDelta::hours(15));
    let (hackney, leeds, home) = (n.south.la(HACKNEY), n.north.la(LEEDS), n.north.provider(&n.provider));
    let eid = home.report_missing(Episode::missing(&child, "2026-06-15T23:10:00Z")).await.expect(201).id();
    n.settle().await;
    let at_origin = hackney.episode(&eid).await.expect(200);
    assert_eq!(at_origin.body["child_id"], json!(child));
    assert_eq!(at_origin.body["placement_id"], json!(placement));
    assert_eq!(at_origin.body["flags"]["currently_missing"], true);
    assert_eq!(hackney.child(&child).await.expect(200).body["missing"]["currently_missing"], true);
    let told = hackney.inbox("type=missing.started").await.expect(200);
    assert_eq!(told.items()[0]["payload"]["episode_id"], json!(eid));
    assert_eq!(leeds.inbox("type=admission.recorded").await.expect(200).items().len(), 1, "told on north");

    // Hackney records the return at south; north's copy follows, and the host view with it.
    let back = json!({"ended_at": "2026-06-15T23:50:00Z", "found_where": "friends"});
    hackney.update_episode(&eid, back, &at_origin.etag()).await.expect(200);
    n.settle().await;
    let at_host = leeds.episode(&eid).await.expect(200);
    assert_eq!(at_host.body["ended_at"], "2026-06-15T23:50:00Z");
    assert_eq!(at_host.body["found_where"], "friends");
    assert_eq!(leeds.placed_children("").await.expect(200).items()[0]["currently_missing"], false);

    // Hackney ends the placement: north learns it, with the reg 14 clock.
    hackney.end_placement(&placement, Ending::on("2026-06-16", "E4A")).await.expect(200);
    n.settle().await;
    let ended = leeds.inbox("type=placement.ended").await.expect(200);
    assert_eq!(ended.items()[0]["statutory"]["regulation"], "14");
    assert_eq!(leeds.placement(&placement).await.expect(200).body["end_date"], "2026-06-16");

    // Every event was applied once, and the operator sees nothing waiting either way.
    for node in [&n.south, &n.north] {
        let status = node.operator().get("/v1/federation/status").await.expect(200);
        let peer = &status.body["peers"][0];
        assert_eq!(peer["backlog"], 0, "{status:?}");
        assert_eq!(peer["rejected"], 0);
        assert_eq!(peer["acked_seq"], peer["last_seq"]);
    }
}
