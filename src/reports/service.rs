//! Computing a report's figures and listing the records behind one, for the caller's own
//! organisation in one role, as JSON or CSV; every child a page of records is about is recorded
//! as read.

use super::figures::{Figure, Role, Source};
use super::model::*;
use super::render;
use super::repo::{self, ReturnQuarter, Scope};
use crate::auth::Caller;
use crate::calendar::WorkingCalendar;
use crate::config::Config;
use crate::db::AnyConnection;
use crate::error::{ApiError, FieldError};
use crate::flags::RETURN_INTERVIEW_HOURS;
use crate::http::{PageQuery, encode_cursor};
use crate::ids::ChildId;
use crate::notifications::statutory;
use crate::period::{Quarter, ReportPeriod as Period};
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;

/// What the figures are judged against: the time now and the configured deadlines.
#[derive(Clone)]
pub struct Context {
    pub now: NaiveDateTime,
    pub calendar: Arc<WorkingCalendar>,
    /// Working days a host LA has to acknowledge a notification.
    pub ack_days: u32,
    /// Days after quarter end a return is due.
    pub return_due_days: u32,
}

impl Context {
    /// The context of a request made at `now`, with the configured deadlines.
    pub fn new(now: NaiveDateTime, calendar: Arc<WorkingCalendar>, config: &Config) -> Context {
        Context { now, calendar, ack_days: config.ack_overdue_working_days, return_due_days: config.return_due_days }
    }

    /// Notifications created before this instant and unacknowledged are past their deadline.
    fn unacknowledged_before(&self) -> NaiveDateTime {
        crate::notifications::service::overdue_before(&self.calendar, crate::clock::date_of(self.now), self.ack_days)
    }
    fn return_quarter(&self, quarter: Quarter) -> ReturnQuarter {
        let due_by = quarter.return_due(self.return_due_days);
        let late_from = crate::clock::london_midnight(due_by.succ_opt().unwrap_or(NaiveDate::MAX));
        ReturnQuarter { quarter, due_by, late_from, due_passed: self.now >= late_from }
    }
}

pub fn scope(role: Role, org: &str, period: &Period) -> Scope {
    let (start, end) = period.instants();
    Scope { role, org: org.to_string(), from: period.first_day(), to: period.last_day(), start, end }
}

/// Every figure of the role's report, in report order.
pub fn figures(
    conn: &mut AnyConnection,
    role: Role,
    org: &str,
    period: &Period,
    ctx: &Context,
) -> Result<Vec<(Figure, i64)>, ApiError> {
    let s = scope(role, org, period);
    let wanted = role.figures();
    let uses = |source: Source| wanted.iter().any(|f| f.source() == source);
    let mut values: HashMap<Figure, i64> = HashMap::new();
    if uses(Source::Notifications) {
        let c = repo::notification_counts(conn, &s, ctx.unacknowledged_before())?;
        values.extend(repo::NOTIFICATION_FIGURES.into_iter().zip(c));
    }
    if uses(Source::Admissions) {
        let c = repo::admission_counts(conn, &s)?;
        values.extend(repo::ADMISSION_FIGURES.into_iter().zip(c));
    }
    if uses(Source::Returns) {
        let mut sum = [0i64; 5];
        for q in period.quarters() {
            let c = repo::return_counts(conn, &s, &ctx.return_quarter(q))?;
            for (total, v) in sum.iter_mut().zip(c) {
                *total += v;
            }
        }
        values.extend(repo::RETURN_FIGURES.into_iter().zip(sum));
    }
    if uses(Source::Episodes) || uses(Source::RepeatChildren) {
        let c = repo::episode_counts(conn, &s)?;
        values.extend(repo::EPISODE_FIGURES.into_iter().zip(c));
    }
    Ok(wanted.iter().map(|f| (*f, values.get(f).copied().unwrap_or(0))).collect())
}

fn bad_cursor() -> ApiError {
    ApiError::BadRequest {
        detail: "cursor is not one this API issued for these records".into(),
        errors: vec![FieldError::new("cursor", "not a cursor this API issued for these records")],
    }
}

fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// Keeps `limit` rows and gives the cursor after the last when there were more.
fn page<T>(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> Vec<String>) -> (Vec<T>, Option<String>) {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit.max(0) as usize);
    let next = if more { rows.last().map(|r| encode_cursor(&key(r))) } else { None };
    (rows, next)
}

fn date_id(after: Option<Vec<String>>) -> Result<Option<(NaiveDate, String)>, ApiError> {
    match after {
        None => Ok(None),
        Some(k) if k.len() == 2 => Ok(Some((k[0].parse().map_err(|_| bad_cursor())?, k[1].clone()))),
        Some(_) => Err(bad_cursor()),
    }
}

/// Which page of records: the sort key of the last record seen, and how many to give.
struct PageOf {
    after: Option<Vec<String>>,
    limit: i64,
}

/// One page of the records behind `figure` (which must be in the role's report).
fn page_of_records(
    conn: &mut AnyConnection,
    role: Role,
    org: &str,
    period: &Period,
    figure: Figure,
    ctx: &Context,
    page_of: PageOf,
) -> Result<(Vec<ReportRecord>, Option<String>), ApiError> {
    let PageOf { after, limit } = page_of;
    if after.as_ref().is_some_and(|k| k.iter().any(|v| v.is_empty() || v.chars().any(char::is_control))) {
        return Err(bad_cursor());
    }
    let s = scope(role, org, period);
    match figure.source() {
        Source::Notifications => {
            let cutoff = ctx.unacknowledged_before();
            let rows = repo::notification_records(conn, &s, figure, cutoff, date_id(after)?, limit)?;
            let (rows, next) =
                page(rows, limit, |r| vec![r.event_date.map(|d| d.to_string()).unwrap_or_default(), r.id.clone()]);
            let items = rows
                .into_iter()
                .map(|r| {
                    let ack_due = statutory::acknowledgement_due(
                        &ctx.calendar,
                        crate::clock::date_of(r.created_at),
                        ctx.ack_days,
                    );
                    ReportRecord::Notification(NotificationRecord {
                        acknowledgement_overdue: r.acknowledged_at.is_none() && r.created_at < cutoff,
                        id: r.id,
                        kind: r.kind,
                        placing_la: r.sender_org,
                        host_la: r.recipient_la,
                        child_id: r.child_id,
                        placement_id: r.placement_id,
                        event_date: r.event_date.unwrap_or_default(),
                        emergency: r.emergency,
                        due_by: r.due_by.unwrap_or_default(),
                        status: if r.on_time == Some(true) { "on_time" } else { "late" }.into(),
                        late_by_working_days: r.late_by_working_days.unwrap_or_default(),
                        notified_at: utc(r.created_at),
                        acknowledged_at: r.acknowledged_at.map(utc),
                        acknowledgement_due_by: ack_due,
                    })
                })
                .collect();
            Ok((items, next))
        }
        Source::Admissions => {
            let rows = repo::admission_records(conn, &s, figure, date_id(after)?, limit)?;
            let (rows, next) = page(rows, limit, |r| vec![r.event_date.to_string(), r.id.clone()]);
            let items = rows
                .into_iter()
                .map(|r| {
                    ReportRecord::Admission(AdmissionRecord {
                        id: r.id,
                        urn: r.urn,
                        host_la: r.host_area,
                        date: r.event_date,
                        status: r.status,
                        placing_la: r.placing_la,
                        child_id: r.child_id,
                        placement_id: r.placement_id,
                        recorded_at: utc(r.created_at),
                        resolved_at: r.resolved_at.map(utc),
                    })
                })
                .collect();
            Ok((items, next))
        }
        Source::Returns => return_records(conn, &s, period, figure, ctx, after, limit),
        Source::Episodes => {
            let after = match after {
                None => None,
                Some(k) if k.len() == 2 => {
                    Some((k[0].parse::<DateTime<Utc>>().map_err(|_| bad_cursor())?.naive_utc(), k[1].clone()))
                }
                Some(_) => return Err(bad_cursor()),
            };
            let rows = repo::episode_records(conn, &s, figure, after, limit)?;
            let (rows, next) = page(rows, limit, |r| vec![utc(r.started_at).to_rfc3339(), r.id.clone()]);
            let items = rows
                .into_iter()
                .map(|r| {
                    ReportRecord::Episode(EpisodeRecord {
                        return_interview_due_by: r.ended_at.map(|t| utc(t + TimeDelta::hours(RETURN_INTERVIEW_HOURS))),
                        id: r.id,
                        child_id: r.child_id,
                        placement_id: r.placement_id,
                        placing_la: r.placing_la,
                        host_la: r.host_area,
                        urn: r.urn,
                        kind: r.kind,
                        started_at: utc(r.started_at),
                        ended_at: r.ended_at.map(utc),
                        source: r.source,
                        safe_and_well_at: r.safe_and_well_at.map(utc),
                        return_interview_outcome: r.ri_outcome,
                        return_interview_offered_at: r.ri_offered_at.map(utc),
                        return_interview_completed_at: r.ri_completed_at.map(utc),
                    })
                })
                .collect();
            Ok((items, next))
        }
        Source::RepeatChildren => {
            let after = match after {
                None => None,
                Some(k) if k.len() == 1 => Some(k[0].clone()),
                Some(_) => return Err(bad_cursor()),
            };
            let rows = repo::repeat_child_records(conn, &s, after, limit)?;
            let (rows, next) = page(rows, limit, |r| vec![r.child_id.clone()]);
            let items = rows
                .into_iter()
                .map(|r| {
                    ReportRecord::Child(RepeatChildRecord {
                        child_id: r.child_id,
                        episodes: r.episodes,
                        first_started_at: utc(r.first_started_at),
                        last_started_at: utc(r.last_started_at),
                    })
                })
                .collect();
            Ok((items, next))
        }
    }
}

