//! Rules and effects of missing episodes: who may report, the SSDA903 checks, notifications.

use super::model::*;
use super::{repo, rules};
use crate::audit;
use crate::auth::{Caller, OrgType};
use crate::children::repo as children;
use crate::db::AnyConnection;
use crate::db::rows::children::ChildRecord;
use crate::db::rows::missing::EpisodeRecord;
use crate::db::rows::placements::PlacementRecord;
use crate::error::ApiError;
use crate::flags;
use crate::http::{Page, PageQuery};
use crate::ids::{ChildId, EpisodeId};
use crate::notifications::service::{Message, emit};
use chrono::NaiveDateTime;
use chrono::{DateTime, Utc};

fn naive(t: Option<chrono::DateTime<chrono::Utc>>) -> Option<NaiveDateTime> {
    t.map(crate::db::db_time)
}

fn episode_flags(e: &EpisodeRecord, now: NaiveDateTime) -> EpisodeFlags {
    EpisodeFlags {
        currently_missing: e.ended_at.is_none(),
        missing_for_minutes: e.ended_at.is_none().then(|| (now - e.started_at).num_minutes().max(0)),
        safe_and_well_recorded: e.safe_and_well_at.is_some(),
        return_interview: flags::return_interview(&e.clock(), now),
    }
}

pub fn view(e: EpisodeRecord, now: NaiveDateTime) -> Episode {
    let flags = episode_flags(&e, now);
    let safe_and_well = match (e.safe_and_well_at, e.safe_and_well_by.clone()) {
        (Some(at), Some(by)) => Some(SafeAndWell { at: at.and_utc(), by }),
        _ => None,
    };
    let return_interview = e.ri_outcome.clone().map(|outcome| ReturnInterview {
        offered_at: e.ri_offered_at.map(|t| t.and_utc()),
        offered_by: e.ri_offered_by.clone(),
        independent: e.ri_independent,
        outcome,
        not_offered_reason: e.ri_not_offered_reason.clone(),
        completed_at: e.ri_completed_at.map(|t| t.and_utc()),
    });
    Episode {
        first_reported_in_return: e.source == "return",
        id: e.id.0,
        child_id: e.child_id.0,
        placement_id: e.placement_id.0,
        kind: e.kind,
        started_at: e.started_at.and_utc(),
        ended_at: e.ended_at.map(|t| t.and_utc()),
        reported_to_police_at: e.reported_to_police_at.map(|t| t.and_utc()),
        police_reference: e.police_reference,
        risk_indicators: e.risk_indicators.0,
        found_where: e.found_where,
        safe_and_well,
        return_interview,
        source: e.source,
        recorded_by_org_type: e.recorded_by_org_type,
        recorded_by_org: e.recorded_by_org,
        flags,
        version: e.version,
        created_at: e.created_at.and_utc(),
        updated_at: e.updated_at.and_utc(),
    }
}

pub fn set_safe_and_well(e: &mut EpisodeRecord, s: Option<SafeAndWell>) {
    if let Some(s) = s {
        e.safe_and_well_at = naive(Some(s.at));
        e.safe_and_well_by = Some(s.by);
    }
}

pub fn set_return_interview(e: &mut EpisodeRecord, r: Option<ReturnInterview>) {
    if let Some(r) = r {
        e.ri_offered_at = naive(r.offered_at);
        e.ri_offered_by = r.offered_by;
        e.ri_independent = r.independent;
        e.ri_outcome = Some(r.outcome);
        e.ri_not_offered_reason = r.not_offered_reason;
        e.ri_completed_at = naive(r.completed_at);
    }
}

pub fn apply_patch(e: &mut EpisodeRecord, p: EpisodePatch) {
    if let Some(v) = p.ended_at {
        e.ended_at = naive(Some(v));
    }
    if let Some(v) = p.found_where {
        e.found_where = Some(v);
    }
    if let Some(v) = p.reported_to_police_at {
        e.reported_to_police_at = naive(Some(v));
    }
    if let Some(v) = p.police_reference {
        e.police_reference = Some(v);
    }
    if let Some(v) = p.risk_indicators {
        e.risk_indicators = v.into();
    }
    set_safe_and_well(e, p.safe_and_well);
    set_return_interview(e, p.return_interview);
}

/// Whether the caller may report on a child in a placement: the placing LA, the host LA of the
/// placement, or the provider of its setting.
fn may_report(
    conn: &mut AnyConnection,
    caller: &Caller,
    child: &ChildRecord,
    p: &PlacementRecord,
) -> Result<bool, ApiError> {
    Ok(match caller.org_type {
        OrgType::Authority => caller.org == child.responsible_la || caller.org == p.host_area,
        OrgType::Provider => match &p.urn {
            Some(urn) => repo::provider_runs(conn, &caller.org, urn)?,
            None => false,
        },
        OrgType::Operator => false,
    })
}

