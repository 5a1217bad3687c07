//! DfE validation rules for the Header, Episodes, Missing and UASC tables, checked on the tables as
//! DfE receives them (text fields, `dd/mm/YYYY` dates, blank for null). [`validate`] returns
//! every violation with the rule's code, so an LA can put its data right before it submits.
//!
//! Rules checked (see [`RULES`]):
//!
//! Code lists are those of the collection year validated (`PLACE` and `SEX` changed in 2024-25
//! and 2025-26: [`ssda903::place_codes`], [`ssda903::sex_codes`]).
//!
//! - Episodes: 378 no P1 under V2; 516 E45 and E46 only from foster placements; 392d no home
//!   postcode as the placement's unless P1; 361 police protection (L1) no longer than 72 hours (as
//!   DfE groups the L1 episodes that follow one another).
//! - Header: `MOTHER` and `MC_DOB`: 393 recorded for every girl looked after, 607 for a girl who
//!   left care in the year (Episodes rows too), 171 a valid date, 174 none for a boy, 611 given
//!   for a mother, 612 only for one, 620 no mother under 11 at the start of the year, 621 after
//!   her own birth.
//! - Header: 101 `SEX`, 232 `SEX` unknown (from 2024-25), 102 `DOB`, 103 `ETHNIC`, 168 `UPN`
//!   format, 209 no `UN1` at school age (4 on 31 August before the year); 301 `DOB` not after the
//!   year; 351 not over 25 at its start; INT32 a child once only.
//! - Episodes, one row: INT03 child in Header; 141 `DECOM`, 147 `DEC` valid dates; 148 `DEC`
//!   and `REC` together; 143 `RNE`, 144 `LS`, 145 `CIN`, 149 `REC` codes; 146, 178, 213, 526 to
//!   531, 550 `PLACE` and `PLACE_PROVIDER`; 218, 222, 242, 243 `URN` (outside England when
//!   `PL_POST` is in Wales, Scotland or Northern Ireland); 302 the first episode not before birth (on the Header row too); 353 not before
//!   14/10/1991; 355 lasts at least a day; 356 `DEC` not before `DECOM`; 385 `DEC` not after the
//!   year; 354 `DECOM` not after the year; 386, 387, 389, 407, 460 `REC` that the child's age
//!   on `DEC` allows ([`ssda903::rec_for_age`]); 1009 `REASON_PLACE_CHANGE` code; 233 no
//!   `REASON_PLACE_CHANGE` on an open episode; 371 to 374 `PLACE` (K3, R5, S1, P3) and 358 `LS`
//!   (J1 to J3) that the child's age on `DECOM` allows (358 on the Header row too); 442 a `UPN`
//!   (or an unknown code) for a child looked after other than on short breaks; 365 a short break
//!   (`V3`) at most 17 days; 398, 420 no postcodes, so no distance or placement LA, for a short
//!   break (`V3`, `V4`), 214 nor a `URN` where 218 does not ask for one; 169, 179 other
//!   episodes have a `PL_POST` DfE finds (so a placement LA and location); 382, 384 no temporary placement nor long-term fostering on a short
//!   break; 390 adopted (E11, E12) only from A3 to A6; 408 A5, A6 under E1; 217 A3, A5 start with
//!   RNE S, T or U (from April 2015); 336 A3, A4 after a foster or adoption placement (episodes in
//!   `DECOM` order); 383 back to the placement before a temporary one (with its `PL_POST` from
//!   2025-26); 366 a short break (`V3`) starts a period of care, 367 at most 75 days of them in
//!   the year, 426 not with `V4` too; 377 at most two `T3` in the year; 375, 376, 379 temporary
//!   placements (T1, T3, T4) no longer than their limits; 352 no
//!   period of care starting at 18 or over; 359 looked after past 18 only under V2 in K2; 234 `CUSTOD` not under 10 (age at
//!   `DECOM`, on the Header row too); 437 no episode after one that ended with
//!   death (`E2`) or an age assessment finding the child 18 or over (`E15`).
//! - Episodes, a child's episodes in `DECOM` order: 142 only the latest open; 501 no overlap;
//!   388 `X1` if and only if the next episode starts the day this one ends; 357 the first episode
//!   starting in the year has `RNE` `S`; 431 `S` does not start on or before the previous `DEC`; 432
//!   no continuation after the child left care; 433 a continuation starts on the previous `DEC`;
//!   434, 435, 436 `RNE` `L`, `P`/`T`, `B`/`U` match what changed (`LS`; `PLACE`,
//!   `PLACE_PROVIDER`, `URN`, `PL_POST`); 225 a placement change gives a reason, 226 not into or
//!   for a temporary placement; 380, 381 a period of care neither starts nor ends in a temporary
//!   placement; 361 police protection (`L1`) at most 72 hours and 362 an emergency protection
//!   order (`L2`) at most 21 days, as DfE groups the episodes; 363 a child assessment order (`L3`)
//!   at most 7 days, 364 detention under PACE (`J2`) at most 21, episodes that follow on added up.
//! - UASC: 104 `DUC` a valid date not before the year; 304 `DUC` on or before the 18th
//!   birthday; INT09 child in Header, INT18 with the same `DOB`, INT21 the same `SEX`; INT36 a
//!   child once only; 231 (a query DfE accepts once confirmed) a UASC child under 11 at the end
//!   of the year (Header). Episodes: 392b both postcodes given and 392a both found (so DfE derives the
//!   distance) unless the child is in the UASC table (or the episode is a short break, `V3`,
//!   `V4`); 454 (from 2025-26) no placement more than 350 miles from home (the distance between
//!   postcode sectors); 406 no distance (no `HOME_POST` where DfE
//!   finds both postcodes) for a child in the UASC table.
//! - Episodes, with the LA whose return it is ([`validate_return`]): 1015 its own provision (PR1)
//!   in its area, but for fostering, adoption, supported accommodation and short breaks.
//! - Read across the tables: 210 `UN4`, 625 `MC_DOB` (an open episode counted to the year's end), 444 a UPN twice, 446 `E1`, 504 `CIN`,
//!   392c postcodes found, 580 `E8` for a child missing on the 18th birthday care ended on.
//! - Missing: 1012 child has an episode; INT04 child in Header, INT13 with the same `DOB`; 1004,
//!   1005 valid dates; 1006 `MISSING` is M or A; 564, 565, 566 type, start and end together; 567
//!   end not before start; 570 start not after the year; 571 end inside the year; 586 start after
//!   birth; 574 no overlap and none starting while another is open (in order of end, as DfE's validator reads
//!   them); 575 an end date when the
//!   episode it started in has ended; as DfE's validator reads them, 577 not ending (nor open)
//!   outside every period of care, 578 not starting outside every one, 581 starting in an episode.
//! - With last year's return ([`validate_with_last_year`]): the rules of
//!   [`super::validate_previous`].

use super::build::age_on;
use super::tables::{EpisodeRow, Table, Tables};
use crate::geo::{Area, Geo};
use crate::ssda903::{self, is_code, parse_date};
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use utoipa::ToSchema;

