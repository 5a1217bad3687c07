use super::placed_at_oak_house;
use crate::support::*;
use chrono::TimeDelta;
use serde_json::json;

#[actix_web::test]
async fn the_return_interview_clock_at_exactly_72_hours() {
    let s = placed_at_oak_house().await;
    let la = s.app.la(HACKNEY);
    let r = la.report_missing(Episode::missing(&s.child, "2026-06-10T10:00:00Z").until("2026-06-11T12:00:00Z")).await;
    let r = r.expect(201);
    assert_eq!(r.body["source"], "la_record");
    let id = r.id();
    // Now is 15 June, past the due time (14 June 12:00): overdue until done.
    assert_eq!(r.body["flags"]["return_interview"]["status"], "overdue");
    let interview = |completed: &str| {
        json!({"return_interview": {"offered_at": "2026-06-11T13:00:00Z", "offered_by": "Brightwater RI service",
                                    "independent": true, "outcome": "accepted", "completed_at": completed}})
    };
    let done = la.update_episode(&id, interview("2026-06-14T12:00:00Z"), &r.etag()).await.expect(200);
    assert_eq!(done.body["flags"]["return_interview"]["status"], "completed_in_time");
    let later = la.update_episode(&id, interview("2026-06-14T12:01:00Z"), &done.etag()).await.expect(200);
    assert_eq!(later.body["flags"]["return_interview"]["status"], "completed_late");
    // And the due moment itself is not yet overdue.
    let other = s.app.child_of(HACKNEY, a_child("Ben", "Clock").born("2010-01-01")).await;
    la.place(Placement::foster(&other, KENT_POSTCODE).from("2026-06-01")).await.expect(201);
    let e = la.report_missing(Episode::missing(&other, "2026-06-12T08:00:00Z").until("2026-06-12T09:00:00Z")).await;
    let e = e.expect(201).id();
    s.app.set_time(instant("2026-06-15T09:00:00Z"));
    let at_due = la.episode(&e).await.expect(200);
    assert_eq!(at_due.body["flags"]["return_interview"]["status"], "due");
    s.app.advance(TimeDelta::seconds(1));
    let after = la.episode(&e).await.expect(200);
    assert_eq!(after.body["flags"]["return_interview"]["status"], "overdue");
    // Declined interviews and interviews not offered (with a reason).
    la.update_episode(&e, json!({"return_interview": {"outcome": "not_offered"}}), &after.etag())
        .await
        .expect_field_error(422, "return_interview.not_offered_reason");
    let declined = la
        .update_episode(
            &e,
            json!({"return_interview": {"offered_at": "2026-06-12T10:00:00Z", "outcome": "declined"}}),
            &after.etag(),
        )
        .await
        .expect(200);
    assert_eq!(declined.body["flags"]["return_interview"]["status"], "declined");
}
