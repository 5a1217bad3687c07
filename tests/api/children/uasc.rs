//! UASC status (an unaccompanied asylum-seeking child) and the date it ceased: recorded on the
//! child, refused where DfE's rules would refuse it (naming the rule and the field), exported as
//! DfE's UASC table, and exempting the child from needing a home postcode (DfE rule 392b).

use crate::exports::{place, ssda903_child};
use crate::support::*;
use serde_json::json;

async fn refused(app: &TestApp, child: Child, field: &str, rule: Option<&str>) {
    let r = app.la(HACKNEY).register_child(child).await.expect_field_error(422, field);
    let errors = r.body["errors"].as_array().cloned().unwrap_or_default();
    assert!(
        errors.iter().any(|e| e["field"] == field && rule.is_none_or(|rule| e["rule"] == rule)),
        "expected rule {rule:?} on {field}: {}",
        r.text
    );
}

#[actix_web::test]
async fn uasc_status_round_trips_and_is_refused_where_dfe_would_refuse_it() {
    let app = TestApp::start().await;
    let boy = || a_child("Ahmed", "Karimi").sex("M").born("2008-09-10").without("home_postcode");
    // 303: a date UASC status ceased for a child without UASC status.
    refused(&app, boy().with("uasc_ceased", "2026-01-01"), "uasc_ceased", Some("303")).await;
    // 304: UASC status ends on the 18th birthday at the latest (his was 1 January 2025).
    let older = boy().born("2007-01-01").with("uasc", true);
    refused(&app, older.clone().with("uasc_ceased", "2025-01-02"), "uasc_ceased", Some("304")).await;
    // Not in the future (today is 15 June 2026), nor before birth.
    refused(&app, boy().with("uasc", true).with("uasc_ceased", "2026-07-01"), "uasc_ceased", None).await;
    refused(&app, boy().with("uasc", true).with("uasc_ceased", "2008-09-10"), "uasc_ceased", None).await;

    let la = app.la(HACKNEY);
    let ended = la.register_child(older.with("uasc_ceased", "2025-01-01")).await.expect(201);
    assert_eq!((ended.body["uasc"].clone(), ended.body["uasc_ceased"].clone()), (json!(true), json!("2025-01-01")));
    let ahmed = la.register_child(boy().with("uasc", true)).await.expect(201);
    assert_eq!(ahmed.body["uasc"], true);
    assert!(ahmed.body.get("uasc_ceased").is_none(), "{}", ahmed.text);
    let read = la.child(&ahmed.id()).await.expect(200);
    assert_eq!(read.body["uasc"], true);
    let changed = la.update_child(&ahmed.id(), json!({"uasc_ceased": "2026-06-01"}), &read.etag()).await.expect(200);
    assert_eq!(changed.body["uasc_ceased"], "2026-06-01");
    assert_eq!(la.child(&ahmed.id()).await.expect(200).body["uasc_ceased"], "2026-06-01");
    // Taking UASC status away while a ceased date stands is refused (303).
    let r = la
        .update_child(&ahmed.id(), json!({"uasc": false}), &changed.etag())
        .await
        .expect_field_error(422, "uasc_ceased");
    assert!(r.text.contains("\"303\""), "{}", r.text);
    // A child registered without it has no UASC status.
    let other = la.register_child(a_child("Tom", "Reed")).await.expect(201);
    assert_eq!(other.body["uasc"], false);
}

