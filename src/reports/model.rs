//! What reports and their records look like on the wire.

use super::figures::Figure;
use crate::period::PeriodView;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// One figure: its value and where to list the records behind it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct FigureValue {
    pub value: i64,
    /// `GET` this to list the records behind the figure (the caller's own records only).
    pub records_href: String,
}

macro_rules! report_figures {
    ($(#[doc = $sdoc:literal])* $name:ident { $($(#[doc = $doc:literal])* $field:ident => $figure:ident,)* }) => {
        $(#[doc = $sdoc])*
        #[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
        pub struct $name {
            $($(#[doc = $doc])* pub $field: FigureValue,)*
        }

        impl $name {
            /// The figures, in report order.
            pub const FIGURES: &'static [Figure] = &[$(Figure::$figure,)*];

            pub fn build(mut value: impl FnMut(Figure) -> FigureValue) -> $name {
                $name { $($field: value(Figure::$figure),)* }
            }
        }
    };
}

report_figures! {
    /// A placing LA's figures for the period. Notifications are judged by the start or end date
    /// they were about, admissions by their date, episodes by their start.
    PlacingFigures {
        /// Statutory notices this LA sent to host LAs about placements that started (reg 13(4),
        /// `placement.started`) or ended (reg 14, `placement.ended`) in the period.
        notifications => Notifications,
        /// Of `notifications`: given on time (by the start, or within 5 working days of an
        /// emergency start; within 10 working days of an end).
        notifications_on_time => NotificationsOnTime,
        /// Of `notifications`: given late.
        notifications_late => NotificationsLate,
        /// Of `notifications`: still not acknowledged by the host LA and past the acknowledgement
        /// deadline now.
        notifications_acknowledgement_overdue => NotificationsAcknowledgementOverdue,
        /// Unnotified placements: admissions that homes recorded in the period of children this
        /// LA placed, with no placement registered at the time (status `unmatched` or `resolved`).
        unnotified_placements => UnnotifiedPlacements,
        /// Of `unnotified_placements`: still with no placement registered (`unmatched`).
        unnotified_placements_unresolved => UnnotifiedPlacementsUnresolved,
        /// Missing-from-care episodes that started in the period, from placements this LA made.
        episodes => Episodes,
        /// Of `episodes`: missing (`M`, whereabouts unknown).
        episodes_missing => EpisodesMissing,
        /// Of `episodes`: away without authorisation (`A`, whereabouts known).
        episodes_away => EpisodesAway,
        /// Of `episodes`: ended (the child returned or was found).
        episodes_ended => EpisodesEnded,
        /// Of `episodes`: a return interview was offered (outcome `accepted` or `declined`).
        return_interviews_offered => ReturnInterviewsOffered,
        /// Of `episodes`: the return interview was accepted.
        return_interviews_accepted => ReturnInterviewsAccepted,
        /// Of `episodes`: the return interview was completed within 72 hours of the return.
        return_interviews_completed_within_72h => ReturnInterviewsCompletedWithin72h,
        /// Of `episodes`: a safe-and-well check was recorded.
        safe_and_well_checks => SafeAndWellChecks,
        /// Of `episodes`: first reported in a setting's quarterly return, never as it happened.
        episodes_first_reported_in_return => EpisodesFirstReportedInReturn,
        /// Children with 3 or more of `episodes` starting within 90 days (any 90-day window inside
        /// the period).
        children_with_repeat_episodes => ChildrenWithRepeatEpisodes,
    }
}

report_figures! {
    /// A host LA's figures for the period, about children placed in its area by other LAs and
    /// the settings located in it.
    HostFigures {
        /// Statutory notices this LA received about placements in its area that started
        /// (reg 13(4)) or ended (reg 14) in the period.
        notifications => Notifications,
        /// Of `notifications`: given on time.
        notifications_on_time => NotificationsOnTime,
        /// Of `notifications`: given late.
        notifications_late => NotificationsLate,
        /// Of `notifications`: not acknowledged by this LA and past the acknowledgement deadline now.
        notifications_acknowledgement_overdue => NotificationsAcknowledgementOverdue,
        /// Unnotified placements: admissions that homes in this area recorded in the period with
        /// no placement registered at the time (status `unmatched` or `resolved`).
        unnotified_placements => UnnotifiedPlacements,
        /// Of `unnotified_placements`: still with no placement registered (`unmatched`).
        unnotified_placements_unresolved => UnnotifiedPlacementsUnresolved,
        /// Quarterly returns expected: one per setting in this area per quarter of the period
        /// (settings registered by the end of the quarter).
        returns_expected => ReturnsExpected,
        /// Of `returns_expected`: first submitted by the due date (quarter end plus the configured
        /// number of days).
        returns_on_time => ReturnsOnTime,
        /// Of `returns_expected`: first submitted after the due date.
        returns_late => ReturnsLate,
        /// Of `returns_expected`: not submitted, and the due date has passed.
        returns_missing => ReturnsMissing,
        /// Of `returns_expected`: not submitted yet, and not yet due.
        returns_not_yet_due => ReturnsNotYetDue,
        /// Missing-from-care episodes that started in the period, from placements in this area.
        episodes => Episodes,
        /// Of `episodes`: missing (`M`).
        episodes_missing => EpisodesMissing,
        /// Of `episodes`: away without authorisation (`A`).
        episodes_away => EpisodesAway,
        /// Of `episodes`: ended.
        episodes_ended => EpisodesEnded,
        /// Of `episodes`: a return interview was offered (outcome `accepted` or `declined`).
        return_interviews_offered => ReturnInterviewsOffered,
        /// Of `episodes`: the return interview was accepted.
        return_interviews_accepted => ReturnInterviewsAccepted,
        /// Of `episodes`: the return interview was completed within 72 hours of the return.
        return_interviews_completed_within_72h => ReturnInterviewsCompletedWithin72h,
        /// Of `episodes`: a safe-and-well check was recorded.
        safe_and_well_checks => SafeAndWellChecks,
        /// Of `episodes`: first reported in a quarterly return.
        episodes_first_reported_in_return => EpisodesFirstReportedInReturn,
        /// Children with 3 or more of `episodes` starting within 90 days (any 90-day window inside
        /// the period).
        children_with_repeat_episodes => ChildrenWithRepeatEpisodes,
    }
}

report_figures! {
    /// A provider's figures for the period, about its settings.
    ProviderFigures {
        /// Quarterly returns expected: one per setting of this provider per quarter of the period
        /// (settings registered by the end of the quarter).
        returns_expected => ReturnsExpected,
        /// Of `returns_expected`: first submitted by the due date.
        returns_on_time => ReturnsOnTime,
        /// Of `returns_expected`: first submitted after the due date.
        returns_late => ReturnsLate,
        /// Of `returns_expected`: not submitted, and the due date has passed.
        returns_missing => ReturnsMissing,
        /// Of `returns_expected`: not submitted yet, and not yet due.
        returns_not_yet_due => ReturnsNotYetDue,
        /// Missing-from-care episodes that started in the period, from placements in this
        /// provider's settings.
        episodes => Episodes,
        /// Of `episodes`: missing (`M`).
        episodes_missing => EpisodesMissing,
        /// Of `episodes`: away without authorisation (`A`).
        episodes_away => EpisodesAway,
        /// Of `episodes`: ended.
        episodes_ended => EpisodesEnded,
        /// Of `episodes`: a return interview was offered (outcome `accepted` or `declined`).
        return_interviews_offered => ReturnInterviewsOffered,
        /// Of `episodes`: the return interview was accepted.
        return_interviews_accepted => ReturnInterviewsAccepted,
        /// Of `episodes`: the return interview was completed within 72 hours of the return.
        return_interviews_completed_within_72h => ReturnInterviewsCompletedWithin72h,
        /// Of `episodes`: a safe-and-well check was recorded.
        safe_and_well_checks => SafeAndWellChecks,
        /// Of `episodes`: first reported in a quarterly return.
        episodes_first_reported_in_return => EpisodesFirstReportedInReturn,
        /// Children with 3 or more of `episodes` starting within 90 days (any 90-day window inside
        /// the period).
        children_with_repeat_episodes => ChildrenWithRepeatEpisodes,
    }
}

/// A compliance and data-quality report of the caller's organisation for one period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Report<F> {
    /// `placing`, `host` or `provider`.
    pub role: String,
    /// The caller's organisation: an LA's ONS code or a provider's registry id.
    pub organisation: String,
    pub period: PeriodView,
    /// When the figures were computed; acknowledgement deadlines and missing returns are judged
    /// as of this instant.
    pub as_of: DateTime<Utc>,
    pub figures: F,
}

/// A statutory placement notification behind a figure.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct NotificationRecord {
    pub id: String,
    /// `placement.started` or `placement.ended`.
    #[serde(rename = "type")]
    pub kind: String,
    pub placing_la: String,
    pub host_la: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement_id: Option<String>,
    /// The start or end date the notice was about.
    pub event_date: NaiveDate,
    pub emergency: bool,
    /// Last day notice could be given on time.
    pub due_by: NaiveDate,
    /// `on_time` or `late`.
    pub status: String,
    pub late_by_working_days: i64,
    pub notified_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledgement_due_by: NaiveDate,
    pub acknowledgement_overdue: bool,
}

/// An admission recorded by a home with no placement registered at the time.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AdmissionRecord {
    pub id: String,
    pub urn: String,
    pub host_la: String,
    /// The day the child arrived.
    pub date: NaiveDate,
    /// `unmatched` (still no placement) or `resolved` (registered later).
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placing_la: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub placement_id: Option<String>,
    pub recorded_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<DateTime<Utc>>,
}

/// A setting's quarterly return for one quarter, as expected and as received.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ReturnRecord {
    /// The quarter, `YYYY-Qn`.
    pub period: String,
    pub urn: String,
    pub setting_name: String,
    pub host_la: String,
    /// Last day it is on time.
    pub due_by: NaiveDate,
    /// `on_time`, `late`, `missing` or `not_yet_due`.
    pub status: String,
    /// When the first version was submitted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_submitted_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_version: Option<i64>,
    /// Review state of the latest version: `submitted`, `accepted` or `queried`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_status: Option<String>,
    /// The latest version is a nil return.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nil: Option<bool>,
}

