//! Rules for children: registering, reading and amending the shared record, field validation,
//! duplicate detection and the missing flags every view of a child carries.

use super::model::{Candidate, Child, ChildAccess, ChildPatch, NewChild};
use super::{access, repo};
use crate::auth::Caller;
use crate::db::AnyConnection;
use crate::db::rows::children::ChildRecord;
use crate::error::{ApiError, FieldError, ProblemType};
use crate::flags::{self, ChildMissingFlags};
use crate::http::{Page, PageQuery, check_text};
use crate::ids::ChildId;
use crate::{audit, location, ssda903};
use chrono::{NaiveDate, NaiveDateTime};
use std::collections::HashMap;

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
    check_motherhood(&mut errors, c, today);
    if errors.is_empty() { Ok(()) } else { Err(ApiError::validation(errors)) }
}

/// SSDA903 `MOTHER` and `MC_DOB` as DfE checks them: the date of birth of her first child only
/// for a mother (611, 612) and never for a boy (174), after her own birth (621), not in the
/// future, and no mother under 11 (620).
fn check_motherhood(errors: &mut Vec<FieldError>, c: &ChildRecord, today: NaiveDate) {
    if c.sex == "M" && c.mother == Some(true) {
        errors.push(FieldError::new("mother", "a boy cannot be recorded as a mother").rule("174"));
    }
    match (c.mother, c.mother_child_dob) {
        (Some(true), None) => errors.push(
            FieldError::new("mother_child_dob", "is required for a mother (the date of birth of her first child)")
                .rule("611"),
        ),
        (Some(false) | None, Some(_)) if c.sex == "M" => errors
            .push(FieldError::new("mother_child_dob", "is given only for a mother, and a boy is not one").rule("174")),
        (Some(false) | None, Some(_)) => {
            errors.push(FieldError::new("mother_child_dob", "is given only when mother is true").rule("612"))
        }
        (Some(true), Some(d)) => {
            if d <= c.date_of_birth {
                errors.push(FieldError::new("mother_child_dob", "is not after the child's own birth").rule("621"));
            } else if d > today {
                errors.push(FieldError::new("mother_child_dob", "is in the future").rule("625"));
            }
        }
        _ => {}
    }
    let eleven = c.date_of_birth.checked_add_months(chrono::Months::new(132));
    if c.mother == Some(true) && eleven.is_none_or(|d| d > today) {
        errors.push(FieldError::new("mother", "a child under 11 cannot be recorded as a mother").rule("620"));
    }
}

pub fn new_record(la: &str, input: NewChild, now: NaiveDateTime) -> ChildRecord {
    ChildRecord {
        id: ChildId::generate(),
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
        mother: input.mother,
        mother_child_dob: input.mother_child_dob,
        version: 1,
        created_at: now,
        updated_at: now,
    }
}

pub fn apply_patch(c: &mut ChildRecord, p: ChildPatch) {
    crate::apply_patch!(
        c,
        p,
        [
            la_child_id,
            given_name,
            family_name,
            date_of_birth,
            sex,
            ethnicity,
            nhs_number,
            upn,
            home_postcode,
            category_of_need,
            mother,
            mother_child_dob
        ]
    );
}

fn conflict_with(kind: crate::error::ProblemType, detail: String, key: &str, value: serde_json::Value) -> ApiError {
    let mut extra = serde_json::Map::new();
    extra.insert(key.into(), value);
    ApiError::Conflict { kind, detail, extra }
}

