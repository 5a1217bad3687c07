//! Rules for children: field validation and duplicate detection.

use super::model::{Candidate, ChildPatch, ChildRecord, NewChild};
use super::repo;
use crate::db::AnyConnection;
use crate::error::{ApiError, FieldError};
use crate::http::check_text;
use crate::{location, names, ssda903};
use chrono::{NaiveDate, NaiveDateTime};

/// Validates and normalises a child's values in place; every problem is reported at once.
pub fn validate(c: &mut ChildRecord, today: NaiveDate) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    c.la_child_id = c.la_child_id.trim().to_string();
    if !ssda903::is_valid_la_child_id(&c.la_child_id) {
        errors.push(FieldError::new("la_child_id", "must be 1 to 10 letters or digits (SSDA903 CHILD)"));
    }
    check_text(&mut errors, "given_name", &c.given_name, 100);
    check_text(&mut errors, "family_name", &c.family_name, 100);
    c.given_name = c.given_name.trim().to_string();
    c.family_name = c.family_name.trim().to_string();
    if c.date_of_birth > today {
        errors.push(FieldError::new("date_of_birth", "is in the future"));
    } else if c.date_of_birth < NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or(NaiveDate::MIN) {
        errors.push(FieldError::new("date_of_birth", "is not a plausible date of birth for a looked-after child"));
    }
    if !ssda903::is_code(ssda903::SEX, &c.sex) {
        errors.push(FieldError::new("sex", "must be M, F or U"));
    }
    if !ssda903::is_code(ssda903::ETHNIC, &c.ethnicity) {
        errors.push(FieldError::new("ethnicity", "is not an SSDA903 ETHNIC code"));
    }
    if let Some(n) = &c.nhs_number {
        match ssda903::normalise_nhs_number(n) {
            Some(v) => c.nhs_number = Some(v),
            None => {
                errors.push(FieldError::new("nhs_number", "is not a valid NHS number (10 digits, modulus 11 check)"))
            }
        }
    }
    if let Some(u) = &c.upn {
        let u = u.trim().to_ascii_uppercase();
        if ssda903::is_valid_upn(&u) {
            c.upn = Some(u);
        } else {
            errors.push(FieldError::new("upn", "is not a UPN (DfE format) or UN1 to UN5"));
        }
    }
    c.home_postcode = match c.home_postcode.take() {
        Some(pc) => location::check_postcode(&mut errors, "home_postcode", Some(&pc)),
        None => None,
    };
    if let Some(cin) = &c.category_of_need
        && !ssda903::is_code(ssda903::CATEGORY_OF_NEED, cin)
    {
        errors.push(FieldError::new("category_of_need", "must be N1 to N8"));
    }
    if errors.is_empty() { Ok(()) } else { Err(ApiError::validation(errors)) }
}