/// Expected returns quarter by quarter, by (quarter, URN).
fn return_records(
    conn: &mut AnyConnection,
    s: &Scope,
    period: &Period,
    figure: Figure,
    ctx: &Context,
    after: Option<Vec<String>>,
    limit: i64,
) -> Result<(Vec<ReportRecord>, Option<String>), ApiError> {
    let after = match after {
        None => None,
        Some(k) if k.len() == 2 => Some((Quarter::parse(&k[0]).ok_or_else(bad_cursor)?, k[1].clone())),
        Some(_) => return Err(bad_cursor()),
    };
    let mut out: Vec<ReturnRecord> = Vec::new();
    for q in period.quarters() {
        let after_urn = match &after {
            Some((aq, _)) if q < *aq => continue,
            Some((aq, urn)) if q == *aq => Some(urn.as_str()),
            _ => None,
        };
        let rq = ctx.return_quarter(q);
        let wanted = limit + 1 - out.len() as i64;
        if wanted <= 0 {
            break;
        }
        for r in repo::return_records(conn, s, figure, &rq, after_urn, wanted - 1)? {
            let status = match r.first_at {
                Some(t) if t < rq.late_from => "on_time",
                Some(_) => "late",
                None if rq.due_passed => "missing",
                None => "not_yet_due",
            };
            out.push(ReturnRecord {
                period: q.to_string(),
                urn: r.urn,
                setting_name: r.name,
                host_la: r.host_area,
                due_by: rq.due_by,
                status: status.into(),
                first_submitted_at: r.first_at.map(utc),
                latest_version: r.latest_version,
                review_status: r.review_status,
                nil: r.nil,
            });
        }
    }
    let (rows, next) = page(out, limit, |r| vec![r.period.clone(), r.urn.clone()]);
    Ok((rows.into_iter().map(ReportRecord::Return).collect(), next))
}

fn records_href(role: Role, period: &Period, f: Figure) -> String {
    format!("/v1/reports/{}/records?{}&figure={}", role.as_str(), period.query(), f.name())
}

/// A report as JSON, of whichever role.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum AnyReport {
    Placing(Report<PlacingFigures>),
    Host(Report<HostFigures>),
    Provider(Report<ProviderFigures>),
}

/// A report, or a page of records, as asked for.
pub enum Rendered<T> {
    Json(T),
    /// A CSV file named `file`; for records, `next` is the `Link` header value of the next page.
    Csv {
        file: String,
        body: String,
        next: Option<String>,
    },
}

