use crate::common::*;
use serde_json::{Value, json};

fn types(r: &Resp) -> Vec<String> {
    r.body["items"]
        .as_array()
        .map(|a| a.iter().map(|n| n["type"].as_str().unwrap_or_default().to_string()).collect())
        .unwrap_or_default()
}

#[actix_rt::test]
async fn an_admission_with_a_placement_behind_it_is_matched_and_the_host_told() {
    let app = TestApp::start().await;
    let (pid, urn) = app.provider_with_home().await;
    let child = app.child(HACKNEY, "Amelia", "Hughes", "2011-05-14").await;
    let p = app.la(HACKNEY).post("/v1/placements", setting_placement(&child, &urn, "2026-06-12")).await.expect(201);
    let home = app.provider(&pid);
    let r = home
        .post(&format!("/v1/settings/{urn}/admissions"), json!({"child_id": child, "date": "2026-06-13"}))
        .await
        .expect(201);
    assert_eq!(r.body["status"], "matched");
    assert_eq!(r.body["placement_id"], json!(p.id()));
    assert_eq!(
        types(&app.la(LEEDS).get("/v1/notifications?type=admission.recorded").await.expect(200)),
        ["admission.recorded"]
    );
    // The home may record it by name and date of birth too.
    let other = app.child(MANCHESTER, "Jayden", "Brooks", "2010-01-30").await;
    app.la(MANCHESTER).post("/v1/placements", setting_placement(&other, &urn, "2026-06-14")).await.expect(201);
    let r = home
        .post(&format!("/v1/settings/{urn}/admissions"), json!({"given_name": "jayden", "family_name": "BROOKS", "date_of_birth": "2010-01-30", "date": "2026-06-14"}))
        .await
        .expect(201);
    assert_eq!(r.body["status"], "matched");
    assert_eq!(r.body["placing_la"], MANCHESTER);
}

#[actix_rt::test]
async fn an_unnotified_placement_is_reported_at_once_and_resolved_by_a_later_registration() {
    let app = TestApp::start().await;
    let (pid, urn) = app.provider_with_home().await;
    let child = app.child(HACKNEY, "Amelia", "Hughes", "2011-05-14").await;
    let home = app.provider(&pid);
    let r = home
        .post(
            &format!("/v1/settings/{urn}/admissions"),
            json!({"given_name": "Amelia", "family_name": "Hughes", "date_of_birth": "2011-05-14", "placing_la": HACKNEY, "date": "2026-06-14"}),
        )
        .await
        .expect(201);
    let id = r.id();
    assert_eq!(r.body["status"], "unmatched");
    assert_eq!(types(&app.la(LEEDS).get("/v1/notifications").await.expect(200)), ["admission.unmatched"]);
    assert_eq!(types(&app.la(HACKNEY).get("/v1/notifications").await.expect(200)), ["admission.unmatched"]);
    let unmatched = app.la(LEEDS).get("/v1/admissions?status=unmatched").await.expect(200);
    assert_eq!(unmatched.body["items"].as_array().map(Vec::len), Some(1));
    assert!(app.la(KENT).get("/v1/admissions").await.expect(200).body["items"].as_array().is_some_and(Vec::is_empty));
    app.la(KENT).get(&format!("/v1/admissions/{id}")).await.expect_problem(404);
    // Hackney registers the placement late: it resolves the admission.
    let p = app.la(HACKNEY).post("/v1/placements", setting_placement(&child, &urn, "2026-06-13")).await.expect(201);
    let resolved = app.la(LEEDS).get(&format!("/v1/admissions/{id}")).await.expect(200);
    assert_eq!(resolved.body["status"], "resolved");
    assert_eq!(resolved.body["placement_id"], json!(p.id()));
    assert_eq!(resolved.body["child_id"], json!(child));
}

