use crate::common::*;
use serde_json::{Value, json};

fn items(r: &Resp) -> Vec<Value> {
    r.body["items"].as_array().cloned().unwrap_or_default()
}

fn types(r: &Resp) -> Vec<String> {
    items(r).iter().map(|n| n["type"].as_str().unwrap_or_default().to_string()).collect()
}

#[actix_rt::test]
async fn a_placement_and_its_notification_are_written_together_or_not_at_all() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child(HACKNEY, "Amelia", "Hughes", "2011-05-14").await;
    let mut bad = setting_placement(&child, &urn, "2026-06-15");
    bad["legal_status"] = json!("ZZ");
    app.la(HACKNEY).post("/v1/placements", bad).await.expect(422);
    assert!(items(&app.la(LEEDS).get("/v1/notifications").await.expect(200)).is_empty());
    let p = app.la(HACKNEY).post("/v1/placements", setting_placement(&child, &urn, "2026-06-15")).await.expect(201);
    let inbox = app.la(LEEDS).get("/v1/notifications").await.expect(200);
    let n = items(&inbox);
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
    let own = app.child(LEEDS, "Jo", "Local", "2012-02-02").await;
    app.la(LEEDS).post("/v1/placements", setting_placement(&own, &urn, "2026-06-15")).await.expect(201);
    assert_eq!(items(&app.la(LEEDS).get("/v1/notifications").await.expect(200)).len(), 1);
}

#[actix_rt::test]
async fn a_move_between_areas_tells_both_host_las() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child(HACKNEY, "Tyrone", "Mensah", "2009-11-02").await;
    let la = app.la(HACKNEY);
    let first = la.post("/v1/placements", setting_placement(&child, &urn, "2026-06-01")).await.expect(201);
    la.post(
        &format!("/v1/placements/{}/end", first.id()),
        json!({"end_date": "2026-06-15", "rec": "X1", "reason_place_change": "CARPL"}),
    )
    .await
    .expect(200);
    la.post("/v1/placements", foster_placement(&child, KENT_POSTCODE, "2026-06-15")).await.expect(201);
    assert_eq!(
        types(&app.la(LEEDS).get("/v1/notifications").await.expect(200)),
        ["placement.ended", "placement.started"]
    );
    assert_eq!(types(&app.la(KENT).get("/v1/notifications").await.expect(200)), ["placement.started"]);
    // Correcting a placement's location also tells the old and the new host.
    let other = app.child(HACKNEY, "Sam", "Moved", "2010-10-10").await;
    let p = la.post("/v1/placements", foster_placement(&other, LEEDS_POSTCODE, "2026-06-10")).await.expect(201);
    la.patch(&format!("/v1/placements/{}", p.id()), json!({"postcode": KENT_POSTCODE}), &p.etag()).await.expect(200);
    let changed = app.la(LEEDS).get("/v1/notifications?type=placement.changed").await.expect(200);
    assert_eq!(items(&changed)[0]["payload"]["previous_host_area"], LEEDS);
    assert_eq!(
        types(&app.la(KENT).get("/v1/notifications?type=placement.changed").await.expect(200)),
        ["placement.changed"]
    );
    // A legal status change is a change too.
    la.post(
        &format!("/v1/placements/{}/legal-statuses", p.id()),
        json!({"effective_from": "2026-06-12", "legal_status": "C1"}),
    )
    .await
    .expect(200);
    assert_eq!(items(&app.la(KENT).get("/v1/notifications?type=placement.changed").await.expect(200)).len(), 2);
}

async fn started_statutory(app: &TestApp, child: &str, body: Value) -> Value {
    let _ = child;
    app.la(HACKNEY).post("/v1/placements", body).await.expect(201);
    let r = app.la(KENT).get("/v1/notifications?type=placement.started&limit=1").await.expect(200);
    items(&r)[0]["statutory"].clone()
}

