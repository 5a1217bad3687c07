//! Derives the four SSDA903 tables of a collection year from the registry's records: a child,
//! its placements (with their legal status changes) and its missing episodes. Pure functions,
//! no database.
//!
//! Episodes. A new episode starts whenever the placement or the legal status changes, as DfE
//! sees them (`LS`, and `PLACE`, `PLACE_PROVIDER`, `URN`, `PL_POST`):
//!
//! - Placements join into one period of care when the next starts the day the previous ended
//!   with `REC` `X1`; the first episode of a period of care has `RNE` `S`.
//! - A legal status change during a placement ends the episode with `X1` and starts one with
//!   `RNE` `L`. A change recorded on the day the placement ends is taken as part of that end (it
//!   would make an episode of no length; the next placement carries its own legal status).
//! - A new placement in the same period of care: `P` (placement and carer change) or `B` (and
//!   legal status) by default; `T` or `U` (same carer) when the new placement has the same `URN`
//!   and the same postcode as the previous one, which is how the registry can tell the carer did
//!   not change (a foster placement becoming long-term with the same carers, say). When nothing
//!   DfE sees has changed the two placements are one episode; when only the legal status has, the
//!   new episode is `L`.
//! - `REASON_PLACE_CHANGE` is given on the episode that ends with a placement change (`P`, `T`,
//!   `B`, `U`), except into or out of a temporary placement (T0 to T4), where DfE wants none
//!   (rules 225, 226); the registry keeps the reason recorded.
//! - The placement's `REC` goes on the last episode of the placement; `X1` on every episode that
//!   continues in the next one.
//!
//! The year: episodes open at any time in the collection year (DEC on or after 1 April, DECOM
//! on or before 31 March) are exported; anything after the end of the year, or after today for
//! the year in progress, has not happened yet as far as the return goes, so an episode still
//! going then is open (`DEC` and `REC` blank, rule 385).
//!
//! UASC: a child with UASC status that had not ceased before the year began, with `DUC` the date
//! it ceased by the end of the year (or today), else the 18th birthday, when it will cease; such
//! a child's `HOME_POST` is blank.
//!
//! Missing: every episode that starts by the end of the year and has not ended before it starts;
//! `MIS_END` is blank when the child came back after the end of the year (rule 571). Dates are
//! the dates of the recorded instants in UTC, the same dates the registry's own rules check.

use super::tables::{EpisodeRow, HeaderRow, MissingRow, Tables, UascRow};
use crate::geo::{self, Area};
use crate::ssda903::{self, AGENCY_URN, UrnRule, format_date};
use chrono::{Datelike, NaiveDate};

/// A collection year and the day the export is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearToDate {
    pub year: i32,
    /// 1 April of `year - 1`.
    pub start: NaiveDate,
    /// 31 March of `year`.
    pub end: NaiveDate,
    /// The last day the export reports: the end of the year, or today while the year runs.
    pub as_of: NaiveDate,
}

impl YearToDate {
    pub fn new(year: i32, today: NaiveDate) -> YearToDate {
        let (start, end) = ssda903::collection_year_bounds(year);
        YearToDate { year, start, end, as_of: end.min(today) }
    }
}

/// What the export needs of a child.
#[derive(Debug, Clone)]
pub struct ChildIn {
    pub id: String,
    pub la_child_id: String,
    pub date_of_birth: NaiveDate,
    pub sex: String,
    pub ethnicity: String,
    pub upn: Option<String>,
    pub home_postcode: Option<String>,
    pub category_of_need: Option<String>,
    pub mother: Option<bool>,
    pub mother_child_dob: Option<NaiveDate>,
    pub uasc: bool,
    pub uasc_ceased: Option<NaiveDate>,
}

