//! Missing from care: a home or an LA reports an episode, both LAs are told, and the statutory
//! return interview clock runs; the DfE rules on episodes.

mod interviews;
mod reporting;
mod rules;

use crate::support::*;

/// A Hackney child at Oak House (Leeds) since 1 June 2026; now is Monday 15 June 09:00.
pub struct Placed {
    pub app: TestApp,
    pub provider: String,
    pub child: String,
    pub placement: String,
}

pub async fn placed_at_oak_house() -> Placed {
    let app = TestApp::start().await;
    let (provider, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    let placement = app.la(HACKNEY).place(Placement::at(&child, &urn).from("2026-06-01")).await.expect(201).id();
    Placed { app, provider, child, placement }
}
