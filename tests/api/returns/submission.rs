use super::{Q3, ids, oak_house_after_q3, row};
use crate::support::*;
use reqwest::Method;
use serde_json::json;

#[actix_web::test]
async fn nil_returns_say_so_and_nothing_else() {
    let s = oak_house_after_q3().await;
    let home = s.home();
    let one = json!([row(&s.amelia, "M", "2026-07-05T10:00:00Z", Some("2026-07-05T11:00:00Z"))]);
    let r = home.submit_return(&s.urn, Q3, json!({"nil": true, "episodes": one})).await.expect_field_error(422, "nil");
    assert!(r.text.contains("nil return"));
    home.submit_return(&s.urn, Q3, json!({"nil": false, "episodes": []})).await.expect_field_error(422, "episodes");
    home.submit_return(&s.urn, Q3, json!({"episodes": one})).await.expect_field_error(422, "nil");
    home.submit_return(&s.urn, Q3, json!({"nil": false, "episodes": one, "extra": 1}))
        .await
        .expect_field_error(422, "extra");
    let path = format!("/v1/settings/{}/returns/{Q3}", s.urn);
    home.send(Method::PUT, &path, None, &[("content-type", "application/json")]).await.expect_problem(400);
    // A nil return when an episode was reported lists it as omitted.
    let reported = s.report(Episode::away(&s.ben, "2026-08-03T18:00:00Z").until("2026-08-03T21:00:00Z")).await;
    let r = home.submit_return(&s.urn, Q3, nil_return()).await.expect(201);
    assert_eq!(r.body["nil"], true);
    assert_eq!(r.body["row_count"], 0);
    assert_eq!(ids(&r.body["summary"]["omitted"]), [reported]);
}

#[actix_web::test]
async fn who_may_submit_and_read_returns() {
    let s = oak_house_after_q3().await;
    let app = &s.app;
    app.provider("another-provider").submit_return(&s.urn, Q3, nil_return()).await.expect_problem(404);
    app.la(LEEDS).submit_return(&s.urn, Q3, nil_return()).await.expect_problem(403);
    app.la(HACKNEY).submit_return(&s.urn, Q3, nil_return()).await.expect_problem(403);
    app.operator().submit_return(&s.urn, Q3, nil_return()).await.expect_problem(403);
    app.anonymous().submit_return(&s.urn, Q3, nil_return()).await.expect_problem(401);
    s.home().submit_return("SC999999", Q3, nil_return()).await.expect_problem(404);
    let read_only = app.provider_scoped(&s.provider, &["returns:read"]);
    read_only.submit_return(&s.urn, Q3, nil_return()).await.expect_problem(403);
    // No return yet: 404 to its readers too.
    app.la(LEEDS).quarterly_return(&s.urn, Q3, "").await.expect_problem(404);
    // The URN is taken in any case.
    s.home().submit_return(&s.urn.to_lowercase(), Q3, nil_return()).await.expect(201);
    s.home().quarterly_return(&s.urn, Q3, "").await.expect(200);
    app.la(LEEDS).quarterly_return(&s.urn, Q3, "").await.expect(200);
    app.la(LEEDS).returns_of_setting(&s.urn).await.expect(200);
    for (who, status) in [
        (app.provider("another-provider"), 404),
        (app.la(KENT), 404),
        (app.la(HACKNEY), 404),
        (app.operator(), 403),
        (app.anonymous(), 401),
    ] {
        who.quarterly_return(&s.urn, Q3, "").await.expect_problem(status);
        who.return_version(&s.urn, Q3, 1).await.expect_problem(status);
        who.returns_of_setting(&s.urn).await.expect_problem(status);
    }
}

#[actix_web::test]
async fn periods_are_calendar_quarters_that_have_ended() {
    let s = oak_house_after_q3().await;
    let home = s.home();
    home.submit_return(&s.urn, "2026-07", nil_return()).await.expect_field_error(422, "period");
    home.submit_return(&s.urn, "2026-Q5", nil_return()).await.expect_field_error(422, "period");
    let r = home.submit_return(&s.urn, "2026-Q4", nil_return()).await.expect_field_error(422, "period");
    assert!(r.text.contains("2027-01-01"), "{}", r.text);
    home.quarterly_return(&s.urn, "Q3-2026", "").await.expect_field_error(422, "period");
    // An Idempotency-Key makes a repeat return the first version, not a second.
    let path = format!("/v1/settings/{}/returns/{Q3}", s.urn);
    let headers = [("idempotency-key", "q3-return-1")];
    let a = home.send(Method::PUT, &path, Some(nil_return()), &headers).await.expect(201);
    let b = home.send(Method::PUT, &path, Some(nil_return()), &headers).await.expect(201);
    assert_eq!(a.body["id"], b.body["id"]);
    assert_eq!(b.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(home.quarterly_return(&s.urn, Q3, "").await.expect(200).body["version"], 1);
}

#[actix_web::test]
async fn returns_have_a_size_limit() {
    let s = oak_house_after_q3().await;
    let home = s.home();
    // 20,001 rows: refused by count.
    let mut csv = String::from("child_id,kind,started_at\n");
    for i in 0..20_001 {
        csv.push_str(&format!("{},M,2026-07-{:02}T10:00:00Z\n", s.amelia, i % 28 + 1));
    }
    let r = home.submit_return_csv(&s.urn, Q3, "", &csv).await.expect_problem(413);
    assert!(r.text.contains("20000"), "{}", r.text);
    // Over 16 MiB: refused by size.
    let big = vec![b' '; 16 * 1024 * 1024 + 1];
    let path = format!("/v1/settings/{}/returns/{Q3}", s.urn);
    let r = home.bytes("PUT", &path, "application/json", big).await.expect_problem(413);
    assert!(r.text.contains("16 MiB"), "{}", r.text);
    // A thousand episodes of one return go in.
    let mut episodes = Vec::new();
    for day in 0..92 {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 7, 1).expect("date") + chrono::TimeDelta::days(day);
        for h in 0..11 {
            let child = if h % 2 == 0 { &s.amelia } else { &s.ben };
            let start = d.and_hms_opt(h * 2, 0, 0).expect("time").and_utc();
            let end = start + chrono::TimeDelta::minutes(90);
            episodes.push(row(child, "M", &start.to_rfc3339(), Some(&end.to_rfc3339())));
        }
    }
    episodes.truncate(1000);
    let r = home.submit_return(&s.urn, Q3, return_of(episodes)).await.expect(201);
    assert_eq!(r.body["summary"]["counts"]["added"], 1000);
}
