use super::{download, end, missing, parse, place, ssda903_child};
use crate::support::internals::postcodes_in;
use crate::support::internals::ssda903::{MissingRow, validate_as_of};
use crate::support::*;
use chrono::{Duration, NaiveDate};
use serde_json::json;
use std::collections::BTreeSet;

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

fn at_hour(d: NaiveDate, hour: u32) -> String {
    format!("{d}T{hour:02}:00:00Z")
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Home,
    Agency,
    OwnCarers,
    Parents,
}

#[actix_web::test]
async fn a_generated_year_passes_the_dfe_rules() {
    let app = TestApp::start().await;
    app.provider_with_home().await;
    let (kent, hackney) = (postcodes_in(KENT, 40, 7), postcodes_in(HACKNEY, 40, 11));
    let kent_postcodes: Vec<&str> = kent.iter().map(String::as_str).collect();
    let hackney_postcodes: Vec<&str> = hackney.iter().map(String::as_str).collect();
    let leeds_postcodes = postcodes_in(LEEDS, 5, 3);
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
        let generated = ssda903_child(&la_child_id, givens[k], families[k], &dob.to_string())
            .sex(rng.pick(&["F", "M"]))
            .ethnicity(rng.pick(&["WBRI", "BAFR", "APKN", "MWBC", "WIRT"]))
            .category_of_need(rng.pick(&["N1", "N2", "N4", "N5"]));
        let id = app.child_of(HACKNEY, generated).await;
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
            // A child placed with parents is never accommodated under section 20 (DfE rule 378).
            let kind = if matches!(kind, Kind::Parents) && ls == "V2" { Kind::OwnCarers } else { kind };
            let with_parents = matches!(kind, Kind::Parents);
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
            let mut changed = false;
            if rng.chance(3) {
                let to = rng.pick(&["C1", "C2", "V2", "E1"]);
                if to != ls && !(with_parents && to == "V2") {
                    let from = (start + Duration::days(length / 2)).to_string();
                    app.la(HACKNEY).change_legal_status(&p, &from, to).await.expect(200);
                    ls = to;
                    changed = true;
                }
            }
            if k == 0 && i == 0 && !changed {
                // At least one legal status change mid-placement, whatever the draw.
                let to = if ls == "C2" { "C1" } else { "C2" };
                let from = (start + Duration::days(length / 2)).to_string();
                app.la(HACKNEY).change_legal_status(&p, &from, to).await.expect(200);
                ls = to;
            }
            if k != 1 && rng.chance(2) && finish.min(now) > start + Duration::days(3) {
                let span = (finish.min(now) - start).num_days() - 2;
                let on = start + Duration::days(1 + rng.below(span as u64) as i64);
                let kind = rng.pick(&["M", "A"]);
                missing(&app, HACKNEY, Episode::missing(&id, &at_hour(on, 19)).kind(kind).until(&at_hour(on, 23)))
                    .await;
            }
            if finish >= now - Duration::days(5) {
                // Still placed today.
                if k == 1 {
                    missing(&app, HACKNEY, Episode::missing(&id, &at_hour(day("2026-03-29"), 21))).await;
                    open_missing_child = la_child_id.clone();
                }
                in_care_on(first_start, None);
                break;
            }
            if k == 0 && i == 0 {
                end(&app, HACKNEY, &p, Ending::moved(&finish.to_string(), "CHILD")).await;
                let hospital = json!({"child_id": id, "postcode": leeds_postcodes[0], "place": "T1",
                                      "legal_status": ls, "start_date": finish.to_string()});
                let t = place(&app, HACKNEY, hospital).await;
                start = finish + Duration::days(7);
                end(&app, HACKNEY, &t, Ending::on(&start.to_string(), "X1")).await;
            } else if i + 1 == placements {
                end(&app, HACKNEY, &p, Ending::on(&finish.to_string(), rng.pick(&["E4A", "E13", "E41", "E8"]))).await;
                in_care_on(first_start, Some(finish));
            } else {
                let reason = rng.pick(&["CARPL", "CLOSE", "CHILD", "LAREQ", "STAND", "OTHER"]);
                end(&app, HACKNEY, &p, Ending::moved(&finish.to_string(), reason)).await;
                start = finish;
            }
        }
    }
    assert!(!open_missing_child.is_empty(), "the generator must leave one child missing across the year end");

    for year in ["2025", "2026", "2027"] {
        let files = download(&app, HACKNEY, year).await;
        let t = parse(&files);
        let y: i32 = year.parse().unwrap_or_default();
        // The year in progress reports up to today.
        let violations = validate_as_of(y, now, &t);
        assert!(violations.is_empty(), "{year}: {violations:#?}\n{}\n{}\n{}", files.0, files.1, files.2);
        let report = app.la(HACKNEY).ssda903(year, "validation").await.expect(200);
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
