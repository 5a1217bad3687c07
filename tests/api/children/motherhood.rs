//! SSDA903 `MOTHER` and `MC_DOB`: recorded on the child, refused where DfE's rules would refuse
//! them (each refusal names the rule and the field), and asked of every girl looked after.

use crate::support::*;
use serde_json::json;

async fn refused(app: &TestApp, child: Child, field: &str, rule: &str) {
    let r = app.la(HACKNEY).register_child(child).await.expect_field_error(422, field);
    let errors = r.body["errors"].as_array().cloned().unwrap_or_default();
    assert!(
        errors.iter().any(|e| e["field"] == field && e["rule"] == rule),
        "expected rule {rule} on {field}: {}",
        r.text
    );
}

#[actix_web::test]
async fn motherhood_is_refused_where_dfe_would_refuse_it() {
    let app = TestApp::start().await;
    let girl = || a_child("Ruby", "Stone").born("2008-04-03");
    // 611: a mother without her first child's date of birth.
    refused(&app, girl().with("mother", true), "mother_child_dob", "611").await;
    // 612: a first child's date of birth for a girl who is not a mother.
    refused(&app, girl().with("mother", false).with("mother_child_dob", "2025-01-01"), "mother_child_dob", "612").await;
    // 174: a boy is never a mother.
    refused(&app, girl().sex("M").with("mother_child_dob", "2025-01-01"), "mother_child_dob", "174").await;
    // 621: her child born before her.
    refused(&app, girl().with("mother", true).with("mother_child_dob", "2007-01-01"), "mother_child_dob", "621").await;
    // 620: no mother under 11.
    let young = a_child("Lily", "Stone").born("2017-01-01").with("mother", true).with("mother_child_dob", "2026-01-01");
    refused(&app, young, "mother", "620").await;
    // The accepted variants.
    let la = app.la(HACKNEY);
    let mother =
        la.register_child(girl().with("mother", true).with("mother_child_dob", "2025-01-01")).await.expect(201);
    assert_eq!(
        (mother.body["mother"].clone(), mother.body["mother_child_dob"].clone()),
        (json!(true), json!("2025-01-01"))
    );
    la.register_child(a_child("Amy", "Stone").born("2009-04-03").with("mother", false)).await.expect(201);
}

#[actix_web::test]
async fn a_girl_without_mother_recorded_is_listed_in_validation_until_it_is() {
    let app = TestApp::start().await;
    let la = app.la(HACKNEY);
    // Accepted on the day (it may not be known yet)...
    let ruby = la
        .register_child(a_child("Ruby", "Stone").born("2010-04-03").la_child_id("HK2001").category_of_need("N1"))
        .await
        .expect(201);
    assert!(ruby.body.get("mother").is_none());
    la.place(Placement::foster(&ruby.id(), KENT_POSTCODE).from("2025-06-01")).await.expect(201);
    // ...and DfE's rule 393 is in the validation of the year until MOTHER is recorded.
    let report = la.ssda903("2026", "validation").await.expect(200);
    let rules: Vec<String> = report.body["violations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| format!("{} {}", v["rule"], v["child"]))
        .collect();
    assert_eq!(rules, vec!["\"393\" \"HK2001\""], "{}", report.text);
    la.update_child(&ruby.id(), json!({"mother": false}), &ruby.etag()).await.expect(200);
    let report = la.ssda903("2026", "validation").await.expect(200);
    assert_eq!(report.body["valid"], true, "{}", report.text);
    let header = la.ssda903("2026", "header.csv").await.expect(200);
    assert!(header.text.contains("HK2001,F,03/04/2010,WBRI,UN5,0,"), "{}", header.text);
}
