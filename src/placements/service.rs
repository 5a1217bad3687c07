//! Rules for placements: SSDA903 codes and their compatibility, where the child lives (from the
//! postcode, never from the caller alone), no overlapping placements, and ends with a reason.

use super::model::*;
use super::repo;
use crate::auth::Caller;
use crate::calendar::WorkingCalendar;
use crate::children::repo as children;
use crate::db::AnyConnection;
use crate::directory::repo as directory;
use crate::error::{ApiError, FieldError};
use crate::geo::Geo;
use crate::notifications::service as notify;
use crate::{location, ssda903};
use chrono::{Datelike, NaiveDate, NaiveDateTime};

/// Earliest date DfE accepts for an episode (rule 353).
fn earliest_episode() -> NaiveDate {
    NaiveDate::from_ymd_opt(1991, 10, 14).unwrap_or(NaiveDate::MIN)
}

struct Where {
    urn: Option<String>,
    host_area: String,
    postcode: String,
}

/// Where the placement is: a registered setting's location, or the postcode given.
fn resolve_where(
    conn: &mut AnyConnection,
    errors: &mut Vec<FieldError>,
    place: &str,
    urn: Option<&str>,
    postcode: Option<&str>,
    host_la: Option<&str>,
) -> Result<Option<Where>, ApiError> {
    let urn = urn.map(|u| u.trim().to_ascii_uppercase()).filter(|u| !u.is_empty());
    let found = match &urn {
        Some(u) => directory::setting_location(conn, u)?,
        None => None,
    };
    let resolved = if let (Some(u), Some((host_area, setting_pc, _))) = (&urn, found) {
        if let Some(pc) = postcode
            && crate::geo::normalise(pc).as_deref() != Some(setting_pc.as_str())
        {
            errors
                .push(FieldError::new("postcode", "comes from the setting; leave it out for a placement in a setting"));
        }
        if let Some(h) = host_la.filter(|h| !h.eq_ignore_ascii_case(&host_area)) {
            errors.push(FieldError::new("host_la", format!("setting {u} is in {host_area}, not {h}")));
        }
        Some(Where { urn: Some(u.clone()), host_area, postcode: setting_pc })
    } else {
        if let Some(u) = &urn {
            let agency = ssda903::urn_rule(place) == ssda903::UrnRule::RequiredOrAgency
                && (u == ssda903::AGENCY_URN || ssda903::is_valid_urn(u));
            if !agency {
                errors.push(FieldError::new("urn", format!("no setting with URN {u} is registered")));
                return Ok(None);
            }
        }
        match postcode {
            None => {
                errors.push(FieldError::new("postcode", "is required for a placement not in a registered setting"));
                None
            }
            Some(pc) => match location::resolve("postcode", pc, "host_la", host_la) {
                Ok(loc) => {
                    Some(Where { urn: urn.clone(), host_area: loc.area.code().to_string(), postcode: loc.postcode })
                }
                Err(mut e) => {
                    errors.append(&mut e);
                    None
                }
            },
        }
    };
    if let Some(w) = &resolved {
        let in_england = w.host_area.starts_with('E');
        if let Err(m) = ssda903::check_urn_for_location(place, w.urn.as_deref(), in_england) {
            errors.push(FieldError::new("urn", m));
        }
    }
    Ok(resolved)
}

fn check_codes(errors: &mut Vec<FieldError>, place: &str, provider: Option<&str>) {
    if !ssda903::is_code(ssda903::PLACE, place) {
        let why = if ssda903::WITHDRAWN_PLACE.contains(&place) {
            "was withdrawn in 2025-26"
        } else {
            "is not an SSDA903 PLACE code"
        };
        errors.push(FieldError::new("place", why));
        return;
    }
    if let Some(p) = provider
        && !ssda903::is_code(ssda903::PLACE_PROVIDER, p)
    {
        errors.push(FieldError::new("place_provider", "is not an SSDA903 PLACE_PROVIDER code"));
        return;
    }
    if let Err(m) = ssda903::check_place_provider(place, provider) {
        errors.push(FieldError::new("place_provider", m));
    }
}

fn check_legal_status(errors: &mut Vec<FieldError>, field: &str, ls: &str) {
    if !ssda903::is_code(ssda903::LEGAL_STATUS, ls) {
        errors.push(FieldError::new(field, "is not an SSDA903 LS code"));
    }
}

fn check_start(errors: &mut Vec<FieldError>, start: NaiveDate, dob: NaiveDate) {
    if start < dob {
        errors.push(FieldError::new("start_date", "is before the child's date of birth").rule("302"));
    }
    if start < earliest_episode() {
        errors.push(FieldError::new("start_date", "is before 14/10/1991").rule("353"));
    }
}

