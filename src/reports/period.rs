//! Reporting periods: a calendar quarter (`period=2026-Q2`, 1 April to 30 June 2026) or a DfE
//! collection year (`year=2026`, 1 April 2025 to 31 March 2026).

use crate::error::{ApiError, FieldError};
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

const FIRST_YEAR: i32 = 1991;
const LAST_YEAR: i32 = 2100;

/// One calendar quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Quarter {
    pub year: i32,
    /// 1 to 4.
    pub q: u32,
}

impl Quarter {
    pub fn label(&self) -> String {
        format!("{}-Q{}", self.year, self.q)
    }
    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, 3 * (self.q - 1) + 1, 1).unwrap_or(NaiveDate::MIN)
    }
    pub fn last_day(&self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MAX)
    }
    pub fn next(&self) -> Quarter {
        if self.q == 4 { Quarter { year: self.year + 1, q: 1 } } else { Quarter { year: self.year, q: self.q + 1 } }
    }
    /// Parses `YYYY-Qn`.
    pub fn parse(s: &str) -> Option<Quarter> {
        let (y, q) = s.split_once("-Q")?;
        if y.len() != 4 || !y.bytes().all(|b| b.is_ascii_digit()) || q.len() != 1 {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let q: u32 = q.parse().ok()?;
        ((1..=4).contains(&q) && (FIRST_YEAR..=LAST_YEAR).contains(&year)).then_some(Quarter { year, q })
    }
    /// The last day a setting's return for this quarter is on time.
    pub fn return_due(&self, due_days: u32) -> NaiveDate {
        self.last_day().checked_add_days(chrono::Days::new(u64::from(due_days))).unwrap_or(NaiveDate::MAX)
    }
}

/// The period a report covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Quarter(Quarter),
    /// A collection year, named by the year it ends in (31 March).
    CollectionYear(i32),
}

/// The period a report covers, as returned with it.
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

impl Period {
    /// The period named by the `period` or `year` query parameter (exactly one of them).
    pub fn from_query(period: Option<&str>, year: Option<&str>) -> Result<Period, ApiError> {
        match (period, year) {
            (Some(_), Some(_)) => Err(bad("year", "give either period (YYYY-Qn) or year (YYYY), not both")),
            (None, None) => {
                Err(bad("period", "is required: a calendar quarter YYYY-Qn, or give year=YYYY for a collection year"))
            }
            (Some(p), None) => Quarter::parse(p.trim()).map(Period::Quarter).ok_or_else(|| {
                bad("period", format!("must be a calendar quarter YYYY-Qn between {FIRST_YEAR} and {LAST_YEAR}"))
            }),
            (None, Some(y)) => {
                let y = y.trim();
                let year = (y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| y.parse::<i32>().ok())
                    .flatten()
                    .filter(|y| (FIRST_YEAR + 1..=LAST_YEAR).contains(y));
                let first = FIRST_YEAR + 1;
                year.map(Period::CollectionYear).ok_or_else(|| {
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
        match *self {
            Period::Quarter(q) => vec![q],
            Period::CollectionYear(y) => {
                let first = Quarter { year: y - 1, q: 2 };
                vec![first, first.next(), first.next().next(), first.next().next().next()]
            }
        }
    }

    pub fn first_day(&self) -> NaiveDate {
        match self {
            Period::Quarter(q) => q.first_day(),
            Period::CollectionYear(y) => NaiveDate::from_ymd_opt(y - 1, 4, 1).unwrap_or(NaiveDate::MIN),
        }
    }

    pub fn last_day(&self) -> NaiveDate {
        match self {
            Period::Quarter(q) => q.last_day(),
            Period::CollectionYear(y) => NaiveDate::from_ymd_opt(*y, 3, 31).unwrap_or(NaiveDate::MAX),
        }
    }

    /// The instants `[start, end)` of the period, as stored (naive UTC).
    pub fn instants(&self) -> (NaiveDateTime, NaiveDateTime) {
        let end = self.last_day().succ_opt().unwrap_or(NaiveDate::MAX);
        (self.first_day().and_time(chrono::NaiveTime::MIN), end.and_time(chrono::NaiveTime::MIN))
    }

    pub fn label(&self) -> String {
        match self {
            Period::Quarter(q) => q.label(),
            Period::CollectionYear(y) => format!("{}-{:02}", y - 1, y.rem_euclid(100)),
        }
    }

    /// The query string that names the period again (`period=2026-Q2` or `year=2026`).
    pub fn query(&self) -> String {
        match self {
            Period::Quarter(q) => format!("period={}", q.label()),
            Period::CollectionYear(y) => format!("year={y}"),
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
        let p = Period::from_query(Some("2026-Q3"), None).expect("period");
        assert_eq!((p.first_day(), p.last_day()), (d("2026-07-01"), d("2026-09-30")));
        assert_eq!(p.label(), "2026-Q3");
        let q4 = Quarter::parse("2026-Q4").expect("q4");
        assert_eq!((q4.first_day(), q4.last_day()), (d("2026-10-01"), d("2026-12-31")));
        assert_eq!(q4.return_due(28), d("2027-01-28"));
    }

    #[test]
    fn collection_years_run_april_to_march() {
        let p = Period::from_query(None, Some("2026")).expect("year");
        assert_eq!((p.first_day(), p.last_day()), (d("2025-04-01"), d("2026-03-31")));
        assert_eq!(p.label(), "2025-26");
        assert_eq!(
            p.quarters().iter().map(Quarter::label).collect::<Vec<_>>(),
            ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
        );
        let (from, to) = p.instants();
        assert_eq!((from.to_string(), to.to_string()), ("2025-04-01 00:00:00".into(), "2026-04-01 00:00:00".into()));
    }

    #[test]
    fn bad_periods_name_the_field() {
        let field = |r: Result<Period, ApiError>| match r {
            Err(ApiError::BadRequest { errors, .. }) => errors[0].field.clone(),
            other => panic!("expected a bad request, got {other:?}"),
        };
        for bad in ["2026-Q5", "2026-Q0", "26-Q1", "2026Q1", "2026-q1", "2026-Q1x", "1900-Q1", ""] {
            assert_eq!(field(Period::from_query(Some(bad), None)), "period", "{bad}");
        }
        for bad in ["26", "2026-27", "abcd", "1991", "3000"] {
            assert_eq!(field(Period::from_query(None, Some(bad))), "year", "{bad}");
        }
        assert_eq!(field(Period::from_query(None, None)), "period");
        assert_eq!(field(Period::from_query(Some("2026-Q1"), Some("2026"))), "year");
    }
}
