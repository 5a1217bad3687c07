use crate::common::*;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use placement_registry::auth::OrgType;
use placement_registry::db::rows::missing::EpisodeRecord;
use placement_registry::db::schema::quarterly_returns as qr;
use serde_json::{Value, json};
use std::collections::HashMap;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("instant").to_utc()
}

fn naive(s: &str) -> NaiveDateTime {
    t(s).naive_utc()
}

/// A quarterly return version written straight to the table (its endpoints are another module's).
fn insert_return(app: &TestApp, urn: &str, period: &str, version: i64, submitted_at: &str, status: &str) {
    let mut conn = app.state.pool.get().expect("connection");
    diesel::insert_into(qr::table)
        .values((
            qr::id.eq(uuid::Uuid::new_v4().to_string()),
            qr::urn.eq(urn),
            qr::period.eq(period),
            qr::version.eq(version),
            qr::nil.eq(false),
            qr::row_count.eq(1i64),
            qr::submitted_by.eq("test-user"),
            qr::submitted_at.eq(naive(submitted_at)),
            qr::status.eq(status),
            qr::summary.eq("{}"),
            qr::content.eq("{}"),
        ))
        .execute(&mut conn)
        .expect("insert return");
}

/// An episode first reported in a quarterly return, written straight to the table.
fn insert_return_episode(app: &TestApp, child: &str, placement: &str, started: &str, ended: &str) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let e = EpisodeRecord {
        id: id.as_str().into(),
        child_id: child.into(),
        placement_id: placement.into(),
        kind: "M".into(),
        started_at: naive(started),
        ended_at: Some(naive(ended)),
        reported_to_police_at: None,
        police_reference: None,
        risk_indicators: Default::default(),
        found_where: Some("placement".into()),
        safe_and_well_at: None,
        safe_and_well_by: None,
        ri_offered_at: None,
        ri_offered_by: None,
        ri_independent: None,
        ri_outcome: None,
        ri_not_offered_reason: None,
        ri_completed_at: None,
        source: "return".into(),
        return_id: None,
        recorded_by_org_type: "provider".into(),
        recorded_by_org: "p".into(),
        recorded_by: "test-user".into(),
        version: 1,
        created_at: naive("2026-07-20T09:00:00Z"),
        updated_at: naive("2026-07-20T09:00:00Z"),
    };
    let mut conn = app.state.pool.get().expect("connection");
    placement_registry::missing::repo::insert(&mut conn, &e).expect("insert episode");
    id
}

async fn setting(app: &TestApp, provider: &str, urn: &str, name: &str) {
    app.operator()
        .post(
            "/v1/settings",
            json!({"urn": urn, "provider_id": provider, "name": name, "place": "K2", "postcode": LEEDS_POSTCODE}),
        )
        .await
        .expect(201);
}

async fn episode(actor: &Actor, body: Value) -> String {
    actor.post("/v1/missing-episodes", body).await.expect(201).id()
}

async fn notification_for(app: &TestApp, la: &str, placement: &str, kind: &str) -> String {
    let r = app.la(la).get(&format!("/v1/notifications?placement_id={placement}&type={kind}")).await.expect(200);
    r.body["items"][0]["id"].as_str().expect("notification").to_string()
}

/// The small world every figure below is computed by hand from. Hackney places; Leeds hosts
/// Oak House (SC480011) and Elm House (SC480012) of Brightwater, and Birch House (SC480013) of
/// Rowan Homes; Kent hosts two Hackney foster placements.
struct World {
    app: TestApp,
    brightwater: String,
    rowan: String,
    /// Notifications: n1 A started (on time, acknowledged), n2 B started (late), n3 C started
    /// (emergency, on time), n4 C ended (on time, acknowledged), n5 F started (late), ne E started
    /// on 20 March (late, previous quarter).
    n: HashMap<&'static str, String>,
    /// Admissions: f (resolved), g (unmatched), h (a Kent child, unmatched).
    adm: HashMap<&'static str, String>,
    /// Episodes: e1, e2, e3 (A at Oak House), e4 (B in Kent, open), e5 (B, from a return), e6
    /// (E at Oak House in March).
    e: HashMap<&'static str, String>,
    child_a: String,
}