/// Checks an episode against the rules; a validation error listing every broken rule.
pub fn check(
    e: &EpisodeRecord,
    child: &ChildRecord,
    ps: &[PlacementRecord],
    others: &[EpisodeRecord],
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let errors = rules::check(e, child, ps, others, now);
    if errors.is_empty() { Ok(()) } else { Err(ApiError::validation(errors)) }
}

fn notify(
    conn: &mut AnyConnection,
    kind: &'static str,
    e: &EpisodeRecord,
    child: &ChildRecord,
    p: &PlacementRecord,
    caller: &Caller,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let payload = serde_json::json!({
        "episode_id": e.id,
        "child_id": e.child_id,
        "placement_id": e.placement_id,
        "urn": p.urn,
        "kind": e.kind,
        "started_at": e.started_at.and_utc(),
        "ended_at": e.ended_at.map(|t| t.and_utc()),
    });
    let mut recipients = vec![child.responsible_la.clone()];
    if p.host_area != child.responsible_la {
        recipients.push(p.host_area.clone());
    }
    for r in recipients.iter().filter(|r| caller.org_type != OrgType::Authority || **r != caller.org) {
        emit(
            conn,
            Message {
                kind,
                recipient: r,
                sender_type: caller.org_type,
                sender: &caller.org,
                child_id: Some(&e.child_id),
                placement_id: Some(&e.placement_id),
                payload: payload.clone(),
                statutory: None,
            },
            now,
        )?;
    }
    Ok(())
}

/// Reports an episode (the home, the placing LA or the host LA), in the caller's transaction.
pub fn report(
    conn: &mut AnyConnection,
    caller: &Caller,
    input: NewEpisode,
    now: NaiveDateTime,
) -> Result<Episode, ApiError> {
    if caller.org_type == OrgType::Operator {
        return Err(ApiError::forbidden("The operator does not report episodes."));
    }
    let e = create(conn, caller, input, now)?;
    audit::record(conn, caller, "missing.create", std::slice::from_ref(&e.child_id), now)?;
    Ok(view(e, now))
}

/// Episodes the caller may see, newest first.
pub fn list(
    conn: &mut AnyConnection,
    caller: &Caller,
    q: EpisodeQuery,
    now: NaiveDateTime,
) -> Result<Page<Episode>, ApiError> {
    let page = PageQuery { limit: q.limit, cursor: q.cursor };
    let limit = page.limit()?;
    let after = page.after_pair::<DateTime<Utc>>()?.map(|(t, id)| (t.naive_utc(), EpisodeId::from(id)));
    let filter = repo::ListFilter { child_id: q.child_id.map(ChildId::from), open: q.open };
    let rows = repo::list(conn, caller, &filter, after, limit)?;
    let mut ids: Vec<ChildId> = rows.iter().take(limit as usize).map(|e| e.child_id.clone()).collect();
    ids.sort();
    ids.dedup();
    audit::read(conn, caller, "missing.list", &ids, now)?;
    let views = rows.into_iter().map(|e| view(e, now)).collect();
    Ok(Page::from_rows(views, limit, |e| vec![e.started_at.to_rfc3339(), e.id.clone()]))
}

/// One episode the caller may see.
pub fn read(conn: &mut AnyConnection, caller: &Caller, id: &str, now: NaiveDateTime) -> Result<Episode, ApiError> {
    let e = repo::find_visible(conn, caller, id)?.ok_or(ApiError::NotFound)?;
    audit::read(conn, caller, "missing.read", std::slice::from_ref(&e.child_id), now)?;
    Ok(view(e, now))
}

/// Records the end, checks and interview of an episode at the version the caller read.
pub fn amend(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    patch: EpisodePatch,
    version: i64,
    now: NaiveDateTime,
) -> Result<Episode, ApiError> {
    crate::db::write_tx(conn, |conn| {
        let e = update(conn, caller, id, patch, version, now)?;
        audit::record(conn, caller, "missing.update", std::slice::from_ref(&e.child_id), now)?;
        Ok(view(e, now))
    })
}

