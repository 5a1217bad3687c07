use crate::common::*;
use chrono::{Duration, NaiveDate};
use placement_registry::auth::OrgType;
use placement_registry::exports::tables::{EpisodeRow, HeaderRow, MissingRow, Tables};
use placement_registry::exports::validate::{RULES, Violation, validate};
use placement_registry::geo::Geo;
use serde_json::{Value, json};
use std::collections::BTreeSet;

const OAK_HOUSE: &str = "SC480011";
const AGENCY: &str = "SC057821";

fn path(year: &str, file: &str) -> String {
    format!("/v1/exports/ssda903/{year}/{file}")
}

/// Registers a child of `la` with the SSDA903 fields the export needs; returns its id.
async fn child(app: &TestApp, la: &str, fields: Value) -> String {
    let mut body =
        json!({"sex": "F", "ethnicity": "WBRI", "home_postcode": HACKNEY_POSTCODE, "category_of_need": "N1"});
    for (k, v) in fields.as_object().into_iter().flatten() {
        body[k] = v.clone();
    }
    app.la(la).post("/v1/children", body).await.expect(201).id()
}

async fn place(app: &TestApp, la: &str, body: Value) -> String {
    app.la(la).post("/v1/placements", body).await.expect(201).id()
}

async fn end(app: &TestApp, la: &str, placement: &str, date: &str, rec: &str, reason: Option<&str>) {
    let mut body = json!({"end_date": date, "rec": rec});
    if let Some(r) = reason {
        body["reason_place_change"] = json!(r);
    }
    app.la(la).post(&format!("/v1/placements/{placement}/end"), body).await.expect(200);
}

async fn legal_status(app: &TestApp, la: &str, placement: &str, from: &str, ls: &str) {
    app.la(la)
        .post(
            &format!("/v1/placements/{placement}/legal-statuses"),
            json!({"effective_from": from, "legal_status": ls}),
        )
        .await
        .expect(200);
}

async fn missing(app: &TestApp, la: &str, child: &str, kind: &str, start: &str, end: Option<&str>) {
    let mut body = json!({"child_id": child, "kind": kind, "started_at": start});
    if let Some(e) = end {
        body["ended_at"] = json!(e);
    }
    app.la(la).post("/v1/missing-episodes", body).await.expect(201);
}

/// The three CSV files of `la`'s year, checking the response headers of each.
async fn download(app: &TestApp, la: &str, year: &str) -> (String, String, String) {
    let mut out = Vec::new();
    for stem in ["header", "episodes", "missing"] {
        let r = app.la(la).get(&path(year, &format!("{stem}.csv"))).await.expect(200);
        assert_eq!(r.header("content-type").as_deref(), Some("text/csv; charset=utf-8"));
        assert_eq!(
            r.header("content-disposition"),
            Some(format!("attachment; filename=\"ssda903_{year}_{la}_{stem}.csv\""))
        );
        out.push(r.text);
    }
    let m = out.pop().unwrap_or_default();
    let e = out.pop().unwrap_or_default();
    let h = out.pop().unwrap_or_default();
    (h, e, m)
}

fn parse(files: &(String, String, String)) -> Tables {
    Tables::from_csv(files.0.as_bytes(), files.1.as_bytes(), files.2.as_bytes()).expect("the DfE header rows")
}

fn crlf(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("{l}\r\n")).collect()
}

