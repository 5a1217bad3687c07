use super::{Q3, assert_fields, ids, oak_house_after_q3, row};
use crate::support::*;
use serde_json::{Value, json};

#[actix_web::test]
async fn a_return_is_reconciled_with_the_episodes_reported_as_they_happened() {
    let s = oak_house_after_q3().await;
    let e1 = s.report(Episode::missing(&s.amelia, "2026-07-10T22:00:00Z").until("2026-07-11T02:00:00Z")).await;
    let e2 = s.report(Episode::away(&s.ben, "2026-08-03T18:00:00Z").until("2026-08-03T21:00:00Z")).await;
    let mut e3_row = row(&s.amelia, "M", "2026-09-01T20:00:00Z", Some("2026-09-01T23:00:00Z"));
    e3_row["found_where"] = json!("family");
    let e3 = s.home().report_missing(e3_row.clone()).await.expect(201).id();

    // Row 0 adds detail to e1 (and disagrees on the times); row 1 is new; row 2 is e3 as stored.
    let mut r0 = row(&s.amelia, "M", "2026-07-10T22:05:00Z", Some("2026-07-11T03:00:00Z"));
    r0["found_where"] = json!("friends");
    r0["reported_to_police_at"] = json!("2026-07-10T23:00:00Z");
    r0["police_reference"] = json!("WY-2026-1");
    r0["safe_and_well_at"] = json!("2026-07-11T04:00:00Z");
    r0["safe_and_well_by"] = json!("West Yorkshire Police");
    r0["risk_indicators"] = json!(["criminal_exploitation"]);
    let mut r1 = row(&s.amelia, "M", "2026-08-20T21:00:00Z", Some("2026-08-21T01:00:00Z"));
    r1["found_where"] = json!("placement");
    r1["return_interview_offered_at"] = json!("2026-08-21T10:00:00Z");
    r1["return_interview_offered_by"] = json!("Independent RI service");
    r1["return_interview_independent"] = json!(true);
    r1["return_interview_outcome"] = json!("accepted");
    r1["return_interview_completed_at"] = json!("2026-08-22T10:00:00Z");
    let r = s.home().submit_return(&s.urn, Q3, return_of(vec![r0, r1, e3_row])).await.expect(201);
    assert_eq!(
        r.header("location").as_deref(),
        Some(format!("/v1/settings/{}/returns/{Q3}/versions/1", s.urn).as_str())
    );
    assert_eq!(r.etag(), "\"1\"");
    assert_eq!(r.body["version"], 1);
    assert_eq!(r.body["status"], "submitted");
    assert_eq!(r.body["format"], "json");
    assert_eq!(r.body["due_by"], "2026-10-28");
    assert_eq!(r.body["received_on_time"], true);
    let sum = &r.body["summary"];
    assert_eq!(
        sum["counts"],
        json!({"rows": 3, "matched": 2, "enriched": 1, "added": 1, "omitted": 1, "conflicts": 2})
    );
    assert_eq!(ids(&sum["matched"]), [e1.clone(), e3.clone()]);
    assert_eq!(ids(&sum["enriched"]), std::slice::from_ref(&e1));
    assert_eq!(sum["enriched"][0]["row"], "episodes[0]");
    let filled: Vec<&str> =
        sum["enriched"][0]["fields"].as_array().expect("fields").iter().filter_map(Value::as_str).collect();
    for f in [
        "found_where",
        "reported_to_police_at",
        "police_reference",
        "safe_and_well_at",
        "safe_and_well_by",
        "risk_indicators",
    ] {
        assert!(filled.contains(&f), "{f} in {filled:?}");
    }
    assert!(!filled.contains(&"ended_at"));
    let conflicts: Vec<(&str, &str, &str)> = sum["conflicts"]
        .as_array()
        .expect("conflicts")
        .iter()
        .map(|c| {
            (
                c["field"].as_str().unwrap_or(""),
                c["stored"].as_str().unwrap_or(""),
                c["returned"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        conflicts,
        [
            ("started_at", "2026-07-10T22:00:00Z", "2026-07-10T22:05:00Z"),
            ("ended_at", "2026-07-11T02:00:00Z", "2026-07-11T03:00:00Z")
        ]
    );
    assert_eq!(ids(&sum["omitted"]), std::slice::from_ref(&e2));
    let added = ids(&sum["added"]).pop().expect("added id");
    assert_eq!(sum["added"][0]["row"], "episodes[1]");
    let outcomes: Vec<&str> =
        r.body["episodes"].as_array().expect("episodes").iter().filter_map(|e| e["outcome"].as_str()).collect();
    assert_eq!(outcomes, ["enriched", "added", "matched"]);

    // The stored episode gained the detail and kept its own times.
    let host = s.app.la(LEEDS);
    let stored = host.episode(&e1).await.expect(200);
    assert_eq!(stored.body["found_where"], "friends");
    assert_eq!(stored.body["police_reference"], "WY-2026-1");
    assert_eq!(stored.body["safe_and_well"]["by"], "West Yorkshire Police");
    assert_eq!(stored.body["risk_indicators"], json!(["criminal_exploitation"]));
    assert_eq!(stored.body["started_at"], "2026-07-10T22:00:00Z");
    assert_eq!(stored.body["ended_at"], "2026-07-11T02:00:00Z");
    assert_eq!(stored.body["source"], "real_time");
    assert_eq!(stored.body["first_reported_in_return"], false);
    // The new one is flagged as first reported in the return.
    let new = host.episode(&added).await.expect(200);
    assert_eq!(new.body["source"], "return");
    assert_eq!(new.body["first_reported_in_return"], true);
    assert_eq!(new.body["return_interview"]["outcome"], "accepted");
    assert_eq!(new.body["flags"]["return_interview"]["status"], "completed_in_time");
    // The host LA is told; the placing LA is not.
    let inbox = host.inbox("type=return.submitted").await.expect(200);
    assert_eq!(inbox.body["items"][0]["payload"]["version"], 1);
    assert_eq!(inbox.body["items"][0]["payload"]["added"], 1);
    assert_eq!(inbox.body["items"][0]["sender_org"], json!(s.provider));
    assert_eq!(s.app.la(HACKNEY).inbox("type=return.submitted").await.expect(200).count(), Some(0));
    // Both may read it.
    for reader in [s.home(), host] {
        let got = reader.quarterly_return(&s.urn, Q3, "").await.expect(200);
        assert_eq!(got.body["summary"], r.body["summary"]);
        assert_eq!(got.body["latest"], true);
    }
}

#[actix_web::test]
async fn the_missing_rules_apply_with_placements_and_stored_episodes() {
    let s = oak_house_after_q3().await;
    let la = s.app.la(HACKNEY);
    let placed = |child: &str, from: &str| Placement::at(child, &s.urn).from(from);
    // Carl and Eve left care from Oak House on 15 August.
    let carl = s.app.child_of(HACKNEY, a_child("Carl", "Moss").born("2009-03-03")).await;
    let p = la.place(placed(&carl, "2026-06-01")).await.expect(201).id();
    la.end_placement(&p, Ending::on("2026-08-15", "E4A")).await.expect(200);
    let eve = s.app.child_of(HACKNEY, a_child("Eve", "Stone").born("2009-04-04")).await;
    let p = la.place(placed(&eve, "2026-06-01")).await.expect(201).id();
    la.end_placement(&p, Ending::on("2026-08-15", "E4A")).await.expect(200);
    // Dana moved from foster care to Oak House on 1 August.
    let dana = s.app.child_of(HACKNEY, a_child("Dana", "Reid").born("2011-11-11")).await;
    let f = la.place(Placement::foster(&dana, KENT_POSTCODE).from("2026-06-01")).await.expect(201).id();
    la.end_placement(&f, Ending::moved("2026-08-01", "CARPL")).await.expect(200);
    la.place(placed(&dana, "2026-08-01")).await.expect(201);
    // Fay came into care at Oak House on 1 August; Gus was born on 15 July and placed there that day.
    let fay = s.app.child_of(HACKNEY, a_child("Fay", "Lowe").born("2012-12-12")).await;
    la.place(placed(&fay, "2026-08-01")).await.expect(201);
    let gus = s.app.child_of(HACKNEY, a_child("Gus", "Young").born("2026-07-15")).await;
    la.place(placed(&gus, "2026-07-15")).await.expect(201);
    // Amelia's episode reported as it happened.
    let stored = s.report(Episode::missing(&s.amelia, "2026-07-10T22:00:00Z").until("2026-07-11T02:00:00Z")).await;

    let bad = vec![
        row(&carl, "M", "2026-08-10T10:00:00Z", None),
        row(&eve, "M", "2026-08-14T10:00:00Z", Some("2026-08-16T10:00:00Z")),
        row(&dana, "M", "2026-07-20T10:00:00Z", Some("2026-07-20T12:00:00Z")),
        row(&s.amelia, "M", "2026-07-11T01:00:00Z", Some("2026-07-11T05:00:00Z")),
        row(&fay, "M", "2026-07-25T10:00:00Z", Some("2026-07-25T12:00:00Z")),
        row(&gus, "M", "2026-07-15T10:00:00Z", Some("2026-07-15T12:00:00Z")),
    ];
    let r = s.home().submit_return(&s.urn, Q3, return_of(bad)).await.expect_problem(422);
    assert_eq!(r.rule_of("episodes[0].ended_at").as_deref(), Some("575"));
    assert_eq!(r.rule_of("episodes[1].ended_at").as_deref(), Some("578"));
    assert_fields(&r, &["episodes[2].started_at"]);
    assert!(r.text.contains("not placed at SC480011 on 2026-07-20"), "{}", r.text);
    assert_eq!(r.rule_of("episodes[3].started_at").as_deref(), Some("574"));
    assert_eq!(r.rule_of("episodes[4].started_at").as_deref(), Some("577"));
    assert_eq!(r.rule_of("episodes[5].started_at").as_deref(), Some("586"));
    assert_eq!(r.error_fields().len(), 6, "{}", r.text);

    let good = vec![
        row(&carl, "M", "2026-08-10T10:00:00Z", Some("2026-08-10T20:00:00Z")),
        row(&eve, "M", "2026-08-14T10:00:00Z", Some("2026-08-15T10:00:00Z")),
        row(&dana, "M", "2026-08-20T10:00:00Z", Some("2026-08-20T12:00:00Z")),
        row(&s.amelia, "M", "2026-07-11T02:00:00Z", Some("2026-07-11T05:00:00Z")),
        row(&s.amelia, "M", "2026-07-10T22:00:00Z", None),
        row(&fay, "M", "2026-08-25T10:00:00Z", Some("2026-08-25T12:00:00Z")),
        row(&gus, "M", "2026-07-16T10:00:00Z", Some("2026-07-16T12:00:00Z")),
    ];
    // The row for Amelia's stored episode matches it, and is not reported as overlapping itself.
    let r = s.home().submit_return(&s.urn, Q3, return_of(good)).await.expect(201);
    assert_eq!(r.body["summary"]["counts"]["added"], 6);
    assert_eq!(ids(&r.body["summary"]["matched"]), [stored]);
    assert_eq!(r.body["summary"]["counts"]["enriched"], 0);
}
