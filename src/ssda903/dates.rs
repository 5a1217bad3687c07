//! SSDA903 dates and collection years.
//!
//! A collection year runs from 1 April to 31 March and is named by the year
//! it ends in: "2026" is 1 April 2025 to 31 March 2026.

use chrono::{Datelike, NaiveDate};

/// A date as SSDA903 writes it: `dd/mm/YYYY`.
pub fn format_date(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// Parses an SSDA903 date, `dd/mm/YYYY` with two-digit day and month and a
/// four-digit year. `None` for anything else or an impossible date.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[2] != b'/' || b[5] != b'/' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = &b[r];
        if part.iter().all(u8::is_ascii_digit) {
            Some(part.iter().fold(0, |acc, c| acc * 10 + u32::from(c - b'0')))
        } else {
            None
        }
    };
    let day = digits(0..2)?;
    let month = digits(3..5)?;
    let year = i32::try_from(digits(6..10)?).ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// The collection year containing `d`: the calendar year of the 31 March
/// that ends it.
pub fn collection_year(d: NaiveDate) -> i32 {
    if d.month() >= 4 { d.year() + 1 } else { d.year() }
}

/// First and last day of collection year `year`: 1 April of `year - 1` and
/// 31 March of `year`. Years outside chrono's range saturate to
/// `NaiveDate::MIN`/`NaiveDate::MAX`.
pub fn collection_year_bounds(year: i32) -> (NaiveDate, NaiveDate) {
    let start = year.checked_sub(1).and_then(|y| NaiveDate::from_ymd_opt(y, 4, 1)).unwrap_or(if year > 0 {
        NaiveDate::MAX
    } else {
        NaiveDate::MIN
    });
    let end = NaiveDate::from_ymd_opt(year, 3, 31).unwrap_or(if year > 0 { NaiveDate::MAX } else { NaiveDate::MIN });
    (start, end)
}

/// The 18th birthday of a child born on `dob`, as DfE counts it (29 February births on 28
/// February): the last day UASC status may last (rule 304).
pub fn eighteenth_birthday(dob: NaiveDate) -> Option<NaiveDate> {
    dob.checked_add_months(chrono::Months::new(18 * 12))
}

/// True when a child born on `dob` counts as of school age in collection year `year`, as DfE
/// rule 209 counts it: aged 4 or more on 31 August of the calendar year before the year starts
/// (31/08/2024 for 2025-26). Such a child may not have the unknown-UPN code `UN1`.
pub fn school_age_in(dob: NaiveDate, year: i32) -> bool {
    let reference = NaiveDate::from_ymd_opt(year - 2, 8, 31);
    let fourth = dob.checked_add_months(chrono::Months::new(48));
    matches!((reference, fourth), (Some(r), Some(f)) if f <= r)
}

#[cfg(test)]
mod tests {
    #[test]
    fn school_age_from_four_on_31_august_before_the_year() {
        // 2025-26: 31/08/2024.
        assert!(super::school_age_in(date(2020, 8, 31), 2026));
        assert!(!super::school_age_in(date(2020, 9, 1), 2026));
        // 2024-25: 31/08/2023.
        assert!(super::school_age_in(date(2019, 8, 31), 2025));
        assert!(!super::school_age_in(date(2019, 9, 1), 2025));
    }

    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
    }

    #[test]
    fn formats_with_leading_zeros() {
        assert_eq!(format_date(date(2025, 4, 1)), "01/04/2025");
        assert_eq!(format_date(date(2026, 12, 31)), "31/12/2026");
    }

    #[test]
    fn parses_round_trip() {
        for d in [date(2025, 4, 1), date(2024, 2, 29), date(1991, 10, 14)] {
            assert_eq!(parse_date(&format_date(d)), Some(d));
        }
        for bad in ["1/4/2025", "2025-04-01", "31/02/2025", "01/13/2025", "aa/bb/cccc", ""] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn collection_year_boundaries() {
        assert_eq!(collection_year(date(2025, 3, 31)), 2025);
        assert_eq!(collection_year(date(2025, 4, 1)), 2026);
        assert_eq!(collection_year(date(2025, 12, 31)), 2026);
        assert_eq!(collection_year(date(2026, 1, 1)), 2026);
        assert_eq!(collection_year(date(2026, 3, 31)), 2026);
        assert_eq!(collection_year(date(2026, 4, 1)), 2027);
    }

    #[test]
    fn bounds_match_collection_year() {
        let (start, end) = collection_year_bounds(2026);
        assert_eq!(start, date(2025, 4, 1));
        assert_eq!(end, date(2026, 3, 31));
        for y in 2015..2031 {
            let (s, e) = collection_year_bounds(y);
            assert_eq!(collection_year(s), y);
            assert_eq!(collection_year(e), y);
            assert_eq!(collection_year(s.pred_opt().unwrap_or(s)), y - 1);
            assert_eq!(collection_year(e.succ_opt().unwrap_or(e)), y + 1);
        }
    }

    #[test]
    fn bounds_saturate_out_of_range() {
        assert_eq!(collection_year_bounds(i32::MAX).1, NaiveDate::MAX);
        assert_eq!(collection_year_bounds(i32::MIN).0, NaiveDate::MIN);
    }
}