/// The role's report of the caller's organisation `org` for the period: JSON with the link to
/// each figure's records, or `figure,value` CSV.
pub fn report(
    conn: &mut AnyConnection,
    role: Role,
    org: &str,
    period: &Period,
    csv: bool,
    ctx: &Context,
) -> Result<Rendered<AnyReport>, ApiError> {
    let figures = figures(conn, role, org, period, ctx)?;
    if csv {
        let file = format!("{}-report-{}.csv", role.as_str(), period.label());
        return Ok(Rendered::Csv { file, body: render::report(&figures)?, next: None });
    }
    let values: HashMap<Figure, i64> = figures.into_iter().collect();
    let value = |f: Figure| FigureValue {
        value: values.get(&f).copied().unwrap_or(0),
        records_href: records_href(role, period, f),
    };
    Ok(Rendered::Json(match role {
        Role::Placing => AnyReport::Placing(report_of(role, org, period, ctx, PlacingFigures::build(value))),
        Role::Host => AnyReport::Host(report_of(role, org, period, ctx, HostFigures::build(value))),
        Role::Provider => AnyReport::Provider(report_of(role, org, period, ctx, ProviderFigures::build(value))),
    }))
}

fn report_of<F>(role: Role, org: &str, period: &Period, ctx: &Context, figures: F) -> Report<F> {
    Report {
        role: role.as_str().to_string(),
        organisation: org.to_string(),
        period: period.view(),
        as_of: ctx.now.and_utc(),
        figures,
    }
}

/// The figure named in a records request, which must be in the role's report (400 naming the
/// role's figures otherwise).
fn figure_named(role: Role, name: &str) -> Result<Figure, ApiError> {
    Figure::of_role(role, name.trim()).ok_or_else(|| {
        let names: Vec<&str> = role.figures().iter().map(|f| f.name()).collect();
        let message =
            format!("`{}` is not a figure of the {} report; one of: {}", name.trim(), role.as_str(), names.join(", "));
        ApiError::field("figure", message)
    })
}

/// The children a page of records is about, once each.
fn children_of(items: &[ReportRecord]) -> Vec<ChildId> {
    let mut ids: Vec<ChildId> = items
        .iter()
        .filter_map(|r| match r {
            ReportRecord::Notification(n) => n.child_id.as_deref().map(ChildId::from),
            ReportRecord::Admission(a) => a.child_id.as_deref().map(ChildId::from),
            ReportRecord::Episode(e) => Some(ChildId::from(e.child_id.as_str())),
            ReportRecord::Child(c) => Some(ChildId::from(c.child_id.as_str())),
            ReportRecord::Return(_) => None,
        })
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// One page of the records behind a figure of the role's report of the caller's organisation,
/// oldest first, as JSON or CSV (the next page then linked); the children they are about are
/// recorded as read.
pub fn records(
    conn: &mut AnyConnection,
    caller: &Caller,
    role: Role,
    period: &Period,
    q: RecordsQuery,
    csv: bool,
    ctx: &Context,
) -> Result<Rendered<RecordPage>, ApiError> {
    let figure = figure_named(role, &q.figure)?;
    let page = PageQuery { limit: q.limit, cursor: q.cursor };
    let limit = page.limit()?;
    let after = page.after()?;
    let (items, next_cursor) = page_of_records(conn, role, &caller.org, period, figure, ctx, PageOf { after, limit })?;
    crate::audit::read(conn, caller, "report.records", &children_of(&items), ctx.now)?;
    if csv {
        let file = format!("{}-{}-{}.csv", role.as_str(), figure.name(), period.label());
        let next = next_cursor.map(|c| {
            format!("<{}&format=csv&limit={limit}&cursor={c}>; rel=\"next\"", records_href(role, period, figure))
        });
        return Ok(Rendered::Csv { file, body: render::records(figure.source(), items)?, next });
    }
    Ok(Rendered::Json(RecordPage {
        figure: figure.name().to_string(),
        record_type: figure.source().record_type().to_string(),
        period: period.view(),
        items,
        next_cursor,
    }))
}
