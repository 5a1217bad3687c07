//! The directory: local authorities (seeded from the ONS list), providers and their settings.

use crate::support::*;
use serde_json::json;

#[actix_web::test]
async fn authorities_are_seeded_from_the_ons_list() {
    let app = TestApp::start().await;
    let la = app.la(HACKNEY);
    let current = la.authorities("current_on=2026-06-15").await.expect(200);
    assert_eq!(current.body.as_array().map(Vec::len), Some(153));
    let all = la.authorities("").await.expect(200);
    let n = all.body.as_array().map(Vec::len).unwrap_or_default();
    assert!(n > 153, "historic authorities kept, got {n}");
    let cumbria =
        all.body.as_array().and_then(|a| a.iter().find(|x| x["name"] == "Cumbria").cloned()).expect("Cumbria kept");
    assert_eq!(cumbria["valid_to"], "2023-03-31");
    let leeds = la.authority(LEEDS).await.expect(200);
    assert_eq!(leeds.body["name"], "Leeds");
    assert_eq!(leeds.body["dfe_code"], "383");
    la.authority("E99999999").await.expect_problem(404);
    la.authorities("current_on=not-a-date").await.expect_problem(400);
}

#[actix_web::test]
async fn providers_are_kept_by_the_operator_and_read_by_themselves() {
    let app = TestApp::start().await;
    let op = app.operator();
    op.post("/v1/providers", json!({"name": "  "})).await.expect_field_error(422, "name");
    op.post("/v1/providers", json!({"name": "A", "contact_email": "nope"}))
        .await
        .expect_field_error(422, "contact_email");
    op.post("/v1/providers", json!({"name": "A", "colour": "red"})).await.expect_field_error(400, "colour");
    let created = op.create_provider("Brightwater Care Ltd").await.expect(201);
    let id = created.id();
    assert_eq!(created.header("location"), Some(format!("/v1/providers/{id}")));
    let etag = created.etag();

    // The provider reads its own record; another provider and an LA do not see it.
    app.provider(&id).provider_record(&id).await.expect(200);
    app.provider("other").provider_record(&id).await.expect_problem(404);
    app.la(LEEDS).provider_record(&id).await.expect_problem(404);
    assert_eq!(app.provider(&id).providers().await.expect(200).count(), Some(1));

    // Editing needs the current ETag.
    op.patch_blind(&format!("/v1/providers/{id}"), json!({"name": "B"})).await.expect_problem(428);
    let r = op
        .update_provider(&id, json!({"name": "Brightwater Care Group", "contact_email": "a@b.example"}), &etag)
        .await
        .expect(200);
    assert_eq!(r.body["name"], "Brightwater Care Group");
    op.update_provider(&id, json!({"name": "Again"}), &etag).await.expect_problem(412);
    let r = op.update_provider(&id, json!({"contact_email": null}), &r.etag()).await.expect(200);
    assert!(r.body.get("contact_email").is_none());
    app.provider(&id).update_provider(&id, json!({"name": "Mine"}), &r.etag()).await.expect_problem(403);
}

#[actix_web::test]
async fn settings_take_their_host_area_from_the_postcode() {
    let app = TestApp::start().await;
    let op = app.operator();
    let pid = op.create_provider("P").await.expect(201).id();
    let oak = |urn: &str, postcode: &str| Setting::new(urn, &pid, "Oak House").postcode(postcode);
    op.create_setting(oak("SC12", LEEDS_POSTCODE)).await.expect_field_error(422, "urn");
    op.create_setting(oak(OAK_HOUSE, "ZZ9 9ZZ")).await.expect_field_error(422, "postcode");
    op.create_setting(oak(OAK_HOUSE, "not a postcode")).await.expect_field_error(422, "postcode");
    op.create_setting(oak(OAK_HOUSE, LEEDS_POSTCODE).with("place", "U1")).await.expect_field_error(422, "place");
    let r = op.create_setting(oak(OAK_HOUSE, LEEDS_POSTCODE).with("host_la", KENT)).await;
    let r = r.expect_field_error(422, "host_la");
    assert!(r.text.contains(LEEDS) && r.text.contains(KENT), "both areas shown: {}", r.text);
    op.create_setting(oak(OAK_HOUSE, LEEDS_POSTCODE).with("provider_id", "nope"))
        .await
        .expect_field_error(422, "provider_id");

    let s = op.create_setting(oak("sc480011", "ls14ap")).await.expect(201);
    assert_eq!(s.body["urn"], OAK_HOUSE);
    assert_eq!(s.body["host_area"], LEEDS);
    assert_eq!(s.body["postcode"], "LS1 4AP");
    op.create_setting(oak(OAK_HOUSE, LEEDS_POSTCODE)).await.expect_problem(409);
    let wales = op.create_setting(oak("1234567", CARDIFF_POSTCODE)).await.expect(201);
    assert_eq!(wales.body["host_area"], "WAL");

    // The postcode is confidential: the host LA and the provider see it, an unrelated LA does not.
    assert_eq!(app.la(LEEDS).setting(OAK_HOUSE).await.expect(200).body["postcode"], "LS1 4AP");
    assert_eq!(app.provider(&pid).setting(OAK_HOUSE).await.expect(200).body["postcode"], "LS1 4AP");
    let other = app.la(KENT).setting(OAK_HOUSE).await.expect(200);
    assert!(other.body.get("postcode").is_none());
    assert_eq!(other.body["name"], "Oak House");
    app.la(KENT).setting("SC000000").await.expect_problem(404);

    // An LA lists the settings in its area; a provider its own.
    assert_eq!(app.la(LEEDS).settings().await.expect(200).count(), Some(1));
    assert_eq!(app.provider(&pid).settings().await.expect(200).count(), Some(2));

    // Moving the setting re-derives its host area.
    let etag = op.setting(OAK_HOUSE).await.expect(200).etag();
    let moved = op.update_setting(OAK_HOUSE, json!({"postcode": KENT_POSTCODE}), &etag).await.expect(200);
    assert_eq!(moved.body["host_area"], KENT);
}
