use super::{alerts_to, round};
use crate::support::*;
use serde_json::json;

#[actix_web::test]
async fn a_quarterly_return_due_soon_late_and_missing_is_told_to_the_home_and_the_host_la() {
    // 2026-Q2 ends on 30 June; its return is due on 28 July.
    let app = TestApp::start_at(instant("2026-06-20T09:00:00Z")).await;
    let (pid, urn) = app.provider_with_home().await;
    app.home_of(&pid, "SC480022", "Birch House").await;
    // A home registered after the quarter owes nothing for it.
    app.set_time(instant("2026-07-01T09:00:00Z"));
    app.home_of(&pid, "SC480033", "Cedar House").await;
    app.provider(&pid).submit_return("SC480022", "2026-Q2", json!({"nil": true, "episodes": []})).await.expect(201);
    let home_alerts = |kind: &'static str| {
        let app = &app;
        let pid = pid.clone();
        async move { app.provider(&pid).inbox(&format!("type={kind}")).await.expect(200).items() }
    };
    // Due soon from 21 July in England: 23:00 UTC on the 20th (BST).
    app.set_time(instant("2026-07-20T22:59:59Z"));
    round(&app).await;
    assert!(home_alerts("return.due_soon").await.is_empty());
    app.set_time(instant("2026-07-20T23:00:00Z"));
    round(&app).await;
    let soon = home_alerts("return.due_soon").await;
    assert_eq!(soon.len(), 1, "Birch House has returned, Cedar House owes nothing; Oak House has not");
    assert_eq!(soon[0]["payload"]["urn"], json!(urn));
    assert_eq!(soon[0]["payload"]["period"], "2026-Q2");
    assert_eq!(soon[0]["payload"]["due_by"], "2026-07-28");
    assert_eq!(alerts_to(&app, LEEDS, "return.due_soon").await.len(), 1);
    // Late from 29 July in England.
    app.set_time(instant("2026-07-28T22:59:59Z"));
    round(&app).await;
    assert!(home_alerts("return.late").await.is_empty());
    app.set_time(instant("2026-07-28T23:00:00Z"));
    round(&app).await;
    round(&app).await;
    assert_eq!(home_alerts("return.late").await.len(), 1);
    assert_eq!(alerts_to(&app, LEEDS, "return.late").await.len(), 1);
    // Missing 28 days after it was due: from 26 August in England.
    app.set_time(instant("2026-08-25T22:59:59Z"));
    round(&app).await;
    assert!(home_alerts("return.missing").await.is_empty());
    app.set_time(instant("2026-08-25T23:00:00Z"));
    round(&app).await;
    assert_eq!(home_alerts("return.missing").await.len(), 1);
    assert_eq!(alerts_to(&app, LEEDS, "return.missing").await.len(), 1);
    assert_eq!(home_alerts("return.due_soon").await.len(), 1, "each once");
    // Kent, with no home here, hears nothing.
    assert!(app.la(KENT).inbox("").await.expect(200).items().is_empty());
}

#[actix_web::test]
async fn a_return_submitted_in_time_raises_nothing() {
    let app = TestApp::start_at(instant("2026-06-20T09:00:00Z")).await;
    let (pid, urn) = app.provider_with_home().await;
    app.set_time(instant("2026-07-01T09:00:00Z"));
    app.provider(&pid).submit_return(&urn, "2026-Q2", json!({"nil": true, "episodes": []})).await.expect(201);
    for day in ["2026-07-25", "2026-08-01", "2026-09-01"] {
        app.set_time(at(day));
        round(&app).await;
    }
    let inbox = app.provider(&pid).inbox("").await.expect(200).column("type");
    assert!(
        inbox.iter().all(|t| !t.starts_with("return.due") && t != "return.late" && t != "return.missing"),
        "{inbox:?}"
    );
}
