use crate::common::*;
use serde_json::{Value, json};

fn names(r: &Resp) -> Vec<String> {
    r.body["items"]
        .as_array()
        .map(|a| a.iter().map(|i| i["family_name"].as_str().unwrap_or_default().to_string()).collect())
        .unwrap_or_default()
}

async fn episode(app: &TestApp, la: &str, child: &str, start: &str, end: Option<&str>) -> Value {
    let mut b = json!({"child_id": child, "kind": "M", "started_at": start});
    if let Some(e) = end {
        b["ended_at"] = json!(e);
    }
    app.la(la).post("/v1/missing-episodes", b).await.expect(201).body
}

/// Leeds hosts: Adams (Hackney, repeat and currently missing), Brooks (Manchester, notified
/// late), Clark (Hackney, return interview overdue). Now: Monday 15 June 2026.
async fn leeds() -> (TestApp, String) {
    let app = TestApp::start_at(at("2026-03-30")).await;
    let (_, urn) = app.provider_with_home().await;
    let a = app.child(HACKNEY, "Ann", "Adams", "2011-01-01").await;
    let b = app.child(MANCHESTER, "Ben", "Brooks", "2010-01-01").await;
    let c = app.child(HACKNEY, "Cal", "Clark", "2009-01-01").await;
    // Hackney gives notice before each start; Manchester registers ten days late.
    app.la(HACKNEY).post("/v1/placements", setting_placement(&a, &urn, "2026-04-01")).await.expect(201);
    app.clock.set(at("2026-04-30"));
    app.la(HACKNEY).post("/v1/placements", foster_placement(&c, LEEDS_POSTCODE, "2026-05-01")).await.expect(201);
    app.clock.set(at("2026-06-15"));
    app.la(MANCHESTER).post("/v1/placements", setting_placement(&b, &urn, "2026-06-05")).await.expect(201);
    episode(&app, HACKNEY, &a, "2026-04-10T20:00:00Z", Some("2026-04-11T08:00:00Z")).await;
    episode(&app, HACKNEY, &a, "2026-05-10T20:00:00Z", Some("2026-05-11T08:00:00Z")).await;
    episode(&app, HACKNEY, &a, "2026-06-14T22:00:00Z", None).await;
    episode(&app, HACKNEY, &c, "2026-06-01T20:00:00Z", Some("2026-06-02T08:00:00Z")).await;
    // Leeds acknowledges the Hackney notifications but not Manchester's.
    let inbox = app.la(LEEDS).get("/v1/notifications?type=placement.started").await.expect(200);
    for n in inbox.body["items"].as_array().expect("items") {
        if n["sender_org"] == HACKNEY {
            app.la(LEEDS)
                .post(&format!("/v1/notifications/{}/acknowledge", n["id"].as_str().expect("id")), json!({}))
                .await
                .expect(200);
        }
    }
    (app, urn)
}

#[actix_rt::test]
async fn the_host_view_carries_flags_and_filters_on_them() {
    let (app, urn) = leeds().await;
    let leeds = app.la(LEEDS);
    let base = format!("/v1/authorities/{LEEDS}/placed-children");
    let all = leeds.get(&base).await.expect(200);
    assert_eq!(names(&all), ["Brooks", "Clark", "Adams"], "newest placement first");
    let adams = all.body["items"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["family_name"] == "Adams").cloned())
        .expect("Adams");
    assert_eq!(adams["episodes_last_90_days"], 3);
    assert_eq!(adams["currently_missing"], true);
    assert_eq!(adams["missing_since"], "2026-06-14T22:00:00Z");
    assert_eq!(adams["repeat_missing"], true);
    assert_eq!(adams["notification_late"], false);
    for (flag, expected) in [
        ("repeat_missing", vec!["Adams"]),
        ("currently_missing", vec!["Adams"]),
        ("return_interview_overdue", vec!["Adams", "Clark"]),
        ("notification_late", vec!["Brooks"]),
        ("notification_unacknowledged", vec!["Brooks"]),
    ] {
        let r = leeds.get(&format!("{base}?flag={flag}&sort=family_name")).await.expect(200);
        assert_eq!(names(&r), expected, "{flag}");
    }
    assert_eq!(names(&leeds.get(&format!("{base}?placing_la={MANCHESTER}")).await.expect(200)), ["Brooks"]);
    assert_eq!(names(&leeds.get(&format!("{base}?urn={urn}&sort=family_name")).await.expect(200)), ["Adams", "Brooks"]);
    assert_eq!(names(&leeds.get(&format!("{base}?sort=episodes&limit=1")).await.expect(200)), ["Adams"]);
    let first = leeds.get(&format!("{base}?sort=family_name&limit=2")).await.expect(200);
    assert_eq!(names(&first), ["Adams", "Brooks"]);
    let cursor = first.body["next_cursor"].as_str().expect("cursor").to_string();
    assert_eq!(
        names(&leeds.get(&format!("{base}?sort=family_name&limit=2&cursor={cursor}")).await.expect(200)),
        ["Clark"]
    );
    // Clark's placement is to end next month (notice of a planned end): still listed today.
    let clark = all.body["items"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["family_name"] == "Clark").cloned())
        .expect("Clark");
    app.la(HACKNEY)
        .post(
            &format!("/v1/placements/{}/end", clark["placement_id"].as_str().expect("id")),
            json!({"end_date": "2026-07-31", "rec": "E11"}),
        )
        .await
        .expect(200);
    let all = leeds.get(&base).await.expect(200);
    assert_eq!(names(&all), ["Brooks", "Clark", "Adams"]);
    // A page at a time in the default order, each child carries the same flags as in the whole list.
    let mut paged = Vec::new();
    let mut next = format!("{base}?limit=1");
    loop {
        let page = leeds.get(&next).await.expect(200);
        paged.extend(page.body["items"].as_array().expect("items").iter().cloned());
        let Some(cursor) = page.body["next_cursor"].as_str() else { break };
        next = format!("{base}?limit=1&cursor={cursor}");
    }
    assert_eq!(&paged, all.body["items"].as_array().expect("items"));
    use base64::Engine as _;
    let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"["yesterday","x"]"#);
    leeds.get(&format!("{base}?cursor={forged}")).await.expect_field_error(400, "cursor");
    leeds.get(&format!("{base}?flag=grumpy")).await.expect_field_error(422, "flag");
    leeds.get(&format!("{base}?sort=shoe_size")).await.expect_field_error(422, "sort");
}

