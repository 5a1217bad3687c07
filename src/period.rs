//! Periods the registry counts in: a calendar **quarter** (`2026-Q3` is 1 July to 30 September
//! 2026), for which every setting owes a missing-episode return, and a DfE **collection year**
//! (`2026` is 1 April 2025 to 31 March 2026), for the SSDA903 return and yearly reports. A
//! report covers one of the two: a [`ReportPeriod`].

use crate::error::{ApiError, FieldError};
use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

const FIRST_YEAR: i32 = 1991;
const LAST_YEAR: i32 = 2100;

/// What a quarter looks like, for error messages.
pub const QUARTER_FORMAT: &str =
    "must be a calendar quarter written YYYY-Qn, e.g. 2026-Q3 (1 July to 30 September 2026)";

/// One calendar quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i32,
    /// 1 to 4.
    pub quarter: u32,
}

impl Quarter {
    /// Parses `YYYY-Qn` (a lower-case `q` is accepted), 1991 to 2100.
    pub fn parse(s: &str) -> Option<Quarter> {
        let (y, q) = s.trim().split_once('-')?;
        let q = q.strip_prefix('Q').or_else(|| q.strip_prefix('q'))?;
        if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) || q.len() != 1 {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let quarter: u32 = q.parse().ok()?;
        ((1..=4).contains(&quarter) && (FIRST_YEAR..=LAST_YEAR).contains(&year)).then_some(Quarter { year, quarter })
    }

    /// The quarter a date falls in.
    pub fn containing(d: NaiveDate) -> Quarter {
        Quarter { year: d.year(), quarter: (d.month() - 1) / 3 + 1 }
    }

    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, (self.quarter - 1) * 3 + 1, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(&self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.first_day() <= d && d <= self.last_day()
    }

    pub fn next(&self) -> Quarter {
        if self.quarter == 4 {
            Quarter { year: self.year + 1, quarter: 1 }
        } else {
            Quarter { year: self.year, quarter: self.quarter + 1 }
        }
    }

    pub fn prev(&self) -> Quarter {
        if self.quarter == 1 {
            Quarter { year: self.year - 1, quarter: 4 }
        } else {
            Quarter { year: self.year, quarter: self.quarter - 1 }
        }
    }

    /// The last day a setting's return for this quarter is on time: `days` after its last day.
    pub fn return_due(&self, days: u32) -> NaiveDate {
        self.last_day() + TimeDelta::days(i64::from(days))
    }

    /// The latest quarter whose return due date has passed on `today` (the one an LA chases).
    pub fn latest_overdue(today: NaiveDate, days: u32) -> Quarter {
        let mut q = Quarter::containing(today).prev();
        while q.return_due(days) >= today {
            q = q.prev();
        }
        q
    }

    /// Whether the quarter is over on `today` (a return may be submitted from the next day).
    pub fn ended(&self, today: NaiveDate) -> bool {
        today > self.last_day()
    }
}

impl std::fmt::Display for Quarter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-Q{}", self.year, self.quarter)
    }
}

/// Where a setting stands for a quarter's return: `received` (on time), `late`, `missing` (not
/// received and past due) or `not_due` (not received, not yet due).
pub fn return_standing(first_submitted: Option<NaiveDate>, due_by: NaiveDate, today: NaiveDate) -> &'static str {
    match first_submitted {
        Some(d) if d <= due_by => "received",
        Some(_) => "late",
        None if today > due_by => "missing",
        None => "not_due",
    }
}

/// A DfE collection year, named by the year it ends in: `2026` is 1 April 2025 to 31 March 2026.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CollectionYear(pub i32);

