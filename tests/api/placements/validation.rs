use crate::support::*;
use serde_json::json;

#[actix_web::test]
async fn the_host_comes_from_the_postcode_never_from_the_caller_alone() {
    let app = TestApp::start().await;
    let child = app.child_of(HACKNEY, a_child("Tyrone", "Mensah").born("2009-11-02")).await;
    let la = app.la(HACKNEY);
    let foster = |postcode: &str| Placement::foster(&child, postcode).from("2026-06-01");
    let r = la.place(foster(KENT_POSTCODE).host_la(LEEDS)).await.expect_field_error(422, "host_la");
    assert!(r.text.contains(KENT) && r.text.contains(LEEDS), "{}", r.text);
    la.place(foster("ZZ9 9ZZ")).await.expect_field_error(422, "postcode");
    la.place(foster(KENT_POSTCODE).without("postcode")).await.expect_field_error(422, "postcode");
    let unknown_setting = Placement::at(&child, "SC999999").from("2026-06-01").place("K2");
    la.place(unknown_setting).await.expect_field_error(422, "urn");
    let ok = la.place(foster("ct12eh")).await.expect(201);
    assert_eq!(ok.body["host_area"], KENT);
    assert_eq!(ok.body["postcode"], "CT1 2EH");
}

#[actix_web::test]
async fn placements_in_wales_are_recorded_as_such() {
    let app = TestApp::start().await;
    let child = app.child_of(HACKNEY, a_child("Leah", "Okafor").born("2013-02-27")).await;
    // Outside England no URN is given (DfE rule 243).
    let cardiff = Placement::foster(&child, CARDIFF_POSTCODE).from("2026-06-01").without("urn");
    let r = app.la(HACKNEY).place(cardiff).await.expect(201);
    assert_eq!(r.body["host_area"], "WAL");
    assert_eq!(r.body["out_of_area"], true);
}

#[actix_web::test]
async fn codes_are_checked_against_the_lists_of_the_year_the_placement_starts_in() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Kai", "Whitfield").born("2008-08-09")).await;
    let la = app.la(HACKNEY);
    let home = || Placement::at(&child, &urn).from("2026-06-01");
    la.place(home().place("Q9")).await.expect_field_error(422, "place");
    let withdrawn = la.place(home().place("P2")).await.expect_field_error(422, "place");
    assert!(withdrawn.text.contains("withdrawn"));
    assert_eq!(withdrawn.body["errors"][0]["rule"], "146");
    la.place(home().place_provider("PR0")).await.expect_field_error(422, "place_provider");
    la.place(home().place_provider("PR9")).await.expect_field_error(422, "place_provider");
    la.place(home().legal_status("X9")).await.expect_field_error(422, "legal_status");
    la.place(home().from("2008-08-01")).await.expect_field_error(422, "start_date");
    // Temporary placements take no PLACE_PROVIDER.
    let temporary = Placement::foster(&child, HACKNEY_POSTCODE).from("2026-06-01").place("T1").without("urn");
    la.place(temporary.clone()).await.expect_field_error(422, "place_provider");
    la.place(temporary.without("place_provider")).await.expect(201);
    // None of the refused attempts left anything behind.
    assert_eq!(la.placements_of(&child).await.expect(200).count(), Some(1));
}

