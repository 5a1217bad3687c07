//! Matching admissions and discharges to placements, and resolving them when the placing LA
//! registers (or ends) the placement later.

use super::model::{Movement, MovementQuery, NewMovement};
use super::repo::{self, Row};
use crate::auth::{Caller, OrgType};
use crate::children::repo as children;
use crate::db::AnyConnection;
use crate::db::rows::children::ChildRecord;
use crate::db::rows::placements::PlacementRecord;
use crate::error::{ApiError, FieldError};
use crate::http::check_text;
use crate::http::{Page, PageQuery};
use crate::ids::ChildId;
use crate::notifications::service::{Message, emit};
use chrono::{NaiveDate, NaiveDateTime};

/// Days either side of a recorded date within which a placement's start (or end) matches it.
pub const MATCH_WINDOW_DAYS: i64 = 7;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Admission,
    Discharge,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Admission => "admission",
            Kind::Discharge => "discharge",
        }
    }
}

pub struct Setting {
    pub urn: String,
    pub provider_id: String,
    pub host_area: String,
}

/// Who the movement is about: known children, and the placing LA if known.
fn identify(conn: &mut AnyConnection, m: &NewMovement) -> Result<(Vec<ChildRecord>, Option<String>), ApiError> {
    let mut errors = Vec::new();
    if let Some(la) = &m.placing_la
        && crate::directory::repo::find_authority(conn, la)?.is_none()
    {
        errors.push(FieldError::new("placing_la", "is not an LA code"));
    }
    if let Some(id) = &m.child_id {
        let child = children::find(conn, id)?;
        return match child {
            // An id the registry does not know is an unidentified admission: answered exactly as
            // one of a child the home may not see, so the answer reveals nothing.
            None if errors.is_empty() => Ok((vec![], m.placing_la.clone())),
            _ if !errors.is_empty() => Err(ApiError::validation(errors)),
            None => Err(ApiError::validation(errors)),
            Some(ch) => {
                let la = m.placing_la.clone().unwrap_or_else(|| ch.responsible_la.clone());
                Ok((vec![ch], Some(la)))
            }
        };
    }
    match (&m.given_name, &m.family_name, m.date_of_birth) {
        (Some(g), Some(f), Some(dob)) => {
            check_text(&mut errors, "given_name", g, 100);
            check_text(&mut errors, "family_name", f, 100);
            if !errors.is_empty() {
                return Err(ApiError::validation(errors));
            }
            let ids = repo::children_born_on(conn, dob, m.placing_la.as_deref())?;
            let mut found = Vec::new();
            for id in ids {
                if let Some(ch) = children::find(conn, &id)?
                    && crate::children::matching::similar_names(g, f, &ch.given_name, &ch.family_name)
                {
                    found.push(ch);
                }
            }
            Ok((found, m.placing_la.clone()))
        }
        _ => {
            for (field, missing) in [
                ("given_name", m.given_name.is_none()),
                ("family_name", m.family_name.is_none()),
                ("date_of_birth", m.date_of_birth.is_none()),
            ] {
                if missing {
                    errors.push(FieldError::new(field, "is required when child_id is not given"));
                }
            }
            Err(ApiError::validation(errors))
        }
    }
}

