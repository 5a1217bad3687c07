//! Clocks and flags, computed from the injectable clock: the return interview is due 72 hours
//! after return; a child with 3 or more episodes starting in the last 90 days is a repeat.

use super::model::{ChildMissingFlags, EpisodeClock, EpisodeFlags, EpisodeRecord, ReturnInterviewClock};
use chrono::{NaiveDateTime, TimeDelta};

pub const RETURN_INTERVIEW_HOURS: i64 = 72;
pub const REPEAT_WINDOW_DAYS: i64 = 90;
pub const REPEAT_THRESHOLD: i64 = 3;

pub fn return_interview(e: &EpisodeClock, now: NaiveDateTime) -> ReturnInterviewClock {
    let Some(ended) = e.ended_at else {
        return ReturnInterviewClock { due_by: None, status: "not_due".into() };
    };
    let due = ended + TimeDelta::hours(RETURN_INTERVIEW_HOURS);
    let status = match (e.ri_outcome.as_deref(), e.ri_completed_at) {
        (_, Some(done)) if done <= due => "completed_in_time",
        (_, Some(_)) => "completed_late",
        (Some("declined"), None) => "declined",
        (Some("not_offered"), None) => "not_offered",
        _ if now > due => "overdue",
        _ => "due",
    };
    ReturnInterviewClock { due_by: Some(due.and_utc()), status: status.into() }
}

pub fn episode(e: &EpisodeRecord, now: NaiveDateTime) -> EpisodeFlags {
    EpisodeFlags {
        currently_missing: e.ended_at.is_none(),
        missing_for_minutes: e.ended_at.is_none().then(|| (now - e.started_at).num_minutes().max(0)),
        safe_and_well_recorded: e.safe_and_well_at.is_some(),
        return_interview: return_interview(&e.clock(), now),
    }
}

/// A child's flags from its episodes (all of them, or those open or started or ended in the
/// repeat window: the others change nothing).
pub fn child(episodes: &[EpisodeClock], now: NaiveDateTime) -> ChildMissingFlags {
    let window_start = now - TimeDelta::days(REPEAT_WINDOW_DAYS);
    let open = episodes.iter().filter(|e| e.ended_at.is_none()).map(|e| e.started_at).min();
    let recent = episodes.iter().filter(|e| e.started_at >= window_start && e.started_at <= now).count() as i64;
    ChildMissingFlags {
        currently_missing: open.is_some(),
        missing_since: open.map(|t| t.and_utc()),
        episodes_last_90_days: recent,
        repeat_missing: recent >= REPEAT_THRESHOLD,
        // Only returns in the window count, so an interview missed years ago does not flag a child for ever.
        return_interview_overdue: episodes
            .iter()
            .filter(|e| e.ended_at.is_some_and(|t| t >= window_start))
            .any(|e| return_interview(e, now).status == "overdue"),
    }
}
