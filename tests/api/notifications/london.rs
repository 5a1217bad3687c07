//! Dates are dates in England (Europe/London): a notification written at 00:30 on a summer
//! morning is dated that day, on either side of both clock changes.

use crate::support::*;
use serde_json::{Value, json};

/// Hackney places a new child at Oak House from `start`, now; Leeds's notification.
async fn notify(app: &TestApp, urn: &str, given: &str, start: &str) -> Value {
    let child = app.child_of(HACKNEY, a_child(given, "Hughes").born("2011-05-14")).await;
    let p = app.la(HACKNEY).place(Placement::at(&child, urn).from(start)).await.expect(201).id();
    let inbox = app.la(LEEDS).inbox("type=placement.started").await.expect(200).items();
    inbox.into_iter().find(|n| n["placement_id"] == json!(p)).expect("Leeds was told")
}

#[actix_web::test]
async fn a_placement_recorded_at_half_past_midnight_in_summer_is_dated_that_day() {
    // 23:30 UTC on Tuesday 16 June 2026 is 00:30 BST on Wednesday 17 June.
    let app = TestApp::start_at(instant("2026-06-16T23:30:00Z")).await;
    let (pid, urn) = app.provider_with_home().await;
    let n = notify(&app, &urn, "Amelia", "2026-06-16").await;
    assert_eq!(n["statutory"]["status"], "late", "notice on the 17th of a placement that began on the 16th");
    assert_eq!(n["statutory"]["late_by_working_days"], 1);
    assert_eq!(n["acknowledgement_due_by"], "2026-06-19", "two working days after Wednesday");
    // The home records the arrival as of today, which is the 17th in England, not a future date.
    let child = n["child_id"].as_str().expect("child");
    app.provider(&pid).record_admission(&urn, json!({"child_id": child, "date": "2026-06-17"})).await.expect(201);
    // Due by Friday 19th: overdue from the first moment of Saturday 20th in England, 23:00 UTC
    // on the 19th.
    app.set_time(instant("2026-06-19T22:59:59Z"));
    assert!(
        app.la(LEEDS).inbox("acknowledgement_overdue=true&type=placement.started").await.expect(200).items().is_empty()
    );
    app.set_time(instant("2026-06-19T23:00:00Z"));
    let overdue = app.la(LEEDS).inbox("acknowledgement_overdue=true&type=placement.started").await.expect(200);
    assert_eq!(overdue.items().len(), 1);
    assert_eq!(overdue.items()[0]["acknowledgement_overdue"], true);
}

#[actix_web::test]
async fn notification_dates_follow_both_clock_changes() {
    let app = TestApp::start_at(instant("2026-03-28T12:00:00Z")).await;
    let (_, urn) = app.provider_with_home().await;
    // Spring: 23:30 UTC on Sunday 29 March 2026 is 00:30 BST on Monday 30 March.
    app.set_time(instant("2026-03-29T23:30:00Z"));
    let n = notify(&app, &urn, "Bea", "2026-03-30").await;
    assert_eq!(n["statutory"]["status"], "on_time");
    assert_eq!(n["acknowledgement_due_by"], "2026-04-01", "Monday + 2 working days");
    // Autumn, the night before the change: 23:30 UTC on Saturday 24 October is 00:30 BST Sunday.
    app.set_time(instant("2026-10-24T23:30:00Z"));
    let n = notify(&app, &urn, "Cara", "2026-10-24").await;
    assert_eq!(n["statutory"]["status"], "late", "notice on Sunday of a Saturday placement");
    // After the change: 23:30 UTC on Sunday 25 October is 23:30 GMT, still Sunday.
    app.set_time(instant("2026-10-25T23:30:00Z"));
    let n = notify(&app, &urn, "Dina", "2026-10-25").await;
    assert_eq!(n["statutory"]["status"], "on_time");
    assert_eq!(n["acknowledgement_due_by"], "2026-10-27", "Sunday + 2 working days");
    // In winter England keeps UTC's date: 23:30 UTC on Tuesday 17 November is Tuesday.
    app.set_time(instant("2026-11-17T23:30:00Z"));
    let n = notify(&app, &urn, "Edie", "2026-11-17").await;
    assert_eq!(n["statutory"]["status"], "on_time");
    assert_eq!(n["acknowledgement_due_by"], "2026-11-19");
}
