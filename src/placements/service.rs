//! What a placing LA does with a placement (register, correct, end, change its legal status), and
//! what follows from each in the same transaction: the host LA's notification with its statutory
//! clock, the home's admission or discharge matched, the child's open missing episodes ended, the
//! audit entry. Placements sit above missing episodes and admissions for this reason.

use super::model::*;
use super::repo;
use super::rules::{
    Where, check_adoption_place_status, check_codes, check_end, check_final_end, check_how_it_starts,
    check_legal_status, check_legal_status_for_age, check_next_start, check_overlap, check_own_provision,
    check_place_and_status, check_place_for_age, check_rec_for_place, check_short_break_place, check_start,
    check_status_lengths, resolve_where,
};
use crate::audit;
use crate::auth::{Caller, OrgType};
use crate::calendar::WorkingCalendar;
use crate::children::repo as children;
use crate::clock::date_of;
use crate::db::AnyConnection;
use crate::db::rows::placements::PlacementRecord;
use crate::directory::repo as directory;
use crate::error::{ApiError, FieldError, ProblemType};
use crate::geo::Geo;
use crate::http::{Page, PageQuery};
use crate::ids::{ChildId, PlacementId};
use crate::notifications::service as notify;
use chrono::{NaiveDate, NaiveDateTime};

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
    crate::peers::service::check_child_held_here(conn, child.id.as_str())?;
    children::lock(conn, &child.id)?;
    let mut errors = Vec::new();
    check_codes(&mut errors, &input.place, input.place_provider.as_deref(), input.start_date);
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
    check_place_and_status(&mut errors, "legal_status", &input.place, &input.legal_status);
    check_place_for_age(&mut errors, &input.place, child.date_of_birth, input.start_date);
    check_short_break_place(&mut errors, "place", &input.legal_status, &input.place);
    check_adoption_place_status(&mut errors, "legal_status", &input.place, &input.legal_status);
    check_legal_status_for_age(&mut errors, &input.legal_status, child.date_of_birth, input.start_date);
    let others = repo::of_child(conn, &child.id)?;
    if let Some(w) = &wh {
        check_how_it_starts(&mut errors, &others, None, child.date_of_birth, input.start_date, &input.place, w);
        check_own_provision(
            &mut errors,
            "place_provider",
            la,
            &input.place,
            input.place_provider.as_deref(),
            &input.legal_status,
            &w.host_area,
            input.start_date,
        );
    }
    let Some(wh) = wh.filter(|_| errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    check_overlap(&others, None, input.start_date, None)?;
    let p = PlacementRecord {
        id: PlacementId::generate(),
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
    crate::peers::service::check_placement_held_here(conn, id)?;
    if p.placing_la != caller.org {
        return Err(ApiError::forbidden("Only the placing LA may change a placement."));
    }
    Ok(p)
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
            ProblemType::AlreadyEnded,
            "This placement has already ended; amend it to correct the end.",
        ));
    }
    let child = children::find(conn, p.child_id.as_str())?.ok_or(ApiError::NotFound)?;
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
    check_rec_for_place(&mut errors, &p.place, &input.rec);
    // Only an ending that closes care for good is read with the child's other placements.
    if crate::ssda903::ends_care_for_good(&input.rec) {
        check_final_end(&mut errors, &repo::of_child(conn, &child.id)?, &p.id, input.end_date, &input.rec);
    }
    check_status_lengths(&mut errors, "end_date", &statuses, input.end_date);
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
    let child = children::find(conn, before.child_id.as_str())?.ok_or(ApiError::NotFound)?;
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
    let old_start = p.start_date;
    crate::apply_patch!(p, patch, [place, place_provider, emergency, reason_place_change, start_date]);
    if let Some(v) = patch.end_date {
        p.end_date = Some(v);
    }
    if let Some(v) = patch.rec {
        p.rec = Some(v);
    }
    check_codes(&mut errors, &p.place, p.place_provider.as_deref(), p.start_date);
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
        if p.place != before.place || p.rec != before.rec {
            check_rec_for_place(&mut errors, &p.place, &rec);
        }
    }
    if p.place != before.place || p.start_date != before.start_date {
        check_place_for_age(&mut errors, &p.place, child.date_of_birth, p.start_date);
    }
    let where_changed = (&p.place, &p.start_date, &p.urn, &p.postcode)
        != (&before.place, &before.start_date, &before.urn, &before.postcode);
    let others = repo::of_child(conn, &child.id)?;
    if let (Some(e), Some(rec)) = (p.end_date, p.rec.as_deref())
        && (p.end_date != before.end_date || p.rec != before.rec)
    {
        check_final_end(&mut errors, &others, &p.id, e, rec);
    }
    if where_changed {
        let w = Where { urn: p.urn.clone(), host_area: p.host_area.clone(), postcode: p.postcode.clone() };
        check_how_it_starts(&mut errors, &others, Some(&p.id), child.date_of_birth, p.start_date, &p.place, &w);
    }
    let ending_changed = (&p.end_date, &p.rec) != (&before.end_date, &before.rec);
    if where_changed || ending_changed {
        let field = match () {
            _ if p.place != before.place => "place",
            _ if p.rec != before.rec => "rec",
            _ if p.end_date != before.end_date => "end_date",
            _ if p.start_date != before.start_date => "start_date",
            _ => "urn",
        };
        check_next_start(&mut errors, &others, &p, child.date_of_birth, field);
    }
    if where_changed || p.place_provider != before.place_provider || p.host_area != before.host_area {
        // Every legal status the placement has had is an episode DfE checks; one refusal is enough.
        let n = errors.len();
        for s in &statuses {
            if errors.len() > n {
                break;
            }
            check_own_provision(
                &mut errors,
                "place_provider",
                &p.placing_la,
                &p.place,
                p.place_provider.as_deref(),
                &s.legal_status,
                &p.host_area,
                s.effective_from.max(p.start_date),
            );
        }
    }
    // A new placement type is checked against every legal status the placement has had (378).
    if p.place != before.place
        && let Some(s) = statuses.iter().find(|s| s.legal_status == "V2")
    {
        check_place_and_status(&mut errors, "place", &p.place, &s.legal_status);
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    check_overlap(&others, Some(&p.id), p.start_date, p.end_date)?;
    p.distance_miles = distance(child.home_postcode.as_deref(), &p.postcode);
    p.updated_at = now;
    if repo::update(conn, &p, expected)? == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    if p.start_date != old_start {
        repo::move_first_legal_status(conn, &p.id, old_start, p.start_date)?;
    }
    if (&p.urn, &p.host_area) != (&before.urn, &before.host_area) {
        // Episodes carry their placement's area and setting for reports: keep them in step.
        crate::missing::repo::copy_placement_scope(conn, &p.id)?;
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
    check_place_and_status(&mut errors, "legal_status", &p.place, &input.legal_status);
    check_short_break_place(&mut errors, "legal_status", &input.legal_status, &p.place);
    check_adoption_place_status(&mut errors, "legal_status", &p.place, &input.legal_status);
    if input.legal_status == "V3" && input.effective_from > p.start_date {
        errors.push(
            FieldError::new(
                "legal_status",
                "a short break (V3) starts a period of care: it cannot begin during a placement",
            )
            .rule("366"),
        );
    }
    if let Some(child) = children::find(conn, p.child_id.as_str())? {
        check_legal_status_for_age(&mut errors, &input.legal_status, child.date_of_birth, input.effective_from);
        // 359: from the 18th birthday on, a placement still going is under V2 in a children's home.
        if p.end_date.is_none()
            && let Some((rule, message)) = crate::ssda903::looked_after_past_18(
                &input.legal_status,
                &p.place,
                child.date_of_birth,
                input.effective_from.succ_opt().unwrap_or(input.effective_from),
            )
        {
            errors.push(FieldError::new("legal_status", message).rule(rule));
        }
    }
    check_own_provision(
        &mut errors,
        "legal_status",
        &p.placing_la,
        &p.place,
        p.place_provider.as_deref(),
        &input.legal_status,
        &p.host_area,
        input.effective_from,
    );
    let mut statuses = repo::legal_statuses(conn, &p.id)?;
    // 217: a new legal status during a placement for adoption with the current foster carers
    // starts an episode that shows neither a new period of care nor the same carers (RNE L).
    let in_force = statuses.iter().rev().find(|s| s.effective_from < input.effective_from);
    if input.effective_from > p.start_date
        && p.end_date != Some(input.effective_from)
        && in_force.is_some_and(|s| s.legal_status != input.legal_status)
        && let Some((rule, message)) = crate::ssda903::adoption_with_carers_start(&p.place, input.effective_from, "L")
    {
        errors.push(FieldError::new("legal_status", message).rule(rule));
    }
    statuses.retain(|s| s.effective_from != input.effective_from);
    statuses.push(LegalStatusPeriod { effective_from: input.effective_from, legal_status: input.legal_status.clone() });
    statuses.sort_by_key(|s| s.effective_from);
    if statuses.last().is_some_and(|s| s.effective_from == input.effective_from) {
        // Police protection before this change must have ended within 72 hours of starting.
        check_status_lengths(&mut errors, "effective_from", &statuses, input.effective_from);
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
    let ids: Vec<PlacementId> = records.iter().map(|p| p.id.clone()).collect();
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
            let warnings = crate::ssda903::withdrawn_place_warning(&p.place, p.start_date, p.end_date.unwrap_or(today))
                .into_iter()
                .collect();
            Placement {
                setting_name: p.urn.as_ref().and_then(|u| names.get(u).cloned()),
                out_of_area: p.host_area != p.placing_la,
                id: p.id.0,
                child_id: p.child_id.0,
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
                host_notification: None,
                warnings,
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

/// Registers a placement of one of the caller's children, with its audit entry, in the caller's
/// transaction.
pub fn register(
    conn: &mut AnyConnection,
    cal: &WorkingCalendar,
    caller: &Caller,
    input: NewPlacement,
    now: NaiveDateTime,
) -> Result<Placement, ApiError> {
    let legal_status = input.legal_status.clone();
    let p = create(conn, cal, &caller.org, input, now)?;
    audit::record(conn, caller, "placement.create", std::slice::from_ref(&p.child_id), now)?;
    let child = children::find(conn, p.child_id.as_str())?;
    let mut v = view(conn, p, date_of(now))?;
    if let Some(c) = &child {
        v.warnings.extend(crate::ssda903::home_postcode_warning(
            c.uasc,
            c.home_postcode.as_deref(),
            Some(&legal_status),
        ));
        // 359: a placement recorded after the child turned 18 is accepted (it may have ended at
        // 18, its end recorded next) and flagged until it ends.
        if let Some((rule, message)) =
            crate::ssda903::looked_after_past_18(&legal_status, &v.place, c.date_of_birth, date_of(now))
        {
            v.warnings.push(crate::ssda903::Warning {
                rule: rule.into(),
                field: "end_date".into(),
                message: message.into(),
            });
        }
    }
    v.warnings.extend(crate::ssda903::distance_warning(v.distance_miles, v.start_date));
    Ok(v)
}

/// Placements the caller made (an LA) or those in its settings (a provider), newest first.
pub fn list(
    conn: &mut AnyConnection,
    caller: &Caller,
    q: PlacementQuery,
    now: NaiveDateTime,
) -> Result<Page<Placement>, ApiError> {
    if caller.org_type == OrgType::Operator {
        return Err(ApiError::forbidden("The operator does not see placements."));
    }
    let page = PageQuery { limit: q.limit, cursor: q.cursor };
    let limit = page.limit()?;
    let after = page.after_pair::<NaiveDate>()?.map(|(d, id)| (d, PlacementId::from(id)));
    let filter = repo::ListFilter {
        placing_la: (caller.org_type == OrgType::Authority).then(|| caller.org.clone()),
        child_id: q.child_id.map(ChildId::from),
        open_on: q.open_on.map(|d| d.0),
    };
    let rows = repo::list(conn, caller, &filter, after, limit)?;
    let mut ids: Vec<ChildId> = rows.iter().take(limit as usize).map(|p| p.child_id.clone()).collect();
    ids.sort();
    ids.dedup();
    audit::read(conn, caller, "placement.list", &ids, now)?;
    let views = views(conn, rows, date_of(now))?;
    Ok(Page::from_rows(views, limit, |p| vec![p.start_date.to_string(), p.id.clone()]))
}

/// One placement the caller may see.
pub fn read(conn: &mut AnyConnection, caller: &Caller, id: &str, now: NaiveDateTime) -> Result<Placement, ApiError> {
    let p = repo::find_visible(conn, caller, id)?.ok_or(ApiError::NotFound)?;
    audit::read(conn, caller, "placement.read", std::slice::from_ref(&p.child_id), now)?;
    let placing = p.placing_la == caller.org;
    let mut v = view(conn, p, date_of(now))?;
    if placing {
        v.host_notification = repo::host_relay(conn, &v.id)?.map(|r| HostNotification {
            notification_id: r.notification_id,
            node: r.node,
            received_at: r.received_at.map(|t| t.and_utc()),
            receipt_id: r.receipt_id,
        });
    }
    Ok(v)
}

/// Corrects a placement at the version the caller read, with its audit entry.
pub fn correct(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    patch: PlacementPatch,
    version: i64,
    now: NaiveDateTime,
) -> Result<Placement, ApiError> {
    crate::db::write_tx(conn, |conn| {
        let (_before, p) = amend(conn, caller, id, patch, version, now)?;
        audit::record(conn, caller, "placement.amend", std::slice::from_ref(&p.child_id), now)?;
        view(conn, p, date_of(now))
    })
}

/// Ends a placement (at the version the caller read, when it says), with its audit entry.
pub fn finish(
    conn: &mut AnyConnection,
    cal: &WorkingCalendar,
    caller: &Caller,
    id: &str,
    input: EndPlacement,
    version: Option<i64>,
    now: NaiveDateTime,
) -> Result<Placement, ApiError> {
    crate::db::write_tx(conn, |conn| {
        let p = end(conn, cal, caller, id, input, version, now)?;
        audit::record(conn, caller, "placement.end", std::slice::from_ref(&p.child_id), now)?;
        view(conn, p, date_of(now))
    })
}

/// Records a legal status from a date, with its audit entry.
pub fn record_legal_status(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    input: NewLegalStatus,
    now: NaiveDateTime,
) -> Result<Placement, ApiError> {
    crate::db::write_tx(conn, |conn| {
        let p = change_legal_status(conn, caller, id, input, now)?;
        audit::record(conn, caller, "placement.legal_status", std::slice::from_ref(&p.child_id), now)?;
        view(conn, p, date_of(now))
    })
}