async fn world() -> World {
    // Monday 11 May 2026.
    let app = TestApp::start_at(at("2026-05-11")).await;
    let (brightwater, oak) = app.provider_with_home().await;
    setting(&app, &brightwater, "SC480012", "Elm House").await;
    let rowan = app.operator().post("/v1/providers", json!({"name": "Rowan Homes"})).await.expect(201).id();
    setting(&app, &rowan, "SC480013", "Birch House").await;
    let mut n = HashMap::new();
    let mut adm = HashMap::new();
    let mut e = HashMap::new();

    let a = app.child(HACKNEY, "Amelia", "Hughes", "2011-05-14").await;
    let pa = app.la(HACKNEY).post("/v1/placements", setting_placement(&a, &oak, "2026-05-11")).await.expect(201).id();
    n.insert("n1", notification_for(&app, LEEDS, &pa, "placement.started").await);
    let b = app.child(HACKNEY, "Ben", "Okafor", "2010-02-02").await;
    let pb = app
        .la(HACKNEY)
        .post("/v1/placements", foster_placement(&b, KENT_POSTCODE, "2026-05-08"))
        .await
        .expect(201)
        .id();
    n.insert("n2", notification_for(&app, KENT, &pb, "placement.started").await);
    let c = app.child(HACKNEY, "Cara", "Lewis", "2012-03-03").await;
    let mut body = foster_placement(&c, KENT_POSTCODE, "2026-05-06");
    body["emergency"] = json!(true);
    let pc = app.la(HACKNEY).post("/v1/placements", body).await.expect(201).id();
    n.insert("n3", notification_for(&app, KENT, &pc, "placement.started").await);
    let d = app.child(HACKNEY, "Dev", "Patel", "2009-04-04").await;
    app.la(HACKNEY).post("/v1/placements", foster_placement(&d, HACKNEY_POSTCODE, "2026-05-11")).await.expect(201);
    let ce = app.child(HACKNEY, "Erin", "Walsh", "2010-05-05").await;
    let pe = app.la(HACKNEY).post("/v1/placements", setting_placement(&ce, &oak, "2026-03-20")).await.expect(201).id();
    n.insert("ne", notification_for(&app, LEEDS, &pe, "placement.started").await);

    // Leeds acknowledges A's notice the next day.
    app.clock.set(at("2026-05-12"));
    app.la(LEEDS).post(&format!("/v1/notifications/{}/acknowledge", n["n1"]), json!({})).await.expect(200);

    // Oak House admits F (Wednesday 20 May) before Hackney registers her (Friday 22 May).
    let f = app.child(HACKNEY, "Faye", "Moss", "2011-06-06").await;
    app.clock.set(at("2026-05-20"));
    let r = app
        .provider(&brightwater)
        .post(&format!("/v1/settings/{oak}/admissions"), json!({"child_id": f, "date": "2026-05-20"}))
        .await
        .expect(201);
    adm.insert("f", r.id());
    app.clock.set(at("2026-05-22"));
    let pf = app.la(HACKNEY).post("/v1/placements", setting_placement(&f, &oak, "2026-05-20")).await.expect(201).id();
    n.insert("n5", notification_for(&app, LEEDS, &pf, "placement.started").await);
    // G and a Kent child H are admitted and never registered.
    let g = app.child(HACKNEY, "Gus", "Reid", "2012-07-07").await;
    let h = app.child(KENT, "Hana", "Ito", "2011-08-08").await;
    app.clock.set(at("2026-06-05"));
    let r = app
        .provider(&brightwater)
        .post(&format!("/v1/settings/{oak}/admissions"), json!({"child_id": g, "date": "2026-06-03"}))
        .await
        .expect(201);
    adm.insert("g", r.id());
    let r = app
        .provider(&brightwater)
        .post(&format!("/v1/settings/{oak}/admissions"), json!({"child_id": h, "date": "2026-06-05"}))
        .await
        .expect(201);
    adm.insert("h", r.id());

    // C's foster placement ends on 10 June, notified on 12 June; Kent acknowledges at once.
    app.clock.set(at("2026-06-12"));
    app.la(HACKNEY)
        .post(&format!("/v1/placements/{pc}/end"), json!({"end_date": "2026-06-10", "rec": "E11"}))
        .await
        .expect(200);
    n.insert("n4", notification_for(&app, KENT, &pc, "placement.ended").await);
    app.la(KENT).post(&format!("/v1/notifications/{}/acknowledge", n["n4"]), json!({})).await.expect(200);

    // Episodes, recorded after the event on 20 June.
    app.clock.set(t("2026-06-20T12:00:00Z"));
    let e1 = episode(
        &app.provider(&brightwater),
        json!({"child_id": a, "kind": "M", "started_at": "2026-05-12T22:00:00Z", "ended_at": "2026-05-13T02:00:00Z",
               "found_where": "friends", "safe_and_well": {"at": "2026-05-13T03:00:00Z", "by": "West Yorkshire Police"},
               "return_interview": {"offered_at": "2026-05-13T10:00:00Z", "outcome": "accepted", "independent": true,
                                    "completed_at": "2026-05-15T01:00:00Z"}}),
    )
    .await;
    e.insert("e1", e1);
    let e2 = episode(
        &app.provider(&brightwater),
        json!({"child_id": a, "kind": "A", "started_at": "2026-05-20T20:00:00Z", "ended_at": "2026-05-20T23:00:00Z",
               "found_where": "placement",
               "return_interview": {"offered_at": "2026-05-21T10:00:00Z", "outcome": "declined"}}),
    )
    .await;
    e.insert("e2", e2);
    let e3 = episode(
        &app.la(HACKNEY),
        json!({"child_id": a, "kind": "M", "started_at": "2026-06-10T10:00:00Z", "ended_at": "2026-06-10T12:00:00Z",
               "found_where": "family", "safe_and_well": {"at": "2026-06-10T13:00:00Z", "by": "West Yorkshire Police"},
               "return_interview": {"offered_at": "2026-06-11T10:00:00Z", "outcome": "accepted",
                                    "completed_at": "2026-06-14T12:00:00Z"}}),
    )
    .await;
    e.insert("e3", e3);
    e.insert(
        "e4",
        episode(&app.la(HACKNEY), json!({"child_id": b, "kind": "M", "started_at": "2026-06-20T10:00:00Z"})).await,
    );
    let e6 = episode(
        &app.provider(&brightwater),
        json!({"child_id": ce, "kind": "M", "started_at": "2026-03-25T10:00:00Z", "ended_at": "2026-03-25T14:00:00Z",
               "found_where": "placement"}),
    )
    .await;
    e.insert("e6", e6);
    e.insert("e5", insert_return_episode(&app, &b, &pb, "2026-05-25T10:00:00Z", "2026-05-26T10:00:00Z"));

    // Q2 returns (due 28 July): Oak House on time (and resubmitted), Elm House late, Birch House
    // none.
    insert_return(&app, "SC480011", "2026-Q2", 1, "2026-07-20T10:00:00Z", "accepted");
    insert_return(&app, "SC480011", "2026-Q2", 2, "2026-08-05T10:00:00Z", "submitted");
    insert_return(&app, "SC480012", "2026-Q2", 1, "2026-07-29T00:00:00Z", "queried");

    app.clock.set(at("2026-08-10"));
    World { app, brightwater, rowan, n, adm, e, child_a: a }
}