/// Refuses a record that would duplicate another the caller may see: the same NHS number, the
/// same LA child id, or (for a new child) the same date of birth and a similar name, unless
/// confirmed distinct. Children the caller may not see are never named here: see [`screen`].
pub fn check_duplicates(
    conn: &mut AnyConnection,
    caller: &Caller,
    c: &ChildRecord,
    confirmed: Option<&[String]>,
) -> Result<(), ApiError> {
    if let Some(nhs) = &c.nhs_number
        && let Some((id, la)) = repo::visible_by_nhs_number(conn, caller, nhs)?
        && id != c.id.0
    {
        let mut e = conflict_with(
            ProblemType::DuplicateNhsNumber,
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
        && id != c.id.0
    {
        return Err(conflict_with(
            ProblemType::DuplicateLaChildId,
            "You already use this la_child_id for another child.".into(),
            "existing_id",
            serde_json::Value::String(id),
        ));
    }
    if let Some(confirmed) = confirmed {
        let candidates: Vec<Candidate> = repo::visible_born_on(conn, caller, c.date_of_birth)?
            .into_iter()
            .filter(|(id, _, given, family)| {
                *id != c.id.0
                    && !confirmed.contains(id)
                    && super::matching::similar_names(&c.given_name, &c.family_name, given, family)
            })
            .map(|(id, responsible_la, _, _)| Candidate { id, responsible_la })
            .collect();
        if !candidates.is_empty() {
            return Err(conflict_with(
                ProblemType::PossibleDuplicate,
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

/// Family names compared as people write them: case, accents aside, spaces and hyphens ignored.
fn same_family_name(a: &str, b: &str) -> bool {
    let fold = |s: &str| -> String { s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect() };
    fold(a) == fold(b)
}

/// Matches a child the caller is registering (or correcting) against records with the same NHS
/// number that the caller may not see, without telling the caller whether any exists unless it
/// proves it has the child: the matching date of birth and family name. With that proof the
/// caller is given the existing record's id (409 `child-already-registered`), so it links to it
/// (a transfer of responsibility, a placement) instead of making a second record; without it the
/// registration goes on as if there were no match. Either way the match is an audited event on
/// the existing child (`child.match.made` or `child.match.refused`), in its own transaction, which
/// its responsible LA sees in the access log.
pub fn screen(conn: &mut AnyConnection, caller: &Caller, c: &ChildRecord, now: NaiveDateTime) -> Result<(), ApiError> {
    let Some(nhs) = c.nhs_number.as_deref().and_then(ssda903::normalise_nhs_number) else { return Ok(()) };
    if repo::visible_by_nhs_number(conn, caller, &nhs)?.is_some() {
        // The caller may see it: check_duplicates names it.
        return Ok(());
    }
    let others: Vec<ChildRecord> = repo::by_nhs_number(conn, &nhs)?.into_iter().filter(|o| o.id != c.id).collect();
    let proven =
        others.iter().find(|o| o.date_of_birth == c.date_of_birth && same_family_name(&o.family_name, &c.family_name));
    let events: Vec<(&str, ChildId)> = others
        .iter()
        .map(|o| {
            let made = proven.is_some_and(|p| p.id == o.id);
            (if made { "child.match.made" } else { "child.match.refused" }, o.id.clone())
        })
        .collect();
    crate::db::write_tx(conn, |conn| {
        for (action, id) in &events {
            audit::record(conn, caller, action, std::slice::from_ref(id), now)?;
        }
        Ok::<_, ApiError>(())
    })?;
    match proven {
        Some(p) => Err(conflict_with(
            ProblemType::ChildAlreadyRegistered,
            "This child is already registered: the NHS number, date of birth and family name match an existing \
             record. Link to it (existing_id) rather than making a second one; its responsible LA can transfer \
             responsibility."
                .into(),
            "existing_id",
            serde_json::Value::String(p.id.to_string()),
        )),
        None => Ok(()),
    }
}

/// A child's missing flags as of now.
pub fn child_flags(
    conn: &mut AnyConnection,
    child_id: &ChildId,
    now: NaiveDateTime,
) -> Result<ChildMissingFlags, ApiError> {
    let mut all = flags_of_children(conn, std::slice::from_ref(child_id), now)?;
    Ok(all.remove(child_id).unwrap_or_else(|| flags::child(&[], now)))
}

/// The missing flags of many children as of now, keyed by child id (every id given), from the
/// clocks of the only episodes they depend on: those open, or started or ended in the repeat
/// window (a child may have hundreds of older ones).
pub fn flags_of_children(
    conn: &mut AnyConnection,
    ids: &[ChildId],
    now: NaiveDateTime,
) -> Result<HashMap<ChildId, ChildMissingFlags>, ApiError> {
    let since = now - chrono::TimeDelta::days(flags::REPEAT_WINDOW_DAYS);
    let mut clocks: HashMap<ChildId, Vec<flags::EpisodeClock>> =
        ids.iter().map(|id| (id.clone(), Vec::new())).collect();
    for (child, clock) in repo::missing_clocks(conn, ids, since)? {
        clocks.entry(child).or_default().push(clock);
    }
    Ok(clocks.into_iter().map(|(child, episodes)| (child, flags::child(&episodes, now))).collect())
}

/// The view of a child for a caller who may see it, with its flags.
fn view(conn: &mut AnyConnection, caller: &Caller, rec: ChildRecord, now: NaiveDateTime) -> Result<Child, ApiError> {
    let missing = child_flags(conn, &rec.id, now)?;
    let access = access::access_for(caller, &rec.responsible_la);
    Ok(Child { missing, ..rec.view(access) })
}

/// Registers a child of the caller's LA, once per `Idempotency-Key`: matched first against
/// records the caller may not see ([`screen`]), then checked and stored in one transaction.
pub fn register_once(
    conn: &mut AnyConnection,
    idem: &crate::idempotency::Idempotency,
    caller: &Caller,
    input: NewChild,
    now: NaiveDateTime,
    today: NaiveDate,
) -> Result<(Child, bool), ApiError> {
    let mut probe = new_record(&caller.org, input.clone(), now);
    if validate(&mut probe, today).is_ok() {
        screen(conn, caller, &probe, now)?;
    }
    idem.run(conn, now, |conn| register(conn, caller, &caller.org, input, now, today))
}

/// Registers a child of the caller's LA (in the caller's transaction).
pub fn register(
    conn: &mut AnyConnection,
    caller: &Caller,
    la: &str,
    input: NewChild,
    now: NaiveDateTime,
    today: NaiveDate,
) -> Result<Child, ApiError> {
    let confirmed = input.confirmed_distinct_from.clone();
    let mut record = new_record(la, input, now);
    validate(&mut record, today)?;
    check_duplicates(conn, caller, &record, Some(&confirmed))?;
    repo::insert(conn, &record)?;
    audit::record(conn, caller, "child.create", std::slice::from_ref(&record.id), now)?;
    Ok(record.view(ChildAccess::Placing))
}

/// A page of the responsible LA's children, by family name.
pub fn list(
    conn: &mut AnyConnection,
    caller: &Caller,
    la: &str,
    page: &PageQuery,
    now: NaiveDateTime,
) -> Result<Page<Child>, ApiError> {
    let limit = page.limit()?;
    let rows = repo::list_own(conn, la, page.after_pair::<String>()?, limit)?;
    let ids: Vec<ChildId> = rows.iter().take(limit as usize).map(|r| r.id.clone()).collect();
    audit::read(conn, caller, "child.list", &ids, now)?;
    let mut missing = flags_of_children(conn, &ids, now)?;
    let views = rows
        .into_iter()
        .map(|r| {
            let flags = missing.remove(&r.id).unwrap_or_else(|| flags::child(&[], now));
            Child { missing: flags, ..r.view(ChildAccess::Placing) }
        })
        .collect();
    Ok(Page::from_rows(views, limit, |c| vec![c.family_name.clone(), c.id.clone()]))
}

/// A child as the caller may see it; 404 when it may not.
pub fn read(conn: &mut AnyConnection, caller: &Caller, id: &str, now: NaiveDateTime) -> Result<Child, ApiError> {
    let rec = repo::find_visible(conn, caller, id)?.ok_or(ApiError::NotFound)?;
    audit::read(conn, caller, "child.read", std::slice::from_ref(&rec.id), now)?;
    view(conn, caller, rec, now)
}

/// Amends a child (the responsible LA only) at the version the caller read.
pub fn amend(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    patch: ChildPatch,
    version: i64,
    now: NaiveDateTime,
    today: NaiveDate,
) -> Result<Child, ApiError> {
    crate::db::write_tx(conn, |conn| {
        let mut rec = repo::find_visible(conn, caller, id)?.ok_or(ApiError::NotFound)?;
        crate::peers::service::check_child_held_here(conn, id)?;
        access::require_placing(caller, &rec.responsible_la, "may change a child's record")?;
        if rec.version != version {
            return Err(ApiError::PreconditionFailed);
        }
        apply_patch(&mut rec, patch);
        validate(&mut rec, today)?;
        check_duplicates(conn, caller, &rec, None)?;
        rec.updated_at = now;
        if repo::update(conn, &rec, version)? == 0 {
            return Err(ApiError::PreconditionFailed);
        }
        rec.version = version + 1;
        crate::peers::outbox::child_updated(conn, rec.id.as_str(), now)?;
        audit::record(conn, caller, "child.update", std::slice::from_ref(&rec.id), now)?;
        view(conn, caller, rec, now)
    })
}

/// Who accessed a child's record, newest first (the responsible LA only).
pub fn access_log(
    conn: &mut AnyConnection,
    caller: &Caller,
    key: &audit::AuditKey,
    id: &str,
    page: &PageQuery,
) -> Result<Page<audit::AccessEntry>, ApiError> {
    let limit = page.limit()?;
    let before = match page.after()? {
        None => None,
        Some(k) => Some(k.first().and_then(|s| s.parse::<i64>().ok()).ok_or_else(crate::http::bad_cursor)?),
    };
    let rec = repo::find_visible(conn, caller, id)?.ok_or(ApiError::NotFound)?;
    access::require_placing(caller, &rec.responsible_la, "sees who accessed a child's record")?;
    let entries = audit::access_log(conn, key, &rec.id, before, limit)?;
    Ok(Page::from_rows(entries, limit, |e| vec![e.seq.to_string()]))
}
