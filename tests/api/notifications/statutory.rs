use crate::support::*;
use serde_json::{Value, json};

/// Hackney places `placement` in Kent; returns the statutory clock of Kent's newest
/// `placement.started` notification.
async fn started_statutory(app: &TestApp, placement: Placement) -> Value {
    app.la(HACKNEY).place(placement).await.expect(201);
    let r = app.la(KENT).inbox("type=placement.started&limit=1").await.expect(200);
    r.items()[0]["statutory"].clone()
}

#[actix_web::test]
async fn the_statutory_clock_of_reg_13_4() {
    // Monday 15 June 2026.
    let app = TestApp::start().await;
    let a = app.child_of(HACKNEY, a_child("Ann", "Planned").born("2010-01-01")).await;
    let s = started_statutory(&app, Placement::foster(&a, KENT_POSTCODE).from("2026-06-22")).await;
    assert_eq!(s["regulation"], "13(4)");
    assert_eq!(s["status"], "on_time");
    assert_eq!(s["due_by"], "2026-06-22");
    // Planned placement that started the Friday before: one working day late.
    let b = app.child_of(HACKNEY, a_child("Ben", "Late").born("2010-01-01")).await;
    let s = started_statutory(&app, Placement::foster(&b, KENT_POSTCODE).from("2026-06-12")).await;
    assert_eq!(s["status"], "late");
    assert_eq!(s["late_by_working_days"], 1);
    // Emergency placement on Monday 8 June: five working days run to Monday 15 June.
    let c = app.child_of(HACKNEY, a_child("Cal", "Emergency").born("2010-01-01")).await;
    let s = started_statutory(&app, Placement::foster(&c, KENT_POSTCODE).from("2026-06-08").emergency()).await;
    assert_eq!(
        (s["status"].clone(), s["due_by"].clone(), s["emergency"].clone()),
        (json!("on_time"), json!("2026-06-15"), json!(true))
    );
    // Emergency placement on Friday 5 June: due Friday 12 June, one working day late.
    let d = app.child_of(HACKNEY, a_child("Dee", "Emergency").born("2010-01-01")).await;
    let s = started_statutory(&app, Placement::foster(&d, KENT_POSTCODE).from("2026-06-05").emergency()).await;
    assert_eq!((s["status"].clone(), s["late_by_working_days"].clone()), (json!("late"), json!(1)));
}

#[actix_web::test]
async fn bank_holidays_stop_the_clock() {
    // Friday 29 May 2026; Monday 25 May was the spring bank holiday.
    let app = TestApp::start_at(at("2026-05-29")).await;
    let a = app.child_of(HACKNEY, a_child("Eve", "Holiday").born("2010-01-01")).await;
    let s = started_statutory(&app, Placement::foster(&a, KENT_POSTCODE).from("2026-05-21").emergency()).await;
    assert_eq!((s["status"].clone(), s["due_by"].clone()), (json!("on_time"), json!("2026-05-29")));
    // With a configured calendar that has no bank holidays, the same notice is late.
    let dir = crate::support::tempdir::tempdir().expect("tmp");
    let file = dir.path().join("holidays.csv");
    std::fs::write(&file, "date,name\n2026-12-25,Christmas Day\n").expect("write");
    let app = TestApp::configure().at(at("2026-05-29")).bank_holidays_file(file).start().await;
    let a = app.child_of(HACKNEY, a_child("Eve", "Holiday").born("2010-01-01")).await;
    let s = started_statutory(&app, Placement::foster(&a, KENT_POSTCODE).from("2026-05-21").emergency()).await;
    assert_eq!((s["status"].clone(), s["due_by"].clone()), (json!("late"), json!("2026-05-28")));
}

#[actix_web::test]
async fn the_statutory_clock_of_reg_14() {
    let app = TestApp::start_at(at("2026-05-01")).await;
    let child = app.child_of(HACKNEY, a_child("Fay", "Ending").born("2010-01-01")).await;
    let p = app.la(HACKNEY).place(Placement::foster(&child, KENT_POSTCODE).from("2026-04-01")).await.expect(201).id();
    // Ended 1 June, recorded 16 June: ten working days ran to 15 June.
    app.set_time(at("2026-06-16"));
    app.la(HACKNEY).end_placement(&p, Ending::on("2026-06-01", "E4A")).await.expect(200);
    let r = app.la(KENT).inbox("type=placement.ended").await.expect(200);
    let s = &r.items()[0]["statutory"];
    assert_eq!(
        (s["regulation"].clone(), s["due_by"].clone(), s["status"].clone()),
        (json!("14"), json!("2026-06-15"), json!("late"))
    );
    assert_eq!(s["late_by_working_days"], 1);
    // Notice of a planned end, before it: on time.
    let other = app.child_of(HACKNEY, a_child("Gus", "Planned").born("2010-01-01")).await;
    let q = app.la(HACKNEY).place(Placement::foster(&other, KENT_POSTCODE).from("2026-06-01")).await.expect(201).id();
    app.la(HACKNEY).end_placement(&q, Ending::on("2026-07-01", "E4A")).await.expect(200);
    let r = app.la(KENT).inbox("type=placement.ended&limit=1").await.expect(200);
    assert_eq!(r.items()[0]["statutory"]["status"], "on_time");
}
