use super::{Receiver, deliveries, instant_of, place_in_leeds, register, run, sent, verify};
use crate::support::internals::stored_deliveries;
use crate::support::*;
use chrono::TimeDelta;
use serde_json::json;

#[actix_web::test]
async fn webhooks_deliver_a_signed_notification() {
    let app = TestApp::start().await;
    let rx = Receiver::start().await;
    let (_, home) = app.provider_with_home().await;
    let (hook, secret) = register(&app, LEEDS, &rx.url("/hooks"), &["placement.started"]).await;
    let placement = place_in_leeds(&app, &home, "Amelia").await;

    assert_eq!(run(&app, "w1").await, 1);
    let got = rx.received();
    assert_eq!(got.len(), 1);
    let r = &got[0];
    assert_eq!(r.path, "/hooks");
    assert_eq!(r.header("content-type"), "application/json");
    assert_eq!(r.header("webhook-timestamp"), app.now().timestamp().to_string());
    verify(&secret, r);
    let n = r.json();
    assert_eq!(n["id"], json!(r.header("webhook-id")));
    assert_eq!(n["type"], "placement.started");
    assert_eq!(n["recipient_la"], LEEDS);
    assert_eq!(n["placement_id"], json!(placement));

    let d = deliveries(&app, &hook).await;
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["notification_id"], json!(r.header("webhook-id")));
    assert_eq!(d[0]["notification_type"], "placement.started");
    assert_eq!(d[0]["status"], "delivered");
    assert_eq!(d[0]["attempt_count"], 1);
    assert!(d[0]["delivered_at"].is_string() && d[0]["next_attempt_at"].is_null());
    assert_eq!(d[0]["attempts"].as_array().map(Vec::len), Some(1));
    assert_eq!(d[0]["attempts"][0]["status_code"], 204);
    assert!(d[0]["attempts"][0]["duration_ms"].as_i64().is_some());
    // The sender sees it delivered; nothing more to send.
    let s = sent(&app).await;
    assert!(s[0]["delivered_at"].is_string() && s[0]["escalated"] == json!(false), "{s:?}");
    app.advance(TimeDelta::hours(2));
    assert_eq!(run(&app, "w1").await, 0);
    assert_eq!(rx.received().len(), 1);
}

#[actix_web::test]
async fn webhooks_retry_failures_with_backoff_until_delivered() {
    let app = TestApp::start().await;
    let rx = Receiver::start().await;
    let (_, home) = app.provider_with_home().await;
    let (hook, secret) = register(&app, LEEDS, &rx.url("/in"), &["*"]).await;
    place_in_leeds(&app, &home, "Amelia").await;
    for _ in 0..3 {
        rx.answer(500, &[]);
    }
    for i in 1..=3i64 {
        assert_eq!(run(&app, "w1").await, 1, "attempt {i}");
        let d = &deliveries(&app, &hook).await[0];
        assert_eq!(d["status"], "pending");
        assert_eq!(d["attempt_count"], i);
        assert!(d["last_error"].as_str().is_some_and(|e| e.contains("500")), "{d}");
        // Full jitter: somewhere between now and 2^attempts seconds later.
        let wait = instant_of(&d["next_attempt_at"]) - app.now();
        assert!(wait >= TimeDelta::zero() && wait <= TimeDelta::seconds(1 << i), "attempt {i}: {wait}");
        app.advance(TimeDelta::hours(1));
    }
    // Undelivered for more than 24 hours: the sender sees an escalation; the delivery goes on.
    app.advance(TimeDelta::hours(22));
    assert_eq!(sent(&app).await[0]["escalated"], true);
    assert_eq!(deliveries(&app, &hook).await[0]["status"], "pending");
    rx.answer(200, &[]);
    assert_eq!(run(&app, "w1").await, 1);

    let got = rx.received();
    assert_eq!(got.len(), 4);
    let id = got[0].header("webhook-id").to_string();
    assert!(!id.is_empty());
    for r in &got {
        assert_eq!(r.header("webhook-id"), id, "the same message id on every retry");
        verify(&secret, r);
    }
    let stamps: Vec<i64> = got.iter().map(|r| r.header("webhook-timestamp").parse().expect("timestamp")).collect();
    assert!(stamps.windows(2).all(|w| w[0] < w[1]), "{stamps:?}");
    let d = &deliveries(&app, &hook).await[0];
    assert_eq!(d["status"], "delivered");
    assert_eq!(d["attempt_count"], 4);
    assert!(d["last_error"].is_null());
    let codes: Vec<i64> =
        d["attempts"].as_array().expect("attempts").iter().filter_map(|a| a["status_code"].as_i64()).collect();
    assert_eq!(codes, [500, 500, 500, 200]);
    assert!(d["attempts"][0]["error"].as_str().is_some_and(|e| e.contains("500")));
    assert!(d["attempts"][3]["error"].is_null());
    let s = sent(&app).await;
    assert!(s[0]["delivered_at"].is_string() && s[0]["escalated"] == json!(false), "{s:?}");
}

