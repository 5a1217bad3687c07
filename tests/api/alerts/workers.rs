use super::{alerts_to, placed};
use crate::support::*;
use chrono::TimeDelta;

/// A child missing for two days: two `missing.long` alerts (Hackney and Leeds) are due.
async fn missing_for_two_days() -> (TestApp, String) {
    let (app, pid, child) = placed("2026-06-12T09:00:00Z").await;
    app.provider(&pid).report_missing(Episode::missing(&child, "2026-06-12T08:30:00Z")).await.expect(201);
    app.set_time(instant("2026-06-14T09:00:00Z"));
    (app, child)
}

#[actix_web::test]
async fn two_workers_at_once_raise_each_alert_once() {
    let (app, _) = missing_for_two_days().await;
    let (w1, w2) = (app.alerts_worker("w1"), app.alerts_worker("w2"));
    let (a, b) = tokio::join!(w1.run_once(), w2.run_once());
    let raised: usize = [a, b].into_iter().flatten().sum();
    assert!(raised > 0);
    for _ in 0..3 {
        let (a, b) = tokio::join!(w1.run_once(), w2.run_once());
        assert_eq!([a, b].into_iter().flatten().sum::<usize>(), 0);
    }
    assert_eq!(alerts_to(&app, HACKNEY, "missing.long").await.len(), 1);
    assert_eq!(alerts_to(&app, LEEDS, "missing.long").await.len(), 1);
}

#[actix_web::test]
async fn the_alert_key_keeps_each_alert_to_one_even_without_the_lease() {
    let (app, _) = missing_for_two_days().await;
    assert!(app.scan_alerts_without_lease() > 0);
    assert_eq!(app.scan_alerts_without_lease(), 0);
    assert_eq!(app.alerts_worker("w1").run_once().await, Some(0));
    assert_eq!(alerts_to(&app, LEEDS, "missing.long").await.len(), 1);
}

#[actix_web::test]
async fn a_worker_that_dies_holding_the_lease_delays_alerts_until_it_expires() {
    let (app, _) = missing_for_two_days().await;
    assert!(app.alerts_worker("w1").lease().await);
    let w2 = app.alerts_worker("w2");
    assert_eq!(w2.run_once().await, None, "leased to w1");
    app.advance(TimeDelta::seconds(59));
    assert_eq!(w2.run_once().await, None, "not yet expired");
    assert!(alerts_to(&app, LEEDS, "missing.long").await.is_empty());
    app.advance(TimeDelta::seconds(2));
    assert!(w2.run_once().await.is_some_and(|n| n > 0));
    assert_eq!(alerts_to(&app, LEEDS, "missing.long").await.len(), 1);
}
