//! Calendar quarters: `2026-Q3` is 1 July to 30 September 2026. A setting's return for a
//! quarter is due a configurable number of days after the quarter ends.

use chrono::{Datelike, NaiveDate, TimeDelta};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub year: i32,
    /// 1 to 4.
    pub quarter: u32,
}

/// What a return's period looks like, for error messages.
pub const FORMAT: &str = "must be a calendar quarter written YYYY-Qn, e.g. 2026-Q3 (1 July to 30 September 2026)";

impl Period {
    /// Parses `YYYY-Qn` (a lower-case `q` is accepted).
    pub fn parse(s: &str) -> Option<Period> {
        let (y, q) = s.trim().split_once('-')?;
        let q = q.strip_prefix('Q').or_else(|| q.strip_prefix('q'))?;
        if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) || q.len() != 1 {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let quarter: u32 = q.parse().ok()?;
        ((1..=4).contains(&quarter) && year >= 1991).then_some(Period { year, quarter })
    }

    /// The quarter a date falls in.
    pub fn containing(d: NaiveDate) -> Period {
        Period { year: d.year(), quarter: (d.month() - 1) / 3 + 1 }
    }

    pub fn start(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, (self.quarter - 1) * 3 + 1, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn end(&self) -> NaiveDate {
        self.next().start().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start() <= d && d <= self.end()
    }

    pub fn next(&self) -> Period {
        if self.quarter == 4 {
            Period { year: self.year + 1, quarter: 1 }
        } else {
            Period { year: self.year, quarter: self.quarter + 1 }
        }
    }

    pub fn prev(&self) -> Period {
        if self.quarter == 1 {
            Period { year: self.year - 1, quarter: 4 }
        } else {
            Period { year: self.year, quarter: self.quarter - 1 }
        }
    }

    /// The last day on which the return is on time: `days` after the quarter's last day.
    pub fn due_by(&self, days: u32) -> NaiveDate {
        self.end() + TimeDelta::days(i64::from(days))
    }

    /// The latest quarter whose due date has passed on `today` (the one an LA chases).
    pub fn latest_overdue(today: NaiveDate, days: u32) -> Period {
        let mut p = Period::containing(today).prev();
        while p.due_by(days) >= today {
            p = p.prev();
        }
        p
    }

    /// Whether the quarter is over on `today` (a return may be submitted from the next day).
    pub fn ended(&self, today: NaiveDate) -> bool {
        today > self.end()
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-Q{}", self.year, self.quarter)
    }
}

/// Where a setting stands for a quarter: `received` (on time), `late`, `missing` (not received
/// and past due) or `not_due` (not received, not yet due).
pub fn standing(first_submitted: Option<NaiveDate>, due_by: NaiveDate, today: NaiveDate) -> &'static str {
    match first_submitted {
        Some(d) if d <= due_by => "received",
        Some(_) => "late",
        None if today > due_by => "missing",
        None => "not_due",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn quarters_are_calendar_quarters() {
        let q3 = Period::parse("2026-Q3").expect("period");
        assert_eq!((q3.start(), q3.end()), (d("2026-07-01"), d("2026-09-30")));
        assert_eq!(Period::parse("2026-q4").map(|p| (p.start(), p.end())), Some((d("2026-10-01"), d("2026-12-31"))));
        assert_eq!(q3.to_string(), "2026-Q3");
        for bad in ["2026-Q5", "2026-Q0", "2026Q3", "26-Q3", "2026-3", "2026-Q33", ""] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        assert_eq!(Period::containing(d("2026-12-31")).to_string(), "2026-Q4");
        assert_eq!(Period::parse("2026-Q1").map(|p| p.prev().to_string()).as_deref(), Some("2025-Q4"));
    }

    #[test]
    fn due_dates_and_the_default_quarter() {
        let q1 = Period::parse("2026-Q1").expect("period");
        assert_eq!(q1.due_by(28), d("2026-04-28"));
        assert_eq!(Period::latest_overdue(d("2026-04-28"), 28).to_string(), "2025-Q4");
        assert_eq!(Period::latest_overdue(d("2026-04-29"), 28).to_string(), "2026-Q1");
        assert_eq!(standing(Some(d("2026-04-28")), q1.due_by(28), d("2026-06-01")), "received");
        assert_eq!(standing(Some(d("2026-04-29")), q1.due_by(28), d("2026-06-01")), "late");
        assert_eq!(standing(None, q1.due_by(28), d("2026-04-28")), "not_due");
        assert_eq!(standing(None, q1.due_by(28), d("2026-04-29")), "missing");
    }
}
