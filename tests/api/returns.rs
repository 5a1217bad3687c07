use crate::common::*;
use serde_json::{Value, json};

const Q3: &str = "2026-Q3";

struct Setup {
    app: TestApp,
    provider: String,
    urn: String,
    amelia: String,
    ben: String,
}

/// Two Hackney children at Oak House (Leeds) since 1 June 2026; now is Monday 5 October 2026,
/// after the end of 2026-Q3 (due 28 October).
async fn setup() -> Setup {
    let app = TestApp::start_at(at("2026-10-05")).await;
    let (provider, urn) = app.provider_with_home().await;
    let amelia = app.child(HACKNEY, "Amelia", "Hughes", "2011-05-14").await;
    let ben = app.child(HACKNEY, "Ben", "Clarke", "2010-02-20").await;
    for c in [&amelia, &ben] {
        app.la(HACKNEY).post("/v1/placements", setting_placement(c, &urn, "2026-06-01")).await.expect(201);
    }
    Setup { app, provider, urn, amelia, ben }
}

fn path(urn: &str) -> String {
    format!("/v1/settings/{urn}/returns/{Q3}")
}

fn ep(child: &str, kind: &str, start: &str, end: Option<&str>) -> Value {
    let mut e = json!({"child_id": child, "kind": kind, "started_at": start});
    if let Some(end) = end {
        e["ended_at"] = json!(end);
    }
    e
}

async fn put(actor: &Actor, path: &str, body: Value) -> Resp {
    actor.send(reqwest::Method::PUT, path, Some(body), &[]).await
}

async fn put_csv(actor: &Actor, path: &str, csv: &str) -> Resp {
    actor.raw("PUT", path, "text/csv", csv).await
}

async fn put_bytes(actor: &Actor, path: &str, content_type: &str, body: Vec<u8>) -> Resp {
    let mut rb = actor.client.put(format!("{}{}", actor.base, path)).header("content-type", content_type).body(body);
    if let Some(t) = &actor.token {
        rb = rb.bearer_auth(t);
    }
    match rb.send().await {
        Ok(res) => {
            let status = res.status().as_u16();
            let headers = res.headers().clone();
            let text = res.text().await.unwrap_or_default();
            let body = serde_json::from_str(&text).unwrap_or(Value::Null);
            Resp { status, headers, body, text }
        }
        Err(e) => panic!("request failed: {e}"),
    }
}

/// Reports an episode as it happens (the home).
async fn report(s: &Setup, child: &str, kind: &str, start: &str, end: Option<&str>) -> String {
    s.app.provider(&s.provider).post("/v1/missing-episodes", ep(child, kind, start, end)).await.expect(201).id()
}

fn fields(r: &Resp) -> Vec<String> {
    r.body["errors"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["field"].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

fn rule_of(r: &Resp, field: &str) -> Option<String> {
    r.body["errors"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["field"] == field))
        .and_then(|e| e["rule"].as_str().map(str::to_string))
}

#[track_caller]
fn assert_fields(r: &Resp, expected: &[&str]) {
    let got = fields(r);
    for f in expected {
        assert!(got.iter().any(|g| g == f), "expected an error on `{f}`, got {got:?}");
    }
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().filter_map(|e| e["episode_id"].as_str().map(str::to_string)).collect())
        .unwrap_or_default()
}

