//! Quarterly returns: a home sends the quarter's missing episodes (JSON or CSV); the registry
//! checks them, reconciles them with the episodes reported as they happened, keeps every
//! version, and the host LA reviews them and sees who returned on time.

mod csv;
mod reconciliation;
mod review;
mod standing;
mod submission;
mod validation;

use crate::support::*;
use serde_json::Value;

pub const Q3: &str = "2026-Q3";

/// Two Hackney children at Oak House (Leeds) since 1 June 2026; now is Monday 5 October 2026,
/// after the end of 2026-Q3 (due 28 October).
pub struct Home {
    pub app: TestApp,
    pub provider: String,
    pub urn: String,
    pub amelia: String,
    pub ben: String,
}

pub async fn oak_house_after_q3() -> Home {
    let app = TestApp::start_at(at("2026-10-05")).await;
    let (provider, urn) = app.provider_with_home().await;
    let amelia = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    let ben = app.child_of(HACKNEY, a_child("Ben", "Clarke").born("2010-02-20")).await;
    for c in [&amelia, &ben] {
        app.la(HACKNEY).place(Placement::at(c, &urn).from("2026-06-01")).await.expect(201);
    }
    Home { app, provider, urn, amelia, ben }
}

impl Home {
    /// The home's own caller.
    pub fn home(&self) -> Actor {
        self.app.provider(&self.provider)
    }
    /// An episode the home reports as it happens; returns its id.
    pub async fn report(&self, episode: Episode) -> String {
        self.home().report_missing(episode).await.expect(201).id()
    }
}

/// A row of a return's `episodes`.
pub fn row(child: &str, kind: &str, start: &str, end: Option<&str>) -> Value {
    let r = ReturnRow::new(child, kind, start);
    match end {
        Some(end) => r.until(end).into(),
        None => r.into(),
    }
}

/// The episode ids of a summary's list (`matched`, `added`, ...).
pub fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(|e| e["episode_id"].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

#[track_caller]
pub fn assert_fields(r: &Resp, expected: &[&str]) {
    let got = r.error_fields();
    for f in expected {
        assert!(got.iter().any(|g| g == f), "expected an error on `{f}`, got {got:?}");
    }
}
