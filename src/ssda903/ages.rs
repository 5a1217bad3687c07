//! Reasons for ceasing to be looked after (`REC`) that the child's age on the day care ended
//! (`DEC`) rules out, as DfE's rules put them. Ages as DfE counts them: the Nth birthday is the
//! date of birth plus N years (29 February births on 28 February).

use chrono::{Months, NaiveDate};

/// The Nth birthday of a child born on `dob`.
pub fn birthday(dob: NaiveDate, years: u32) -> Option<NaiveDate> {
    dob.checked_add_months(Months::new(12 * years))
}

/// The DfE rule a `REC` breaks for a child born on `dob` whose care ended on `dec`, with what is
/// wrong: adopted (E11, E12) at 18 or over (386); independent living (E5, E6) under 14 (387);
/// adult social care (E7) under 16 (389); special guardianship (E45 to E48) after the 18th
/// birthday (407); staying with carers at 18 or over (E17) under 18 (460).
pub fn rec_for_age(rec: &str, dob: NaiveDate, dec: NaiveDate) -> Option<(&'static str, &'static str)> {
    let before = |years: u32| birthday(dob, years).is_some_and(|b| dec < b);
    match rec {
        "E11" | "E12" if !before(18) => Some(("386", "the child was adopted (REC E11, E12) at 18 or over")),
        "E5" | "E6" if before(14) => Some(("387", "the child moved to independent living (REC E5, E6) under 14")),
        "E7" if before(16) => Some(("389", "the child moved to adult social care (REC E7) under 16")),
        "E45" | "E46" | "E47" | "E48" if birthday(dob, 18).is_some_and(|b| dec > b) => {
            Some(("407", "a special guardianship order (REC E45 to E48) after the child's 18th birthday"))
        }
        "E17" if before(18) => Some(("460", "the child stayed with carers at 18 or over (REC E17) under 18")),
        _ => None,
    }
}

/// The DfE rule a placement type breaks for a child born on `dob` placed on `decom`, with what
/// is wrong: supported accommodation (K3) under 16 (371), youth custody or prison (R5) under 10
/// (372), a school (S1) under 4 (373), residential employment (P3) under 14 (374).
pub fn place_for_age(place: &str, dob: NaiveDate, decom: NaiveDate) -> Option<(&'static str, &'static str)> {
    let under = |years: u32| birthday(dob, years).is_some_and(|b| decom < b);
    match place {
        "K3" if under(16) => Some(("371", "a child in supported accommodation (K3) should be at least 16")),
        "R5" if under(10) => Some(("372", "a child in youth custody or prison (R5) should be at least 10")),
        "S1" if under(4) => Some(("373", "a child placed in a school (S1) should be at least 4")),
        "P3" if under(14) => Some(("374", "a child in residential employment (P3) should be at least 14")),
        _ => None,
    }
}

/// The DfE rule a temporary placement breaks by lasting from `decom` to `dec`, with what is
/// wrong: in hospital (T1) more than six weeks (375), while the usual foster carers are on
/// holiday (T3) more than three weeks (376), for another reason (T4) more than seven days (379).
pub fn temporary_place_for_length(
    place: &str,
    decom: NaiveDate,
    dec: NaiveDate,
) -> Option<(&'static str, &'static str)> {
    let days = (dec - decom).num_days();
    match place {
        "T1" if days > 42 => Some(("375", "a temporary placement in hospital (T1) lasted more than six weeks")),
        "T3" if days > 21 => {
            Some(("376", "a temporary placement for the foster carers' holiday (T3) lasted more than three weeks"))
        }
        "T4" if days > 7 => Some(("379", "a temporary placement for another reason (T4) lasted more than seven days")),
        _ => None,
    }
}

/// The DfE rule a short break (legal status V3, V4) breaks in placement type `place`: a temporary
/// placement (382) or long-term fostering (U1, U4; 384).
pub fn short_break_place(ls: &str, place: &str) -> Option<(&'static str, &'static str)> {
    if !matches!(ls, "V3" | "V4") {
        return None;
    }
    match place {
        "T0" | "T1" | "T2" | "T3" | "T4" => Some(("382", "a short break (V3, V4) cannot be a temporary placement")),
        "U1" | "U4" => Some(("384", "a short break (V3, V4) cannot be in long-term fostering (U1, U4)")),
        _ => None,
    }
}

