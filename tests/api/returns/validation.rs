use super::{Q3, assert_fields, oak_house_after_q3, row};
use crate::support::*;
use serde_json::json;

#[actix_web::test]
async fn every_problem_is_listed_by_row_and_field_and_nothing_is_stored() {
    let s = oak_house_after_q3().await;
    let elsewhere = s.app.child_of(HACKNEY, a_child("Cara", "Kent").born("2012-01-01")).await;
    s.app.la(HACKNEY).place(Placement::foster(&elsewhere, KENT_POSTCODE).from("2026-06-01")).await.expect(201);
    let (a, b) = (s.amelia.as_str(), s.ben.as_str());
    let mut bad_codes = row(a, "M", "2026-07-12T10:00:00Z", None);
    bad_codes["risk_indicators"] = json!(["bad_vibes"]);
    bad_codes["found_where"] = json!("family");
    let mut halves = row(b, "M", "2026-07-28T10:00:00Z", Some("2026-07-28T11:00:00Z"));
    halves["safe_and_well_at"] = json!("2026-07-28T12:00:00Z");
    halves["return_interview_offered_at"] = json!("2026-07-28T13:00:00Z");
    let mut unknown = row(a, "M", "2026-07-25T10:00:00Z", Some("2026-07-25T11:00:00Z"));
    unknown["colour"] = json!("red");
    let episodes = vec![
        row(a, "X", "2026-07-05T10:00:00Z", Some("2026-07-05T11:00:00Z")),
        row(a, "M", "5 July 2026", None),
        row(&elsewhere, "M", "2026-07-06T10:00:00Z", Some("2026-07-06T11:00:00Z")),
        row(a, "M", "2026-06-20T10:00:00Z", Some("2026-06-20T11:00:00Z")),
        row(a, "M", "2026-07-08T10:00:00Z", Some("2026-07-08T09:00:00Z")),
        row(b, "M", "2026-07-09T10:00:00Z", Some("2026-07-09T15:00:00Z")),
        row(b, "A", "2026-07-09T12:00:00Z", Some("2026-07-09T13:00:00Z")),
        bad_codes,
        json!({"child_id": a, "kind": "M"}),
        unknown,
        row(a, "M", "2026-07-20T10:00:00Z", Some("2026-10-06T10:00:00Z")),
        halves,
    ];
    let home = s.home();
    let r = home.submit_return(&s.urn, Q3, return_of(episodes)).await.expect_problem(422);
    assert_fields(
        &r,
        &[
            "episodes[0].kind",
            "episodes[1].started_at",
            "episodes[2].child_id",
            "episodes[3].started_at",
            "episodes[4].ended_at",
            "episodes[5].started_at",
            "episodes[6].started_at",
            "episodes[7].risk_indicators[0]",
            "episodes[7].found_where",
            "episodes[8].started_at",
            "episodes[9].colour",
            "episodes[10].ended_at",
            "episodes[11].safe_and_well_by",
            "episodes[11].return_interview_outcome",
        ],
    );
    assert_eq!(r.rule_of("episodes[0].kind").as_deref(), Some("1006"));
    assert_eq!(r.rule_of("episodes[4].ended_at").as_deref(), Some("567"));
    assert_eq!(r.rule_of("episodes[5].started_at").as_deref(), Some("574"));
    // One error per problem: the rules do not repeat what the row check already said.
    assert_eq!(r.error_fields().iter().filter(|f| *f == "episodes[0].kind").count(), 1);
    // Problems come in row order.
    let rows: Vec<String> = r.error_fields().into_iter().filter(|f| f.starts_with("episodes[")).collect();
    let index = |f: &String| f[9..].split(']').next().and_then(|n| n.parse::<u32>().ok()).unwrap_or(0);
    assert!(rows.windows(2).all(|w| index(&w[0]) <= index(&w[1])), "{rows:?}");
    assert!(r.body["detail"].as_str().is_some_and(|d| d.contains("not stored")));
    // Nothing was stored.
    home.quarterly_return(&s.urn, Q3, "").await.expect_problem(404);
    assert_eq!(s.app.la(HACKNEY).episodes("").await.expect(200).count(), Some(0));
    // Corrected, it goes in.
    let fixed = vec![
        row(a, "A", "2026-07-05T10:00:00Z", Some("2026-07-05T11:00:00Z")),
        row(b, "M", "2026-07-09T10:00:00Z", Some("2026-07-09T12:00:00Z")),
        row(b, "A", "2026-07-09T12:00:00Z", Some("2026-07-09T13:00:00Z")),
    ];
    let ok = home.submit_return(&s.urn, Q3, return_of(fixed)).await.expect(201);
    assert_eq!(ok.body["summary"]["counts"]["added"], 3);
}