#[actix_rt::test]
async fn a_return_is_reconciled_with_the_episodes_reported_as_they_happened() {
    let s = setup().await;
    let e1 = report(&s, &s.amelia, "M", "2026-07-10T22:00:00Z", Some("2026-07-11T02:00:00Z")).await;
    let e2 = report(&s, &s.ben, "A", "2026-08-03T18:00:00Z", Some("2026-08-03T21:00:00Z")).await;
    let mut e3_body = ep(&s.amelia, "M", "2026-09-01T20:00:00Z", Some("2026-09-01T23:00:00Z"));
    e3_body["found_where"] = json!("family");
    let e3 = s.app.provider(&s.provider).post("/v1/missing-episodes", e3_body.clone()).await.expect(201).id();

    // Row 0 adds detail to e1 (and disagrees on the times); row 1 is new; row 2 is e3 as stored.
    let mut r0 = ep(&s.amelia, "M", "2026-07-10T22:05:00Z", Some("2026-07-11T03:00:00Z"));
    r0["found_where"] = json!("friends");
    r0["reported_to_police_at"] = json!("2026-07-10T23:00:00Z");
    r0["police_reference"] = json!("WY-2026-1");
    r0["safe_and_well_at"] = json!("2026-07-11T04:00:00Z");
    r0["safe_and_well_by"] = json!("West Yorkshire Police");
    r0["risk_indicators"] = json!(["criminal_exploitation"]);
    let mut r1 = ep(&s.amelia, "M", "2026-08-20T21:00:00Z", Some("2026-08-21T01:00:00Z"));
    r1["found_where"] = json!("placement");
    r1["return_interview_offered_at"] = json!("2026-08-21T10:00:00Z");
    r1["return_interview_offered_by"] = json!("Independent RI service");
    r1["return_interview_independent"] = json!(true);
    r1["return_interview_outcome"] = json!("accepted");
    r1["return_interview_completed_at"] = json!("2026-08-22T10:00:00Z");
    let body = json!({"nil": false, "episodes": [r0, r1, e3_body]});
    let r = put(&s.app.provider(&s.provider), &path(&s.urn), body).await.expect(201);
    assert_eq!(
        r.header("location").as_deref(),
        Some(format!("/v1/settings/{}/returns/{Q3}/versions/1", s.urn).as_str())
    );
    assert_eq!(r.etag(), "\"1\"");
    assert_eq!(r.body["version"], 1);
    assert_eq!(r.body["status"], "submitted");
    assert_eq!(r.body["format"], "json");
    assert_eq!(r.body["due_by"], "2026-10-28");
    assert_eq!(r.body["received_on_time"], true);
    let sum = &r.body["summary"];
    assert_eq!(
        sum["counts"],
        json!({"rows": 3, "matched": 2, "enriched": 1, "added": 1, "omitted": 1, "conflicts": 2})
    );
    assert_eq!(ids(&sum["matched"]), [e1.clone(), e3.clone()]);
    assert_eq!(ids(&sum["enriched"]), std::slice::from_ref(&e1));
    assert_eq!(sum["enriched"][0]["row"], "episodes[0]");
    let filled: Vec<&str> =
        sum["enriched"][0]["fields"].as_array().expect("fields").iter().filter_map(Value::as_str).collect();
    for f in [
        "found_where",
        "reported_to_police_at",
        "police_reference",
        "safe_and_well_at",
        "safe_and_well_by",
        "risk_indicators",
    ] {
        assert!(filled.contains(&f), "{f} in {filled:?}");
    }
    assert!(!filled.contains(&"ended_at"));
    let conflicts: Vec<(&str, &str, &str)> = sum["conflicts"]
        .as_array()
        .expect("conflicts")
        .iter()
        .map(|c| {
            (
                c["field"].as_str().unwrap_or(""),
                c["stored"].as_str().unwrap_or(""),
                c["returned"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        conflicts,
        [
            ("started_at", "2026-07-10T22:00:00Z", "2026-07-10T22:05:00Z"),
            ("ended_at", "2026-07-11T02:00:00Z", "2026-07-11T03:00:00Z")
        ]
    );
    assert_eq!(ids(&sum["omitted"]), std::slice::from_ref(&e2));
    let added = ids(&sum["added"]).pop().expect("added id");
    assert_eq!(sum["added"][0]["row"], "episodes[1]");
    let outcomes: Vec<&str> =
        r.body["episodes"].as_array().expect("episodes").iter().filter_map(|e| e["outcome"].as_str()).collect();
    assert_eq!(outcomes, ["enriched", "added", "matched"]);

    // The stored episode gained the detail and kept its own times.
    let host = s.app.la(LEEDS);
    let stored = host.get(&format!("/v1/missing-episodes/{e1}")).await.expect(200);
    assert_eq!(stored.body["found_where"], "friends");
    assert_eq!(stored.body["police_reference"], "WY-2026-1");
    assert_eq!(stored.body["safe_and_well"]["by"], "West Yorkshire Police");
    assert_eq!(stored.body["risk_indicators"], json!(["criminal_exploitation"]));
    assert_eq!(stored.body["started_at"], "2026-07-10T22:00:00Z");
    assert_eq!(stored.body["ended_at"], "2026-07-11T02:00:00Z");
    assert_eq!(stored.body["source"], "real_time");
    assert_eq!(stored.body["first_reported_in_return"], false);
    // The new one is flagged as first reported in the return.
    let new = host.get(&format!("/v1/missing-episodes/{added}")).await.expect(200);
    assert_eq!(new.body["source"], "return");
    assert_eq!(new.body["first_reported_in_return"], true);
    assert_eq!(new.body["return_interview"]["outcome"], "accepted");
    assert_eq!(new.body["flags"]["return_interview"]["status"], "completed_in_time");
    // The host LA is told; the placing LA is not.
    let inbox = host.get("/v1/notifications?type=return.submitted").await.expect(200);
    assert_eq!(inbox.body["items"][0]["payload"]["version"], 1);
    assert_eq!(inbox.body["items"][0]["payload"]["added"], 1);
    assert_eq!(inbox.body["items"][0]["sender_org"], json!(s.provider));
    let placing = s.app.la(HACKNEY).get("/v1/notifications?type=return.submitted").await.expect(200);
    assert!(placing.body["items"].as_array().is_some_and(Vec::is_empty));
    // Both may read it.
    for reader in [s.app.provider(&s.provider), host] {
        let got = reader.get(&path(&s.urn)).await.expect(200);
        assert_eq!(got.body["summary"], r.body["summary"]);
        assert_eq!(got.body["latest"], true);
    }
}

#[actix_rt::test]
async fn every_problem_is_listed_by_row_and_field_and_nothing_is_stored() {
    let s = setup().await;
    let elsewhere = s.app.child(HACKNEY, "Cara", "Kent", "2012-01-01").await;
    s.app
        .la(HACKNEY)
        .post("/v1/placements", foster_placement(&elsewhere, KENT_POSTCODE, "2026-06-01"))
        .await
        .expect(201);
    let (a, b) = (s.amelia.as_str(), s.ben.as_str());
    let mut bad_codes = ep(a, "M", "2026-07-12T10:00:00Z", None);
    bad_codes["risk_indicators"] = json!(["bad_vibes"]);
    bad_codes["found_where"] = json!("family");
    let mut halves = ep(b, "M", "2026-07-28T10:00:00Z", Some("2026-07-28T11:00:00Z"));
    halves["safe_and_well_at"] = json!("2026-07-28T12:00:00Z");
    halves["return_interview_offered_at"] = json!("2026-07-28T13:00:00Z");
    let mut unknown = ep(a, "M", "2026-07-25T10:00:00Z", Some("2026-07-25T11:00:00Z"));
    unknown["colour"] = json!("red");
    let episodes = json!([
        ep(a, "X", "2026-07-05T10:00:00Z", Some("2026-07-05T11:00:00Z")),
        ep(a, "M", "5 July 2026", None),
        ep(&elsewhere, "M", "2026-07-06T10:00:00Z", Some("2026-07-06T11:00:00Z")),
        ep(a, "M", "2026-06-20T10:00:00Z", Some("2026-06-20T11:00:00Z")),
        ep(a, "M", "2026-07-08T10:00:00Z", Some("2026-07-08T09:00:00Z")),
        ep(b, "M", "2026-07-09T10:00:00Z", Some("2026-07-09T15:00:00Z")),
        ep(b, "A", "2026-07-09T12:00:00Z", Some("2026-07-09T13:00:00Z")),
        bad_codes,
        {"child_id": a, "kind": "M"},
        unknown,
        ep(a, "M", "2026-07-20T10:00:00Z", Some("2026-10-06T10:00:00Z")),
        halves,
    ]);
    let home = s.app.provider(&s.provider);
    let r = put(&home, &path(&s.urn), json!({"nil": false, "episodes": episodes})).await.expect_problem(422);
    assert_fields(
        &r,
        &[
            "episodes[0].kind",
            "episodes[1].started_at",
            "episodes[2].child_id",
            "episodes[3].started_at",
            "episodes[4].ended_at",
            "episodes[5].started_at",
            "episodes[6].started_at",
            "episodes[7].risk_indicators[0]",
            "episodes[7].found_where",
            "episodes[8].started_at",
            "episodes[9].colour",
            "episodes[10].ended_at",
            "episodes[11].safe_and_well_by",
            "episodes[11].return_interview_outcome",
        ],
    );
    assert_eq!(rule_of(&r, "episodes[0].kind").as_deref(), Some("1006"));
    assert_eq!(rule_of(&r, "episodes[4].ended_at").as_deref(), Some("567"));
    assert_eq!(rule_of(&r, "episodes[5].started_at").as_deref(), Some("574"));
    // One error per problem: the rules do not repeat what the row check already said.
    assert_eq!(fields(&r).iter().filter(|f| *f == "episodes[0].kind").count(), 1);
    // Problems come in row order.
    let rows: Vec<String> = fields(&r).into_iter().filter(|f| f.starts_with("episodes[")).collect();
    let index = |f: &String| f[9..].split(']').next().and_then(|n| n.parse::<u32>().ok()).unwrap_or(0);
    assert!(rows.windows(2).all(|w| index(&w[0]) <= index(&w[1])), "{rows:?}");
    assert!(r.body["detail"].as_str().is_some_and(|d| d.contains("not stored")));
    // Nothing was stored.
    home.get(&path(&s.urn)).await.expect_problem(404);
    let eps = s.app.la(HACKNEY).get("/v1/missing-episodes").await.expect(200);
    assert!(eps.body["items"].as_array().is_some_and(Vec::is_empty));
    // Corrected, it goes in.
    let fixed = json!([
        ep(a, "A", "2026-07-05T10:00:00Z", Some("2026-07-05T11:00:00Z")),
        ep(b, "M", "2026-07-09T10:00:00Z", Some("2026-07-09T12:00:00Z")),
        ep(b, "A", "2026-07-09T12:00:00Z", Some("2026-07-09T13:00:00Z")),
    ]);
    let ok = put(&home, &path(&s.urn), json!({"nil": false, "episodes": fixed})).await.expect(201);
    assert_eq!(ok.body["summary"]["counts"]["added"], 3);
}

#[actix_rt::test]
async fn the_missing_rules_apply_with_placements_and_stored_episodes() {
    let s = setup().await;
    let la = s.app.la(HACKNEY);
    // Carl and Eve left care from Oak House on 15 August.
    let carl = s.app.child(HACKNEY, "Carl", "Moss", "2009-03-03").await;
    let p = la.post("/v1/placements", setting_placement(&carl, &s.urn, "2026-06-01")).await.expect(201);
    la.post(&format!("/v1/placements/{}/end", p.id()), json!({"end_date": "2026-08-15", "rec": "E11"}))
        .await
        .expect(200);
    let eve = s.app.child(HACKNEY, "Eve", "Stone", "2009-04-04").await;
    let p = la.post("/v1/placements", setting_placement(&eve, &s.urn, "2026-06-01")).await.expect(201);
    la.post(&format!("/v1/placements/{}/end", p.id()), json!({"end_date": "2026-08-15", "rec": "E11"}))
        .await
        .expect(200);
    // Dana moved from foster care to Oak House on 1 August.
    let dana = s.app.child(HACKNEY, "Dana", "Reid", "2011-11-11").await;
    let f = la.post("/v1/placements", foster_placement(&dana, KENT_POSTCODE, "2026-06-01")).await.expect(201);
    la.post(
        &format!("/v1/placements/{}/end", f.id()),
        json!({"end_date": "2026-08-01", "rec": "X1", "reason_place_change": "CARPL"}),
    )
    .await
    .expect(200);
    la.post("/v1/placements", setting_placement(&dana, &s.urn, "2026-08-01")).await.expect(201);
    // Fay came into care at Oak House on 1 August; Gus was born on 15 July and placed there that day.
    let fay = s.app.child(HACKNEY, "Fay", "Lowe", "2012-12-12").await;
    la.post("/v1/placements", setting_placement(&fay, &s.urn, "2026-08-01")).await.expect(201);
    let gus = s.app.child(HACKNEY, "Gus", "Young", "2026-07-15").await;
    la.post("/v1/placements", setting_placement(&gus, &s.urn, "2026-07-15")).await.expect(201);
    // Amelia's episode reported as it happened.
    let stored = report(&s, &s.amelia, "M", "2026-07-10T22:00:00Z", Some("2026-07-11T02:00:00Z")).await;

    let home = s.app.provider(&s.provider);
    let bad = json!([
        ep(&carl, "M", "2026-08-10T10:00:00Z", None),
        ep(&eve, "M", "2026-08-14T10:00:00Z", Some("2026-08-16T10:00:00Z")),
        ep(&dana, "M", "2026-07-20T10:00:00Z", Some("2026-07-20T12:00:00Z")),
        ep(&s.amelia, "M", "2026-07-11T01:00:00Z", Some("2026-07-11T05:00:00Z")),
        ep(&fay, "M", "2026-07-25T10:00:00Z", Some("2026-07-25T12:00:00Z")),
        ep(&gus, "M", "2026-07-15T10:00:00Z", Some("2026-07-15T12:00:00Z")),
    ]);
    let r = put(&home, &path(&s.urn), json!({"nil": false, "episodes": bad})).await.expect_problem(422);
    assert_eq!(rule_of(&r, "episodes[0].ended_at").as_deref(), Some("575"));
    assert_eq!(rule_of(&r, "episodes[1].ended_at").as_deref(), Some("578"));
    assert_fields(&r, &["episodes[2].started_at"]);
    assert!(r.text.contains("not placed at SC480011 on 2026-07-20"), "{}", r.text);
    assert_eq!(rule_of(&r, "episodes[3].started_at").as_deref(), Some("574"));
    assert_eq!(rule_of(&r, "episodes[4].started_at").as_deref(), Some("577"));
    assert_eq!(rule_of(&r, "episodes[5].started_at").as_deref(), Some("586"));
    assert_eq!(fields(&r).len(), 6, "{}", r.text);

    let good = json!([
        ep(&carl, "M", "2026-08-10T10:00:00Z", Some("2026-08-10T20:00:00Z")),
        ep(&eve, "M", "2026-08-14T10:00:00Z", Some("2026-08-15T10:00:00Z")),
        ep(&dana, "M", "2026-08-20T10:00:00Z", Some("2026-08-20T12:00:00Z")),
        ep(&s.amelia, "M", "2026-07-11T02:00:00Z", Some("2026-07-11T05:00:00Z")),
        ep(&s.amelia, "M", "2026-07-10T22:00:00Z", None),
        ep(&fay, "M", "2026-08-25T10:00:00Z", Some("2026-08-25T12:00:00Z")),
        ep(&gus, "M", "2026-07-16T10:00:00Z", Some("2026-07-16T12:00:00Z")),
    ]);
    // The row for Amelia's stored episode matches it, and is not reported as overlapping itself.
    let r = put(&home, &path(&s.urn), json!({"nil": false, "episodes": good})).await.expect(201);
    assert_eq!(r.body["summary"]["counts"]["added"], 6);
    assert_eq!(ids(&r.body["summary"]["matched"]), [stored]);
    assert_eq!(r.body["summary"]["counts"]["enriched"], 0);
}

#[actix_rt::test]
async fn nil_returns_say_so_and_nothing_else() {
    let s = setup().await;
    let home = s.app.provider(&s.provider);
    let p = path(&s.urn);
    let one = json!([ep(&s.amelia, "M", "2026-07-05T10:00:00Z", Some("2026-07-05T11:00:00Z"))]);
    let r = put(&home, &p, json!({"nil": true, "episodes": one})).await.expect_field_error(422, "nil");
    assert!(r.text.contains("nil return"));
    put(&home, &p, json!({"nil": false, "episodes": []})).await.expect_field_error(422, "episodes");
    put(&home, &p, json!({"episodes": one})).await.expect_field_error(422, "nil");
    put(&home, &p, json!({"nil": false, "episodes": one, "extra": 1})).await.expect_field_error(422, "extra");
    home.send(reqwest::Method::PUT, &p, None, &[("content-type", "application/json")]).await.expect_problem(400);
    // A nil return when an episode was reported lists it as omitted.
    let reported = report(&s, &s.ben, "A", "2026-08-03T18:00:00Z", Some("2026-08-03T21:00:00Z")).await;
    let r = put(&home, &p, json!({"nil": true})).await.expect(201);
    assert_eq!(r.body["nil"], true);
    assert_eq!(r.body["row_count"], 0);
    assert_eq!(ids(&r.body["summary"]["omitted"]), [reported]);
}

#[actix_rt::test]
async fn a_csv_return_with_bom_quoted_fields_and_template_rows() {
    let s = setup().await;
    let csv = format!(
        "\u{feff}child_id,given_name,family_name,date_of_birth,kind,started_at,ended_at,police_reference,risk_indicators,found_where,return_interview_independent,return_interview_outcome\r\n\
         {a},Amelia,Hughes,2011-05-14,M,2026-07-14 23:10,2026-07-15 02:30,\"WY, 2026/\"\"7\"\"\",\"criminal_exploitation; substance_misuse\",friends,no,declined\r\n\
         {b},\"Ben\nClarke\",\"Clarke, Jr\",2010-02-20,,,,,,,,\r\n\
         {a},Amelia,Hughes,2011-05-14,A,2026-08-01T10:00:00+01:00,2026-08-01 12:00,,,placement,,\r\n",
        a = s.amelia,
        b = s.ben
    );
    let r = put_csv(&s.app.provider(&s.provider), &path(&s.urn), &csv).await.expect(201);
    assert_eq!(r.body["format"], "csv");
    assert_eq!(r.body["row_count"], 2);
    let eps = r.body["episodes"].as_array().expect("episodes");
    assert_eq!(eps[0]["row"], "rows[2]");
    assert_eq!(eps[0]["police_reference"], "WY, 2026/\"7\"");
    assert_eq!(eps[0]["risk_indicators"], json!(["criminal_exploitation", "substance_misuse"]));
    assert_eq!(eps[0]["started_at"], "2026-07-14T23:10:00Z");
    assert_eq!(eps[0]["return_interview_independent"], false);
    // The template row for Ben spans lines 3 and 4; the next record starts on line 5.
    assert_eq!(eps[1]["row"], "rows[5]");
    assert_eq!(eps[1]["started_at"], "2026-08-01T09:00:00Z");
    let stored = s
        .app
        .la(LEEDS)
        .get(&format!("/v1/missing-episodes/{}", eps[0]["episode_id"].as_str().unwrap_or("")))
        .await
        .expect(200);
    assert_eq!(stored.body["police_reference"], "WY, 2026/\"7\"");
    assert_eq!(stored.body["source"], "return");
}

#[actix_rt::test]
async fn csv_headers_codes_dates_and_empty_files_are_checked() {
    let s = setup().await;
    let home = s.app.provider(&s.provider);
    let p = path(&s.urn);
    let a = &s.amelia;
    // Unknown and missing columns are named.
    let r = put_csv(&home, &p, &format!("child_id,kind,colour\n{a},M,red\n")).await.expect_problem(422);
    assert_eq!(fields(&r), ["header.colour", "header.started_at"]);
    let r = put_csv(&home, &p, "child_id,kind,started_at,Kind\n").await.expect_problem(422);
    assert_fields(&r, &["header.kind"]);
    // Codes, instants and booleans, by line.
    let csv = format!(
        "child_id,kind,started_at,ended_at,found_where,return_interview_independent\n\
         {a},X,2026-07-14 23:10,2026-07-15 01:00,,\n\
         {a},M,14/07/2026,,,\n\
         {a},M,2026-07-16T10:00:00Z,2026-07-16T12:00:00Z,garden,maybe\n\
         {a},M,2026-07-17T10:00:00Z\n\
         nobody,M,2026-07-18T10:00:00Z,2026-07-18T11:00:00Z,,\n\
         {a},,,2026-07-19T10:00:00Z,,\n"
    );
    let r = put_csv(&home, &p, &csv).await.expect_problem(422);
    assert_fields(
        &r,
        &[
            "rows[2].kind",
            "rows[3].started_at",
            "rows[4].found_where",
            "rows[4].return_interview_independent",
            "rows[5]",
            "rows[6].child_id",
            "rows[7].kind",
            "rows[7].started_at",
        ],
    );
    assert_eq!(rule_of(&r, "rows[2].kind").as_deref(), Some("1006"));
    assert!(r.text.contains("YYYY-MM-DD HH:MM"));
    // An empty file is a nil return only when it says so.
    put_csv(&home, &p, "").await.expect_field_error(422, "body");
    put_csv(&home, &p, "child_id,kind,started_at\n").await.expect_field_error(422, "body");
    // The passing case: the smallest valid file.
    let r =
        put_csv(&home, &p, &format!("child_id,kind,started_at,ended_at\n{a},M,2026-07-01 10:00,2026-07-01 11:00\n"))
            .await;
    assert_eq!(r.expect(201).body["version"], 1);
    // Not UTF-8.
    let r = put_bytes(&home, &p, "text/csv", b"child_id,kind,started_at\n\xff\xfe,M,x\n".to_vec()).await;
    r.expect_field_error(422, "rows[2]");
    // Other media types, and query parameters that belong in a JSON body.
    s.app.provider(&s.provider).raw("PUT", &p, "text/plain", "hello").await.expect_problem(415);
    let q = format!("{p}?nil=true");
    home.send(reqwest::Method::PUT, &q, Some(json!({"nil": true})), &[]).await.expect_field_error(400, "nil");
    put_csv(&home, &format!("{p}?nil=maybe"), "").await.expect_problem(400);
    let r = put_csv(&home, &format!("{p}?nil=true"), "").await.expect(201);
    assert_eq!(r.body["nil"], true);
    assert_eq!(r.body["version"], 2);
}

#[actix_rt::test]
async fn versions_stay_readable_and_an_accepted_return_needs_a_reason_to_change() {
    let s = setup().await;
    let home = s.app.provider(&s.provider);
    let host = s.app.la(LEEDS);
    let p = path(&s.urn);
    let v1 = put(
        &home,
        &p,
        json!({"nil": false, "episodes": [ep(&s.amelia, "M", "2026-07-05T10:00:00Z", Some("2026-07-05T11:00:00Z"))]}),
    )
    .await
    .expect(201);
    // A second version before review needs no reason; the first stays readable.
    let v2 = put(
        &home,
        &p,
        json!({"nil": false, "episodes": [
            ep(&s.amelia, "M", "2026-07-05T10:00:00Z", Some("2026-07-05T11:00:00Z")),
            ep(&s.ben, "A", "2026-07-06T10:00:00Z", Some("2026-07-06T11:00:00Z")),
        ]}),
    )
    .await
    .expect(201);
    assert_eq!(v2.body["version"], 2);
    assert_eq!(v2.body["summary"]["counts"]["matched"], 1);
    assert_eq!(v2.body["summary"]["counts"]["added"], 1);
    let old = host.get(&format!("{p}/versions/1")).await.expect(200);
    assert_eq!(old.body["id"], v1.body["id"]);
    assert_eq!(old.body["latest"], false);
    assert_eq!(old.etag(), "\"1\"");
    host.get(&format!("{p}/versions/3")).await.expect_problem(404);
    assert_eq!(host.get(&p).await.expect(200).body["version"], 2);
    // Review: the host LA only; a query needs a comment.
    let review = format!("{p}/review");
    home.post(&review, json!({"decision": "accept"})).await.expect_problem(403);
    s.app.la(KENT).post(&review, json!({"decision": "accept"})).await.expect_problem(404);
    s.app.la(HACKNEY).post(&review, json!({"decision": "accept"})).await.expect_problem(404);
    host.post(&review, json!({"decision": "query"})).await.expect_field_error(422, "comment");
    host.post(&review, json!({"decision": "maybe"})).await.expect_field_error(422, "decision");
    host.post_with(&review, json!({"decision": "accept"}), &[("if-match", "\"1\"")]).await.expect_problem(412);
    let q = host
        .post(&review, json!({"decision": "query", "comment": "Ben's episode: was he reported to police?"}))
        .await
        .expect(200);
    assert_eq!(q.body["status"], "queried");
    assert_eq!(q.body["review"]["decision"], "query");
    let acc = host.post_with(&review, json!({"decision": "accept"}), &[("if-match", "\"2\"")]).await.expect(200);
    assert_eq!(acc.body["status"], "accepted");
    assert_eq!(acc.body["review"]["by"], "test-user");
    host.post(&review, json!({"decision": "query", "comment": "again"})).await.expect_problem(409);
    // Accepted: a new version needs a reason, as JSON or as the CSV query parameter.
    let v3 =
        json!({"nil": false, "episodes": [ep(&s.amelia, "M", "2026-07-05T10:00:00Z", Some("2026-07-05T11:00:00Z"))]});
    let r = put(&home, &p, v3.clone()).await.expect_field_error(422, "reason");
    assert!(r.text.contains("accepted"), "{}", r.text);
    let mut blank = v3.clone();
    blank["reason"] = json!("   ");
    put(&home, &p, blank).await.expect_field_error(422, "reason");
    let csv = format!("child_id,kind,started_at,ended_at\n{},M,2026-07-05T10:00:00Z,2026-07-05T11:00:00Z\n", s.amelia);
    put_csv(&home, &p, &csv).await.expect_field_error(422, "reason");
    let r = put_csv(&home, &format!("{p}?reason=Ben%27s%20episode%20was%20at%20his%20family"), &csv).await.expect(201);
    assert_eq!(r.body["version"], 3);
    assert_eq!(r.body["status"], "submitted");
    assert_eq!(r.body["reason"], "Ben's episode was at his family");
    assert_eq!(r.body["summary"]["counts"]["omitted"], 1);
    // The listing shows every version of the quarter.
    let list = host.get(&format!("/v1/settings/{}/returns", s.urn)).await.expect(200);
    let q3 = &list.body["items"][0];
    assert_eq!(q3["period"], Q3);
    assert_eq!(q3["standing"], "received");
    assert_eq!(q3["latest_version"], 3);
    let statuses: Vec<&str> =
        q3["versions"].as_array().expect("versions").iter().filter_map(|v| v["status"].as_str()).collect();
    assert_eq!(statuses, ["submitted", "accepted", "submitted"]);
    assert_eq!(q3["versions"][1]["counts"]["added"], 1);
}

#[actix_rt::test]
async fn the_host_la_sees_which_settings_returned_on_time_late_or_not_at_all() {
    let s = setup().await;
    let op = s.app.operator();
    for (urn, name) in [("SC480012", "Elm House"), ("SC480013", "Ash House")] {
        op.post(
            "/v1/settings",
            json!({"urn": urn, "provider_id": s.provider, "name": name, "place": "K2", "postcode": LEEDS_POSTCODE}),
        )
        .await
        .expect(201);
    }
    // Tokens are issued at the clock's time, so each step takes fresh ones.
    let home = || s.app.provider(&s.provider);
    let host = || s.app.la(LEEDS);
    let listing = format!("/v1/authorities/{LEEDS}/returns?period={Q3}");
    // Before the due date: nothing is missing yet.
    let r = host().get(&listing).await.expect(200);
    assert_eq!(r.body["due_by"], "2026-10-28");
    assert_eq!(r.body["counts"], json!({"received": 0, "late": 0, "missing": 0, "not_due": 3}));
    put(&home(), &path(&s.urn), json!({"nil": true})).await.expect(201);
    // On the due date it is still on time; the day after, late.
    s.app.clock.set(at("2026-10-28"));
    put(&home(), &path("SC480012"), json!({"nil": true})).await.expect(201);
    s.app.clock.set(at("2026-10-29"));
    let late = put(&home(), &path("SC480013"), json!({"nil": true})).await.expect(201);
    assert_eq!(late.body["received_on_time"], false);
    let host = host();
    let r = host.get(&listing).await.expect(200);
    let standing: Vec<(&str, &str)> = r.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| (i["urn"].as_str().unwrap_or(""), i["standing"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(standing, [("SC480011", "received"), ("SC480012", "received"), ("SC480013", "late")]);
    assert_eq!(r.body["items"][0]["latest_version"], 1);
    assert_eq!(r.body["items"][0]["status"], "submitted");
    assert_eq!(r.body["items"][0]["setting_name"], "Oak House");
    // A quarter nobody returned, past due: all missing. The default is the latest quarter past due.
    let q2 = host.get(&format!("/v1/authorities/{LEEDS}/returns?period=2026-Q2")).await.expect(200);
    assert_eq!(q2.body["counts"], json!({"received": 0, "late": 0, "missing": 3, "not_due": 0}));
    assert_eq!(q2.body["items"][0]["standing"], "missing");
    let default = host.get(&format!("/v1/authorities/{LEEDS}/returns")).await.expect(200);
    assert_eq!(default.body["period"], Q3);
    s.app.clock.set(at("2026-10-28"));
    let earlier = s.app.la(LEEDS).get(&format!("/v1/authorities/{LEEDS}/returns")).await.expect(200);
    assert_eq!(earlier.body["period"], "2026-Q2");
    // Paging.
    s.app.clock.set(at("2026-10-29"));
    let page = host.get(&format!("{listing}&limit=2")).await.expect(200);
    assert_eq!(page.body["items"].as_array().map(Vec::len), Some(2));
    let cursor = page.body["next_cursor"].as_str().expect("cursor").to_string();
    let rest = host.get(&format!("{listing}&limit=2&cursor={cursor}")).await.expect(200);
    assert_eq!(rest.body["items"][0]["urn"], "SC480013");
    assert!(rest.body.get("next_cursor").is_none());
    // Only the LA itself.
    s.app.la(KENT).get(&format!("/v1/authorities/{LEEDS}/returns")).await.expect_problem(403);
    home().get(&format!("/v1/authorities/{LEEDS}/returns")).await.expect_problem(403);
    s.app.la("E99999999").get("/v1/authorities/E99999999/returns").await.expect_problem(404);
    host.get(&format!("/v1/authorities/{LEEDS}/returns?period=2026-Q9")).await.expect_field_error(422, "period");
}

#[actix_rt::test]
async fn the_template_lists_the_children_placed_in_the_quarter_with_their_reported_episodes() {
    let s = setup().await;
    let mut body = ep(&s.amelia, "M", "2026-07-10T22:00:00Z", Some("2026-07-11T02:00:00Z"));
    body["police_reference"] = json!("WY, 1");
    body["risk_indicators"] = json!(["trafficking", "self_harm"]);
    s.app.provider(&s.provider).post("/v1/missing-episodes", body).await.expect(201);
    // Not in the template: a child placed elsewhere, and one who left before the quarter.
    let elsewhere = s.app.child(HACKNEY, "Cara", "Kent", "2012-01-01").await;
    s.app
        .la(HACKNEY)
        .post("/v1/placements", foster_placement(&elsewhere, KENT_POSTCODE, "2026-06-01"))
        .await
        .expect(201);
    let gone = s.app.child(HACKNEY, "Gail", "Early", "2010-01-01").await;
    let g = s.app.la(HACKNEY).post("/v1/placements", setting_placement(&gone, &s.urn, "2026-04-01")).await.expect(201);
    s.app
        .la(HACKNEY)
        .post(&format!("/v1/placements/{}/end", g.id()), json!({"end_date": "2026-06-30", "rec": "E11"}))
        .await
        .expect(200);

    let t = s.app.provider(&s.provider).get(&format!("{}?template=csv", path(&s.urn))).await.expect(200);
    assert!(t.header("content-type").is_some_and(|c| c.starts_with("text/csv")));
    assert!(t.header("content-disposition").is_some_and(|c| c.contains("SC480011-2026-Q3.csv")));
    assert!(t.text.starts_with('\u{feff}'));
    let mut reader = csv::Reader::from_reader(t.text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_string).collect();
    assert_eq!(&header[..6], ["child_id", "given_name", "family_name", "date_of_birth", "kind", "started_at"]);
    assert_eq!(header.len(), 19);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let col = |r: &csv::StringRecord, name: &str| {
        r.get(header.iter().position(|h| h == name).expect("column")).unwrap_or("").to_string()
    };
    // By family name: Ben Clarke (blank row), then Amelia Hughes (her episode, then a blank row).
    assert_eq!(rows.len(), 3);
    assert_eq!(
        (col(&rows[0], "child_id"), col(&rows[0], "given_name"), col(&rows[0], "kind")),
        (s.ben.clone(), "Ben".into(), String::new())
    );
    assert_eq!(col(&rows[0], "date_of_birth"), "2010-02-20");
    assert_eq!(col(&rows[1], "child_id"), s.amelia);
    assert_eq!(col(&rows[1], "kind"), "M");
    assert_eq!(col(&rows[1], "started_at"), "2026-07-10T22:00:00Z");
    assert_eq!(col(&rows[1], "ended_at"), "2026-07-11T02:00:00Z");
    assert_eq!(col(&rows[1], "police_reference"), "WY, 1");
    assert_eq!(col(&rows[1], "risk_indicators"), "trafficking; self_harm");
    assert_eq!((col(&rows[2], "child_id"), col(&rows[2], "started_at")), (s.amelia.clone(), String::new()));
    // The host LA may have it too; others may not.
    s.app.la(LEEDS).get(&format!("{}?template=csv", path(&s.urn))).await.expect(200);
    s.app.la(KENT).get(&format!("{}?template=csv", path(&s.urn))).await.expect_problem(404);
    s.app
        .provider(&s.provider)
        .get(&format!("{}?template=xlsx", path(&s.urn)))
        .await
        .expect_field_error(422, "template");
    // Sent back as it is, it matches what was reported.
    let r = put_csv(&s.app.provider(&s.provider), &path(&s.urn), &t.text).await.expect(201);
    assert_eq!(
        r.body["summary"]["counts"],
        json!({"rows": 1, "matched": 1, "enriched": 0, "added": 0, "omitted": 0, "conflicts": 0})
    );
}

#[actix_rt::test]
async fn who_may_submit_and_read_returns() {
    let s = setup().await;
    let p = path(&s.urn);
    let nil = json!({"nil": true});
    put(&s.app.provider("another-provider"), &p, nil.clone()).await.expect_problem(404);
    put(&s.app.la(LEEDS), &p, nil.clone()).await.expect_problem(403);
    put(&s.app.la(HACKNEY), &p, nil.clone()).await.expect_problem(403);
    put(&s.app.operator(), &p, nil.clone()).await.expect_problem(403);
    put(&s.app.anonymous(), &p, nil.clone()).await.expect_problem(401);
    put(&s.app.provider(&s.provider), "/v1/settings/SC999999/returns/2026-Q3", nil.clone()).await.expect_problem(404);
    let read_only =
        s.app.token_with(placement_registry::auth::OrgType::Provider, &s.provider, &["returns:read".to_string()], 3600);
    put(&s.app.actor(Some(read_only)), &p, nil.clone()).await.expect_problem(403);
    // No return yet: 404 to its readers too.
    s.app.la(LEEDS).get(&p).await.expect_problem(404);
    put(&s.app.provider(&s.provider), &p.to_lowercase().replace("2026-q3", "2026-Q3"), nil).await.expect(201);
    s.app.provider(&s.provider).get(&p).await.expect(200);
    s.app.la(LEEDS).get(&p).await.expect(200);
    s.app.la(LEEDS).get(&format!("/v1/settings/{}/returns", s.urn)).await.expect(200);
    for (who, status) in [
        (s.app.provider("another-provider"), 404),
        (s.app.la(KENT), 404),
        (s.app.la(HACKNEY), 404),
        (s.app.operator(), 403),
        (s.app.anonymous(), 401),
    ] {
        who.get(&p).await.expect_problem(status);
        who.get(&format!("{p}/versions/1")).await.expect_problem(status);
        who.get(&format!("/v1/settings/{}/returns", s.urn)).await.expect_problem(status);
    }
}

#[actix_rt::test]
async fn periods_are_calendar_quarters_that_have_ended() {
    let s = setup().await;
    let home = s.app.provider(&s.provider);
    let nil = json!({"nil": true});
    put(&home, &format!("/v1/settings/{}/returns/2026-07", s.urn), nil.clone()).await.expect_field_error(422, "period");
    put(&home, &format!("/v1/settings/{}/returns/2026-Q5", s.urn), nil.clone()).await.expect_field_error(422, "period");
    let r = put(&home, &format!("/v1/settings/{}/returns/2026-Q4", s.urn), nil.clone())
        .await
        .expect_field_error(422, "period");
    assert!(r.text.contains("2027-01-01"), "{}", r.text);
    home.get(&format!("/v1/settings/{}/returns/Q3-2026", s.urn)).await.expect_field_error(422, "period");
    // An Idempotency-Key makes a repeat return the first version, not a second.
    let headers = [("idempotency-key", "q3-return-1")];
    let a = home.send(reqwest::Method::PUT, &path(&s.urn), Some(nil.clone()), &headers).await.expect(201);
    let b = home.send(reqwest::Method::PUT, &path(&s.urn), Some(nil), &headers).await.expect(201);
    assert_eq!(a.body["id"], b.body["id"]);
    assert_eq!(b.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(home.get(&path(&s.urn)).await.expect(200).body["version"], 1);
}

#[actix_rt::test]
async fn returns_have_a_size_limit() {
    let s = setup().await;
    let home = s.app.provider(&s.provider);
    // 20,001 rows: refused by count.
    let mut csv = String::from("child_id,kind,started_at\n");
    for i in 0..20_001 {
        csv.push_str(&format!("{},M,2026-07-{:02}T10:00:00Z\n", s.amelia, i % 28 + 1));
    }
    let r = put_csv(&home, &path(&s.urn), &csv).await.expect_problem(413);
    assert!(r.text.contains("20000"), "{}", r.text);
    // Over 16 MiB: refused by size.
    let big = vec![b' '; 16 * 1024 * 1024 + 1];
    let r = put_bytes(&home, &path(&s.urn), "application/json", big).await.expect_problem(413);
    assert!(r.text.contains("16 MiB"), "{}", r.text);
    // A thousand episodes of one return go in.
    let mut episodes = Vec::new();
    for day in 0..92 {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 7, 1).expect("date") + chrono::TimeDelta::days(day);
        for h in 0..11 {
            let child = if h % 2 == 0 { &s.amelia } else { &s.ben };
            let start = d.and_hms_opt(h * 2, 0, 0).expect("time").and_utc();
            let end = start + chrono::TimeDelta::minutes(90);
            episodes.push(ep(child, "M", &start.to_rfc3339(), Some(&end.to_rfc3339())));
        }
    }
    episodes.truncate(1000);
    let r = put(&home, &path(&s.urn), json!({"nil": false, "episodes": episodes})).await.expect(201);
    assert_eq!(r.body["summary"]["counts"]["added"], 1000);
}