#[actix_web::test]
async fn a_placement_type_must_exist_in_the_collection_year_it_starts_in() {
    let app = TestApp::start().await;
    let child = app.child_of(HACKNEY, a_child("Maya", "Osei").born("2008-03-09")).await;
    let la = app.la(HACKNEY);
    let other = |from: &str, code: &str| {
        Placement::foster(&child, HACKNEY_POSTCODE).from(from).place(code).without("urn").without("place_provider")
    };
    // Z11 to Z14 replace Z1 from 2025-26 (1 April 2025).
    let early = la.place(other("2025-03-31", "Z11")).await.expect_field_error(422, "place");
    assert_eq!(early.body["errors"][0]["rule"], "146");
    assert!(early.text.contains("2024-25"), "{}", early.text);
    let late = la.place(other("2025-04-01", "Z1")).await.expect_field_error(422, "place");
    assert_eq!(late.body["errors"][0]["rule"], "146");
    // Still going on 1 April 2025, a Z1 placement is in the 2025-26 return, where DfE refuses
    // its type: accepted (it was lawful when it began), and flagged in every answer about it.
    let warned = |r: &Resp| {
        r.body["warnings"].as_array().into_iter().flatten().any(|w| w["rule"] == "146" && w["field"] == "place")
    };
    let z1 = la.place(other("2024-06-01", "Z1")).await.expect(201);
    assert!(warned(&z1), "{}", z1.text);
    let ended = la.end_placement(&z1.id(), Ending::moved("2025-04-01", "PLACE")).await.expect(200);
    assert!(warned(&ended), "{}", ended.text);
    assert!(warned(&la.placement(&z1.id()).await.expect(200)));
    la.place(other("2025-04-01", "Z11")).await.expect(201);
    // One that ended in 2024-25 is not flagged.
    let ben = app.child_of(HACKNEY, a_child("Ben", "Osei").born("2012-03-09")).await;
    let short = Placement::foster(&ben, HACKNEY_POSTCODE).from("2024-04-10").place("Z1");
    let short = la.place(short.without("urn").without("place_provider")).await.expect(201);
    let ended = la.end_placement(&short.id(), Ending::on("2024-05-01", "E4A")).await.expect(200);
    assert!(!warned(&ended), "{}", ended.text);
}

/// The rule and field a refusal names.
fn names(r: &Resp, field: &str, rule: &str) {
    let errors = r.body["errors"].as_array().cloned().unwrap_or_default();
    assert!(errors.iter().any(|e| e["field"] == field && e["rule"] == rule), "expected {rule} on {field}: {}", r.text);
}

#[actix_web::test]
async fn what_dfe_refuses_is_refused_when_it_is_written() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Ruby", "Stone").born("2012-04-03").home(HACKNEY_POSTCODE)).await;
    let la = app.la(HACKNEY);
    // 378: placed with parents under section 20.
    let parents = || {
        Placement::foster(&child, HACKNEY_POSTCODE).from("2026-01-05").place("P1").place_provider("PR0").without("urn")
    };
    names(&la.place(parents().legal_status("V2")).await.expect_field_error(422, "legal_status"), "legal_status", "378");
    // The accepted variants: with parents under a care order; later a children's home.
    let p1 = la.place(parents().legal_status("C2")).await.expect(201).id();
    names(
        &la.change_legal_status(&p1, "2026-01-20", "V2").await.expect_field_error(422, "legal_status"),
        "legal_status",
        "378",
    );
    la.end_placement(&p1, Ending::moved("2026-02-01", "CARPL")).await.expect(200);
    let home = la.place(Placement::at(&child, &urn).from("2026-02-01").legal_status("L1")).await.expect(201).id();
    // 361: police protection for more than 72 hours.
    names(
        &la.change_legal_status(&home, "2026-02-05", "C1").await.expect_field_error(422, "effective_from"),
        "effective_from",
        "361",
    );
    la.change_legal_status(&home, "2026-02-04", "C1").await.expect(200);
    // 516: special guardianship to former foster carers ends only a foster placement.
    names(&la.end_placement(&home, Ending::on("2026-03-01", "E45")).await.expect_field_error(422, "rec"), "rec", "516");
    la.end_placement(&home, Ending::on("2026-03-01", "E4A")).await.expect(200);
    assert_eq!(la.placements_of(&child).await.expect(200).count(), Some(2));
}

