use crate::common::*;
use chrono::TimeDelta;
use serde_json::{Value, json};

struct Setup {
    app: TestApp,
    provider: String,
    urn: String,
    child: String,
    placement: String,
}

/// A Hackney child at Oak House (Leeds) since 1 June 2026; now is Monday 15 June 09:00.
async fn setup() -> Setup {
    let app = TestApp::start().await;
    let (provider, urn) = app.provider_with_home().await;
    let child = app.child(HACKNEY, "Amelia", "Hughes", "2011-05-14").await;
    let p = app.la(HACKNEY).post("/v1/placements", setting_placement(&child, &urn, "2026-06-01")).await.expect(201);
    Setup { app, provider, urn, child, placement: p.id() }
}

fn episode(child: &str, started: &str) -> Value {
    json!({"child_id": child, "kind": "M", "started_at": started})
}

fn rules(r: &Resp) -> Vec<String> {
    r.body["errors"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["rule"].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

#[actix_rt::test]
async fn a_home_reports_a_child_missing_overnight_and_both_las_see_it() {
    let s = setup().await;
    s.app.clock.set(chrono::DateTime::parse_from_rfc3339("2026-06-14T23:20:00Z").expect("t").to_utc());
    let mut body = episode(&s.child, "2026-06-14T23:10:00Z");
    body["reported_to_police_at"] = json!("2026-06-14T23:15:00Z");
    body["police_reference"] = json!("WY-2026-1234");
    body["risk_indicators"] = json!(["criminal_exploitation", "substance_misuse"]);
    let r = s.app.provider(&s.provider).post("/v1/missing-episodes", body).await.expect(201);
    let id = r.id();
    assert_eq!(r.body["placement_id"], json!(s.placement));
    assert_eq!(r.body["flags"]["currently_missing"], true);
    assert_eq!(r.body["flags"]["missing_for_minutes"], 10);
    assert_eq!(r.body["flags"]["return_interview"]["status"], "not_due");
    assert_eq!(r.body["source"], "real_time");
    // Both LAs are told at once, and see the child as missing.
    for la in [HACKNEY, LEEDS] {
        let inbox = s.app.la(la).get("/v1/notifications?type=missing.started").await.expect(200);
        assert_eq!(inbox.body["items"][0]["payload"]["episode_id"], json!(id), "{la}");
        let child = s.app.la(la).get(&format!("/v1/children/{}", s.child)).await.expect(200);
        assert_eq!(child.body["missing"]["currently_missing"], true);
        s.app.la(la).get(&format!("/v1/missing-episodes/{id}")).await.expect(200);
    }
    s.app.la(KENT).get(&format!("/v1/missing-episodes/{id}")).await.expect_problem(404);
    s.app.provider("another").get(&format!("/v1/missing-episodes/{id}")).await.expect_problem(404);
    // Returned at 02:30: the 72-hour return interview clock starts.
    s.app.clock.set(chrono::DateTime::parse_from_rfc3339("2026-06-15T03:00:00Z").expect("t").to_utc());
    let path = format!("/v1/missing-episodes/{id}");
    s.app
        .provider(&s.provider)
        .send(reqwest::Method::PATCH, &path, Some(json!({"ended_at": "2026-06-15T02:30:00Z"})), &[])
        .await
        .expect_problem(428);
    let ended = s.app.provider(&s.provider)
        .patch(&path, json!({"ended_at": "2026-06-15T02:30:00Z", "found_where": "friends", "safe_and_well": {"at": "2026-06-15T02:50:00Z", "by": "West Yorkshire Police"}}), &r.etag())
        .await
        .expect(200);
    assert_eq!(ended.body["flags"]["currently_missing"], false);
    assert_eq!(ended.body["flags"]["safe_and_well_recorded"], true);
    assert_eq!(ended.body["flags"]["return_interview"]["due_by"], "2026-06-18T02:30:00Z");
    assert_eq!(ended.body["flags"]["return_interview"]["status"], "due");
    s.app.provider(&s.provider).patch(&path, json!({"found_where": "family"}), &r.etag()).await.expect_problem(412);
    for la in [HACKNEY, LEEDS] {
        let inbox = s.app.la(la).get("/v1/notifications?type=missing.ended").await.expect(200);
        assert_eq!(inbox.body["items"].as_array().map(Vec::len), Some(1), "{la}");
    }
    // The return interview becomes overdue after 72 hours.
    s.app.clock.set(chrono::DateTime::parse_from_rfc3339("2026-06-18T02:31:00Z").expect("t").to_utc());
    let late = s.app.la(LEEDS).get(&path).await.expect(200);
    assert_eq!(late.body["flags"]["return_interview"]["status"], "overdue");
    let child = s.app.la(LEEDS).get(&format!("/v1/children/{}", s.child)).await.expect(200);
    assert_eq!(child.body["missing"]["return_interview_overdue"], true);
}

#[actix_rt::test]
async fn the_return_interview_clock_at_exactly_72_hours() {
    let s = setup().await;
    let la = s.app.la(HACKNEY);
    let mut body = episode(&s.child, "2026-06-10T10:00:00Z");
    body["ended_at"] = json!("2026-06-11T12:00:00Z");
    let r = la.post("/v1/missing-episodes", body).await.expect(201);
    assert_eq!(r.body["source"], "la_record");
    let path = format!("/v1/missing-episodes/{}", r.id());
    // Now is 15 June, past the due time (14 June 12:00): overdue until done.
    assert_eq!(r.body["flags"]["return_interview"]["status"], "overdue");
    let ri = |completed: &str| json!({"return_interview": {"offered_at": "2026-06-11T13:00:00Z", "offered_by": "Brightwater RI service", "independent": true, "outcome": "accepted", "completed_at": completed}});
    let done = la.patch(&path, ri("2026-06-14T12:00:00Z"), &r.etag()).await.expect(200);
    assert_eq!(done.body["flags"]["return_interview"]["status"], "completed_in_time");
    let later = la.patch(&path, ri("2026-06-14T12:01:00Z"), &done.etag()).await.expect(200);
    assert_eq!(later.body["flags"]["return_interview"]["status"], "completed_late");
    // And the due moment itself is not yet overdue.
    let other = s.app.child(HACKNEY, "Ben", "Clock", "2010-01-01").await;
    la.post("/v1/placements", foster_placement(&other, KENT_POSTCODE, "2026-06-01")).await.expect(201);
    let mut body = episode(&other, "2026-06-12T08:00:00Z");
    body["ended_at"] = json!("2026-06-12T09:00:00Z");
    let e = la.post("/v1/missing-episodes", body).await.expect(201);
    s.app.clock.set(chrono::DateTime::parse_from_rfc3339("2026-06-15T09:00:00Z").expect("t").to_utc());
    let at_due = la.get(&format!("/v1/missing-episodes/{}", e.id())).await.expect(200);
    assert_eq!(at_due.body["flags"]["return_interview"]["status"], "due");
    s.app.clock.advance(TimeDelta::seconds(1));
    let after = la.get(&format!("/v1/missing-episodes/{}", e.id())).await.expect(200);
    assert_eq!(after.body["flags"]["return_interview"]["status"], "overdue");
    // Declined interviews and interviews not offered (with a reason).
    let path = format!("/v1/missing-episodes/{}", e.id());
    la.patch(&path, json!({"return_interview": {"outcome": "not_offered"}}), &after.etag())
        .await
        .expect_field_error(422, "return_interview.not_offered_reason");
    let declined = la
        .patch(
            &path,
            json!({"return_interview": {"offered_at": "2026-06-12T10:00:00Z", "outcome": "declined"}}),
            &after.etag(),
        )
        .await
        .expect(200);
    assert_eq!(declined.body["flags"]["return_interview"]["status"], "declined");
}

#[actix_rt::test]
async fn repeat_missing_counts_episodes_starting_in_the_last_90_days() {
    let s = setup().await;
    let la = s.app.la(HACKNEY);
    // A placement from March so that 90 days back lies inside it.
    let child = s.app.child(HACKNEY, "Ren", "Repeat", "2010-01-01").await;
    la.post("/v1/placements", foster_placement(&child, KENT_POSTCODE, "2026-03-01")).await.expect(201);
    // Now is 15 June 09:00; 90 days before is 17 March 09:00.
    for (start, end) in [
        ("2026-03-17T09:00:00Z", "2026-03-17T10:00:00Z"),
        ("2026-05-01T09:00:00Z", "2026-05-01T10:00:00Z"),
        ("2026-06-01T09:00:00Z", "2026-06-01T10:00:00Z"),
    ] {
        let mut b = episode(&child, start);
        b["ended_at"] = json!(end);
        la.post("/v1/missing-episodes", b).await.expect(201);
    }
    let c = la.get(&format!("/v1/children/{child}")).await.expect(200);
    assert_eq!(c.body["missing"]["episodes_last_90_days"], 3);
    assert_eq!(c.body["missing"]["repeat_missing"], true);
    s.app.clock.advance(TimeDelta::seconds(1));
    let c = la.get(&format!("/v1/children/{child}")).await.expect(200);
    assert_eq!(c.body["missing"]["episodes_last_90_days"], 2);
    assert_eq!(c.body["missing"]["repeat_missing"], false);
}

#[actix_rt::test]
async fn episodes_never_overlap_nor_start_while_one_is_open_574() {
    let s = setup().await;
    let la = s.app.la(HACKNEY);
    let first = la.post("/v1/missing-episodes", episode(&s.child, "2026-06-10T10:00:00Z")).await.expect(201);
    let r = la
        .post("/v1/missing-episodes", episode(&s.child, "2026-06-11T10:00:00Z"))
        .await
        .expect_field_error(422, "started_at");
    assert_eq!(rules(&r), ["574"]);
    // A away-without-authorisation counts together with M.
    let mut away = episode(&s.child, "2026-06-11T10:00:00Z");
    away["kind"] = json!("A");
    la.post("/v1/missing-episodes", away).await.expect(422);
    la.patch(
        &format!("/v1/missing-episodes/{}", first.id()),
        json!({"ended_at": "2026-06-11T08:00:00Z"}),
        &first.etag(),
    )
    .await
    .expect(200);
    // Overlapping the ended one is refused; starting when it ended is fine.
    let r = la.post("/v1/missing-episodes", episode(&s.child, "2026-06-11T07:00:00Z")).await.expect(422);
    assert_eq!(rules(&r), ["574"]);
    la.post("/v1/missing-episodes", episode(&s.child, "2026-06-11T08:00:00Z")).await.expect(201);
}

#[actix_rt::test]
async fn each_missing_rule_names_itself_and_the_field() {
    let s = setup().await;
    let la = s.app.la(HACKNEY);
    let post = |b: Value| {
        let la = la.clone();
        async move { la.post("/v1/missing-episodes", b).await }
    };
    // 567: end before start (equal is fine).
    let mut b = episode(&s.child, "2026-06-10T10:00:00Z");
    b["ended_at"] = json!("2026-06-10T09:59:00Z");
    assert_eq!(rules(&post(b).await.expect_field_error(422, "ended_at")), ["567"]);
    // 577: no placement on the start date.
    assert_eq!(
        rules(&post(episode(&s.child, "2026-05-20T10:00:00Z")).await.expect_field_error(422, "started_at")),
        ["577"]
    );
    // 1006: kind.
    let mut b = episode(&s.child, "2026-06-10T10:00:00Z");
    b["kind"] = json!("X");
    assert_eq!(rules(&post(b).await.expect_field_error(422, "kind")), ["1006"]);
    // Not in the future.
    post(episode(&s.child, "2026-06-15T09:01:00Z")).await.expect_field_error(422, "started_at");
    // Risk indicators from the fixed list.
    let mut b = episode(&s.child, "2026-06-10T10:00:00Z");
    b["risk_indicators"] = json!(["sexual_exploitation", "bad_vibes"]);
    post(b).await.expect_field_error(422, "risk_indicators[1]");
    // Found-where and checks only after return.
    let mut b = episode(&s.child, "2026-06-10T10:00:00Z");
    b["found_where"] = json!("family");
    post(b).await.expect_field_error(422, "found_where");
    // 586: after birth (a baby placed on the day of birth).
    let baby = s.app.child(HACKNEY, "Tiny", "Newborn", "2026-06-01").await;
    la.post("/v1/placements", foster_placement(&baby, KENT_POSTCODE, "2026-06-01")).await.expect(201);
    assert_eq!(
        rules(&post(episode(&baby, "2026-06-01T10:00:00Z")).await.expect_field_error(422, "started_at")),
        ["586"]
    );
    post(episode(&baby, "2026-06-02T10:00:00Z")).await.expect(201);
    // The passing case: equal start and end.
    let mut b = episode(&s.child, "2026-06-10T10:00:00Z");
    b["ended_at"] = json!("2026-06-10T10:00:00Z");
    post(b).await.expect(201);
}

#[actix_rt::test]
async fn a_placement_cannot_end_while_an_episode_from_it_is_open_575_and_episodes_stay_in_care_578() {
    let s = setup().await;
    let la = s.app.la(HACKNEY);
    let e = la.post("/v1/missing-episodes", episode(&s.child, "2026-06-10T10:00:00Z")).await.expect(201);
    let end = format!("/v1/placements/{}/end", s.placement);
    let r = la
        .post(&end, json!({"end_date": "2026-06-12", "rec": "E11"}))
        .await
        .expect_field_error(422, "end_open_missing_episodes");
    assert_eq!(rules(&r), ["575"]);
    // Nothing changed.
    let p = la.get(&format!("/v1/placements/{}", s.placement)).await.expect(200);
    assert!(p.body.get("end_date").is_none());
    // Ending them in the same request works.
    la.post(&end, json!({"end_date": "2026-06-12", "rec": "E11", "end_open_missing_episodes": {"ended_at": "2026-06-11T18:00:00Z", "found_where": "police"}}))
        .await
        .expect(200);
    let ended = la.get(&format!("/v1/missing-episodes/{}", e.id())).await.expect(200);
    assert_eq!(ended.body["ended_at"], "2026-06-11T18:00:00Z");
    assert_eq!(ended.body["found_where"], "police");
    // 578: an episode may not end after care ended; 575: nor stay open.
    let mut b = episode(&s.child, "2026-06-11T20:00:00Z");
    b["ended_at"] = json!("2026-06-13T10:00:00Z");
    assert_eq!(rules(&la.post("/v1/missing-episodes", b).await.expect_field_error(422, "ended_at")), ["578"]);
    assert_eq!(
        rules(
            &la.post("/v1/missing-episodes", episode(&s.child, "2026-06-11T20:00:00Z"))
                .await
                .expect_field_error(422, "ended_at")
        ),
        ["575"]
    );
}

#[actix_rt::test]
async fn who_may_report_and_read_episodes() {
    let s = setup().await;
    let b = || episode(&s.child, "2026-06-10T10:00:00Z");
    s.app.provider("another").post("/v1/missing-episodes", b()).await.expect_field_error(422, "child_id");
    s.app.la(KENT).post("/v1/missing-episodes", b()).await.expect_field_error(422, "child_id");
    s.app.operator().post("/v1/missing-episodes", b()).await.expect_problem(403);
    s.app.anonymous().post("/v1/missing-episodes", b()).await.expect_problem(401);
    let host = s.app.la(LEEDS).post("/v1/missing-episodes", b()).await.expect(201);
    // The host LA's report notifies the placing LA only.
    assert_eq!(
        s.app.la(HACKNEY).get("/v1/notifications?type=missing.started").await.expect(200).body["items"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert!(
        s.app.la(LEEDS).get("/v1/notifications?type=missing.started").await.expect(200).body["items"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );
    let list = s.app.provider(&s.provider).get(&format!("/v1/missing-episodes?child_id={}", s.child)).await.expect(200);
    assert_eq!(list.body["items"][0]["id"], json!(host.id()));
    assert!(
        s.app.la(KENT).get("/v1/missing-episodes").await.expect(200).body["items"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );
    let _ = &s.urn;
}
