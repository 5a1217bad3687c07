use crate::common::*;
use serde_json::json;

#[actix_rt::test]
async fn the_placing_la_registers_and_reads_a_child() {
    let app = TestApp::start().await;
    let la = app.la(HACKNEY);
    let mut body = child_body("Amelia", "Hughes", "2011-05-14");
    body["nhs_number"] = json!("943 476 5919");
    body["upn"] = json!("A123456789012");
    body["category_of_need"] = json!("N1");
    body["home_postcode"] = json!("e81dy");
    let r = la.post("/v1/children", body).await.expect(201);
    let id = r.id();
    assert_eq!(r.header("location"), Some(format!("/v1/children/{id}")));
    assert_eq!(r.etag(), "\"1\"");
    assert_eq!(r.body["nhs_number"], "9434765919");
    assert_eq!(r.body["home_postcode"], "E8 1DY");
    assert_eq!(r.body["responsible_la"], HACKNEY);
    assert_eq!(r.body["access"], "placing");
    let got = la.get(&format!("/v1/children/{id}")).await.expect(200);
    assert_eq!(got.body, r.body, "a later read returns what the create returned");
}

#[actix_rt::test]
async fn every_bad_field_is_reported_at_once() {
    let app = TestApp::start().await;
    let mut body = child_body("Amelia", "Hughes", "2011-05-14");
    body["nhs_number"] = json!("9434765918");
    body["upn"] = json!("I123456789012");
    body["sex"] = json!("X");
    body["ethnicity"] = json!("ZZZZ");
    body["category_of_need"] = json!("N9");
    body["home_postcode"] = json!("ZZ9 9ZZ");
    body["la_child_id"] = json!("this-is-far-too-long");
    let r = app.la(HACKNEY).post("/v1/children", body).await.expect_problem(422);
    let fields: Vec<&str> =
        r.body["errors"].as_array().expect("errors").iter().filter_map(|e| e["field"].as_str()).collect();
    for f in ["nhs_number", "upn", "sex", "ethnicity", "category_of_need", "home_postcode", "la_child_id"] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
    app.la(HACKNEY)
        .post("/v1/children", child_body("A", "B", "2030-01-01"))
        .await
        .expect_field_error(422, "date_of_birth");
    // Nothing was stored.
    let list = app.la(HACKNEY).get("/v1/children").await.expect(200);
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(0));
}

#[actix_rt::test]
async fn an_existing_nhs_number_is_a_conflict_naming_the_record() {
    let app = TestApp::start().await;
    let mut body = child_body("Amelia", "Hughes", "2011-05-14");
    body["nhs_number"] = json!("9434765919");
    let first = app.la(HACKNEY).post("/v1/children", body).await.expect(201).id();
    let mut again = child_body("Millie", "Hewes", "2011-06-01");
    again["nhs_number"] = json!("9434765919");
    let r = app.la(LEEDS).post("/v1/children", again).await.expect_problem(409);
    assert_eq!(r.body["existing_id"], json!(first));
    assert_eq!(r.body["type"], "urn:placement-registry:problem:duplicate-nhs-number");
    // Knowing the id does not let Leeds read the record.
    app.la(LEEDS).get(&format!("/v1/children/{first}")).await.expect_problem(404);
}

#[actix_rt::test]
async fn a_likely_duplicate_is_refused_until_confirmed_distinct() {
    let app = TestApp::start().await;
    let first = app.child(HACKNEY, "Amelia", "Hughes", "2011-05-14").await;
    let r = app.la(KENT).post("/v1/children", child_body("Amelia", "Hughs", "2011-05-14")).await.expect_problem(409);
    assert_eq!(r.body["candidates"][0]["id"], json!(first));
    assert_eq!(r.body["candidates"][0]["responsible_la"], HACKNEY);
    // A different date of birth or a clearly different name is not a candidate.
    app.la(KENT).post("/v1/children", child_body("Amelia", "Hughes", "2011-05-15")).await.expect(201);
    app.la(KENT).post("/v1/children", child_body("Grace", "Patel", "2011-05-14")).await.expect(201);
    let mut confirmed = child_body("Amelia", "Hughs", "2011-05-14");
    confirmed["confirmed_distinct_from"] = json!([first]);
    app.la(KENT).post("/v1/children", confirmed).await.expect(201);
}

