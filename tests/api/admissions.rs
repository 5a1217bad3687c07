//! Admissions and discharges: a home records who arrives and leaves; the registry matches them
//! to placements, and tells the LAs of any it cannot.

use crate::support::*;
use serde_json::{Value, json};

fn types(r: &Resp) -> Vec<String> {
    r.column("type")
}

#[actix_web::test]
async fn an_admission_with_a_placement_behind_it_is_matched_and_the_host_told() {
    let app = TestApp::start().await;
    let (pid, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    let p = app.la(HACKNEY).place(Placement::at(&child, &urn).from("2026-06-12")).await.expect(201);
    let home = app.provider(&pid);
    let r = home.record_admission(&urn, json!({"child_id": child, "date": "2026-06-13"})).await.expect(201);
    assert_eq!(r.body["status"], "matched");
    assert_eq!(r.body["placement_id"], json!(p.id()));
    assert_eq!(types(&app.la(LEEDS).inbox("type=admission.recorded").await.expect(200)), ["admission.recorded"]);
    // The home may record it by name and date of birth too.
    let other = app.child_of(MANCHESTER, a_child("Jayden", "Brooks").born("2010-01-30")).await;
    app.la(MANCHESTER).place(Placement::at(&other, &urn).from("2026-06-14")).await.expect(201);
    let by_name =
        json!({"given_name": "jayden", "family_name": "BROOKS", "date_of_birth": "2010-01-30", "date": "2026-06-14"});
    let r = home.record_admission(&urn, by_name).await.expect(201);
    assert_eq!(r.body["status"], "matched");
    assert_eq!(r.body["placing_la"], MANCHESTER);
}

#[actix_web::test]
async fn an_unnotified_placement_is_reported_at_once_and_resolved_by_a_later_registration() {
    let app = TestApp::start().await;
    let (pid, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    let home = app.provider(&pid);
    let arrival = json!({"given_name": "Amelia", "family_name": "Hughes", "date_of_birth": "2011-05-14",
                         "placing_la": HACKNEY, "date": "2026-06-14"});
    let r = home.record_admission(&urn, arrival).await.expect(201);
    let id = r.id();
    assert_eq!(r.body["status"], "unmatched");
    assert_eq!(types(&app.la(LEEDS).inbox("").await.expect(200)), ["admission.unmatched"]);
    assert_eq!(types(&app.la(HACKNEY).inbox("").await.expect(200)), ["admission.unmatched"]);
    assert_eq!(app.la(LEEDS).admissions("status=unmatched").await.expect(200).count(), Some(1));
    assert_eq!(app.la(KENT).admissions("").await.expect(200).count(), Some(0));
    app.la(KENT).admission(&id).await.expect_problem(404);
    // Hackney registers the placement late: it resolves the admission.
    let p = app.la(HACKNEY).place(Placement::at(&child, &urn).from("2026-06-13")).await.expect(201);
    let resolved = app.la(LEEDS).admission(&id).await.expect(200);
    assert_eq!(resolved.body["status"], "resolved");
    assert_eq!(resolved.body["placement_id"], json!(p.id()));
    assert_eq!(resolved.body["child_id"], json!(child));
}

#[actix_web::test]
async fn discharges_are_matched_to_placement_ends() {
    let app = TestApp::start().await;
    let (pid, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    let p = app.la(HACKNEY).place(Placement::at(&child, &urn).from("2026-05-01")).await.expect(201).id();
    let home = app.provider(&pid);
    // Left without the placement being ended: unmatched, both LAs told.
    let d = home.record_discharge(&urn, json!({"child_id": child, "date": "2026-06-14"})).await.expect(201);
    assert_eq!(d.body["status"], "unmatched");
    assert_eq!(types(&app.la(HACKNEY).inbox("").await.expect(200)), ["discharge.unmatched"]);
    app.la(HACKNEY).end_placement(&p, Ending::on("2026-06-14", "E4A")).await.expect(200);
    let r = app.la(HACKNEY).admission(&d.id()).await.expect(200);
    assert_eq!(r.body["status"], "resolved");
    // A discharge after the end is matched at once.
    let other = app.child_of(HACKNEY, a_child("Kai", "Whitfield").born("2008-08-09")).await;
    let q = app.la(HACKNEY).place(Placement::at(&other, &urn).from("2026-05-01")).await.expect(201).id();
    app.la(HACKNEY).end_placement(&q, Ending::on("2026-06-10", "E4A")).await.expect(200);
    let d = home.record_discharge(&urn, json!({"child_id": other, "date": "2026-06-11"})).await.expect(201);
    assert_eq!(d.body["status"], "matched");
    assert_eq!(types(&app.la(LEEDS).inbox("type=discharge.recorded").await.expect(200)), ["discharge.recorded"]);
}

#[actix_web::test]
async fn only_the_settings_provider_records_and_bad_input_is_named() {
    let app = TestApp::start().await;
    let (pid, urn) = app.provider_with_home().await;
    let arrival = json!({"given_name": "A", "family_name": "B", "date_of_birth": "2010-01-01", "date": "2026-06-14"});
    app.provider("another-provider").record_admission(&urn, arrival.clone()).await.expect_problem(404);
    app.la(LEEDS).record_admission(&urn, arrival.clone()).await.expect_problem(403);
    app.provider(&pid).record_admission("SC000000", arrival).await.expect_problem(404);
    let home = app.provider(&pid);
    home.record_admission(&urn, json!({"date": "2026-06-14"})).await.expect_field_error(422, "given_name");
    let tomorrow = json!({"given_name": "A", "family_name": "B", "date_of_birth": "2010-01-01", "date": "2026-06-16"});
    let r: Value = home.record_admission(&urn, tomorrow).await.expect_field_error(422, "date").body;
    assert_eq!(r["status"], 422);
    let bad_la = json!({"given_name": "A", "family_name": "B", "date_of_birth": "2010-01-01", "placing_la": "X",
                        "date": "2026-06-14"});
    home.record_admission(&urn, bad_la).await.expect_field_error(422, "placing_la");
    // Nothing was recorded.
    assert_eq!(home.admissions("").await.expect(200).count(), Some(0));
}

#[actix_web::test]
async fn an_admission_never_reveals_a_child_the_home_may_not_see() {
    let app = TestApp::start().await;
    let (pid, urn) = app.provider_with_home().await;
    // A Manchester child placed elsewhere: the home may not see it.
    let foreign = app.child_of(MANCHESTER, a_child("Jayden", "Brooks").born("2010-01-30")).await;
    app.la(MANCHESTER).place(Placement::foster(&foreign, KENT_POSTCODE).from("2026-06-01")).await.expect(201);
    let home = app.provider(&pid);
    let known = home.record_admission(&urn, json!({"child_id": foreign, "date": "2026-06-14"})).await.expect(201);
    let nobody = json!({"child_id": "00000000-0000-4000-8000-000000000000", "date": "2026-06-14"});
    let unknown = home.record_admission(&urn, nobody).await.expect(201);
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
    assert_eq!(app.la(LEEDS).inbox("type=admission.unmatched").await.expect(200).count(), Some(2));
    let manchester = app.la(MANCHESTER).inbox("type=admission.unmatched").await.expect(200);
    assert_eq!(manchester.body["items"][0]["child_id"], json!(foreign));
}
