use super::{alerts_to, placed, round};
use crate::support::*;
use serde_json::json;

#[actix_web::test]
async fn an_overdue_return_interview_is_told_to_the_placing_and_host_la_once_at_72_hours() {
    let (app, pid, child) = placed("2026-06-11T03:00:00Z").await;
    let hook = app.la(LEEDS).register_webhook("http://127.0.0.1:9/hook", &["return_interview.overdue"]).await;
    let hook = hook.expect(201).id();
    let e = Episode::missing(&child, "2026-06-10T22:00:00Z").until("2026-06-11T02:00:00Z");
    let episode = app.provider(&pid).report_missing(e).await.expect(201).id();
    app.set_time(instant("2026-06-14T02:00:00Z"));
    round(&app).await;
    assert!(alerts_to(&app, LEEDS, "return_interview.overdue").await.is_empty(), "due, not yet overdue");
    app.set_time(instant("2026-06-14T02:00:01Z"));
    assert_eq!(round(&app).await, 1, "one alert, to both LAs");
    for la in [HACKNEY, LEEDS] {
        let got = alerts_to(&app, la, "return_interview.overdue").await;
        assert_eq!(got.len(), 1, "{la}");
        assert_eq!(got[0]["sender_org_type"], "registry");
        assert_eq!(got[0]["child_id"], json!(child));
        assert_eq!(got[0]["payload"]["episode_id"], json!(episode));
        assert_eq!(got[0]["payload"]["due_by"], "2026-06-14T02:00:00Z");
    }
    // Later rounds tell nobody again; the home is not told (it is not an LA's duty to it).
    app.advance(chrono::TimeDelta::days(30));
    round(&app).await;
    assert_eq!(alerts_to(&app, LEEDS, "return_interview.overdue").await.len(), 1);
    assert!(app.provider(&pid).inbox("type=return_interview.overdue").await.expect(200).items().is_empty());
    // Leeds chose the alert for its webhook: it is queued there like any notification.
    let d = app.la(LEEDS).deliveries(&hook, "").await.expect(200).items();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["notification_type"], "return_interview.overdue");
}

#[actix_web::test]
async fn a_recorded_or_declined_interview_raises_no_alert() {
    let (app, pid, child) = placed("2026-06-11T03:00:00Z").await;
    let home = app.provider(&pid);
    let e = Episode::missing(&child, "2026-06-10T22:00:00Z").until("2026-06-11T02:00:00Z");
    let r = home.report_missing(e).await.expect(201);
    let declined = json!({"return_interview": {"offered_at": "2026-06-11T02:30:00Z", "offered_by": "RI service",
                                               "independent": true, "outcome": "declined"}});
    home.update_episode(&r.id(), declined, &r.etag()).await.expect(200);
    app.set_time(instant("2026-06-20T09:00:00Z"));
    round(&app).await;
    assert!(alerts_to(&app, HACKNEY, "return_interview.overdue").await.is_empty());
}

#[actix_web::test]
async fn a_child_missing_over_24_hours_is_told_once() {
    let (app, pid, child) = placed("2026-06-12T09:00:00Z").await;
    app.provider(&pid).report_missing(Episode::missing(&child, "2026-06-12T08:30:00Z")).await.expect(201);
    app.set_time(instant("2026-06-13T08:30:00Z"));
    round(&app).await;
    assert!(alerts_to(&app, HACKNEY, "missing.long").await.is_empty(), "24 hours, not over");
    app.set_time(instant("2026-06-13T08:30:01Z"));
    round(&app).await;
    round(&app).await;
    for la in [HACKNEY, LEEDS] {
        let got = alerts_to(&app, la, "missing.long").await;
        assert_eq!(got.len(), 1, "{la}");
        assert_eq!(got[0]["payload"]["missing_hours"], 24);
    }
}

#[actix_web::test]
async fn a_child_newly_repeat_missing_is_told_on_the_third_episode_in_90_days_only() {
    let (app, pid, child) = placed("2026-06-30T09:00:00Z").await;
    let home = app.provider(&pid);
    for (from, to) in
        [("2026-06-02T20:00:00Z", "2026-06-02T23:00:00Z"), ("2026-06-10T20:00:00Z", "2026-06-10T23:00:00Z")]
    {
        home.report_missing(Episode::missing(&child, from).until(to)).await.expect(201);
    }
    round(&app).await;
    assert!(alerts_to(&app, HACKNEY, "child.repeat_missing").await.is_empty(), "two episodes");
    let third = Episode::missing(&child, "2026-06-29T20:00:00Z").until("2026-06-29T23:00:00Z");
    let third = app.provider(&pid).report_missing(third).await.expect(201).id();
    round(&app).await;
    for la in [HACKNEY, LEEDS] {
        let got = alerts_to(&app, la, "child.repeat_missing").await;
        assert_eq!(got.len(), 1, "{la}");
        assert_eq!(got[0]["payload"]["episode_id"], json!(third));
        assert_eq!(got[0]["payload"]["episodes_in_90_days"], 3);
    }
    // A fourth episode keeps the child repeat missing: not news.
    let fourth = Episode::missing(&child, "2026-06-30T02:00:00Z").until("2026-06-30T04:00:00Z");
    app.provider(&pid).report_missing(fourth).await.expect(201);
    round(&app).await;
    assert_eq!(alerts_to(&app, HACKNEY, "child.repeat_missing").await.len(), 1);
}