pub fn new_record(la: &str, input: NewChild, now: NaiveDateTime) -> ChildRecord {
    ChildRecord {
        id: uuid::Uuid::new_v4().to_string(),
        responsible_la: la.to_string(),
        la_child_id: input.la_child_id,
        given_name: input.given_name,
        family_name: input.family_name,
        date_of_birth: input.date_of_birth,
        sex: input.sex,
        ethnicity: input.ethnicity,
        nhs_number: input.nhs_number,
        upn: input.upn,
        home_postcode: input.home_postcode,
        category_of_need: input.category_of_need,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

pub fn apply_patch(c: &mut ChildRecord, p: ChildPatch) {
    if let Some(v) = p.la_child_id {
        c.la_child_id = v;
    }
    if let Some(v) = p.given_name {
        c.given_name = v;
    }
    if let Some(v) = p.family_name {
        c.family_name = v;
    }
    if let Some(v) = p.date_of_birth {
        c.date_of_birth = v;
    }
    if let Some(v) = p.sex {
        c.sex = v;
    }
    if let Some(v) = p.ethnicity {
        c.ethnicity = v;
    }
    if let Some(v) = p.nhs_number {
        c.nhs_number = v;
    }
    if let Some(v) = p.upn {
        c.upn = v;
    }
    if let Some(v) = p.home_postcode {
        c.home_postcode = v;
    }
    if let Some(v) = p.category_of_need {
        c.category_of_need = v;
    }
}

fn conflict_with(kind: crate::error::ProblemType, detail: String, key: &str, value: serde_json::Value) -> ApiError {
    let mut extra = serde_json::Map::new();
    extra.insert(key.into(), value);
    ApiError::Conflict { kind, detail, extra }
}

/// Refuses a record that would duplicate another: same NHS number, same LA child id, or (for a
/// new child) same date of birth and a similar name, unless confirmed distinct.
pub fn check_duplicates(
    conn: &mut AnyConnection,
    c: &ChildRecord,
    confirmed: Option<&[String]>,
) -> Result<(), ApiError> {
    if let Some(nhs) = &c.nhs_number
        && let Some((id, la)) = repo::by_nhs_number(conn, nhs)?
        && id != c.id
    {
        let mut e = conflict_with(
            crate::error::ProblemType::DuplicateNhsNumber,
            "A child with this NHS number is already registered.".into(),
            "existing_id",
            serde_json::Value::String(id),
        );
        if let ApiError::Conflict { extra, .. } = &mut e {
            extra.insert("responsible_la".into(), serde_json::Value::String(la));
        }
        return Err(e);
    }
    if let Some(id) = repo::by_la_child_id(conn, &c.responsible_la, &c.la_child_id)?
        && id != c.id
    {
        return Err(conflict_with(
            crate::error::ProblemType::DuplicateLaChildId,
            "You already use this la_child_id for another child.".into(),
            "existing_id",
            serde_json::Value::String(id),
        ));
    }
    if let Some(confirmed) = confirmed {
        let candidates: Vec<Candidate> = repo::born_on(conn, c.date_of_birth)?
            .into_iter()
            .filter(|(id, _, given, family)| {
                *id != c.id
                    && !confirmed.contains(id)
                    && names::similar_names(&c.given_name, &c.family_name, given, family)
            })
            .map(|(id, responsible_la, _, _)| Candidate { id, responsible_la })
            .collect();
        if !candidates.is_empty() {
            return Err(conflict_with(
                crate::error::ProblemType::PossibleDuplicate,
                "A child with the same date of birth and a similar name is already registered. If this is a \
                 different child, repeat the request with their ids in confirmed_distinct_from."
                    .into(),
                "candidates",
                serde_json::to_value(candidates).map_err(ApiError::internal)?,
            ));
        }
    }
    Ok(())
}

/// A child's missing flags as of now.
pub fn child_flags(
    conn: &mut AnyConnection,
    child_id: &str,
    now: NaiveDateTime,
) -> Result<crate::flags::ChildMissingFlags, ApiError> {
    let mut all = flags_of_children(conn, std::slice::from_ref(&child_id.to_string()), now)?;
    Ok(all.remove(child_id).unwrap_or_else(|| crate::flags::child(&[], now)))
}

/// The missing flags of many children as of now, keyed by child id (every id given), from the
/// clocks of the only episodes they depend on: those open, or started or ended in the repeat
/// window (a child may have hundreds of older ones).
pub fn flags_of_children(
    conn: &mut AnyConnection,
    ids: &[String],
    now: NaiveDateTime,
) -> Result<std::collections::HashMap<String, crate::flags::ChildMissingFlags>, ApiError> {
    let since = now - chrono::TimeDelta::days(crate::flags::REPEAT_WINDOW_DAYS);
    let mut clocks: std::collections::HashMap<String, Vec<crate::flags::EpisodeClock>> =
        ids.iter().map(|id| (id.clone(), Vec::new())).collect();
    for (child, clock) in repo::missing_clocks(conn, ids, since)? {
        clocks.entry(child).or_default().push(clock);
    }
    Ok(clocks.into_iter().map(|(child, episodes)| (child, crate::flags::child(&episodes, now))).collect())
}