/// Every rule code [`validate`] checks.
pub const RULES: &[&str] = &[
    "101", "102", "103", "168", "209", "232", "361", "378", "392d", "516", "171", "174", "393", "607", "611", "612",
    "620", "621", "INT32", "INT03", "141", "142", "143", "144", "145", "146", "147", "148", "149", "178", "213", "218",
    "222", "225", "226", "233", "234", "242", "243", "302", "353", "355", "356", "357", "380", "381", "385", "388",
    "431", "432", "433", "434", "435", "436", "437", "501", "526", "527", "528", "529", "530", "531", "550", "1012",
    "INT04", "INT13", "1004", "1005", "1006", "564", "565", "566", "567", "570", "571", "574", "575", "577", "578",
    "581", "586", "104", "304", "INT09", "INT18", "INT21", "INT36", "392a", "392b", "406", "301", "351", "354", "386",
    "387", "389", "407", "460", "1009", "358", "371", "372", "373", "374", "442", "362", "363", "364", "365", "398",
    "420", "352", "359", "375", "376", "379", "382", "384", "454", "210", "625", "446", "444", "504", "392c", "580",
    "217", "336", "390", "408", "366", "367", "377", "383", "426", "1015", "169", "179", "231", "214",
    // Read with last year's return (validate_previous).
    "199", "202", "203", "204", "207", "208", "452", "453", "502", "503A", "503B", "503C", "503D", "503E", "503F",
    "503G", "503H", "503J", "562", "576", "624", "626", "NoE",
];

/// One broken rule in one row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Violation {
    /// The DfE rule, by its code (`388`, `INT03`).
    #[schema(example = "388")]
    pub rule: String,
    pub table: Table,
    /// The row, counting from 1 after the header row.
    pub row: usize,
    /// `CHILD` of the row.
    pub child: String,
    /// The columns involved.
    pub fields: Vec<String>,
    /// What is wrong, in plain words.
    pub message: String,
}

const CONTINUATION: &[&str] = &["P", "T", "L", "U", "B"];
const PLACEMENT_CHANGE: &[&str] = &["P", "B", "T", "U"];

fn present(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

fn date(s: &str) -> Option<NaiveDate> {
    present(s).and_then(parse_date)
}

fn earliest_episode() -> NaiveDate {
    NaiveDate::from_ymd_opt(1991, 10, 14).unwrap_or(NaiveDate::MIN)
}

fn rule_in(message: &str) -> Option<String> {
    ssda903::cited_rule(message)
}

fn temporary(place: &str) -> bool {
    ssda903::is_temporary_place(place.trim())
}

struct Report {
    year: i32,
    start: NaiveDate,
    end: NaiveDate,
    /// The last day the tables report: the end of the year, or today while the year runs. An
    /// open episode goes on until then.
    as_of: NaiveDate,
    out: Vec<Violation>,
}

impl Report {
    fn add(
        &mut self,
        rule: &str,
        table: Table,
        index: usize,
        child: &str,
        fields: &[&str],
        message: impl Into<String>,
    ) {
        self.out.push(Violation {
            rule: rule.to_string(),
            table,
            row: index + 1,
            child: child.to_string(),
            fields: fields.iter().map(|f| f.to_string()).collect(),
            message: message.into(),
        });
    }
}

/// An Episodes row with its parsed dates and index.
struct Ep<'a> {
    i: usize,
    r: &'a EpisodeRow,
    decom: NaiveDate,
    dec: Option<NaiveDate>,
}

impl Ep<'_> {
    fn same_placement(&self, o: &Ep<'_>) -> bool {
        self.r.place.trim() == o.r.place.trim()
            && self.r.pl_post.trim() == o.r.pl_post.trim()
            && self.r.urn.trim() == o.r.urn.trim()
            && self.r.place_provider.trim() == o.r.place_provider.trim()
    }
    fn rec(&self) -> Option<&str> {
        present(&self.r.rec)
    }
    fn reason(&self) -> Option<&str> {
        present(&self.r.reason_place_change)
    }
}

/// Every violation of the rules in [`RULES`] in the tables of the whole collection year `year`,
/// by table (Header, Episodes, Missing, UASC) and row.
pub fn validate(year: i32, t: &Tables) -> Vec<Violation> {
    validate_as_of(year, ssda903::collection_year_bounds(year).1, t)
}

/// As [`validate`], for tables that report the year up to `as_of` (today, while the year runs):
/// an episode still open is counted until then, not to the end of the year.
pub fn validate_as_of(year: i32, as_of: NaiveDate, t: &Tables) -> Vec<Violation> {
    validate_return(year, as_of, None, t)
}

/// As [`validate_as_of`], for the return of LA `la` (its ONS code), which the rules on the LA's
/// own provision need (1015).
pub fn validate_return(year: i32, as_of: NaiveDate, la: Option<&str>, t: &Tables) -> Vec<Violation> {
    let (start, end) = ssda903::collection_year_bounds(year);
    let mut rep = Report { year, start, end, as_of: as_of.min(end), out: Vec::new() };
    if let Some(la) = la {
        own_provision(&mut rep, la, t);
    }
    let dobs = header(&mut rep, t);
    let periods = episodes(&mut rep, t, &dobs);
    motherhood(&mut rep, t);
    missing(&mut rep, t, &dobs, &periods);
    uasc(&mut rep, t);
    across_tables(&mut rep, t);
    let order = |table: Table| match table {
        Table::Header => 0,
        Table::Episodes => 1,
        Table::Missing => 2,
        Table::Uasc => 3,
    };
    rep.out.sort_by_key(|v| (order(v.table), v.row));
    rep.out
}

/// As [`validate_return`], with last year's tables `last` for the rules that compare the two
/// years ([`super::validate_previous`]).
pub fn validate_with_last_year(
    year: i32,
    as_of: NaiveDate,
    la: Option<&str>,
    t: &Tables,
    last: &Tables,
) -> Vec<Violation> {
    let mut out = validate_return(year, as_of, la, t);
    out.extend(super::validate_previous::validate(year, la, t, last));
    let order = |table: Table| match table {
        Table::Header => 0,
        Table::Episodes => 1,
        Table::Missing => 2,
        Table::Uasc => 3,
    };
    out.sort_by_key(|v| (order(v.table), v.row));
    out
}

/// Header rules; returns each child's date of birth (None when invalid).
fn header<'a>(rep: &mut Report, t: &'a Tables) -> HashMap<&'a str, Option<NaiveDate>> {
    let mut dobs = HashMap::new();
    for (i, h) in t.header.iter().enumerate() {
        let c = h.child.trim();
        if dobs.contains_key(c) {
            rep.add("INT32", Table::Header, i, c, &["CHILD"], "the child appears more than once in Header");
        }
        if !is_code(ssda903::sex_codes(rep.year), h.sex.trim()) {
            let codes = ssda903::sex_codes(rep.year).join(", ");
            rep.add(
                "101",
                Table::Header,
                i,
                c,
                &["SEX"],
                format!("SEX must be one of {codes} in this collection year"),
            );
        }
        if rep.year >= 2025 && h.sex.trim() == "U" {
            rep.add("232", Table::Header, i, c, &["SEX"], "SEX is U (unknown): DfE asks for M or F where it is known");
        }
        let dob = date(&h.dob);
        if dob.is_none() {
            rep.add("102", Table::Header, i, c, &["DOB"], "DOB is not a valid date (dd/mm/YYYY)");
        }
        if !is_code(ssda903::ETHNIC, h.ethnic.trim()) {
            rep.add("103", Table::Header, i, c, &["ETHNIC"], "ETHNIC is blank or not a valid code");
        }
        if let Some(u) = present(&h.upn)
            && !ssda903::is_valid_upn(u)
        {
            rep.add("168", Table::Header, i, c, &["UPN"], "UPN is not a valid UPN, nor UN1 to UN5");
        }
        if h.upn.trim() == "UN1"
            && let Some(b) = dob
            && ssda903::school_age_in(b, rep.year)
        {
            rep.add(
                "209",
                Table::Header,
                i,
                c,
                &["UPN"],
                "UPN is UN1 (not yet of school age) but the child was 4 or more on 31 August before the year",
            );
        }
        if dob.is_some_and(|b| b > rep.end) {
            rep.add("301", Table::Header, i, c, &["DOB"], "DOB is after the end of the collection year");
        }
        if dob.and_then(|b| ssda903::ages::birthday(b, 25)).is_some_and(|b| rep.start > b) {
            rep.add("351", Table::Header, i, c, &["DOB"], "the child was over 25 when the collection year began");
        }
        dobs.entry(c).or_insert(dob);
    }
    dobs
}

