use crate::support::*;
use serde_json::{Value, json};

#[actix_web::test]
async fn the_placing_la_reads_a_childs_timeline_in_order() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    let la = app.la(HACKNEY);
    let first = la.place(Placement::foster(&child, HACKNEY_POSTCODE).from("2026-03-01")).await.expect(201).id();
    la.change_legal_status(&first, "2026-04-01", "C1").await.expect(200);
    la.end_placement(&first, Ending::moved("2026-05-01", "CARPL")).await.expect(200);
    la.place(Placement::at(&child, &urn).from("2026-05-01")).await.expect(201);
    let episode = Episode::missing(&child, "2026-06-10T20:00:00Z")
        .until("2026-06-11T01:00:00Z")
        .safe_and_well("2026-06-11T02:00:00Z", "Police")
        .return_interview(json!({"offered_at": "2026-06-11T10:00:00Z", "outcome": "accepted",
                                 "completed_at": "2026-06-12T10:00:00Z", "independent": true}));
    la.report_missing(episode).await.expect(201);
    let t = la.timeline(&child).await.expect(200);
    let kinds: Vec<&str> = t.body.as_array().expect("events").iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(
        kinds,
        [
            "placement.started",
            "legal_status",
            "legal_status",
            "placement.ended",
            "placement.started",
            "legal_status",
            "missing.started",
            "missing.ended",
            "safe_and_well",
            "return_interview.offered",
            "return_interview.completed",
            "notification",
            "notification",
            "notification"
        ]
    );
    // Leeds was told of the placement (late: registered after it started) and of the episode.
    let sent: Vec<Value> =
        t.body.as_array().expect("events").iter().filter(|e| e["kind"] == "notification").cloned().collect();
    let mut types: Vec<&str> = sent.iter().filter_map(|n| n["detail"]["type"].as_str()).collect();
    types.sort();
    assert_eq!(types, ["missing.ended", "missing.started", "placement.started"]);
    let started = sent.iter().find(|n| n["detail"]["type"] == "placement.started").expect("started");
    assert_eq!(started["detail"]["recipient_la"], LEEDS);
    assert_eq!(started["detail"]["statutory"]["status"], "late");
    app.la(LEEDS).timeline(&child).await.expect_problem(403);
    app.la(KENT).timeline(&child).await.expect_problem(404);
}