#[actix_rt::test]
async fn who_sees_a_child_follows_placements() {
    let app = TestApp::start().await;
    let (pid, urn) = app.provider_with_home().await;
    let mut body = child_body("Amelia", "Hughes", "2011-05-14");
    body["nhs_number"] = json!("9434765919");
    let id = app.la(HACKNEY).post("/v1/children", body).await.expect(201).id();
    let path = format!("/v1/children/{id}");
    // Before any placement only the placing LA sees the child.
    app.la(LEEDS).get(&path).await.expect_problem(404);
    app.provider(&pid).get(&path).await.expect_problem(404);
    app.la(HACKNEY).post("/v1/placements", setting_placement(&id, &urn, "2026-06-01")).await.expect(201);
    // The host LA and the provider now see a reduced view.
    let host = app.la(LEEDS).get(&path).await.expect(200);
    assert_eq!(host.body["access"], "host");
    assert_eq!(host.body["given_name"], "Amelia");
    assert!(host.body.get("nhs_number").is_none() && host.body.get("home_postcode").is_none());
    let prov = app.provider(&pid).get(&path).await.expect(200);
    assert_eq!(prov.body["access"], "provider");
    assert!(prov.body.get("ethnicity").is_none());
    // Unrelated LA, other provider: as if it did not exist. Operator: not its business.
    let unrelated = app.la(KENT).get(&path).await.expect_problem(404);
    let missing = app.la(KENT).get("/v1/children/00000000-0000-4000-8000-000000000000").await.expect_problem(404);
    assert_eq!(unrelated.body, missing.body);
    app.provider("someone-else").get(&path).await.expect_problem(404);
    app.operator().get(&path).await.expect_problem(403);
    app.anonymous().get(&path).await.expect_problem(401);
}

#[actix_rt::test]
async fn updates_need_the_current_etag_and_only_the_placing_la_may_make_them() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let mut body = child_body("Amelia", "Hughes", "2011-05-14");
    body["upn"] = json!("UN1");
    let created = app.la(HACKNEY).post("/v1/children", body).await.expect(201);
    let id = created.id();
    let path = format!("/v1/children/{id}");
    let la = app.la(HACKNEY);
    la.send(reqwest::Method::PATCH, &path, Some(json!({"given_name": "Amy"})), &[]).await.expect_problem(428);
    let r = la.patch(&path, json!({"given_name": "Amy", "upn": null}), &created.etag()).await.expect(200);
    assert_eq!(r.body["given_name"], "Amy");
    assert!(r.body.get("upn").is_none(), "null clears an optional field");
    assert_eq!(r.etag(), "\"2\"");
    la.patch(&path, json!({"given_name": "Lost update"}), &created.etag()).await.expect_problem(412);
    la.patch(&path, json!({"sex": "Q"}), &r.etag()).await.expect_field_error(422, "sex");
    la.patch(&path, json!({"shoe_size": 3}), &r.etag()).await.expect_field_error(400, "shoe_size");
    app.la(HACKNEY).post("/v1/placements", setting_placement(&id, &urn, "2026-06-01")).await.expect(201);
    app.la(LEEDS).patch(&path, json!({"given_name": "Host"}), &r.etag()).await.expect_problem(403);
    app.la(KENT).patch(&path, json!({"given_name": "Other"}), &r.etag()).await.expect_problem(404);
    let unchanged = la.get(&path).await.expect(200);
    assert_eq!(unchanged.body["given_name"], "Amy");
}