#[actix_web::test]
async fn uasc_children_are_in_the_uasc_table_and_need_no_home_postcode() {
    let app = TestApp::start().await;
    app.provider_with_home().await;
    let la = app.la(HACKNEY);
    let uasc = |id: &str, given: &str, born: &str| {
        ssda903_child(id, given, "Karimi", born)
            .sex("M")
            .without("home_postcode")
            .category_of_need("N8")
            .with("uasc", true)
    };
    // Ahmed, UASC throughout the year; a home postcode recorded for him is not exported, and his
    // DUC is his 18th birthday, when his status will cease (as DfE's rule 205B reads it).
    let ahmed = app.child_of(HACKNEY, uasc("HK3001", "Ahmed", "2008-09-10").home(KENT_POSTCODE)).await;
    place(&app, HACKNEY, Placement::foster(&ahmed, KENT_POSTCODE).from("2025-06-01").legal_status("V2")).await;
    // Dawit, whose UASC status ceased on his 18th birthday in the year.
    let dawit = app.child_of(HACKNEY, uasc("HK3002", "Dawit", "2008-01-20").with("uasc_ceased", "2026-01-20")).await;
    place(&app, HACKNEY, Placement::at(&dawit, OAK_HOUSE).from("2025-05-01").legal_status("V2")).await;
    // Ola's ceased on her 18th birthday before the year began: not UASC this year.
    let ola =
        ssda903_child("HK3003", "Ola", "Bello", "2006-06-01").with("uasc", true).with("uasc_ceased", "2024-06-01");
    let ola = app.child_of(HACKNEY, ola).await;
    let p = place(&app, HACKNEY, Placement::at(&ola, OAK_HOUSE).from("2024-01-01").legal_status("V2")).await;
    la.end_placement(&p, Ending::on("2025-04-20", "E8")).await.expect(200);
    // Tom is not UASC and his home postcode is not known.
    let tom = app
        .child_of(HACKNEY, ssda903_child("HK3004", "Tom", "Reed", "2012-02-02").sex("M").without("home_postcode"))
        .await;
    place(&app, HACKNEY, Placement::foster(&tom, KENT_POSTCODE).from("2025-07-01")).await;

    let uasc_csv = la.ssda903("2026", "uasc.csv").await.expect(200);
    assert_eq!(
        uasc_csv.header("content-disposition"),
        Some(format!("attachment; filename=\"ssda903_2026_{HACKNEY}_uasc.csv\""))
    );
    assert_eq!(
        uasc_csv.text,
        "CHILD,SEX,DOB,DUC\r\nHK3001,M,10/09/2008,10/09/2026\r\nHK3002,M,20/01/2008,20/01/2026\r\n"
    );
    let episodes = la.ssda903("2026", "episodes.csv").await.expect(200).text;
    let home_posts: Vec<String> = episodes
        .lines()
        .skip(1)
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            format!("{} {}", cells[0], cells[10])
        })
        .collect();
    assert_eq!(home_posts, vec!["HK3001 ", "HK3002 ", "HK3003 E8 1DY", "HK3004 "]);

    // Only Tom needs a home postcode: DfE's rules 392a (no distance) and 392b, until he has one or
    // is recorded as UASC. Read with last year's return, where Ola was UASC and so had no home
    // postcode, her placement gains a distance it did not have at the end of that year (453, 503G).
    let report = la.ssda903("2026", "validation").await.expect(200);
    let found: Vec<String> = report.body["violations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| format!("{} {} {} {}", v["rule"], v["table"], v["row"], v["child"]))
        .collect();
    assert_eq!(
        found,
        vec![
            "\"503G\" \"Episodes\" 3 \"HK3003\"",
            "\"453\" \"Episodes\" 3 \"HK3003\"",
            "\"392a\" \"Episodes\" 4 \"HK3004\"",
            "\"392b\" \"Episodes\" 4 \"HK3004\""
        ],
        "{}",
        report.text
    );
    assert_eq!(report.body["rows"]["uasc"], 2);
    let etag = la.child(&tom).await.expect(200).etag();
    la.update_child(&tom, json!({"uasc": true}), &etag).await.expect(200);
    let report = la.ssda903("2026", "validation").await.expect(200);
    let rules: Vec<&str> =
        report.body["violations"].as_array().into_iter().flatten().filter_map(|v| v["rule"].as_str()).collect();
    assert_eq!(rules, ["503G", "453"], "{}", report.text);
    let uasc_csv = la.ssda903("2026", "uasc.csv").await.expect(200);
    assert!(uasc_csv.text.ends_with("HK3004,M,02/02/2012,02/02/2030\r\n"), "{}", uasc_csv.text);
    // The year before: Ola was UASC then (her status ceased in it).
    let before = la.ssda903("2025", "uasc.csv").await.expect(200);
    assert_eq!(before.text, "CHILD,SEX,DOB,DUC\r\nHK3003,F,01/06/2006,01/06/2024\r\n");
}