#[actix_rt::test]
async fn the_statutory_clock_of_reg_13_4() {
    // Monday 15 June 2026.
    let app = TestApp::start().await;
    let a = app.child(HACKNEY, "Ann", "Planned", "2010-01-01").await;
    let s = started_statutory(&app, &a, foster_placement(&a, KENT_POSTCODE, "2026-06-22")).await;
    assert_eq!(s["regulation"], "13(4)");
    assert_eq!(s["status"], "on_time");
    assert_eq!(s["due_by"], "2026-06-22");
    // Planned placement that started the Friday before: one working day late.
    let b = app.child(HACKNEY, "Ben", "Late", "2010-01-01").await;
    let s = started_statutory(&app, &b, foster_placement(&b, KENT_POSTCODE, "2026-06-12")).await;
    assert_eq!(s["status"], "late");
    assert_eq!(s["late_by_working_days"], 1);
    // Emergency placement on Monday 8 June: five working days run to Monday 15 June.
    let c = app.child(HACKNEY, "Cal", "Emergency", "2010-01-01").await;
    let mut body = foster_placement(&c, KENT_POSTCODE, "2026-06-08");
    body["emergency"] = json!(true);
    let s = started_statutory(&app, &c, body).await;
    assert_eq!(
        (s["status"].clone(), s["due_by"].clone(), s["emergency"].clone()),
        (json!("on_time"), json!("2026-06-15"), json!(true))
    );
    // Emergency placement on Friday 5 June: due Friday 12 June, one working day late.
    let d = app.child(HACKNEY, "Dee", "Emergency", "2010-01-01").await;
    let mut body = foster_placement(&d, KENT_POSTCODE, "2026-06-05");
    body["emergency"] = json!(true);
    let s = started_statutory(&app, &d, body).await;
    assert_eq!((s["status"].clone(), s["late_by_working_days"].clone()), (json!("late"), json!(1)));
}

#[actix_rt::test]
async fn bank_holidays_stop_the_clock() {
    // Friday 29 May 2026; Monday 25 May was the spring bank holiday.
    let app = TestApp::start_at(at("2026-05-29")).await;
    let a = app.child(HACKNEY, "Eve", "Holiday", "2010-01-01").await;
    let mut body = foster_placement(&a, KENT_POSTCODE, "2026-05-21");
    body["emergency"] = json!(true);
    let s = started_statutory(&app, &a, body).await;
    assert_eq!((s["status"].clone(), s["due_by"].clone()), (json!("on_time"), json!("2026-05-29")));
    // With a configured calendar that has no bank holidays, the same notice is late.
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("holidays.csv");
    std::fs::write(&file, "date,name\n2026-12-25,Christmas Day\n").expect("write");
    let app = TestApp::start_with(at("2026-05-29"), |c| c.bank_holidays_file = Some(file.clone())).await;
    let a = app.child(HACKNEY, "Eve", "Holiday", "2010-01-01").await;
    let mut body = foster_placement(&a, KENT_POSTCODE, "2026-05-21");
    body["emergency"] = json!(true);
    let s = started_statutory(&app, &a, body).await;
    assert_eq!((s["status"].clone(), s["due_by"].clone()), (json!("late"), json!("2026-05-28")));
}

#[actix_rt::test]
async fn the_statutory_clock_of_reg_14() {
    let app = TestApp::start_at(at("2026-05-01")).await;
    let child = app.child(HACKNEY, "Fay", "Ending", "2010-01-01").await;
    let p =
        app.la(HACKNEY).post("/v1/placements", foster_placement(&child, KENT_POSTCODE, "2026-04-01")).await.expect(201);
    // Ended 1 June, recorded 16 June: ten working days ran to 15 June.
    app.clock.set(at("2026-06-16"));
    app.la(HACKNEY)
        .post(&format!("/v1/placements/{}/end", p.id()), json!({"end_date": "2026-06-01", "rec": "E11"}))
        .await
        .expect(200);
    let r = app.la(KENT).get("/v1/notifications?type=placement.ended").await.expect(200);
    let s = &items(&r)[0]["statutory"];
    assert_eq!(
        (s["regulation"].clone(), s["due_by"].clone(), s["status"].clone()),
        (json!("14"), json!("2026-06-15"), json!("late"))
    );
    assert_eq!(s["late_by_working_days"], 1);
    // Notice of a planned end, before it: on time.
    let other = app.child(HACKNEY, "Gus", "Planned", "2010-01-01").await;
    let q =
        app.la(HACKNEY).post("/v1/placements", foster_placement(&other, KENT_POSTCODE, "2026-06-01")).await.expect(201);
    app.la(HACKNEY)
        .post(&format!("/v1/placements/{}/end", q.id()), json!({"end_date": "2026-07-01", "rec": "E11"}))
        .await
        .expect(200);
    let r = app.la(KENT).get("/v1/notifications?type=placement.ended&limit=1").await.expect(200);
    assert_eq!(items(&r)[0]["statutory"]["status"], "on_time");
}