/// What the export needs of a placement.
#[derive(Debug, Clone)]
pub struct PlacementIn {
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub rec: Option<String>,
    pub reason_place_change: Option<String>,
    pub place: String,
    pub place_provider: Option<String>,
    pub urn: Option<String>,
    /// An English LA's ONS code, or WAL, SCO, NIR.
    pub host_area: String,
    pub postcode: String,
    /// Legal statuses with the date each took effect.
    pub legal_statuses: Vec<(NaiveDate, String)>,
}

/// What the export needs of a missing episode.
#[derive(Debug, Clone)]
pub struct MissingIn {
    pub kind: String,
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

/// A child with its placements and missing episodes.
#[derive(Debug, Clone)]
pub struct ChildHistory {
    pub child: ChildIn,
    pub placements: Vec<PlacementIn>,
    pub missing: Vec<MissingIn>,
}

/// One derived episode, before formatting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Episode {
    pub decom: NaiveDate,
    pub rne: &'static str,
    pub ls: String,
    pub place: String,
    pub place_provider: String,
    pub urn: String,
    pub pl_post: String,
    pub dec: Option<NaiveDate>,
    pub rec: Option<String>,
    pub reason_place_change: Option<String>,
}

impl Episode {
    fn same_placement(&self, other: &Episode) -> bool {
        self.place == other.place
            && self.place_provider == other.place_provider
            && self.urn == other.urn
            && self.pl_post == other.pl_post
    }
}

fn blank(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|s| !s.is_empty())
}

/// `URN` as DfE wants it: none outside England (rule 243) or for exempt placement types (222);
/// `XXXXXXX` for an adoption or fostering agency without one (242); else the setting's URN.
fn export_urn(p: &PlacementIn) -> String {
    let in_england =
        !matches!(Area::from_code(&p.host_area), Some(Area::Wales | Area::Scotland | Area::NorthernIreland));
    if !in_england {
        return String::new();
    }
    let stored = blank(p.urn.as_deref()).map(str::to_ascii_uppercase);
    match ssda903::urn_rule(&p.place) {
        UrnRule::Forbidden => String::new(),
        UrnRule::RequiredOrAgency => stored.unwrap_or_else(|| AGENCY_URN.to_string()),
        UrnRule::Required => stored.unwrap_or_default(),
    }
}

/// A postcode as DfE wants it: the full postcode, normalised (`LS1 4AP`).
fn export_postcode(pc: Option<&str>) -> String {
    match blank(pc) {
        Some(pc) => geo::normalise(pc).unwrap_or_else(|| pc.to_ascii_uppercase()),
        None => String::new(),
    }
}

/// Whole years from `dob` to `on`.
pub fn age_on(dob: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - dob.year();
    if (on.month(), on.day()) < (dob.month(), dob.day()) {
        age -= 1;
    }
    age
}

/// `UPN` as stored; when none is, `UN1` for a child not yet of school age as DfE counts it (rule
/// 209: under 4 on 31 August before the year) and otherwise `UN5` (the sources did not provide
/// it), as DfE asks for a code rather than a blank. A stored `UN1` for a child of school age is
/// exported as it is, and `/validation` flags it (209).
fn export_upn(child: &ChildIn, period: &YearToDate) -> String {
    match blank(child.upn.as_deref()) {
        Some(u) => u.to_string(),
        None if !ssda903::school_age_in(child.date_of_birth, period.year) => "UN1".into(),
        None => "UN5".into(),
    }
}

/// The legal status periods of a placement up to `end` (exclusive) and `as_of`: (from, LS),
/// the first from the start date; repeated statuses are merged.
fn segments(p: &PlacementIn, end: Option<NaiveDate>, as_of: NaiveDate) -> Vec<(NaiveDate, String)> {
    let mut statuses: Vec<&(NaiveDate, String)> = p.legal_statuses.iter().filter(|s| s.0 <= as_of).collect();
    statuses.sort_by_key(|s| s.0);
    let initial = statuses
        .iter()
        .rev()
        .find(|s| s.0 <= p.start_date)
        .or(statuses.first())
        .map(|s| s.1.clone())
        .unwrap_or_default();
    let mut out = vec![(p.start_date, initial)];
    for (from, ls) in statuses.into_iter().filter(|s| s.0 > p.start_date && end.is_none_or(|e| s.0 < e)) {
        if out.last().is_some_and(|(_, last)| last != ls) {
            out.push((*from, ls.clone()));
        }
    }
    out
}

