//! CSV renderings: a report as `figure,value` rows, and the records behind a figure with one
//! column per field (empty when absent). Times are RFC 3339 UTC, dates `YYYY-MM-DD`.

use super::figures::{Figure, Source};
use super::model::ReportRecord;
use crate::error::ApiError;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

pub const NOTIFICATION_COLUMNS: &[&str] = &[
    "id",
    "type",
    "placing_la",
    "host_la",
    "child_id",
    "placement_id",
    "event_date",
    "emergency",
    "due_by",
    "status",
    "late_by_working_days",
    "notified_at",
    "acknowledged_at",
    "acknowledgement_due_by",
    "acknowledgement_overdue",
];
pub const ADMISSION_COLUMNS: &[&str] =
    &["id", "urn", "host_la", "date", "status", "placing_la", "child_id", "placement_id", "recorded_at", "resolved_at"];
pub const RETURN_COLUMNS: &[&str] = &[
    "period",
    "urn",
    "setting_name",
    "host_la",
    "due_by",
    "status",
    "first_submitted_at",
    "latest_version",
    "review_status",
    "nil",
];
pub const EPISODE_COLUMNS: &[&str] = &[
    "id",
    "child_id",
    "placement_id",
    "placing_la",
    "host_la",
    "urn",
    "kind",
    "started_at",
    "ended_at",
    "source",
    "safe_and_well_at",
    "return_interview_outcome",
    "return_interview_offered_at",
    "return_interview_completed_at",
    "return_interview_due_by",
];
pub const CHILD_COLUMNS: &[&str] = &["child_id", "episodes", "first_started_at", "last_started_at"];

pub fn columns(source: Source) -> &'static [&'static str] {
    match source {
        Source::Notifications => NOTIFICATION_COLUMNS,
        Source::Admissions => ADMISSION_COLUMNS,
        Source::Returns => RETURN_COLUMNS,
        Source::Episodes => EPISODE_COLUMNS,
        Source::RepeatChildren => CHILD_COLUMNS,
    }
}

fn t(v: DateTime<Utc>) -> String {
    v.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}
fn ot(v: Option<DateTime<Utc>>) -> String {
    v.map(t).unwrap_or_default()
}
fn d(v: NaiveDate) -> String {
    v.to_string()
}
fn os(v: Option<String>) -> String {
    v.unwrap_or_default()
}

fn row(r: ReportRecord) -> Vec<String> {
    match r {
        ReportRecord::Notification(n) => vec![
            n.id,
            n.kind,
            n.placing_la,
            n.host_la,
            os(n.child_id),
            os(n.placement_id),
            d(n.event_date),
            n.emergency.to_string(),
            d(n.due_by),
            n.status,
            n.late_by_working_days.to_string(),
            t(n.notified_at),
            ot(n.acknowledged_at),
            d(n.acknowledgement_due_by),
            n.acknowledgement_overdue.to_string(),
        ],
        ReportRecord::Admission(a) => vec![
            a.id,
            a.urn,
            a.host_la,
            d(a.date),
            a.status,
            os(a.placing_la),
            os(a.child_id),
            os(a.placement_id),
            t(a.recorded_at),
            ot(a.resolved_at),
        ],
        ReportRecord::Return(r) => vec![
            r.period,
            r.urn,
            r.setting_name,
            r.host_la,
            d(r.due_by),
            r.status,
            ot(r.first_submitted_at),
            r.latest_version.map(|v| v.to_string()).unwrap_or_default(),
            os(r.review_status),
            r.nil.map(|v| v.to_string()).unwrap_or_default(),
        ],
        ReportRecord::Episode(e) => vec![
            e.id,
            e.child_id,
            e.placement_id,
            e.placing_la,
            e.host_la,
            os(e.urn),
            e.kind,
            t(e.started_at),
            ot(e.ended_at),
            e.source,
            ot(e.safe_and_well_at),
            os(e.return_interview_outcome),
            ot(e.return_interview_offered_at),
            ot(e.return_interview_completed_at),
            ot(e.return_interview_due_by),
        ],
        ReportRecord::Child(c) => {
            vec![c.child_id, c.episodes.to_string(), t(c.first_started_at), t(c.last_started_at)]
        }
    }
}

fn write(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Result<String, ApiError> {
    let mut w = crate::http::csv::Writer::new();
    w.row(header)?;
    for r in rows {
        w.row(&r)?;
    }
    w.into_string()
}

/// `figure,value` rows in report order.
pub fn report(figures: &[(Figure, i64)]) -> Result<String, ApiError> {
    write(&["figure", "value"], figures.iter().map(|(f, v)| vec![f.name().to_string(), v.to_string()]))
}

/// The records of one page, with the columns of their kind.
pub fn records(source: Source, items: Vec<ReportRecord>) -> Result<String, ApiError> {
    write(columns(source), items.into_iter().map(row))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_figure_value_rows() {
        let csv = report(&[(Figure::Episodes, 3), (Figure::EpisodesAway, 0)]).expect("csv");
        assert_eq!(csv, "figure,value\r\nepisodes,3\r\nepisodes_away,0\r\n");
    }
}
