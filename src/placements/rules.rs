//! The rules a placement must keep, as checks that collect every problem at once: SSDA903 codes
//! and their compatibility, where the child lives (from the postcode, never from the caller
//! alone), dates, no overlapping placements, and ends with a reason.

use super::model::LegalStatusPeriod;
use crate::db::AnyConnection;
use crate::db::rows::placements::PlacementRecord;
use crate::directory::repo as directory;
use crate::error::{ApiError, FieldError, ProblemType};
use crate::ids::PlacementId;
use crate::{location, ssda903};
use chrono::{Datelike, NaiveDate};

/// Earliest date DfE accepts for an episode (rule 353).
fn earliest_episode() -> NaiveDate {
    NaiveDate::from_ymd_opt(1991, 10, 14).unwrap_or(NaiveDate::MIN)
}

pub struct Where {
    pub urn: Option<String>,
    pub host_area: String,
    pub postcode: String,
}

/// Where the placement is: a registered setting's location, or the postcode given.
pub fn resolve_where(
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
            // A setting in an area homed on another registry node is registered there: the
            // placing LA names it with its postcode.
            let elsewhere = ssda903::is_valid_urn(u)
                && match postcode.and_then(|pc| location::resolve("postcode", pc, "host_la", host_la).ok()) {
                    Some(loc) => crate::peers::repo::home_of(conn, loc.area.code())?.is_some(),
                    None => false,
                };
            if !agency && !elsewhere {
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
            let rule = ssda903::cited_rule(&m);
            let e = FieldError::new("urn", m);
            errors.push(match rule {
                Some(r) => e.rule(r),
                None => e,
            });
        }
    }
    Ok(resolved)
}

/// The placement type, in the collection year of the day it starts (DfE rule 146: a code that
/// did not exist then, or no longer did, is refused), and the provider that goes with it.
pub fn check_codes(errors: &mut Vec<FieldError>, place: &str, provider: Option<&str>, start: NaiveDate) {
    if !ssda903::is_code(ssda903::PLACE, place) && !ssda903::WITHDRAWN_PLACE.contains(&place) {
        errors.push(FieldError::new("place", "is not an SSDA903 PLACE code").rule("146"));
        return;
    }
    if let Err(m) = ssda903::check_place_in_year(place, ssda903::collection_year(start)) {
        errors.push(FieldError::new("place", m).rule("146"));
        return;
    }
    if let Some(p) = provider
        && !ssda903::is_code(ssda903::PLACE_PROVIDER, p)
    {
        errors.push(FieldError::new("place_provider", "is not an SSDA903 PLACE_PROVIDER code"));
        return;
    }
    if let Err(m) = ssda903::check_place_provider(place, provider) {
        let rule = ssda903::cited_rule(&m);
        let e = FieldError::new("place_provider", m);
        errors.push(match rule {
            Some(r) => e.rule(r),
            None => e,
        });
    }
}

pub fn check_legal_status(errors: &mut Vec<FieldError>, field: &str, ls: &str) {
    if !ssda903::is_code(ssda903::LEGAL_STATUS, ls) {
        errors.push(FieldError::new(field, "is not an SSDA903 LS code"));
    }
}

/// DfE rules 371 to 374: a placement type the child is too young for on the day it starts.
pub fn check_place_for_age(errors: &mut Vec<FieldError>, place: &str, dob: NaiveDate, start: NaiveDate) {
    if let Some((rule, message)) = ssda903::place_for_age(place, dob, start) {
        errors.push(FieldError::new("place", message).rule(rule));
    }
}

/// DfE rule 408: a placement for adoption with a placement order (A5, A6) under another legal
/// status.
pub fn check_adoption_place_status(errors: &mut Vec<FieldError>, field: &str, place: &str, ls: &str) {
    if let Some((rule, message)) = ssda903::adoption_place_status(place, ls) {
        errors.push(FieldError::new(field, message).rule(rule));
    }
}

/// DfE rules 382, 384: a short break (V3, V4) in a temporary placement or long-term fostering.
pub fn check_short_break_place(errors: &mut Vec<FieldError>, field: &str, ls: &str, place: &str) {
    if let Some((rule, message)) = ssda903::short_break_place(ls, place) {
        errors.push(FieldError::new(field, message).rule(rule));
    }
}