impl CollectionYear {
    /// The collection year a date falls in.
    pub fn containing(d: NaiveDate) -> CollectionYear {
        CollectionYear(crate::ssda903::collection_year(d))
    }
    pub fn first_day(&self) -> NaiveDate {
        crate::ssda903::collection_year_bounds(self.0).0
    }
    pub fn last_day(&self) -> NaiveDate {
        crate::ssda903::collection_year_bounds(self.0).1
    }
    /// `2025-26` for the year ending 31 March 2026.
    pub fn label(&self) -> String {
        format!("{}-{:02}", self.0 - 1, self.0.rem_euclid(100))
    }
    /// Its four calendar quarters, in order.
    pub fn quarters(&self) -> [Quarter; 4] {
        let first = Quarter { year: self.0 - 1, quarter: 2 };
        [first, first.next(), first.next().next(), first.next().next().next()]
    }
}

/// The period a report covers: one quarter or one collection year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportPeriod {
    Quarter(Quarter),
    CollectionYear(CollectionYear),
}

/// A period as returned with a report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PeriodView {
    /// `2026-Q2` for a quarter, `2025-26` for a collection year.
    pub label: String,
    /// First day, inclusive.
    pub from: NaiveDate,
    /// Last day, inclusive.
    pub to: NaiveDate,
}

fn bad(field: &str, message: impl Into<String>) -> ApiError {
    let message = message.into();
    ApiError::BadRequest { detail: format!("{field}: {message}"), errors: vec![FieldError::new(field, message)] }
}

impl ReportPeriod {
    /// The period named by the `period` or `year` query parameter (exactly one of them).
    pub fn from_query(period: Option<&str>, year: Option<&str>) -> Result<ReportPeriod, ApiError> {
        match (period, year) {
            (Some(_), Some(_)) => Err(bad("year", "give either period (YYYY-Qn) or year (YYYY), not both")),
            (None, None) => {
                Err(bad("period", "is required: a calendar quarter YYYY-Qn, or give year=YYYY for a collection year"))
            }
            (Some(p), None) => Quarter::parse(p).map(ReportPeriod::Quarter).ok_or_else(|| {
                bad("period", format!("must be a calendar quarter YYYY-Qn between {FIRST_YEAR} and {LAST_YEAR}"))
            }),
            (None, Some(y)) => {
                let y = y.trim();
                let first = FIRST_YEAR + 1;
                let year = (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| y.parse::<i32>().ok())
                    .flatten()
                    .filter(|y| (first..=LAST_YEAR).contains(y));
                year.map(|y| ReportPeriod::CollectionYear(CollectionYear(y))).ok_or_else(|| {
                    bad(
                        "year",
                        format!(
                            "must be the year a collection year ends in, {first} to {LAST_YEAR} \
                             (2026 is 1 April 2025 to 31 March 2026)"
                        ),
                    )
                })
            }
        }
    }

    /// The calendar quarters the period is made of, in order.
    pub fn quarters(&self) -> Vec<Quarter> {
        match self {
            ReportPeriod::Quarter(q) => vec![*q],
            ReportPeriod::CollectionYear(y) => y.quarters().to_vec(),
        }
    }

    pub fn first_day(&self) -> NaiveDate {
        match self {
            ReportPeriod::Quarter(q) => q.first_day(),
            ReportPeriod::CollectionYear(y) => y.first_day(),
        }
    }

    pub fn last_day(&self) -> NaiveDate {
        match self {
            ReportPeriod::Quarter(q) => q.last_day(),
            ReportPeriod::CollectionYear(y) => y.last_day(),
        }
    }

    /// The instants `[start, end)` of the period, as stored (naive UTC): from midnight in England
    /// on its first day to midnight in England after its last.
    pub fn instants(&self) -> (NaiveDateTime, NaiveDateTime) {
        let end = self.last_day().succ_opt().unwrap_or(NaiveDate::MAX);
        (crate::clock::london_midnight(self.first_day()), crate::clock::london_midnight(end))
    }

    pub fn label(&self) -> String {
        match self {
            ReportPeriod::Quarter(q) => q.to_string(),
            ReportPeriod::CollectionYear(y) => y.label(),
        }
    }

    /// The query string that names the period again (`period=2026-Q2` or `year=2026`).
    pub fn query(&self) -> String {
        match self {
            ReportPeriod::Quarter(q) => format!("period={q}"),
            ReportPeriod::CollectionYear(y) => format!("year={}", y.0),
        }
    }

