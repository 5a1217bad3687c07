use super::{all_records, report};
use crate::support::*;
use serde_json::json;

#[actix_web::test]
async fn repeat_episodes_are_three_within_90_days_inside_the_period() {
    let app = TestApp::start_at(at("2026-04-01")).await;
    let (pid, urn) = app.provider_with_home().await;
    let mut children = Vec::new();
    for (given, dob) in [("Rae", "2010-01-01"), ("Sol", "2011-01-01"), ("Tia", "2012-01-01"), ("Uli", "2013-01-01")] {
        let c = app.child_of(HACKNEY, a_child(given, "Test").born(dob)).await;
        app.la(HACKNEY).place(Placement::at(&c, &urn).from("2026-04-01")).await.expect(201);
        children.push(c);
    }
    app.set_time(at("2026-09-01"));
    let home = app.provider(&pid);
    let starts: [&[&str]; 4] = [
        // Rae: the third starts exactly 90 days after the first.
        &["2026-04-02T10:00:00Z", "2026-05-15T10:00:00Z", "2026-07-01T10:00:00Z"],
        // Sol: one minute more.
        &["2026-04-02T10:00:00Z", "2026-05-15T10:00:00Z", "2026-07-01T10:01:00Z"],
        // Tia: within 90 days, but only two in the second quarter.
        &["2026-05-01T10:00:00Z", "2026-06-01T10:00:00Z", "2026-07-02T10:00:00Z"],
        // Uli: not three within 90 days of the first (109 days), but of the second (42 days).
        &["2026-04-02T10:00:00Z", "2026-06-20T10:00:00Z", "2026-07-20T10:00:00Z", "2026-08-01T10:00:00Z"],
    ];
    for (child, times) in children.iter().zip(starts) {
        for s in times.iter().copied() {
            let end = (instant(s) + chrono::TimeDelta::hours(1)).to_rfc3339();
            home.report_missing(Episode::missing(child, s).until(&end).found("placement")).await.expect(201);
        }
    }
    let la = app.la(HACKNEY);
    let year = report(&la, "placing", "year=2027").await;
    assert_eq!(year["figures"]["children_with_repeat_episodes"]["value"], 3);
    let mut expected = vec![children[0].clone(), children[2].clone(), children[3].clone()];
    expected.sort();
    let records = all_records(&la, "/v1/reports/placing/records?year=2027&figure=children_with_repeat_episodes").await;
    let got: Vec<String> = records.iter().map(|r| r["child_id"].as_str().unwrap_or_default().to_string()).collect();
    assert_eq!(got, expected);
    for r in &records {
        let n = if r["child_id"] == children[3].as_str() { 4 } else { 3 };
        assert_eq!(r["episodes"], n, "{r}");
    }
    for q in ["period=2026-Q2", "period=2026-Q3"] {
        assert_eq!(report(&la, "placing", q).await["figures"]["children_with_repeat_episodes"]["value"], 0, "{q}");
    }
    assert_eq!(
        report(&app.la(LEEDS), "host", "year=2027").await["figures"]["children_with_repeat_episodes"]["value"],
        3
    );
    assert_eq!(report(&home, "provider", "year=2027").await["figures"]["children_with_repeat_episodes"]["value"], 3);
}

/// Reports find episodes by the area and setting of the placement they started in; when that
/// placement is corrected to another area, its episodes are counted there from then on.
#[actix_web::test]
async fn episodes_follow_their_placement_when_it_moves_area() {
    let app = TestApp::start_at(at("2026-04-01")).await;
    let c = app.child_of(HACKNEY, a_child("Uma", "Vale").born("2010-01-01")).await;
    let placed = app.la(HACKNEY).place(Placement::foster(&c, LEEDS_POSTCODE).from("2026-04-01")).await.expect(201);
    app.set_time(at("2026-05-10"));
    let la = app.la(HACKNEY);
    let episode = Episode::missing(&c, "2026-05-02T20:00:00Z").until("2026-05-03T08:00:00Z").found("placement");
    la.report_missing(episode).await.expect(201);
    let q = "period=2026-Q2";
    assert_eq!(report(&app.la(LEEDS), "host", q).await["figures"]["episodes"]["value"], 1);
    assert_eq!(report(&app.la(KENT), "host", q).await["figures"]["episodes"]["value"], 0);
    // The foster home was in Kent all along.
    la.amend_placement(&placed.id(), json!({"postcode": KENT_POSTCODE}), &placed.etag()).await.expect(200);
    assert_eq!(report(&app.la(LEEDS), "host", q).await["figures"]["episodes"]["value"], 0);
    let kent = report(&app.la(KENT), "host", q).await;
    assert_eq!(kent["figures"]["episodes"]["value"], 1);
    let records = all_records(&app.la(KENT), "/v1/reports/host/records?period=2026-Q2&figure=episodes").await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["host_la"], KENT);
    assert_eq!(report(&la, "placing", q).await["figures"]["episodes"]["value"], 1);
}