/// DfE rule 358: a legal status (J1 to J3) the child is too young for on the day it takes effect.
pub fn check_legal_status_for_age(errors: &mut Vec<FieldError>, ls: &str, dob: NaiveDate, from: NaiveDate) {
    if let Some((rule, message)) = ssda903::legal_status_for_age(ls, dob, from) {
        errors.push(FieldError::new("legal_status", message).rule(rule));
    }
}

pub fn check_start(errors: &mut Vec<FieldError>, start: NaiveDate, dob: NaiveDate) {
    if start < dob {
        errors.push(FieldError::new("start_date", "is before the child's date of birth").rule("302"));
    }
    if start < earliest_episode() {
        errors.push(FieldError::new("start_date", "is before 14/10/1991").rule("353"));
    }
}

/// Refuses a period that overlaps another placement of the child; ending the day the next one
/// starts (a move) is fine.
pub fn check_overlap(
    others: &[PlacementRecord],
    id: Option<&PlacementId>,
    start: NaiveDate,
    end: Option<NaiveDate>,
) -> Result<(), ApiError> {
    for o in others.iter().filter(|o| Some(&o.id) != id) {
        let starts_before_other_ends = o.end_date.is_none_or(|e| start < e);
        let other_starts_before_end = end.is_none_or(|e| o.start_date < e);
        if (starts_before_other_ends && other_starts_before_end) || o.start_date == start {
            let mut extra = serde_json::Map::new();
            extra.insert("overlapping_placement_id".into(), serde_json::Value::String(o.id.to_string()));
            return Err(ApiError::Conflict {
                kind: ProblemType::OverlappingPlacement,
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

pub fn check_end(
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
    if let Some((rule, message)) = ssda903::temporary_place_for_length(&p.place, p.start_date, end) {
        errors.push(FieldError::new("end_date", message).rule(rule));
    }
    if let Some((rule, message)) = ssda903::rec_for_age(rec, dob, end) {
        errors.push(FieldError::new("rec", message).rule(rule));
    }
    if let Some(late) = statuses.iter().find(|s| s.effective_from > end) {
        errors.push(FieldError::new(
            "end_date",
            format!("is before the legal status change recorded on {}", late.effective_from),
        ));
    }
}

pub fn age_on(dob: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - dob.year();
    if (on.month(), on.day()) < (dob.month(), dob.day()) {
        age -= 1;
    }
    age
}

/// DfE rule 437: a placement ends with the child's death or being found 18 or over (E2, E15) only
/// when no placement of the child starts on or after that day.
pub fn check_final_end(
    errors: &mut Vec<FieldError>,
    others: &[PlacementRecord],
    id: &PlacementId,
    end: NaiveDate,
    rec: &str,
) {
    if ssda903::ends_care_for_good(rec) && others.iter().any(|o| &o.id != id && o.start_date >= end) {
        errors.push(FieldError::new("rec", ssda903::NOTHING_AFTER_FINAL_END).rule("437"));
    }
}

/// DfE rule 378: a child placed with parents (P1) is not looked after under a single period of
/// accommodation under section 20 (V2).
pub fn check_place_and_status(errors: &mut Vec<FieldError>, field: &str, place: &str, ls: &str) {
    if place == "P1" && ls == "V2" {
        let message = if field == "place" {
            "a child accommodated under section 20 (V2) during this placement cannot be placed with parents (P1)"
        } else {
            "a child placed with parents (P1) cannot be accommodated under section 20 (V2): record the order she is under"
        };
        errors.push(FieldError::new(field, message).rule("378"));
    }
}

/// DfE rule 516: special guardianship to former foster carers (E45, E46) ends a foster placement
/// (U1 to U6); 390: an adoption (E11, E12) ends a placement for adoption (A3 to A6).
pub fn check_rec_for_place(errors: &mut Vec<FieldError>, place: &str, rec: &str) {
    if matches!(rec, "E45" | "E46") && !matches!(place, "U1" | "U2" | "U3" | "U4" | "U5" | "U6") {
        errors.push(
            FieldError::new("rec", format!("{rec} (special guardianship to former foster carers) ends only a foster placement (U1 to U6), not {place}"))
                .rule("516"),
        );
    }
    if let Some((rule, message)) = ssda903::rec_for_place(rec, place) {
        errors.push(FieldError::new("rec", format!("{message}, not {place}")).rule(rule));
    }
}

/// How the return shows the start of a placement (its first episode's `RNE`), from the child's
/// other placements: a new period of care (`S`) unless one of them ended that day with `X1`;
/// then the same carers (`T`) when the `URN` and postcode are that placement's, else a new
/// placement (`P`). (Whether the legal status changed too, `U` or `B`, does not matter to the
/// rules that read it.)
pub fn starting_rne(
    others: &[PlacementRecord],
    id: Option<&PlacementId>,
    start: NaiveDate,
    place: &str,
    urn: Option<&str>,
    postcode: &str,
) -> &'static str {
    let carer = |place: &str, urn: Option<&str>| {
        let urn = urn.map(str::trim).filter(|u| !u.is_empty()).map(str::to_ascii_uppercase);
        match ssda903::urn_rule(place) {
            ssda903::UrnRule::RequiredOrAgency => urn.or_else(|| Some(ssda903::AGENCY_URN.to_string())),
            _ => urn,
        }
    };
    let before = others
        .iter()
        .filter(|o| Some(&o.id) != id)
        .find(|o| o.end_date == Some(start) && o.rec.as_deref() == Some("X1"));
    match before {
        None => "S",
        Some(o) if carer(&o.place, o.urn.as_deref()) == carer(place, urn) && o.postcode == postcode => "T",
        Some(_) => "P",
    }
}

/// The placement type of the child's placement before one starting on `start`, as the return
/// for the year `start` is in shows it: `None` when there is none, or it ended before that year.
pub fn previous_place<'a>(
    others: &'a [PlacementRecord],
    id: Option<&PlacementId>,
    start: NaiveDate,
) -> Option<&'a str> {
    let (year_start, _) = ssda903::collection_year_bounds(ssda903::collection_year(start));
    others
        .iter()
        .filter(|o| Some(&o.id) != id && o.start_date < start)
        .max_by_key(|o| o.start_date)
        .filter(|o| o.end_date.is_none_or(|e| e >= year_start))
        .map(|o| o.place.as_str())
}

/// DfE rules on how a placement starts, read with the child's other placements: 437 none after
/// care that ended with death or being found 18 or over (E2, E15); 352 no period of
/// care starting at 18 or over; 217 a placement for adoption with the current foster carers (A3,
/// A5) shows the same carers or starts a period of care; 336 a placement for adoption without a
/// placement order (A3, A4) follows a foster or adoption placement.
pub fn check_how_it_starts(
    errors: &mut Vec<FieldError>,
    others: &[PlacementRecord],
    id: Option<&PlacementId>,
    dob: NaiveDate,
    start: NaiveDate,
    place: &str,
    w: &Where,
) {
    if others.iter().any(|o| {
        Some(&o.id) != id
            && o.end_date.is_some_and(|e| e <= start)
            && o.rec.as_deref().is_some_and(ssda903::ends_care_for_good)
    }) {
        errors.push(FieldError::new("start_date", ssda903::NOTHING_AFTER_FINAL_END).rule("437"));
    }
    let rne = starting_rne(others, id, start, place, w.urn.as_deref(), &w.postcode);
    if let Some((rule, message)) = ssda903::care_start_for_age(rne, dob, start) {
        errors.push(FieldError::new("start_date", message).rule(rule));
    }
    if let Some((rule, message)) = ssda903::adoption_with_carers_start(place, start, rne) {
        errors.push(FieldError::new("place", message).rule(rule));
    }
    if let Some((rule, message)) = ssda903::adoption_after(place, previous_place(others, id, start)) {
        errors.push(FieldError::new("place", message).rule(rule));
    }
}

/// The child's placement after `p` (the next by start date), read again with `p` as corrected:
/// how it starts (its `RNE`, the placement before it) depends on `p`, so a correction of `p`
/// must leave it as DfE accepts it (352, 217, 336). An error names `field`, the field of `p`
/// whose change causes it.
pub fn check_next_start(
    errors: &mut Vec<FieldError>,
    others: &[PlacementRecord],
    p: &PlacementRecord,
    dob: NaiveDate,
    field: &str,
) {
    let Some(next) = others
        .iter()
        .filter(|o| o.id != p.id && o.start_date >= p.start_date)
        .min_by(|a, b| (a.start_date, &a.id).cmp(&(b.start_date, &b.id)))
    else {
        return;
    };
    let corrected: Vec<PlacementRecord> =
        others.iter().map(|o| if o.id == p.id { p.clone() } else { o.clone() }).collect();
    let w = Where { urn: next.urn.clone(), host_area: next.host_area.clone(), postcode: next.postcode.clone() };
    let mut found = Vec::new();
    check_how_it_starts(&mut found, &corrected, Some(&next.id), dob, next.start_date, &next.place, &w);
    // 437 (nothing after an E2 or E15 ending) is the ending's own check.
    for e in found.into_iter().filter(|e| e.rule.as_deref() != Some("437")) {
        let message = format!(
            "the next placement ({}, from {}) would then break this: {}",
            next.place, next.start_date, e.message
        );
        let error = FieldError::new(field, message);
        errors.push(match e.rule {
            Some(rule) => error.rule(rule),
            None => error,
        });
    }
}

/// DfE rule 1015: the LA's own provision (PR1) outside its area, other than fostering, adoption,
/// supported accommodation and short breaks, in an episode from `from` (in the return of the
/// collection year it starts in).
#[allow(clippy::too_many_arguments, reason = "the episode's fields that DfE rule 1015 reads")]
pub fn check_own_provision(
    errors: &mut Vec<FieldError>,
    field: &str,
    la: &str,
    place: &str,
    provider: Option<&str>,
    ls: &str,
    host_area: &str,
    from: NaiveDate,
) {
    let year = ssda903::collection_year(from);
    if let Some((rule, message)) = ssda903::own_provision_outside(place, provider, ls, Some(host_area), la, year) {
        errors.push(FieldError::new(field, message).rule(rule));
    }
}

/// Legal statuses that may last only so long, with DfE's rule: police protection (L1) 72 hours
/// (361), an emergency protection order (L2) 21 days (362), a child assessment order (L3) 7 days
/// (363), detention under PACE (J2) 21 days (364), a single short break (V3) 17 days (365).
const STATUS_LIMITS: &[(&str, i64, &str, &str)] = &[
    ("L1", 3, "361", "police protection (L1)"),
    ("L2", 21, "362", "an emergency protection order (L2)"),
    ("L3", 7, "363", "a child assessment order (L3)"),
    ("J2", 21, "364", "detention under PACE (J2)"),
    ("V3", 17, "365", "a short break (V3)"),
];

/// DfE rules 361 to 365: a legal status that may last only so long ([`STATUS_LIMITS`]) is
/// followed by another (or the placement ends) within that time of its start.
pub fn check_status_lengths(
    errors: &mut Vec<FieldError>,
    field: &str,
    statuses: &[LegalStatusPeriod],
    until: NaiveDate,
) {
    let mut current: Option<(&str, NaiveDate)> = None;
    let close = |errors: &mut Vec<FieldError>, run: Option<(&str, NaiveDate)>, to: NaiveDate| {
        if let Some((ls, from)) = run
            && let Some((_, days, rule, what)) = STATUS_LIMITS.iter().find(|l| l.0 == ls)
            && (to - from).num_days() > *days
        {
            errors.push(
                FieldError::new(
                    field,
                    format!(
                        "{what} from {from} would last more than {}: record the legal status that followed it",
                        limit(*days)
                    ),
                )
                .rule(*rule),
            );
        }
    };
    for s in statuses {
        if s.effective_from > until {
            break;
        }
        if current.is_some_and(|(ls, _)| ls == s.legal_status) {
            continue;
        }
        close(errors, current, s.effective_from);
        current = Some((&s.legal_status, s.effective_from));
    }
    close(errors, current, until);
}

fn limit(days: i64) -> String {
    if days == 3 { "72 hours".into() } else { format!("{days} days") }
}
