//! The statutory clocks. Care Planning, Placement and Case Review (England) Regulations 2010:
//! reg 13(4) notice of a placement before it starts, or within 5 working days after the start of
//! an emergency placement; reg 14 notice of an ending before it, or within 10 working days after.
//! Working days exclude weekends and England and Wales bank holidays. The registry knows dates,
//! not times, so notice given on the day itself counts as given before. Every date is a date in
//! England (Europe/London, `clock::date_of`): notice given at 00:30 on a summer morning is given
//! that day.

use crate::calendar::WorkingCalendar;
use chrono::NaiveDate;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statutory {
    pub regulation: &'static str,
    pub event_date: NaiveDate,
    pub emergency: bool,
    pub due_by: NaiveDate,
    pub on_time: bool,
    pub late_by_working_days: i64,
}

fn judge(
    cal: &WorkingCalendar,
    regulation: &'static str,
    event: NaiveDate,
    emergency: bool,
    due_by: NaiveDate,
    notified: NaiveDate,
) -> Statutory {
    let on_time = notified <= due_by;
    let late_by_working_days = if on_time { 0 } else { cal.working_days_between(due_by, notified) };
    Statutory { regulation, event_date: event, emergency, due_by, on_time, late_by_working_days }
}

/// Reg 13(4): a placement starting on `start`, notified on `notified`.
pub fn placement_start(cal: &WorkingCalendar, start: NaiveDate, emergency: bool, notified: NaiveDate) -> Statutory {
    let due_by = if emergency { cal.add_working_days(start, 5) } else { start };
    judge(cal, "13(4)", start, emergency, due_by, notified)
}

/// Reg 14: a placement ending on `end`, notified on `notified`.
pub fn placement_end(cal: &WorkingCalendar, end: NaiveDate, notified: NaiveDate) -> Statutory {
    judge(cal, "14", end, false, cal.add_working_days(end, 10), notified)
}

/// The last day an acknowledgement is due for a notification created on `created`.
pub fn acknowledgement_due(cal: &WorkingCalendar, created: NaiveDate, working_days: u32) -> NaiveDate {
    cal.add_working_days(created, working_days)
}

/// The latest creation date whose acknowledgement is overdue on `today`.
pub fn overdue_cutoff(cal: &WorkingCalendar, today: NaiveDate, working_days: u32) -> NaiveDate {
    let mut d = today;
    while acknowledgement_due(cal, d, working_days) >= today {
        match d.pred_opt() {
            Some(p) => d = p,
            None => break,
        }
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().expect("date")
    }

    #[test]
    fn planned_placements_must_be_notified_by_their_start() {
        let cal = WorkingCalendar::england_and_wales();
        let s = placement_start(&cal, d("2026-06-15"), false, d("2026-06-15"));
        assert!(s.on_time);
        let late = placement_start(&cal, d("2026-06-12"), false, d("2026-06-15"));
        assert!(!late.on_time);
        assert_eq!(late.late_by_working_days, 1, "Friday start, Monday notice: one working day late");
    }

    #[test]
    fn emergency_placements_have_five_working_days_skipping_bank_holidays() {
        let cal = WorkingCalendar::england_and_wales();
        // Thursday 21 May 2026; Monday 25 May is the spring bank holiday.
        let s = placement_start(&cal, d("2026-05-21"), true, d("2026-05-29"));
        assert_eq!(s.due_by, d("2026-05-29"));
        assert!(s.on_time);
        let late = placement_start(&cal, d("2026-05-21"), true, d("2026-06-01"));
        assert!(!late.on_time);
        assert_eq!(late.late_by_working_days, 1);
    }

    #[test]
    fn endings_have_ten_working_days_after() {
        let cal = WorkingCalendar::england_and_wales();
        // Friday 18 December 2026: Christmas, the Boxing Day substitute (28th) and New Year's Day
        // are skipped.
        let s = placement_end(&cal, d("2026-12-18"), d("2027-01-06"));
        assert_eq!(s.due_by, d("2027-01-06"));
        assert!(s.on_time);
        assert!(!placement_end(&cal, d("2026-12-18"), d("2027-01-07")).on_time);
    }

    #[test]
    fn acknowledgements_are_overdue_after_two_working_days() {
        let cal = WorkingCalendar::england_and_wales();
        // Created Friday 12 June 2026: due Tuesday 16th, overdue from Wednesday 17th.
        assert_eq!(acknowledgement_due(&cal, d("2026-06-12"), 2), d("2026-06-16"));
        // Created over the weekend, it is also due on Tuesday: overdue on Wednesday.
        assert_eq!(overdue_cutoff(&cal, d("2026-06-17"), 2), d("2026-06-14"));
        assert!(overdue_cutoff(&cal, d("2026-06-16"), 2) < d("2026-06-12"));
    }
}