/// `MOTHER` and `MC_DOB` (Header, with the Episodes for 393 and 607).
fn motherhood(rep: &mut Report, t: &Tables) {
    const H: Table = Table::Header;
    let female = |sex: &str| matches!(sex.trim(), "F" | "2");
    let short_breaks = |ls: &str| matches!(ls.trim(), "V3" | "V4");
    let mut header_of: HashMap<&str, (usize, &super::tables::HeaderRow)> = HashMap::new();
    for (i, h) in t.header.iter().enumerate() {
        header_of.entry(h.child.trim()).or_insert((i, h));
        let c = h.child.trim();
        let mother = present(&h.mother);
        let mc_dob = present(&h.mc_dob);
        if mc_dob.is_some() && date(&h.mc_dob).is_none() {
            rep.add("171", H, i, c, &["MC_DOB"], "MC_DOB is not a valid date (dd/mm/YYYY)");
        }
        if h.sex.trim() == "M" && mc_dob.is_some() {
            rep.add("174", H, i, c, &["MC_DOB", "SEX"], "MC_DOB is given for a boy");
        }
        if mother == Some("1") && mc_dob.is_none() {
            rep.add("611", H, i, c, &["MC_DOB"], "MOTHER is 1 but MC_DOB, her first child's date of birth, is blank");
        }
        if mother.is_none_or(|m| m == "0") && h.sex.trim() == "F" && mc_dob.is_some() {
            rep.add("612", H, i, c, &["MOTHER", "MC_DOB"], "MC_DOB is given but MOTHER is not 1");
        }
        if mother == Some("1")
            && date(&h.dob)
                .and_then(|b| b.checked_add_months(Months::new(132)))
                .is_some_and(|eleven| eleven > rep.start)
        {
            rep.add("620", H, i, c, &["MOTHER", "DOB"], "MOTHER is 1 but the child was under 11 when the year began");
        }
        if let (Some(m), Some(b)) = (date(&h.mc_dob), date(&h.dob))
            && m <= b
        {
            rep.add("621", H, i, c, &["MC_DOB", "DOB"], "MC_DOB is not after the child's own date of birth");
        }
    }
    let looked_after: HashSet<&str> =
        t.episodes.iter().filter(|e| !short_breaks(&e.ls)).map(|e| e.child.trim()).collect();
    for (i, h) in t.header.iter().enumerate() {
        let c = h.child.trim();
        if present(&h.upn).is_none() && looked_after.contains(c) {
            rep.add("442", H, i, c, &["UPN"], "UPN is blank: give the UPN, or UN1 to UN5 when it is not known");
        }
        if h.sex.trim() == "F" && present(&h.mother).is_none() && looked_after.contains(c) {
            rep.add(
                "393",
                H,
                i,
                c,
                &["MOTHER"],
                "MOTHER (whether she is a mother) is not recorded for a girl looked after",
            );
        }
    }
    let mut flagged: HashSet<usize> = HashSet::new();
    for (i, e) in t.episodes.iter().enumerate() {
        let c = e.child.trim();
        let Some(&(hi, h)) = header_of.get(c) else { continue };
        let ceased = present(&e.rec).is_some_and(|r| r != "X1")
            && date(&e.dec).is_some_and(|d| rep.start <= d && d <= rep.end)
            && !short_breaks(&e.ls);
        if ceased && female(&h.sex) && present(&h.mother).is_none() {
            rep.add(
                "607",
                Table::Episodes,
                i,
                c,
                &["MOTHER", "REC"],
                "she left care in the year but MOTHER is not recorded",
            );
            if flagged.insert(hi) {
                rep.add("607", H, hi, c, &["MOTHER"], "she left care in the year but MOTHER is not recorded");
            }
        }
    }
}

/// A period of care: first `DECOM` and last `DEC` (None while open).
type Periods<'a> = HashMap<&'a str, Vec<(NaiveDate, Option<NaiveDate>)>>;