#[actix_rt::test]
async fn a_small_year_exports_exactly_as_computed_by_hand() {
    let app = TestApp::start().await;
    app.provider_with_home().await;
    // Ruby: fostered in Kent on an interim care order, a full care order mid-placement, then a
    // move to Oak House (Leeds) with X1 continuity; missing twice, the second time across the
    // end of the year.
    let ruby = child(
        &app,
        HACKNEY,
        json!({"la_child_id": "HK1001", "given_name": "Ruby", "family_name": "Stone", "date_of_birth": "2012-04-03"}),
    )
    .await;
    let mut foster = foster_placement(&ruby, KENT_POSTCODE, "2025-02-10");
    foster["urn"] = json!(AGENCY);
    foster["legal_status"] = json!("C1");
    let p1 = place(&app, HACKNEY, foster).await;
    legal_status(&app, HACKNEY, &p1, "2025-06-02", "C2").await;
    end(&app, HACKNEY, &p1, "2025-09-15", "X1", Some("CARPL")).await;
    place(&app, HACKNEY, setting_placement(&ruby, OAK_HOUSE, "2025-09-15")).await;
    missing(&app, HACKNEY, &ruby, "M", "2025-10-03T20:00:00Z", Some("2025-10-04T09:00:00Z")).await;
    missing(&app, HACKNEY, &ruby, "A", "2026-03-28T22:00:00Z", Some("2026-04-02T10:00:00Z")).await;
    // Tyrone: accommodated (V2) at Oak House, returned home in December.
    let tyrone = child(
        &app,
        HACKNEY,
        json!({"la_child_id": "HK1002", "given_name": "Tyrone", "family_name": "Mensah", "date_of_birth": "2009-11-02",
               "sex": "M", "ethnicity": "BCRB", "upn": "B801200005001", "category_of_need": "N4"}),
    )
    .await;
    let mut home = setting_placement(&tyrone, OAK_HOUSE, "2025-05-01");
    home["legal_status"] = json!("V2");
    let p = place(&app, HACKNEY, home).await;
    end(&app, HACKNEY, &p, "2025-12-19", "E4A", None).await;
    // Leah, 2: with the LA's own foster carers from January; she moves after the year ends.
    let leah = child(
        &app,
        HACKNEY,
        json!({"la_child_id": "HK1003", "given_name": "Leah", "family_name": "Okafor", "date_of_birth": "2023-02-27",
               "ethnicity": "WIRI", "category_of_need": "N2"}),
    )
    .await;
    let own_carers = |start: &str, place: &str| {
        json!({"child_id": leah, "urn": "XXXXXXX", "postcode": HACKNEY_POSTCODE, "place": place,
               "place_provider": "PR1", "legal_status": "V2", "start_date": start})
    };
    let p = place(&app, HACKNEY, own_carers("2026-01-20", "U6")).await;
    end(&app, HACKNEY, &p, "2026-04-10", "X1", Some("CARPL")).await;
    place(&app, HACKNEY, own_carers("2026-04-10", "U4")).await;
    // Kai left care before the year began: not in the return, nor his missing episode.
    let kai = child(
        &app,
        HACKNEY,
        json!({"la_child_id": "HK1004", "given_name": "Kai", "family_name": "Whitfield", "date_of_birth": "2008-08-09", "sex": "M"}),
    )
    .await;
    let p = place(&app, HACKNEY, setting_placement(&kai, OAK_HOUSE, "2024-01-01")).await;
    missing(&app, HACKNEY, &kai, "M", "2024-06-01T18:00:00Z", Some("2024-06-01T23:00:00Z")).await;
    end(&app, HACKNEY, &p, "2025-03-01", "E13", None).await;
    // Kent's child at the same home is in Kent's return, never Hackney's.
    let jo = child(
        &app,
        KENT,
        json!({"la_child_id": "KT77", "given_name": "Jo", "family_name": "March", "date_of_birth": "2010-01-01", "home_postcode": KENT_POSTCODE}),
    )
    .await;
    place(&app, KENT, setting_placement(&jo, OAK_HOUSE, "2025-07-01")).await;

    let files = download(&app, HACKNEY, "2026").await;
    assert_eq!(
        files.0,
        crlf(&[
            "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB",
            "HK1001,F,03/04/2012,WBRI,UN5,,",
            "HK1002,M,02/11/2009,BCRB,B801200005001,,",
            "HK1003,F,27/02/2023,WIRI,UN1,,",
        ])
    );
    assert_eq!(
        files.1,
        crlf(&[
            "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN",
            "HK1001,10/02/2025,S,C1,N1,U4,PR4,02/06/2025,X1,,E8 1DY,CT1 2EH,SC057821",
            "HK1001,02/06/2025,L,C2,N1,U4,PR4,15/09/2025,X1,CARPL,E8 1DY,CT1 2EH,SC057821",
            "HK1001,15/09/2025,P,C2,N1,K2,PR4,,,,E8 1DY,LS1 4AP,SC480011",
            "HK1002,01/05/2025,S,V2,N4,K2,PR4,19/12/2025,E4A,,E8 1DY,LS1 4AP,SC480011",
            "HK1003,20/01/2026,S,V2,N2,U6,PR1,,,,E8 1DY,E8 1DY,XXXXXXX",
        ])
    );
    assert_eq!(
        files.2,
        crlf(&[
            "CHILD,DOB,MISSING,MIS_START,MIS_END",
            "HK1001,03/04/2012,M,03/10/2025,04/10/2025",
            "HK1001,03/04/2012,A,28/03/2026,",
        ])
    );
    assert_eq!(validate(2026, &parse(&files)), Vec::<Violation>::new());
    let report = app.la(HACKNEY).get(&path("2026", "validation")).await.expect(200);
    assert_eq!(report.body["valid"], true, "{}", report.text);
    assert_eq!(report.body["violations"], json!([]));
    assert_eq!(report.body["rows"], json!({"header": 3, "episodes": 5, "missing": 2}));
    assert_eq!(report.body["collection_start"], "2025-04-01");
    assert_eq!(report.body["collection_end"], "2026-03-31");

    // The year in progress stops at today (15 June 2026): Leah's move is in it, as a change of
    // placement type with the same carers (T); Ruby came back on 2 April.
    let now = download(&app, HACKNEY, "2027").await;
    let t = parse(&now);
    let leah_rows: Vec<&EpisodeRow> = t.episodes.iter().filter(|e| e.child == "HK1003").collect();
    assert_eq!(leah_rows.len(), 2);
    assert_eq!((leah_rows[0].dec.as_str(), leah_rows[0].rec.as_str()), ("10/04/2026", "X1"));
    assert_eq!(leah_rows[0].reason_place_change, "CARPL");
    assert_eq!((leah_rows[1].rne.as_str(), leah_rows[1].place.as_str()), ("T", "U4"));
    assert_eq!(now.2, crlf(&["CHILD,DOB,MISSING,MIS_START,MIS_END", "HK1001,03/04/2012,A,28/03/2026,02/04/2026"]));
    assert!(!now.0.contains("HK1002"), "Tyrone left care before the year began");
    assert_eq!(validate(2027, &t), Vec::<Violation>::new());

    // Kent sees its own child only.
    let kent = parse(&download(&app, KENT, "2026").await);
    let children: Vec<&str> = kent.header.iter().map(|h| h.child.as_str()).collect();
    assert_eq!(children, vec!["KT77"]);
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, one_in: u64) -> bool {
        self.below(one_in) == 0
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

fn day(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

fn instant(d: NaiveDate, hour: u32) -> String {
    format!("{d}T{hour:02}:00:00Z")
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Home,
    Agency,
    OwnCarers,
    Parents,
}

#[actix_rt::test]
async fn a_generated_year_passes_the_dfe_rules() {
    let app = TestApp::start().await;
    app.provider_with_home().await;
    let (kent, hackney) = (Geo::global().sample(KENT, 40, 7), Geo::global().sample(HACKNEY, 40, 11));
    let kent_postcodes: Vec<&str> = kent.iter().map(String::as_str).collect();
    let hackney_postcodes: Vec<&str> = hackney.iter().map(String::as_str).collect();
    let leeds_postcodes = Geo::global().sample(LEEDS, 5, 3);
    assert!(kent_postcodes.len() == 40 && hackney_postcodes.len() == 40 && !leeds_postcodes.is_empty());
    let now = day("2026-06-15");
    let (year_start, year_end) = (day("2025-04-01"), day("2026-03-31"));
    let mut rng = Rng(0x05ee_d903);
    let givens =
        ["Amelia", "Jayden", "Priya", "Oscar", "Zara", "Mohammed", "Ivy", "Reuben", "Maya", "Theo", "Aisha", "Finn"];
    let families =
        ["Hughes", "Brooks", "Patel", "Nowak", "Adeyemi", "Khan", "Walsh", "Levy", "Chen", "Evans", "Ali", "Byrne"];
    let mut expected_children = BTreeSet::new();
    let mut open_missing_child = String::new();

    for k in 0..givens.len() {
        let la_child_id = format!("GEN{k:02}");
        let dob = day("2008-07-01") + Duration::days(rng.below(14 * 365) as i64);
        let id = child(
            &app,
            HACKNEY,
            json!({"la_child_id": la_child_id, "given_name": givens[k], "family_name": families[k],
                   "date_of_birth": dob.to_string(), "sex": rng.pick(&["F", "M"]),
                   "ethnicity": rng.pick(&["WBRI", "BAFR", "APKN", "MWBC", "WIRT"]),
                   "category_of_need": rng.pick(&["N1", "N2", "N4", "N5"])}),
        )
        .await;
        // Child 0 has a week in hospital (T1) between two spells at Oak House; child 1 is missing
        // from just before the end of the year until today.
        let mut start = match k {
            0 => day("2025-04-20"),
            1 => day("2025-10-01"),
            _ => (day("2024-09-01") + Duration::days(rng.below(540) as i64)).max(dob + Duration::days(60)),
        };
        let first_start = start;
        let placements = match k {
            0 => 3,
            1 => 1,
            _ => 1 + rng.below(4),
        };
        let mut ls = rng.pick(&["C1", "C2", "V2"]);
        let mut in_care_on = |from: NaiveDate, to: Option<NaiveDate>| {
            if from <= year_end && to.is_none_or(|t| t >= year_start) {
                expected_children.insert(la_child_id.clone());
            }
        };
        for i in 0..placements {
            let kind =
                if k < 2 { Kind::Home } else { rng.pick(&[Kind::Home, Kind::Agency, Kind::OwnCarers, Kind::Parents]) };
            let mut body = match kind {
                Kind::Home => json!({"urn": OAK_HOUSE, "place": "K2", "place_provider": "PR4"}),
                Kind::Agency => json!({"urn": AGENCY, "postcode": rng.pick(&kent_postcodes),
                                       "place": rng.pick(&["U4", "U6"]), "place_provider": "PR4"}),
                Kind::OwnCarers => json!({"urn": "XXXXXXX", "postcode": rng.pick(&hackney_postcodes),
                                          "place": "U6", "place_provider": "PR1"}),
                Kind::Parents => json!({"postcode": HACKNEY_POSTCODE, "place": "P1", "place_provider": "PR0"}),
            };
            body["child_id"] = json!(id);
            body["legal_status"] = json!(ls);
            body["start_date"] = json!(start.to_string());
            let p = place(&app, HACKNEY, body).await;
            let length = if k == 1 { 400 } else { 20 + rng.below(220) as i64 };
            let finish = start + Duration::days(length);
            if rng.chance(3) {
                let to = rng.pick(&["C1", "C2", "V2", "E1"]);
                if to != ls {
                    legal_status(&app, HACKNEY, &p, &(start + Duration::days(length / 2)).to_string(), to).await;
                    ls = to;
                }
            }
            if k != 1 && rng.chance(2) && finish.min(now) > start + Duration::days(3) {
                let span = (finish.min(now) - start).num_days() - 2;
                let on = start + Duration::days(1 + rng.below(span as u64) as i64);
                missing(&app, HACKNEY, &id, rng.pick(&["M", "A"]), &instant(on, 19), Some(&instant(on, 23))).await;
            }
            if finish >= now - Duration::days(5) {
                // Still placed today.
                if k == 1 {
                    missing(&app, HACKNEY, &id, "M", &instant(day("2026-03-29"), 21), None).await;
                    open_missing_child = la_child_id.clone();
                }
                in_care_on(first_start, None);
                break;
            }
            if k == 0 && i == 0 {
                end(&app, HACKNEY, &p, &finish.to_string(), "X1", Some("CHILD")).await;
                let hospital = json!({"child_id": id, "postcode": leeds_postcodes[0], "place": "T1",
                                      "legal_status": ls, "start_date": finish.to_string()});
                let t = place(&app, HACKNEY, hospital).await;
                start = finish + Duration::days(7);
                end(&app, HACKNEY, &t, &start.to_string(), "X1", None).await;
            } else if i + 1 == placements {
                end(&app, HACKNEY, &p, &finish.to_string(), rng.pick(&["E4A", "E13", "E41", "E8"]), None).await;
                in_care_on(first_start, Some(finish));
            } else {
                let reason = rng.pick(&["CARPL", "CLOSE", "CHILD", "LAREQ", "STAND", "OTHER"]);
                end(&app, HACKNEY, &p, &finish.to_string(), "X1", Some(reason)).await;
                start = finish;
            }
        }
    }
    assert!(!open_missing_child.is_empty(), "the generator must leave one child missing across the year end");

    for year in ["2025", "2026", "2027"] {
        let files = download(&app, HACKNEY, year).await;
        let t = parse(&files);
        let y: i32 = year.parse().unwrap_or_default();
        let violations = validate(y, &t);
        assert!(violations.is_empty(), "{year}: {violations:#?}\n{}\n{}\n{}", files.0, files.1, files.2);
        let report = app.la(HACKNEY).get(&path(year, "validation")).await.expect(200);
        assert_eq!(report.body["valid"], true, "{}", report.text);
        let header: BTreeSet<&str> = t.header.iter().map(|h| h.child.as_str()).collect();
        assert_eq!(header.len(), t.header.len(), "one Header row per child");
        assert!(t.episodes.iter().all(|e| header.contains(e.child.as_str())));
        assert!(t.missing.iter().all(|m| header.contains(m.child.as_str())));
        if year == "2026" {
            let expected: BTreeSet<&str> = expected_children.iter().map(String::as_str).collect();
            assert_eq!(header, expected);
            assert!(t.episodes.iter().any(|e| e.rne == "L"), "a legal status change mid-placement");
            assert!(t.episodes.iter().any(|e| e.rec == "X1"), "moves with X1 continuity");
            assert!(t.episodes.iter().any(|e| !e.rec.is_empty() && e.rec != "X1"), "a child leaving care");
            assert!(t.episodes.iter().any(|e| e.place == "T1"), "a temporary placement");
            let open: Vec<&MissingRow> = t.missing.iter().filter(|m| m.child == open_missing_child).collect();
            assert_eq!(open.last().map(|m| (m.mis_start.as_str(), m.mis_end.as_str())), Some(("29/03/2026", "")));
        }
    }
}

#[actix_rt::test]
async fn only_a_placing_la_gets_its_own_children() {
    let app = TestApp::start().await;
    let (provider, urn) = app.provider_with_home().await;
    let amelia = child(
        &app,
        HACKNEY,
        json!({"la_child_id": "HK9", "given_name": "Amelia", "family_name": "Hughes", "date_of_birth": "2011-05-14"}),
    )
    .await;
    place(&app, HACKNEY, setting_placement(&amelia, &urn, "2025-06-01")).await;
    for file in ["header.csv", "episodes.csv", "missing.csv", "validation"] {
        let p = path("2026", file);
        app.anonymous().get(&p).await.expect_problem(401);
        app.provider(&provider).get(&p).await.expect_problem(403);
        app.operator().get(&p).await.expect_problem(403);
        let no_scope = app.token_with(OrgType::Authority, HACKNEY, &["children:read".to_string()], 3600);
        app.actor(Some(no_scope)).get(&p).await.expect_problem(403);
    }
    // Leeds hosts Amelia but does not report her: its export has its own children only (none).
    let leeds = download(&app, LEEDS, "2026").await;
    assert_eq!(leeds.0, "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\r\n");
    assert_eq!(leeds.1.lines().count(), 1);
    assert!(!leeds.1.contains("HK9") && !leeds.0.contains("HK9"));
    let hackney = download(&app, HACKNEY, "2026").await;
    assert!(hackney.1.contains("HK9,01/06/2025,S,C2,N1,K2,PR4,,,,E8 1DY,LS1 4AP,SC480011"), "{}", hackney.1);
    // Each download is a read of the child's record, in its access log.
    let log = app.la(HACKNEY).get(&format!("/v1/children/{amelia}/access-log?limit=200")).await.expect(200);
    let actions: Vec<(&str, &str)> = log.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| (e["org"].as_str().unwrap_or_default(), e["action"].as_str().unwrap_or_default()))
        .collect();
    for action in ["ssda903.header.read", "ssda903.episodes.read", "ssda903.missing.read"] {
        assert!(actions.contains(&(HACKNEY, action)), "{action} missing from {actions:?}");
    }
    assert!(
        !actions.iter().any(|(org, a)| *org == LEEDS && a.starts_with("ssda903.")),
        "Leeds's export did not read her"
    );
}

#[actix_rt::test]
async fn the_year_must_be_a_collection_year() {
    let app = TestApp::start().await;
    let la = app.la(HACKNEY);
    for bad in ["abcd", "26", "20266", "2026-27", "+202"] {
        la.get(&path(bad, "episodes.csv")).await.expect_field_error(400, "year");
    }
    for out_of_range in ["1991", "0001", "2028", "9999"] {
        la.get(&path(out_of_range, "header.csv")).await.expect_field_error(422, "year");
        la.get(&path(out_of_range, "validation")).await.expect_field_error(422, "year");
    }
    // 2027 is the year in progress on 15 June 2026; 1992 the first DfE accepts.
    la.get(&path("2027", "missing.csv")).await.expect(200);
    let old = la.get(&path("1992", "episodes.csv")).await.expect(200);
    assert_eq!(old.text.lines().count(), 1);
}

// The rules, each broken once in hand-written rows.

fn header(child: &str, sex: &str, dob: &str, ethnic: &str, upn: &str) -> HeaderRow {
    HeaderRow {
        child: child.into(),
        sex: sex.into(),
        dob: dob.into(),
        ethnic: ethnic.into(),
        upn: upn.into(),
        ..Default::default()
    }
}

fn episode(fields: [&str; 13]) -> EpisodeRow {
    let [child, decom, rne, ls, cin, place, place_provider, dec, rec, reason_place_change, home_post, pl_post, urn] =
        fields.map(str::to_string);
    EpisodeRow {
        child,
        decom,
        rne,
        ls,
        cin,
        place,
        place_provider,
        dec,
        rec,
        reason_place_change,
        home_post,
        pl_post,
        urn,
    }
}

fn missing_row(child: &str, dob: &str, kind: &str, start: &str, end: &str) -> MissingRow {
    MissingRow {
        child: child.into(),
        dob: dob.into(),
        missing: kind.into(),
        mis_start: start.into(),
        mis_end: end.into(),
    }
}

/// Two children of year 2026 that break no rule.
fn valid_year() -> Tables {
    Tables {
        header: vec![
            header("C1", "F", "03/04/2012", "WBRI", "UN5"),
            header("C2", "M", "02/11/2009", "BCRB", "B801200005001"),
        ],
        episodes: vec![
            episode([
                "C1",
                "10/02/2025",
                "S",
                "C1",
                "N1",
                "U4",
                "PR4",
                "02/06/2025",
                "X1",
                "",
                "E8 1DY",
                "CT1 2EH",
                "SC057821",
            ]),
            episode([
                "C1",
                "02/06/2025",
                "L",
                "C2",
                "N1",
                "U4",
                "PR4",
                "15/09/2025",
                "X1",
                "CARPL",
                "E8 1DY",
                "CT1 2EH",
                "SC057821",
            ]),
            episode(["C1", "15/09/2025", "P", "C2", "N1", "K2", "PR4", "", "", "", "E8 1DY", "LS1 4AP", "SC480011"]),
            episode([
                "C2",
                "01/05/2025",
                "S",
                "V2",
                "N4",
                "K2",
                "PR4",
                "19/12/2025",
                "E4A",
                "",
                "E8 1DY",
                "LS1 4AP",
                "SC480011",
            ]),
        ],
        missing: vec![
            missing_row("C1", "03/04/2012", "M", "03/10/2025", "04/10/2025"),
            missing_row("C1", "03/04/2012", "A", "28/03/2026", ""),
            missing_row("C2", "02/11/2009", "M", "01/06/2025", "02/06/2025"),
        ],
    }
}

type Fixture = (&'static str, fn(&mut Tables));

/// One failing fixture per rule: the valid year with one thing broken.
fn fixtures() -> Vec<Fixture> {
    vec![
        ("101", |t| t.header[0].sex = "1".into()),
        ("102", |t| t.header[0].dob = "2012-04-03".into()),
        ("103", |t| t.header[0].ethnic = "WHITE".into()),
        ("168", |t| t.header[0].upn = "UN6".into()),
        ("INT32", |t| t.header.push(t.header[1].clone())),
        ("INT03", |t| {
            let mut e = t.episodes[3].clone();
            e.child = "C9".into();
            t.episodes.push(e);
        }),
        ("141", |t| t.episodes[3].decom = "31/02/2025".into()),
        ("142", |t| {
            t.episodes[0].dec = String::new();
            t.episodes[0].rec = String::new();
        }),
        ("143", |t| t.episodes[0].rne = "X".into()),
        ("144", |t| t.episodes[0].ls = "C3".into()),
        ("145", |t| t.episodes[0].cin = String::new()),
        ("146", |t| t.episodes[3].place = "H5".into()),
        ("147", |t| t.episodes[3].dec = "19/13/2025".into()),
        ("148", |t| t.episodes[3].rec = String::new()),
        ("149", |t| t.episodes[3].rec = "E99".into()),
        ("178", |t| t.episodes[3].place_provider = "PR9".into()),
        ("213", |t| {
            t.episodes[3].place = "T1".into();
            t.episodes[3].urn = String::new();
        }),
        ("218", |t| t.episodes[3].urn = String::new()),
        ("222", |t| {
            t.episodes[3].place = "P1".into();
            t.episodes[3].place_provider = "PR0".into();
        }),
        ("225", |t| t.episodes[1].reason_place_change = String::new()),
        ("226", |t| {
            let e = &mut t.episodes[2];
            e.place = "T1".into();
            e.place_provider = String::new();
            e.urn = String::new();
        }),
        ("233", |t| t.episodes[2].reason_place_change = "CARPL".into()),
        ("234", |t| {
            t.header[0].dob = "03/04/2017".into();
            t.episodes[1].reason_place_change = "CUSTOD".into();
        }),
        ("242", |t| t.episodes[3].urn = "XXXXXXX".into()),
        ("243", |t| t.episodes[3].pl_post = CARDIFF_POSTCODE.into()),
        ("302", |t| t.header[1].dob = "02/11/2025".into()),
        ("353", |t| t.episodes[3].decom = "01/01/1990".into()),
        ("355", |t| t.episodes[3].dec = "01/05/2025".into()),
        ("356", |t| t.episodes[3].dec = "30/04/2025".into()),
        ("357", |t| t.episodes[3].rne = "P".into()),
        ("380", |t| {
            let e = &mut t.episodes[3];
            e.place = "T1".into();
            e.place_provider = String::new();
            e.urn = String::new();
            e.rec = "X1".into();
        }),
        ("381", |t| {
            let e = &mut t.episodes[2];
            e.place = "T4".into();
            e.place_provider = String::new();
            e.urn = String::new();
            e.dec = "01/10/2025".into();
            e.rec = "E8".into();
        }),
        ("385", |t| t.episodes[3].dec = "01/04/2026".into()),
        ("388", |t| t.episodes[3].rec = "X1".into()),
        ("431", |t| t.episodes[2].rne = "S".into()),
        ("432", |t| t.episodes[1].rec = "E4A".into()),
        ("433", |t| t.episodes[2].decom = "16/09/2025".into()),
        ("434", |t| t.episodes[1].ls = "C1".into()),
        ("435", |t| t.episodes[2].ls = "C1".into()),
        ("436", |t| t.episodes[2].rne = "B".into()),
        ("437", |t| t.header[1].dob = "02/11/2006".into()),
        ("501", |t| t.episodes[2].decom = "10/09/2025".into()),
        ("526", |t| t.episodes[3].place_provider = String::new()),
        ("527", |t| {
            t.episodes[3].place = "R2".into();
            t.episodes[3].place_provider = "PR1".into();
        }),
        ("528", |t| {
            t.episodes[3].place = "R5".into();
            t.episodes[3].place_provider = "PR2".into();
        }),
        ("529", |t| t.episodes[3].place_provider = "PR3".into()),
        ("530", |t| {
            t.episodes[3].place = "P1".into();
            t.episodes[3].urn = String::new();
        }),
        ("531", |t| {
            t.episodes[3].place = "P1".into();
            t.episodes[3].place_provider = "PR5".into();
        }),
        ("550", |t| t.episodes[3].place_provider = "PR0".into()),
        ("1012", |t| t.missing.push(missing_row("C9", "01/01/2010", "M", "01/06/2025", "02/06/2025"))),
        ("INT04", |t| t.missing.push(missing_row("C9", "01/01/2010", "M", "01/06/2025", "02/06/2025"))),
        ("INT13", |t| t.missing[0].dob = "04/04/2012".into()),
        ("1004", |t| t.missing[0].mis_start = "32/10/2025".into()),
        ("1005", |t| t.missing[0].mis_end = "2025-10-04".into()),
        ("1006", |t| t.missing[0].missing = "X".into()),
        ("564", |t| t.missing[0].mis_start = String::new()),
        ("565", |t| t.missing[0].missing = String::new()),
        ("566", |t| {
            t.missing[0].missing = String::new();
            t.missing[0].mis_start = String::new();
        }),
        ("567", |t| t.missing[0].mis_end = "02/10/2025".into()),
        ("570", |t| t.missing[1].mis_start = "01/04/2026".into()),
        ("571", |t| t.missing[0].mis_end = "01/04/2026".into()),
        ("574", |t| t.missing[0].mis_end = String::new()),
        ("577", |t| t.missing[2].mis_end = String::new()),
        ("578", |t| {
            t.missing[2].mis_start = "20/12/2025".into();
            t.missing[2].mis_end = "21/12/2025".into();
        }),
        ("581", |t| {
            t.missing[2].mis_start = "02/04/2025".into();
            t.missing[2].mis_end = "03/04/2025".into();
        }),
        ("586", |t| t.missing[0].mis_start = "03/04/2012".into()),
    ]
}

#[test]
fn the_valid_year_breaks_no_rule() {
    assert_eq!(validate(2026, &valid_year()), Vec::<Violation>::new());
}

#[test]
fn every_rule_catches_its_failing_fixture() {
    let fixtures = fixtures();
    let covered: BTreeSet<&str> = fixtures.iter().map(|(r, _)| *r).collect();
    let listed: BTreeSet<&str> = RULES.iter().copied().collect();
    assert_eq!(covered, listed, "one fixture per rule checked");
    for (rule, breaks) in fixtures {
        let mut t = valid_year();
        breaks(&mut t);
        let found = validate(2026, &t);
        assert!(found.iter().any(|v| v.rule == rule), "rule {rule} not caught: {found:#?}");
    }
}

#[test]
fn violations_name_the_table_row_child_and_columns() {
    let mut t = valid_year();
    t.episodes[3].rec = "X1".into();
    let found = validate(2026, &t);
    let v = found.iter().find(|v| v.rule == "388").expect("388");
    let json = serde_json::to_value(v).unwrap_or_default();
    assert_eq!(json["table"], "Episodes");
    assert_eq!(json["row"], 4);
    assert_eq!(json["child"], "C2");
    assert_eq!(json["fields"], json!(["REC"]));
}
