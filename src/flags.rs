//! Missing-from-care clocks and flags, computed from the injectable clock: the return interview
//! is due 72 hours after return; a child with 3 or more episodes starting in the last 90 days is a
//! repeat. Pure functions over the few facts they depend on ([`EpisodeClock`]), used wherever a
//! child or an episode is shown.

use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const RETURN_INTERVIEW_HOURS: i64 = 72;
pub const REPEAT_WINDOW_DAYS: i64 = 90;
pub const REPEAT_THRESHOLD: i64 = 3;

/// What an episode's clocks and its child's flags depend on.
#[derive(Debug, Clone, PartialEq)]
pub struct EpisodeClock {
    pub started_at: NaiveDateTime,
    pub ended_at: Option<NaiveDateTime>,
    pub ri_outcome: Option<String>,
    pub ri_completed_at: Option<NaiveDateTime>,
}

/// The return interview clock of an episode.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReturnInterviewClock {
    /// 72 hours after return.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub due_by: Option<DateTime<Utc>>,
    /// `not_due` (still missing), `due`, `overdue`, `completed_in_time`, `completed_late`,
    /// `declined`, `not_offered`.
    pub status: String,
}

/// A child's missing flags, as of now.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct ChildMissingFlags {
    pub currently_missing: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub missing_since: Option<DateTime<Utc>>,
    /// Episodes that started in the last 90 days.
    pub episodes_last_90_days: i64,
    /// 3 or more episodes starting in the last 90 days.
    pub repeat_missing: bool,
    /// A return interview is overdue for a return in the last 90 days.
    pub return_interview_overdue: bool,
}

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
