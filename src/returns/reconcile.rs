//! Validating a whole return and reconciling it with the episodes reported as they happened.
//! Pure: everything it needs is loaded beforehand, so a return of 10,000 rows costs no query
//! per row. Any problem rejects the whole return, with every problem listed by row and field.

use super::input::{CHILD_ID, COLUMNS, Format, INDEPENDENT, KIND, Parsed, RawRow, STARTED_AT};
use super::model::{
    Conflict, Enrichment, EpisodeRef, Reconciliation, ReconciliationCounts, ReturnEpisode, ReturnedEpisode,
};
use crate::db::rows::children::ChildRecord;
use crate::db::rows::missing::EpisodeRecord;
use crate::db::rows::placements::PlacementRecord;
use crate::error::FieldError;
use crate::ids::{ChildId, EpisodeId, PlacementId};
use crate::missing::model::{FOUND_WHERE, RI_OUTCOMES, RISK_INDICATORS};
use crate::missing::rules;
use crate::period::Quarter;
use chrono::{DateTime, NaiveDateTime, Utc};
use std::collections::{HashMap, HashSet};

/// Who is submitting, as recorded on new episodes.
pub struct Submitter {
    pub org_type: String,
    pub org: String,
    pub sub: String,
}

/// Everything a return is checked against.
pub struct Context {
    pub urn: String,
    pub period: Quarter,
    pub now: NaiveDateTime,
    /// Id of the version being created (new episodes point to it).
    pub return_id: String,
    pub submitter: Submitter,
    /// Children with a placement at the setting overlapping the quarter.
    pub children: HashMap<ChildId, ChildRecord>,
    /// Every placement of those children, oldest first.
    pub placements: HashMap<ChildId, Vec<PlacementRecord>>,
    /// Every episode of those children.
    pub episodes: HashMap<ChildId, Vec<EpisodeRecord>>,
    /// Set when an earlier version was accepted: what to say when no reason is given.
    pub reason_required: Option<String>,
}

/// What storing a valid return does.
#[derive(Debug)]
pub struct Plan {
    pub nil: bool,
    pub reason: Option<String>,
    pub inserts: Vec<EpisodeRecord>,
    /// Enriched episodes with the version they were read at.
    pub updates: Vec<(EpisodeRecord, i64)>,
    pub summary: Reconciliation,
    pub episodes: Vec<ReturnedEpisode>,
}

/// A row whose child, start and placement are known: it can be reconciled and checked.
struct Row {
    label: String,
    ep: ReturnEpisode,
    started_at: NaiveDateTime,
    placement_id: PlacementId,
    reported: Vec<String>,
}

fn at(t: DateTime<Utc>) -> NaiveDateTime {
    crate::db::db_time(t)
}

fn parse_instant(s: &str, format: Format) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.to_utc());
    }
    if format == Format::Csv {
        for f in ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"] {
            if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
                return Some(t.and_utc());
            }
        }
    }
    None
}

fn instant_message(format: Format) -> &'static str {
    match format {
        Format::Json => "must be an RFC 3339 date-time, e.g. 2026-07-14T23:10:00Z",
        Format::Csv => "must be an RFC 3339 date-time (2026-07-14T23:10:00Z) or YYYY-MM-DD HH:MM in UTC",
    }
}

fn parse_bool(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" => Some(true),
        "false" | "no" | "n" | "0" => Some(false),
        _ => None,
    }
}

/// Field names of the rules (nested, as in the real-time API) as columns of a return.
fn column_of(rule_field: &str) -> String {
    if rule_field == "return_interview" {
        return "return_interview_outcome".into();
    }
    for (nested, flat) in [("safe_and_well.", "safe_and_well_"), ("return_interview.", "return_interview_")] {
        if let Some(rest) = rule_field.strip_prefix(nested) {
            return format!("{flat}{rest}");
        }
    }
    rule_field.to_string()
}

