//! Missing-from-care clocks and flags, computed from the injectable clock: the return interview
//! is due 72 hours after return; a child with 3 or more episodes starting in the last 90 days is a
//! repeat; a return interview is overdue from then until it is recorded, however old the return.
//! Pure functions over the few facts they depend on: an episode's [`EpisodeClock`], or a child's
//! [`MissingState`] (what its episodes come to, stored with them), used wherever a child or an
//! episode is shown.

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
    /// A return interview is overdue (72 hours after a return, however long ago, until it is
    /// recorded, declined or not offered).
    pub return_interview_overdue: bool,
}

/// What a child's flags follow from at any instant, stored per child and kept up to date with
/// every write of its episodes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MissingState {
    /// The start of the earliest episode still open.
    pub missing_since: Option<NaiveDateTime>,
    /// The start of the third most recent episode: repeat missing while it is in the window.
    pub third_latest_start: Option<NaiveDateTime>,
    /// The earliest return whose interview is neither recorded, declined nor not offered.
    pub interview_pending_since: Option<NaiveDateTime>,
}

/// Whether an episode's return interview is still awaited (ended, nothing recorded).
pub fn interview_pending(e: &EpisodeClock) -> bool {
    e.ended_at.is_some()
        && e.ri_completed_at.is_none()
        && !matches!(e.ri_outcome.as_deref(), Some("declined" | "not_offered"))
}

/// A child's state from all its episodes.
pub fn state(episodes: &[EpisodeClock]) -> MissingState {
    let mut starts: Vec<NaiveDateTime> = episodes.iter().map(|e| e.started_at).collect();
    starts.sort_unstable_by(|a, b| b.cmp(a));
    MissingState {
        missing_since: episodes.iter().filter(|e| e.ended_at.is_none()).map(|e| e.started_at).min(),
        third_latest_start: starts.get(REPEAT_THRESHOLD as usize - 1).copied(),
        interview_pending_since: episodes.iter().filter(|e| interview_pending(e)).filter_map(|e| e.ended_at).min(),
    }
}

/// The start of the repeat window at `now`.
pub fn repeat_window_start(now: NaiveDateTime) -> NaiveDateTime {
    now - TimeDelta::days(REPEAT_WINDOW_DAYS)
}

/// Returns before this were due for interview before `now`.
pub fn interview_overdue_before(now: NaiveDateTime) -> NaiveDateTime {
    now - TimeDelta::hours(RETURN_INTERVIEW_HOURS)
}

/// A child's flags from its stored state and the number of its episodes that started in the
/// repeat window (episodes start no later than the moment they are recorded).
pub fn from_state(s: &MissingState, episodes_last_90_days: i64, now: NaiveDateTime) -> ChildMissingFlags {
    ChildMissingFlags {
        currently_missing: s.missing_since.is_some(),
        missing_since: s.missing_since.map(|t| t.and_utc()),
        episodes_last_90_days,
        repeat_missing: s.third_latest_start.is_some_and(|t| t >= repeat_window_start(now)),
        return_interview_overdue: s.interview_pending_since.is_some_and(|t| t < interview_overdue_before(now)),
    }
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

/// A child's flags from all its episodes.
pub fn child(episodes: &[EpisodeClock], now: NaiveDateTime) -> ChildMissingFlags {
    let window_start = repeat_window_start(now);
    let open = episodes.iter().filter(|e| e.ended_at.is_none()).map(|e| e.started_at).min();
    let recent = episodes.iter().filter(|e| e.started_at >= window_start && e.started_at <= now).count() as i64;
    ChildMissingFlags {
        currently_missing: open.is_some(),
        missing_since: open.map(|t| t.and_utc()),
        episodes_last_90_days: recent,
        repeat_missing: recent >= REPEAT_THRESHOLD,
        return_interview_overdue: episodes.iter().any(|e| return_interview(e, now).status == "overdue"),
    }
}
