use crate::support::*;
use serde_json::json;

#[actix_web::test]
async fn updates_need_the_current_etag_and_only_the_placing_la_may_make_them() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let la = app.la(HACKNEY);
    let created = la.register_child(a_child("Amelia", "Hughes").born("2011-05-14").upn("UN1")).await.expect(201);
    let id = created.id();
    la.patch_blind(&format!("/v1/children/{id}"), json!({"given_name": "Amy"})).await.expect_problem(428);
    let r = la.update_child(&id, json!({"given_name": "Amy", "upn": null}), &created.etag()).await.expect(200);
    assert_eq!(r.body["given_name"], "Amy");
    assert!(r.body.get("upn").is_none(), "null clears an optional field");
    assert_eq!(r.etag(), "\"2\"");
    la.update_child(&id, json!({"given_name": "Lost update"}), &created.etag()).await.expect_problem(412);
    la.update_child(&id, json!({"sex": "Q"}), &r.etag()).await.expect_field_error(422, "sex");
    la.update_child(&id, json!({"shoe_size": 3}), &r.etag()).await.expect_field_error(400, "shoe_size");
    la.place(Placement::at(&id, &urn).from("2026-06-01")).await.expect(201);
    app.la(LEEDS).update_child(&id, json!({"given_name": "Host"}), &r.etag()).await.expect_problem(403);
    app.la(KENT).update_child(&id, json!({"given_name": "Other"}), &r.etag()).await.expect_problem(404);
    let unchanged = la.child(&id).await.expect(200);
    assert_eq!(unchanged.body["given_name"], "Amy");
}
