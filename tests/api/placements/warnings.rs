//! What DfE refuses but the registry must accept on the day it happens (a child placed before
//! the home postcode is known): the write succeeds, its response names the rule, the field and
//! DfE's message, and the export's validation lists it until it is put right.

use crate::exports::ssda903_child;
use crate::support::*;
use serde_json::json;

fn rules(r: &Resp) -> Vec<String> {
    r.body["warnings"].as_array().into_iter().flatten().map(|w| format!("{} {}", w["rule"], w["field"])).collect()
}

#[actix_web::test]
async fn a_placement_without_the_home_postcode_is_accepted_with_a_warning_until_it_is_known() {
    let app = TestApp::start().await;
    let la = app.la(HACKNEY);
    let kai = la
        .register_child(
            a_child("Kai", "Reed")
                .born("2012-02-02")
                .sex("M")
                .la_child_id("HK5001")
                .category_of_need("N1")
                .without("home_postcode"),
        )
        .await
        .expect(201);
    assert_eq!(rules(&kai), vec!["\"392b\" \"home_postcode\""], "{}", kai.text);
    assert_eq!(kai.body["warnings"][0]["message"], "Child is looked after but no postcodes are recorded.");
    let placed = la.place(Placement::foster(&kai.id(), KENT_POSTCODE).from("2025-07-01")).await.expect(201);
    assert_eq!(rules(&placed), vec!["\"392b\" \"home_postcode\""], "{}", placed.text);
    // Reading the placement is not a write: no warnings.
    assert!(la.placement(&placed.id()).await.expect(200).body.get("warnings").is_none());
    let report = la.ssda903("2026", "validation").await.expect(200);
    let listed: Vec<String> = report.body["violations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| format!("{} {}", v["rule"], v["child"]))
        .collect();
    assert!(listed.contains(&"\"392b\" \"HK5001\"".to_string()), "{}", report.text);
    // Put right: the warning and the violation are gone.
    let etag = la.child(&kai.id()).await.expect(200).etag();
    let known = la.update_child(&kai.id(), json!({"home_postcode": HACKNEY_POSTCODE}), &etag).await.expect(200);
    assert!(known.body.get("warnings").is_none(), "{}", known.text);
    let report = la.ssda903("2026", "validation").await.expect(200);
    assert_eq!(report.body["valid"], true, "{}", report.text);
    // A UASC child, or a short break (V3), needs none.
    let uasc = la
        .register_child(
            a_child("Ahmed", "Karimi").born("2009-01-01").sex("M").without("home_postcode").with("uasc", true),
        )
        .await
        .expect(201);
    assert!(uasc.body.get("warnings").is_none(), "{}", uasc.text);
    let placed =
        la.place(Placement::foster(&uasc.id(), KENT_POSTCODE).from("2025-07-01").legal_status("V2")).await.expect(201);
    assert!(placed.body.get("warnings").is_none(), "{}", placed.text);
}

#[actix_web::test]
async fn a_placement_more_than_350_miles_from_home_is_accepted_with_a_warning() {
    let app = TestApp::start().await;
    let la = app.la(HACKNEY);
    // From Camborne, Cornwall, to Newcastle: 362 miles as DfE measures it.
    let child = ssda903_child("HK5101", "Jago", "Penrose", "2012-02-02").sex("M").home("TR14 4TF");
    let child = app.child_of(HACKNEY, child).await;
    let far = la.place(Placement::foster(&child, "NE15 9DA").from("2025-07-01")).await.expect(201);
    assert_eq!(rules(&far), vec!["\"454\" \"postcode\""], "{}", far.text);
    let report = la.ssda903("2026", "validation").await.expect(200);
    let listed: Vec<String> = report.body["violations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| format!("{} {}", v["rule"], v["child"]))
        .collect();
    assert_eq!(listed, vec!["\"454\" \"HK5101\""], "{}", report.text);
}

#[actix_web::test]
async fn a_young_unaccompanied_asylum_seeking_child_is_accepted_with_a_query_on_the_date_of_birth() {
    let app = TestApp::start().await;
    let la = app.la(HACKNEY);
    // DfE queries a UASC child under 11 at the end of the year (31 March 2027): born after
    // 31 March 2016.
    let young = a_child("Amir", "Karimi").born("2016-04-01").sex("M").home(HACKNEY_POSTCODE).with("uasc", true);
    let r = la.register_child(young).await.expect(201);
    assert_eq!(rules(&r), vec!["\"231\" \"date_of_birth\""], "{}", r.text);
    // Eleven on the last day of the year: no query.
    let etag = la.child(&r.id()).await.expect(200).etag();
    let older = la.update_child(&r.id(), json!({"date_of_birth": "2016-03-31"}), &etag).await.expect(200);
    assert!(older.body.get("warnings").is_none(), "{}", older.text);
}