fn is_temporary(place: &str) -> bool {
    ssda903::is_temporary_place(place)
}

/// RNE of a placement change: carer change unless the URN and postcode are the same.
fn placement_change_rne(prev: &Episode, next: &Episode) -> &'static str {
    let same_carer = prev.urn == next.urn && prev.pl_post == next.pl_post;
    match (prev.ls != next.ls, same_carer) {
        (false, false) => "P",
        (false, true) => "T",
        (true, false) => "B",
        (true, true) => "U",
    }
}

/// Every episode of a child up to `period.as_of`, oldest first (not yet cut to the year).
pub fn episodes(history: &ChildHistory, period: &YearToDate) -> Vec<Episode> {
    let mut placements: Vec<&PlacementIn> =
        history.placements.iter().filter(|p| p.start_date <= period.as_of).collect();
    placements.sort_by_key(|p| p.start_date);
    let mut out: Vec<Episode> = Vec::new();
    // End, REC and reason of the previous placement, as of the export.
    let mut prev: Option<(Option<NaiveDate>, Option<String>, Option<String>)> = None;
    for p in placements {
        let end = p.end_date.filter(|e| *e <= period.as_of);
        let rec = end.and(blank(p.rec.as_deref()).map(str::to_string));
        let reason = end.and(blank(p.reason_place_change.as_deref()).map(str::to_string));
        let continues = !out.is_empty()
            && prev.as_ref().is_some_and(|(e, r, _)| *e == Some(p.start_date) && r.as_deref() == Some("X1"));
        let prev_reason = prev.as_ref().and_then(|(_, _, r)| r.clone());
        let template = Episode {
            decom: p.start_date,
            rne: "S",
            ls: String::new(),
            place: p.place.clone(),
            place_provider: blank(p.place_provider.as_deref()).map(str::to_string).unwrap_or_default(),
            urn: export_urn(p),
            pl_post: export_postcode(Some(&p.postcode)),
            dec: None,
            rec: None,
            reason_place_change: None,
        };
        for (i, (from, ls)) in segments(p, end, period.as_of).into_iter().enumerate() {
            let mut next = Episode { decom: from, ls, ..template.clone() };
            let Some(cur) = out.last_mut().filter(|_| i > 0 || continues) else {
                out.push(next);
                continue;
            };
            let ls_changed = cur.ls != next.ls;
            let placement_changed = !cur.same_placement(&next);
            if !ls_changed && !placement_changed {
                // Nothing DfE sees has changed: the episode goes on.
                cur.dec = None;
                cur.rec = None;
                cur.reason_place_change = None;
                continue;
            }
            next.rne = if placement_changed { placement_change_rne(cur, &next) } else { "L" };
            cur.dec = Some(from);
            cur.rec = Some("X1".into());
            cur.reason_place_change = if placement_changed && !is_temporary(&cur.place) && !is_temporary(&next.place) {
                prev_reason.clone()
            } else {
                None
            };
            out.push(next);
        }
        if let Some(last) = out.last_mut() {
            last.dec = end;
            last.rec = rec.clone();
            last.reason_place_change =
                reason.clone().filter(|_| rec.as_deref() == Some("X1") && !is_temporary(&last.place));
        }
        prev = Some((end, rec, reason));
    }
    out
}

/// `DUC` in the year's return: the date UASC status ceased when it ceased by the end of the year
/// (or today); else the date it will cease, the 18th birthday, as DfE reads it (rule 205B
/// expects last year's `DUC` of a child still UASC this year to be the 18th birthday).
pub fn uasc_ceased_in_return(c: &ChildIn, period: &YearToDate) -> Option<NaiveDate> {
    c.uasc_ceased.filter(|d| *d <= period.as_of).or_else(|| ssda903::eighteenth_birthday(c.date_of_birth))
}