#[actix_rt::test]
async fn the_host_downloads_every_placed_child_as_csv() {
    let (app, _) = leeds().await;
    let r = app
        .la(LEEDS)
        .send(
            reqwest::Method::GET,
            &format!("/v1/authorities/{LEEDS}/placed-children?sort=family_name"),
            None,
            &[("accept", "text/csv")],
        )
        .await
        .expect(200);
    assert!(r.header("content-type").is_some_and(|c| c.starts_with("text/csv")));
    let mut lines = r.text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "child_id,given_name,family_name,date_of_birth,sex,placing_la,placing_la_name,placement_id,urn,setting_name,place,start_date,emergency,distance_miles,episodes_last_90_days,currently_missing,missing_since,repeat_missing,return_interview_overdue,notification_late,notification_unacknowledged"
        )
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 3);
    let adams: Vec<&str> = rows[0].split(',').collect();
    assert_eq!(&adams[1..7], ["Ann", "Adams", "2011-01-01", "F", HACKNEY, "Hackney"]);
    assert_eq!(&adams[14..21], ["3", "true", "2026-06-14T22:00:00+00:00", "true", "true", "false", "false"]);
    let flagged = app
        .la(LEEDS)
        .get(&format!("/v1/authorities/{LEEDS}/placed-children?format=csv&flag=notification_late"))
        .await
        .expect(200);
    assert_eq!(flagged.text.lines().count(), 2);
    app.la(HACKNEY).get(&format!("/v1/authorities/{LEEDS}/placed-children?format=csv")).await.expect_problem(403);
}

#[actix_rt::test]
async fn the_placing_la_reads_a_childs_timeline_in_order() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let child = app.child(HACKNEY, "Amelia", "Hughes", "2011-05-14").await;
    let la = app.la(HACKNEY);
    let first = la.post("/v1/placements", foster_placement(&child, HACKNEY_POSTCODE, "2026-03-01")).await.expect(201);
    la.post(
        &format!("/v1/placements/{}/legal-statuses", first.id()),
        json!({"effective_from": "2026-04-01", "legal_status": "C1"}),
    )
    .await
    .expect(200);
    la.post(
        &format!("/v1/placements/{}/end", first.id()),
        json!({"end_date": "2026-05-01", "rec": "X1", "reason_place_change": "CARPL"}),
    )
    .await
    .expect(200);
    la.post("/v1/placements", setting_placement(&child, &urn, "2026-05-01")).await.expect(201);
    let mut e = json!({"child_id": child, "kind": "M", "started_at": "2026-06-10T20:00:00Z", "ended_at": "2026-06-11T01:00:00Z",
        "safe_and_well": {"at": "2026-06-11T02:00:00Z", "by": "Police"}});
    e["return_interview"] = json!({"offered_at": "2026-06-11T10:00:00Z", "outcome": "accepted", "completed_at": "2026-06-12T10:00:00Z", "independent": true});
    la.post("/v1/missing-episodes", e).await.expect(201);
    let t = la.get(&format!("/v1/children/{child}/timeline")).await.expect(200);
    let kinds: Vec<&str> = t.body.as_array().expect("events").iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(
        kinds,
        [
            "placement.started",
            "legal_status",
            "legal_status",
            "placement.ended",
            "placement.started",
            "legal_status",
            "missing.started",
            "missing.ended",
            "safe_and_well",
            "return_interview.offered",
            "return_interview.completed",
            "notification",
            "notification",
            "notification"
        ]
    );
    // Leeds was told of the placement (late: registered after it started) and of the episode.
    let sent: Vec<Value> =
        t.body.as_array().expect("events").iter().filter(|e| e["kind"] == "notification").cloned().collect();
    let mut types: Vec<&str> = sent.iter().filter_map(|n| n["detail"]["type"].as_str()).collect();
    types.sort();
    assert_eq!(types, ["missing.ended", "missing.started", "placement.started"]);
    let started = sent.iter().find(|n| n["detail"]["type"] == "placement.started").expect("started");
    assert_eq!(started["detail"]["recipient_la"], LEEDS);
    assert_eq!(started["detail"]["statutory"]["status"], "late");
    app.la(LEEDS).get(&format!("/v1/children/{child}/timeline")).await.expect_problem(403);
    app.la(KENT).get(&format!("/v1/children/{child}/timeline")).await.expect_problem(404);
}
