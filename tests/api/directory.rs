use crate::common::*;
use serde_json::json;

#[actix_rt::test]
async fn authorities_are_seeded_from_the_ons_list() {
    let app = TestApp::start().await;
    let la = app.la(HACKNEY);
    let current = la.get("/v1/authorities?current_on=2026-06-15").await.expect(200);
    assert_eq!(current.body.as_array().map(Vec::len), Some(153));
    let all = la.get("/v1/authorities").await.expect(200);
    let n = all.body.as_array().map(Vec::len).unwrap_or_default();
    assert!(n > 153, "historic authorities kept, got {n}");
    let cumbria =
        all.body.as_array().and_then(|a| a.iter().find(|x| x["name"] == "Cumbria").cloned()).expect("Cumbria kept");
    assert_eq!(cumbria["valid_to"], "2023-03-31");
    let leeds = la.get(&format!("/v1/authorities/{LEEDS}")).await.expect(200);
    assert_eq!(leeds.body["name"], "Leeds");
    assert_eq!(leeds.body["dfe_code"], "383");
    la.get("/v1/authorities/E99999999").await.expect_problem(404);
    la.get("/v1/authorities?current_on=not-a-date").await.expect_problem(400);
}

#[actix_rt::test]
async fn providers_are_kept_by_the_operator_and_read_by_themselves() {
    let app = TestApp::start().await;
    let op = app.operator();
    op.post("/v1/providers", json!({"name": "  "})).await.expect_field_error(422, "name");
    op.post("/v1/providers", json!({"name": "A", "contact_email": "nope"}))
        .await
        .expect_field_error(422, "contact_email");
    op.post("/v1/providers", json!({"name": "A", "colour": "red"})).await.expect_field_error(400, "colour");
    let created = op.post("/v1/providers", json!({"name": "Brightwater Care Ltd"})).await.expect(201);
    let id = created.id();
    assert_eq!(created.header("location"), Some(format!("/v1/providers/{id}")));
    let etag = created.etag();

    // The provider reads its own record; another provider and an LA do not see it.
    app.provider(&id).get(&format!("/v1/providers/{id}")).await.expect(200);
    app.provider("other").get(&format!("/v1/providers/{id}")).await.expect_problem(404);
    app.la(LEEDS).get(&format!("/v1/providers/{id}")).await.expect_problem(404);
    let own_list = app.provider(&id).get("/v1/providers").await.expect(200);
    assert_eq!(own_list.body["items"].as_array().map(Vec::len), Some(1));

    // Editing needs the current ETag.
    let path = format!("/v1/providers/{id}");
    op.send(reqwest::Method::PATCH, &path, Some(json!({"name": "B"})), &[]).await.expect_problem(428);
    let r = op
        .patch(&path, json!({"name": "Brightwater Care Group", "contact_email": "a@b.example"}), &etag)
        .await
        .expect(200);
    assert_eq!(r.body["name"], "Brightwater Care Group");
    op.patch(&path, json!({"name": "Again"}), &etag).await.expect_problem(412);
    let r = op.patch(&path, json!({"contact_email": null}), &r.etag()).await.expect(200);
    assert!(r.body.get("contact_email").is_none());
    app.provider(&id).patch(&path, json!({"name": "Mine"}), &r.etag()).await.expect_problem(403);
}

#[actix_rt::test]
async fn settings_take_their_host_area_from_the_postcode() {
    let app = TestApp::start().await;
    let op = app.operator();
    let pid = op.post("/v1/providers", json!({"name": "P"})).await.expect(201).id();
    let body = |urn: &str, pc: &str| json!({"urn": urn, "provider_id": pid, "name": "Oak House", "place": "K2", "postcode": pc});
    op.post("/v1/settings", body("SC12", LEEDS_POSTCODE)).await.expect_field_error(422, "urn");
    op.post("/v1/settings", body("SC480011", "ZZ9 9ZZ")).await.expect_field_error(422, "postcode");
    op.post("/v1/settings", body("SC480011", "not a postcode")).await.expect_field_error(422, "postcode");
    let mut wrong_place = body("SC480011", LEEDS_POSTCODE);
    wrong_place["place"] = json!("U1");
    op.post("/v1/settings", wrong_place).await.expect_field_error(422, "place");
    let mut mismatch = body("SC480011", LEEDS_POSTCODE);
    mismatch["host_la"] = json!(KENT);
    let r = op.post("/v1/settings", mismatch).await.expect_field_error(422, "host_la");
    assert!(r.text.contains(LEEDS) && r.text.contains(KENT), "both areas shown: {}", r.text);
    let mut unknown_provider = body("SC480011", LEEDS_POSTCODE);
    unknown_provider["provider_id"] = json!("nope");
    op.post("/v1/settings", unknown_provider).await.expect_field_error(422, "provider_id");

    let s = op.post("/v1/settings", body("sc480011", "ls14ap")).await.expect(201);
    assert_eq!(s.body["urn"], "SC480011");
    assert_eq!(s.body["host_area"], LEEDS);
    assert_eq!(s.body["postcode"], "LS1 4AP");
    op.post("/v1/settings", body("SC480011", LEEDS_POSTCODE)).await.expect_problem(409);
    let wales = op.post("/v1/settings", body("1234567", CARDIFF_POSTCODE)).await.expect(201);
    assert_eq!(wales.body["host_area"], "WAL");

    // The postcode is confidential: the host LA and the provider see it, an unrelated LA does not.
    let path = "/v1/settings/SC480011";
    assert_eq!(app.la(LEEDS).get(path).await.expect(200).body["postcode"], "LS1 4AP");
    assert_eq!(app.provider(&pid).get(path).await.expect(200).body["postcode"], "LS1 4AP");
    let other = app.la(KENT).get(path).await.expect(200);
    assert!(other.body.get("postcode").is_none());
    assert_eq!(other.body["name"], "Oak House");
    app.la(KENT).get("/v1/settings/SC000000").await.expect_problem(404);

    // An LA lists the settings in its area; a provider its own.
    let leeds = app.la(LEEDS).get("/v1/settings").await.expect(200);
    assert_eq!(leeds.body["items"].as_array().map(Vec::len), Some(1));
    let own = app.provider(&pid).get("/v1/settings").await.expect(200);
    assert_eq!(own.body["items"].as_array().map(Vec::len), Some(2));

    // Moving the setting re-derives its host area.
    let etag = op.get(path).await.expect(200).etag();
    let moved = op.patch(path, json!({"postcode": KENT_POSTCODE}), &etag).await.expect(200);
    assert_eq!(moved.body["host_area"], KENT);
}
