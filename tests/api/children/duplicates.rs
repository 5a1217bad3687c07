use crate::support::*;
use serde_json::json;

#[actix_web::test]
async fn an_nhs_number_of_your_own_child_is_a_conflict_naming_the_record() {
    let app = TestApp::start().await;
    let first = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14").nhs("9434765919")).await;
    let r = app
        .la(HACKNEY)
        .register_child(a_child("Millie", "Hewes").born("2011-06-01").nhs("9434765919"))
        .await
        .expect_problem(409);
    assert_eq!(r.body["existing_id"], json!(first));
    assert_eq!(r.body["type"], "urn:placement-registry:problem:duplicate-nhs-number");
}

/// Another LA learns nothing from an NHS number alone: its registration goes on exactly as if
/// the number were new, and the child's own LA sees the attempt in the access log.
#[actix_web::test]
async fn another_las_child_is_never_revealed_without_proof() {
    let app = TestApp::start().await;
    let first = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14").nhs("9434765919")).await;
    let unknown = app.la(LEEDS).register_child(a_child("Tyrone", "Mensah").born("2009-11-02").nhs("4010232137")).await;
    let known = app.la(LEEDS).register_child(a_child("Millie", "Hewes").born("2011-06-01").nhs("9434765919")).await;
    assert_eq!((unknown.status, known.status), (201, 201), "the same answer whether the number is registered or not");
    assert_ne!(known.id(), first, "a record of Leeds's own");
    app.la(LEEDS).child(&first).await.expect_problem(404);
    let log = app.la(HACKNEY).access_log(&first, "").await.expect(200);
    let entry = log.items().into_iter().find(|e| e["action"] == "child.match.refused").expect("the attempt is logged");
    assert_eq!(entry["org"], LEEDS);
}

/// An LA that really has the child proves it (NHS number, date of birth, family name) and is
/// given the existing record's id instead of making a second record; the match is logged.
#[actix_web::test]
async fn proof_finds_the_existing_record_instead_of_a_duplicate() {
    let app = TestApp::start().await;
    let first = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14").nhs("9434765919")).await;
    let r = app
        .la(LEEDS)
        .register_child(a_child("Millie", "hughes ").born("2011-05-14").nhs("943 476 5919"))
        .await
        .expect_problem(409);
    assert_eq!(r.body["type"], "urn:placement-registry:problem:child-already-registered");
    assert_eq!(r.body["existing_id"], json!(first));
    assert!(r.body.get("responsible_la").is_none(), "nothing else about the record: {}", r.text);
    app.la(LEEDS).child(&first).await.expect_problem(404);
    let log = app.la(HACKNEY).access_log(&first, "").await.expect(200);
    let entry = log.items().into_iter().find(|e| e["action"] == "child.match.made").expect("the match is logged");
    assert_eq!(entry["org"], LEEDS);
}

#[actix_web::test]
async fn a_likely_duplicate_is_refused_until_confirmed_distinct() {
    let app = TestApp::start().await;
    let first = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    let hackney = app.la(HACKNEY);
    let r = hackney.register_child(a_child("Amelia", "Hughs").born("2011-05-14")).await.expect_problem(409);
    assert_eq!(r.body["candidates"][0]["id"], json!(first));
    assert_eq!(r.body["candidates"][0]["responsible_la"], HACKNEY);
    // A date of birth that is no slip for hers, or a clearly different name, is not a candidate.
    hackney.register_child(a_child("Amelia", "Hughes").born("2011-06-20")).await.expect(201);
    hackney.register_child(a_child("Grace", "Patel").born("2011-05-14")).await.expect(201);
    hackney.register_child(a_child("Amelia", "Hughs").born("2011-05-14").distinct_from(&[&first])).await.expect(201);
}

/// Candidates are shown only among children the caller may see: another LA's child is never a
/// candidate, a child placed in the caller's area is.
#[actix_web::test]
async fn candidates_are_only_children_the_caller_may_see() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let first = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    app.la(KENT).register_child(a_child("Amelia", "Hughs").born("2011-05-14")).await.expect(201);
    app.la(HACKNEY).place(Placement::at(&first, &urn).from("2026-06-01")).await.expect(201);
    let r = app.la(LEEDS).register_child(a_child("Amelia", "Hughs").born("2011-05-14")).await.expect_problem(409);
    assert_eq!(r.body["candidates"][0]["id"], json!(first), "Leeds hosts her, so it may see her");
}

/// "Rubie" born 07/03 is "Ruby" born 03/07 recorded with two slips: the registration warns of
/// Ruby's record, says why, and goes ahead once confirmed a different child.
#[actix_web::test]
async fn a_name_variant_with_a_swapped_birth_date_warns_of_the_existing_child() {
    let app = TestApp::start().await;
    let ruby = app.child_of(HACKNEY, a_child("Ruby", "Hughes").born("2014-07-03")).await;
    let hackney = app.la(HACKNEY);
    let r = hackney.register_child(a_child("Rubie", "Hughes").born("2014-03-07")).await.expect_problem(409);
    assert_eq!(r.body["type"], "urn:placement-registry:problem:possible-duplicate");
    assert_eq!(r.body["candidates"][0]["id"], json!(ruby));
    let reasons = r.body["candidates"][0]["reasons"].as_array().cloned().unwrap_or_default();
    assert!(reasons.contains(&json!("date_of_birth_day_month_swapped")), "{}", r.text);
    // Kate for Katherine with one digit of the date wrong, and Shaun for Sean, are caught too.
    let kath = app.child_of(HACKNEY, a_child("Katherine", "Walsh").born("2012-05-14")).await;
    let r = hackney.register_child(a_child("Kate", "Walsh").born("2012-05-19")).await.expect_problem(409);
    assert_eq!(r.body["candidates"][0]["id"], json!(kath));
    let sean = app.child_of(HACKNEY, a_child("Sean", "Byrne").born("2010-11-02")).await;
    let r = hackney.register_child(a_child("Shaun", "Byrne").born("2010-11-02")).await.expect_problem(409);
    assert_eq!(r.body["candidates"][0]["id"], json!(sean));
    hackney.register_child(a_child("Rubie", "Hughes").born("2014-03-07").distinct_from(&[&ruby])).await.expect(201);
}

/// A variant of another LA's child's name is never a candidate: the caller may not see her.
#[actix_web::test]
async fn a_name_variant_of_a_child_the_caller_may_not_see_is_no_candidate() {
    let app = TestApp::start().await;
    app.child_of(HACKNEY, a_child("Ruby", "Hughes").born("2014-07-03")).await;
    app.la(LEEDS).register_child(a_child("Rubie", "Hughes").born("2014-03-07")).await.expect(201);
}