#[actix_rt::test]
async fn inbox_sent_and_acknowledgements() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child(HACKNEY, "Amelia", "Hughes", "2011-05-14").await;
    app.la(HACKNEY).post("/v1/placements", setting_placement(&child, &urn, "2026-06-20")).await.expect(201);
    let sent = app.la(HACKNEY).get("/v1/notifications/sent").await.expect(200);
    let n = items(&sent)[0].clone();
    let id = n["id"].as_str().expect("id").to_string();
    assert!(n.get("delivered_at").is_none() && n.get("acknowledged_at").is_none());
    assert_eq!(n["acknowledgement_due_by"], "2026-06-17");
    // Only the recipient and the sender see it.
    app.la(KENT).get(&format!("/v1/notifications/{id}")).await.expect_problem(404);
    app.la(KENT).post(&format!("/v1/notifications/{id}/acknowledge"), json!({})).await.expect_problem(404);
    app.la(HACKNEY).post(&format!("/v1/notifications/{id}/acknowledge"), json!({})).await.expect_problem(403);
    assert!(items(&app.la(KENT).get("/v1/notifications").await.expect(200)).is_empty());
    assert!(items(&app.la(HACKNEY).get("/v1/notifications").await.expect(200)).is_empty());
    // Reading the inbox delivers it; the sender sees that.
    let inbox = app.la(LEEDS).get("/v1/notifications?acknowledged=false").await.expect(200);
    assert_eq!(items(&inbox).len(), 1);
    let delivered = app.la(HACKNEY).get(&format!("/v1/notifications/{id}")).await.expect(200);
    assert!(delivered.body["delivered_at"].is_string());
    // Overdue acknowledgement: created Monday 15th, due Wednesday 17th, overdue on Thursday 18th.
    app.clock.set(at("2026-06-17"));
    assert!(items(&app.la(LEEDS).get("/v1/notifications?acknowledgement_overdue=true").await.expect(200)).is_empty());
    app.clock.set(at("2026-06-18"));
    assert_eq!(items(&app.la(LEEDS).get("/v1/notifications?acknowledgement_overdue=true").await.expect(200)).len(), 1);
    let overdue_sent = app.la(HACKNEY).get("/v1/notifications/sent?acknowledgement_overdue=true").await.expect(200);
    assert_eq!(items(&overdue_sent)[0]["acknowledgement_overdue"], true);
    // Acknowledge, twice: the first stands.
    let first = app.la(LEEDS).post(&format!("/v1/notifications/{id}/acknowledge"), json!({})).await.expect(200);
    assert_eq!(first.body["acknowledged_by"], "test-user");
    app.clock.set(at("2026-06-19"));
    let again = app.la(LEEDS).post(&format!("/v1/notifications/{id}/acknowledge"), json!({})).await.expect(200);
    assert_eq!(first.body["acknowledged_at"], again.body["acknowledged_at"]);
    assert!(items(&app.la(LEEDS).get("/v1/notifications?acknowledged=false").await.expect(200)).is_empty());
    assert_eq!(items(&app.la(LEEDS).get("/v1/notifications?acknowledged=true").await.expect(200)).len(), 1);
    assert!(
        items(&app.la(HACKNEY).get("/v1/notifications/sent?acknowledgement_overdue=true").await.expect(200)).is_empty()
    );
    // Filters.
    assert!(items(&app.la(LEEDS).get("/v1/notifications?type=placement.ended").await.expect(200)).is_empty());
    assert!(items(&app.la(LEEDS).get("/v1/notifications?since=2026-06-16T00:00:00Z").await.expect(200)).is_empty());
    assert_eq!(items(&app.la(LEEDS).get("/v1/notifications?since=2026-06-15T00:00:00Z").await.expect(200)).len(), 1);
    app.la(LEEDS).get("/v1/notifications?since=yesterday").await.expect_problem(400);
    app.provider("p").get("/v1/notifications").await.expect_problem(403);
}

#[actix_rt::test]
async fn undelivered_after_24_hours_the_sender_sees_an_escalation() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child(HACKNEY, "Amelia", "Hughes", "2011-05-14").await;
    app.la(HACKNEY).post("/v1/placements", setting_placement(&child, &urn, "2026-06-20")).await.expect(201);
    app.clock.advance(chrono::TimeDelta::hours(23));
    assert!(items(&app.la(HACKNEY).get("/v1/notifications/sent?escalated=true").await.expect(200)).is_empty());
    app.clock.advance(chrono::TimeDelta::hours(2));
    let esc = app.la(HACKNEY).get("/v1/notifications/sent?escalated=true").await.expect(200);
    assert_eq!(items(&esc).len(), 1);
    assert_eq!(items(&esc)[0]["escalated"], true);
    app.la(LEEDS).get("/v1/notifications").await.expect(200);
    assert!(items(&app.la(HACKNEY).get("/v1/notifications/sent?escalated=true").await.expect(200)).is_empty());
}
