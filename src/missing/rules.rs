//! The SSDA903 Missing rules, applied with date-times to every write (real time and returns).
//! Pure functions over the child, its placements and its other episodes.

use super::model::{FOUND_WHERE, RI_OUTCOMES, RISK_INDICATORS};
use crate::db::rows::children::ChildRecord;
use crate::db::rows::missing::EpisodeRecord;
use crate::db::rows::placements::PlacementRecord;
use crate::error::FieldError;
use chrono::{NaiveDate, NaiveDateTime};

/// The placement the child was in on `date`: the one open that day, the newer on a move day.
pub fn placement_on(placements: &[PlacementRecord], date: NaiveDate) -> Option<&PlacementRecord> {
    placements
        .iter()
        .filter(|p| p.start_date <= date && p.end_date.is_none_or(|e| e >= date))
        .max_by_key(|p| p.start_date)
}

/// The last day of the period of care that contains `p` (following moves), or None while open.
pub fn care_end(placements: &[PlacementRecord], p: &PlacementRecord) -> Option<NaiveDate> {
    let mut cur = p;
    for _ in 0..placements.len() {
        let end = cur.end_date?;
        match placements.iter().find(|n| n.start_date == end && n.id != cur.id) {
            Some(next) => cur = next,
            None => return Some(end),
        }
    }
    cur.end_date
}

fn text(errors: &mut Vec<FieldError>, field: &str, v: &Option<String>, max: usize) {
    if let Some(s) = v {
        crate::http::check_text(errors, field, s, max);
    }
}

/// Every rule an episode breaks, given the child, its placements and its other episodes.
/// `prefix` is prepended to field names (for rows of a return).
pub fn check(
    e: &EpisodeRecord,
    child: &ChildRecord,
    placements: &[PlacementRecord],
    others: &[EpisodeRecord],
    now: NaiveDateTime,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if e.kind != "M" && e.kind != "A" {
        errors.push(FieldError::new("kind", "must be M (missing) or A (away without authorisation)").rule("1006"));
    }
    if e.started_at > now {
        errors.push(FieldError::new("started_at", "is in the future"));
    }
    if crate::clock::date_of(e.started_at) <= child.date_of_birth {
        errors.push(FieldError::new("started_at", "is not after the child's date of birth").rule("586"));
    }
    if let Some(end) = e.ended_at {
        if end < e.started_at {
            errors.push(FieldError::new("ended_at", "is before the start").rule("567"));
        }
        if end > now {
            errors.push(FieldError::new("ended_at", "is in the future"));
        }
    }
    match placement_on(placements, crate::clock::date_of(e.started_at)) {
        None => errors.push(FieldError::new("started_at", "the child had no placement on this date").rule("577")),
        Some(p) => {
            if let Some(care_end) = care_end(placements, p) {
                match e.ended_at {
                    Some(end) if crate::clock::date_of(end) > care_end => errors.push(
                        FieldError::new("ended_at", format!("is after the child left care on {care_end}")).rule("578"),
                    ),
                    None if p.end_date.is_some_and(|pe| pe <= crate::clock::date_of(now)) => errors.push(
                        FieldError::new("ended_at", "is required: the placement the child went missing from has ended")
                            .rule("575"),
                    ),
                    _ => {}
                }
            }
        }
    }
    for o in others.iter().filter(|o| o.id != e.id) {
        let open_before = o.ended_at.is_none() && o.started_at <= e.started_at;
        let overlaps = o.ended_at.is_none_or(|oe| e.started_at < oe) && e.ended_at.is_none_or(|ee| o.started_at < ee);
        if open_before {
            errors.push(
                FieldError::new(
                    "started_at",
                    format!("an earlier episode (started {}) is still open", o.started_at.and_utc()),
                )
                .rule("574"),
            );
            break;
        }
        if overlaps || o.started_at == e.started_at {
            errors.push(
                FieldError::new("started_at", format!("overlaps the episode that started {}", o.started_at.and_utc()))
                    .rule("574"),
            );
            break;
        }
    }
    for (field, t) in [
        ("reported_to_police_at", e.reported_to_police_at),
        ("safe_and_well.at", e.safe_and_well_at),
        ("return_interview.offered_at", e.ri_offered_at),
        ("return_interview.completed_at", e.ri_completed_at),
    ] {
        if t.is_some_and(|t| t > now) {
            errors.push(FieldError::new(field, "is in the future"));
        }
    }
    if e.reported_to_police_at.is_some_and(|t| t < e.started_at) {
        errors.push(FieldError::new("reported_to_police_at", "is before the episode started"));
    }
    text(&mut errors, "police_reference", &e.police_reference, 50);
    for (i, r) in e.risk_indicators.iter().enumerate() {
        if !RISK_INDICATORS.contains(&r.as_str()) {
            errors.push(FieldError::new(
                format!("risk_indicators[{i}]"),
                format!("must be one of {}", RISK_INDICATORS.join(", ")),
            ));
        } else if e.risk_indicators[..i].contains(r) {
            errors.push(FieldError::new(format!("risk_indicators[{i}]"), "is listed twice"));
        }
    }
    let ended = e.ended_at;
    let after_return = |errors: &mut Vec<FieldError>, field: &str, t: Option<NaiveDateTime>| match (t, ended) {
        (Some(_), None) => errors.push(FieldError::new(field, "can be recorded only once the episode has ended")),
        (Some(t), Some(end)) if t < end => errors.push(FieldError::new(field, "is before the child returned")),
        _ => {}
    };
    if let Some(f) = &e.found_where {
        if !FOUND_WHERE.contains(&f.as_str()) {
            errors.push(FieldError::new("found_where", format!("must be one of {}", FOUND_WHERE.join(", "))));
        }
        if ended.is_none() {
            errors.push(FieldError::new("found_where", "can be recorded only once the episode has ended"));
        }
    }
    after_return(&mut errors, "safe_and_well.at", e.safe_and_well_at);
    if e.safe_and_well_at.is_some() {
        text(&mut errors, "safe_and_well.by", &e.safe_and_well_by, 200);
    }
    if let Some(outcome) = &e.ri_outcome {
        if ended.is_none() {
            errors.push(FieldError::new("return_interview", "can be recorded only once the episode has ended"));
        }
        if !RI_OUTCOMES.contains(&outcome.as_str()) {
            errors.push(FieldError::new("return_interview.outcome", "must be accepted, declined or not_offered"));
        }
        if outcome == "not_offered" {
            if e.ri_not_offered_reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                errors.push(FieldError::new(
                    "return_interview.not_offered_reason",
                    "is required when no interview was offered",
                ));
            }
            if e.ri_offered_at.is_some() {
                errors.push(FieldError::new("return_interview.offered_at", "contradicts an outcome of not_offered"));
            }
        }
        if e.ri_completed_at.is_some() && outcome != "accepted" {
            errors.push(FieldError::new("return_interview.completed_at", "needs an outcome of accepted"));
        }
        after_return(&mut errors, "return_interview.offered_at", e.ri_offered_at);
        after_return(&mut errors, "return_interview.completed_at", e.ri_completed_at);
        if let (Some(o), Some(c)) = (e.ri_offered_at, e.ri_completed_at)
            && c < o
        {
            errors.push(FieldError::new("return_interview.completed_at", "is before the offer"));
        }
        text(&mut errors, "return_interview.offered_by", &e.ri_offered_by, 200);
        text(&mut errors, "return_interview.not_offered_reason", &e.ri_not_offered_reason, 500);
    }
    errors
}
