use super::{all_records, assert_figures, assert_records_match, ids, report, world};
use crate::support::*;
use serde_json::json;

#[actix_web::test]
async fn the_placing_las_figures_are_counted_by_hand() {
    let w = world().await;
    let hackney = w.app.la(HACKNEY);
    let r = report(&hackney, "placing", "period=2026-Q2").await;
    assert_eq!(r["role"], "placing");
    assert_eq!(r["organisation"], HACKNEY);
    assert_eq!(r["period"], json!({"label": "2026-Q2", "from": "2026-04-01", "to": "2026-06-30"}));
    assert_eq!(r["as_of"], "2026-08-10T09:00:00Z");
    assert_eq!(
        r["figures"]["notifications_late"]["records_href"],
        "/v1/reports/placing/records?period=2026-Q2&figure=notifications_late"
    );
    assert_figures(
        &r,
        &[
            ("notifications", 5),
            ("notifications_on_time", 3),
            ("notifications_late", 2),
            ("notifications_acknowledgement_overdue", 3),
            ("unnotified_placements", 2),
            ("unnotified_placements_unresolved", 1),
            ("episodes", 5),
            ("episodes_missing", 4),
            ("episodes_away", 1),
            ("episodes_ended", 4),
            ("return_interviews_offered", 3),
            ("return_interviews_accepted", 2),
            ("return_interviews_completed_within_72h", 1),
            ("safe_and_well_checks", 2),
            ("episodes_first_reported_in_return", 1),
            ("children_with_repeat_episodes", 1),
        ],
    );
    assert_records_match(&hackney, &r).await;

    // The records behind the figures.
    let href = |f: &str| format!("/v1/reports/placing/records?period=2026-Q2&figure={f}");
    let late = all_records(&hackney, &href("notifications_late")).await;
    assert_eq!(ids(&late), [w.n["n2"].clone(), w.n["n5"].clone()], "by event date");
    assert_eq!(late[0]["event_date"], "2026-05-08");
    assert_eq!(late[0]["status"], "late");
    assert_eq!(late[0]["late_by_working_days"], 1);
    assert_eq!(late[0]["host_la"], KENT);
    assert_eq!(late[1]["late_by_working_days"], 2);
    let overdue = all_records(&hackney, &href("notifications_acknowledgement_overdue")).await;
    assert_eq!(ids(&overdue), [w.n["n3"].clone(), w.n["n2"].clone(), w.n["n5"].clone()]);
    assert!(overdue.iter().all(|n| n["acknowledgement_overdue"] == true));
    let on_time = all_records(&hackney, &href("notifications_on_time")).await;
    assert_eq!(ids(&on_time), [w.n["n3"].clone(), w.n["n1"].clone(), w.n["n4"].clone()]);
    assert_eq!(on_time[2]["type"], "placement.ended");
    assert_eq!(on_time[1]["acknowledged_at"], "2026-05-12T09:00:00Z");
    let unresolved = all_records(&hackney, &href("unnotified_placements_unresolved")).await;
    assert_eq!(ids(&unresolved), [w.adm["g"].clone()]);
    assert_eq!(unresolved[0]["status"], "unmatched");
    let unnotified = all_records(&hackney, &href("unnotified_placements")).await;
    assert_eq!(ids(&unnotified), [w.adm["f"].clone(), w.adm["g"].clone()]);
    assert_eq!(unnotified[0]["status"], "resolved");
    let eps = all_records(&hackney, &href("episodes")).await;
    assert_eq!(ids(&eps), ["e1", "e2", "e5", "e3", "e4"].map(|k| w.e[k].clone()), "by start");
    let within = all_records(&hackney, &href("return_interviews_completed_within_72h")).await;
    assert_eq!(ids(&within), [w.e["e1"].clone()]);
    assert_eq!(within[0]["return_interview_due_by"], "2026-05-16T02:00:00Z");
    let from_returns = all_records(&hackney, &href("episodes_first_reported_in_return")).await;
    assert_eq!((from_returns[0]["id"].clone(), from_returns[0]["source"].clone()), (json!(w.e["e5"]), json!("return")));
    let repeat = hackney.get(&href("children_with_repeat_episodes")).await.expect(200);
    assert_eq!(repeat.body["record_type"], "child");
    assert_eq!(
        repeat.body["items"],
        json!([{"child_id": w.child_a, "episodes": 3, "first_started_at": "2026-05-12T22:00:00Z",
                "last_started_at": "2026-06-10T10:00:00Z"}])
    );

    // Opening records is a read of the children's data: it is in their access log.
    let log = hackney.access_log(&w.child_a, "limit=200").await.expect(200);
    assert!(log.items().iter().any(|e| e["action"] == "report.records" && e["org"] == HACKNEY), "{}", log.text);

    // The collection year 2025-26 ends on 31 March: only E's notice and episode fall in it.
    let y = report(&hackney, "placing", "year=2026").await;
    assert_eq!(y["period"], json!({"label": "2025-26", "from": "2025-04-01", "to": "2026-03-31"}));
    assert_eq!(y["figures"]["episodes"]["records_href"], "/v1/reports/placing/records?year=2026&figure=episodes");
    assert_figures(
        &y,
        &[
            ("notifications", 1),
            ("notifications_late", 1),
            ("notifications_acknowledgement_overdue", 1),
            ("episodes", 1),
            ("episodes_missing", 1),
            ("episodes_ended", 1),
        ],
    );
    assert_records_match(&hackney, &y).await;
    let ne = all_records(&hackney, "/v1/reports/placing/records?year=2026&figure=notifications").await;
    assert_eq!(ids(&ne), [w.n["ne"].clone()]);
    // Q3 has nothing yet.
    assert_figures(&report(&hackney, "placing", "period=2026-Q3").await, &[]);
}