/// Types the values of a row; errors for each bad value. None when the row cannot be placed
/// (unknown child, bad start, outside the quarter or the setting).
fn typed(mut raw: RawRow, format: Format, ctx: &Context, errors: &mut Vec<FieldError>) -> Option<Row> {
    let mut ep = ReturnEpisode::default();
    let instant = |raw: &mut RawRow, errors: &mut Vec<FieldError>, col: usize| -> Option<DateTime<Utc>> {
        let v = raw.get(col)?.to_string();
        let t = parse_instant(&v, format);
        if t.is_none() {
            raw.report(errors, COLUMNS[col], FieldError::new("", instant_message(format)));
        }
        t
    };
    let started = instant(&mut raw, errors, STARTED_AT);
    ep.ended_at = instant(&mut raw, errors, 3);
    ep.reported_to_police_at = instant(&mut raw, errors, 4);
    ep.safe_and_well_at = instant(&mut raw, errors, 8);
    ep.return_interview_offered_at = instant(&mut raw, errors, 10);
    ep.return_interview_completed_at = instant(&mut raw, errors, 15);
    let text = |raw: &RawRow, col: usize| raw.get(col).map(str::to_string);
    ep.police_reference = text(&raw, 5);
    ep.found_where = text(&raw, 7);
    ep.safe_and_well_by = text(&raw, 9);
    ep.return_interview_offered_by = text(&raw, 11);
    ep.return_interview_outcome = text(&raw, 13);
    ep.return_interview_not_offered_reason = text(&raw, 14);
    if let Some(v) = raw.get(INDEPENDENT).map(str::to_string) {
        ep.return_interview_independent = parse_bool(&v);
        if ep.return_interview_independent.is_none() {
            raw.report(errors, COLUMNS[INDEPENDENT], FieldError::new("", "must be true or false"));
        }
    }
    ep.risk_indicators = std::mem::take(&mut raw.risk);
    for (i, r) in ep.risk_indicators.iter().enumerate() {
        let name = format!("risk_indicators[{i}]");
        if raw.reported.contains(&name) {
            continue;
        }
        if !RISK_INDICATORS.contains(&r.as_str()) {
            let msg = format!("must be one of {}", RISK_INDICATORS.join(", "));
            raw.report(errors, &name, FieldError::new("", msg));
        } else if ep.risk_indicators[..i].contains(r) {
            raw.report(errors, &name, FieldError::new("", "is listed twice"));
        }
    }
    if let Some(f) = ep.found_where.as_deref().filter(|f| !FOUND_WHERE.contains(f)) {
        let msg = format!("`{f}` is not one of {}", FOUND_WHERE.join(", "));
        raw.report(errors, "found_where", FieldError::new("", msg));
    }
    if let Some(o) = ep.return_interview_outcome.as_deref().filter(|o| !RI_OUTCOMES.contains(o)) {
        let msg = format!("`{o}` is not one of accepted, declined, not_offered");
        raw.report(errors, "return_interview_outcome", FieldError::new("", msg));
    }
    // What the registry keeps as one record comes as a whole: the check with who did it, the
    // interview with its outcome.
    match (raw.get(8).is_some(), raw.get(9).is_some()) {
        (true, false) => {
            raw.report(errors, "safe_and_well_by", FieldError::new("", "is required with safe_and_well_at"))
        }
        (false, true) => {
            raw.report(errors, "safe_and_well_at", FieldError::new("", "is required with safe_and_well_by"))
        }
        _ => {}
    }
    if raw.get(13).is_none() && [10, 11, 12, 14, 15].iter().any(|c| raw.get(*c).is_some()) {
        let msg = "is required with the other return interview columns: accepted, declined or not_offered";
        raw.report(errors, "return_interview_outcome", FieldError::new("", msg));
    }
    match raw.get(KIND) {
        None => raw.report(
            errors,
            "kind",
            FieldError::new("", "is required: M (missing) or A (away without authorisation)"),
        ),
        Some(k) if k != "M" && k != "A" => {
            let msg = format!("`{k}` is not M (missing) or A (away without authorisation)");
            raw.report(errors, "kind", FieldError::new("", msg).rule("1006"));
        }
        Some(_) => {}
    }
    ep.kind = raw.get(KIND).unwrap_or_default().to_string();
    if raw.get(STARTED_AT).is_none() {
        raw.report(errors, "started_at", FieldError::new("", "is required").rule("1004"));
    }
    let child = match raw.get(CHILD_ID) {
        None => {
            raw.report(errors, "child_id", FieldError::new("", "is required"));
            None
        }
        Some(id) => {
            let child = ctx.children.get(id);
            if child.is_none() {
                let msg = format!("is not a child placed at {} during {}", ctx.urn, ctx.period);
                raw.report(errors, "child_id", FieldError::new("", msg));
            }
            child
        }
    };
    let (child, started) = (child?, started?);
    ep.child_id = child.id.to_string();
    ep.started_at = started;
    let started_at = at(started);
    let day = crate::clock::date_of(started_at);
    if !ctx.period.contains(day) {
        let msg = format!("{day} is outside {} ({} to {})", ctx.period, ctx.period.first_day(), ctx.period.last_day());
        raw.report(errors, "started_at", FieldError::new("", msg));
        return None;
    }
    let placements = ctx.placements.get(&child.id).map(Vec::as_slice).unwrap_or_default();
    let here = |p: &&PlacementRecord| {
        p.urn.as_deref() == Some(ctx.urn.as_str()) && p.start_date <= day && p.end_date.is_none_or(|e| e >= day)
    };
    let in_care = rules::placement_on(placements, day);
    let placement = in_care.filter(here).or_else(|| placements.iter().filter(here).max_by_key(|p| p.start_date));
    let Some(placement) = placement else {
        let e = match in_care {
            // Not looked after at all that day: the DfE rule.
            None => FieldError::new("", format!("the child had no placement on {day}")).rule("577"),
            Some(_) => FieldError::new("", format!("the child was not placed at {} on {day}", ctx.urn)),
        };
        raw.report(errors, "started_at", e);
        return None;
    };
    Some(Row { label: raw.label, ep, started_at, placement_id: placement.id.clone(), reported: raw.reported })
}