/// Episodes rules; returns each child's periods of care.
fn episodes<'a>(rep: &mut Report, t: &'a Tables, dobs: &HashMap<&str, Option<NaiveDate>>) -> Periods<'a> {
    const E: Table = Table::Episodes;
    let mut by_child: BTreeMap<&str, Vec<Ep<'_>>> = BTreeMap::new();
    for (i, r) in t.episodes.iter().enumerate() {
        let c = r.child.trim();
        let dob = dobs.get(c).copied().flatten();
        if !dobs.contains_key(c) {
            rep.add("INT03", E, i, c, &["CHILD"], "the child is not in Header");
        }
        let decom = date(&r.decom);
        if decom.is_none() {
            rep.add("141", E, i, c, &["DECOM"], "DECOM is not a valid date (dd/mm/YYYY)");
        }
        let dec = date(&r.dec);
        if present(&r.dec).is_some() && dec.is_none() {
            rep.add("147", E, i, c, &["DEC"], "DEC is not a valid date (dd/mm/YYYY)");
        }
        if present(&r.dec).is_some() != present(&r.rec).is_some() {
            rep.add("148", E, i, c, &["DEC", "REC"], "DEC and REC must both be given or both be blank");
        }
        if !is_code(ssda903::RNE, r.rne.trim()) {
            rep.add("143", E, i, c, &["RNE"], "RNE is blank or not a valid code");
        }
        if !is_code(ssda903::LEGAL_STATUS, r.ls.trim()) {
            rep.add("144", E, i, c, &["LS"], "LS is blank or not a valid code");
        }
        if !is_code(ssda903::CATEGORY_OF_NEED, r.cin.trim()) {
            rep.add("145", E, i, c, &["CIN"], "CIN is blank or not a valid code");
        }
        if let Some(rec) = present(&r.rec)
            && !is_code(ssda903::REC, rec)
        {
            rep.add("149", E, i, c, &["REC"], "REC is not a valid code");
        }
        let place = r.place.trim();
        let place_in_year = ssda903::check_place_in_year(place, rep.year);
        if let Err(m) = &place_in_year {
            rep.add("146", E, i, c, &["PLACE"], m.clone());
        } else if let Err(m) = ssda903::check_place_provider(place, present(&r.place_provider)) {
            let rule = rule_in(&m).unwrap_or_else(|| "146".into());
            // DfE's validator reads a provider for T0 to T3 and Z11 to Z14 as an invalid code too.
            if rule == "213" && matches!(place, "T0" | "T1" | "T2" | "T3" | "Z11" | "Z12" | "Z13" | "Z14") {
                rep.add("178", E, i, c, &["PLACE", "PLACE_PROVIDER"], m.clone());
            }
            rep.add(&rule, E, i, c, &["PLACE", "PLACE_PROVIDER"], m);
        }
        if place_in_year.is_ok() {
            let in_england = !present(&r.pl_post)
                .and_then(|pc| Geo::global().lookup(pc))
                .is_some_and(|a| matches!(a, Area::Wales | Area::Scotland | Area::NorthernIreland));
            if let Err(m) = ssda903::check_urn_for_location(place, present(&r.urn), in_england) {
                let rule = rule_in(&m).unwrap_or_else(|| "218".into());
                rep.add(&rule, E, i, c, &["URN", "PLACE"], m);
            }
        }
        if place == "P1" && r.ls.trim() == "V2" {
            rep.add(
                "378",
                E,
                i,
                c,
                &["PLACE", "LS"],
                "a child placed with parents (P1) cannot be accommodated under V2",
            );
        }
        if matches!(present(&r.rec), Some("E45" | "E46")) && !matches!(place, "U1" | "U2" | "U3" | "U4" | "U5" | "U6") {
            rep.add(
                "516",
                E,
                i,
                c,
                &["REC", "PLACE"],
                "E45 and E46 (special guardianship to former foster carers) end only a foster placement",
            );
        }
        if place != "P1" && present(&r.home_post).is_some() && r.home_post.trim() == r.pl_post.trim() {
            rep.add(
                "392d",
                E,
                i,
                c,
                &["HOME_POST", "PL_POST"],
                "the placement is at the child's home postcode, which only P1 can be",
            );
        }
        if decom.is_some_and(|d| d < earliest_episode()) {
            rep.add("353", E, i, c, &["DECOM"], "DECOM is before 14/10/1991");
        }
        if let Some(x) = dec {
            if decom.is_some_and(|d| x < d) {
                rep.add("356", E, i, c, &["DEC"], "DEC is before DECOM");
            }
            if decom.is_some_and(|d| x == d) {
                rep.add("355", E, i, c, &["DECOM", "DEC"], "the episode lasted less than a day");
            }
            if x > rep.end {
                rep.add("385", E, i, c, &["DEC"], "DEC is after the end of the collection year");
            }
        }
        if decom.is_some_and(|d| d > rep.end) {
            rep.add("354", E, i, c, &["DECOM"], "DECOM is after the end of the collection year");
        }
        let short_break = matches!(r.ls.trim(), "V3" | "V4");
        if let Some(rec) = present(&r.rec)
            && let Some((rule, message)) = ssda903::rec_for_place(rec, place)
        {
            rep.add(rule, E, i, c, &["REC", "PLACE"], message);
        }
        if let Some((rule, message)) = ssda903::adoption_place_status(place, r.ls.trim()) {
            rep.add(rule, E, i, c, &["PLACE", "LS"], message);
        }
        if let Some(d) = decom
            && let Some((rule, message)) = ssda903::adoption_with_carers_start(place, d, r.rne.trim())
        {
            rep.add(rule, E, i, c, &["PLACE", "RNE"], message);
        }
        if let Some((rule, message)) = ssda903::short_break_place(r.ls.trim(), place) {
            rep.add(rule, E, i, c, &["LS", "PLACE"], message);
        }
        // DfE counts an open T3 episode to the end of the year, T1 and T4 only once they end.
        let counted_to = if place == "T3" { Some(dec.unwrap_or(rep.as_of)) } else { dec };
        if let (Some(d), Some(to)) = (decom, counted_to)
            && let Some((rule, message)) = ssda903::temporary_place_for_length(place, d, to)
        {
            rep.add(rule, E, i, c, &["PLACE", "DECOM", "DEC"], message);
        }
        if let (Some(b), Some(d)) = (dob, decom)
            && let Some((rule, message)) = ssda903::care_start_for_age(r.rne.trim(), b, d)
        {
            rep.add(rule, E, i, c, &["RNE", "DECOM"], message);
        }
        if present(&r.dec).is_none()
            && let Some(b) = dob
            && let Some((rule, message)) = ssda903::looked_after_past_18(r.ls.trim(), place, b, rep.as_of)
        {
            rep.add(rule, E, i, c, &["LS", "PLACE"], message);
        }
        if !short_break && present(&r.pl_post).and_then(|pc| Geo::global().lookup(pc)).is_none() {
            // DfE derives PL_LA (169) and PL_LOCATION (179) from PL_POST; neither without it.
            let message = "no placement LA nor location (IN, OUT): PL_POST is blank or not in the postcode directory";
            rep.add("169", E, i, c, &["PL_POST"], message);
            rep.add("179", E, i, c, &["PL_POST"], message);
        }
        if r.ls.trim() == "V3"
            && let Some(d) = decom
            && (dec.unwrap_or(rep.as_of) - d).num_days() > 17
        {
            rep.add("365", E, i, c, &["LS", "DECOM", "DEC"], "a short break (V3) lasted more than 17 days");
        }
        if short_break && (present(&r.home_post).is_some() || present(&r.pl_post).is_some()) {
            rep.add(
                "398",
                E,
                i,
                c,
                &["HOME_POST", "PL_POST"],
                "no postcodes (so no distance) for a short break (V3, V4)",
            );
        }
        if short_break && present(&r.pl_post).and_then(|pc| Geo::global().lookup(pc)).is_some() {
            rep.add("420", E, i, c, &["PL_POST"], "no placement LA (no PL_POST) for a short break (V3, V4)");
        }
        // 214 asks for no PL_POST nor URN on a short break; 218 asks for a URN on every placement
        // type but a few, short breaks included. The URN is flagged only where 218 does not ask
        // for it (tests/dfe/rules-not-checked.md).
        if short_break
            && (present(&r.pl_post).is_some()
                || (present(&r.urn).is_some() && ssda903::urn_rule(place) == ssda903::UrnRule::Forbidden))
        {
            rep.add("214", E, i, c, &["PL_POST", "URN"], "no placement postcode nor URN for a short break (V3, V4)");
        }
        if let (Some(b), Some(x), Some(rec)) = (dob, dec, present(&r.rec))
            && let Some((rule, message)) = ssda903::rec_for_age(rec, b, x)
        {
            rep.add(rule, E, i, c, &["REC", "DEC"], message);
            if rule == "407"
                && let Some(h) = t.header.iter().position(|h| h.child.trim() == c)
            {
                rep.add(rule, Table::Header, h, c, &["DOB"], message);
            }
        }
        if let (Some(b), Some(d)) = (dob, decom) {
            if let Some((rule, message)) = ssda903::place_for_age(r.place.trim(), b, d) {
                rep.add(rule, E, i, c, &["PLACE", "DECOM"], message);
            }
            if let Some((rule, message)) = ssda903::legal_status_for_age(r.ls.trim(), b, d) {
                rep.add(rule, E, i, c, &["LS", "DECOM"], message);
                if let Some(h) = t.header.iter().position(|h| h.child.trim() == c) {
                    rep.add(rule, Table::Header, h, c, &["DOB"], message);
                }
            }
        }
        if let Some(reason) = present(&r.reason_place_change)
            && !is_code(ssda903::REASON_PLACE_CHANGE, reason)
        {
            rep.add("1009", E, i, c, &["REASON_PLACE_CHANGE"], "REASON_PLACE_CHANGE is not a valid code");
        }
        if present(&r.reason_place_change).is_some() && present(&r.dec).is_none() {
            rep.add(
                "233",
                E,
                i,
                c,
                &["REASON_PLACE_CHANGE"],
                "REASON_PLACE_CHANGE is given on an episode that has not ended",
            );
        }
        // As DfE: the child's age when the episode began, flagged on the Header row too.
        if r.reason_place_change.trim() == "CUSTOD"
            && let (Some(b), Some(d)) = (dob, decom)
            && age_on(b, d) < 10
        {
            rep.add("234", E, i, c, &["REASON_PLACE_CHANGE"], "CUSTOD cannot apply to a child under 10");
            if let Some(h) = t.header.iter().position(|h| h.child.trim() == c) {
                rep.add("234", Table::Header, h, c, &["DOB"], "CUSTOD cannot apply to a child under 10");
            }
        }
        if let Some(d) = decom {
            by_child.entry(c).or_default().push(Ep { i, r, decom: d, dec });
        }
    }

    short_breaks_and_holidays(rep, t);
    let mut periods: Periods<'a> = HashMap::new();
    for (c, mut v) in by_child {
        v.sort_by_key(|e| (e.decom, e.i));
        for k in 0..v.len() {
            let cur = &v[k];
            let prev = k.checked_sub(1).map(|j| &v[j]);
            let next = v.get(k + 1);
            let rne = cur.r.rne.trim();
            let (i, place) = (cur.i, cur.r.place.trim());
            // DfE flags the episode that ended with death or at 18 or over, not the one after.
            if cur.rec().is_some_and(ssda903::ends_care_for_good) && next.is_some() {
                rep.add("437", E, i, c, &["REC"], ssda903::NOTHING_AFTER_FINAL_END);
            }
            if present(&cur.r.dec).is_none() && next.is_some() {
                rep.add("142", E, i, c, &["DEC"], "only the latest episode may be open");
            }
            if let Some(p) = prev
                && p.dec.is_some_and(|pd| cur.decom < pd)
            {
                rep.add("501", E, i, c, &["DECOM"], "the episode starts before the previous one ended");
            }
            match (cur.dec, cur.rec(), next) {
                (Some(d), Some("X1"), Some(n)) if n.decom != d => {
                    rep.add("388", E, i, c, &["REC"], "REC is X1 but the next episode does not start on DEC")
                }
                (Some(d), Some(rec), Some(n)) if rec != "X1" && n.decom == d => rep.add(
                    "388",
                    E,
                    i,
                    c,
                    &["REC"],
                    "the next episode starts on DEC, so REC must be X1 (care continued)",
                ),
                (Some(_), Some("X1"), None) => {
                    rep.add("388", E, i, c, &["REC"], "REC is X1 but there is no continuation episode")
                }
                _ => {}
            }
            // As DfE: the child's first episode, and its Header row.
            if k == 0 && dobs.get(c).copied().flatten().is_some_and(|b| cur.decom < b) {
                let message = "the episode starts before the child was born";
                rep.add("302", E, i, c, &["DECOM"], message);
                if let Some(h) = t.header.iter().position(|h| h.child.trim() == c) {
                    rep.add("302", Table::Header, h, c, &["DOB"], message);
                }
            }
            if k == 0 && cur.decom >= rep.start && rne != "S" {
                rep.add(
                    "357",
                    E,
                    i,
                    c,
                    &["RNE"],
                    "the child's first episode must have RNE S (started to be looked after)",
                );
            }
            if let Some(p) = prev {
                if rne == "S" && p.dec.is_some_and(|d| cur.decom <= d) {
                    rep.add(
                        "431",
                        E,
                        i,
                        c,
                        &["RNE"],
                        "RNE is S but the previous episode ended on or after this one started",
                    );
                }
                if CONTINUATION.contains(&rne) {
                    if p.rec().is_some_and(|r| r != "X1") {
                        rep.add(
                            "432",
                            E,
                            i,
                            c,
                            &["RNE"],
                            "the child left care at the end of the previous episode, so RNE must be S",
                        );
                    }
                    if p.dec != Some(cur.decom) {
                        rep.add(
                            "433",
                            E,
                            i,
                            c,
                            &["RNE", "DECOM"],
                            "a continuation episode must start on the previous episode's DEC",
                        );
                    }
                }
                let ls_same = cur.r.ls.trim() == p.r.ls.trim();
                let placement_same = cur.same_placement(p);
                match rne {
                    "L" if ls_same || !placement_same => rep.add(
                        "434",
                        E,
                        i,
                        c,
                        &["RNE", "LS", "PLACE", "PL_POST", "URN", "PLACE_PROVIDER"],
                        "RNE L says only the legal status changed, which the data does not show",
                    ),
                    "P" | "T" if !ls_same || placement_same => rep.add(
                        "435",
                        E,
                        i,
                        c,
                        &["RNE", "LS", "PLACE", "PL_POST", "URN", "PLACE_PROVIDER"],
                        "RNE P or T says only the placement changed, which the data does not show",
                    ),
                    "B" | "U" if ls_same || placement_same => rep.add(
                        "436",
                        E,
                        i,
                        c,
                        &["RNE", "LS", "PLACE", "PL_POST", "URN", "PLACE_PROVIDER"],
                        "RNE B or U says the legal status and the placement changed, which the data does not show",
                    ),
                    _ => {}
                }
            }
            if cur.rec() == Some("X1")
                && cur.reason().is_none()
                && !temporary(place)
                && next.is_some_and(|n| PLACEMENT_CHANGE.contains(&n.r.rne.trim()) && !temporary(&n.r.place))
            {
                rep.add("225", E, i, c, &["REASON_PLACE_CHANGE"], "a placement change must give REASON_PLACE_CHANGE");
            }
            if temporary(place) && (cur.reason().is_some() || prev.is_some_and(|p| p.reason().is_some())) {
                rep.add(
                    "226",
                    E,
                    i,
                    c,
                    &["REASON_PLACE_CHANGE", "PLACE"],
                    "no REASON_PLACE_CHANGE for a temporary placement, nor on the episode before it",
                );
            }
            if k >= 2 && temporary(&v[k - 1].r.place) {
                let before = &v[k - 2];
                let back = rne == "P"
                    && place == before.r.place.trim()
                    && (rep.year < 2026 || cur.r.pl_post.trim() == before.r.pl_post.trim());
                if !back {
                    rep.add(
                        "383",
                        E,
                        i,
                        c,
                        &["RNE", "PLACE", "PL_POST"],
                        "after a temporary placement the child returns to the placement before it (RNE P)",
                    );
                }
            }
            if let Some((rule, message)) = ssda903::adoption_after(place, prev.map(|p| p.r.place.trim())) {
                rep.add(rule, E, i, c, &["PLACE"], message);
            }
            if rne == "S" && temporary(place) {
                rep.add("380", E, i, c, &["RNE", "PLACE"], "a period of care cannot start in a temporary placement");
            }
            if cur.rec().is_some_and(|r| r != "X1") && temporary(place) {
                rep.add("381", E, i, c, &["REC", "PLACE"], "a period of care cannot end in a temporary placement");
            }
        }
        // 361, 362: police protection (L1) at most 72 hours, an emergency protection order (L2)
        // at most 21 days, from the first DECOM to the last DEC of a group. As DfE groups them: an
        // episode joins the one before it with the same status when that one flowed into the
        // episode after it.
        span_of_status(rep, c, &v, "L1", 3, "361", "police protection (L1) lasted more than 72 hours");
        span_of_status(rep, c, &v, "L2", 21, "362", "an emergency protection order (L2) lasted more than 21 days");
        // 363, 364: a child assessment order (L3) at most 7 days, detention under PACE (J2) at most
        // 21, the lengths of episodes that follow on from one another added up.
        days_of_status(rep, c, &v, "L3", 7, "363", "a child assessment order (L3) lasted more than 7 days");
        days_of_status(rep, c, &v, "J2", 21, "364", "detention under PACE (J2) lasted more than 21 days");
        let mut poc: Vec<(NaiveDate, Option<NaiveDate>)> = Vec::new();
        for (k, e) in v.iter().enumerate() {
            // As DfE's validator: an episode starting on or before the previous one's end (or
            // while it is open) is in the same period of care.
            let continues = k > 0 && v[k - 1].dec.is_none_or(|d| e.decom <= d);
            match poc.last_mut() {
                Some(last) if continues => last.1 = e.dec,
                _ => poc.push((e.decom, e.dec)),
            }
        }
        periods.insert(c, poc);
    }
    periods
}