    pub fn view(&self) -> PeriodView {
        PeriodView { label: self.label(), from: self.first_day(), to: self.last_day() }
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
        let q3 = Quarter::parse("2026-Q3").expect("quarter");
        assert_eq!((q3.first_day(), q3.last_day()), (d("2026-07-01"), d("2026-09-30")));
        assert_eq!(
            Quarter::parse("2026-q4").map(|q| (q.first_day(), q.last_day())),
            Some((d("2026-10-01"), d("2026-12-31")))
        );
        assert_eq!(q3.to_string(), "2026-Q3");
        for bad in ["2026-Q5", "2026-Q0", "2026Q3", "26-Q3", "2026-3", "2026-Q33", "1900-Q1", "2026-Q1x", ""] {
            assert_eq!(Quarter::parse(bad), None, "{bad}");
        }
        assert_eq!(Quarter::containing(d("2026-12-31")).to_string(), "2026-Q4");
        assert_eq!(Quarter::parse("2026-Q1").map(|q| q.prev().to_string()).as_deref(), Some("2025-Q4"));
    }

    #[test]
    fn returns_are_due_after_the_quarter() {
        let q1 = Quarter::parse("2026-Q1").expect("quarter");
        assert_eq!(q1.return_due(28), d("2026-04-28"));
        assert_eq!(Quarter::parse("2026-Q4").map(|q| q.return_due(28)), Some(d("2027-01-28")));
        assert_eq!(Quarter::latest_overdue(d("2026-04-28"), 28).to_string(), "2025-Q4");
        assert_eq!(Quarter::latest_overdue(d("2026-04-29"), 28).to_string(), "2026-Q1");
        assert_eq!(return_standing(Some(d("2026-04-28")), q1.return_due(28), d("2026-06-01")), "received");
        assert_eq!(return_standing(Some(d("2026-04-29")), q1.return_due(28), d("2026-06-01")), "late");
        assert_eq!(return_standing(None, q1.return_due(28), d("2026-04-28")), "not_due");
        assert_eq!(return_standing(None, q1.return_due(28), d("2026-04-29")), "missing");
    }

    #[test]
    fn collection_years_run_april_to_march() {
        let p = ReportPeriod::from_query(None, Some("2026")).expect("year");
        assert_eq!((p.first_day(), p.last_day()), (d("2025-04-01"), d("2026-03-31")));
        assert_eq!(p.label(), "2025-26");
        assert_eq!(
            p.quarters().iter().map(Quarter::to_string).collect::<Vec<_>>(),
            ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
        );
        let (from, to) = p.instants();
        // Midnight in England (BST on both days) is 23:00 UTC the day before.
        assert_eq!((from.to_string(), to.to_string()), ("2025-03-31 23:00:00".into(), "2026-03-31 23:00:00".into()));
        assert_eq!(CollectionYear::containing(d("2026-03-31")), CollectionYear(2026));
        assert_eq!(CollectionYear::containing(d("2026-04-01")), CollectionYear(2027));
    }

    #[test]
    fn bad_periods_name_the_field() {
        let field = |r: Result<ReportPeriod, ApiError>| match r {
            Err(ApiError::BadRequest { errors, .. }) => errors[0].field.clone(),
            other => panic!("expected a bad request, got {other:?}"),
        };
        for bad in ["2026-Q5", "2026-Q0", "26-Q1", "2026Q1", "2026-Q1x", "1900-Q1", ""] {
            assert_eq!(field(ReportPeriod::from_query(Some(bad), None)), "period", "{bad}");
        }
        for bad in ["26", "2026-27", "abcd", "1991", "3000"] {
            assert_eq!(field(ReportPeriod::from_query(None, Some(bad))), "year", "{bad}");
        }
        assert_eq!(field(ReportPeriod::from_query(None, None)), "period");
        assert_eq!(field(ReportPeriod::from_query(Some("2026-Q1"), Some("2026"))), "year");
    }
}
