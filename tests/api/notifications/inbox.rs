use crate::support::*;
use serde_json::json;

fn types(r: &Resp) -> Vec<String> {
    r.column("type")
}

#[actix_web::test]
async fn a_placement_and_its_notification_are_written_together_or_not_at_all() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    let placement = Placement::at(&child, &urn).from("2026-06-15");
    app.la(HACKNEY).place(placement.clone().legal_status("ZZ")).await.expect(422);
    assert!(app.la(LEEDS).inbox("").await.expect(200).items().is_empty());
    let p = app.la(HACKNEY).place(placement).await.expect(201);
    let n = app.la(LEEDS).inbox("").await.expect(200).items();
    assert_eq!(n.len(), 1);
    assert_eq!(n[0]["type"], "placement.started");
    assert_eq!(n[0]["recipient_la"], LEEDS);
    assert_eq!(n[0]["sender_org"], HACKNEY);
    assert_eq!(n[0]["placement_id"], json!(p.id()));
    assert_eq!(n[0]["payload"]["place"], "K2");
    assert_eq!(n[0]["payload"]["urn"], json!(urn));
    // Ids and codes only: no names, dates of birth or postcodes.
    let text = n[0].to_string();
    for personal in ["Amelia", "Hughes", "2011-05-14", "LS1 4AP", "E8 1DY"] {
        assert!(!text.contains(personal), "{personal} leaked into {text}");
    }
    // An LA placing in its own area notifies nobody.
    let own = app.child_of(LEEDS, a_child("Jo", "Local").born("2012-02-02")).await;
    app.la(LEEDS).place(Placement::at(&own, &urn).from("2026-06-15")).await.expect(201);
    assert_eq!(app.la(LEEDS).inbox("").await.expect(200).items().len(), 1);
}

#[actix_web::test]
async fn a_move_between_areas_tells_both_host_las() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Tyrone", "Mensah").born("2009-11-02")).await;
    let la = app.la(HACKNEY);
    let first = la.place(Placement::at(&child, &urn).from("2026-06-01")).await.expect(201).id();
    la.end_placement(&first, Ending::moved("2026-06-15", "CARPL")).await.expect(200);
    la.place(Placement::foster(&child, KENT_POSTCODE).from("2026-06-15")).await.expect(201);
    assert_eq!(types(&app.la(LEEDS).inbox("").await.expect(200)), ["placement.ended", "placement.started"]);
    assert_eq!(types(&app.la(KENT).inbox("").await.expect(200)), ["placement.started"]);
    // Correcting a placement's location also tells the old and the new host.
    let other = app.child_of(HACKNEY, a_child("Sam", "Moved").born("2010-10-10")).await;
    let p = la.place(Placement::foster(&other, LEEDS_POSTCODE).from("2026-06-10")).await.expect(201);
    la.amend_placement(&p.id(), json!({"postcode": KENT_POSTCODE}), &p.etag()).await.expect(200);
    let changed = app.la(LEEDS).inbox("type=placement.changed").await.expect(200);
    assert_eq!(changed.items()[0]["payload"]["previous_host_area"], LEEDS);
    assert_eq!(types(&app.la(KENT).inbox("type=placement.changed").await.expect(200)), ["placement.changed"]);
    // A legal status change is a change too.
    la.change_legal_status(&p.id(), "2026-06-12", "C1").await.expect(200);
    assert_eq!(app.la(KENT).inbox("type=placement.changed").await.expect(200).items().len(), 2);
}