/// Rule 1015: a placement in the LA's own provision (PR1) other than fostering, adoption or
/// supported accommodation (U1 to U6, A3 to A6, K3 from 2025-26), and not a short break, is in
/// the LA's own area (the LA DfE derives from `PL_POST`).
fn own_provision(rep: &mut Report, la: &str, t: &Tables) {
    for (i, e) in t.episodes.iter().enumerate() {
        let place = e.place.trim();
        let placed_in = present(&e.pl_post).and_then(|pc| Geo::global().lookup(pc)).map(|a| a.code().to_string());
        if present(&e.ls).is_some()
            && !place.is_empty()
            && let Some((rule, message)) = ssda903::own_provision_outside(
                place,
                present(&e.place_provider),
                e.ls.trim(),
                placed_in.as_deref(),
                la,
                rep.year,
            )
        {
            rep.add(rule, Table::Episodes, i, e.child.trim(), &["PLACE_PROVIDER", "PL_POST"], message);
        }
    }
}

/// Rules on a child's short breaks and temporary placements over the year: 366 a short break
/// (V3) starts a period of care (RNE S); 367 no more than 75 days of short breaks (V3) in the
/// year; 377 no more than two temporary placements for the foster carers' holiday (T3); 426 not
/// both V3 and V4.
fn short_breaks_and_holidays(rep: &mut Report, t: &Tables) {
    const E: Table = Table::Episodes;
    let mut v3_days: HashMap<&str, (i64, Vec<usize>)> = HashMap::new();
    let mut t3: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut statuses: HashMap<&str, (Vec<usize>, Vec<usize>)> = HashMap::new();
    for (i, e) in t.episodes.iter().enumerate() {
        let c = e.child.trim();
        match e.ls.trim() {
            "V3" => {
                if e.rne.trim() != "S" {
                    rep.add("366", E, i, c, &["LS", "RNE"], "a short break (V3) starts a period of care (RNE S)");
                }
                statuses.entry(c).or_default().0.push(i);
                if let Some(decom) = date(&e.decom) {
                    let to = date(&e.dec).map_or(rep.end, |d| d.min(rep.end));
                    let days = (to - decom.max(rep.start)).num_days();
                    if days > 0 {
                        let entry = v3_days.entry(c).or_default();
                        entry.0 += days;
                        entry.1.push(i);
                    }
                }
            }
            "V4" => statuses.entry(c).or_default().1.push(i),
            _ => {}
        }
        if e.place.trim() == "T3" {
            t3.entry(c).or_default().push(i);
        }
    }
    for (c, (days, rows)) in v3_days {
        if days > 75 {
            for i in rows {
                rep.add("367", E, i, c, &["LS", "DECOM", "DEC"], "more than 75 days of short breaks (V3) in the year");
            }
        }
    }
    for (c, rows) in t3 {
        if rows.len() > 2 {
            for i in rows {
                rep.add(
                    "377",
                    E,
                    i,
                    c,
                    &["PLACE"],
                    "more than two temporary placements for the foster carers' holiday (T3) in the year",
                );
            }
        }
    }
    for (c, (v3, v4)) in statuses {
        if !v3.is_empty() && !v4.is_empty() {
            for i in v3.into_iter().chain(v4) {
                rep.add("426", E, i, c, &["LS"], "short breaks under both V3 and V4 in the same year");
            }
        }
    }
}

