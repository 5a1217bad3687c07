use crate::support::*;
use serde_json::json;

#[actix_rt::test]
async fn an_existing_nhs_number_is_a_conflict_naming_the_record() {
    let app = TestApp::start().await;
    let first = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14").nhs("9434765919")).await;
    let r = app
        .la(LEEDS)
        .register_child(a_child("Millie", "Hewes").born("2011-06-01").nhs("9434765919"))
        .await
        .expect_problem(409);
    assert_eq!(r.body["existing_id"], json!(first));
    assert_eq!(r.body["type"], "urn:placement-registry:problem:duplicate-nhs-number");
    // Knowing the id does not let Leeds read the record.
    app.la(LEEDS).child(&first).await.expect_problem(404);
}

#[actix_rt::test]
async fn a_likely_duplicate_is_refused_until_confirmed_distinct() {
    let app = TestApp::start().await;
    let first = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    let kent = app.la(KENT);
    let r = kent.register_child(a_child("Amelia", "Hughs").born("2011-05-14")).await.expect_problem(409);
    assert_eq!(r.body["candidates"][0]["id"], json!(first));
    assert_eq!(r.body["candidates"][0]["responsible_la"], HACKNEY);
    // A different date of birth or a clearly different name is not a candidate.
    kent.register_child(a_child("Amelia", "Hughes").born("2011-05-15")).await.expect(201);
    kent.register_child(a_child("Grace", "Patel").born("2011-05-14")).await.expect(201);
    kent.register_child(a_child("Amelia", "Hughs").born("2011-05-14").distinct_from(&[&first])).await.expect(201);
}
