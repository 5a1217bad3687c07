//! DfE's rules comparing a collection year's return with last year's, checked as DfE's validator
//! checks them when last year's files are uploaded with this year's. The registry keeps every
//! child's history, so `/validation` builds last year's tables from the same records
//! ([`super::service::validation`]) rather than from what was submitted then.
//!
//! - Header, a child in both years: 202 the same `SEX` (1 and 2 before 2024-25 read as M and F),
//!   203 `DOB`, 204 `ETHNIC`; 207 `MOTHER` still 1 once it was; 208 `UPN` unchanged but from
//!   unknown (blank or `UN1`) to an unknown code (`UN2` to `UN5`) or to a UPN; 624 `MC_DOB`
//!   unchanged once given; 626 not a mother (`MOTHER` 1) this year with a first child born
//!   before the year when last year said she was not (0).
//! - Episodes: 199 none after the child was adopted (`REC` E11, E12), this year's and last
//!   year's read together; with last year's latest episode still open (`DEC` blank), this
//!   year's first episode 502 starts on the same day and keeps 503A `RNE`, 503B `LS`, 503C
//!   `CIN`, 503D `PLACE` (but for DfE's code changes), 503E `PLACE_PROVIDER`, 503F `URN`, 503G
//!   the distance, 503H the placement LA, 503J in or out of the LA; and, when its `RNE` is the
//!   same, 452 the placement LA and 453 the distance; 562 a first episode that began before the
//!   year is last year's latest; NoE a child with an episode that began before the year has
//!   episodes in last year's return.
//! - Missing: 576 a period still open at the end of last year is this year's first, with the
//!   same start.

use super::tables::{EpisodeRow, Table, Tables};
use super::validate::Violation;
use crate::geo::Geo;
use crate::ssda903::{self, parse_date};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The rule codes [`validate`] checks (listed in [`super::validate::RULES`] too).
pub const RULES: &[&str] = &[
    "199", "202", "203", "204", "207", "208", "452", "453", "502", "503A", "503B", "503C", "503D", "503E", "503F",
    "503G", "503H", "503J", "562", "576", "624", "626", "NoE",
];

