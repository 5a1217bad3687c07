use super::placed_at_oak_house;
use crate::support::*;
use chrono::TimeDelta;
use serde_json::json;

#[actix_web::test]
async fn repeat_missing_counts_episodes_starting_in_the_last_90_days() {
    let s = placed_at_oak_house().await;
    let la = s.app.la(HACKNEY);
    // A placement from March so that 90 days back lies inside it.
    let child = s.app.child_of(HACKNEY, a_child("Ren", "Repeat").born("2010-01-01")).await;
    la.place(Placement::foster(&child, KENT_POSTCODE).from("2026-03-01")).await.expect(201);
    // Now is 15 June 09:00; 90 days before is 17 March 09:00.
    for (start, end) in [
        ("2026-03-17T09:00:00Z", "2026-03-17T10:00:00Z"),
        ("2026-05-01T09:00:00Z", "2026-05-01T10:00:00Z"),
        ("2026-06-01T09:00:00Z", "2026-06-01T10:00:00Z"),
    ] {
        la.report_missing(Episode::missing(&child, start).until(end)).await.expect(201);
    }
    let c = la.child(&child).await.expect(200);
    assert_eq!(c.body["missing"]["episodes_last_90_days"], 3);
    assert_eq!(c.body["missing"]["repeat_missing"], true);
    s.app.advance(TimeDelta::seconds(1));
    let c = la.child(&child).await.expect(200);
    assert_eq!(c.body["missing"]["episodes_last_90_days"], 2);
    assert_eq!(c.body["missing"]["repeat_missing"], false);
}

#[actix_web::test]
async fn episodes_never_overlap_nor_start_while_one_is_open_574() {
    let s = placed_at_oak_house().await;
    let la = s.app.la(HACKNEY);
    let first = la.report_missing(Episode::missing(&s.child, "2026-06-10T10:00:00Z")).await.expect(201);
    let r = la
        .report_missing(Episode::missing(&s.child, "2026-06-11T10:00:00Z"))
        .await
        .expect_field_error(422, "started_at");
    assert_eq!(r.rules(), ["574"]);
    // A away-without-authorisation counts together with M.
    la.report_missing(Episode::away(&s.child, "2026-06-11T10:00:00Z")).await.expect(422);
    la.update_episode(&first.id(), json!({"ended_at": "2026-06-11T08:00:00Z"}), &first.etag()).await.expect(200);
    // Overlapping the ended one is refused; starting when it ended is fine.
    let r = la.report_missing(Episode::missing(&s.child, "2026-06-11T07:00:00Z")).await.expect(422);
    assert_eq!(r.rules(), ["574"]);
    la.report_missing(Episode::missing(&s.child, "2026-06-11T08:00:00Z")).await.expect(201);
}

#[actix_web::test]
async fn each_missing_rule_names_itself_and_the_field() {
    let s = placed_at_oak_house().await;
    let la = s.app.la(HACKNEY);
    let on_the_10th = || Episode::missing(&s.child, "2026-06-10T10:00:00Z");
    // 567: end before start (equal is fine).
    let r = la.report_missing(on_the_10th().until("2026-06-10T09:59:00Z")).await;
    assert_eq!(r.expect_field_error(422, "ended_at").rules(), ["567"]);
    // 577: no placement on the start date.
    let r = la.report_missing(Episode::missing(&s.child, "2026-05-20T10:00:00Z")).await;
    assert_eq!(r.expect_field_error(422, "started_at").rules(), ["577"]);
    // 1006: kind.
    let r = la.report_missing(on_the_10th().kind("X")).await;
    assert_eq!(r.expect_field_error(422, "kind").rules(), ["1006"]);
    // Not in the future.
    la.report_missing(Episode::missing(&s.child, "2026-06-15T09:01:00Z")).await.expect_field_error(422, "started_at");
    // Risk indicators from the fixed list.
    la.report_missing(on_the_10th().risks(&["sexual_exploitation", "bad_vibes"]))
        .await
        .expect_field_error(422, "risk_indicators[1]");
    // Found-where and checks only after return.
    la.report_missing(on_the_10th().found("family")).await.expect_field_error(422, "found_where");
    // 586: after birth (a baby placed on the day of birth).
    let baby = s.app.child_of(HACKNEY, a_child("Tiny", "Newborn").born("2026-06-01")).await;
    la.place(Placement::foster(&baby, KENT_POSTCODE).from("2026-06-01")).await.expect(201);
    let r = la.report_missing(Episode::missing(&baby, "2026-06-01T10:00:00Z")).await;
    assert_eq!(r.expect_field_error(422, "started_at").rules(), ["586"]);
    la.report_missing(Episode::missing(&baby, "2026-06-02T10:00:00Z")).await.expect(201);
    // The passing case: equal start and end.
    la.report_missing(on_the_10th().until("2026-06-10T10:00:00Z")).await.expect(201);
}

#[actix_web::test]
async fn a_placement_cannot_end_while_an_episode_from_it_is_open_575_and_episodes_stay_in_care_578() {
    let s = placed_at_oak_house().await;
    let la = s.app.la(HACKNEY);
    let e = la.report_missing(Episode::missing(&s.child, "2026-06-10T10:00:00Z")).await.expect(201).id();
    let r = la
        .end_placement(&s.placement, Ending::on("2026-06-12", "E4A"))
        .await
        .expect_field_error(422, "end_open_missing_episodes");
    assert_eq!(r.rules(), ["575"]);
    // Nothing changed.
    let p = la.placement(&s.placement).await.expect(200);
    assert!(p.body.get("end_date").is_none());
    // Ending them in the same request works.
    let closing = json!({"ended_at": "2026-06-11T18:00:00Z", "found_where": "police"});
    la.end_placement(&s.placement, Ending::on("2026-06-12", "E4A").with("end_open_missing_episodes", closing))
        .await
        .expect(200);
    let ended = la.episode(&e).await.expect(200);
    assert_eq!(ended.body["ended_at"], "2026-06-11T18:00:00Z");
    assert_eq!(ended.body["found_where"], "police");
    // 578: an episode may not end after care ended; 575: nor stay open.
    let r = la.report_missing(Episode::missing(&s.child, "2026-06-11T20:00:00Z").until("2026-06-13T10:00:00Z")).await;
    assert_eq!(r.expect_field_error(422, "ended_at").rules(), ["578"]);
    let r = la.report_missing(Episode::missing(&s.child, "2026-06-11T20:00:00Z")).await;
    assert_eq!(r.expect_field_error(422, "ended_at").rules(), ["575"]);
}

#[actix_web::test]
async fn an_episode_is_dated_by_the_day_in_england() {
    // Placed from 1 June 2026: 23:30 UTC on 31 May is 00:30 BST on 1 June, the placement's first
    // day, so the episode belongs to it (577 does not apply).
    let s = placed_at_oak_house().await;
    let la = s.app.la(HACKNEY);
    let r = la.report_missing(Episode::missing(&s.child, "2026-05-31T23:30:00Z").until("2026-05-31T23:45:00Z")).await;
    assert_eq!(r.expect(201).body["placement_id"], serde_json::json!(s.placement));
    // 22:30 UTC on 31 May is still 31 May in England: no placement that day.
    let r = la.report_missing(Episode::missing(&s.child, "2026-05-31T22:30:00Z").until("2026-05-31T22:45:00Z")).await;
    assert_eq!(r.expect_field_error(422, "started_at").rules(), ["577"]);
}
