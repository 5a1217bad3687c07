//! Reports: each organisation's figures for a quarter or a collection year, the records behind
//! every figure, their CSV forms, and who may ask for which.

mod access;
mod csv;
mod host_and_provider;
mod placing;
mod repeat_episodes;

use crate::support::internals::{insert_return, insert_return_episode};
use crate::support::*;
use serde_json::{Value, json};
use std::collections::HashMap;

/// The small world every figure below is computed by hand from. Hackney places; Leeds hosts
/// Oak House (SC480011) and Elm House (SC480012) of Brightwater, and Birch House (SC480013) of
/// Rowan Homes; Kent hosts two Hackney foster placements.
pub struct World {
    pub app: TestApp,
    pub brightwater: String,
    pub rowan: String,
    /// Notifications: n1 A started (on time, acknowledged), n2 B started (late), n3 C started
    /// (emergency, on time), n4 C ended (on time, acknowledged), n5 F started (late), ne E started
    /// on 20 March (late, previous quarter).
    pub n: HashMap<&'static str, String>,
    /// Admissions: f (resolved), g (unmatched), h (a Kent child, unmatched).
    pub adm: HashMap<&'static str, String>,
    /// Episodes: e1, e2, e3 (A at Oak House), e4 (B in Kent, open), e5 (B, from a return), e6
    /// (E at Oak House in March).
    pub e: HashMap<&'static str, String>,
    pub child_a: String,
}

async fn notification_for(app: &TestApp, la: &str, placement: &str, kind: &str) -> String {
    let r = app.la(la).inbox(&format!("placement_id={placement}&type={kind}")).await.expect(200);
    r.body["items"][0]["id"].as_str().expect("notification").to_string()
}

async fn report_episode(actor: &Actor, episode: Episode) -> String {
    actor.report_missing(episode).await.expect(201).id()
}