fn present(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

fn date(s: &str) -> Option<NaiveDate> {
    present(s).and_then(parse_date)
}

fn add(out: &mut Vec<Violation>, rule: &str, table: Table, index: usize, child: &str, fields: &[&str], message: &str) {
    out.push(Violation {
        rule: rule.to_string(),
        table,
        row: index + 1,
        child: child.to_string(),
        fields: fields.iter().map(|f| f.to_string()).collect(),
        message: message.to_string(),
    });
}

/// `SEX` as a code of 2024-25 on: `1` and `2`, used before, are M and F.
fn sex(s: &str) -> &str {
    match s.trim() {
        "1" => "M",
        "2" => "F",
        other => other,
    }
}

/// The placement's LA (ONS code, or WAL, SCO, NIR) from `PL_POST`, when the postcode is known.
fn pl_la(e: &EpisodeRow) -> Option<String> {
    present(&e.pl_post).and_then(|pc| Geo::global().lookup(pc)).map(|a| a.code().to_string())
}

/// The distance from home to placement in miles to one decimal place, as DfE derives it.
fn distance(e: &EpisodeRow) -> Option<f64> {
    let (h, p) = (present(&e.home_post)?, present(&e.pl_post)?);
    Geo::global().distance_miles(h, p).map(|d| (d * 10.0).round() / 10.0)
}

/// `IN` when the placement is in the LA whose return it is, `OUT` elsewhere, blank when the
/// postcode is unknown.
fn location(e: &EpisodeRow, la: Option<&str>) -> String {
    match pl_la(e) {
        Some(code) if Some(code.as_str()) == la => "IN".into(),
        Some(_) => "OUT".into(),
        None => String::new(),
    }
}

/// Each child's first episode (earliest valid `DECOM`, the first row among equals).
fn first_episodes(t: &Tables) -> BTreeMap<&str, (usize, NaiveDate)> {
    let mut out: BTreeMap<&str, (usize, NaiveDate)> = BTreeMap::new();
    for (i, e) in t.episodes.iter().enumerate() {
        if let Some(d) = date(&e.decom) {
            let c = e.child.trim();
            if out.get(c).is_none_or(|(_, x)| d < *x) {
                out.insert(c, (i, d));
            }
        }
    }
    out
}

/// Each child's latest episode (latest valid `DECOM`, the first row among equals).
fn latest_episodes(t: &Tables) -> HashMap<&str, (usize, NaiveDate)> {
    let mut out: HashMap<&str, (usize, NaiveDate)> = HashMap::new();
    for (i, e) in t.episodes.iter().enumerate() {
        if let Some(d) = date(&e.decom) {
            let c = e.child.trim();
            if out.get(c).is_none_or(|(_, x)| d > *x) {
                out.insert(c, (i, d));
            }
        }
    }
    out
}

/// Every violation of [`RULES`] in this year's tables (`year`, of the LA `la`) read with last
/// year's.
pub fn validate(year: i32, la: Option<&str>, this: &Tables, last: &Tables) -> Vec<Violation> {
    let mut out = Vec::new();
    adopted(&mut out, this, last);
    header(&mut out, year, this, last);
    episodes(&mut out, year, la, this, last);
    missing(&mut out, this, last);
    out
}

/// 199: no episode after the child was adopted, this year's and last year's in `DECOM` order.
fn adopted(out: &mut Vec<Violation>, this: &Tables, last: &Tables) {
    let adoption = |e: &EpisodeRow| matches!(e.rec.trim(), "E11" | "E12");
    // DECOM, this year's row (None for last year's), adopted.
    type Row = (NaiveDate, Option<usize>, bool);
    let mut by_child: BTreeMap<&str, Vec<Row>> = BTreeMap::new();
    for (i, e) in this.episodes.iter().enumerate() {
        if let Some(d) = date(&e.decom) {
            by_child.entry(e.child.trim()).or_default().push((d, Some(i), adoption(e)));
        }
    }
    for e in &last.episodes {
        if let Some(d) = date(&e.decom) {
            by_child.entry(e.child.trim()).or_default().push((d, None, adoption(e)));
        }
    }
    for (c, mut v) in by_child {
        v.sort_by_key(|(d, _, _)| *d);
        let mut adoptions = 0;
        for (_, row, ad) in v {
            adoptions += usize::from(ad);
            if let Some(i) = row
                && adoptions > 0
                && !(adoptions == 1 && ad)
            {
                let message = "the child was adopted (REC E11, E12) in an earlier episode";
                add(out, "199", Table::Episodes, i, c, &["REC"], message);
            }
        }
    }
}

fn header(out: &mut Vec<Violation>, year: i32, this: &Tables, last: &Tables) {
    const H: Table = Table::Header;
    let before: HashMap<&str, &super::tables::HeaderRow> =
        last.header.iter().rev().map(|h| (h.child.trim(), h)).collect();
    let (start, _) = ssda903::collection_year_bounds(year);
    let unknown = ["UN2", "UN3", "UN4", "UN5"];
    let with_episodes: HashSet<&str> = this.episodes.iter().map(|e| e.child.trim()).collect();
    for (i, h) in this.header.iter().enumerate() {
        let c = h.child.trim();
        let Some(p) = before.get(c) else { continue };
        if sex(&h.sex) != sex(&p.sex) {
            add(out, "202", H, i, c, &["SEX"], "SEX differs from last year's return");
        }
        if date(&h.dob) != date(&p.dob) {
            add(out, "203", H, i, c, &["DOB"], "DOB differs from last year's return");
        }
        if h.ethnic.trim().to_uppercase() != p.ethnic.trim().to_uppercase() {
            add(out, "204", H, i, c, &["ETHNIC"], "ETHNIC differs from last year's return");
        }
        if p.mother.trim() == "1" && h.mother.trim() != "1" && with_episodes.contains(c) {
            add(out, "207", H, i, c, &["MOTHER"], "MOTHER was 1 in last year's return");
        }
        let (now, then) = (present(&h.upn).map(str::to_uppercase), present(&p.upn).map(str::to_uppercase));
        let is_unknown = |u: &Option<String>| u.as_deref().is_none_or(|u| u == "UN1" || unknown.contains(&u));
        let allowed = now == then
            || (then.as_deref().is_none_or(|u| u == "UN1") && now.as_deref().is_some_and(|u| unknown.contains(&u)))
            || (is_unknown(&then) && !is_unknown(&now));
        if !allowed {
            add(out, "208", H, i, c, &["UPN"], "UPN differs from last year's return");
        }
        if let Some(m) = present(&p.mc_dob)
            && h.mc_dob.trim() != m
        {
            add(out, "624", H, i, c, &["MC_DOB"], "MC_DOB differs from last year's return");
        }
        if h.mother.trim() == "1" && p.mother.trim() == "0" && date(&h.mc_dob).is_some_and(|m| m < start) {
            let message = "MOTHER is 1 with a first child born before the year, but last year's return said 0";
            add(out, "626", H, i, c, &["MOTHER", "MC_DOB"], message);
        }
    }
}

fn episodes(out: &mut Vec<Violation>, year: i32, la: Option<&str>, this: &Tables, last: &Tables) {
    const E: Table = Table::Episodes;
    let (start, _) = ssda903::collection_year_bounds(year);
    let first = first_episodes(this);
    let latest = latest_episodes(last);
    let mut open_last: HashMap<&str, Vec<Option<NaiveDate>>> = HashMap::new();
    for e in last.episodes.iter().filter(|e| present(&e.dec).is_none()) {
        open_last.entry(e.child.trim()).or_default().push(date(&e.decom));
    }
    for (&c, &(i, decom)) in &first {
        let e = &this.episodes[i];
        if open_last.get(c).is_some_and(|v| v.iter().any(|d| *d != Some(decom))) {
            add(
                out,
                "502",
                E,
                i,
                c,
                &["DECOM"],
                "last year's return ended with an open episode that started on another day",
            );
        }
        let Some(&(j, _)) = latest.get(c) else { continue };
        // Last year's latest episode was still open (a DEC that is not a date counts as none).
        let p = &last.episodes[j];
        if date(&p.dec).is_some() {
            continue;
        }
        let changed = |a: &str, b: &str| a.trim() != b.trim();
        let place_renamed = match year {
            2024 | 2025 => e.place.trim() == "K3" && p.place.trim() == "H5",
            2026 => matches!(e.place.trim(), "Z11" | "Z12" | "Z13" | "Z14") && p.place.trim() == "Z1",
            _ => false,
        };
        let moved = |a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) => (a - b).abs() >= 0.2,
            (Some(_), None) => true,
            _ => false,
        };
        let same = "differs from the episode still open at the end of last year's return";
        for (rule, field, differs) in [
            ("503A", "RNE", changed(&e.rne, &p.rne)),
            ("503B", "LS", changed(&e.ls, &p.ls)),
            ("503C", "CIN", changed(&e.cin, &p.cin)),
            ("503D", "PLACE", changed(&e.place, &p.place) && !place_renamed),
            ("503E", "PLACE_PROVIDER", changed(&e.place_provider, &p.place_provider)),
            ("503F", "URN", changed(&e.urn, &p.urn)),
            ("503G", "PL_POST", moved(distance(e), distance(p))),
            ("503H", "PL_POST", pl_la(e) != pl_la(p)),
            ("503J", "PL_POST", location(e, la) != location(p, la)),
        ] {
            if differs {
                add(out, rule, E, i, c, &[field], &format!("{field} {same}"));
            }
        }
        if e.rne.trim() == p.rne.trim() {
            if pl_la(e) != pl_la(p) {
                add(out, "452", E, i, c, &["PL_POST"], &format!("the placement LA {same}"));
            }
            if moved(distance(e), distance(p)) {
                add(out, "453", E, i, c, &["HOME_POST", "PL_POST"], &format!("the distance {same}"));
            }
        }
    }
    // 562: the first episode that began before the year is last year's latest.
    let mut before: BTreeMap<&str, (usize, NaiveDate)> = BTreeMap::new();
    for (i, e) in this.episodes.iter().enumerate() {
        if let Some(d) = date(&e.decom).filter(|d| *d < start) {
            let c = e.child.trim();
            if before.get(c).is_none_or(|(_, x)| d < *x) {
                before.insert(c, (i, d));
            }
        }
    }
    for (c, (i, d)) in before {
        if latest.get(c).is_none_or(|(_, x)| *x != d) {
            let message = "the episode began before the year but is not the latest episode of last year's return";
            add(out, "562", E, i, c, &["DECOM"], message);
        }
    }
    // NoE: a child with an episode that began before the year has episodes in last year's return
    // (not so for a child whose record came from another LA during the year).
    let last_year: HashSet<&str> = last.episodes.iter().map(|e| e.child.trim()).collect();
    for (i, e) in this.episodes.iter().enumerate() {
        let c = e.child.trim();
        if date(&e.decom).is_some_and(|d| d < start) && !last_year.contains(c) {
            let message = "the episode began before the year, but last year's return has no episode of this child";
            add(out, "NoE", E, i, c, &["DECOM"], message);
        }
    }
}