async fn report(actor: &Actor, role: &str, query: &str) -> Value {
    actor.get(&format!("/v1/reports/{role}?{query}")).await.expect(200).body
}

fn values(r: &Value) -> Vec<(String, i64)> {
    r["figures"]
        .as_object()
        .expect("figures")
        .iter()
        .map(|(k, v)| (k.clone(), v["value"].as_i64().expect("value")))
        .collect()
}

#[track_caller]
fn assert_figures(r: &Value, expected: &[(&str, i64)]) {
    let got: HashMap<String, i64> = values(r).into_iter().collect();
    let mut wrong = Vec::new();
    for (name, want) in expected {
        match got.get(*name) {
            Some(v) if v == want => {}
            other => wrong.push(format!("{name}: expected {want}, got {other:?}")),
        }
    }
    let named: Vec<&str> = expected.iter().map(|(n, _)| *n).collect();
    for (name, v) in &got {
        if !named.contains(&name.as_str()) && *v != 0 {
            wrong.push(format!("{name}: expected 0, got {v}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Every record behind a figure, two at a time.
async fn all_records(actor: &Actor, href: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..50 {
        let url = match &cursor {
            None => format!("{href}&limit=2"),
            Some(c) => format!("{href}&limit=2&cursor={c}"),
        };
        let r = actor.get(&url).await.expect(200);
        out.extend(r.body["items"].as_array().cloned().unwrap_or_default());
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return out,
        }
    }
    panic!("more pages than expected for {href}");
}

fn ids(records: &[Value]) -> Vec<String> {
    records.iter().map(|r| r["id"].as_str().expect("id").to_string()).collect()
}

/// Each figure of the report equals the number of records behind it.
async fn assert_records_match(actor: &Actor, report: &Value) {
    for (name, figure) in report["figures"].as_object().expect("figures") {
        let href = figure["records_href"].as_str().expect("href");
        let records = all_records(actor, href).await;
        assert_eq!(records.len() as i64, figure["value"].as_i64().expect("value"), "{name}: {records:?}");
    }
}

#[actix_rt::test]
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
    let log = hackney.get(&format!("/v1/children/{}/access-log?limit=200", w.child_a)).await.expect(200);
    assert!(
        log.body["items"]
            .as_array()
            .is_some_and(|a| a.iter().any(|e| e["action"] == "report.records" && e["org"] == HACKNEY)),
        "{}",
        log.text
    );

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

#[actix_rt::test]
async fn host_and_provider_figures_and_each_sees_only_its_own() {
    let w = world().await;
    let leeds = w.app.la(LEEDS);
    let r = report(&leeds, "host", "period=2026-Q2").await;
    assert_eq!((r["role"].clone(), r["organisation"].clone()), (json!("host"), json!(LEEDS)));
    let oak_episodes = [
        ("episodes", 3),
        ("episodes_missing", 2),
        ("episodes_away", 1),
        ("episodes_ended", 3),
        ("return_interviews_offered", 3),
        ("return_interviews_accepted", 2),
        ("return_interviews_completed_within_72h", 1),
        ("safe_and_well_checks", 2),
        ("children_with_repeat_episodes", 1),
    ];
    let mut expected = vec![
        ("notifications", 2),
        ("notifications_on_time", 1),
        ("notifications_late", 1),
        ("notifications_acknowledgement_overdue", 1),
        ("unnotified_placements", 3),
        ("unnotified_placements_unresolved", 2),
        ("returns_expected", 3),
        ("returns_on_time", 1),
        ("returns_late", 1),
        ("returns_missing", 1),
    ];
    expected.extend(oak_episodes);
    assert_figures(&r, &expected);
    assert_records_match(&leeds, &r).await;
    let href = |f: &str| format!("/v1/reports/host/records?period=2026-Q2&figure={f}");
    let unresolved = all_records(&leeds, &href("unnotified_placements_unresolved")).await;
    assert_eq!(ids(&unresolved), [w.adm["g"].clone(), w.adm["h"].clone()]);
    assert_eq!(unresolved[1]["placing_la"], KENT);
    let returns = all_records(&leeds, &href("returns_expected")).await;
    let summary: Vec<(String, String, Value, Value)> = returns
        .iter()
        .map(|r| {
            (
                r["urn"].as_str().unwrap_or_default().to_string(),
                r["status"].as_str().unwrap_or_default().to_string(),
                r["latest_version"].clone(),
                r["first_submitted_at"].clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("SC480011".into(), "on_time".into(), json!(2), json!("2026-07-20T10:00:00Z")),
            ("SC480012".into(), "late".into(), json!(1), json!("2026-07-29T00:00:00Z")),
            ("SC480013".into(), "missing".into(), Value::Null, Value::Null),
        ]
    );
    assert_eq!(returns[0]["due_by"], "2026-07-28");
    assert_eq!(returns[0]["review_status"], "submitted");
    assert_eq!(returns[1]["review_status"], "queried");
    assert_eq!(returns[2]["setting_name"], "Birch House");

    // Kent hosts B and C (foster): three notices, B's two episodes, no settings.
    let kent = w.app.la(KENT);
    let k = report(&kent, "host", "period=2026-Q2").await;
    assert_figures(
        &k,
        &[
            ("notifications", 3),
            ("notifications_on_time", 2),
            ("notifications_late", 1),
            ("notifications_acknowledgement_overdue", 2),
            ("episodes", 2),
            ("episodes_missing", 2),
            ("episodes_ended", 1),
            ("episodes_first_reported_in_return", 1),
        ],
    );
    assert_records_match(&kent, &k).await;
    // As a placing LA Kent has only H's admission; Hackney's records never show.
    let kp = report(&kent, "placing", "period=2026-Q2").await;
    assert_figures(&kp, &[("unnotified_placements", 1), ("unnotified_placements_unresolved", 1)]);
    assert_records_match(&kent, &kp).await;
    // Hackney hosts nothing of anyone else's.
    assert_figures(&report(&w.app.la(HACKNEY), "host", "period=2026-Q2").await, &[]);

    // Brightwater: Oak and Elm House.
    let bw = w.app.provider(&w.brightwater);
    let p = report(&bw, "provider", "period=2026-Q2").await;
    assert_eq!(p["organisation"], json!(w.brightwater));
    let mut expected = vec![("returns_expected", 2), ("returns_on_time", 1), ("returns_late", 1)];
    expected.extend(oak_episodes);
    assert_figures(&p, &expected);
    assert_records_match(&bw, &p).await;
    let eps = all_records(&bw, "/v1/reports/provider/records?period=2026-Q2&figure=episodes").await;
    assert_eq!(ids(&eps), ["e1", "e2", "e3"].map(|k| w.e[k].clone()));
    // Rowan: Birch House, which sent nothing.
    let rowan = w.app.provider(&w.rowan);
    let rp = report(&rowan, "provider", "period=2026-Q2").await;
    assert_figures(&rp, &[("returns_expected", 1), ("returns_missing", 1)]);
    assert_records_match(&rowan, &rp).await;
    // A provider with no settings has nothing.
    assert_figures(&report(&w.app.provider("nobody"), "provider", "period=2026-Q2").await, &[]);

    // The collection year 2026-27 holds four quarters of returns; those not yet due are not missing.
    let y = report(&bw, "provider", "year=2027").await;
    let mut expected =
        vec![("returns_expected", 8), ("returns_on_time", 1), ("returns_late", 1), ("returns_not_yet_due", 6)];
    expected.extend(oak_episodes);
    assert_figures(&y, &expected);
    let ly = report(&leeds, "host", "year=2027").await;
    assert_eq!(ly["figures"]["returns_expected"]["value"], 12);
    assert_eq!(ly["figures"]["returns_not_yet_due"]["value"], 9);
    assert_records_match(&leeds, &ly).await;
    let pending = all_records(&leeds, "/v1/reports/host/records?year=2027&figure=returns_not_yet_due").await;
    let keys: Vec<String> = pending.iter().map(|r| format!("{} {}", r["period"], r["urn"])).collect();
    assert_eq!(keys.len(), 9);
    assert_eq!(keys.first().map(String::as_str), Some("\"2026-Q3\" \"SC480011\""));
    assert_eq!(keys.last().map(String::as_str), Some("\"2027-Q1\" \"SC480013\""));
    // Before the Q2 due date the unsent return was not yet due, not missing.
    w.app.clock.set(at("2026-07-28"));
    let leeds = w.app.la(LEEDS);
    let before = report(&leeds, "host", "period=2026-Q2").await;
    assert_eq!(before["figures"]["returns_missing"]["value"], 0);
    assert_eq!(before["figures"]["returns_not_yet_due"]["value"], 1);
    // Settings registered after a quarter owe no return for it.
    assert_eq!(report(&leeds, "host", "period=2026-Q1").await["figures"]["returns_expected"]["value"], 0);
}

#[actix_rt::test]
async fn repeat_episodes_are_three_within_90_days_inside_the_period() {
    let app = TestApp::start_at(at("2026-04-01")).await;
    let (pid, urn) = app.provider_with_home().await;
    let mut children = Vec::new();
    for (given, dob) in [("Rae", "2010-01-01"), ("Sol", "2011-01-01"), ("Tia", "2012-01-01")] {
        let c = app.child(HACKNEY, given, "Test", dob).await;
        app.la(HACKNEY).post("/v1/placements", setting_placement(&c, &urn, "2026-04-01")).await.expect(201);
        children.push(c);
    }
    app.clock.set(at("2026-09-01"));
    let home = app.provider(&pid);
    let starts = [
        // Rae: the third starts exactly 90 days after the first.
        ["2026-04-02T10:00:00Z", "2026-05-15T10:00:00Z", "2026-07-01T10:00:00Z"],
        // Sol: one minute more.
        ["2026-04-02T10:00:00Z", "2026-05-15T10:00:00Z", "2026-07-01T10:01:00Z"],
        // Tia: within 90 days, but only two in the second quarter.
        ["2026-05-01T10:00:00Z", "2026-06-01T10:00:00Z", "2026-07-02T10:00:00Z"],
    ];
    for (child, times) in children.iter().zip(starts) {
        for s in times {
            let end = (t(s) + chrono::TimeDelta::hours(1)).to_rfc3339();
            episode(
                &home,
                json!({"child_id": child, "kind": "M", "started_at": s, "ended_at": end, "found_where": "placement"}),
            )
            .await;
        }
    }
    let la = app.la(HACKNEY);
    let year = report(&la, "placing", "year=2027").await;
    assert_eq!(year["figures"]["children_with_repeat_episodes"]["value"], 2);
    let mut expected = vec![children[0].clone(), children[2].clone()];
    expected.sort();
    let records = all_records(&la, "/v1/reports/placing/records?year=2027&figure=children_with_repeat_episodes").await;
    let got: Vec<String> = records.iter().map(|r| r["child_id"].as_str().unwrap_or_default().to_string()).collect();
    assert_eq!(got, expected);
    assert!(records.iter().all(|r| r["episodes"] == 3));
    for q in ["period=2026-Q2", "period=2026-Q3"] {
        assert_eq!(report(&la, "placing", q).await["figures"]["children_with_repeat_episodes"]["value"], 0, "{q}");
    }
    assert_eq!(
        report(&app.la(LEEDS), "host", "year=2027").await["figures"]["children_with_repeat_episodes"]["value"],
        2
    );
    assert_eq!(report(&home, "provider", "year=2027").await["figures"]["children_with_repeat_episodes"]["value"], 2);
}

#[actix_rt::test]
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
    let accept =
        hackney.send(reqwest::Method::GET, "/v1/reports/placing?period=2026-Q2", None, &[("accept", "text/csv")]).await;
    assert_eq!(accept.expect(200).text, r.text);
    let json_first = hackney
        .send(
            reqwest::Method::GET,
            "/v1/reports/placing?period=2026-Q2",
            None,
            &[("accept", "application/json, text/csv;q=0.5")],
        )
        .await;
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
    let n2: Value = hackney.get(&format!("/v1/notifications/{}", w.n["n2"])).await.expect(200).body;
    let n5: Value = hackney.get(&format!("/v1/notifications/{}", w.n["n5"])).await.expect(200).body;
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
        .send(
            reqwest::Method::GET,
            "/v1/reports/placing/records?period=2026-Q2&figure=return_interviews_offered&limit=2",
            None,
            &[("accept", "text/csv")],
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

#[actix_rt::test]
async fn who_may_call_each_report() {
    let app = TestApp::start().await;
    let paths = [
        "/v1/reports/placing?period=2026-Q2",
        "/v1/reports/host?period=2026-Q2",
        "/v1/reports/provider?period=2026-Q2",
        "/v1/reports/placing/records?period=2026-Q2&figure=episodes",
        "/v1/reports/host/records?period=2026-Q2&figure=episodes",
        "/v1/reports/provider/records?period=2026-Q2&figure=episodes",
    ];
    let no_reports: Vec<String> =
        OrgType::Authority.allowed_scopes().iter().filter(|s| **s != "reports:read").map(|s| s.to_string()).collect();
    let la_without_scope = app.actor(Some(app.token_with(OrgType::Authority, HACKNEY, &no_reports, 600)));
    let provider_without_scope =
        app.actor(Some(app.token_with(OrgType::Provider, "p1", &["returns:read".to_string()], 600)));
    for path in paths {
        app.anonymous().get(path).await.expect_problem(401);
        app.operator().get(path).await.expect_problem(403);
        let for_provider = path.starts_with("/v1/reports/provider");
        let (allowed, refused, unscoped) = if for_provider {
            (app.provider("p1"), app.la(HACKNEY), &provider_without_scope)
        } else {
            (app.la(HACKNEY), app.provider("p1"), &la_without_scope)
        };
        allowed.get(path).await.expect(200);
        refused.get(path).await.expect_problem(403);
        unscoped.get(path).await.expect_problem(403);
        // There is no way to name another organisation.
        allowed.get(&format!("{path}&org={KENT}")).await.expect_problem(400);
        allowed.get(&format!("{path}&organisation={KENT}")).await.expect_problem(400);
    }
}

#[actix_rt::test]
async fn bad_queries_name_the_field() {
    let app = TestApp::start().await;
    let la = app.la(HACKNEY);
    for (query, field) in [
        ("", "period"),
        ("period=2026-Q5", "period"),
        ("period=2026Q1", "period"),
        ("period=Q1-2026", "period"),
        ("year=26", "year"),
        ("year=2026-27", "year"),
        ("period=2026-Q1&year=2026", "year"),
    ] {
        la.get(&format!("/v1/reports/placing?{query}")).await.expect_field_error(400, field);
        la.get(&format!("/v1/reports/host/records?{query}&figure=episodes")).await.expect_field_error(400, field);
    }
    // An unknown format is a value outside the allowed ones: 422 naming them.
    la.get("/v1/reports/placing?period=2026-Q1&format=xml").await.expect_field_error(422, "format");
    let records = "/v1/reports/placing/records?period=2026-Q2";
    la.get(records).await.expect_field_error(400, "figure");
    la.get(&format!("{records}&figure=nonsense")).await.expect_field_error(400, "figure");
    // A figure of another role's report.
    la.get(&format!("{records}&figure=returns_missing")).await.expect_field_error(400, "figure");
    app.provider("p1")
        .get("/v1/reports/provider/records?period=2026-Q2&figure=notifications")
        .await
        .expect_field_error(400, "figure");
    la.get(&format!("{records}&figure=episodes&limit=0")).await.expect_field_error(400, "limit");
    la.get(&format!("{records}&figure=episodes&limit=201")).await.expect_field_error(400, "limit");
    la.get(&format!("{records}&figure=episodes&cursor=nonsense")).await.expect_field_error(400, "cursor");
    // A cursor of one kind of record is no cursor for another.
    let other = placement_registry::http::encode_cursor(&["2026-05-01".to_string(), "x".to_string()]);
    la.get(&format!("{records}&figure=episodes&cursor={other}")).await.expect_field_error(400, "cursor");
    la.get(&format!("{records}&figure=children_with_repeat_episodes&cursor={other}"))
        .await
        .expect_field_error(400, "cursor");
    let nul = placement_registry::http::encode_cursor(&["2026-05-01T00:00:00Z".to_string(), "\u{0}".to_string()]);
    la.get(&format!("{records}&figure=episodes&cursor={nul}")).await.expect_field_error(400, "cursor");
}

/// Reports find episodes by the area and setting of the placement they started in; when that
/// placement is corrected to another area, its episodes are counted there from then on.
#[actix_rt::test]
async fn episodes_follow_their_placement_when_it_moves_area() {
    let app = TestApp::start_at(at("2026-04-01")).await;
    let c = app.child(HACKNEY, "Uma", "Vale", "2010-01-01").await;
    let la = app.la(HACKNEY);
    let placed = la.post("/v1/placements", foster_placement(&c, LEEDS_POSTCODE, "2026-04-01")).await.expect(201);
    app.clock.set(at("2026-05-10"));
    let la = app.la(HACKNEY);
    episode(
        &la,
        json!({"child_id": c, "kind": "M", "started_at": "2026-05-02T20:00:00Z", "ended_at": "2026-05-03T08:00:00Z", "found_where": "placement"}),
    )
    .await;
    let q = "period=2026-Q2";
    assert_eq!(report(&app.la(LEEDS), "host", q).await["figures"]["episodes"]["value"], 1);
    assert_eq!(report(&app.la(KENT), "host", q).await["figures"]["episodes"]["value"], 0);
    // The foster home was in Kent all along.
    let path = format!("/v1/placements/{}", placed.body["id"].as_str().expect("id"));
    la.patch(&path, json!({"postcode": KENT_POSTCODE}), &placed.etag()).await.expect(200);
    assert_eq!(report(&app.la(LEEDS), "host", q).await["figures"]["episodes"]["value"], 0);
    let kent = report(&app.la(KENT), "host", q).await;
    assert_eq!(kent["figures"]["episodes"]["value"], 1);
    let records = all_records(&app.la(KENT), "/v1/reports/host/records?period=2026-Q2&figure=episodes").await;
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["host_la"], KENT);
    assert_eq!(report(&la, "placing", q).await["figures"]["episodes"]["value"], 1);
}
