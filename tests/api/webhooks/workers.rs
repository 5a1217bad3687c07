use super::{Receiver, deliveries, place_in_leeds, register, run};
use crate::support::*;
use chrono::TimeDelta;
use serde_json::json;

#[actix_web::test]
async fn webhooks_survive_a_worker_that_dies_holding_a_lease() {
    let app = TestApp::start().await;
    let rx = Receiver::start().await;
    let (_, home) = app.provider_with_home().await;
    let (hook, _) = register(&app, LEEDS, &rx.url("/in"), &["placement.started"]).await;
    place_in_leeds(&app, &home, "Amelia").await;

    let crashed = app.webhook_worker("w1");
    assert_eq!(crashed.claim().await.len(), 1);
    drop(crashed);
    assert_eq!(run(&app, "w2").await, 0, "leased to w1");
    app.advance(TimeDelta::seconds(59));
    assert_eq!(run(&app, "w2").await, 0, "lease not yet expired");
    assert!(rx.received().is_empty());
    app.advance(TimeDelta::seconds(2));
    assert_eq!(run(&app, "w2").await, 1);
    assert_eq!(run(&app, "w1").await, 0);
    let got = rx.received();
    assert_eq!(got.len(), 1);
    let d = &deliveries(&app, &hook).await[0];
    assert_eq!(d["status"], "delivered");
    assert_eq!(d["notification_id"], json!(got[0].header("webhook-id")));
}

#[actix_web::test]
async fn webhooks_concurrent_workers_never_claim_the_same_delivery() {
    let app = TestApp::start().await;
    let rx = Receiver::start().await;
    let (_, home) = app.provider_with_home().await;
    for path in ["/a", "/b", "/c", "/d"] {
        register(&app, LEEDS, &rx.url(path), &["*"]).await;
    }
    place_in_leeds(&app, &home, "Amelia").await;
    place_in_leeds(&app, &home, "Bethany").await;
    let (w1, w2, w3) = (app.webhook_worker("w1"), app.webhook_worker("w2"), app.webhook_worker("w3"));
    let (a, b, c) = tokio::join!(w1.claim(), w2.claim(), w3.claim());
    let mut all: Vec<String> = [a, b, c].concat();
    assert_eq!(all.len(), 8, "eight deliveries claimed once each");
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 8, "no delivery claimed twice");
    let (a, b, c) = tokio::join!(w1.run_once(), w2.run_once(), w3.run_once());
    assert_eq!(a + b + c, 0, "all leased, nothing to send yet");
    app.advance(TimeDelta::seconds(61));
    let (a, b, c) = tokio::join!(w1.run_once(), w2.run_once(), w3.run_once());
    assert_eq!(a + b + c, 8);
    let got = rx.received();
    assert_eq!(got.len(), 8);
    let mut pairs: Vec<(String, String)> =
        got.iter().map(|r| (r.path.clone(), r.header("webhook-id").to_string())).collect();
    pairs.sort();
    pairs.dedup();
    assert_eq!(pairs.len(), 8, "each message once per endpoint");
}

#[actix_web::test]
async fn webhooks_deliver_only_the_subscribed_event_types() {
    let app = TestApp::start().await;
    let rx = Receiver::start().await;
    let (_, home) = app.provider_with_home().await;
    let (ended, _) = register(&app, LEEDS, &rx.url("/ended"), &["placement.ended"]).await;
    let (started, _) = register(&app, LEEDS, &rx.url("/started"), &["placement.started"]).await;
    let (all, _) = register(&app, LEEDS, &rx.url("/all"), &["*"]).await;
    let (_, kent_secret) = register(&app, KENT, &rx.url("/kent"), &["*"]).await;
    assert!(!kent_secret.is_empty());
    let placement = place_in_leeds(&app, &home, "Amelia").await;
    assert_eq!(run(&app, "w1").await, 2);
    let mut paths: Vec<String> = rx.received().iter().map(|r| r.path.clone()).collect();
    paths.sort();
    assert_eq!(paths, ["/all", "/started"]);
    let ids: Vec<String> = rx.received().iter().map(|r| r.header("webhook-id").to_string()).collect();
    assert_eq!(ids[0], ids[1], "one message id for every endpoint");
    assert!(deliveries(&app, &ended).await.is_empty());
    assert_eq!(deliveries(&app, &started).await.len(), 1);

    app.advance(TimeDelta::hours(1));
    app.la(HACKNEY).end_placement(&placement, Ending::on("2026-06-15", "E4A")).await.expect(200);
    assert_eq!(run(&app, "w1").await, 2);
    let got = rx.received();
    let mut later: Vec<(String, String)> =
        got[2..].iter().map(|r| (r.path.clone(), r.json()["type"].as_str().unwrap_or_default().to_string())).collect();
    later.sort();
    assert_eq!(
        later,
        [("/all".to_string(), "placement.ended".to_string()), ("/ended".into(), "placement.ended".into())]
    );
    let d = deliveries(&app, &all).await;
    assert_eq!(d.len(), 2);
    assert_eq!(d[0]["notification_type"], "placement.ended", "newest first");
    assert_eq!(d[1]["notification_type"], "placement.started");
    let page = app.la(LEEDS).deliveries(&all, "limit=1").await.expect(200);
    let cursor = page.next_cursor().expect("next page");
    let next = app.la(LEEDS).deliveries(&all, &format!("limit=1&cursor={cursor}")).await.expect(200);
    assert_eq!(next.body["items"][0]["notification_type"], "placement.started");
    assert!(next.body["next_cursor"].is_null());
}
