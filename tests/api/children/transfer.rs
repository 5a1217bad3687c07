use crate::support::internals::execute_sql;
use crate::support::*;
use serde_json::json;

/// A care order transferred from Hackney to Kent: Kent now holds and changes the record and
/// the current placement, both LAs are told, the timeline and the audit log show it, and
/// Hackney keeps only the placement it made before.
#[actix_web::test]
async fn responsibility_passes_to_the_new_la_with_the_history_kept() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    let (hackney, kent) = (app.la(HACKNEY), app.la(KENT));
    let first = hackney.place(Placement::at(&child, &urn).from("2026-01-05")).await.expect(201).id();
    hackney
        .end_placement(&first, json!({"end_date": "2026-03-01", "rec": "X1", "reason_place_change": "CARPL"}))
        .await
        .expect(200);
    let current = hackney.place(Placement::at(&child, &urn).from("2026-03-01")).await.expect(201).id();
    kent.child(&child).await.expect_problem(404);
    // Kent's case management system hears of transfers only; Hackney's of everything.
    let kent_hook = kent.register_webhook("http://127.0.0.1:9/kent", &["child.transferred"]).await.expect(201).id();
    let other_hook = kent.register_webhook("http://127.0.0.1:9/other", &["placement.started"]).await.expect(201).id();

    let t = hackney.transfer_child(&child, KENT).await.expect(200);
    assert_eq!((t.body["from_la"].as_str(), t.body["to_la"].as_str()), (Some(HACKNEY), Some(KENT)));

    // Kent sees everything and may change it, the current placement included.
    let seen = kent.child(&child).await.expect(200);
    assert_eq!((seen.body["access"].as_str(), seen.body["responsible_la"].as_str()), (Some("placing"), Some(KENT)));
    kent.update_child(&child, json!({"la_child_id": "KT77"}), &seen.etag()).await.expect(200);
    assert_eq!(kent.placement(&current).await.expect(200).body["placing_la"], KENT);
    // Hackney no longer holds the child; the placement it ended stays its own to read.
    hackney.child(&child).await.expect_problem(404);
    hackney.update_child(&child, json!({"given_name": "Amy"}), &seen.etag()).await.expect_problem(404);
    assert_eq!(hackney.placement(&first).await.expect(200).body["placing_la"], HACKNEY);
    hackney.transfer_child(&child, HACKNEY).await.expect_problem(404);

    // Both LAs are told.
    for la in [&hackney, &kent] {
        let inbox = la.inbox("type=child.transferred").await.expect(200);
        assert_eq!(inbox.items().len(), 1, "{}", inbox.text);
        assert_eq!(inbox.items()[0]["child_id"], json!(child));
        assert_eq!(inbox.items()[0]["payload"]["to_la"], KENT);
    }
    assert_eq!(kent.deliveries(&kent_hook, "").await.expect(200).items().len(), 1);
    assert_eq!(kent.deliveries(&other_hook, "").await.expect(200).items().len(), 0);
    // The history is kept: the timeline shows the transfer among the placements, and the audit
    // log who made it.
    let timeline = kent.timeline(&child).await.expect(200);
    let kinds: Vec<String> = timeline
        .body
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["kind"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(kinds.contains(&"responsibility.transferred".to_string()), "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| *k == "placement.started").count(), 2);
    let log = kent.access_log(&child, "").await.expect(200);
    let entry = log.items().into_iter().find(|e| e["action"] == "child.transfer").expect("the transfer is audited");
    assert_eq!(entry["org"], HACKNEY);
}

#[actix_web::test]
async fn only_the_responsible_la_transfers_and_only_to_an_la() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    app.la(HACKNEY).place(Placement::at(&child, &urn).from("2026-06-01")).await.expect(201);
    // Leeds hosts her and sees her, but may not pass her on; Kent does not see her at all.
    app.la(LEEDS).transfer_child(&child, LEEDS).await.expect_problem(403);
    app.la(KENT).transfer_child(&child, KENT).await.expect_problem(404);
    let r = app.la(HACKNEY).transfer_child(&child, "E99999999").await.expect_problem(422);
    assert!(r.text.contains("to_la"), "{}", r.text);
    let r = app.la(HACKNEY).transfer_child(&child, HACKNEY).await.expect_problem(422);
    assert!(r.text.contains("to_la"), "{}", r.text);
    assert_eq!(app.la(HACKNEY).child(&child).await.expect(200).body["responsible_la"], HACKNEY);
}

/// The receiving LA's own id for another child is not taken over: the transfer names the field.
#[actix_web::test]
async fn an_la_child_id_the_new_la_already_uses_is_refused_until_another_is_given() {
    let app = TestApp::start().await;
    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14").la_child_id("C1")).await;
    app.child_of(KENT, a_child("Tyrone", "Mensah").born("2009-11-02").la_child_id("C1")).await;
    let r = app.la(HACKNEY).transfer_child(&child, KENT).await.expect_problem(409);
    assert_eq!(r.body["field"], "la_child_id");
    app.la(HACKNEY)
        .post(&format!("/v1/children/{child}/transfer"), json!({"to_la": KENT, "la_child_id": "KT9"}))
        .await
        .expect(200);
    assert_eq!(app.la(KENT).child(&child).await.expect(200).body["la_child_id"], "KT9");
}

/// A child whose record another registry node holds is changed there, not here.
#[actix_web::test]
async fn a_child_held_by_another_node_is_not_transferred_here() {
    let app = TestApp::start().await;
    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    execute_sql(&app, &format!("UPDATE children SET origin_node = 'south' WHERE id = '{child}'"));
    let r = app.la(HACKNEY).transfer_child(&child, KENT).await.expect_problem(409);
    assert_eq!(r.body["type"], "urn:placement-registry:problem:held-by-another-node");
    assert_eq!(app.la(KENT).inbox("type=child.transferred").await.expect(200).items().len(), 0);
}
