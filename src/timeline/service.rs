//! Building a child's timeline from the records of every domain.

use crate::auth::Caller;
use crate::children::{access, repo as children};
use crate::db::AnyConnection;
use crate::error::ApiError;
use crate::flags;
use crate::ids::{ChildId, PlacementId};
use crate::missing::repo as missing;
use crate::notifications::repo as notifications;
use crate::placements::repo as placements;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TimelineEvent {
    /// When it happened (dates without a time are shown at 00:00 UTC).
    pub at: DateTime<Utc>,
    /// `placement.started`, `placement.ended`, `legal_status`, `missing.started`,
    /// `missing.ended`, `safe_and_well`, `return_interview.offered`,
    /// `return_interview.completed`, `notification`, `responsibility.transferred` (`from_la`,
    /// `to_la`), `record.merged` (another record of the child merged into this one: `merged_id`).
    pub kind: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

fn day(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

fn event(at: DateTime<Utc>, kind: &str, detail: serde_json::Value) -> TimelineEvent {
    TimelineEvent { at, kind: kind.into(), detail }
}

/// The timeline of a child the caller may see and is responsible for; 404 or 403 otherwise.
pub fn timeline(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    now: NaiveDateTime,
) -> Result<Vec<TimelineEvent>, ApiError> {
    let rec = crate::children::service::find_current(conn, caller, id)?;
    access::require_placing(caller, &rec.responsible_la, "sees a child's timeline")?;
    crate::audit::read(conn, caller, "child.timeline", std::slice::from_ref(&rec.id), now)?;
    build(conn, &rec.id, &rec.responsible_la, now)
}

fn build(
    conn: &mut AnyConnection,
    child_id: &ChildId,
    placing_la: &str,
    now: NaiveDateTime,
) -> Result<Vec<TimelineEvent>, ApiError> {
    let mut out = Vec::new();
    let ps = placements::of_child(conn, child_id)?;
    let ids: Vec<PlacementId> = ps.iter().map(|p| p.id.clone()).collect();
    let mut statuses = placements::legal_statuses_of(conn, &ids)?;
    for p in &ps {
        out.push(event(
            day(p.start_date),
            "placement.started",
            json!({"placement_id": p.id, "place": p.place, "place_provider": p.place_provider, "urn": p.urn,
                   "host_area": p.host_area, "emergency": p.emergency, "distance_miles": p.distance_miles}),
        ));
        for s in statuses.remove(&p.id).unwrap_or_default() {
            out.push(event(
                day(s.effective_from),
                "legal_status",
                json!({"placement_id": p.id, "legal_status": s.legal_status}),
            ));
        }
        if let Some(end) = p.end_date {
            out.push(event(
                day(end),
                "placement.ended",
                json!({"placement_id": p.id, "rec": p.rec, "reason_place_change": p.reason_place_change}),
            ));
        }
    }
    for e in missing::of_child(conn, child_id)? {
        let base = json!({"episode_id": e.id, "placement_id": e.placement_id});
        let with = |extra: serde_json::Value| {
            let mut v = base.clone();
            if let (Some(o), Some(x)) = (v.as_object_mut(), extra.as_object()) {
                o.extend(x.clone());
            }
            v
        };
        out.push(event(
            e.started_at.and_utc(),
            "missing.started",
            with(json!({"kind": e.kind, "risk_indicators": e.risk_indicators, "source": e.source,
                        "reported_to_police_at": e.reported_to_police_at.map(|t| t.and_utc())})),
        ));
        if let Some(end) = e.ended_at {
            let clock = flags::return_interview(&e.clock(), now);
            out.push(event(
                end.and_utc(),
                "missing.ended",
                with(json!({"found_where": e.found_where, "return_interview": clock})),
            ));
        }
        if let Some(t) = e.safe_and_well_at {
            out.push(event(t.and_utc(), "safe_and_well", with(json!({"by": e.safe_and_well_by}))));
        }
        if let Some(t) = e.ri_offered_at {
            out.push(event(
                t.and_utc(),
                "return_interview.offered",
                with(json!({"by": e.ri_offered_by, "independent": e.ri_independent, "outcome": e.ri_outcome})),
            ));
        }
        if let Some(t) = e.ri_completed_at {
            out.push(event(t.and_utc(), "return_interview.completed", base.clone()));
        }
    }
    let filter = notifications::Filter { ..Default::default() };
    for placement_id in &ids {
        let f = notifications::Filter { placement_id: Some(placement_id.clone()), ..filter.clone() };
        let sent = notifications::list(conn, notifications::Side::Sent, "authority", placing_la, &f, None, 1000)?;
        for n in sent.into_iter().filter(|n| n.recipient_org_type == "authority") {
            let statutory = n.on_time.map(|on_time| {
                json!({"regulation": n.regulation, "due_by": n.due_by, "status": if on_time { "on_time" } else { "late" },
                       "late_by_working_days": n.late_by_working_days})
            });
            out.push(event(
                n.created_at.and_utc(),
                "notification",
                json!({"notification_id": n.id, "type": n.kind, "recipient_la": n.recipient_la, "placement_id": n.placement_id,
                       "statutory": statutory, "delivered_at": n.delivered_at.map(|t| t.and_utc()),
                       "acknowledged_at": n.acknowledged_at.map(|t| t.and_utc())}),
            ));
        }
    }
    for (id, _, from_la, to_la, at, _) in children::transfers_of(conn, child_id)? {
        out.push(event(
            at.and_utc(),
            "responsibility.transferred",
            json!({"transfer_id": id, "from_la": from_la, "to_la": to_la}),
        ));
    }
    for (id, merged_id, at) in children::merges_into(conn, child_id)? {
        out.push(event(at.and_utc(), "record.merged", json!({"merge_id": id, "merged_id": merged_id})));
    }
    out.sort_by_key(|e| e.at);
    Ok(out)
}
