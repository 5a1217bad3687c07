//! The host view: who is placed in an LA's area on a date, by any LA, with their missing flags
//! and the state of the placement's notification; filtered, sorted, paged, or every row as CSV.

use super::model::{HostFlag, HostQuery, HostSort, PlacedChild};
use super::repo;
use crate::auth::Caller;
use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::http::{Page, PageQuery, bad_cursor};
use crate::ids::{ChildId, PlacementId};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use std::collections::HashMap;

/// What the host view answers: a page of children, or every matching child for a CSV download.
pub enum HostView {
    Page(Page<PlacedChild>),
    Csv { rows: Vec<PlacedChild>, on: NaiveDate },
}

/// What a host view request reads and how its rows are paged, decided before any query.
struct Plan {
    on: NaiveDate,
    filter: repo::Filter,
    /// Only a page of the open placements in the default order (see [`repo::Top`]).
    top: Option<repo::Top>,
    /// A notification flag is filtered on, or every row goes to a CSV: every row's
    /// notification state is read before paging.
    notices_first: bool,
    sort: HostSort,
    limit: i64,
    after: Option<(String, String)>,
    csv: bool,
}

fn plan(q: HostQuery, csv: bool, now: NaiveDateTime) -> Result<Plan, ApiError> {
    let page = PageQuery { limit: q.limit, cursor: q.cursor };
    let limit = page.limit()?;
    let after = page.after_pair::<String>()?;
    let sort = q.sort.unwrap_or_default();
    let on = q.on.map_or_else(|| crate::clock::date_of(now), |d| d.0);
    let flag = q.flag;
    let filter = repo::Filter { placing_la: q.placing_la, urn: q.urn.map(|u| u.to_ascii_uppercase()), flag };
    let notices_first = csv || flag.is_some_and(is_notification_flag);
    // In the default order, with no notification flag to filter on, only a page of the open
    // placements is read (`limit + 1`, to know whether there is a next page): the missing flags
    // are filtered in the same statement.
    let top = if notices_first || sort != HostSort::StartDate {
        None
    } else {
        let after = after
            .as_ref()
            .map(|(key, id)| start_date_of_key(key).map(|d| (d, PlacementId::from(id.as_str()))).ok_or_else(bad_cursor))
            .transpose()?;
        Some(repo::Top { after, limit: limit + 1 })
    };
    Ok(Plan { on, filter, top, notices_first, sort, limit, after, csv })
}

/// The rows in the order asked for, from the cursor on: every row for a CSV, else a page and
/// one more (to know whether there is a next page), each with its sort key.
fn arrange(plan: &Plan, rows: Vec<PlacedChild>) -> Vec<(String, PlacedChild)> {
    let flag = plan.filter.flag;
    let mut keyed: Vec<(String, PlacedChild)> = rows
        .into_iter()
        .filter(|c| !plan.notices_first || flag.is_none_or(|f| has_flag(c, f)))
        .map(|c| (sort_key(&c, plan.sort), c))
        .collect();
    keyed.sort_by(|a, b| (&a.0, &a.1.placement_id).cmp(&(&b.0, &b.1.placement_id)));
    if plan.csv {
        return keyed;
    }
    if let Some((k, id)) = &plan.after {
        keyed.retain(|(key, c)| (key, &c.placement_id) > (k, id));
    }
    keyed.truncate(plan.limit as usize + 1);
    keyed
}

/// The children a page shows (not the extra row), whose read is recorded.
fn shown(plan: &Plan, rows: &[PlacedChild]) -> Vec<ChildId> {
    rows.iter().take(plan.limit as usize).map(|c| ChildId::from(c.child_id.as_str())).collect()
}

fn into_page(plan: &Plan, keys: Vec<String>, rows: Vec<PlacedChild>) -> Page<PlacedChild> {
    let keys: std::collections::HashMap<String, String> =
        rows.iter().zip(keys).map(|(c, k)| (c.placement_id.clone(), k)).collect();
    Page::from_rows(rows, plan.limit, |c| {
        vec![keys.get(&c.placement_id).cloned().unwrap_or_default(), c.placement_id.clone()]
    })
}

