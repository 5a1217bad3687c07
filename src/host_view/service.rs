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

/// What the host view answers: a page of children, or every matching child for a CSV download.
pub enum HostView {
    Page(Page<PlacedChild>),
    Csv { rows: Vec<PlacedChild>, on: NaiveDate },
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
    let page = PageQuery { limit: q.limit, cursor: q.cursor };
    let limit = page.limit()?;
    let after = page.after_pair::<String>()?;
    let sort = q.sort.unwrap_or_default();
    // The caller's own LA is registered (its token was checked against the directory): only
    // another code needs looking up, to tell an unknown one (404) from another LA's (403).
    if code != caller.org {
        if crate::directory::repo::find_authority(conn, code)?.is_none() {
            return Err(ApiError::NotFound);
        }
        return Err(ApiError::forbidden("Only the host LA itself may see who is placed in its area."));
    }
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
    let mut rows = repo::placed_children(conn, code, on, &filter, top.as_ref(), now)?;
    if notices_first {
        add_notification_flags(conn, code, &mut rows)?;
        rows.retain(|c| flag.is_none_or(|f| has_flag(c, f)));
    }
    let mut keyed: Vec<(String, PlacedChild)> = rows.into_iter().map(|c| (sort_key(&c, sort), c)).collect();
    keyed.sort_by(|a, b| (&a.0, &a.1.placement_id).cmp(&(&b.0, &b.1.placement_id)));
    if csv {
        let rows: Vec<PlacedChild> = keyed.into_iter().map(|(_, c)| c).collect();
        let ids: Vec<ChildId> = rows.iter().map(|c| ChildId::from(c.child_id.as_str())).collect();
        crate::audit::read(conn, caller, "host_view.read", &ids, now)?;
        return Ok(HostView::Csv { rows, on });
    }
    if let Some((k, id)) = after {
        keyed.retain(|(key, c)| (key, &c.placement_id) > (&k, &id));
    }
    keyed.truncate(limit as usize + 1);
    let (keys, mut rows): (Vec<String>, Vec<PlacedChild>) = keyed.into_iter().unzip();
    if !notices_first {
        add_notification_flags(conn, code, &mut rows)?;
    }
    let ids: Vec<ChildId> = rows.iter().take(limit as usize).map(|c| ChildId::from(c.child_id.as_str())).collect();
    crate::audit::read(conn, caller, "host_view.read", &ids, now)?;
    let keys: std::collections::HashMap<String, String> =
        rows.iter().zip(keys).map(|(c, k)| (c.placement_id.clone(), k)).collect();
    Ok(HostView::Page(Page::from_rows(rows, limit, |c| {
        vec![keys.get(&c.placement_id).cloned().unwrap_or_default(), c.placement_id.clone()]
    })))
}

/// Sets the state of the placement notification `host` received for each of `rows`.
pub fn add_notification_flags(conn: &mut AnyConnection, host: &str, rows: &mut [PlacedChild]) -> Result<(), ApiError> {
    let placement_ids: Vec<PlacementId> = rows.iter().map(|r| PlacementId::from(r.placement_id.as_str())).collect();
    let notices = repo::notification_states(conn, host, &placement_ids)?;
    for c in rows {
        let (on_time, unacknowledged) = notices.get(c.placement_id.as_str()).copied().unwrap_or((None, false));
        c.notification_late = on_time == Some(false);
        c.notification_unacknowledged = unacknowledged;
    }
    Ok(())
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