/// Rules 361 and 362: each group of a child's episodes with legal status `ls` (an episode joins
/// the previous one of that status when that one flowed into the episode after it) lasting more
/// than `days` from its first `DECOM` to its last `DEC` (the end of the year, or today, while
/// open) flags
/// every episode in it.
fn span_of_status(rep: &mut Report, c: &str, v: &[Ep<'_>], ls: &str, days: i64, rule: &str, message: &str) {
    let of_status: Vec<usize> = (0..v.len()).filter(|&k| v[k].r.ls.trim() == ls).collect();
    let flows = |k: usize| v.get(k + 1).is_some_and(|n| v[k].dec == Some(n.decom));
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (n, &k) in of_status.iter().enumerate() {
        match groups.last_mut() {
            Some(g) if n > 0 && flows(of_status[n - 1]) => g.push(k),
            _ => groups.push(vec![k]),
        }
    }
    for group in groups {
        let Some(&first) = group.first() else { continue };
        let to = group.iter().map(|&k| v[k].dec.unwrap_or(rep.as_of)).max().unwrap_or(rep.as_of);
        if (to - v[first].decom).num_days() > days {
            for &k in &group {
                rep.add(rule, Table::Episodes, v[k].i, c, &["LS", "DECOM", "DEC"], message);
            }
        }
    }
}

/// Rules 363 and 364: a child's episodes with legal status `ls`, each following on from the
/// previous one of that status (starting on or before its `DEC`), lasting more than `days`
/// added up (an open episode to the end of the year, or today) flag every episode among them.
fn days_of_status(rep: &mut Report, c: &str, v: &[Ep<'_>], ls: &str, days: i64, rule: &str, message: &str) {
    let mut groups: Vec<(Vec<usize>, i64, NaiveDate)> = Vec::new();
    for (k, e) in v.iter().enumerate().filter(|(_, e)| e.r.ls.trim() == ls) {
        let end = e.dec.unwrap_or(rep.as_of);
        let length = (end - e.decom).num_days();
        match groups.last_mut() {
            Some((g, total, prev_end)) if e.decom <= *prev_end => {
                g.push(k);
                *total += length;
                *prev_end = end;
            }
            _ => groups.push((vec![k], length, end)),
        }
    }
    for (group, total, _) in groups {
        if total > days {
            for k in group {
                rep.add(rule, Table::Episodes, v[k].i, c, &["LS", "DECOM", "DEC"], message);
            }
        }
    }
}

/// Rules on a child's Header row read with its episodes and missing periods, and on Header rows
/// together: 210 no `UN4` (UPN not yet known) for a child who started on or after 24 March, a
/// week before the year ends; 625 `MC_DOB` not after the year nor after the child's latest `DEC`;
/// 444 (from 2025-26) no UPN twice; 446 no `E1` before December 2005; 504 `CIN` the same in an
/// episode that continues the previous one; 392c postcodes found in the postcode directory; 580
/// a child missing on the 18th birthday that care ended on leaves with `REC` `E8`.
fn across_tables(rep: &mut Report, t: &Tables) {
    const H: Table = Table::Header;
    const E: Table = Table::Episodes;
    let header_of: HashMap<&str, usize> = t.header.iter().enumerate().rev().map(|(i, h)| (h.child.trim(), i)).collect();
    let un4_from = NaiveDate::from_ymd_opt(rep.end.year(), 3, 24).unwrap_or(rep.end);
    let mut flagged: HashSet<(&str, usize)> = HashSet::new();
    for (i, e) in t.episodes.iter().enumerate() {
        let c = e.child.trim();
        let Some(&hi) = header_of.get(c) else { continue };
        if t.header[hi].upn.trim() == "UN4" && date(&e.decom).is_some_and(|d| d >= un4_from) {
            let message =
                "UPN is UN4 (not yet known) for a child who started to be looked after in the last week of the year";
            rep.add("210", E, i, c, &["UPN", "DECOM"], message);
            if flagged.insert(("210", hi)) {
                rep.add("210", H, hi, c, &["UPN"], message);
            }
        }
        if e.ls.trim() == "E1"
            && date(&e.decom).is_some_and(|d| NaiveDate::from_ymd_opt(2005, 12, 1).is_some_and(|first| d < first))
        {
            rep.add("446", E, i, c, &["LS", "DECOM"], "E1 is not a valid legal status before December 2005");
        }
        let unknown = |pc: &str| present(pc).is_some_and(|pc| Geo::global().lookup(pc).is_none());
        if unknown(&e.home_post) || unknown(&e.pl_post) {
            rep.add("392c", E, i, c, &["HOME_POST", "PL_POST"], "a postcode is not in the postcode directory");
        }
    }
    // 504, on each child's episodes in DECOM order.
    let mut by_child: BTreeMap<&str, Vec<(NaiveDate, usize)>> = BTreeMap::new();
    for (i, e) in t.episodes.iter().enumerate() {
        if let Some(d) = date(&e.decom) {
            by_child.entry(e.child.trim()).or_default().push((d, i));
        }
    }
    let mut latest_end: HashMap<&str, (NaiveDate, usize)> = HashMap::new();
    for (c, mut v) in by_child {
        v.sort();
        for w in v.windows(2) {
            let (prev, cur) = (&t.episodes[w[0].1], &t.episodes[w[1].1]);
            if prev.rec.trim() == "X1" && date(&prev.dec) == Some(w[1].0) && prev.cin.trim() != cur.cin.trim() {
                rep.add("504", E, w[1].1, c, &["CIN"], "CIN differs from the episode this one continues");
            }
        }
        // An open episode counts as ending with the year, as DfE's validator reads it.
        for &(_, i) in &v {
            let x = date(&t.episodes[i].dec).unwrap_or(rep.end);
            if latest_end.get(c).is_none_or(|(d, _)| x > *d) {
                latest_end.insert(c, (x, i));
            }
        }
    }
    for (c, (dec, i)) in &latest_end {
        let Some(&hi) = header_of.get(c) else { continue };
        if date(&t.header[hi].mc_dob).is_some_and(|m| m > rep.end || m > *dec) {
            let message = "MC_DOB is after the end of the year or after the child ceased to be looked after";
            rep.add("625", H, hi, c, &["MC_DOB"], message);
            rep.add("625", E, *i, c, &["MC_DOB", "DEC"], message);
        }
    }
    if rep.year >= 2026 {
        let mut count: HashMap<&str, usize> = HashMap::new();
        for h in &t.header {
            if let Some(u) = present(&h.upn).filter(|u| !u.starts_with("UN")) {
                *count.entry(u).or_default() += 1;
            }
        }
        for (i, h) in t.header.iter().enumerate() {
            if present(&h.upn).is_some_and(|u| count.get(u).is_some_and(|n| *n > 1)) {
                rep.add("444", H, i, h.child.trim(), &["UPN"], "the same UPN is given for another child");
            }
        }
    }
    // 580: missing until the 18th birthday, the day care ended.
    for m in &t.missing {
        let c = m.child.trim();
        let (Some(end), Some(adult)) = (date(&m.mis_end), date(&m.dob).and_then(ssda903::eighteenth_birthday)) else {
            continue;
        };
        if end != adult {
            continue;
        }
        for (i, e) in t.episodes.iter().enumerate() {
            if e.child.trim() == c && date(&e.dec) == Some(end) && e.rec.trim() != "E8" {
                rep.add(
                    "580",
                    E,
                    i,
                    c,
                    &["REC"],
                    "the child was missing when care ended on the 18th birthday: REC must be E8",
                );
            }
        }
    }
}

/// UASC rules, and the Episodes rules that turn on a child's UASC status (DfE reads a child in
/// the UASC table as UASC, every other as not).
fn uasc(rep: &mut Report, t: &Tables) {
    const U: Table = Table::Uasc;
    let header: HashMap<&str, &super::tables::HeaderRow> = t.header.iter().rev().map(|h| (h.child.trim(), h)).collect();
    let mut count: HashMap<&str, usize> = HashMap::new();
    for u in &t.uasc {
        *count.entry(u.child.trim()).or_default() += 1;
    }
    for (i, u) in t.uasc.iter().enumerate() {
        let c = u.child.trim();
        let duc = date(&u.duc);
        if present(&u.duc).is_some() && duc.is_none_or(|d| d < rep.start) {
            rep.add("104", U, i, c, &["DUC"], "DUC is not a valid date (dd/mm/YYYY) or is before the collection year");
        }
        if let (Some(d), Some(adult)) = (duc, date(&u.dob).and_then(ssda903::eighteenth_birthday))
            && d > adult
        {
            rep.add("304", U, i, c, &["DUC"], "DUC is after the child's 18th birthday, when UASC status ends");
        }
        if count.get(c).is_some_and(|n| *n > 1) {
            rep.add("INT36", U, i, c, &["CHILD"], "the child appears more than once in UASC");
        }
        match header.get(c) {
            None => rep.add("INT09", U, i, c, &["CHILD"], "the child is not in Header"),
            Some(h) => {
                if let (Some(a), Some(b)) = (date(&h.dob), date(&u.dob))
                    && a != b
                {
                    rep.add("INT18", U, i, c, &["DOB"], "DOB differs from the child's DOB in Header");
                }
                if let (Some(a), Some(b)) = (present(&h.sex), present(&u.sex))
                    && a != b
                {
                    rep.add("INT21", U, i, c, &["SEX"], "SEX differs from the child's SEX in Header");
                }
            }
        }
    }
    let is_uasc: HashSet<&str> = t.uasc.iter().map(|u| u.child.trim()).filter(|c| header.contains_key(c)).collect();
    for (i, h) in t.header.iter().enumerate() {
        if is_uasc.contains(h.child.trim())
            && let Some(w) = date(&h.dob).and_then(|b| ssda903::young_uasc_warning(true, b, rep.year))
        {
            rep.add(&w.rule, Table::Header, i, h.child.trim(), &["DOB", "UASC"], "the child is UASC and under 11 at the end of the year: check the date of birth (DfE accepts it when confirmed)");
        }
    }
    let found = |pc: &str| present(pc).is_some_and(|pc| Geo::global().lookup(pc).is_some());
    for (i, e) in t.episodes.iter().enumerate() {
        let c = e.child.trim();
        // A short break (V3, V4), or a UASC child, needs no postcodes.
        let exempt = is_uasc.contains(c) || matches!(e.ls.trim(), "V3" | "V4");
        let postcodes = present(&e.home_post).is_some() && present(&e.pl_post).is_some();
        let distance = found(&e.home_post) && found(&e.pl_post);
        if !exempt && !distance {
            rep.add(
                "392a",
                Table::Episodes,
                i,
                c,
                &["HOME_POST", "PL_POST"],
                "no distance from home can be derived: a postcode is blank or unknown, and the child is not in the UASC table",
            );
        }
        if !exempt && !postcodes {
            rep.add(
                "392b",
                Table::Episodes,
                i,
                c,
                &["HOME_POST", "PL_POST"],
                "HOME_POST or PL_POST is blank for a child looked after who is not in the UASC table",
            );
        }
        if rep.year >= 2026
            && let (Some(h), Some(p)) = (present(&e.home_post), present(&e.pl_post))
            && Geo::global().distance_miles(h, p).is_some_and(|d| d > 350.0)
        {
            rep.add(
                "454",
                Table::Episodes,
                i,
                c,
                &["HOME_POST", "PL_POST"],
                "the placement is more than 350 miles from the child's home",
            );
        }
        if is_uasc.contains(c) && found(&e.home_post) && found(&e.pl_post) {
            rep.add(
                "406",
                Table::Episodes,
                i,
                c,
                &["HOME_POST"],
                "the child is UASC: the placement's distance from home should be blank (no HOME_POST)",
            );
        }
    }
}

/// Missing rules.
fn missing(rep: &mut Report, t: &Tables, dobs: &HashMap<&str, Option<NaiveDate>>, periods: &Periods<'_>) {
    const M: Table = Table::Missing;
    let with_episodes: HashSet<&str> = t.episodes.iter().map(|e| e.child.trim()).collect();
    // Each child's episodes that ended: (DECOM, DEC).
    let mut ended: HashMap<&str, Vec<(NaiveDate, NaiveDate)>> = HashMap::new();
    for e in &t.episodes {
        if let (Some(from), Some(to)) = (date(&e.decom), date(&e.dec)) {
            ended.entry(e.child.trim()).or_default().push((from, to));
        }
    }
    // Each child's episodes: (DECOM, DEC), either blank or invalid.
    type Span = (Option<NaiveDate>, Option<NaiveDate>);
    let mut spans: HashMap<&str, Vec<Span>> = HashMap::new();
    for e in &t.episodes {
        spans.entry(e.child.trim()).or_default().push((date(&e.decom), date(&e.dec)));
    }
    // (row, start, end, open) of each child's periods.
    type YearToDate = (usize, NaiveDate, Option<NaiveDate>, bool);
    let mut by_child: BTreeMap<&str, Vec<YearToDate>> = BTreeMap::new();
    for (i, r) in t.missing.iter().enumerate() {
        let c = r.child.trim();
        if !with_episodes.contains(c) {
            rep.add("1012", M, i, c, &["CHILD"], "no Missing rows for a child with no episode in the year");
        }
        let row_dob = date(&r.dob);
        match dobs.get(c) {
            None => rep.add("INT04", M, i, c, &["CHILD"], "the child is not in Header"),
            Some(h) if h.is_some() && *h != row_dob => {
                rep.add("INT13", M, i, c, &["DOB"], "DOB differs from the child's DOB in Header")
            }
            Some(_) => {}
        }
        let kind = present(&r.missing);
        let start = date(&r.mis_start);
        let end = date(&r.mis_end);
        if let Some(k) = kind
            && !is_code(ssda903::MISSING_TYPE, k)
        {
            rep.add("1006", M, i, c, &["MISSING"], "MISSING must be M or A");
        }
        if kind.is_some() && present(&r.mis_start).is_none() {
            rep.add("564", M, i, c, &["MIS_START"], "a missing period needs its start date");
        }
        if kind.is_none() && present(&r.mis_start).is_some() {
            rep.add("565", M, i, c, &["MISSING"], "a start date needs MISSING (M or A)");
        }
        if kind.is_none() && present(&r.mis_end).is_some() {
            rep.add("566", M, i, c, &["MISSING"], "an end date needs MISSING (M or A)");
        }
        if present(&r.mis_start).is_some() && start.is_none() {
            rep.add("1004", M, i, c, &["MIS_START"], "MIS_START is not a valid date (dd/mm/YYYY)");
        }
        if present(&r.mis_end).is_some() && end.is_none() {
            rep.add("1005", M, i, c, &["MIS_END"], "MIS_END is not a valid date (dd/mm/YYYY)");
        }
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            rep.add("567", M, i, c, &["MIS_END"], "MIS_END is before MIS_START");
        }
        if start.is_some_and(|s| s > rep.end) {
            rep.add("570", M, i, c, &["MIS_START"], "MIS_START is after the end of the collection year");
        }
        if end.is_some_and(|e| e < rep.start || e > rep.end) {
            rep.add("571", M, i, c, &["MIS_END"], "MIS_END is outside the collection year");
        }
        let dob = row_dob.or(dobs.get(c).copied().flatten());
        if let (Some(s), Some(b)) = (start, dob)
            && s <= b
        {
            rep.add("586", M, i, c, &["MIS_START"], "MIS_START is not after the child's date of birth");
        }
        if let Some(s) = start
            && present(&r.mis_end).is_none()
            && ended.get(c).is_some_and(|v| v.iter().any(|(from, to)| *from <= s && s <= *to))
        {
            rep.add(
                "575",
                M,
                i,
                c,
                &["MIS_END"],
                "the placement the child went missing from has ended: the missing period must have an end date",
            );
        }
        // 577, 578: as DfE's validator, a period out of every one of the child's periods of care
        // (577 by its end, or still open; 578 by its start); 581 a start in none of its episodes.
        let pocs = periods.get(c).map(Vec::as_slice).unwrap_or_default();
        let out_577 = |&(from, to): &(NaiveDate, Option<NaiveDate>)| match end {
            None => to.is_some() || start.is_some_and(|s| s < from),
            Some(e) => to.is_some_and(|t| e > t) || e < from,
        };
        if start.is_some() && !pocs.is_empty() && pocs.iter().all(out_577) {
            let message = "the missing period ends (or is still open) outside the child's periods of care";
            rep.add("577", M, i, c, &["MIS_END"], message);
        }
        if let Some(s) = start
            && !pocs.is_empty()
            && pocs.iter().all(|&(from, to)| s < from || to.is_some_and(|t| s > t))
        {
            let message = if pocs.iter().any(|(_, to)| to.is_some_and(|t| t < s)) {
                "MIS_START is after the child ceased to be looked after"
            } else {
                "MIS_START is before the child started to be looked after"
            };
            rep.add("578", M, i, c, &["MIS_START"], message);
        }
        if let Some(eps) = spans.get(c)
            && !start
                .is_some_and(|s| eps.iter().any(|(from, to)| from.is_some_and(|f| f <= s) && to.is_none_or(|t| s <= t)))
        {
            rep.add("581", M, i, c, &["MIS_START"], "MIS_START is in none of the child's episodes");
        }
        if let Some(s) = start {
            by_child.entry(c).or_default().push((i, s, end, present(&r.mis_end).is_none()));
        }
    }
    for (c, mut v) in by_child {
        // As DfE: in order of end (the start for an open period), then start.
        v.sort_by_key(|(i, s, e, _)| (e.unwrap_or(*s), *s, *i));
        for k in 1..v.len() {
            let (i, s, _, _) = v[k];
            let (_, _, prev_end, prev_open) = v[k - 1];
            if prev_open {
                rep.add("574", M, i, c, &["MIS_START"], "the missing period starts while an earlier one is still open");
            } else if prev_end.is_some_and(|pe| s < pe) {
                rep.add("574", M, i, c, &["MIS_START"], "the missing period overlaps an earlier one");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_code_is_listed_once() {
        let mut seen = HashSet::new();
        for r in RULES {
            assert!(seen.insert(r), "{r} twice");
        }
    }

    #[test]
    fn the_rules_read_with_last_year_are_listed() {
        for r in super::super::validate_previous::RULES {
            assert!(RULES.contains(r), "{r}");
        }
    }

    #[test]
    fn rule_codes_come_from_the_messages() {
        assert_eq!(rule_in("PLACE_PROVIDER is required for PLACE K2 (DfE rule 526)").as_deref(), Some("526"));
        assert_eq!(rule_in("no rule here"), None);
        assert_eq!(rule_in("nothing"), None);
    }
}
