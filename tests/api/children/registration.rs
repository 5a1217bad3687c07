use crate::support::*;

#[actix_web::test]
async fn the_placing_la_registers_and_reads_a_child() {
    let app = TestApp::start().await;
    let la = app.la(HACKNEY);
    let amelia = a_child("Amelia", "Hughes")
        .born("2011-05-14")
        .nhs("943 476 5919")
        .upn("A123456789012")
        .category_of_need("N1")
        .home("e81dy");
    let r = la.register_child(amelia).await.expect(201);
    let id = r.id();
    assert_eq!(r.header("location"), Some(format!("/v1/children/{id}")));
    assert_eq!(r.etag(), "\"1\"");
    assert_eq!(r.body["nhs_number"], "9434765919");
    assert_eq!(r.body["home_postcode"], "E8 1DY");
    assert_eq!(r.body["responsible_la"], HACKNEY);
    assert_eq!(r.body["access"], "placing");
    let got = la.child(&id).await.expect(200);
    assert_eq!(got.body, r.body, "a later read returns what the create returned");
}

#[actix_web::test]
async fn every_bad_field_is_reported_at_once() {
    let app = TestApp::start().await;
    let bad = a_child("Amelia", "Hughes")
        .born("2011-05-14")
        .nhs("9434765918")
        .upn("I123456789012")
        .sex("X")
        .ethnicity("ZZZZ")
        .category_of_need("N9")
        .home("ZZ9 9ZZ")
        .la_child_id("this-is-far-too-long");
    let r = app.la(HACKNEY).register_child(bad).await.expect_problem(422);
    let fields = r.error_fields();
    for f in ["nhs_number", "upn", "sex", "ethnicity", "category_of_need", "home_postcode", "la_child_id"] {
        assert!(fields.iter().any(|g| g == f), "{f} missing from {fields:?}");
    }
    app.la(HACKNEY).register_child(a_child("A", "B").born("2030-01-01")).await.expect_field_error(422, "date_of_birth");
    // Nothing was stored.
    assert_eq!(app.la(HACKNEY).children("").await.expect(200).count(), Some(0));
}
