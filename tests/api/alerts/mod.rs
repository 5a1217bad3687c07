//! Alerts: when a clock runs out, the registry tells those who must act, once, at the right
//! instant by the test clock, however many workers run.

mod clocks;
mod returns;
mod workers;

use crate::support::*;
use serde_json::Value;

/// Hackney's child placed at Brightwater's Oak House in Leeds from 1 June 2026, with the clock at
/// `now`; returns (app, provider id, child id).
pub async fn placed(now: &str) -> (TestApp, String, String) {
    let app = TestApp::start_at(instant(now)).await;
    let (pid, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    app.la(HACKNEY).place(Placement::at(&child, &urn).from("2026-06-01")).await.expect(201);
    (app, pid, child)
}

/// One round of the alerts worker `w1`; how many alerts it raised.
pub async fn round(app: &TestApp) -> usize {
    app.alerts_worker("w1").run_once().await.expect("the lease is free")
}

/// The notifications of `kind` in an LA's inbox.
pub async fn alerts_to(app: &TestApp, la: &str, kind: &str) -> Vec<Value> {
    app.la(la).inbox(&format!("type={kind}")).await.expect(200).items()
}