#[actix_web::test]
async fn the_sender_is_told_of_an_unacknowledged_and_of_an_undelivered_notification() {
    // Placed on Monday 15 June 2026 at 09:00 UTC: acknowledgement due Wednesday 17th.
    let (app, _, _) = placed("2026-06-15T09:00:00Z").await;
    app.set_time(instant("2026-06-16T09:00:00Z"));
    round(&app).await;
    assert!(alerts_to(&app, HACKNEY, "notification.undelivered").await.is_empty(), "24 hours, not over");
    app.set_time(instant("2026-06-16T09:00:01Z"));
    round(&app).await;
    let undelivered = alerts_to(&app, HACKNEY, "notification.undelivered").await;
    assert_eq!(undelivered.len(), 1, "to Leeds only: the home's copy is not chased");
    assert_eq!(undelivered[0]["payload"]["type"], "placement.started");
    assert_eq!(undelivered[0]["payload"]["recipient_la"], LEEDS);
    // Overdue from the first moment of Thursday 18th in England (23:00 UTC on the 17th, BST).
    app.set_time(instant("2026-06-17T22:59:59Z"));
    round(&app).await;
    assert!(alerts_to(&app, HACKNEY, "notification.acknowledgement_overdue").await.is_empty());
    app.set_time(instant("2026-06-17T23:00:00Z"));
    round(&app).await;
    round(&app).await;
    let overdue = alerts_to(&app, HACKNEY, "notification.acknowledgement_overdue").await;
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0]["recipient_la"], HACKNEY);
    // The alerts themselves raise no alerts, and Leeds, the recipient, is not told.
    app.set_time(instant("2026-07-01T09:00:00Z"));
    round(&app).await;
    assert_eq!(app.la(HACKNEY).inbox("").await.expect(200).items().len(), 2);
    assert!(alerts_to(&app, LEEDS, "notification.acknowledgement_overdue").await.is_empty());
}

#[actix_web::test]
async fn repeat_missing_is_told_once_per_child_however_the_scan_pages_through_episodes() {
    // Pages of 2 episodes split every child's run of episodes, and one child has more episodes
    // than a page holds: each child is still told once, of its third episode.
    let app = TestApp::start_at(instant("2026-06-30T09:00:00Z")).await;
    let (pid, urn) = app.provider_with_home().await;
    let mut children = Vec::new();
    for (given, family) in [("Amelia", "Hughes"), ("Ruby", "Lane"), ("Isla", "Fox")] {
        let c = app.child_of(HACKNEY, a_child(given, family).born("2011-03-02")).await;
        app.la(HACKNEY).place(Placement::at(&c, &urn).from("2026-06-01")).await.expect(201);
        children.push(c);
    }
    let days = ["2026-06-02", "2026-06-09", "2026-06-16", "2026-06-23", "2026-06-28"];
    let mut third = Vec::new();
    for (i, child) in children.iter().enumerate() {
        // 5, 3 and 4 episodes.
        let n = [5, 3, 4][i];
        for (k, day) in days.iter().take(n).enumerate() {
            let e = Episode::missing(child, &format!("{day}T20:00:00Z")).until(&format!("{day}T23:00:00Z"));
            let id = app.provider(&pid).report_missing(e).await.expect(201).id();
            if k == 2 {
                third.push(id);
            }
        }
    }
    app.scan_alerts_in_pages(2);
    let got = alerts_to(&app, HACKNEY, "child.repeat_missing").await;
    let mut told: Vec<&str> = got.iter().filter_map(|a| a["payload"]["episode_id"].as_str()).collect();
    told.sort_unstable();
    let mut want: Vec<&str> = third.iter().map(String::as_str).collect();
    want.sort_unstable();
    assert_eq!(told, want, "one alert per child, for its third episode");
    // A second scan, with another page size, finds nothing new.
    assert_eq!(app.scan_alerts_in_pages(3), 0);
}
