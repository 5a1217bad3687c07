use crate::support::*;
use serde_json::json;

#[actix_web::test]
async fn amending_needs_if_match_and_keeps_rules() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    let la = app.la(HACKNEY);
    let p = la.place(Placement::at(&child, &urn).from("2026-06-01")).await.expect(201);
    let id = p.id();
    la.patch_blind(&format!("/v1/placements/{id}"), json!({"emergency": true})).await.expect_problem(428);
    let r =
        la.amend_placement(&id, json!({"emergency": true, "start_date": "2026-05-30"}), &p.etag()).await.expect(200);
    assert_eq!(r.body["emergency"], true);
    assert_eq!(r.body["start_date"], "2026-05-30");
    assert_eq!(r.body["legal_statuses"][0]["effective_from"], "2026-05-30");
    la.amend_placement(&id, json!({"emergency": false}), &p.etag()).await.expect_problem(412);
    la.amend_placement(&id, json!({"place_provider": "PR0"}), &r.etag())
        .await
        .expect_field_error(422, "place_provider");
    la.amend_placement(&id, json!({"end_date": "2026-07-01"}), &r.etag()).await.expect_field_error(422, "end_date");
    // Moving a placement to a foster home in Kent recomputes its host area.
    let moved = la
        .amend_placement(&id, json!({"urn": AGENCY, "place": "U4", "postcode": KENT_POSTCODE}), &r.etag())
        .await
        .expect(200);
    assert_eq!(moved.body["host_area"], KENT);
}

#[actix_web::test]
async fn legal_status_can_change_during_a_placement() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    let la = app.la(HACKNEY);
    let p = la.place(Placement::at(&child, &urn).from("2026-03-01")).await.expect(201).id();
    la.change_legal_status(&p, "2026-02-01", "C1").await.expect_field_error(422, "effective_from");
    la.change_legal_status(&p, "2026-04-01", "ZZ").await.expect_field_error(422, "legal_status");
    let r = la.change_legal_status(&p, "2026-04-01", "C1").await.expect(200);
    assert_eq!(r.body["legal_status"], "C1");
    assert_eq!(
        r.body["legal_statuses"],
        json!([{"effective_from": "2026-03-01", "legal_status": "C2"}, {"effective_from": "2026-04-01", "legal_status": "C1"}])
    );
    // The placement cannot then end before that change.
    la.end_placement(&p, Ending::on("2026-03-15", "E4A")).await.expect_field_error(422, "end_date");
    app.la(LEEDS).change_legal_status(&p, "2026-05-01", "C2").await.expect_problem(403);
}
