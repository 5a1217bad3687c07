use super::world;
use crate::support::*;
use serde_json::Value;

#[actix_web::test]
async fn csv_shapes() {
    let w = world().await;
    let hackney = w.app.la(HACKNEY);
    let r = hackney.get("/v1/reports/placing?period=2026-Q2&format=csv").await.expect(200);
    assert_eq!(r.header("content-type").as_deref(), Some("text/csv; charset=utf-8"));
    assert_eq!(r.header("content-disposition").as_deref(), Some("attachment; filename=\"placing-report-2026-Q2.csv\""));
    assert_eq!(
        r.text,
        "figure,value\r\n\
         notifications,5\r\n\
         notifications_on_time,3\r\n\
         notifications_late,2\r\n\
         notifications_acknowledgement_overdue,3\r\n\
         unnotified_placements,2\r\n\
         unnotified_placements_unresolved,1\r\n\
         episodes,5\r\n\
         episodes_missing,4\r\n\
         episodes_away,1\r\n\
         episodes_ended,4\r\n\
         return_interviews_offered,3\r\n\
         return_interviews_accepted,2\r\n\
         return_interviews_completed_within_72h,1\r\n\
         safe_and_well_checks,2\r\n\
         episodes_first_reported_in_return,1\r\n\
         children_with_repeat_episodes,1\r\n"
    );
    // Accept: text/csv asks for the same.
    let accept = hackney.get_accepting("/v1/reports/placing?period=2026-Q2", "text/csv").await;
    assert_eq!(accept.expect(200).text, r.text);
    let json_first =
        hackney.get_accepting("/v1/reports/placing?period=2026-Q2", "application/json, text/csv;q=0.5").await;
    assert!(json_first.expect(200).body["figures"].is_object());

    let provider = w.app.provider(&w.brightwater);
    let p = provider.get("/v1/reports/provider?year=2027&format=csv").await.expect(200);
    let lines: Vec<&str> = p.text.lines().collect();
    assert_eq!(
        lines[..6],
        [
            "figure,value",
            "returns_expected,8",
            "returns_on_time,1",
            "returns_late,1",
            "returns_missing,0",
            "returns_not_yet_due,6"
        ]
    );
    assert_eq!(lines.len(), 16);

    // The records behind a figure, one column per field.
    let late = hackney
        .get("/v1/reports/placing/records?period=2026-Q2&figure=notifications_late&format=csv")
        .await
        .expect(200);
    assert_eq!(
        late.header("content-disposition").as_deref(),
        Some("attachment; filename=\"placing-notifications_late-2026-Q2.csv\"")
    );
    let n2: Value = hackney.notification(&w.n["n2"]).await.expect(200).body;
    let n5: Value = hackney.notification(&w.n["n5"]).await.expect(200).body;
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    assert_eq!(
        late.text,
        format!(
            "id,type,placing_la,host_la,child_id,placement_id,event_date,emergency,due_by,status,late_by_working_days,notified_at,acknowledged_at,acknowledgement_due_by,acknowledgement_overdue\r\n\
             {},placement.started,{HACKNEY},{KENT},{},{},2026-05-08,false,2026-05-08,late,1,2026-05-11T09:00:00Z,,2026-05-13,true\r\n\
             {},placement.started,{HACKNEY},{LEEDS},{},{},2026-05-20,false,2026-05-20,late,2,2026-05-22T09:00:00Z,,2026-05-27,true\r\n",
            w.n["n2"],
            s(&n2["child_id"]),
            s(&n2["placement_id"]),
            w.n["n5"],
            s(&n5["child_id"]),
            s(&n5["placement_id"]),
        )
    );
    let returns = w
        .app
        .la(LEEDS)
        .get("/v1/reports/host/records?period=2026-Q2&figure=returns_expected&format=csv")
        .await
        .expect(200);
    assert_eq!(
        returns.text,
        format!(
            "period,urn,setting_name,host_la,due_by,status,first_submitted_at,latest_version,review_status,nil\r\n\
             2026-Q2,SC480011,Oak House,{LEEDS},2026-07-28,on_time,2026-07-20T10:00:00Z,2,submitted,false\r\n\
             2026-Q2,SC480012,Elm House,{LEEDS},2026-07-28,late,2026-07-29T00:00:00Z,1,queried,false\r\n\
             2026-Q2,SC480013,Birch House,{LEEDS},2026-07-28,missing,,,,\r\n"
        )
    );
    let eps = hackney
        .get_accepting(
            "/v1/reports/placing/records?period=2026-Q2&figure=return_interviews_offered&limit=2",
            "text/csv",
        )
        .await
        .expect(200);
    let rows: Vec<&str> = eps.text.lines().collect();
    assert_eq!(
        rows[0],
        "id,child_id,placement_id,placing_la,host_la,urn,kind,started_at,ended_at,source,safe_and_well_at,return_interview_outcome,return_interview_offered_at,return_interview_completed_at,return_interview_due_by"
    );
    assert_eq!(rows.len(), 3);
    assert!(rows[1].starts_with(&format!("{},{},", w.e["e1"], w.child_a)), "{}", rows[1]);
    assert!(
        rows[1].ends_with(",SC480011,M,2026-05-12T22:00:00Z,2026-05-13T02:00:00Z,real_time,2026-05-13T03:00:00Z,accepted,2026-05-13T10:00:00Z,2026-05-15T01:00:00Z,2026-05-16T02:00:00Z"),
        "{}",
        rows[1]
    );
    // The next page is linked, and holds the last one.
    let link = eps.header("link").expect("Link to the next page");
    let next = link.trim_start_matches('<').split('>').next().expect("url").to_string();
    assert!(next.starts_with(
        "/v1/reports/placing/records?period=2026-Q2&figure=return_interviews_offered&format=csv&limit=2&cursor="
    ));
    let page2 = hackney.get(&next).await.expect(200);
    assert_eq!(page2.text.lines().count(), 2);
    assert!(page2.text.contains(&w.e["e3"]));
    assert!(page2.header("link").is_none());
    // An empty list still has its header.
    let none = hackney
        .get("/v1/reports/placing/records?period=2026-Q3&figure=children_with_repeat_episodes&format=csv")
        .await
        .expect(200);
    assert_eq!(none.text, "child_id,episodes,first_started_at,last_started_at\r\n");
}
