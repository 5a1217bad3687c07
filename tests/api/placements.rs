use crate::common::*;
use serde_json::json;

#[actix_rt::test]
async fn a_newcomer_places_a_child_out_of_area_and_the_host_sees_it() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child(HACKNEY, "Amelia", "Hughes", "2011-05-14").await;
    let p = app.la(HACKNEY).post("/v1/placements", setting_placement(&child, &urn, "2026-06-10")).await.expect(201);
    assert_eq!(p.body["host_area"], LEEDS);
    assert_eq!(p.body["out_of_area"], true);
    assert_eq!(p.body["setting_name"], "Oak House");
    assert_eq!(p.body["legal_status"], "C2");
    let miles = p.body["distance_miles"].as_f64().expect("distance from home");
    assert!((150.0..200.0).contains(&miles), "Hackney to Leeds is about 170 miles, got {miles}");
    let host = app.la(LEEDS).get(&format!("/v1/authorities/{LEEDS}/placed-children")).await.expect(200);
    let items = host.body["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["child_id"], json!(child));
    assert_eq!(items[0]["placing_la"], HACKNEY);
    assert_eq!(items[0]["placing_la_name"], "Hackney");
    assert_eq!(items[0]["setting_name"], "Oak House");
    assert_eq!(items[0]["start_date"], "2026-06-10");
    app.la(KENT).get(&format!("/v1/children/{child}")).await.expect_problem(404);
    app.la(KENT).get(&format!("/v1/placements/{}", p.id())).await.expect_problem(404);
}

#[actix_rt::test]
async fn the_host_comes_from_the_postcode_never_from_the_caller_alone() {
    let app = TestApp::start().await;
    let child = app.child(HACKNEY, "Tyrone", "Mensah", "2009-11-02").await;
    let la = app.la(HACKNEY);
    let mut wrong = foster_placement(&child, KENT_POSTCODE, "2026-06-01");
    wrong["host_la"] = json!(LEEDS);
    let r = la.post("/v1/placements", wrong).await.expect_field_error(422, "host_la");
    assert!(r.text.contains(KENT) && r.text.contains(LEEDS), "{}", r.text);
    la.post("/v1/placements", foster_placement(&child, "ZZ9 9ZZ", "2026-06-01"))
        .await
        .expect_field_error(422, "postcode");
    let mut no_postcode = foster_placement(&child, KENT_POSTCODE, "2026-06-01");
    no_postcode.as_object_mut().map(|o| o.remove("postcode"));
    la.post("/v1/placements", no_postcode).await.expect_field_error(422, "postcode");
    let mut unknown_setting = setting_placement(&child, "SC999999", "2026-06-01");
    unknown_setting["place"] = json!("K2");
    la.post("/v1/placements", unknown_setting).await.expect_field_error(422, "urn");
    let ok = la.post("/v1/placements", foster_placement(&child, "ct12eh", "2026-06-01")).await.expect(201);
    assert_eq!(ok.body["host_area"], KENT);
    assert_eq!(ok.body["postcode"], "CT1 2EH");
}

#[actix_rt::test]
async fn placements_in_wales_are_recorded_as_such() {
    let app = TestApp::start().await;
    let child = app.child(HACKNEY, "Leah", "Okafor", "2013-02-27").await;
    let mut body = foster_placement(&child, CARDIFF_POSTCODE, "2026-06-01");
    // Outside England no URN is given (DfE rule 243).
    body.as_object_mut().map(|o| o.remove("urn"));
    let r = app.la(HACKNEY).post("/v1/placements", body).await.expect(201);
    assert_eq!(r.body["host_area"], "WAL");
    assert_eq!(r.body["out_of_area"], true);
}

#[actix_rt::test]
async fn codes_are_checked_against_the_2025_26_lists() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child(HACKNEY, "Kai", "Whitfield", "2008-08-09").await;
    let la = app.la(HACKNEY);
    let with = |k: &str, v: serde_json::Value| {
        let mut b = setting_placement(&child, &urn, "2026-06-01");
        b[k] = v;
        b
    };
    la.post("/v1/placements", with("place", json!("Q9"))).await.expect_field_error(422, "place");
    let withdrawn = la.post("/v1/placements", with("place", json!("P2"))).await.expect_field_error(422, "place");
    assert!(withdrawn.text.contains("withdrawn"));
    la.post("/v1/placements", with("place_provider", json!("PR0"))).await.expect_field_error(422, "place_provider");
    la.post("/v1/placements", with("place_provider", json!("PR9"))).await.expect_field_error(422, "place_provider");
    la.post("/v1/placements", with("legal_status", json!("X9"))).await.expect_field_error(422, "legal_status");
    la.post("/v1/placements", with("start_date", json!("2008-08-01"))).await.expect_field_error(422, "start_date");
    // Temporary placements take no PLACE_PROVIDER.
    let mut temp = foster_placement(&child, HACKNEY_POSTCODE, "2026-06-01");
    temp["place"] = json!("T1");
    temp.as_object_mut().map(|o| o.remove("urn"));
    la.post("/v1/placements", temp.clone()).await.expect_field_error(422, "place_provider");
    temp.as_object_mut().map(|o| o.remove("place_provider"));
    la.post("/v1/placements", temp).await.expect(201);
    // None of the refused attempts left anything behind.
    let list = la.get(&format!("/v1/placements?child_id={child}")).await.expect(200);
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
}