#[actix_web::test]
async fn an_amendment_is_refused_where_dfe_would_refuse_the_result() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Ruby", "Stone").born("2012-04-03").home(HACKNEY_POSTCODE)).await;
    let la = app.la(HACKNEY);
    // With foster carers, first under section 20 (V2), then a care order.
    let foster =
        la.place(Placement::foster(&child, KENT_POSTCODE).from("2026-01-05").legal_status("V2")).await.expect(201);
    la.change_legal_status(&foster.id(), "2026-01-20", "C2").await.expect(200);
    let etag = la.placement(&foster.id()).await.expect(200).etag();
    // 378: corrected to a placement with parents, it would have been one under V2.
    let with_parents = json!({"place": "P1", "place_provider": "PR0", "urn": null, "postcode": KENT_POSTCODE});
    let r = la.amend_placement(&foster.id(), with_parents.clone(), &etag).await.expect_field_error(422, "place");
    names(&r, "place", "378");
    let unchanged = la.placement(&foster.id()).await.expect(200);
    assert_eq!(unchanged.body["place"], "U4");
    // The same correction of a placement only ever under a care order is accepted.
    let other = app.child_of(HACKNEY, a_child("Amy", "Stone").born("2011-04-03").home(HACKNEY_POSTCODE)).await;
    let p = la.place(Placement::foster(&other, KENT_POSTCODE).from("2026-01-05")).await.expect(201);
    let amended = la.amend_placement(&p.id(), with_parents, &p.etag()).await.expect(200);
    assert_eq!(amended.body["place"], "P1");
    // 516: an ended children's home placement corrected to end with special guardianship to
    // former foster carers.
    la.end_placement(&foster.id(), Ending::moved("2026-02-01", "CARPL")).await.expect(200);
    let home = la.place(Placement::at(&child, &urn).from("2026-02-01")).await.expect(201).id();
    let ended = la.end_placement(&home, Ending::on("2026-03-01", "E4A")).await.expect(200);
    let r = la.amend_placement(&home, json!({"rec": "E45"}), &ended.etag()).await.expect_field_error(422, "rec");
    names(&r, "rec", "516");
}

#[actix_web::test]
async fn an_end_the_childs_age_rules_out_is_refused() {
    let app = TestApp::start().await;
    // Ruby turns 14 on 3 April 2026.
    let child = app.child_of(HACKNEY, a_child("Ruby", "Stone").born("2012-04-03").home(HACKNEY_POSTCODE)).await;
    let la = app.la(HACKNEY);
    let p = la.place(Placement::foster(&child, KENT_POSTCODE).from("2026-01-05")).await.expect(201).id();
    // 460: staying put with carers at 18 (E17) when she is 13; 387: independent living under 14.
    names(&la.end_placement(&p, Ending::on("2026-03-01", "E17")).await.expect_field_error(422, "rec"), "rec", "460");
    names(&la.end_placement(&p, Ending::on("2026-04-02", "E5")).await.expect_field_error(422, "rec"), "rec", "387");
    // At 14 she may.
    la.end_placement(&p, Ending::on("2026-04-03", "E5")).await.expect(200);
}

#[actix_web::test]
async fn a_placement_or_legal_status_the_childs_age_rules_out_is_refused() {
    let app = TestApp::start().await;
    // Leo turns 10 on 1 March 2026.
    let child = app.child_of(HACKNEY, a_child("Leo", "Stone").sex("M").born("2016-03-01").home(HACKNEY_POSTCODE)).await;
    let la = app.la(HACKNEY);
    // 371: supported accommodation (K3) under 16.
    let k3 = Placement::foster(&child, KENT_POSTCODE).from("2026-01-05").place("K3").without("urn");
    names(&la.place(k3).await.expect_field_error(422, "place"), "place", "371");
    // 358: remanded (J2) on his 10th birthday, then a day later.
    let p = la.place(Placement::foster(&child, KENT_POSTCODE).from("2026-01-05")).await.expect(201).id();
    names(
        &la.change_legal_status(&p, "2026-03-01", "J2").await.expect_field_error(422, "legal_status"),
        "legal_status",
        "358",
    );
    la.change_legal_status(&p, "2026-03-02", "J2").await.expect(200);
}

#[actix_web::test]
async fn a_legal_status_that_outlasts_its_limit_is_refused_at_the_end() {
    let app = TestApp::start().await;
    let child = app.child_of(HACKNEY, a_child("Ruby", "Stone").born("2012-04-03").home(HACKNEY_POSTCODE)).await;
    let la = app.la(HACKNEY);
    // 365: a single short break (V3) of more than 17 days; 362: an emergency protection order
    // (L2) of more than 21 days.
    let p = la
        .place(Placement::foster(&child, KENT_POSTCODE).from("2026-01-05").place("U6").legal_status("V3"))
        .await
        .expect(201);
    names(
        &la.end_placement(&p.id(), Ending::on("2026-01-23", "E13")).await.expect_field_error(422, "end_date"),
        "end_date",
        "365",
    );
    la.end_placement(&p.id(), Ending::on("2026-01-22", "E13")).await.expect(200);
    let p = la.place(Placement::foster(&child, KENT_POSTCODE).from("2026-02-01").legal_status("L2")).await.expect(201);
    names(
        &la.change_legal_status(&p.id(), "2026-02-23", "C1").await.expect_field_error(422, "effective_from"),
        "effective_from",
        "362",
    );
    la.change_legal_status(&p.id(), "2026-02-22", "C1").await.expect(200);
}