/// 576: a missing period open at the end of last year is this year's first, with the same start.
fn missing(out: &mut Vec<Violation>, this: &Tables, last: &Tables) {
    let far = NaiveDate::from_ymd_opt(2099, 1, 1).unwrap_or(NaiveDate::MAX);
    let mut first: BTreeMap<&str, (usize, NaiveDate)> = BTreeMap::new();
    for (i, m) in this.missing.iter().enumerate() {
        let c = m.child.trim();
        let s = date(&m.mis_start).unwrap_or(far);
        if first.get(c).is_none_or(|(_, x)| s < *x) {
            first.insert(c, (i, s));
        }
    }
    let mut open: HashMap<&str, HashSet<NaiveDate>> = HashMap::new();
    for m in last.missing.iter().filter(|m| present(&m.mis_end).is_none()) {
        if let Some(s) = date(&m.mis_start) {
            open.entry(m.child.trim()).or_default().insert(s);
        }
    }
    for (c, (i, s)) in first {
        if open.get(c).is_some_and(|v| v.iter().any(|x| *x != s)) {
            let message = "a missing period open at the end of last year's return is not this year's first";
            add(out, "576", Table::Missing, i, c, &["MIS_START"], message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exports::tables::{HeaderRow, MissingRow};

    fn h(child: &str, sex: &str, upn: &str, mother: &str, mc_dob: &str) -> HeaderRow {
        HeaderRow {
            child: child.into(),
            sex: sex.into(),
            dob: "01/06/2012".into(),
            ethnic: "WBRI".into(),
            upn: upn.into(),
            mother: mother.into(),
            mc_dob: mc_dob.into(),
        }
    }

    fn e(child: &str, decom: &str, rne: &str, place: &str, dec: &str, rec: &str) -> EpisodeRow {
        EpisodeRow {
            child: child.into(),
            decom: decom.into(),
            rne: rne.into(),
            ls: "C2".into(),
            cin: "N1".into(),
            place: place.into(),
            place_provider: "PR4".into(),
            dec: dec.into(),
            rec: rec.into(),
            home_post: String::new(),
            pl_post: String::new(),
            urn: "SC578606".into(),
            ..EpisodeRow::default()
        }
    }

    fn found(v: &[Violation]) -> Vec<(String, usize, String)> {
        let mut out: Vec<_> = v.iter().map(|v| (v.rule.clone(), v.row, v.child.clone())).collect();
        out.sort();
        out
    }

    fn rows(list: &[(&str, usize, &str)]) -> Vec<(String, usize, String)> {
        let mut out: Vec<_> = list.iter().map(|(r, i, c)| (r.to_string(), *i, c.to_string())).collect();
        out.sort();
        out
    }

    #[test]
    fn header_changes_since_last_year_are_found_and_code_changes_are_not() {
        let last = Tables {
            header: vec![
                h("A", "1", "UN1", "", ""),
                h("B", "2", "", "1", "01/01/2020"),
                h("C", "2", "A123456789012", "0", ""),
                h("D", "2", "UN1", "0", ""),
            ],
            ..Tables::default()
        };
        let this = Tables {
            header: vec![
                // 1 then M is the same boy; UN1 then UN5 is allowed.
                h("A", "M", "UN5", "", ""),
                // No longer a mother, and MC_DOB changed.
                h("B", "F", "", "0", "02/01/2020"),
                // A UPN given last year is now unknown; a mother whose child was born before the year.
                h("C", "F", "UN2", "1", "01/01/2024"),
                // From unknown to a UPN is allowed.
                h("D", "M", "A123456789012", "0", ""),
                // Not in last year's return.
                h("E", "F", "UN3", "1", "01/01/2020"),
            ],
            // DfE's validator asks 207 only of a child with an episode this year.
            episodes: vec![e("B", "01/06/2025", "S", "U4", "", "")],
            ..Tables::default()
        };
        assert_eq!(
            found(&validate(2026, None, &this, &last)),
            rows(&[("202", 4, "D"), ("207", 2, "B"), ("208", 3, "C"), ("624", 2, "B"), ("626", 3, "C")])
        );
    }

    #[test]
    fn the_first_episode_carries_on_last_years_open_episode() {
        let last = Tables {
            episodes: vec![
                e("A", "01/06/2023", "S", "U4", "", ""),
                e("B", "01/06/2023", "S", "U4", "", ""),
                e("C", "01/06/2023", "S", "U4", "", ""),
                e("D", "01/06/2024", "S", "Z1", "", ""),
            ],
            ..Tables::default()
        };
        let this = Tables {
            episodes: vec![
                // The same episode: nothing to say.
                e("A", "01/06/2023", "S", "U4", "", ""),
                // Another start and placement type.
                e("B", "01/07/2023", "S", "K2", "", ""),
                // Began before the year but is not last year's latest.
                e("C", "01/06/2023", "S", "U4", "01/05/2025", "X1"),
                e("C", "01/05/2025", "P", "U4", "", ""),
                // Z1 became Z11 to Z14 in 2025-26.
                e("D", "01/06/2024", "S", "Z11", "", ""),
                // Not in last year's return, and began before the year.
                e("E", "01/06/2024", "S", "U4", "", ""),
            ],
            ..Tables::default()
        };
        let mut this_c = this.clone();
        this_c.episodes[2].decom = "02/06/2023".into();
        assert_eq!(
            found(&validate(2026, None, &this, &last)),
            rows(&[("502", 2, "B"), ("503D", 2, "B"), ("562", 2, "B"), ("562", 6, "E"), ("NoE", 6, "E")])
        );
        assert_eq!(
            found(&validate(2026, None, &this_c, &last)),
            rows(&[
                ("502", 2, "B"),
                ("503D", 2, "B"),
                ("562", 2, "B"),
                ("502", 3, "C"),
                ("562", 3, "C"),
                ("562", 6, "E"),
                ("NoE", 6, "E")
            ])
        );
    }

    #[test]
    fn no_episode_after_an_adoption_in_either_year() {
        let last = Tables { episodes: vec![e("A", "01/06/2023", "S", "A3", "01/02/2025", "E11")], ..Tables::default() };
        let this = Tables {
            episodes: vec![
                e("A", "01/06/2025", "S", "U4", "", ""),
                e("B", "01/06/2025", "S", "A3", "01/09/2025", "E12"),
                e("B", "01/10/2025", "S", "U4", "", ""),
            ],
            ..Tables::default()
        };
        assert_eq!(found(&validate(2026, None, &this, &last)), rows(&[("199", 1, "A"), ("199", 3, "B")]));
    }

    #[test]
    fn a_missing_period_open_last_year_goes_on_this_year() {
        let m = |child: &str, start: &str, end: &str| MissingRow {
            child: child.into(),
            dob: "01/06/2012".into(),
            missing: "M".into(),
            mis_start: start.into(),
            mis_end: end.into(),
        };
        let last = Tables { missing: vec![m("A", "30/03/2025", ""), m("B", "30/03/2025", "")], ..Tables::default() };
        let this = Tables {
            missing: vec![m("A", "30/03/2025", "02/04/2025"), m("B", "03/04/2025", "04/04/2025")],
            ..Tables::default()
        };
        assert_eq!(found(&validate(2026, None, &this, &last)), rows(&[("576", 2, "B")]));
    }
}
