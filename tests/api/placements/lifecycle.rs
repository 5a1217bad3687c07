use crate::support::*;
use serde_json::json;

#[actix_web::test]
async fn a_newcomer_places_a_child_out_of_area_and_the_host_sees_it() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    let p = app.la(HACKNEY).place(Placement::at(&child, &urn).from("2026-06-10")).await.expect(201);
    assert_eq!(p.body["host_area"], LEEDS);
    assert_eq!(p.body["out_of_area"], true);
    assert_eq!(p.body["setting_name"], "Oak House");
    assert_eq!(p.body["legal_status"], "C2");
    let miles = p.body["distance_miles"].as_f64().expect("distance from home");
    assert!((150.0..200.0).contains(&miles), "Hackney to Leeds is about 170 miles, got {miles}");
    let host = app.la(LEEDS).placed_children("").await.expect(200);
    let items = host.items();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["child_id"], json!(child));
    assert_eq!(items[0]["placing_la"], HACKNEY);
    assert_eq!(items[0]["placing_la_name"], "Hackney");
    assert_eq!(items[0]["setting_name"], "Oak House");
    assert_eq!(items[0]["start_date"], "2026-06-10");
    app.la(KENT).child(&child).await.expect_problem(404);
    app.la(KENT).placement(&p.id()).await.expect_problem(404);
}

#[actix_web::test]
async fn a_child_of_another_la_cannot_be_placed() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child_of(KENT, a_child("Jo", "March").born("2010-01-01")).await;
    app.la(HACKNEY).place(Placement::at(&child, &urn).from("2026-06-01")).await.expect_field_error(422, "child_id");
    app.provider("p").place(Placement::at(&child, &urn).from("2026-06-01")).await.expect_problem(403);
}

#[actix_web::test]
async fn placements_never_overlap_and_a_move_is_an_end_and_a_start_the_same_day() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Tyrone", "Mensah").born("2009-11-02")).await;
    let la = app.la(HACKNEY);
    let first = la.place(Placement::foster(&child, HACKNEY_POSTCODE).from("2026-01-05")).await.expect(201).id();
    let r = la.place(Placement::at(&child, &urn).from("2026-03-01")).await.expect_problem(409);
    assert_eq!(r.body["overlapping_placement_id"], json!(first));
    la.end_placement(&first, Ending::moved("2026-01-01", "CARPL")).await.expect_field_error(422, "end_date");
    la.end_placement(&first, Ending::on("2026-03-01", "X1")).await.expect_field_error(422, "reason_place_change");
    la.end_placement(&first, Ending::on("2026-03-01", "Q1").because("CARPL")).await.expect_field_error(422, "rec");
    la.end_placement(&first, Ending::on("2026-03-01", "E4A").because("CARPL"))
        .await
        .expect_field_error(422, "reason_place_change");
    app.la(KENT).end_placement(&first, Ending::moved("2026-03-01", "CARPL")).await.expect_problem(404);
    let ended = la.end_placement(&first, Ending::moved("2026-03-01", "CARPL")).await.expect(200);
    assert_eq!(ended.body["end_date"], "2026-03-01");
    assert_eq!(ended.etag(), "\"2\"");
    la.end_placement(&first, Ending::on("2026-03-02", "E4A")).await.expect_problem(409);
    // The move: the next placement starts the day the first ended.
    la.place(Placement::at(&child, &urn).from("2026-03-01")).await.expect(201);
    // But not earlier.
    let other = app.child_of(HACKNEY, a_child("Sam", "Other").born("2009-01-01")).await;
    la.place(Placement::foster(&other, HACKNEY_POSTCODE).from("2026-01-05")).await.expect(201);
    let list = la.placements_of(&child).await.expect(200);
    assert_eq!(list.count(), Some(2));
    assert_eq!(list.body["items"][0]["start_date"], "2026-03-01", "newest first");
}

#[actix_web::test]
async fn the_host_cannot_change_or_end_a_placement() {
    let app = TestApp::start().await;
    let (pid, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    let p = app.la(HACKNEY).place(Placement::at(&child, &urn).from("2026-06-01")).await.expect(201);
    let id = p.id();
    // Host LA and provider read it; they may not change it.
    app.la(LEEDS).placement(&id).await.expect(200);
    app.provider(&pid).placement(&id).await.expect(200);
    app.provider("someone-else").placement(&id).await.expect_problem(404);
    app.la(LEEDS).amend_placement(&id, json!({"emergency": true}), &p.etag()).await.expect_problem(403);
    app.la(LEEDS).end_placement(&id, Ending::on("2026-06-20", "E4A")).await.expect_problem(403);
    app.provider(&pid).end_placement(&id, Ending::on("2026-06-20", "E4A")).await.expect_problem(403);
}