#[actix_web::test]
async fn inbox_sent_and_acknowledgements() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    app.la(HACKNEY).place(Placement::at(&child, &urn).from("2026-06-20")).await.expect(201);
    let n = app.la(HACKNEY).sent_notifications("").await.expect(200).items()[0].clone();
    let id = n["id"].as_str().expect("id").to_string();
    assert!(n.get("delivered_at").is_none() && n.get("acknowledged_at").is_none());
    assert_eq!(n["acknowledgement_due_by"], "2026-06-17");
    // Only the recipient and the sender see it.
    app.la(KENT).notification(&id).await.expect_problem(404);
    app.la(KENT).acknowledge(&id).await.expect_problem(404);
    app.la(HACKNEY).acknowledge(&id).await.expect_problem(403);
    assert!(app.la(KENT).inbox("").await.expect(200).items().is_empty());
    assert!(app.la(HACKNEY).inbox("").await.expect(200).items().is_empty());
    // Reading the inbox delivers it; the sender sees that.
    assert_eq!(app.la(LEEDS).inbox("acknowledged=false").await.expect(200).items().len(), 1);
    let delivered = app.la(HACKNEY).notification(&id).await.expect(200);
    assert!(delivered.body["delivered_at"].is_string());
    // Overdue acknowledgement: created Monday 15th, due Wednesday 17th, overdue on Thursday 18th.
    app.set_time(at("2026-06-17"));
    assert!(app.la(LEEDS).inbox("acknowledgement_overdue=true").await.expect(200).items().is_empty());
    app.set_time(at("2026-06-18"));
    assert_eq!(app.la(LEEDS).inbox("acknowledgement_overdue=true").await.expect(200).items().len(), 1);
    let overdue_sent = app.la(HACKNEY).sent_notifications("acknowledgement_overdue=true").await.expect(200);
    assert_eq!(overdue_sent.items()[0]["acknowledgement_overdue"], true);
    // Acknowledge, twice: the first stands.
    let first = app.la(LEEDS).acknowledge(&id).await.expect(200);
    assert_eq!(first.body["acknowledged_by"], "test-user");
    app.set_time(at("2026-06-19"));
    let again = app.la(LEEDS).acknowledge(&id).await.expect(200);
    assert_eq!(first.body["acknowledged_at"], again.body["acknowledged_at"]);
    assert!(app.la(LEEDS).inbox("acknowledged=false").await.expect(200).items().is_empty());
    assert_eq!(app.la(LEEDS).inbox("acknowledged=true").await.expect(200).items().len(), 1);
    // What stays overdue is the copy the home was sent, not Leeds's.
    let still = app.la(HACKNEY).sent_notifications("acknowledgement_overdue=true").await.expect(200).items();
    assert_eq!(still.len(), 1);
    assert_eq!(still[0]["recipient_org_type"], "provider");
    // Filters.
    assert!(app.la(LEEDS).inbox("type=placement.ended").await.expect(200).items().is_empty());
    assert!(app.la(LEEDS).inbox("since=2026-06-16T00:00:00Z").await.expect(200).items().is_empty());
    assert_eq!(app.la(LEEDS).inbox("since=2026-06-15T00:00:00Z").await.expect(200).items().len(), 1);
    app.la(LEEDS).inbox("since=yesterday").await.expect_problem(400);
    app.operator().inbox("").await.expect_problem(403);
}

#[actix_web::test]
async fn undelivered_after_24_hours_the_sender_sees_an_escalation() {
    let app = TestApp::start().await;
    let (provider, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    app.la(HACKNEY).place(Placement::at(&child, &urn).from("2026-06-20")).await.expect(201);
    app.advance(chrono::TimeDelta::hours(23));
    assert!(app.la(HACKNEY).sent_notifications("escalated=true").await.expect(200).items().is_empty());
    app.advance(chrono::TimeDelta::hours(2));
    let esc = app.la(HACKNEY).sent_notifications("escalated=true").await.expect(200);
    assert_eq!(esc.items().len(), 2, "to Leeds and to the home");
    assert_eq!(esc.items()[0]["escalated"], true);
    app.la(LEEDS).inbox("").await.expect(200);
    let esc = app.la(HACKNEY).sent_notifications("escalated=true").await.expect(200).items();
    assert_eq!(esc.len(), 1);
    assert_eq!(esc[0]["recipient_org_type"], "provider");
    app.provider(&provider).inbox("").await.expect(200);
    assert!(app.la(HACKNEY).sent_notifications("escalated=true").await.expect(200).items().is_empty());
}