fn show(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Fills what the stored episode lacks from the row; lists the fields filled and the values
/// that differ (the stored ones are kept).
fn merge(stored: &EpisodeRecord, row: &Row) -> (EpisodeRecord, Vec<String>, Vec<(String, String, String)>) {
    let mut e = stored.clone();
    let mut filled = Vec::new();
    let mut conflicts = Vec::new();
    if e.kind != row.ep.kind {
        conflicts.push(("kind".to_string(), e.kind.clone(), row.ep.kind.clone()));
    }
    if e.started_at != row.started_at {
        conflicts.push(("started_at".to_string(), show(e.started_at), show(row.started_at)));
    }
    let ep = &row.ep;
    let mut time = |name: &str, slot: &mut Option<NaiveDateTime>, v: Option<DateTime<Utc>>| match (*slot, v.map(at)) {
        (None, Some(v)) => {
            *slot = Some(v);
            filled.push(name.to_string());
        }
        (Some(s), Some(v)) if s != v => conflicts.push((name.to_string(), show(s), show(v))),
        _ => {}
    };
    time("ended_at", &mut e.ended_at, ep.ended_at);
    time("reported_to_police_at", &mut e.reported_to_police_at, ep.reported_to_police_at);
    time("safe_and_well_at", &mut e.safe_and_well_at, ep.safe_and_well_at);
    time("return_interview_offered_at", &mut e.ri_offered_at, ep.return_interview_offered_at);
    time("return_interview_completed_at", &mut e.ri_completed_at, ep.return_interview_completed_at);
    let mut text = |name: &str, slot: &mut Option<String>, v: &Option<String>| match (slot.as_ref(), v) {
        (None, Some(v)) => {
            *slot = Some(v.clone());
            filled.push(name.to_string());
        }
        (Some(s), Some(v)) if s != v => conflicts.push((name.to_string(), s.clone(), v.clone())),
        _ => {}
    };
    text("police_reference", &mut e.police_reference, &ep.police_reference);
    text("found_where", &mut e.found_where, &ep.found_where);
    text("safe_and_well_by", &mut e.safe_and_well_by, &ep.safe_and_well_by);
    text("return_interview_offered_by", &mut e.ri_offered_by, &ep.return_interview_offered_by);
    text("return_interview_outcome", &mut e.ri_outcome, &ep.return_interview_outcome);
    text("return_interview_not_offered_reason", &mut e.ri_not_offered_reason, &ep.return_interview_not_offered_reason);
    match (e.ri_independent, ep.return_interview_independent) {
        (None, Some(v)) => {
            e.ri_independent = Some(v);
            filled.push("return_interview_independent".into());
        }
        (Some(s), Some(v)) if s != v => {
            conflicts.push(("return_interview_independent".into(), s.to_string(), v.to_string()));
        }
        _ => {}
    }
    let new_risks: Vec<String> =
        ep.risk_indicators.iter().filter(|r| !e.risk_indicators.contains(r)).cloned().collect();
    if !new_risks.is_empty() {
        e.risk_indicators.extend(new_risks);
        filled.push("risk_indicators".into());
    }
    (e, filled, conflicts)
}

fn new_episode(row: &Row, ctx: &Context) -> EpisodeRecord {
    let ep = &row.ep;
    EpisodeRecord {
        id: EpisodeId::generate(),
        child_id: ChildId::from(ep.child_id.as_str()),
        placement_id: row.placement_id.clone(),
        kind: ep.kind.clone(),
        started_at: row.started_at,
        ended_at: ep.ended_at.map(at),
        reported_to_police_at: ep.reported_to_police_at.map(at),
        police_reference: ep.police_reference.clone(),
        risk_indicators: ep.risk_indicators.clone().into(),
        found_where: ep.found_where.clone(),
        safe_and_well_at: ep.safe_and_well_at.map(at),
        safe_and_well_by: ep.safe_and_well_by.clone(),
        ri_offered_at: ep.return_interview_offered_at.map(at),
        ri_offered_by: ep.return_interview_offered_by.clone(),
        ri_independent: ep.return_interview_independent,
        ri_outcome: ep.return_interview_outcome.clone(),
        ri_not_offered_reason: ep.return_interview_not_offered_reason.clone(),
        ri_completed_at: ep.return_interview_completed_at.map(at),
        source: "return".into(),
        return_id: Some(ctx.return_id.clone()),
        recorded_by_org_type: ctx.submitter.org_type.clone(),
        recorded_by_org: ctx.submitter.org.clone(),
        recorded_by: ctx.submitter.sub.clone(),
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
    }
}

/// What became of a row.
enum Outcome {
    Matched { stored_version: i64, filled: Vec<String> },
    Added,
}

/// Validates the whole return and works out what storing it changes. Every problem is listed.
pub fn plan(input: Parsed, ctx: &Context) -> Result<Plan, Vec<FieldError>> {
    let Parsed { format, nil, reason, rows: raw_rows, mut errors } = input;
    let row_count = raw_rows.len();
    let nil_field = "nil";
    match (nil, row_count) {
        (None, 0) if format == Format::Csv => errors.push(FieldError::new(
            "body",
            "has no episode rows: for a quarter with no episodes send a nil return with ?nil=true",
        )),
        (None, _) if format == Format::Json => errors.push(FieldError::new(nil_field, "is required: true or false")),
        (Some(true), n) if n > 0 => errors.push(FieldError::new(
            nil_field,
            format!("is true but the return lists {n} episode(s): a nil return has none"),
        )),
        (Some(false), 0) => errors.push(FieldError::new(
            match format {
                Format::Json => "episodes",
                Format::Csv => "body",
            },
            "lists no episodes: for a quarter with no episodes send a nil return (nil true)",
        )),
        _ => {}
    }
    let reason = reason.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
    match (&reason, &ctx.reason_required) {
        (None, Some(msg)) => errors.push(FieldError::new("reason", msg.clone())),
        (Some(r), _) => crate::http::check_text(&mut errors, "reason", r, 1000),
        _ => {}
    }

    let mut rows: Vec<Row> = Vec::with_capacity(row_count);
    for raw in raw_rows {
        if let Some(row) = typed(raw, format, ctx, &mut errors) {
            rows.push(row);
        }
    }

    // Match rows to episodes reported at this setting in the quarter: same child, same day.
    let in_scope = |e: &EpisodeRecord| ctx.period.contains(crate::clock::date_of(e.started_at)) && at_setting(ctx, e);
    let mut pool: HashMap<&str, Vec<&EpisodeRecord>> = HashMap::new();
    for (child, eps) in &ctx.episodes {
        let mut v: Vec<&EpisodeRecord> = eps.iter().filter(|e| in_scope(e)).collect();
        v.sort_by(|a, b| (a.started_at, &a.id).cmp(&(b.started_at, &b.id)));
        pool.insert(child.as_str(), v);
    }
    let mut matched_to: Vec<Option<&EpisodeRecord>> = Vec::with_capacity(rows.len());
    for row in &rows {
        let candidates = pool.get_mut(row.ep.child_id.as_str());
        let found = candidates.and_then(|c| {
            let day = crate::clock::date_of(row.started_at);
            let best = c
                .iter()
                .enumerate()
                .filter(|(_, e)| crate::clock::date_of(e.started_at) == day)
                .min_by_key(|(_, e)| (e.started_at - row.started_at).num_microseconds().map(i64::abs))
                .map(|(i, _)| i)?;
            Some(c.remove(best))
        });
        matched_to.push(found);
    }

    // Every episode of each child as it would be stored, to check each row against the others.
    let mut by_child: HashMap<String, Vec<EpisodeRecord>> = HashMap::new();
    let mut replaced: HashSet<&str> = HashSet::new();
    let mut outcomes = Vec::with_capacity(rows.len());
    let mut conflicts = Vec::new();
    let mut position = Vec::with_capacity(rows.len());
    for (row, stored) in rows.iter().zip(&matched_to) {
        let (record, outcome) = match stored {
            Some(s) => {
                let (e, filled, cs) = merge(s, row);
                for (field, stored_v, returned) in cs {
                    conflicts.push(Conflict {
                        episode_id: s.id.to_string(),
                        child_id: s.child_id.to_string(),
                        row: row.label.clone(),
                        field,
                        stored: stored_v,
                        returned,
                    });
                }
                replaced.insert(s.id.as_str());
                (e, Outcome::Matched { stored_version: s.version, filled })
            }
            None => (new_episode(row, ctx), Outcome::Added),
        };
        let list = by_child.entry(row.ep.child_id.clone()).or_default();
        position.push(list.len());
        list.push(record);
        outcomes.push(outcome);
    }
    for (child, list) in by_child.iter_mut() {
        if let Some(eps) = ctx.episodes.get(child.as_str()) {
            list.extend(eps.iter().filter(|e| !replaced.contains(e.id.as_str())).cloned());
        }
    }
    for (row, pos) in rows.iter().zip(&position) {
        let (Some(child), Some(list)) =
            (ctx.children.get(row.ep.child_id.as_str()), by_child.get(row.ep.child_id.as_str()))
        else {
            continue;
        };
        let placements = ctx.placements.get(&child.id).map(Vec::as_slice).unwrap_or_default();
        for e in rules::check(&list[*pos], child, placements, list, ctx.now) {
            let field = column_of(&e.field);
            if !row.reported.contains(&field) {
                errors.push(FieldError { field: format!("{}.{field}", row.label), ..e });
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    // Valid: the changes and the summary.
    let mut summary = Reconciliation { conflicts, ..Reconciliation::default() };
    let mut inserts = Vec::new();
    let mut updates = Vec::new();
    let mut episodes = Vec::with_capacity(rows.len());
    for ((row, pos), outcome) in rows.into_iter().zip(position).zip(outcomes) {
        let Some(record) = by_child.get(row.ep.child_id.as_str()).and_then(|l| l.get(pos)) else {
            continue;
        };
        let r = EpisodeRef {
            episode_id: record.id.to_string(),
            child_id: record.child_id.to_string(),
            started_at: record.started_at.and_utc(),
            row: Some(row.label.clone()),
        };
        let label = match outcome {
            Outcome::Added => {
                inserts.push(record.clone());
                summary.added.push(r);
                "added"
            }
            Outcome::Matched { stored_version, filled } => {
                summary.matched.push(r);
                if filled.is_empty() {
                    "matched"
                } else {
                    let mut e = record.clone();
                    e.updated_at = ctx.now;
                    updates.push((e, stored_version));
                    summary.enriched.push(Enrichment {
                        episode_id: record.id.to_string(),
                        child_id: record.child_id.to_string(),
                        row: row.label.clone(),
                        fields: filled,
                    });
                    "enriched"
                }
            }
        };
        episodes.push(ReturnedEpisode {
            row: row.label,
            episode_id: record.id.to_string(),
            outcome: label.into(),
            episode: row.ep,
        });
    }
    let mut omitted: Vec<&EpisodeRecord> = pool.into_values().flatten().collect();
    omitted.sort_by(|a, b| (a.started_at, &a.id).cmp(&(b.started_at, &b.id)));
    summary.omitted = omitted
        .into_iter()
        .map(|e| EpisodeRef {
            episode_id: e.id.to_string(),
            child_id: e.child_id.to_string(),
            started_at: e.started_at.and_utc(),
            row: None,
        })
        .collect();
    summary.counts = ReconciliationCounts {
        rows: row_count as i64,
        matched: summary.matched.len() as i64,
        enriched: summary.enriched.len() as i64,
        added: summary.added.len() as i64,
        omitted: summary.omitted.len() as i64,
        conflicts: summary.conflicts.len() as i64,
    };
    Ok(Plan { nil: nil.unwrap_or(false), reason, inserts, updates, summary, episodes })
}

/// Whether an episode was recorded against a placement at this setting.
fn at_setting(ctx: &Context, e: &EpisodeRecord) -> bool {
    ctx.placements
        .get(&e.child_id)
        .is_some_and(|ps| ps.iter().any(|p| p.id == e.placement_id && p.urn.as_deref() == Some(ctx.urn.as_str())))
}
