//! Time comes from a clock the application is given, so tests can set it.

use chrono::{DateTime, NaiveDate, Utc};
use std::sync::{Arc, Mutex};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
    /// Today's date in England (Europe/London).
    fn today(&self) -> NaiveDate {
        london_date(self.now().naive_utc())
    }
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved; shared between a test and the app it drives.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    pub fn new(at: DateTime<Utc>) -> ManualClock {
        ManualClock(Arc::new(Mutex::new(at)))
    }
    pub fn set(&self, at: DateTime<Utc>) {
        if let Ok(mut t) = self.0.lock() {
            *t = at;
        }
    }
    pub fn advance(&self, by: chrono::TimeDelta) {
        if let Ok(mut t) = self.0.lock() {
            *t += by;
        }
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        match self.0.lock() {
            Ok(t) => *t,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }
}

/// The calendar date of an instant (stored as naive UTC), as the registry dates things: the
/// date in England (Europe/London), so 00:30 on a summer morning is that day, not the one before.
pub fn date_of(now: chrono::NaiveDateTime) -> NaiveDate {
    london_date(now)
}

/// Whether British Summer Time is in force at a UTC instant: from 01:00 UTC on the last Sunday of
/// March to 01:00 UTC on the last Sunday of October (the rule since 1996).
fn is_bst(utc: chrono::NaiveDateTime) -> bool {
    use chrono::{Datelike, NaiveTime};
    let last_sunday = |month: u32| {
        let next = if month == 12 { (utc.year() + 1, 1) } else { (utc.year(), month + 1) };
        let end = NaiveDate::from_ymd_opt(next.0, next.1, 1).and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MIN);
        end - chrono::TimeDelta::days(i64::from(end.weekday().num_days_from_sunday()))
    };
    let one = NaiveTime::from_hms_opt(1, 0, 0).unwrap_or(NaiveTime::MIN);
    let start = last_sunday(3).and_time(one);
    let end = last_sunday(10).and_time(one);
    utc >= start && utc < end
}

/// The date in England (Europe/London) at a UTC instant.
pub fn london_date(utc: chrono::NaiveDateTime) -> NaiveDate {
    if is_bst(utc) { (utc + chrono::TimeDelta::hours(1)).date() } else { utc.date() }
}

/// The UTC instant at which a day starts in England (Europe/London).
pub fn london_midnight(d: NaiveDate) -> chrono::NaiveDateTime {
    let midnight = d.and_time(chrono::NaiveTime::MIN);
    // Midnight is never inside the 01:00 UTC changeover, so the offset at UTC midnight minus an
    // hour is the offset that day starts with.
    if is_bst(midnight - chrono::TimeDelta::hours(1)) { midnight - chrono::TimeDelta::hours(1) } else { midnight }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> chrono::NaiveDateTime {
        chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time")
    }

    #[test]
    fn dates_in_england_follow_both_clock_changes() {
        // 2026: BST from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(london_date(t("2026-03-29 00:59")).to_string(), "2026-03-29");
        assert_eq!(london_date(t("2026-06-30 23:30")).to_string(), "2026-07-01", "00:30 in summer is the next day");
        assert_eq!(london_date(t("2026-10-24 23:30")).to_string(), "2026-10-25", "still BST");
        assert_eq!(london_date(t("2026-10-25 23:30")).to_string(), "2026-10-25", "GMT again");
        assert_eq!(london_date(t("2026-12-31 23:30")).to_string(), "2026-12-31");
        assert_eq!(london_midnight(NaiveDate::from_ymd_opt(2026, 7, 1).expect("d")), t("2026-06-30 23:00"));
        assert_eq!(london_midnight(NaiveDate::from_ymd_opt(2026, 3, 29).expect("d")), t("2026-03-29 00:00"));
        assert_eq!(london_midnight(NaiveDate::from_ymd_opt(2026, 3, 30).expect("d")), t("2026-03-29 23:00"));
        assert_eq!(london_midnight(NaiveDate::from_ymd_opt(2026, 10, 25).expect("d")), t("2026-10-24 23:00"));
        assert_eq!(london_midnight(NaiveDate::from_ymd_opt(2026, 10, 26).expect("d")), t("2026-10-26 00:00"));
    }
}
