//! The demo that `serve --demo` loads (the README's first command) whatever the day: its
//! children keep their ages, so their placements stay ones the registry accepts.

use crate::support::internals::load_demo;
use crate::support::*;
use chrono::{TimeZone, Utc};

#[actix_web::test]
async fn the_demo_loads_on_any_day_and_leeds_sees_who_is_placed_there() {
    for year in [2026, 2029, 2034] {
        let app =
            TestApp::configure().at(Utc.with_ymd_and_hms(year, 9, 1, 9, 0, 0).single().expect("a date")).start().await;
        assert_eq!(load_demo(&app), Ok(true), "the demo as of {year}");
        let leeds = app.la(LEEDS).placed_children("").await.expect(200);
        let mut names = leeds.column("given_name");
        names.sort();
        assert_eq!(names, ["Amelia", "Jayden", "Kai"], "as of {year}");
        assert_eq!(load_demo(&app), Ok(false), "loaded only into an empty database");
    }
}
