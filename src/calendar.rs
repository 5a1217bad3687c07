//! Working days in England and Wales: Monday to Friday except bank holidays.
//!
//! The built-in table (`data/bank-holidays-england-and-wales.csv`) lists every
//! England and Wales bank holiday from 2015 to 2030, substitute days and
//! one-off holidays included. Dates outside that range only skip weekends, so
//! a deployment that needs later years supplies its own table through
//! [`WorkingCalendar::from_csv`].

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};

const ENGLAND_AND_WALES_CSV: &str = include_str!("../data/bank-holidays-england-and-wales.csv");

/// A set of bank holidays; every Monday to Friday that is not one of them is
/// a working day.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkingCalendar {
    holidays: BTreeMap<NaiveDate, String>,
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

fn add_days(d: NaiveDate, n: u64) -> Option<NaiveDate> {
    d.checked_add_days(Days::new(n))
}

/// Monday to Friday in (from, to], for from <= to.
fn weekdays_in(from: NaiveDate, to: NaiveDate) -> i64 {
    let span = (to - from).num_days();
    let full_weeks = span / 7;
    let mut count = full_weeks * 5;
    let mut d = from + chrono::Duration::days(full_weeks * 7);
    while d < to {
        match d.succ_opt() {
            Some(next) => d = next,
            None => break,
        }
        if !is_weekend(d) {
            count += 1;
        }
    }
    count
}

impl WorkingCalendar {
    /// A calendar with no bank holidays: only weekends are non-working.
    pub fn weekends_only() -> WorkingCalendar {
        WorkingCalendar::default()
    }

    /// England and Wales bank holidays 2015-2030 from the embedded table.
    pub fn england_and_wales() -> WorkingCalendar {
        static CALENDAR: OnceLock<WorkingCalendar> = OnceLock::new();
        CALENDAR
            .get_or_init(|| {
                // The embedded table is checked by the tests; should it ever
                // fail to parse, weekends are still honoured.
                WorkingCalendar::from_csv(ENGLAND_AND_WALES_CSV).unwrap_or_default()
            })
            .clone()
    }