#[actix_rt::test]
async fn a_child_of_another_la_cannot_be_placed() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child(KENT, "Jo", "March", "2010-01-01").await;
    app.la(HACKNEY)
        .post("/v1/placements", setting_placement(&child, &urn, "2026-06-01"))
        .await
        .expect_field_error(422, "child_id");
    app.provider("p").post("/v1/placements", setting_placement(&child, &urn, "2026-06-01")).await.expect_problem(403);
}

#[actix_rt::test]
async fn placements_never_overlap_and_a_move_is_an_end_and_a_start_the_same_day() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child(HACKNEY, "Tyrone", "Mensah", "2009-11-02").await;
    let la = app.la(HACKNEY);
    let first = la.post("/v1/placements", foster_placement(&child, HACKNEY_POSTCODE, "2026-01-05")).await.expect(201);
    let r = la.post("/v1/placements", setting_placement(&child, &urn, "2026-03-01")).await.expect_problem(409);
    assert_eq!(r.body["overlapping_placement_id"], json!(first.id()));
    let end = format!("/v1/placements/{}/end", first.id());
    la.post(&end, json!({"end_date": "2026-01-01", "rec": "X1", "reason_place_change": "CARPL"}))
        .await
        .expect_field_error(422, "end_date");
    la.post(&end, json!({"end_date": "2026-03-01", "rec": "X1"})).await.expect_field_error(422, "reason_place_change");
    la.post(&end, json!({"end_date": "2026-03-01", "rec": "Q1", "reason_place_change": "CARPL"}))
        .await
        .expect_field_error(422, "rec");
    la.post(&end, json!({"end_date": "2026-03-01", "rec": "E11", "reason_place_change": "CARPL"}))
        .await
        .expect_field_error(422, "reason_place_change");
    app.la(KENT)
        .post(&end, json!({"end_date": "2026-03-01", "rec": "X1", "reason_place_change": "CARPL"}))
        .await
        .expect_problem(404);
    let ended =
        la.post(&end, json!({"end_date": "2026-03-01", "rec": "X1", "reason_place_change": "CARPL"})).await.expect(200);
    assert_eq!(ended.body["end_date"], "2026-03-01");
    assert_eq!(ended.etag(), "\"2\"");
    la.post(&end, json!({"end_date": "2026-03-02", "rec": "E11"})).await.expect_problem(409);
    // The move: the next placement starts the day the first ended.
    la.post("/v1/placements", setting_placement(&child, &urn, "2026-03-01")).await.expect(201);
    // But not earlier.
    let other = app.child(HACKNEY, "Sam", "Other", "2009-01-01").await;
    la.post("/v1/placements", foster_placement(&other, HACKNEY_POSTCODE, "2026-01-05")).await.expect(201);
    let list = la.get(&format!("/v1/placements?child_id={child}")).await.expect(200);
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(list.body["items"][0]["start_date"], "2026-03-01", "newest first");
}

#[actix_rt::test]
async fn the_host_cannot_change_or_end_a_placement() {
    let app = TestApp::start().await;
    let (pid, urn) = app.provider_with_home().await;
    let child = app.child(HACKNEY, "Amelia", "Hughes", "2011-05-14").await;
    let p = app.la(HACKNEY).post("/v1/placements", setting_placement(&child, &urn, "2026-06-01")).await.expect(201);
    let path = format!("/v1/placements/{}", p.id());
    // Host LA and provider read it; they may not change it.
    app.la(LEEDS).get(&path).await.expect(200);
    app.provider(&pid).get(&path).await.expect(200);
    app.provider("someone-else").get(&path).await.expect_problem(404);
    app.la(LEEDS).patch(&path, json!({"emergency": true}), &p.etag()).await.expect_problem(403);
    app.la(LEEDS)
        .post(&format!("{path}/end"), json!({"end_date": "2026-06-20", "rec": "E11"}))
        .await
        .expect_problem(403);
    app.provider(&pid)
        .post(&format!("{path}/end"), json!({"end_date": "2026-06-20", "rec": "E11"}))
        .await
        .expect_problem(403);
}

#[actix_rt::test]
async fn amending_needs_if_match_and_keeps_rules() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child(HACKNEY, "Amelia", "Hughes", "2011-05-14").await;
    let la = app.la(HACKNEY);
    let p = la.post("/v1/placements", setting_placement(&child, &urn, "2026-06-01")).await.expect(201);
    let path = format!("/v1/placements/{}", p.id());
    la.send(reqwest::Method::PATCH, &path, Some(json!({"emergency": true})), &[]).await.expect_problem(428);
    let r = la.patch(&path, json!({"emergency": true, "start_date": "2026-05-30"}), &p.etag()).await.expect(200);
    assert_eq!(r.body["emergency"], true);
    assert_eq!(r.body["start_date"], "2026-05-30");
    assert_eq!(r.body["legal_statuses"][0]["effective_from"], "2026-05-30");
    la.patch(&path, json!({"emergency": false}), &p.etag()).await.expect_problem(412);
    la.patch(&path, json!({"place_provider": "PR0"}), &r.etag()).await.expect_field_error(422, "place_provider");
    la.patch(&path, json!({"end_date": "2026-07-01"}), &r.etag()).await.expect_field_error(422, "end_date");
    // Moving a placement to a foster home in Kent recomputes its host area.
    let moved = la
        .patch(&path, json!({"urn": "SC057821", "place": "U4", "postcode": KENT_POSTCODE}), &r.etag())
        .await
        .expect(200);
    assert_eq!(moved.body["host_area"], KENT);
}

