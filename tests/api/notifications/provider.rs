//! A home's inbox and webhooks: a provider is told what concerns its settings, and only that.

use crate::support::*;
use crate::webhooks::{Receiver, verify};
use serde_json::json;

fn types(r: &Resp) -> Vec<String> {
    let mut t = r.column("type");
    t.sort();
    t
}

#[actix_web::test]
async fn a_home_is_told_of_placements_admissions_and_reviews_in_its_settings() {
    let app = TestApp::start().await;
    let (pid, urn) = app.provider_with_home().await;
    let home = app.provider(&pid);
    let other_id = app.operator().create_provider("Harbour Homes Ltd").await.expect(201).id();
    let other = app.provider(&other_id);
    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;

    // Hackney places Amelia at Oak House: the home hears of it, without the host LA's clock.
    let p = app.la(HACKNEY).place(Placement::at(&child, &urn).from("2026-06-15")).await.expect(201).id();
    let inbox = home.inbox("").await.expect(200);
    assert_eq!(types(&inbox), ["placement.started"]);
    let started = &inbox.items()[0];
    assert_eq!(started["recipient_org_type"], "provider");
    assert_eq!(started["recipient_org"], json!(pid));
    assert_eq!(started["payload"]["urn"], json!(urn));
    assert_eq!(started["placement_id"], json!(p));
    assert!(started.get("recipient_la").is_none() && started.get("statutory").is_none());
    let id = started["id"].as_str().expect("id").to_string();
    // Nobody else reads the home's notification; the home reads nobody else's.
    assert!(other.inbox("").await.expect(200).items().is_empty());
    other.notification(&id).await.expect_problem(404);
    app.la(LEEDS).notification(&id).await.expect_problem(404);
    app.la(LEEDS).acknowledge(&id).await.expect_problem(404);
    let leeds_copy = app.la(LEEDS).inbox("").await.expect(200).items()[0]["id"].as_str().expect("id").to_string();
    home.notification(&leeds_copy).await.expect_problem(404);
    // The home acknowledges its own.
    let ack = home.acknowledge(&id).await.expect(200);
    assert_eq!(ack.body["acknowledged_by"], "test-user");
    assert_eq!(home.inbox("acknowledged=false").await.expect(200).items().len(), 0);

    // Its admission is matched to the placement, and it is told so.
    home.record_admission(&urn, json!({"child_id": child, "date": "2026-06-15"})).await.expect(201);
    let matched = home.inbox("type=admission.matched").await.expect(200);
    assert_eq!(matched.items().len(), 1);
    assert_eq!(matched.items()[0]["payload"]["status"], "matched");
    // It is in the home's inbox, not among what the home sent (Leeds's copy is).
    let sent = home.sent_notifications("").await.expect(200);
    assert_eq!(sent.column("type"), ["admission.recorded"]);

    // An arrival no LA told it about is unmatched, then matched when Manchester registers it.
    let jayden = app.child_of(MANCHESTER, a_child("Jayden", "Brooks").born("2010-01-30")).await;
    let arrival = json!({"given_name": "Jayden", "family_name": "Brooks", "date_of_birth": "2010-01-30",
                         "placing_la": MANCHESTER, "date": "2026-06-14"});
    home.record_admission(&urn, arrival).await.expect(201);
    assert_eq!(home.inbox("type=admission.unmatched").await.expect(200).items().len(), 1);
    app.la(MANCHESTER).place(Placement::at(&jayden, &urn).from("2026-06-14")).await.expect(201);
    let later = home.inbox("type=admission.matched").await.expect(200);
    assert_eq!(later.items().len(), 2);
    assert_eq!(later.items()[0]["sender_org"], MANCHESTER);

    // Hackney amends and ends Amelia's placement.
    app.set_time(at("2026-06-18"));
    app.la(HACKNEY).change_legal_status(&p, "2026-06-17", "C1").await.expect(200);
    assert_eq!(app.provider(&pid).inbox("type=placement.changed").await.expect(200).items().len(), 1);
    app.set_time(at("2026-06-20"));
    app.la(HACKNEY).end_placement(&p, Ending::moved("2026-06-19", "CARPL")).await.expect(200);
    let ended = app.provider(&pid).inbox("type=placement.ended").await.expect(200);
    assert_eq!(ended.items().len(), 1);
    assert_eq!(ended.items()[0]["payload"]["end_date"], "2026-06-19");

    // Its return is queried, then accepted, by the host LA.
    app.set_time(at("2026-07-10"));
    app.provider(&pid).submit_return(&urn, "2026-Q2", json!({"nil": true, "episodes": []})).await.expect(201);
    app.la(LEEDS)
        .review_return(&urn, "2026-Q2", json!({"decision": "query", "comment": "Please check June."}))
        .await
        .expect(200);
    let queried = app.provider(&pid).inbox("type=return.queried").await.expect(200);
    assert_eq!(queried.items().len(), 1);
    assert_eq!(queried.items()[0]["payload"]["period"], "2026-Q2");
    assert!(queried.items()[0]["payload"].get("comment").is_none(), "the comment is read through the API");
    app.la(LEEDS).review_return(&urn, "2026-Q2", json!({"decision": "accept"})).await.expect(200);
    assert_eq!(app.provider(&pid).inbox("type=return.accepted").await.expect(200).items().len(), 1);
    assert!(app.provider(&other_id).inbox("").await.expect(200).items().is_empty());
}

#[actix_web::test]
async fn a_home_registers_webhooks_and_receives_its_notifications_signed() {
    let app = TestApp::start().await;
    let rx = Receiver::start().await;
    let (pid, urn) = app.provider_with_home().await;
    let home = app.provider(&pid);
    let created = home.register_webhook(&rx.url("/home"), &["placement.started", "placement.ended"]).await.expect(201);
    let hook = created.id();
    let secret = created.body["secret"].as_str().expect("secret").to_string();
    assert_eq!(created.body["owner_org_type"], "provider");
    assert_eq!(created.body["owner_org"], json!(pid));
    // Leeds has a webhook too: each gets its own notifications only.
    app.la(LEEDS).register_webhook(&rx.url("/leeds"), &["*"]).await.expect(201);
    // Another organisation cannot see or remove the home's endpoint.
    app.la(LEEDS).webhook(&hook).await.expect_problem(404);
    app.la(LEEDS).delete_webhook(&hook).await.expect_problem(404);
    let other = app.provider(&app.operator().create_provider("Harbour Homes Ltd").await.expect(201).id());
    other.webhook(&hook).await.expect_problem(404);
    other.deliveries(&hook, "").await.expect_problem(404);
    assert_eq!(home.webhooks().await.expect(200).items().len(), 1);

    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    app.la(HACKNEY).place(Placement::at(&child, &urn).from("2026-06-15")).await.expect(201);
    assert_eq!(app.webhook_worker("w1").run_once().await, 2);
    let got: Vec<_> = rx.received().into_iter().filter(|r| r.path == "/home").collect();
    assert_eq!(got.len(), 1);
    verify(&secret, &got[0]);
    let body: serde_json::Value = serde_json::from_slice(&got[0].body).expect("json");
    assert_eq!(body["type"], "placement.started");
    assert_eq!(body["recipient_org"], json!(pid));
    let deliveries = home.deliveries(&hook, "").await.expect(200);
    assert_eq!(deliveries.items()[0]["status"], "delivered");
    // Disabled, it receives nothing more.
    home.delete_webhook(&hook).await.expect(204);
    assert!(home.webhooks().await.expect(200).items().is_empty());
}