#[actix_web::test]
async fn short_breaks_and_temporary_placements_are_refused_where_dfe_refuses_them() {
    let app = TestApp::start().await;
    let child = app.child_of(HACKNEY, a_child("Ruby", "Stone").born("2012-04-03").home(HACKNEY_POSTCODE)).await;
    let la = app.la(HACKNEY);
    // 384: a short break (V3) in long-term fostering (U4).
    let short_break = Placement::foster(&child, KENT_POSTCODE).from("2026-01-05").legal_status("V3");
    names(&la.place(short_break).await.expect_field_error(422, "place"), "place", "384");
    // 379: a temporary placement for another reason (T4) of more than seven days.
    let p = la
        .place(
            Placement::foster(&child, KENT_POSTCODE)
                .from("2026-01-05")
                .place("T4")
                .without("urn")
                .without("place_provider"),
        )
        .await
        .expect(201)
        .id();
    names(
        &la.end_placement(&p, Ending::on("2026-01-13", "X1")).await.expect_field_error(422, "end_date"),
        "end_date",
        "379",
    );
    la.end_placement(&p, Ending::on("2026-01-12", "X1")).await.expect(200);
}

#[actix_web::test]
async fn a_placement_for_adoption_with_a_placement_order_is_under_it() {
    let app = TestApp::start().await;
    let child = app.child_of(HACKNEY, a_child("Ruby", "Stone").born("2022-04-03").home(HACKNEY_POSTCODE)).await;
    let la = app.la(HACKNEY);
    // 408: placed for adoption with a placement order (A5) under a care order (C2).
    let a5 = || Placement::foster(&child, KENT_POSTCODE).from("2026-01-05").place("A5");
    names(&la.place(a5()).await.expect_field_error(422, "legal_status"), "legal_status", "408");
    la.place(a5().legal_status("E1")).await.expect(201);
}

#[actix_web::test]
async fn a_short_break_does_not_begin_during_a_placement() {
    let app = TestApp::start().await;
    let child = app.child_of(HACKNEY, a_child("Ruby", "Stone").born("2012-04-03").home(HACKNEY_POSTCODE)).await;
    let la = app.la(HACKNEY);
    let p = la.place(Placement::foster(&child, KENT_POSTCODE).from("2026-01-05").place("U6")).await.expect(201).id();
    // 366: a short break (V3) starts a period of care of its own.
    names(
        &la.change_legal_status(&p, "2026-02-01", "V3").await.expect_field_error(422, "legal_status"),
        "legal_status",
        "366",
    );
}

#[actix_web::test]
async fn only_a_placement_for_adoption_ends_in_an_adoption() {
    let app = TestApp::start().await;
    let child = app.child_of(HACKNEY, a_child("Ruby", "Stone").born("2022-04-03").home(HACKNEY_POSTCODE)).await;
    let la = app.la(HACKNEY);
    let foster = la.place(Placement::foster(&child, KENT_POSTCODE).from("2026-01-05")).await.expect(201).id();
    // 390: adopted (E11) from foster carers (U4).
    names(
        &la.end_placement(&foster, Ending::on("2026-03-01", "E11")).await.expect_field_error(422, "rec"),
        "rec",
        "390",
    );
    // Placed for adoption (A4) by the agency, then adopted.
    la.end_placement(&foster, Ending::moved("2026-03-01", "CARPL")).await.expect(200);
    let adoption =
        la.place(Placement::foster(&child, KENT_POSTCODE).from("2026-03-01").place("A4")).await.expect(201).id();
    la.end_placement(&adoption, Ending::on("2026-05-01", "E11")).await.expect(200);
}