#[actix_rt::test]
async fn legal_status_can_change_during_a_placement() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child(HACKNEY, "Amelia", "Hughes", "2011-05-14").await;
    let la = app.la(HACKNEY);
    let p = la.post("/v1/placements", setting_placement(&child, &urn, "2026-03-01")).await.expect(201);
    let path = format!("/v1/placements/{}/legal-statuses", p.id());
    la.post(&path, json!({"effective_from": "2026-02-01", "legal_status": "C1"}))
        .await
        .expect_field_error(422, "effective_from");
    la.post(&path, json!({"effective_from": "2026-04-01", "legal_status": "ZZ"}))
        .await
        .expect_field_error(422, "legal_status");
    let r = la.post(&path, json!({"effective_from": "2026-04-01", "legal_status": "C1"})).await.expect(200);
    assert_eq!(r.body["legal_status"], "C1");
    assert_eq!(
        r.body["legal_statuses"],
        json!([{"effective_from": "2026-03-01", "legal_status": "C2"}, {"effective_from": "2026-04-01", "legal_status": "C1"}])
    );
    // The placement cannot then end before that change.
    la.post(&format!("/v1/placements/{}/end", p.id()), json!({"end_date": "2026-03-15", "rec": "E11"}))
        .await
        .expect_field_error(422, "end_date");
    app.la(LEEDS).post(&path, json!({"effective_from": "2026-05-01", "legal_status": "C2"})).await.expect_problem(403);
}

#[actix_rt::test]
async fn the_host_view_is_for_the_host_only_and_follows_the_date() {
    let app = TestApp::start().await;
    let (pid, urn) = app.provider_with_home().await;
    let a = app.child(HACKNEY, "Amelia", "Hughes", "2011-05-14").await;
    let b = app.child(MANCHESTER, "Jayden", "Brooks", "2010-01-30").await;
    let c = app.child(HACKNEY, "Kai", "Whitfield", "2008-08-09").await;
    app.la(HACKNEY).post("/v1/placements", setting_placement(&a, &urn, "2026-05-01")).await.expect(201);
    app.la(MANCHESTER).post("/v1/placements", setting_placement(&b, &urn, "2026-06-01")).await.expect(201);
    let ended =
        app.la(HACKNEY).post("/v1/placements", foster_placement(&c, LEEDS_POSTCODE, "2026-01-01")).await.expect(201);
    app.la(HACKNEY)
        .post(&format!("/v1/placements/{}/end", ended.id()), json!({"end_date": "2026-04-01", "rec": "E11"}))
        .await
        .expect(200);
    let view = |on: &str| format!("/v1/authorities/{LEEDS}/placed-children?on={on}");
    let leeds = app.la(LEEDS);
    let today = leeds.get(&format!("/v1/authorities/{LEEDS}/placed-children")).await.expect(200);
    assert_eq!(today.body["items"].as_array().map(Vec::len), Some(2));
    let ids = |r: &Resp| -> Vec<String> {
        r.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["child_id"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(ids(&leeds.get(&view("2026-05-15")).await.expect(200)), vec![a.clone()]);
    assert_eq!(ids(&leeds.get(&view("2026-03-31")).await.expect(200)), vec![c.clone()]);
    assert!(
        ids(&leeds.get(&view("2026-04-01")).await.expect(200)).is_empty(),
        "the end date is the day the child left"
    );
    let page = leeds.get(&format!("/v1/authorities/{LEEDS}/placed-children?limit=1")).await.expect(200);
    let cursor = page.body["next_cursor"].as_str().expect("a second page").to_string();
    let second =
        leeds.get(&format!("/v1/authorities/{LEEDS}/placed-children?limit=1&cursor={cursor}")).await.expect(200);
    assert_eq!(ids(&second), vec![a.clone()]);
    assert!(second.body.get("next_cursor").is_none());
    // Only the host LA itself.
    app.la(HACKNEY).get(&view("2026-06-15")).await.expect_problem(403);
    app.provider(&pid).get(&view("2026-06-15")).await.expect_problem(403);
    app.operator().get(&view("2026-06-15")).await.expect_problem(403);
    app.anonymous().get(&view("2026-06-15")).await.expect_problem(401);
    app.la(LEEDS).get("/v1/authorities/E99999999/placed-children").await.expect_problem(404);
    leeds.get(&view("yesterday")).await.expect_problem(400);
}