/// Refuses a period that overlaps another placement of the child; ending the day the next one
/// starts (a move) is fine.
fn check_overlap(
    others: &[PlacementRecord],
    id: &str,
    start: NaiveDate,
    end: Option<NaiveDate>,
) -> Result<(), ApiError> {
    for o in others.iter().filter(|o| o.id != id) {
        let starts_before_other_ends = o.end_date.is_none_or(|e| start < e);
        let other_starts_before_end = end.is_none_or(|e| o.start_date < e);
        if (starts_before_other_ends && other_starts_before_end) || o.start_date == start {
            let mut extra = serde_json::Map::new();
            extra.insert("overlapping_placement_id".into(), serde_json::Value::String(o.id.clone()));
            return Err(ApiError::Conflict {
                kind: crate::error::ProblemType::OverlappingPlacement,
                detail: format!(
                    "The child already has a placement from {}{}; end it first (a move ends one placement the day the next starts).",
                    o.start_date,
                    o.end_date.map(|e| format!(" to {e}")).unwrap_or_default()
                ),
                extra,
            });
        }
    }
    Ok(())
}

fn distance(home: Option<&str>, placement: &str) -> Option<f64> {
    home.and_then(|h| Geo::global().distance_miles(h, placement))
}

/// Registers a placement for one of the caller's children.
pub fn create(
    conn: &mut AnyConnection,
    cal: &WorkingCalendar,
    la: &str,
    input: NewPlacement,
    now: NaiveDateTime,
) -> Result<PlacementRecord, ApiError> {
    let child = children::find(conn, &input.child_id)?
        .filter(|c| c.responsible_la == la)
        .ok_or_else(|| ApiError::field("child_id", "no child with this id among your children"))?;
    children::lock(conn, &child.id)?;
    let mut errors = Vec::new();
    check_codes(&mut errors, &input.place, input.place_provider.as_deref());
    check_legal_status(&mut errors, "legal_status", &input.legal_status);
    check_start(&mut errors, input.start_date, child.date_of_birth);
    let place_ok = errors.iter().all(|e| e.field != "place");
    let wh = if place_ok {
        resolve_where(
            conn,
            &mut errors,
            &input.place,
            input.urn.as_deref(),
            input.postcode.as_deref(),
            input.host_la.as_deref(),
        )?
    } else {
        None
    };
    let Some(wh) = wh.filter(|_| errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    check_overlap(&repo::of_child(conn, &child.id)?, "", input.start_date, None)?;
    let p = PlacementRecord {
        id: uuid::Uuid::new_v4().to_string(),
        child_id: child.id.clone(),
        placing_la: la.to_string(),
        distance_miles: distance(child.home_postcode.as_deref(), &wh.postcode),
        urn: wh.urn,
        host_area: wh.host_area,
        postcode: wh.postcode,
        place: input.place,
        place_provider: input.place_provider,
        start_date: input.start_date,
        end_date: None,
        rec: None,
        reason_place_change: None,
        emergency: input.emergency,
        ended_recorded_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    repo::insert(conn, &p)?;
    repo::put_legal_status(conn, &p.id, p.start_date, &input.legal_status, now)?;
    notify::placement_started(conn, cal, &p, &input.legal_status, now)?;
    crate::admissions::service::resolve_for_placement(conn, &p, &child, now)?;
    Ok(p)
}

/// The placement when the caller made it; 404 when invisible, 403 when only hosted.
fn own(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<PlacementRecord, ApiError> {
    let p = repo::find_visible(conn, caller, id)?.ok_or(ApiError::NotFound)?;
    if p.placing_la != caller.org {
        return Err(ApiError::forbidden("Only the placing LA may change a placement."));
    }
    Ok(p)
}

fn check_end(
    errors: &mut Vec<FieldError>,
    p: &PlacementRecord,
    dob: NaiveDate,
    end: NaiveDate,
    rec: &str,
    reason: Option<&str>,
    statuses: &[LegalStatusPeriod],
) {
    if end < p.start_date {
        errors.push(FieldError::new("end_date", "is before the start date").rule("356"));
    }
    if !ssda903::is_code(ssda903::REC, rec) {
        errors.push(FieldError::new("rec", "is not an SSDA903 REC code"));
    }
    let needs_reason = rec == "X1" && !ssda903::is_temporary_place(&p.place);
    match reason {
        None if needs_reason => errors.push(
            FieldError::new("reason_place_change", "is required when the child moves to another placement (REC X1)")
                .rule("225"),
        ),
        Some(r) if !ssda903::is_code(ssda903::REASON_PLACE_CHANGE, r) => {
            errors.push(FieldError::new("reason_place_change", "is not an SSDA903 REASON_PLACE_CHANGE code"))
        }
        Some(_) if !needs_reason => errors.push(FieldError::new(
            "reason_place_change",
            "is given only when the child moves to another placement (REC X1), not after a temporary placement",
        )),
        Some("CUSTOD") if age_on(dob, end) < 10 => {
            errors.push(FieldError::new("reason_place_change", "CUSTOD cannot apply to a child under 10").rule("234"))
        }
        _ => {}
    }
    if let Some(late) = statuses.iter().find(|s| s.effective_from > end) {
        errors.push(FieldError::new(
            "end_date",
            format!("is before the legal status change recorded on {}", late.effective_from),
        ));
    }
}

fn age_on(dob: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - dob.year();
    if (on.month(), on.day()) < (dob.month(), dob.day()) {
        age -= 1;
    }
    age
}

/// Ends a placement (placing LA only).
pub fn end(
    conn: &mut AnyConnection,
    cal: &WorkingCalendar,
    caller: &Caller,
    id: &str,
    input: EndPlacement,
    expected: Option<i64>,
    now: NaiveDateTime,
) -> Result<PlacementRecord, ApiError> {
    let mut p = own(conn, caller, id)?;
    if expected.is_some_and(|v| v != p.version) {
        return Err(ApiError::PreconditionFailed);
    }
    if p.end_date.is_some() {
        return Err(ApiError::conflict(
            crate::error::ProblemType::AlreadyEnded,
            "This placement has already ended; amend it to correct the end.",
        ));
    }
    let child = children::find(conn, &p.child_id)?.ok_or(ApiError::NotFound)?;
    children::lock(conn, &child.id)?;
    let statuses = repo::legal_statuses(conn, &p.id)?;
    let mut errors = Vec::new();
    check_end(
        &mut errors,
        &p,
        child.date_of_birth,
        input.end_date,
        &input.rec,
        input.reason_place_change.as_deref(),
        &statuses,
    );
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let version = p.version;
    p.end_date = Some(input.end_date);
    p.rec = Some(input.rec);
    p.reason_place_change = input.reason_place_change.clone();
    p.ended_recorded_at = Some(now);
    p.updated_at = now;
    if repo::update(conn, &p, version)? == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    p.version = version + 1;
    crate::missing::service::end_open_in_placement(
        conn,
        caller,
        &p,
        &child,
        input.end_open_missing_episodes.as_ref(),
        now,
    )?;
    notify::placement_ended(conn, cal, &p, now)?;
    crate::admissions::service::resolve_discharge(conn, &p, &child, now)?;
    Ok(p)
}

/// Corrects a placement (placing LA only).
pub fn amend(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    patch: PlacementPatch,
    expected: i64,
    now: NaiveDateTime,
) -> Result<(PlacementRecord, PlacementRecord), ApiError> {
    let before = own(conn, caller, id)?;
    if before.version != expected {
        return Err(ApiError::PreconditionFailed);
    }
    let child = children::find(conn, &before.child_id)?.ok_or(ApiError::NotFound)?;
    children::lock(conn, &child.id)?;
    let mut p = before.clone();
    let mut errors = Vec::new();
    if (patch.end_date.is_some() || patch.rec.is_some() || patch.reason_place_change.is_some()) && p.end_date.is_none()
    {
        errors.push(FieldError::new(
            "end_date",
            "this placement has not ended: end it with POST /v1/placements/{id}/end",
        ));
    }
    if let Some(v) = patch.place {
        p.place = v;
    }
    if let Some(v) = patch.place_provider {
        p.place_provider = v;
    }
    if let Some(v) = patch.emergency {
        p.emergency = v;
    }
    if let Some(v) = patch.end_date {
        p.end_date = Some(v);
    }
    if let Some(v) = patch.rec {
        p.rec = Some(v);
    }
    if let Some(v) = patch.reason_place_change {
        p.reason_place_change = v;
    }
    let old_start = p.start_date;
    if let Some(v) = patch.start_date {
        p.start_date = v;
    }
    check_codes(&mut errors, &p.place, p.place_provider.as_deref());
    check_start(&mut errors, p.start_date, child.date_of_birth);
    let location_changed = patch.urn.is_some() || patch.postcode.is_some() || patch.host_la.is_some();
    let place_ok = errors.iter().all(|e| e.field != "place");
    if place_ok {
        let urn = match &patch.urn {
            Some(u) => u.clone(),
            None => p.urn.clone(),
        };
        let postcode = match (&patch.postcode, location_changed) {
            (Some(pc), _) => Some(pc.clone()),
            (None, true) if patch.urn.is_some() => None,
            _ if urn.is_some() && directory::setting_location(conn, urn.as_deref().unwrap_or_default())?.is_some() => {
                None
            }
            _ => Some(p.postcode.clone()),
        };
        if let Some(w) =
            resolve_where(conn, &mut errors, &p.place, urn.as_deref(), postcode.as_deref(), patch.host_la.as_deref())?
        {
            p.urn = w.urn;
            p.host_area = w.host_area;
            p.postcode = w.postcode;
        }
    }
    let mut statuses = repo::legal_statuses(conn, &p.id)?;
    if p.start_date != old_start {
        let crosses_next = statuses.get(1).is_some_and(|s| s.effective_from <= p.start_date);
        if let Some(first) = statuses.first_mut() {
            if crosses_next {
                errors.push(FieldError::new("start_date", "is after a later legal status change"));
            } else {
                first.effective_from = p.start_date;
            }
        }
    }
    if let (Some(e), Some(rec)) = (p.end_date, p.rec.clone()) {
        check_end(&mut errors, &p, child.date_of_birth, e, &rec, p.reason_place_change.as_deref(), &statuses);
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    check_overlap(&repo::of_child(conn, &child.id)?, &p.id, p.start_date, p.end_date)?;
    p.distance_miles = distance(child.home_postcode.as_deref(), &p.postcode);
    p.updated_at = now;
    if repo::update(conn, &p, expected)? == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    if p.start_date != old_start {
        repo::move_first_legal_status(conn, &p.id, old_start, p.start_date)?;
    }
    p.version = expected + 1;
    notify::placement_changed(conn, &before, &p, now)?;
    Ok((before, p))
}

/// Records a change of legal status during a placement (placing LA only).
pub fn change_legal_status(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    input: NewLegalStatus,
    now: NaiveDateTime,
) -> Result<PlacementRecord, ApiError> {
    let mut p = own(conn, caller, id)?;
    let mut errors = Vec::new();
    check_legal_status(&mut errors, "legal_status", &input.legal_status);
    if input.effective_from < p.start_date {
        errors.push(FieldError::new("effective_from", "is before the placement started"));
    }
    if p.end_date.is_some_and(|e| input.effective_from > e) {
        errors.push(FieldError::new("effective_from", "is after the placement ended"));
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let before = p.clone();
    let version = p.version;
    repo::put_legal_status(conn, &p.id, input.effective_from, &input.legal_status, now)?;
    p.updated_at = now;
    if repo::update(conn, &p, version)? == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    p.version = version + 1;
    notify::placement_changed(conn, &before, &p, now)?;
    Ok(p)
}

/// The API view of placements, loading legal statuses and setting names in two queries.
pub fn views(
    conn: &mut AnyConnection,
    records: Vec<PlacementRecord>,
    today: NaiveDate,
) -> Result<Vec<Placement>, ApiError> {
    let ids: Vec<String> = records.iter().map(|p| p.id.clone()).collect();
    let urns: Vec<String> = records.iter().filter_map(|p| p.urn.clone()).collect();
    let mut statuses = repo::legal_statuses_of(conn, &ids)?;
    let names = repo::setting_names(conn, &urns)?;
    Ok(records
        .into_iter()
        .map(|p| {
            let legal_statuses = statuses.remove(&p.id).unwrap_or_default();
            let as_of = p.end_date.map_or(today, |e| e.min(today));
            let legal_status = legal_statuses
                .iter()
                .rev()
                .find(|s| s.effective_from <= as_of)
                .or(legal_statuses.first())
                .map(|s| s.legal_status.clone())
                .unwrap_or_default();
            Placement {
                setting_name: p.urn.as_ref().and_then(|u| names.get(u).cloned()),
                out_of_area: p.host_area != p.placing_la,
                id: p.id,
                child_id: p.child_id,
                placing_la: p.placing_la,
                urn: p.urn,
                host_area: p.host_area,
                postcode: p.postcode,
                place: p.place,
                place_provider: p.place_provider,
                legal_status,
                legal_statuses,
                start_date: p.start_date,
                end_date: p.end_date,
                rec: p.rec,
                reason_place_change: p.reason_place_change,
                emergency: p.emergency,
                distance_miles: p.distance_miles,
                version: p.version,
                created_at: p.created_at.and_utc(),
                updated_at: p.updated_at.and_utc(),
            }
        })
        .collect())
}

pub fn view(conn: &mut AnyConnection, p: PlacementRecord, today: NaiveDate) -> Result<Placement, ApiError> {
    views(conn, vec![p], today)?.pop().ok_or_else(|| ApiError::internal("placement view missing"))
}