/// The DfE rule an ending breaks by its placement type: adopted (REC E11, E12) other than from
/// a placement for adoption (A3 to A6; 390).
pub fn rec_for_place(rec: &str, place: &str) -> Option<(&'static str, &'static str)> {
    (matches!(rec, "E11" | "E12") && !matches!(place, "A3" | "A4" | "A5" | "A6"))
        .then_some(("390", "a child adopted (REC E11, E12) leaves a placement for adoption (A3 to A6)"))
}

/// DfE rule 408: a placement for adoption with a placement order (A5, A6) is under that order
/// (legal status E1).
pub fn adoption_place_status(place: &str, ls: &str) -> Option<(&'static str, &'static str)> {
    (matches!(place, "A5" | "A6") && ls != "E1")
        .then_some(("408", "a placement for adoption with a placement order (A5, A6) is under legal status E1"))
}

/// DfE rule 217: a placement for adoption with the current foster carers (A3, A5) starting on
/// or after 1 April 2015 starts a period of care (`RNE` S) or shows the same carers (T, U).
pub fn adoption_with_carers_start(place: &str, decom: NaiveDate, rne: &str) -> Option<(&'static str, &'static str)> {
    let from = NaiveDate::from_ymd_opt(2015, 4, 1)?;
    (matches!(place, "A3" | "A5") && decom >= from && !matches!(rne, "S" | "T" | "U")).then_some((
        "217",
        "a placement for adoption with the current foster carers (A3, A5) starts with RNE S, T or U: the carers are the same",
    ))
}

/// DfE rule 336: a placement for adoption without a placement order (A3, A4) follows a foster
/// or adoption placement (A3 to A6, U1 to U6); `prev` is the `PLACE` of the child's previous
/// episode in the return, `None` for the first.
pub fn adoption_after(place: &str, prev: Option<&str>) -> Option<(&'static str, &'static str)> {
    const FOSTER_OR_ADOPTION: &[&str] = &["A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6"];
    (matches!(place, "A3" | "A4") && prev.is_some_and(|p| !FOSTER_OR_ADOPTION.contains(&p)))
        .then_some(("336", "a placement for adoption (A3, A4) follows a foster or adoption placement"))
}

/// DfE rule 437: care that ended with the child's death (`REC` E2) or an age assessment finding
/// the child 18 or over (E15) is the child's last episode: none follows it.
pub fn ends_care_for_good(rec: &str) -> bool {
    matches!(rec, "E2" | "E15")
}

/// The message of rule 437.
pub const NOTHING_AFTER_FINAL_END: &str =
    "no episode may follow care that ended with the child's death or being found 18 or over (REC E2, E15)";

/// DfE rule 352: no period of care (`RNE` S) starts on or after the child's 18th birthday.
pub fn care_start_for_age(rne: &str, dob: NaiveDate, decom: NaiveDate) -> Option<(&'static str, &'static str)> {
    (rne == "S" && birthday(dob, 18).is_some_and(|adult| decom >= adult))
        .then_some(("352", "the child started to be looked after at 18 or over"))
}

/// DfE rule 359: a child still looked after on `as_of`, after the 18th birthday, is accommodated
/// under section 20(5) (legal status V2) in a children's home (K2).
pub fn looked_after_past_18(
    ls: &str,
    place: &str,
    dob: NaiveDate,
    as_of: NaiveDate,
) -> Option<(&'static str, &'static str)> {
    (birthday(dob, 18).is_some_and(|adult| adult < as_of) && !(ls == "V2" && place == "K2")).then_some((
        "359",
        "a child looked after past 18 is accommodated under section 20(5) (V2) in a children's home (K2)",
    ))
}

