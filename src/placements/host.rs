//! The host view: children placed in an LA's area on a date, by any LA, with their missing
//! flags and the state of the placement's notification; filtered, sorted, paged or as CSV.

use super::model::PlacedChild;
use crate::db::AnyConnection;
use crate::db::schema::{authorities, children, notifications, placements, settings};
use crate::error::ApiError;
use crate::flags;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use std::collections::HashMap;

type Row = (
    (String, String, String, NaiveDate, String),
    (String, String, String, Option<String>, Option<String>, String),
    (NaiveDate, Option<NaiveDate>, bool, Option<f64>),
);

/// Narrows the host view in SQL.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub placing_la: Option<String>,
    pub urn: Option<String>,
}

/// The first `limit` rows in the default order (newest start first, then placement id) after
/// a cursor's start date and placement id.
#[derive(Debug, Clone)]
pub struct Top {
    pub after: Option<(NaiveDate, String)>,
    pub limit: i64,
}

/// Every placement in `host` open on `on` (started on or before, not ended by then) that
/// matches `filter`, with its flags left unset: see [`add_flags`]. With `top`, at most
/// `top.limit` of the open placements, in the default order, and every one ending after the
/// date: the caller sorts the union with [`sort_key`] as for all rows and keeps a page.
pub fn placed_children(
    conn: &mut AnyConnection,
    host: &str,
    on: NaiveDate,
    filter: &Filter,
    top: Option<&Top>,
) -> Result<Vec<PlacedChild>, ApiError> {
    // Two index ranges on (host_area, end_date) instead of an OR over years of history: the
    // placements still open, and those ending after the date.
    let mut rows: Vec<Row> = Vec::new();
    for still_open in [true, false] {
        let mut q = placements::table
            .inner_join(children::table)
            .inner_join(authorities::table.on(authorities::code.eq(placements::placing_la)))
            .left_join(settings::table.on(settings::urn.nullable().eq(placements::urn)))
            .filter(placements::host_area.eq(host))
            .filter(placements::start_date.le(on))
            .select((
                (children::id, children::given_name, children::family_name, children::date_of_birth, children::sex),
                (
                    placements::placing_la,
                    authorities::name,
                    placements::id,
                    placements::urn,
                    settings::name.nullable(),
                    placements::place,
                ),
                (placements::start_date, placements::end_date, placements::emergency, placements::distance_miles),
            ))
            .into_boxed();
        q = if still_open { q.filter(placements::end_date.is_null()) } else { q.filter(placements::end_date.gt(on)) };
        if let Some(la) = &filter.placing_la {
            q = q.filter(placements::placing_la.eq(la.clone()));
        }
        if let Some(urn) = &filter.urn {
            q = q.filter(placements::urn.eq(urn.clone()));
        }
        // Only the open placements are many; the few ending after the date are read whole
        // (ordering those by start would walk every placement the area ever had).
        if let Some(top) = top.filter(|_| still_open) {
            if let Some((date, id)) = &top.after {
                q = q.filter(
                    placements::start_date
                        .lt(*date)
                        .or(placements::start_date.eq(*date).and(placements::id.gt(id.clone()))),
                );
            }
            q = q.order((placements::start_date.desc(), placements::id.asc())).limit(top.limit);
        }
        rows.extend(q.load::<Row>(conn)?);
    }
    Ok(rows
        .into_iter()
        .map(|(c, p, d)| PlacedChild {
            child_id: c.0,
            given_name: c.1,
            family_name: c.2,
            date_of_birth: c.3,
            sex: c.4,
            placing_la: p.0,
            placing_la_name: p.1,
            placement_id: p.2,
            urn: p.3,
            setting_name: p.4,
            place: p.5,
            start_date: d.0,
            end_date: d.1,
            emergency: d.2,
            distance_miles: d.3,
            episodes_last_90_days: 0,
            currently_missing: false,
            missing_since: None,
            repeat_missing: false,
            return_interview_overdue: false,
            notification_late: false,
            notification_unacknowledged: false,
        })
        .collect())
}

/// Sets the missing flags of `rows` as of `now`, and the state of the placement notification
/// `host` received for each.
pub fn add_flags(
    conn: &mut AnyConnection,
    host: &str,
    rows: &mut [PlacedChild],
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let child_ids: Vec<String> = rows.iter().map(|r| r.child_id.clone()).collect();
    let missing = crate::children::service::flags_of_children(conn, &child_ids, now)?;
    let mut notices: HashMap<String, (Option<bool>, bool)> = HashMap::new();
    let placement_ids: Vec<&str> = rows.iter().map(|r| r.placement_id.as_str()).collect();
    for chunk in placement_ids.chunks(500) {
        let found: Vec<(Option<String>, Option<bool>, Option<NaiveDateTime>)> = notifications::table
            .filter(notifications::placement_id.eq_any(chunk))
            .filter(notifications::kind.eq("placement.started"))
            .filter(notifications::recipient_la.eq(host))
            .select((notifications::placement_id, notifications::on_time, notifications::acknowledged_at))
            .load(conn)?;
        for (pid, on_time, ack) in found {
            if let Some(pid) = pid {
                notices.insert(pid, (on_time, ack.is_none()));
            }
        }
    }
    for c in rows {
        let f = missing.get(&c.child_id).cloned().unwrap_or_else(|| flags::child(&[], now));
        let (on_time, unacknowledged) = notices.get(&c.placement_id).copied().unwrap_or((None, false));
        c.episodes_last_90_days = f.episodes_last_90_days;
        c.currently_missing = f.currently_missing;
        c.missing_since = f.missing_since;
        c.repeat_missing = f.repeat_missing;
        c.return_interview_overdue = f.return_interview_overdue;
        c.notification_late = on_time == Some(false);
        c.notification_unacknowledged = unacknowledged;
    }
    Ok(())
}

/// The flags the host view filters on.
pub const FLAGS: &[&str] = &[
    "currently_missing",
    "repeat_missing",
    "return_interview_overdue",
    "notification_late",
    "notification_unacknowledged",
];

pub fn has_flag(c: &PlacedChild, flag: &str) -> bool {
    match flag {
        "currently_missing" => c.currently_missing,
        "repeat_missing" => c.repeat_missing,
        "return_interview_overdue" => c.return_interview_overdue,
        "notification_late" => c.notification_late,
        "notification_unacknowledged" => c.notification_unacknowledged,
        _ => false,
    }
}

/// Sort orders: `start_date` (newest first, the default), `family_name`, `placing_la`,
/// `episodes` (most episodes in the last 90 days first).
pub const SORTS: &[&str] = &["start_date", "family_name", "placing_la", "episodes"];

/// Whether rows must carry their flags before they can be filtered and sorted; otherwise only
/// the page shown needs them.
pub fn flags_before_paging(flag: Option<&str>, sort: &str) -> bool {
    flag.is_some() || sort == "episodes"
}

/// The sort key of a row (compared as strings, with ties broken by placement id).
pub fn sort_key(c: &PlacedChild, sort: &str) -> String {
    match sort {
        "family_name" => format!("{}\u{1f}{}", c.family_name.to_lowercase(), c.given_name.to_lowercase()),
        "placing_la" => c.placing_la_name.to_lowercase(),
        // Descending orders sort on a complement so that ascending string order applies.
        "episodes" => format!("{:020}", i64::MAX - c.episodes_last_90_days),
        _ => start_date_key(c.start_date),
    }
}

/// The `start_date` sort key: newest first as ascending text.
fn start_date_key(d: NaiveDate) -> String {
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
