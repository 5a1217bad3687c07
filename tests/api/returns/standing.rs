use super::{Q3, oak_house_after_q3};
use crate::support::*;
use serde_json::json;

#[actix_web::test]
async fn the_host_la_sees_which_settings_returned_on_time_late_or_not_at_all() {
    let s = oak_house_after_q3().await;
    s.app.home_of(&s.provider, "SC480012", "Elm House").await;
    s.app.home_of(&s.provider, "SC480013", "Ash House").await;
    // Tokens are issued at the clock's time, so each step takes fresh ones.
    let home = || s.home();
    let host = || s.app.la(LEEDS);
    let q3 = format!("period={Q3}");
    // Before the due date: nothing is missing yet.
    let r = host().returns_in_area(LEEDS, &q3).await.expect(200);
    assert_eq!(r.body["due_by"], "2026-10-28");
    assert_eq!(r.body["counts"], json!({"received": 0, "late": 0, "missing": 0, "not_due": 3}));
    home().submit_return(&s.urn, Q3, nil_return()).await.expect(201);
    // On the due date it is still on time; the day after, late.
    s.app.set_time(at("2026-10-28"));
    home().submit_return("SC480012", Q3, nil_return()).await.expect(201);
    s.app.set_time(at("2026-10-29"));
    let late = home().submit_return("SC480013", Q3, nil_return()).await.expect(201);
    assert_eq!(late.body["received_on_time"], false);
    let host = host();
    let r = host.returns_in_area(LEEDS, &q3).await.expect(200);
    let standing: Vec<(String, String)> = r.column("urn").into_iter().zip(r.column("standing")).collect();
    assert_eq!(
        standing,
        [("SC480011", "received"), ("SC480012", "received"), ("SC480013", "late")].map(|(u, s)| (u.into(), s.into()))
    );
    assert_eq!(r.body["items"][0]["latest_version"], 1);
    assert_eq!(r.body["items"][0]["status"], "submitted");
    assert_eq!(r.body["items"][0]["setting_name"], "Oak House");
    // A quarter nobody returned, past due: all missing. The default is the latest quarter past due.
    let q2 = host.returns_in_area(LEEDS, "period=2026-Q2").await.expect(200);
    assert_eq!(q2.body["counts"], json!({"received": 0, "late": 0, "missing": 3, "not_due": 0}));
    assert_eq!(q2.body["items"][0]["standing"], "missing");
    assert_eq!(host.returns_in_area(LEEDS, "").await.expect(200).body["period"], Q3);
    s.app.set_time(at("2026-10-28"));
    let earlier = s.app.la(LEEDS).returns_in_area(LEEDS, "").await.expect(200);
    assert_eq!(earlier.body["period"], "2026-Q2");
    // Paging.
    s.app.set_time(at("2026-10-29"));
    let page = host.returns_in_area(LEEDS, &format!("{q3}&limit=2")).await.expect(200);
    assert_eq!(page.count(), Some(2));
    let cursor = page.next_cursor().expect("cursor");
    let rest = host.returns_in_area(LEEDS, &format!("{q3}&limit=2&cursor={cursor}")).await.expect(200);
    assert_eq!(rest.body["items"][0]["urn"], "SC480013");
    assert!(rest.body.get("next_cursor").is_none());
    // Only the LA itself.
    s.app.la(KENT).returns_in_area(LEEDS, "").await.expect_problem(403);
    home().returns_in_area(LEEDS, "").await.expect_problem(403);
    s.app.la(KENT).returns_in_area("E99999999", "").await.expect_problem(404);
    host.returns_in_area(LEEDS, "period=2026-Q9").await.expect_field_error(422, "period");
}