/// A missing-from-care episode behind a figure.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct EpisodeRecord {
    pub id: String,
    pub child_id: String,
    pub placement_id: String,
    pub placing_la: String,
    pub host_la: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub urn: Option<String>,
    /// `M` or `A`.
    pub kind: String,
    pub started_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<DateTime<Utc>>,
    /// `real_time`, `la_record` or `return`.
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safe_and_well_at: Option<DateTime<Utc>>,
    /// `accepted`, `declined` or `not_offered`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_interview_outcome: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_interview_offered_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_interview_completed_at: Option<DateTime<Utc>>,
    /// 72 hours after the return.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_interview_due_by: Option<DateTime<Utc>>,
}

/// A child with repeat episodes in the period.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct RepeatChildRecord {
    pub child_id: String,
    /// Episodes of the child in the report that started in the period.
    pub episodes: i64,
    pub first_started_at: DateTime<Utc>,
    pub last_started_at: DateTime<Utc>,
}

/// One record behind a figure; which kind is named by the page's `record_type`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(untagged)]
pub enum ReportRecord {
    Notification(NotificationRecord),
    Admission(AdmissionRecord),
    Return(ReturnRecord),
    Episode(EpisodeRecord),
    Child(RepeatChildRecord),
}

/// The records behind one figure, one page at a time.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecordPage {
    pub figure: String,
    /// `notification`, `admission`, `quarterly_return`, `missing_episode` or `child`.
    pub record_type: String,
    pub period: PeriodView,
    pub items: Vec<ReportRecord>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// The period of a report: `period` (a calendar quarter) or `year` (a collection year).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// A calendar quarter, `YYYY-Qn` (`2026-Q2` is 1 April to 30 June 2026).
    #[param(example = "2026-Q2", pattern = r"^[0-9]{4}-Q[1-4]$")]
    pub period: Option<String>,
    /// A collection year, by the year it ends in (`2026` is 1 April 2025 to 31 March 2026).
    #[param(example = "2026", pattern = r"^[0-9]{4}$")]
    pub year: Option<String>,
    /// `json` (default) or `csv`; `Accept: text/csv` also asks for CSV.
    #[param(pattern = r"^(json|csv)$")]
    #[param(inline)]
    pub format: Option<crate::http::Format>,
}

/// A figure's records: the period, the figure, and a page.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RecordsQuery {
    /// A calendar quarter, `YYYY-Qn`.
    #[param(example = "2026-Q2", pattern = r"^[0-9]{4}-Q[1-4]$")]
    pub period: Option<String>,
    /// A collection year, by the year it ends in.
    #[param(example = "2026", pattern = r"^[0-9]{4}$")]
    pub year: Option<String>,
    /// The figure's name, as in the report.
    #[param(example = "notifications_late")]
    pub figure: String,
    /// `json` (default) or `csv`; `Accept: text/csv` also asks for CSV.
    #[param(pattern = r"^(json|csv)$")]
    #[param(inline)]
    pub format: Option<crate::http::Format>,
    /// Largest number of records to return (1 to 200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor` (or the CSV `Link` header).
    pub cursor: Option<String>,
}