#[actix_web::test]
async fn webhooks_honour_retry_after() {
    let app = TestApp::start().await;
    let rx = Receiver::start().await;
    let (_, home) = app.provider_with_home().await;
    let (hook, _) = register(&app, LEEDS, &rx.url("/in"), &["placement.started"]).await;
    place_in_leeds(&app, &home, "Amelia").await;
    rx.answer(429, &[("retry-after", "120")]);
    assert_eq!(run(&app, "w1").await, 1);
    let d = &deliveries(&app, &hook).await[0];
    assert_eq!(d["status"], "pending");
    assert_eq!(instant_of(&d["next_attempt_at"]), app.now() + TimeDelta::seconds(120));
    assert_eq!(d["attempts"][0]["status_code"], 429);
    app.advance(TimeDelta::seconds(119));
    assert_eq!(run(&app, "w1").await, 0, "not due before Retry-After");
    app.advance(TimeDelta::seconds(1));
    assert_eq!(run(&app, "w1").await, 1);
    assert_eq!(rx.received().len(), 2);
    assert_eq!(deliveries(&app, &hook).await[0]["status"], "delivered");
}

#[actix_web::test]
async fn webhooks_stop_on_a_permanent_refusal() {
    let app = TestApp::start().await;
    let rx = Receiver::start().await;
    let (_, home) = app.provider_with_home().await;
    let (hook, _) = register(&app, LEEDS, &rx.url("/gone"), &["placement.started"]).await;
    place_in_leeds(&app, &home, "Amelia").await;
    rx.answer(410, &[]);
    assert_eq!(run(&app, "w1").await, 1);
    let d = &deliveries(&app, &hook).await[0];
    assert_eq!(d["status"], "failed");
    assert_eq!(d["attempt_count"], 1);
    assert!(d["next_attempt_at"].is_null());
    assert!(d["last_error"].as_str().is_some_and(|e| e.contains("410")), "{d}");
    app.advance(TimeDelta::hours(3));
    assert_eq!(run(&app, "w1").await, 0);
    assert_eq!(rx.received().len(), 1);
    // Still visible, with its one attempt.
    let failed = app.la(LEEDS).deliveries(&hook, "status=failed").await.expect(200);
    assert_eq!(failed.body["items"][0]["attempts"].as_array().map(Vec::len), Some(1));
    let pending = app.la(LEEDS).deliveries(&hook, "status=pending").await.expect(200);
    assert_eq!(pending.body["items"], json!([]));
}

#[actix_web::test]
async fn webhooks_send_nothing_to_a_disabled_endpoint() {
    let app = TestApp::start().await;
    let rx = Receiver::start().await;
    let (_, home) = app.provider_with_home().await;
    let (before, _) = register(&app, LEEDS, &rx.url("/before"), &["*"]).await;
    let (after, _) = register(&app, LEEDS, &rx.url("/after"), &["*"]).await;
    let leeds = app.la(LEEDS);
    leeds.delete_webhook(&before).await.expect(204);
    place_in_leeds(&app, &home, "Amelia").await;
    // Queued for the active endpoint only; then that one is disabled before the worker runs.
    assert!(stored_deliveries(&app, &before).is_empty());
    assert_eq!(deliveries(&app, &after).await[0]["status"], "pending");
    leeds.delete_webhook(&after).await.expect(204);
    assert_eq!(run(&app, "w1").await, 0);
    app.advance(TimeDelta::hours(2));
    assert_eq!(run(&app, "w1").await, 0);
    assert!(rx.received().is_empty());
    // A deleted endpoint is gone from the API; its queued delivery is kept, cancelled.
    app.la(LEEDS).deliveries(&after, "").await.expect_problem(404);
    assert_eq!(stored_deliveries(&app, &after), vec![("cancelled".to_string(), 0)]);
    // The notification is still in the LA's inbox.
    assert_eq!(app.la(LEEDS).inbox("").await.expect(200).count(), Some(1));
}

#[actix_web::test]
async fn webhooks_retry_an_endpoint_that_does_not_answer() {
    let app = TestApp::start().await;
    let (_, home) = app.provider_with_home().await;
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let (hook, _) = register(&app, LEEDS, &format!("http://127.0.0.1:{closed}/in"), &["*"]).await;
    place_in_leeds(&app, &home, "Amelia").await;
    assert_eq!(run(&app, "w1").await, 1);
    let d = &deliveries(&app, &hook).await[0];
    assert_eq!(d["status"], "pending");
    assert!(d["attempts"][0]["status_code"].is_null());
    assert!(d["attempts"][0]["error"].as_str().is_some_and(|e| e.contains("connect")), "{d}");
}