/// The host view of `code` for its own LA (403 for another LA, 404 for an unknown code).
pub fn placed_children(
    conn: &mut AnyConnection,
    caller: &Caller,
    code: &str,
    q: HostQuery,
    csv: bool,
    now: NaiveDateTime,
) -> Result<HostView, ApiError> {
    let plan = plan(q, csv, now)?;
    // The caller's own LA is registered (its token was checked against the directory): only
    // another code needs looking up, to tell an unknown one (404) from another LA's (403).
    if code != caller.org {
        if crate::directory::repo::find_authority(conn, code)?.is_none() {
            return Err(ApiError::NotFound);
        }
        return Err(ApiError::forbidden("Only the host LA itself may see who is placed in its area."));
    }
    let mut rows = repo::placed_children(conn, code, plan.on, &plan.filter, plan.top.as_ref(), now)?;
    if plan.notices_first {
        add_notification_flags(conn, code, &mut rows)?;
    }
    let (keys, mut rows): (Vec<String>, Vec<PlacedChild>) = arrange(&plan, rows).into_iter().unzip();
    if csv {
        let ids: Vec<ChildId> = rows.iter().map(|c| ChildId::from(c.child_id.as_str())).collect();
        crate::audit::read(conn, caller, "host_view.read", &ids, now)?;
        return Ok(HostView::Csv { rows, on: plan.on });
    }
    if !plan.notices_first {
        add_notification_flags(conn, code, &mut rows)?;
    }
    crate::audit::read(conn, caller, "host_view.read", &shown(&plan, &rows), now)?;
    Ok(HostView::Page(into_page(&plan, keys, rows)))
}

/// Whether [`placed_children_async`] serves this request: a page of the caller's own area
/// without a notification flag to filter on (a CSV, another LA's code and a notification
/// flag go through [`placed_children`]).
pub fn served_async(caller: &Caller, code: &str, q: &HostQuery, csv: bool) -> bool {
    code == caller.org && !csv && !q.flag.is_some_and(is_notification_flag)
}

/// [`placed_children`] on an asynchronous PostgreSQL connection, for the requests
/// [`served_async`] accepts: the rows' two statements in one round trip, then the
/// notification states and the audit events in another.
pub async fn placed_children_async(
    conn: &mut diesel_async::AsyncPgConnection,
    caller: &Caller,
    code: &str,
    q: HostQuery,
    now: NaiveDateTime,
) -> Result<Page<PlacedChild>, ApiError> {
    let plan = plan(q, false, now)?;
    let rows = repo::placed_children_pg(conn, code, plan.on, &plan.filter, plan.top.as_ref(), now).await?;
    let (keys, mut rows): (Vec<String>, Vec<PlacedChild>) = arrange(&plan, rows).into_iter().unzip();
    let placement_ids: Vec<PlacementId> = rows.iter().map(|r| PlacementId::from(r.placement_id.as_str())).collect();
    let events = crate::audit::read_events(caller, "host_view.read", &shown(&plan, &rows), now);
    let (notices, recorded) = futures_util::future::join(
        repo::notification_states_pg(conn, code, &placement_ids),
        crate::audit::repo::insert_pending_pg(conn, &events),
    )
    .await;
    recorded.map_err(crate::audit::unrecorded)?;
    set_notification_flags(&mut rows, &notices?);
    Ok(into_page(&plan, keys, rows))
}

/// Sets the state of the placement notification `host` received for each of `rows`.
pub fn add_notification_flags(conn: &mut AnyConnection, host: &str, rows: &mut [PlacedChild]) -> Result<(), ApiError> {
    let placement_ids: Vec<PlacementId> = rows.iter().map(|r| PlacementId::from(r.placement_id.as_str())).collect();
    let notices = repo::notification_states(conn, host, &placement_ids)?;
    set_notification_flags(rows, &notices);
    Ok(())
}

fn set_notification_flags(rows: &mut [PlacedChild], notices: &HashMap<PlacementId, (Option<bool>, bool)>) {
    for c in rows {
        let (on_time, unacknowledged) = notices.get(c.placement_id.as_str()).copied().unwrap_or((None, false));
        c.notification_late = on_time == Some(false);
        c.notification_unacknowledged = unacknowledged;
    }
}