#[actix_web::test]
async fn a_placement_for_adoption_follows_the_placements_dfe_allows() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Ruby", "Stone").born("2022-04-03").home(HACKNEY_POSTCODE)).await;
    let la = app.la(HACKNEY);
    let home = la.place(Placement::at(&child, &urn).from("2026-01-05")).await.expect(201).id();
    la.end_placement(&home, Ending::moved("2026-02-01", "CARPL")).await.expect(200);
    // 336: placed for adoption (A4) straight from a children's home.
    let a4 = || Placement::foster(&child, KENT_POSTCODE).from("2026-02-01").place("A4");
    names(&la.place(a4()).await.expect_field_error(422, "place"), "place", "336");
    let foster = la.place(Placement::foster(&child, KENT_POSTCODE).from("2026-02-01")).await.expect(201).id();
    la.end_placement(&foster, Ending::moved("2026-03-01", "CARPL")).await.expect(200);
    // 217: placed for adoption with the current foster carers (A3) at another address: the
    // return would show new carers (RNE P).
    let a3 = |postcode: &str| Placement::foster(&child, postcode).from("2026-03-01").place("A3");
    names(&la.place(a3(LEEDS_POSTCODE)).await.expect_field_error(422, "place"), "place", "217");
    // With the same carers it is accepted; a legal status change during it would start an
    // episode that shows no more than a change of legal status (RNE L).
    let a3 = la.place(a3(KENT_POSTCODE)).await.expect(201).id();
    let report = la.ssda903("2026", "validation").await.expect(200);
    let rules: Vec<&serde_json::Value> =
        report.body["violations"].as_array().into_iter().flatten().map(|v| &v["rule"]).collect();
    assert!(!rules.contains(&&json!("217")) && !rules.contains(&&json!("336")), "{}", report.text);
    names(
        &la.change_legal_status(&a3, "2026-04-01", "E1").await.expect_field_error(422, "legal_status"),
        "legal_status",
        "217",
    );
}

/// A correction of a placement is refused when the placement after it would then start as DfE
/// refuses: here a placement for adoption (A4) would follow a placement with parents (336).
#[actix_web::test]
async fn a_correction_does_not_leave_the_next_placement_as_dfe_refuses_it() {
    let app = TestApp::start().await;
    let child = app.child_of(HACKNEY, a_child("Ruby", "Stone").born("2022-04-03").home(HACKNEY_POSTCODE)).await;
    let la = app.la(HACKNEY);
    let foster = la.place(Placement::foster(&child, KENT_POSTCODE).from("2026-01-05")).await.expect(201).id();
    la.end_placement(&foster, Ending::moved("2026-02-01", "CARPL")).await.expect(200);
    la.place(Placement::foster(&child, KENT_POSTCODE).from("2026-02-01").place("A4")).await.expect(201);
    let etag = la.placement(&foster).await.expect(200).etag();
    let refused = la.amend_placement(&foster, json!({"place": "P1"}), &etag).await.expect_field_error(422, "place");
    names(&refused, "place", "336");
    assert_eq!(la.placement(&foster).await.expect(200).body["place"], "U4", "nothing of the correction is stored");
    // A correction the next placement allows is accepted.
    la.amend_placement(&foster, json!({"place": "U5"}), &etag).await.expect(200);
}

/// 437: care that ended with an age assessment finding the child 18 or over (E15), or with the
/// child's death (E2), is the child's last: no placement follows it, and such an ending is not
/// recorded, nor corrected in, before another placement.
#[actix_web::test]
async fn nothing_follows_care_ended_by_an_age_assessment_finding_the_child_an_adult() {
    let app = TestApp::start().await;
    let la = app.la(HACKNEY);
    let ali = app.child_of(HACKNEY, a_child("Ali", "Stone").sex("M").born("2010-05-01").home(HACKNEY_POSTCODE)).await;
    let first = la.place(Placement::foster(&ali, KENT_POSTCODE).from("2026-01-05")).await.expect(201).id();
    la.end_placement(&first, Ending::on("2026-02-01", "E15")).await.expect(200);
    let later = Placement::foster(&ali, KENT_POSTCODE).from("2026-03-01");
    names(&la.place(later).await.expect_field_error(422, "start_date"), "start_date", "437");

    // Omar went home, then came back into care: his first placement cannot be recorded, after
    // the fact, as ended by an age assessment.
    let omar = app.child_of(HACKNEY, a_child("Omar", "Stone").sex("M").born("2010-05-01").home(HACKNEY_POSTCODE)).await;
    let first = la.place(Placement::foster(&omar, KENT_POSTCODE).from("2026-01-05")).await.expect(201).id();
    la.end_placement(&first, Ending::on("2026-02-01", "E4A")).await.expect(200);
    la.place(Placement::foster(&omar, KENT_POSTCODE).from("2026-03-01")).await.expect(201);
    let etag = la.placement(&first).await.expect(200).etag();
    let corrected = la.amend_placement(&first, json!({"rec": "E15"}), &etag).await.expect_field_error(422, "rec");
    names(&corrected, "rec", "437");
    // Nothing of the refused writes was stored: both returns pass 437.
    let report = la.ssda903("2026", "validation").await.expect(200);
    let rules: Vec<&serde_json::Value> =
        report.body["violations"].as_array().into_iter().flatten().map(|v| &v["rule"]).collect();
    assert!(!rules.contains(&&json!("437")), "{}", report.text);
}