    /// Parses a CSV of `date,name` with a header row and dates as
    /// `YYYY-MM-DD`.
    ///
    /// The first non-blank line is the header and must start with `date`.
    /// Blank lines and lines starting with `#` are skipped; a UTF-8 BOM is
    /// ignored. The name may be empty or quoted. A repeated date is an error.
    /// `Err` names the 1-based line number.
    pub fn from_csv(text: &str) -> Result<WorkingCalendar, String> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut holidays = BTreeMap::new();
        let mut seen_header = false;
        for (index, raw) in text.lines().enumerate() {
            let line_no = index + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (date_field, name_field) = match line.split_once(',') {
                Some((d, n)) => (d.trim(), n.trim()),
                None => (line, ""),
            };
            if !seen_header {
                if !date_field.trim_matches('"').eq_ignore_ascii_case("date") {
                    return Err(format!(
                        "line {line_no}: expected a header row starting with \"date\", found {line:?}"
                    ));
                }
                seen_header = true;
                continue;
            }
            let date_text = date_field.trim_matches('"');
            let date = NaiveDate::parse_from_str(date_text, "%Y-%m-%d")
                .ok()
                .filter(|_| date_text.len() == 10)
                .ok_or_else(|| format!("line {line_no}: {date_text:?} is not a date in YYYY-MM-DD form"))?;
            let name = name_field
                .strip_prefix('"')
                .and_then(|n| n.strip_suffix('"'))
                .unwrap_or(name_field)
                .replace("\"\"", "\"");
            if holidays.insert(date, name).is_some() {
                return Err(format!("line {line_no}: {date} is listed more than once"));
            }
        }
        if !seen_header {
            return Err("line 1: missing header row \"date,name\"".to_string());
        }
        Ok(WorkingCalendar { holidays })
    }

    /// True for Monday to Friday unless `d` is a bank holiday.
    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        !is_weekend(d) && !self.holidays.contains_key(&d)
    }

    /// True when `d` is in the holiday table.
    pub fn is_bank_holiday(&self, d: NaiveDate) -> bool {
        self.holidays.contains_key(&d)
    }

    /// The name of the bank holiday on `d`, if any.
    pub fn holiday_name(&self, d: NaiveDate) -> Option<&str> {
        self.holidays.get(&d).map(String::as_str)
    }

    /// All bank holidays in date order.
    pub fn holidays(&self) -> impl Iterator<Item = (NaiveDate, &str)> {
        self.holidays.iter().map(|(d, n)| (*d, n.as_str()))
    }

    /// Bank holidays on a weekday in (from, to].
    fn weekday_holidays_in(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let count = self
            .holidays
            .range((std::ops::Bound::Excluded(from), std::ops::Bound::Included(to)))
            .filter(|(d, _)| !is_weekend(**d))
            .count();
        i64::try_from(count).unwrap_or(i64::MAX)
    }

    /// The date `n` working days after `d`: the `n`th working day strictly
    /// after `d`. `n == 0` returns `d` itself, working day or not. Saturates
    /// at `NaiveDate::MAX`.
    pub fn add_working_days(&self, d: NaiveDate, n: u32) -> NaiveDate {
        let mut current = d;
        let mut remaining = u64::from(n);
        while remaining > 0 {
            let no_more_holidays =
                self.holidays.range((std::ops::Bound::Excluded(current), std::ops::Bound::Unbounded)).next().is_none();
            if no_more_holidays && remaining > 5 {
                // Every 7 days from here hold exactly 5 working days; jump
                // whole weeks and leave at least one working day to step to.
                let weeks = (remaining - 1) / 5;
                match add_days(current, weeks * 7) {
                    Some(next) => current = next,
                    None => return NaiveDate::MAX,
                }
                remaining -= weeks * 5;
                continue;
            }
            match current.succ_opt() {
                Some(next) => current = next,
                None => return NaiveDate::MAX,
            }
            if self.is_working_day(current) {
                remaining -= 1;
            }
        }
        current
    }

    /// Number of working days in (from, to] when `to > from`; the negative
    /// of the number in (to, from] when `to < from`; 0 when equal.
    ///
    /// So `working_days_between(d, add_working_days(d, n)) == n`, and the
    /// result is antisymmetric and additive:
    /// `between(a, c) == between(a, b) + between(b, c)`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if to == from {
            return 0;
        }
        if to < from {
            return -self.working_days_between(to, from);
        }
        weekdays_in(from, to) - self.weekday_holidays_in(from, to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
    }

    fn cal() -> WorkingCalendar {
        WorkingCalendar::england_and_wales()
    }

    /// Easter Sunday by the anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    fn easter_sunday(year: i32) -> NaiveDate {
        let a = year % 19;
        let b = year / 100;
        let c = year % 100;
        let d = b / 4;
        let e = b % 4;
        let f = (b + 8) / 25;
        let g = (b - f + 1) / 3;
        let h = (19 * a + b - d - g + 15) % 30;
        let i = c / 4;
        let k = c % 4;
        let l = (32 + 2 * e + 2 * i - h - k) % 7;
        let m = (a + 11 * h + 22 * l) / 451;
        let month = (h + l - 7 * m + 114) / 31;
        let day = (h + l - 7 * m + 114) % 31 + 1;
        date(year, month as u32, day as u32)
    }

    fn first_monday(year: i32, month: u32) -> NaiveDate {
        NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 1).unwrap_or(NaiveDate::MIN)
    }

    fn last_monday(year: i32, month: u32) -> NaiveDate {
        NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 5)
            .or_else(|| NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, 4))
            .unwrap_or(NaiveDate::MIN)
    }

    /// Bank holidays of `year` by the standard rules plus the known one-offs.
    fn expected_holidays(year: i32) -> Vec<NaiveDate> {
        let mut v = Vec::new();
        let new_year = date(year, 1, 1);
        v.push(match new_year.weekday() {
            Weekday::Sat => date(year, 1, 3),
            Weekday::Sun => date(year, 1, 2),
            _ => new_year,
        });
        let easter = easter_sunday(year);
        v.push(easter - chrono::Duration::days(2));
        v.push(easter + chrono::Duration::days(1));
        v.push(if year == 2020 { date(2020, 5, 8) } else { first_monday(year, 5) });
        if year == 2023 {
            v.push(date(2023, 5, 8));
        }
        if year == 2022 {
            v.push(date(2022, 6, 2));
            v.push(date(2022, 6, 3));
            v.push(date(2022, 9, 19));
        } else {
            v.push(last_monday(year, 5));
        }
        v.push(last_monday(year, 8));
        match date(year, 12, 25).weekday() {
            Weekday::Fri => v.extend([date(year, 12, 25), date(year, 12, 28)]),
            Weekday::Sat => v.extend([date(year, 12, 27), date(year, 12, 28)]),
            Weekday::Sun => v.extend([date(year, 12, 26), date(year, 12, 27)]),
            _ => v.extend([date(year, 12, 25), date(year, 12, 26)]),
        }
        v.sort();
        v
    }

    #[test]
    fn embedded_table_parses() {
        let parsed = WorkingCalendar::from_csv(ENGLAND_AND_WALES_CSV);
        assert!(parsed.is_ok(), "{parsed:?}");
        assert_eq!(parsed.ok(), Some(cal()));
    }

    #[test]
    fn easter_algorithm_known_dates() {
        assert_eq!(easter_sunday(2019), date(2019, 4, 21));
        assert_eq!(easter_sunday(2024), date(2024, 3, 31));
        assert_eq!(easter_sunday(2025), date(2025, 4, 20));
        assert_eq!(easter_sunday(2038), date(2038, 4, 25));
    }

    #[test]
    fn table_matches_rules_every_year() {
        let c = cal();
        for year in 2015..=2030 {
            let listed: Vec<NaiveDate> = c.holidays().map(|(d, _)| d).filter(|d| d.year() == year).collect();
            assert_eq!(listed, expected_holidays(year), "year {year}");
        }
        assert_eq!(c.holidays().count(), 131);
        assert!(c.holidays().all(|(d, _)| !is_weekend(d)));
        assert!(c.holidays().all(|(_, n)| !n.is_empty()));
    }

    #[test]
    fn easter_dates_are_holidays() {
        let c = cal();
        for year in 2015..=2030 {
            let e = easter_sunday(year);
            let good_friday = e - chrono::Duration::days(2);
            let easter_monday = e + chrono::Duration::days(1);
            assert_eq!(c.holiday_name(good_friday), Some("Good Friday"), "{year}");
            assert_eq!(c.holiday_name(easter_monday), Some("Easter Monday"), "{year}");
            assert!(!c.is_working_day(good_friday));
            assert!(!c.is_working_day(e));
            assert!(!c.is_working_day(easter_monday));
            // Maundy Thursday and the Tuesday after are working days.
            assert!(c.is_working_day(good_friday - chrono::Duration::days(1)));
            assert!(c.is_working_day(easter_monday + chrono::Duration::days(1)));
        }
    }

    #[test]
    fn around_easter_2025() {
        let c = cal();
        // Thursday 17 April 2025 + 1 working day skips Good Friday, the
        // weekend and Easter Monday: Tuesday 22 April.
        assert_eq!(c.add_working_days(date(2025, 4, 17), 1), date(2025, 4, 22));
        assert_eq!(c.working_days_between(date(2025, 4, 17), date(2025, 4, 22)), 1);
        assert_eq!(c.add_working_days(date(2025, 4, 16), 2), date(2025, 4, 22));
    }

    #[test]
    fn christmas_substitutes() {
        let c = cal();
        // 2021: Christmas on Saturday, Boxing Day on Sunday.
        assert!(!c.is_working_day(date(2021, 12, 27)));
        assert!(!c.is_working_day(date(2021, 12, 28)));
        assert!(c.is_working_day(date(2021, 12, 29)));
        assert!(!c.is_bank_holiday(date(2021, 12, 25)));
        assert_eq!(c.holiday_name(date(2021, 12, 27)), Some("Christmas Day (substitute day)"));
        // 2022: Christmas on Sunday; Boxing Day Monday, substitute Tuesday.
        assert_eq!(c.holiday_name(date(2022, 12, 26)), Some("Boxing Day"));
        assert_eq!(c.holiday_name(date(2022, 12, 27)), Some("Christmas Day (substitute day)"));
        assert!(c.is_working_day(date(2022, 12, 28)));
        // New Year 2022 on Saturday: Monday 3 January.
        assert!(!c.is_working_day(date(2022, 1, 3)));
        assert!(c.is_working_day(date(2022, 1, 4)));
        // Friday 24 December 2021 + 1 working day: Wednesday 29 December.
        assert_eq!(c.add_working_days(date(2021, 12, 24), 1), date(2021, 12, 29));
        // 2026: Christmas on Friday, Boxing Day substitute Monday 28th.
        assert!(!c.is_working_day(date(2026, 12, 28)));
    }

    #[test]
    fn one_offs() {
        let c = cal();
        assert!(!c.is_working_day(date(2020, 5, 8)));
        assert!(c.is_working_day(date(2020, 5, 4)));
        assert!(!c.is_working_day(date(2022, 6, 2)));
        assert!(!c.is_working_day(date(2022, 6, 3)));
        assert!(c.is_working_day(date(2022, 5, 30)));
        assert!(!c.is_working_day(date(2022, 9, 19)));
        assert!(!c.is_working_day(date(2023, 5, 8)));
        assert!(!c.is_working_day(date(2023, 5, 1)));
        // Wednesday 1 June 2022 + 1: Monday 6 June.
        assert_eq!(c.add_working_days(date(2022, 6, 1), 1), date(2022, 6, 6));
        assert_eq!(c.working_days_between(date(2022, 6, 1), date(2022, 6, 6)), 1);
    }

    #[test]
    fn weekends() {
        let c = cal();
        assert!(!c.is_working_day(date(2025, 6, 7)));
        assert!(!c.is_working_day(date(2025, 6, 8)));
        assert!(c.is_working_day(date(2025, 6, 9)));
        // Friday + 1 = Monday; Saturday + 1 = Monday; Sunday + 0 = Sunday.
        assert_eq!(c.add_working_days(date(2025, 6, 6), 1), date(2025, 6, 9));
        assert_eq!(c.add_working_days(date(2025, 6, 7), 1), date(2025, 6, 9));
        assert_eq!(c.add_working_days(date(2025, 6, 8), 0), date(2025, 6, 8));
        assert_eq!(c.add_working_days(date(2025, 6, 6), 5), date(2025, 6, 13));
        assert_eq!(c.working_days_between(date(2025, 6, 6), date(2025, 6, 8)), 0);
        assert_eq!(c.working_days_between(date(2025, 6, 6), date(2025, 6, 9)), 1);
        assert_eq!(c.working_days_between(date(2025, 6, 7), date(2025, 6, 6)), 0);
        assert_eq!(c.working_days_between(date(2025, 6, 9), date(2025, 6, 6)), -1);
    }

    #[test]
    fn between_properties() {
        let c = cal();
        let start = date(2020, 12, 1);
        let days: Vec<NaiveDate> = (0..120).filter_map(|i| start.checked_add_days(Days::new(i * 5))).collect();
        for &a in &days {
            assert_eq!(c.working_days_between(a, a), 0);
            for &b in days.iter().step_by(7) {
                let ab = c.working_days_between(a, b);
                assert_eq!(ab, -c.working_days_between(b, a), "{a} {b}");
                let brute = {
                    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
                    let n =
                        lo.iter_days().skip(1).take_while(|d| *d <= hi).filter(|d| c.is_working_day(*d)).count() as i64;
                    if a <= b { n } else { -n }
                };
                assert_eq!(ab, brute, "{a} {b}");
                for &m in days.iter().step_by(11) {
                    assert_eq!(ab, c.working_days_between(a, m) + c.working_days_between(m, b));
                }
            }
        }
    }

    #[test]
    fn add_then_between_round_trips() {
        let c = cal();
        let mut d = date(2015, 1, 1);
        while d < date(2031, 1, 10) {
            for n in [0u32, 1, 2, 3, 5, 10, 20, 28, 65] {
                let later = c.add_working_days(d, n);
                assert_eq!(c.working_days_between(d, later), i64::from(n), "{d} {n}");
                if n > 0 {
                    assert!(c.is_working_day(later));
                    assert!(later > d);
                }
            }
            d = d.checked_add_days(Days::new(3)).unwrap_or(NaiveDate::MAX);
        }
    }

    #[test]
    fn add_beyond_table_and_saturation() {
        let c = cal();
        let d = date(2031, 1, 3); // Friday, past the table
        assert_eq!(c.add_working_days(d, 10), date(2031, 1, 17));
        let far = c.add_working_days(date(2025, 1, 1), 100_000);
        assert_eq!(c.working_days_between(date(2025, 1, 1), far), 100_000);
        assert_eq!(c.add_working_days(NaiveDate::MAX, 1), NaiveDate::MAX);
        assert_eq!(c.add_working_days(date(2025, 1, 1), u32::MAX), NaiveDate::MAX);
    }

    #[test]
    fn from_csv_accepts_variants() {
        let text = "\u{feff}Date,Name\r\n# comment\r\n\r\n2025-12-25,\"Christmas Day\"\r\n2025-12-26\r\n";
        let c = WorkingCalendar::from_csv(text);
        assert!(c.is_ok(), "{c:?}");
        let c = c.unwrap_or_default();
        assert_eq!(c.holiday_name(date(2025, 12, 25)), Some("Christmas Day"));
        assert_eq!(c.holiday_name(date(2025, 12, 26)), Some(""));
        assert!(!c.is_working_day(date(2025, 12, 26)));
        assert!(c.is_working_day(date(2025, 12, 24)));
    }

    #[test]
    fn from_csv_reports_line_numbers() {
        let bad_date = "date,name\n2025-12-25,Christmas\n2025-13-01,Nope\n";
        assert_eq!(WorkingCalendar::from_csv(bad_date).err().map(|e| e.starts_with("line 3:")), Some(true));
        let no_header = "2025-12-25,Christmas\n";
        assert_eq!(WorkingCalendar::from_csv(no_header).err().map(|e| e.starts_with("line 1:")), Some(true));
        let duplicate = "date,name\n\n2025-12-25,a\n2025-12-25,b\n";
        assert_eq!(WorkingCalendar::from_csv(duplicate).err().map(|e| e.starts_with("line 4:")), Some(true));
        let short = "date,name\n2025-1-1,x\n";
        assert!(WorkingCalendar::from_csv(short).is_err());
        assert!(WorkingCalendar::from_csv("").is_err());
    }

    #[test]
    fn weekends_only_calendar() {
        let c = WorkingCalendar::weekends_only();
        assert!(c.is_working_day(date(2025, 12, 25)));
        assert_eq!(c.holidays().count(), 0);
    }
}