pub async fn world() -> World {
    // Monday 11 May 2026.
    let app = TestApp::start_at(at("2026-05-11")).await;
    let (brightwater, oak) = app.provider_with_home().await;
    app.home_of(&brightwater, "SC480012", "Elm House").await;
    let rowan = app.operator().create_provider("Rowan Homes").await.expect(201).id();
    app.home_of(&rowan, "SC480013", "Birch House").await;
    let mut n = HashMap::new();
    let mut adm = HashMap::new();
    let mut e = HashMap::new();
    let hackney = || app.la(HACKNEY);

    let a = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    let pa = hackney().place(Placement::at(&a, &oak).from("2026-05-11")).await.expect(201).id();
    n.insert("n1", notification_for(&app, LEEDS, &pa, "placement.started").await);
    let b = app.child_of(HACKNEY, a_child("Ben", "Okafor").born("2010-02-02")).await;
    let pb = hackney().place(Placement::foster(&b, KENT_POSTCODE).from("2026-05-08")).await.expect(201).id();
    n.insert("n2", notification_for(&app, KENT, &pb, "placement.started").await);
    let c = app.child_of(HACKNEY, a_child("Cara", "Lewis").born("2012-03-03")).await;
    let pc = hackney().place(Placement::foster(&c, KENT_POSTCODE).from("2026-05-06").emergency()).await;
    let pc = pc.expect(201).id();
    n.insert("n3", notification_for(&app, KENT, &pc, "placement.started").await);
    let d = app.child_of(HACKNEY, a_child("Dev", "Patel").born("2009-04-04")).await;
    hackney().place(Placement::foster(&d, HACKNEY_POSTCODE).from("2026-05-11")).await.expect(201);
    let ce = app.child_of(HACKNEY, a_child("Erin", "Walsh").born("2010-05-05")).await;
    let pe = hackney().place(Placement::at(&ce, &oak).from("2026-03-20")).await.expect(201).id();
    n.insert("ne", notification_for(&app, LEEDS, &pe, "placement.started").await);

    // Leeds acknowledges A's notice the next day.
    app.set_time(at("2026-05-12"));
    app.la(LEEDS).acknowledge(&n["n1"]).await.expect(200);

    // Oak House admits F (Wednesday 20 May) before Hackney registers her (Friday 22 May).
    let f = app.child_of(HACKNEY, a_child("Faye", "Moss").born("2011-06-06")).await;
    app.set_time(at("2026-05-20"));
    let r = app.provider(&brightwater).record_admission(&oak, json!({"child_id": f, "date": "2026-05-20"})).await;
    adm.insert("f", r.expect(201).id());
    app.set_time(at("2026-05-22"));
    let pf = hackney().place(Placement::at(&f, &oak).from("2026-05-20")).await.expect(201).id();
    n.insert("n5", notification_for(&app, LEEDS, &pf, "placement.started").await);
    // G and a Kent child H are admitted and never registered.
    let g = app.child_of(HACKNEY, a_child("Gus", "Reid").born("2012-07-07")).await;
    let h = app.child_of(KENT, a_child("Hana", "Ito").born("2011-08-08")).await;
    app.set_time(at("2026-06-05"));
    let home = app.provider(&brightwater);
    let r = home.record_admission(&oak, json!({"child_id": g, "date": "2026-06-03"})).await;
    adm.insert("g", r.expect(201).id());
    let r = home.record_admission(&oak, json!({"child_id": h, "date": "2026-06-05"})).await;
    adm.insert("h", r.expect(201).id());

    // C's foster placement ends on 10 June, notified on 12 June; Kent acknowledges at once.
    app.set_time(at("2026-06-12"));
    hackney().end_placement(&pc, Ending::on("2026-06-10", "E4A")).await.expect(200);
    n.insert("n4", notification_for(&app, KENT, &pc, "placement.ended").await);
    app.la(KENT).acknowledge(&n["n4"]).await.expect(200);

    // Episodes, recorded after the event on 20 June.
    app.set_time(instant("2026-06-20T12:00:00Z"));
    let home = app.provider(&brightwater);
    let e1 = Episode::missing(&a, "2026-05-12T22:00:00Z")
        .until("2026-05-13T02:00:00Z")
        .found("friends")
        .safe_and_well("2026-05-13T03:00:00Z", "West Yorkshire Police")
        .return_interview(json!({"offered_at": "2026-05-13T10:00:00Z", "outcome": "accepted", "independent": true,
                                 "completed_at": "2026-05-15T01:00:00Z"}));
    e.insert("e1", report_episode(&home, e1).await);
    let e2 = Episode::away(&a, "2026-05-20T20:00:00Z")
        .until("2026-05-20T23:00:00Z")
        .found("placement")
        .return_interview(json!({"offered_at": "2026-05-21T10:00:00Z", "outcome": "declined"}));
    e.insert("e2", report_episode(&home, e2).await);
    let e3 = Episode::missing(&a, "2026-06-10T10:00:00Z")
        .until("2026-06-10T12:00:00Z")
        .found("family")
        .safe_and_well("2026-06-10T13:00:00Z", "West Yorkshire Police")
        .return_interview(json!({"offered_at": "2026-06-11T10:00:00Z", "outcome": "accepted",
                                 "completed_at": "2026-06-14T12:00:00Z"}));
    e.insert("e3", report_episode(&hackney(), e3).await);
    e.insert("e4", report_episode(&hackney(), Episode::missing(&b, "2026-06-20T10:00:00Z")).await);
    let e6 = Episode::missing(&ce, "2026-03-25T10:00:00Z").until("2026-03-25T14:00:00Z").found("placement");
    e.insert("e6", report_episode(&home, e6).await);
    e.insert("e5", insert_return_episode(&app, &b, &pb, "2026-05-25T10:00:00Z", "2026-05-26T10:00:00Z"));

    // Q2 returns (due 28 July): Oak House on time (and resubmitted), Elm House late, Birch House
    // none.
    insert_return(&app, "SC480011", "2026-Q2", 1, "2026-07-20T10:00:00Z", "accepted");
    insert_return(&app, "SC480011", "2026-Q2", 2, "2026-08-05T10:00:00Z", "submitted");
    insert_return(&app, "SC480012", "2026-Q2", 1, "2026-07-29T00:00:00Z", "queried");

    app.set_time(at("2026-08-10"));
    World { app, brightwater, rowan, n, adm, e, child_a: a }
}

/// The body of the caller's report as `role`.
pub async fn report(actor: &Actor, role: &str, query: &str) -> Value {
    actor.report(role, query).await.expect(200).body
}

fn values(r: &Value) -> Vec<(String, i64)> {
    r["figures"]
        .as_object()
        .expect("figures")
        .iter()
        .map(|(k, v)| (k.clone(), v["value"].as_i64().expect("value")))
        .collect()
}

/// The report has these figures, and every other figure is 0.
#[track_caller]
pub fn assert_figures(r: &Value, expected: &[(&str, i64)]) {
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
pub async fn all_records(actor: &Actor, href: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..50 {
        let url = match &cursor {
            None => format!("{href}&limit=2"),
            Some(c) => format!("{href}&limit=2&cursor={c}"),
        };
        let r = actor.get(&url).await.expect(200);
        out.extend(r.items());
        match r.next_cursor() {
            Some(c) => cursor = Some(c),
            None => return out,
        }
    }
    panic!("more pages than expected for {href}");
}

pub fn ids(records: &[Value]) -> Vec<String> {
    records.iter().map(|r| r["id"].as_str().expect("id").to_string()).collect()
}

/// Each figure of the report equals the number of records behind it.
pub async fn assert_records_match(actor: &Actor, report: &Value) {
    for (name, figure) in report["figures"].as_object().expect("figures") {
        let href = figure["records_href"].as_str().expect("href");
        let records = all_records(actor, href).await;
        assert_eq!(records.len() as i64, figure["value"].as_i64().expect("value"), "{name}: {records:?}");
    }
}