/// True when the child was an unaccompanied asylum-seeking child at some time in the year: UASC
/// status not ceased before the year began (a `DUC` before the year is refused, DfE rule 104).
pub fn uasc_in_year(c: &ChildIn, period: &YearToDate) -> bool {
    c.uasc && c.uasc_ceased.is_none_or(|d| d >= period.start)
}

/// The four tables of a collection year for these children.
pub fn build(period: &YearToDate, children: &[ChildHistory]) -> Tables {
    let mut tables = Tables::default();
    let mut sorted: Vec<&ChildHistory> = children.iter().collect();
    sorted.sort_by(|a, b| a.child.la_child_id.cmp(&b.child.la_child_id).then(a.child.id.cmp(&b.child.id)));
    for h in sorted {
        let c = &h.child;
        let in_year: Vec<Episode> =
            episodes(h, period).into_iter().filter(|e| e.dec.is_none_or(|d| d >= period.start)).collect();
        if in_year.is_empty() {
            continue;
        }
        let dob = format_date(c.date_of_birth);
        tables.header.push(HeaderRow {
            child: c.la_child_id.clone(),
            sex: ssda903::sex_for_year(&c.sex, period.year).to_string(),
            dob: dob.clone(),
            ethnic: c.ethnicity.clone(),
            upn: export_upn(c, period),
            mother: match (c.sex.as_str(), c.mother) {
                ("F", Some(true)) => "1".into(),
                ("F", Some(false)) => "0".into(),
                _ => String::new(),
            },
            mc_dob: c.mother_child_dob.filter(|_| c.mother == Some(true)).map(format_date).unwrap_or_default(),
        });
        let uasc = uasc_in_year(c, period);
        if uasc {
            tables.uasc.push(UascRow {
                child: c.la_child_id.clone(),
                sex: ssda903::sex_for_year(&c.sex, period.year).to_string(),
                dob: dob.clone(),
                duc: uasc_ceased_in_return(c, period).map(format_date).unwrap_or_default(),
            });
        }
        // A UASC child's home is not in England: no HOME_POST, so DfE derives no distance (rule
        // 406) and exempts the child from needing one (392a, 392b).
        let home_post = if uasc { String::new() } else { export_postcode(c.home_postcode.as_deref()) };
        let cin = blank(c.category_of_need.as_deref()).map(str::to_string).unwrap_or_default();
        for e in in_year {
            // A short break (V3, V4) has no location in the return: no postcodes, so no
            // distance and no placement LA (rules 398, 420).
            let short_break = matches!(e.ls.as_str(), "V3" | "V4");
            let (home_post, pl_post) =
                if short_break { (String::new(), String::new()) } else { (home_post.clone(), e.pl_post) };
            tables.episodes.push(EpisodeRow {
                child: c.la_child_id.clone(),
                decom: format_date(e.decom),
                rne: e.rne.to_string(),
                ls: e.ls,
                cin: cin.clone(),
                place: e.place,
                place_provider: e.place_provider,
                dec: e.dec.map(format_date).unwrap_or_default(),
                rec: e.rec.unwrap_or_default(),
                reason_place_change: e.reason_place_change.unwrap_or_default(),
                home_post,
                pl_post,
                urn: e.urn,
            });
        }
        let mut missing: Vec<&MissingIn> =
            h.missing.iter().filter(|m| m.start <= period.as_of && m.end.is_none_or(|e| e >= period.start)).collect();
        missing.sort_by_key(|m| (m.start, m.end));
        for m in missing {
            tables.missing.push(MissingRow {
                child: c.la_child_id.clone(),
                dob: dob.clone(),
                missing: m.kind.clone(),
                mis_start: format_date(m.start),
                mis_end: m.end.filter(|e| *e <= period.end).map(format_date).unwrap_or_default(),
            });
        }
    }
    tables
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or(NaiveDate::MIN)
    }

    fn placement(
        start: &str,
        end: Option<(&str, &str, Option<&str>)>,
        place: &str,
        urn: Option<&str>,
        pc: &str,
        ls: &[(&str, &str)],
    ) -> PlacementIn {
        PlacementIn {
            start_date: d(start),
            end_date: end.map(|e| d(e.0)),
            rec: end.map(|e| e.1.to_string()),
            reason_place_change: end.and_then(|e| e.2.map(str::to_string)),
            place: place.into(),
            place_provider: (!is_temporary(place)).then(|| "PR4".to_string()),
            urn: urn.map(str::to_string),
            host_area: "E08000035".into(),
            postcode: pc.into(),
            legal_statuses: ls.iter().map(|(f, l)| (d(f), l.to_string())).collect(),
        }
    }

    fn child(placements: Vec<PlacementIn>) -> ChildHistory {
        ChildHistory {
            child: ChildIn {
                id: "c".into(),
                la_child_id: "C1".into(),
                date_of_birth: d("2012-04-03"),
                sex: "F".into(),
                ethnicity: "WBRI".into(),
                upn: None,
                home_postcode: Some("e81dy".into()),
                category_of_need: Some("N1".into()),
                mother: Some(false),
                mother_child_dob: None,
                uasc: false,
                uasc_ceased: None,
            },
            placements,
            missing: vec![],
        }
    }

    fn summary(eps: &[Episode]) -> Vec<String> {
        eps.iter()
            .map(|e| {
                format!(
                    "{} {} {} {} {} {} {}",
                    e.decom,
                    e.rne,
                    e.ls,
                    e.place,
                    e.dec.map(|d| d.to_string()).unwrap_or_default(),
                    e.rec.clone().unwrap_or_default(),
                    e.reason_place_change.clone().unwrap_or_default()
                )
            })
            .collect()
    }

    fn year() -> YearToDate {
        YearToDate::new(2026, d("2026-06-15"))
    }

    #[test]
    fn legal_status_change_and_move_with_x1_continuity() {
        let h = child(vec![
            placement(
                "2025-02-10",
                Some(("2025-09-15", "X1", Some("CARPL"))),
                "U4",
                Some("SC057821"),
                "CT1 2EH",
                &[("2025-02-10", "C1"), ("2025-06-02", "C2")],
            ),
            placement("2025-09-15", None, "K2", Some("SC480011"), "LS1 4AP", &[("2025-09-15", "C2")]),
        ]);
        assert_eq!(
            summary(&episodes(&h, &year())),
            vec![
                "2025-02-10 S C1 U4 2025-06-02 X1 ",
                "2025-06-02 L C2 U4 2025-09-15 X1 CARPL",
                "2025-09-15 P C2 K2   ",
            ]
        );
    }

    #[test]
    fn same_carer_changes_are_t_or_u_and_no_visible_change_is_one_episode() {
        let h = child(vec![
            placement(
                "2025-05-01",
                Some(("2025-07-01", "X1", Some("CARPL"))),
                "U6",
                Some("SC057821"),
                "CT1 2EH",
                &[("2025-05-01", "C1")],
            ),
            // Same carers, now long-term: T.
            placement(
                "2025-07-01",
                Some(("2025-08-01", "X1", Some("PLACE"))),
                "U4",
                Some("SC057821"),
                "CT1 2EH",
                &[("2025-07-01", "C1")],
            ),
            // Same carers, new legal status too: U.
            placement(
                "2025-08-01",
                Some(("2025-09-01", "X1", Some("OTHER"))),
                "U5",
                Some("SC057821"),
                "CT1 2EH",
                &[("2025-08-01", "C2")],
            ),
            // Nothing visible changes: the same episode.
            placement(
                "2025-09-01",
                Some(("2025-10-01", "X1", Some("OTHER"))),
                "U5",
                Some("SC057821"),
                "CT1 2EH",
                &[("2025-09-01", "C2")],
            ),
            // Only the legal status changes: L, without a reason.
            placement(
                "2025-10-01",
                Some(("2026-01-10", "E4A", None)),
                "U5",
                Some("SC057821"),
                "CT1 2EH",
                &[("2025-10-01", "E1")],
            ),
        ]);
        assert_eq!(
            summary(&episodes(&h, &year())),
            vec![
                "2025-05-01 S C1 U6 2025-07-01 X1 CARPL",
                "2025-07-01 T C1 U4 2025-08-01 X1 PLACE",
                "2025-08-01 U C2 U5 2025-10-01 X1 ",
                "2025-10-01 L E1 U5 2026-01-10 E4A ",
            ]
        );
    }

    #[test]
    fn temporary_placements_carry_no_reason_and_breaks_in_care_start_again() {
        let h = child(vec![
            placement(
                "2025-05-01",
                Some(("2025-06-01", "X1", Some("CARPL"))),
                "U4",
                Some("SC057821"),
                "CT1 2EH",
                &[("2025-05-01", "C2")],
            ),
            placement("2025-06-01", Some(("2025-06-08", "X1", None)), "T2", None, "TR1 1AA", &[("2025-06-01", "C2")]),
            placement(
                "2025-06-08",
                Some(("2025-07-01", "E13", None)),
                "U4",
                Some("SC057821"),
                "CT1 2EH",
                &[("2025-06-08", "C2")],
            ),
            placement("2025-08-01", None, "K2", Some("SC480011"), "LS1 4AP", &[("2025-08-01", "V2")]),
        ]);
        assert_eq!(
            summary(&episodes(&h, &year())),
            vec![
                "2025-05-01 S C2 U4 2025-06-01 X1 ",
                "2025-06-01 P C2 T2 2025-06-08 X1 ",
                "2025-06-08 P C2 U4 2025-07-01 E13 ",
                "2025-08-01 S V2 K2   ",
            ]
        );
    }

    #[test]
    fn the_year_cuts_what_has_not_happened_yet() {
        let h = child(vec![
            placement(
                "2024-01-01",
                Some(("2024-06-01", "E4A", None)),
                "K2",
                Some("SC480011"),
                "LS1 4AP",
                &[("2024-01-01", "C2")],
            ),
            placement(
                "2026-01-20",
                Some(("2026-04-10", "X1", Some("CARPL"))),
                "U6",
                None,
                "E8 1DY",
                &[("2026-01-20", "V2"), ("2026-04-02", "C1")],
            ),
            placement("2026-04-10", None, "U4", None, "E8 1DY", &[("2026-04-10", "C2")]),
        ]);
        let t = build(&year(), std::slice::from_ref(&h));
        assert_eq!(t.episodes.len(), 1, "{t:?}");
        let e = &t.episodes[0];
        assert_eq!((e.decom.as_str(), e.rne.as_str(), e.ls.as_str()), ("20/01/2026", "S", "V2"));
        assert_eq!((e.dec.as_str(), e.rec.as_str(), e.urn.as_str()), ("", "", "XXXXXXX"));
        assert_eq!(t.header[0].upn, "UN5");
        // A year in progress stops at today.
        let running = YearToDate::new(2027, d("2026-04-05"));
        let t = build(&running, &[h]);
        assert_eq!(t.episodes.len(), 2);
        assert_eq!(t.episodes[0].dec, "02/04/2026");
        assert_eq!(t.episodes[1].rne, "L");
        assert_eq!(t.episodes[1].dec, "");
    }

    #[test]
    fn a_legal_status_change_on_the_end_day_makes_no_episode() {
        let h = child(vec![placement(
            "2025-05-01",
            Some(("2025-07-01", "E4A", None)),
            "K2",
            Some("SC480011"),
            "LS1 4AP",
            &[("2025-05-01", "C2"), ("2025-07-01", "C1")],
        )]);
        assert_eq!(summary(&episodes(&h, &year())), vec!["2025-05-01 S C2 K2 2025-07-01 E4A "]);
    }
}