/// DfE rule 358: a child on remand or detained (legal status J1 to J3) from `from` is over 10
/// then (on the 10th birthday is too young).
pub fn legal_status_for_age(ls: &str, dob: NaiveDate, from: NaiveDate) -> Option<(&'static str, &'static str)> {
    (matches!(ls, "J1" | "J2" | "J3") && birthday(dob, 10).is_none_or(|b| b >= from))
        .then_some(("358", "a child with legal status J1 to J3 should be over 10"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn each_rule_turns_on_its_birthday() {
        let dob = d("2008-05-10");
        let rule = |rec: &str, dec: &str| rec_for_age(rec, dob, d(dec)).map(|r| r.0);
        assert_eq!(rule("E11", "2026-05-09"), None);
        assert_eq!(rule("E11", "2026-05-10"), Some("386"));
        assert_eq!(rule("E5", "2022-05-09"), Some("387"));
        assert_eq!(rule("E6", "2022-05-10"), None);
        assert_eq!(rule("E7", "2024-05-09"), Some("389"));
        assert_eq!(rule("E7", "2024-05-10"), None);
        assert_eq!(rule("E47", "2026-05-10"), None);
        assert_eq!(rule("E47", "2026-05-11"), Some("407"));
        assert_eq!(rule("E17", "2026-05-09"), Some("460"));
        assert_eq!(rule("E17", "2026-05-10"), None);
        assert_eq!(rule("E4A", "2010-01-01"), None);
        let place = |code: &str, decom: &str| place_for_age(code, dob, d(decom)).map(|r| r.0);
        assert_eq!(place("K3", "2024-05-09"), Some("371"));
        assert_eq!(place("K3", "2024-05-10"), None);
        assert_eq!(place("R5", "2018-05-09"), Some("372"));
        assert_eq!(place("S1", "2012-05-09"), Some("373"));
        assert_eq!(place("P3", "2022-05-09"), Some("374"));
        assert_eq!(place("P3", "2022-05-10"), None);
        assert_eq!(legal_status_for_age("J2", dob, d("2018-05-10")).map(|r| r.0), Some("358"));
        assert_eq!(legal_status_for_age("J2", dob, d("2018-05-11")), None);
        let temporary = |code: &str, days: i64| {
            temporary_place_for_length(code, d("2026-01-01"), d("2026-01-01") + chrono::TimeDelta::days(days))
                .map(|r| r.0)
        };
        assert_eq!((temporary("T1", 42), temporary("T1", 43)), (None, Some("375")));
        assert_eq!((temporary("T3", 21), temporary("T3", 22)), (None, Some("376")));
        assert_eq!((temporary("T4", 7), temporary("T4", 8)), (None, Some("379")));
        assert_eq!(short_break_place("V3", "T2").map(|r| r.0), Some("382"));
        assert_eq!(short_break_place("V4", "U4").map(|r| r.0), Some("384"));
        assert_eq!(short_break_place("V4", "U6"), None);
        assert_eq!(short_break_place("C2", "U4"), None);
        assert_eq!(rec_for_place("E11", "U4").map(|r| r.0), Some("390"));
        assert_eq!(rec_for_place("E12", "A6"), None);
        assert_eq!(adoption_place_status("A5", "C2").map(|r| r.0), Some("408"));
        assert_eq!(adoption_place_status("A6", "E1"), None);
        let april_2015 = d("2015-04-01");
        assert_eq!(adoption_with_carers_start("A5", april_2015, "P").map(|r| r.0), Some("217"));
        assert_eq!(adoption_with_carers_start("A3", april_2015, "T"), None);
        assert_eq!(adoption_with_carers_start("A3", d("2015-03-31"), "P"), None);
        assert_eq!(adoption_with_carers_start("A4", april_2015, "P"), None);
        assert_eq!(adoption_after("A4", Some("K2")).map(|r| r.0), Some("336"));
        assert_eq!(adoption_after("A3", Some("U3")), None);
        assert_eq!(adoption_after("A4", None), None);
        assert_eq!(adoption_after("A6", Some("K2")), None);
        assert_eq!(care_start_for_age("S", dob, d("2026-05-10")).map(|r| r.0), Some("352"));
        assert_eq!(care_start_for_age("S", dob, d("2026-05-09")), None);
        assert_eq!(care_start_for_age("P", dob, d("2026-05-10")), None);
        assert_eq!(looked_after_past_18("C2", "U4", dob, d("2026-05-11")).map(|r| r.0), Some("359"));
        assert_eq!(looked_after_past_18("C2", "U4", dob, d("2026-05-10")), None);
        assert_eq!(looked_after_past_18("V2", "K2", dob, d("2027-01-01")), None);
        assert_eq!(looked_after_past_18("V2", "K1", dob, d("2027-01-01")).map(|r| r.0), Some("359"));
    }
}