/// Whether a flag is about the placement's notification (checked after reading the rows); the
/// missing flags are conditions of the host view's statement.
pub fn is_notification_flag(flag: HostFlag) -> bool {
    matches!(flag, HostFlag::NotificationLate | HostFlag::NotificationUnacknowledged)
}

pub fn has_flag(c: &PlacedChild, flag: HostFlag) -> bool {
    match flag {
        HostFlag::CurrentlyMissing => c.currently_missing,
        HostFlag::RepeatMissing => c.repeat_missing,
        HostFlag::ReturnInterviewOverdue => c.return_interview_overdue,
        HostFlag::NotificationLate => c.notification_late,
        HostFlag::NotificationUnacknowledged => c.notification_unacknowledged,
    }
}

/// The sort key of a row (compared as strings, with ties broken by placement id).
pub fn sort_key(c: &PlacedChild, sort: HostSort) -> String {
    match sort {
        HostSort::FamilyName => format!("{}\u{1f}{}", c.family_name.to_lowercase(), c.given_name.to_lowercase()),
        HostSort::PlacingLa => c.placing_la_name.to_lowercase(),
        // Descending orders sort on a complement so that ascending string order applies.
        HostSort::Episodes => format!("{:020}", i64::MAX - c.episodes_last_90_days),
        HostSort::StartDate => start_date_key(c.start_date),
    }
}

/// The `start_date` sort key: newest first as ascending text.
pub fn start_date_key(d: NaiveDate) -> String {
    format!("{:08}", 99_999_999 - i64::from(d.year()) * 10_000 - i64::from(d.month()) * 100 - i64::from(d.day()))
}

/// The start date a `start_date` sort key was made from.
pub fn start_date_of_key(key: &str) -> Option<NaiveDate> {
    let n = 99_999_999 - key.parse::<i64>().ok()?;
    NaiveDate::from_ymd_opt(
        i32::try_from(n / 10_000).ok()?,
        u32::try_from(n / 100 % 100).ok()?,
        u32::try_from(n % 100).ok()?,
    )
    .filter(|d| start_date_key(*d) == key)
}

pub const CSV_HEADER: &[&str] = &[
    "child_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "placing_la",
    "placing_la_name",
    "placement_id",
    "urn",
    "setting_name",
    "place",
    "start_date",
    "emergency",
    "distance_miles",
    "episodes_last_90_days",
    "currently_missing",
    "missing_since",
    "repeat_missing",
    "return_interview_overdue",
    "notification_late",
    "notification_unacknowledged",
];

pub fn to_csv(rows: &[PlacedChild]) -> Result<String, ApiError> {
    let mut w = crate::http::csv::Writer::new();
    w.row(CSV_HEADER)?;
    for c in rows {
        let b = |v: bool| if v { "true" } else { "false" }.to_string();
        w.row([
            c.child_id.clone(),
            c.given_name.clone(),
            c.family_name.clone(),
            c.date_of_birth.to_string(),
            c.sex.clone(),
            c.placing_la.clone(),
            c.placing_la_name.clone(),
            c.placement_id.clone(),
            c.urn.clone().unwrap_or_default(),
            c.setting_name.clone().unwrap_or_default(),
            c.place.clone(),
            c.start_date.to_string(),
            b(c.emergency),
            c.distance_miles.map(|d| format!("{d:.1}")).unwrap_or_default(),
            c.episodes_last_90_days.to_string(),
            b(c.currently_missing),
            c.missing_since.map(|t| t.to_rfc3339()).unwrap_or_default(),
            b(c.repeat_missing),
            b(c.return_interview_overdue),
            b(c.notification_late),
            b(c.notification_unacknowledged),
        ])?;
    }
    w.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_date_keys_sort_newest_first_and_decode() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date");
        let (older, newer) = (d("2019-12-31"), d("2026-01-05"));
        assert!(start_date_key(newer) < start_date_key(older));
        for day in [older, newer, d("0999-01-01")] {
            assert_eq!(start_date_of_key(&start_date_key(day)), Some(day));
        }
        assert_eq!(start_date_of_key("not a key"), None);
        assert_eq!(start_date_of_key("79739999"), None, "no 99th month");
    }
}