#[actix_rt::test]
async fn discharges_are_matched_to_placement_ends() {
    let app = TestApp::start().await;
    let (pid, urn) = app.provider_with_home().await;
    let child = app.child(HACKNEY, "Amelia", "Hughes", "2011-05-14").await;
    let p = app.la(HACKNEY).post("/v1/placements", setting_placement(&child, &urn, "2026-05-01")).await.expect(201);
    let home = app.provider(&pid);
    // Left without the placement being ended: unmatched, both LAs told.
    let d = home
        .post(&format!("/v1/settings/{urn}/discharges"), json!({"child_id": child, "date": "2026-06-14"}))
        .await
        .expect(201);
    assert_eq!(d.body["status"], "unmatched");
    assert_eq!(types(&app.la(HACKNEY).get("/v1/notifications").await.expect(200)), ["discharge.unmatched"]);
    app.la(HACKNEY)
        .post(&format!("/v1/placements/{}/end", p.id()), json!({"end_date": "2026-06-14", "rec": "E11"}))
        .await
        .expect(200);
    let r = app.la(HACKNEY).get(&format!("/v1/admissions/{}", d.id())).await.expect(200);
    assert_eq!(r.body["status"], "resolved");
    // A discharge after the end is matched at once.
    let other = app.child(HACKNEY, "Kai", "Whitfield", "2008-08-09").await;
    let q = app.la(HACKNEY).post("/v1/placements", setting_placement(&other, &urn, "2026-05-01")).await.expect(201);
    app.la(HACKNEY)
        .post(&format!("/v1/placements/{}/end", q.id()), json!({"end_date": "2026-06-10", "rec": "E11"}))
        .await
        .expect(200);
    let d = home
        .post(&format!("/v1/settings/{urn}/discharges"), json!({"child_id": other, "date": "2026-06-11"}))
        .await
        .expect(201);
    assert_eq!(d.body["status"], "matched");
    assert_eq!(
        types(&app.la(LEEDS).get("/v1/notifications?type=discharge.recorded").await.expect(200)),
        ["discharge.recorded"]
    );
}

#[actix_rt::test]
async fn only_the_settings_provider_records_and_bad_input_is_named() {
    let app = TestApp::start().await;
    let (pid, urn) = app.provider_with_home().await;
    let path = format!("/v1/settings/{urn}/admissions");
    let body = json!({"given_name": "A", "family_name": "B", "date_of_birth": "2010-01-01", "date": "2026-06-14"});
    app.provider("another-provider").post(&path, body.clone()).await.expect_problem(404);
    app.la(LEEDS).post(&path, body.clone()).await.expect_problem(403);
    app.provider(&pid).post("/v1/settings/SC000000/admissions", body).await.expect_problem(404);
    let home = app.provider(&pid);
    home.post(&path, json!({"date": "2026-06-14"})).await.expect_field_error(422, "given_name");
    let r: Value = home
        .post(
            &path,
            json!({"given_name": "A", "family_name": "B", "date_of_birth": "2010-01-01", "date": "2026-06-16"}),
        )
        .await
        .expect_field_error(422, "date")
        .body;
    assert_eq!(r["status"], 422);
    home.post(&path, json!({"given_name": "A", "family_name": "B", "date_of_birth": "2010-01-01", "placing_la": "X", "date": "2026-06-14"}))
        .await
        .expect_field_error(422, "placing_la");
    // Nothing was recorded.
    assert!(home.get("/v1/admissions").await.expect(200).body["items"].as_array().is_some_and(Vec::is_empty));
}

#[actix_rt::test]
async fn an_admission_never_reveals_a_child_the_home_may_not_see() {
    let app = TestApp::start().await;
    let (pid, urn) = app.provider_with_home().await;
    // A Manchester child placed elsewhere: the home may not see it.
    let foreign = app.child(MANCHESTER, "Jayden", "Brooks", "2010-01-30").await;
    app.la(MANCHESTER)
        .post("/v1/placements", foster_placement(&foreign, KENT_POSTCODE, "2026-06-01"))
        .await
        .expect(201);
    let home = app.provider(&pid);
    let path = format!("/v1/settings/{urn}/admissions");
    let known = home.post(&path, json!({"child_id": foreign, "date": "2026-06-14"})).await.expect(201);
    let unknown = home
        .post(&path, json!({"child_id": "00000000-0000-4000-8000-000000000000", "date": "2026-06-14"}))
        .await
        .expect(201);
    let shape = |v: &Value| {
        let mut v = v.clone();
        for k in ["id", "recorded_at"] {
            v.as_object_mut().map(|o| o.remove(k));
        }
        v
    };
    assert_eq!(shape(&known.body), shape(&unknown.body));
    assert!(known.body.get("placing_la").is_none() && known.body.get("child_id").is_none());
    // The LAs are still told: Leeds of both unmatched admissions, Manchester of its child's.
    let leeds = app.la(LEEDS).get("/v1/notifications?type=admission.unmatched").await.expect(200);
    assert_eq!(leeds.body["items"].as_array().map(Vec::len), Some(2));
    let manchester = app.la(MANCHESTER).get("/v1/notifications?type=admission.unmatched").await.expect(200);
    assert_eq!(manchester.body["items"][0]["child_id"], json!(foreign));
}