#[actix_web::test]
async fn care_does_not_start_at_18_nor_go_on_past_it_but_under_v2_in_a_childrens_home() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    // Sam turns 18 on 1 May 2026.
    let sam = app.child_of(HACKNEY, a_child("Sam", "Stone").sex("M").born("2008-05-01").home(HACKNEY_POSTCODE)).await;
    let la = app.la(HACKNEY);
    // 352: a period of care starting on the 18th birthday.
    let adult = Placement::at(&sam, &urn).from("2026-05-01").legal_status("V2");
    names(&la.place(adult).await.expect_field_error(422, "start_date"), "start_date", "352");
    // Placed the day before under V2 in a children's home, he may stay past 18; under another
    // legal status he may not (359).
    let home = la.place(Placement::at(&sam, &urn).from("2026-04-30").legal_status("V2")).await.expect(201);
    assert!(home.body.get("warnings").is_none(), "{}", home.text);
    names(
        &la.change_legal_status(&home.id(), "2026-05-01", "C1").await.expect_field_error(422, "legal_status"),
        "legal_status",
        "359",
    );
    // A foster placement recorded now that began before he turned 18 is accepted, with a warning
    // until its end (on the birthday, say) is recorded.
    let lee = app.child_of(HACKNEY, a_child("Lee", "Stone").sex("M").born("2008-05-01").home(HACKNEY_POSTCODE)).await;
    let foster = la.place(Placement::foster(&lee, KENT_POSTCODE).from("2026-03-01")).await.expect(201);
    let warned: Vec<&serde_json::Value> = foster.body["warnings"].as_array().into_iter().flatten().collect();
    assert!(warned.iter().any(|w| w["rule"] == "359" && w["field"] == "end_date"), "{}", foster.text);
    la.end_placement(&foster.id(), Ending::on("2026-05-01", "E17")).await.expect(200);
    let report = la.ssda903("2027", "validation").await.expect(200);
    let rules: Vec<&serde_json::Value> =
        report.body["violations"].as_array().into_iter().flatten().map(|v| &v["rule"]).collect();
    assert!(!rules.contains(&&json!("359")), "{}", report.text);
}

#[actix_web::test]
async fn an_las_own_childrens_home_is_in_its_own_area() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Ruby", "Stone").born("2012-04-03").home(HACKNEY_POSTCODE)).await;
    let la = app.la(HACKNEY);
    // 1015: Hackney's own provision (PR1), a children's home in Leeds.
    let own_home = || Placement::at(&child, &urn).from("2026-01-05").place_provider("PR1");
    names(&la.place(own_home()).await.expect_field_error(422, "place_provider"), "place_provider", "1015");
    // Its own foster carers may live anywhere, and a short break may be anywhere; from a short
    // break to a care order in its home in Leeds is not.
    let foster = Placement::foster(&child, KENT_POSTCODE).from("2026-01-05").place_provider("PR1");
    let p = la.place(foster).await.expect(201);
    la.end_placement(&p.id(), Ending::on("2026-01-10", "E4A")).await.expect(200);
    let short_break = la.place(own_home().from("2026-02-01").legal_status("V3")).await.expect(201).id();
    names(
        &la.change_legal_status(&short_break, "2026-02-05", "C2").await.expect_field_error(422, "legal_status"),
        "legal_status",
        "1015",
    );
}
