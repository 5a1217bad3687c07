use super::placed_at_oak_house;
use crate::support::*;
use serde_json::json;

#[actix_web::test]
async fn a_home_reports_a_child_missing_overnight_and_both_las_see_it() {
    let s = placed_at_oak_house().await;
    s.app.set_time(instant("2026-06-14T23:20:00Z"));
    let episode = Episode::missing(&s.child, "2026-06-14T23:10:00Z")
        .reported_to_police("2026-06-14T23:15:00Z", "WY-2026-1234")
        .risks(&["criminal_exploitation", "substance_misuse"]);
    let r = s.app.provider(&s.provider).report_missing(episode).await.expect(201);
    let id = r.id();
    assert_eq!(r.body["placement_id"], json!(s.placement));
    assert_eq!(r.body["flags"]["currently_missing"], true);
    assert_eq!(r.body["flags"]["missing_for_minutes"], 10);
    assert_eq!(r.body["flags"]["return_interview"]["status"], "not_due");
    assert_eq!(r.body["source"], "real_time");
    // Both LAs are told at once, and see the child as missing.
    for la in [HACKNEY, LEEDS] {
        let inbox = s.app.la(la).inbox("type=missing.started").await.expect(200);
        assert_eq!(inbox.body["items"][0]["payload"]["episode_id"], json!(id), "{la}");
        let child = s.app.la(la).child(&s.child).await.expect(200);
        assert_eq!(child.body["missing"]["currently_missing"], true);
        s.app.la(la).episode(&id).await.expect(200);
    }
    s.app.la(KENT).episode(&id).await.expect_problem(404);
    s.app.provider("another").episode(&id).await.expect_problem(404);
    // Returned at 02:30: the 72-hour return interview clock starts.
    s.app.set_time(instant("2026-06-15T03:00:00Z"));
    let home = s.app.provider(&s.provider);
    home.patch_blind(&format!("/v1/missing-episodes/{id}"), json!({"ended_at": "2026-06-15T02:30:00Z"}))
        .await
        .expect_problem(428);
    let back = json!({"ended_at": "2026-06-15T02:30:00Z", "found_where": "friends",
                      "safe_and_well": {"at": "2026-06-15T02:50:00Z", "by": "West Yorkshire Police"}});
    let ended = home.update_episode(&id, back, &r.etag()).await.expect(200);
    assert_eq!(ended.body["flags"]["currently_missing"], false);
    assert_eq!(ended.body["flags"]["safe_and_well_recorded"], true);
    assert_eq!(ended.body["flags"]["return_interview"]["due_by"], "2026-06-18T02:30:00Z");
    assert_eq!(ended.body["flags"]["return_interview"]["status"], "due");
    home.update_episode(&id, json!({"found_where": "family"}), &r.etag()).await.expect_problem(412);
    for la in [HACKNEY, LEEDS] {
        assert_eq!(s.app.la(la).inbox("type=missing.ended").await.expect(200).count(), Some(1), "{la}");
    }
    // The return interview becomes overdue after 72 hours.
    s.app.set_time(instant("2026-06-18T02:31:00Z"));
    let late = s.app.la(LEEDS).episode(&id).await.expect(200);
    assert_eq!(late.body["flags"]["return_interview"]["status"], "overdue");
    let child = s.app.la(LEEDS).child(&s.child).await.expect(200);
    assert_eq!(child.body["missing"]["return_interview_overdue"], true);
}

#[actix_web::test]
async fn who_may_report_and_read_episodes() {
    let s = placed_at_oak_house().await;
    let episode = || Episode::missing(&s.child, "2026-06-10T10:00:00Z");
    s.app.provider("another").report_missing(episode()).await.expect_field_error(422, "child_id");
    s.app.la(KENT).report_missing(episode()).await.expect_field_error(422, "child_id");
    s.app.operator().report_missing(episode()).await.expect_problem(403);
    s.app.anonymous().report_missing(episode()).await.expect_problem(401);
    let host = s.app.la(LEEDS).report_missing(episode()).await.expect(201);
    // The host LA's report notifies the placing LA only.
    assert_eq!(s.app.la(HACKNEY).inbox("type=missing.started").await.expect(200).count(), Some(1));
    assert_eq!(s.app.la(LEEDS).inbox("type=missing.started").await.expect(200).count(), Some(0));
    let list = s.app.provider(&s.provider).episodes(&format!("child_id={}", s.child)).await.expect(200);
    assert_eq!(list.body["items"][0]["id"], json!(host.id()));
    assert_eq!(s.app.la(KENT).episodes("").await.expect(200).count(), Some(0));
}