fn create(
    conn: &mut AnyConnection,
    caller: &Caller,
    input: NewEpisode,
    now: NaiveDateTime,
) -> Result<EpisodeRecord, ApiError> {
    let not_yours = || ApiError::field("child_id", "no child with this id that you may report on");
    let child = children::find(conn, &input.child_id)?.ok_or_else(not_yours)?;
    children::lock(conn, &child.id)?;
    let ps = repo::placements_of_child(conn, &child.id)?;
    let started_at = crate::db::db_time(input.started_at);
    let placement = rules::placement_on(&ps, crate::clock::date_of(started_at)).cloned();
    if let Some(p) = &placement {
        if !may_report(conn, caller, &child, p)? {
            return Err(not_yours());
        }
    } else if !(caller.org_type == OrgType::Authority && caller.org == child.responsible_la) {
        return Err(not_yours());
    }
    let source = match (caller.org_type, input.ended_at) {
        (OrgType::Authority, Some(_)) => "la_record",
        _ => "real_time",
    };
    let mut e = EpisodeRecord {
        id: EpisodeId::generate(),
        child_id: child.id.clone(),
        placement_id: placement.as_ref().map(|p| p.id.clone()).unwrap_or_default(),
        kind: input.kind,
        started_at,
        ended_at: naive(input.ended_at),
        reported_to_police_at: naive(input.reported_to_police_at),
        police_reference: input.police_reference,
        risk_indicators: input.risk_indicators.into(),
        found_where: input.found_where,
        safe_and_well_at: None,
        safe_and_well_by: None,
        ri_offered_at: None,
        ri_offered_by: None,
        ri_independent: None,
        ri_outcome: None,
        ri_not_offered_reason: None,
        ri_completed_at: None,
        source: source.into(),
        return_id: None,
        recorded_by_org_type: caller.org_type.as_str().into(),
        recorded_by_org: caller.org.clone(),
        recorded_by: caller.sub.clone(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    set_safe_and_well(&mut e, input.safe_and_well);
    set_return_interview(&mut e, input.return_interview);
    let others = repo::of_child(conn, &child.id)?;
    check(&e, &child, &ps, &others, now)?;
    let Some(p) = placement else {
        return Err(ApiError::field("started_at", "the child had no placement on this date"));
    };
    repo::insert(conn, &e)?;
    crate::peers::outbox::episode(conn, e.id.as_str(), now)?;
    notify(conn, "missing.started", &e, &child, &p, caller, now)?;
    if e.ended_at.is_some() {
        notify(conn, "missing.ended", &e, &child, &p, caller, now)?;
    }
    Ok(e)
}

/// Records the end, checks and interview of an episode (whoever may see it).
fn update(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    patch: EpisodePatch,
    expected: i64,
    now: NaiveDateTime,
) -> Result<EpisodeRecord, ApiError> {
    let before = repo::find_visible(conn, caller, id)?.ok_or(ApiError::NotFound)?;
    if before.version != expected {
        return Err(ApiError::PreconditionFailed);
    }
    let child = children::find(conn, before.child_id.as_str())?.ok_or(ApiError::NotFound)?;
    children::lock(conn, &child.id)?;
    let ps = repo::placements_of_child(conn, &child.id)?;
    let mut e = before.clone();
    apply_patch(&mut e, patch);
    e.updated_at = now;
    let others = repo::of_child(conn, &child.id)?;
    check(&e, &child, &ps, &others, now)?;
    if repo::update(conn, &e, expected)? == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    e.version = expected + 1;
    crate::peers::outbox::episode(conn, e.id.as_str(), now)?;
    if before.ended_at.is_none()
        && e.ended_at.is_some()
        && let Some(p) = ps.iter().find(|p| p.id == e.placement_id)
    {
        notify(conn, "missing.ended", &e, &child, p, caller, now)?;
    }
    Ok(e)
}

/// Ends the open episodes that started in a placement, as part of ending the placement (575).
pub fn end_open_in_placement(
    conn: &mut AnyConnection,
    caller: &Caller,
    p: &PlacementRecord,
    child: &ChildRecord,
    end: Option<&super::model::EpisodeEnd>,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let open = repo::open_in_placement(conn, &p.id)?;
    if open.is_empty() {
        return Ok(());
    }
    let Some(end) = end else {
        return Err(ApiError::validation(vec![
            crate::error::FieldError::new(
                "end_open_missing_episodes",
                format!(
                    "{} missing episode(s) that started in this placement are still open: end them too",
                    open.len()
                ),
            )
            .rule("575"),
        ]));
    };
    for mut e in open {
        let version = e.version;
        e.ended_at = Some(crate::db::db_time(end.ended_at));
        e.found_where = Some(end.found_where.clone());
        e.updated_at = now;
        let errors: Vec<_> = rules::check(&e, child, std::slice::from_ref(p), &[], now)
            .into_iter()
            .map(|mut f| {
                f.field = format!("end_open_missing_episodes.{}", f.field);
                f
            })
            .collect();
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        repo::update(conn, &e, version)?;
        crate::peers::outbox::episode(conn, e.id.as_str(), now)?;
        notify(conn, "missing.ended", &e, child, p, caller, now)?;
    }
    Ok(())
}
