//! The places, times and standing data the tests are written in.

use super::app::TestApp;
use super::builders::Setting;
use chrono::{DateTime, TimeZone, Utc};

pub const HACKNEY: &str = "E09000012";
pub const LEEDS: &str = "E08000035";
pub const KENT: &str = "E10000016";
pub const MANCHESTER: &str = "E08000003";
/// Real postcodes from the ONS directory.
pub const LEEDS_POSTCODE: &str = "LS1 4AP";
pub const HACKNEY_POSTCODE: &str = "E8 1DY";
pub const KENT_POSTCODE: &str = "CT1 2EH";
pub const CARDIFF_POSTCODE: &str = "CF10 1EP";
/// Brightwater's children's home in Leeds, made by [`TestApp::provider_with_home`].
pub const OAK_HOUSE: &str = "SC480011";
/// The URN a foster placement through an agency is recorded under.
pub const AGENCY: &str = "SC057821";

/// A UTC instant at 09:00 on a date (`YYYY-MM-DD`).
pub fn at(date: &str) -> DateTime<Utc> {
    let d: chrono::NaiveDate = date.parse().expect("date");
    d.and_hms_opt(9, 0, 0).expect("time").and_utc()
}

/// An RFC 3339 instant.
pub fn instant(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("instant").to_utc()
}

/// Monday 15 June 2026, 09:00 UTC: where the clock starts unless a test says otherwise.
pub fn default_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 15, 9, 0, 0).single().expect("valid time")
}

impl TestApp {
    /// A provider (Brightwater Care Ltd) with one children's home, Oak House in Leeds; returns
    /// (provider id, URN).
    pub async fn provider_with_home(&self) -> (String, String) {
        let pid = self.operator().create_provider("Brightwater Care Ltd").await.expect(201).id();
        self.operator().create_setting(Setting::new(OAK_HOUSE, &pid, "Oak House")).await.expect(201);
        (pid, OAK_HOUSE.to_string())
    }

    /// Another children's home of `provider` in Leeds.
    pub async fn home_of(&self, provider: &str, urn: &str, name: &str) {
        self.operator().create_setting(Setting::new(urn, provider, name)).await.expect(201);
    }

    /// A child registered by `la`; returns its id.
    pub async fn child_of(&self, la: &str, child: super::builders::Child) -> String {
        self.la(la).register_child(child).await.expect(201).id()
    }
}