/// Records an admission or discharge at one of the calling provider's settings (404 for
/// another's), with its audit entry, in the caller's transaction.
pub fn record_at(
    conn: &mut AnyConnection,
    caller: &Caller,
    kind: Kind,
    urn: &str,
    m: NewMovement,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<Movement, ApiError> {
    let (provider_id, host_area) = repo::setting_of(conn, &caller.org, urn)?.ok_or(ApiError::NotFound)?;
    let setting = Setting { urn: urn.to_string(), provider_id, host_area };
    let row = record(conn, kind, &setting, m, &caller.sub, today, now)?;
    let ids: Vec<ChildId> = row.child_id.iter().cloned().collect();
    crate::audit::record(conn, caller, &format!("{}.record", kind.as_str()), &ids, now)?;
    Ok(row.view_for(caller))
}

/// Admissions and discharges the caller may see, newest first.
pub fn list(conn: &mut AnyConnection, caller: &Caller, q: MovementQuery) -> Result<Page<Movement>, ApiError> {
    if caller.org_type == OrgType::Operator {
        return Err(ApiError::forbidden("The operator does not see admissions."));
    }
    let page = PageQuery { limit: q.limit, cursor: q.cursor };
    let limit = page.limit()?;
    let after = page.after_pair::<NaiveDate>()?;
    let filter = repo::Filter {
        status: q.status.map(|s| s.as_str().to_string()),
        kind: q.kind.map(|k| k.as_str().to_string()),
        urn: q.urn.map(|u| u.to_ascii_uppercase()),
    };
    let rows = repo::list(conn, caller, &filter, after, limit)?.into_iter().map(|r| r.view_for(caller)).collect();
    Ok(Page::from_rows(rows, limit, |m: &Movement| vec![m.date.to_string(), m.id.clone()]))
}

/// One admission or discharge the caller may see.
pub fn read(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<Movement, ApiError> {
    Ok(repo::find_visible(conn, caller, id)?.ok_or(ApiError::NotFound)?.view_for(caller))
}

/// Records an admission or discharge at a setting and notifies the host LA (and, when it has no
/// placement behind it, the placing LA too when known).
pub fn record(
    conn: &mut AnyConnection,
    kind: Kind,
    setting: &Setting,
    m: NewMovement,
    recorded_by: &str,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<Row, ApiError> {
    if m.date > today {
        return Err(ApiError::field("date", "is in the future"));
    }
    let (candidates, placing_la) = identify(conn, &m)?;
    let ids: Vec<ChildId> = candidates.iter().map(|c| c.id.clone()).collect();
    let near = |d: Option<NaiveDate>| d.is_some_and(|d| (d - m.date).num_days().abs() <= MATCH_WINDOW_DAYS);
    let matched = repo::placements_at(conn, &setting.urn, &ids)?
        .into_iter()
        .filter(|(_, _, _, start, end)| match kind {
            Kind::Admission => near(Some(*start)) || (*start <= m.date && end.is_none_or(|e| e > m.date)),
            Kind::Discharge => near(*end),
        })
        .min_by_key(|(_, _, _, start, end)| match kind {
            Kind::Admission => (*start - m.date).num_days().abs(),
            Kind::Discharge => end.map_or(i64::MAX, |e| (e - m.date).num_days().abs()),
        });
    let single = (candidates.len() == 1).then(|| candidates[0].id.clone());
    let (status, placement_id, child_id, placing_la) = match matched {
        Some((pid, child, la, _, _)) => ("matched", Some(pid), Some(child), Some(la)),
        None => ("unmatched", None, single, placing_la),
    };
    let row = Row {
        id: uuid::Uuid::new_v4().to_string(),
        kind: kind.as_str().to_string(),
        urn: setting.urn.clone(),
        provider_id: setting.provider_id.clone(),
        host_area: setting.host_area.clone(),
        event_date: m.date,
        child_id,
        given_name: m.given_name.clone(),
        family_name: m.family_name.clone(),
        date_of_birth: m.date_of_birth,
        placing_la,
        placement_id,
        status: status.to_string(),
        resolved_at: None,
        recorded_by: recorded_by.to_string(),
        created_at: now,
    };
    repo::insert(conn, &row)?;
    let kind_name = match (kind, status) {
        (Kind::Admission, "matched") => "admission.recorded",
        (Kind::Admission, _) => "admission.unmatched",
        (Kind::Discharge, "matched") => "discharge.recorded",
        (Kind::Discharge, _) => "discharge.unmatched",
    };
    let payload = serde_json::json!({
        "movement_id": row.id,
        "kind": row.kind,
        "urn": row.urn,
        "date": row.event_date,
        "status": row.status,
        "placement_id": row.placement_id,
        "child_id": row.child_id,
        "placing_la": row.placing_la,
    });
    let mut recipients = vec![row.host_area.clone()];
    if status == "unmatched"
        && let Some(la) = row.placing_la.clone().filter(|la| *la != row.host_area)
    {
        recipients.push(la);
    }
    // The home is told whether its record met the placing LA's placement.
    crate::notifications::service::emit_to_provider(
        conn,
        Message {
            kind: if status == "matched" { "admission.matched" } else { kind_name },
            recipient: &row.provider_id,
            sender_type: OrgType::Provider,
            sender: &row.provider_id,
            child_id: row.child_id.as_ref(),
            placement_id: row.placement_id.as_ref(),
            payload: payload.clone(),
            statutory: None,
        },
        now,
    )?;
    for r in &recipients {
        emit(
            conn,
            Message {
                kind: kind_name,
                recipient: r,
                sender_type: OrgType::Provider,
                sender: &row.provider_id,
                child_id: row.child_id.as_ref(),
                placement_id: row.placement_id.as_ref(),
                payload: payload.clone(),
                statutory: None,
            },
            now,
        )?;
    }
    Ok(row)
}

fn is_same_child(r: &Row, child: &ChildRecord) -> bool {
    match &r.child_id {
        Some(id) => *id == child.id,
        None => {
            r.date_of_birth == Some(child.date_of_birth)
                && match (&r.given_name, &r.family_name) {
                    (Some(g), Some(f)) => {
                        crate::children::matching::similar_names(g, f, &child.given_name, &child.family_name)
                    }
                    _ => false,
                }
        }
    }
}

/// A placement registered at a setting resolves an unmatched admission of the same child there.
pub fn resolve_for_placement(
    conn: &mut AnyConnection,
    p: &PlacementRecord,
    child: &ChildRecord,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    let Some(urn) = &p.urn else { return Ok(0) };
    let mut n = 0;
    for r in repo::unmatched_near(conn, "admission", urn, p.start_date, MATCH_WINDOW_DAYS as u64)? {
        if is_same_child(&r, child) {
            repo::resolve(conn, &r.id, &p.id, &child.id, &p.placing_la, now)?;
            matched_later(conn, &r, p, child, now)?;
            n += 1;
        }
    }
    Ok(n)
}

/// Ending a placement at a setting resolves an unmatched discharge of the same child there.
pub fn resolve_discharge(
    conn: &mut AnyConnection,
    p: &PlacementRecord,
    child: &ChildRecord,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    let (Some(urn), Some(end)) = (&p.urn, p.end_date) else { return Ok(0) };
    let mut n = 0;
    for r in repo::unmatched_near(conn, "discharge", urn, end, MATCH_WINDOW_DAYS as u64)? {
        if is_same_child(&r, child) {
            repo::resolve(conn, &r.id, &p.id, &child.id, &p.placing_la, now)?;
            matched_later(conn, &r, p, child, now)?;
            n += 1;
        }
    }
    Ok(n)
}

/// Tells the home that its unmatched admission or discharge now meets the placing LA's record.
fn matched_later(
    conn: &mut AnyConnection,
    r: &Row,
    p: &PlacementRecord,
    child: &ChildRecord,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    crate::notifications::service::emit_to_provider(
        conn,
        Message {
            kind: "admission.matched",
            recipient: &r.provider_id,
            sender_type: OrgType::Authority,
            sender: &p.placing_la,
            child_id: Some(&child.id),
            placement_id: Some(&p.id),
            payload: serde_json::json!({
                "movement_id": r.id,
                "kind": r.kind,
                "urn": r.urn,
                "date": r.event_date,
                "status": "matched",
                "placement_id": p.id,
                "child_id": child.id,
                "placing_la": p.placing_la,
            }),
            statutory: None,
        },
        now,
    )?;
    Ok(())
}
