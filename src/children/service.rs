//! Rules for children: registering, reading and amending the shared record, field validation,
//! duplicate detection and the missing flags every view of a child carries.

use super::matching::{self, Identity};
use super::model::{Candidate, Child, ChildAccess, ChildPatch, Merge, NewChild, NewMerge, NewTransfer, Transfer};
use super::{access, repo};
use crate::auth::Caller;
use crate::db::AnyConnection;
use crate::db::rows::children::{ChildRecord, MergeRecord};
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
    check_uasc(&mut errors, c, today);
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

/// SSDA903 UASC status and `DUC` as DfE checks them: a ceased date only for a UASC child (303),
/// on or before the 18th birthday (304), after birth and not in the future.
fn check_uasc(errors: &mut Vec<FieldError>, c: &ChildRecord, today: NaiveDate) {
    let Some(ceased) = c.uasc_ceased else { return };
    if !c.uasc {
        errors
            .push(FieldError::new("uasc_ceased", "is given only for a child with UASC status (uasc true)").rule("303"));
    } else if ceased <= c.date_of_birth {
        errors.push(FieldError::new("uasc_ceased", "is not after the child's birth"));
    } else if ceased > today {
        errors.push(FieldError::new("uasc_ceased", "is in the future"));
    } else if ssda903::eighteenth_birthday(c.date_of_birth).is_none_or(|adult| ceased > adult) {
        errors.push(
            FieldError::new("uasc_ceased", "is after the child's 18th birthday, when UASC status ends").rule("304"),
        );
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
        uasc: input.uasc,
        uasc_ceased: input.uasc_ceased,
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
            mother_child_dob,
            uasc,
            uasc_ceased
        ]
    );
}

fn conflict_with(kind: crate::error::ProblemType, detail: String, key: &str, value: serde_json::Value) -> ApiError {
    let mut extra = serde_json::Map::new();
    extra.insert(key.into(), value);
    ApiError::Conflict { kind, detail, extra }
}

/// Refuses a record that would duplicate another the caller may see: the same NHS number, the
/// same LA child id, or (for a new child) a similar name and the same or a slipped date of birth
/// ([`matching::possible_duplicate`]), unless confirmed distinct. Children the caller may not see are never named here: see [`screen`].
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
        let me = Identity {
            given_name: &c.given_name,
            family_name: &c.family_name,
            date_of_birth: c.date_of_birth,
            sex: &c.sex,
            nhs_number: c.nhs_number.as_deref(),
        };
        let candidates: Vec<Candidate> =
            repo::visible_born_on_any(conn, caller, &matching::plausible_birth_dates(c.date_of_birth))?
                .into_iter()
                .filter(|(id, ..)| *id != c.id.0 && !confirmed.contains(id))
                .filter_map(|(id, responsible_la, given, family, date_of_birth, sex, nhs)| {
                    let other = Identity {
                        given_name: &given,
                        family_name: &family,
                        date_of_birth,
                        sex: &sex,
                        nhs_number: nhs.as_deref(),
                    };
                    let evidence = matching::possible_duplicate(&me, &other)?;
                    let reasons = evidence.reasons().into_iter().map(String::from).collect();
                    Some(Candidate { id, responsible_la, reasons })
                })
                .collect();
        if !candidates.is_empty() {
            return Err(conflict_with(
                ProblemType::PossibleDuplicate,
                "A child with a similar name and the same or a similar date of birth is already registered \
                 (each candidate's reasons say how they differ). If this is a different child, repeat the request with their ids in confirmed_distinct_from."
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

/// The missing flags of many children as of now, keyed by child id, from their stored state
/// (one row each, whatever the number of their episodes).
pub fn flags_of_children(
    conn: &mut AnyConnection,
    ids: &[ChildId],
    now: NaiveDateTime,
) -> Result<HashMap<ChildId, ChildMissingFlags>, ApiError> {
    Ok(repo::missing_flags(conn, ids, now)?.into_iter().collect())
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

/// The DfE rules a child's record breaks that the registry accepts, as the record may be right:
/// 392b no home postcode; 231 an unaccompanied asylum-seeking child (UASC status not ceased
/// before this collection year) under 11 at the end of the year.
fn warnings(rec: &ChildRecord, today: NaiveDate) -> Vec<ssda903::Warning> {
    let year = ssda903::collection_year(today);
    let (start, _) = ssda903::collection_year_bounds(year);
    let uasc_this_year = rec.uasc && rec.uasc_ceased.is_none_or(|d| d >= start);
    ssda903::home_postcode_warning(rec.uasc, rec.home_postcode.as_deref(), None)
        .into_iter()
        .chain(ssda903::young_uasc_warning(uasc_this_year, rec.date_of_birth, year))
        .collect()
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
    Ok(Child { warnings: warnings(&record, today), ..record.view(ChildAccess::Placing) })
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
    let (rec, missing, merged) = repo::find_visible_with_flags(conn, caller, id, now)?.ok_or(ApiError::NotFound)?;
    if let Some(to) = merged {
        return Err(merged_into(to));
    }
    audit::read(conn, caller, "child.read", std::slice::from_ref(&rec.id), now)?;
    let access = access::access_for(caller, &rec.responsible_la);
    Ok(Child { missing, ..rec.view(access) })
}

/// [`read`] on an asynchronous PostgreSQL connection: the access condition, the row, its flags
/// and the audit event in one statement.
pub async fn read_async(
    conn: &mut diesel_async::AsyncPgConnection,
    caller: &Caller,
    id: &str,
    now: NaiveDateTime,
) -> Result<Child, ApiError> {
    let event = audit::read_event(caller, "child.read", &ChildId(id.to_string()), now);
    let (rec, missing, merged) =
        repo::read_visible_with_flags(conn, caller, id, &event, now).await?.ok_or(ApiError::NotFound)?;
    if let Some(to) = merged {
        return Err(merged_into(to));
    }
    let access = access::access_for(caller, &rec.responsible_la);
    Ok(Child { missing, ..rec.view(access) })
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
        let mut rec = find_current(conn, caller, id)?;
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
        let warnings = warnings(&rec, today);
        Ok(Child { warnings, ..view(conn, caller, rec, now)? })
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
    let rec = find_current(conn, caller, id)?;
    access::require_placing(caller, &rec.responsible_la, "sees who accessed a child's record")?;
    let mut ids = repo::merged_ids(conn, &rec.id)?;
    ids.push(rec.id.clone());
    let entries = audit::access_log(conn, key, &ids, before, limit)?;
    Ok(Page::from_rows(entries, limit, |e| vec![e.seq.to_string()]))
}

/// Passes responsibility for a child to another LA (the responsible LA only): the child, its
/// open placements and their episodes go to the new LA, which then sees and changes them; the
/// old LA keeps what DESIGN §6 gives it (the placements it made, and the child while it is or was
/// placed in its area). Both LAs are notified (`child.transferred`), the transfer is kept in the
/// child's timeline and audited, all in one transaction.
pub fn transfer(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    input: NewTransfer,
    now: NaiveDateTime,
) -> Result<Transfer, ApiError> {
    crate::db::write_tx(conn, |conn| {
        let rec = find_current(conn, caller, id)?;
        crate::peers::service::check_child_held_here(conn, id)?;
        access::require_placing(caller, &rec.responsible_la, "may transfer responsibility for a child")?;
        let to_la = input.to_la.trim().to_string();
        if to_la == rec.responsible_la {
            return Err(ApiError::validation(vec![FieldError::new("to_la", "is already responsible for the child")]));
        }
        if !crate::notifications::repo::is_authority(conn, &to_la)? {
            return Err(ApiError::validation(vec![FieldError::new("to_la", "is not the ONS code of an LA")]));
        }
        let la_child_id = input.la_child_id.map(|s| s.trim().to_string()).unwrap_or_else(|| rec.la_child_id.clone());
        if !ssda903::is_valid_la_child_id(&la_child_id) {
            return Err(ApiError::validation(vec![FieldError::new(
                "la_child_id",
                "must be 1 to 10 letters or digits (SSDA903 CHILD)",
            )]));
        }
        if repo::by_la_child_id(conn, &to_la, &la_child_id)?.is_some() {
            let mut extra = serde_json::Map::new();
            extra.insert("field".into(), serde_json::Value::String("la_child_id".into()));
            return Err(ApiError::Conflict {
                kind: ProblemType::DuplicateLaChildId,
                detail: "The receiving LA uses this la_child_id for another child: give the one it uses for this \
                         child in la_child_id."
                    .into(),
                extra,
            });
        }
        if let Some(nhs) = &rec.nhs_number
            && repo::la_holds_nhs_number(conn, &to_la, nhs, &rec.id)?
        {
            let mut extra = serde_json::Map::new();
            extra.insert("field".into(), serde_json::Value::String("to_la".into()));
            return Err(ApiError::Conflict {
                kind: ProblemType::Conflict,
                detail: "The receiving LA holds another record with this child's NHS number: the two records are to \
                         be merged (POST /v1/children/{id}/merge) rather than transferred."
                    .into(),
                extra,
            });
        }
        let row: repo::TransferRow = (
            uuid::Uuid::now_v7().to_string(),
            rec.id.to_string(),
            rec.responsible_la.clone(),
            to_la.clone(),
            now,
            caller.sub.clone(),
        );
        if repo::transfer(conn, &row, &la_child_id)? == 0 {
            return Err(ApiError::PreconditionFailed);
        }
        crate::peers::outbox::child_updated(conn, rec.id.as_str(), now)?;
        audit::record(conn, caller, "child.transfer", std::slice::from_ref(&rec.id), now)?;
        let payload = serde_json::json!({"child_id": rec.id, "from_la": rec.responsible_la, "to_la": to_la});
        for recipient in [&to_la, &rec.responsible_la] {
            crate::notifications::service::emit(
                conn,
                crate::notifications::service::Message {
                    kind: "child.transferred",
                    recipient,
                    sender_type: caller.org_type,
                    sender: &caller.org,
                    child_id: Some(&rec.id),
                    placement_id: None,
                    payload: payload.clone(),
                    statutory: None,
                },
                now,
            )?;
        }
        let (id, child_id, from_la, to_la, at, _) = row;
        Ok(Transfer { id, child_id, from_la, to_la, transferred_at: at.and_utc() })
    })
}

/// A child the caller may see and that was not merged into another record: 404 when it may
/// not see it, 301 `child-merged` naming `merged_into` when it was merged.
pub fn find_current(conn: &mut AnyConnection, caller: &Caller, id: &str) -> Result<ChildRecord, ApiError> {
    let rec = repo::find_visible(conn, caller, id)?.ok_or(ApiError::NotFound)?;
    match repo::merged_into(conn, &rec.id)? {
        None => Ok(rec),
        Some(to) => Err(merged_into(to)),
    }
}

/// The answer for a record merged into another: names the record kept.
fn merged_into(to: String) -> ApiError {
    let mut extra = serde_json::Map::new();
    extra.insert("merged_into".into(), serde_json::Value::String(to.clone()));
    ApiError::Conflict {
        kind: ProblemType::ChildMerged,
        detail: format!("This record was merged into {to}, the record of the same child that is kept."),
        extra,
    }
}

fn merge_view(m: MergeRecord) -> Merge {
    Merge {
        id: m.id,
        survivor_id: m.survivor_id,
        merged_id: m.merged_id,
        requested_by_la: m.requested_by_la,
        requested_at: m.requested_at.and_utc(),
        status: m.status,
        completed_by_la: m.completed_by_la,
        completed_at: m.completed_at.map(|t| t.and_utc()),
    }
}

impl MergeRecord {
    /// Marks the merge done by `la` at `now`.
    fn completed(self, la: &str, now: NaiveDateTime) -> MergeRecord {
        MergeRecord {
            status: "completed".into(),
            completed_by_la: Some(la.to_string()),
            completed_at: Some(now),
            ..self
        }
    }
}

/// Merges `merged` into `survivor` (both already checked), audited on both records, with
/// `child.merged` to each LA that held one.
fn complete(
    conn: &mut AnyConnection,
    caller: &Caller,
    survivor: &ChildRecord,
    merged: &ChildRecord,
    merge_id: &str,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    crate::peers::service::check_child_held_here(conn, survivor.id.as_str())?;
    crate::peers::service::check_child_held_here(conn, merged.id.as_str())?;
    if repo::merge(conn, survivor, merged, now)? == 0 {
        return Err(ApiError::PreconditionFailed);
    }
    crate::peers::outbox::child_updated(conn, survivor.id.as_str(), now)?;
    audit::record(conn, caller, "child.merge", &[survivor.id.clone(), merged.id.clone()], now)?;
    let payload = serde_json::json!({"merge_id": merge_id, "survivor_id": survivor.id, "merged_id": merged.id,
                                     "survivor_la": survivor.responsible_la, "merged_la": merged.responsible_la});
    let mut recipients = vec![&survivor.responsible_la];
    if merged.responsible_la != survivor.responsible_la {
        recipients.push(&merged.responsible_la);
    }
    for recipient in recipients {
        crate::notifications::service::emit(
            conn,
            crate::notifications::service::Message {
                kind: "child.merged",
                recipient,
                sender_type: caller.org_type,
                sender: &caller.org,
                child_id: Some(&survivor.id),
                placement_id: None,
                payload: payload.clone(),
                statutory: None,
            },
            now,
        )?;
    }
    Ok(())
}

/// Merges another record of the same child into `id`, which survives (the caller is responsible
/// for `id`). When the caller is also responsible for the other record the merge is done at once
/// (`completed`); otherwise it is `requested`, whatever the other id is (nothing tells the caller
/// whether a record it may not see exists), and the LA responsible for that record, if any, is
/// told (`child.merged` with status `requested`) and completes it with [`confirm_merge`].
pub fn merge(
    conn: &mut AnyConnection,
    caller: &Caller,
    id: &str,
    input: NewMerge,
    now: NaiveDateTime,
) -> Result<Merge, ApiError> {
    crate::db::write_tx(conn, |conn| {
        let survivor = find_current(conn, caller, id)?;
        crate::peers::service::check_child_held_here(conn, id)?;
        access::require_placing(caller, &survivor.responsible_la, "may merge a child's records")?;
        let other_id = input.duplicate_id.trim().to_string();
        if other_id == survivor.id.as_str() {
            return Err(ApiError::field("duplicate_id", "is the record to keep: name the other record"));
        }
        let row = MergeRecord {
            id: uuid::Uuid::now_v7().to_string(),
            survivor_id: survivor.id.to_string(),
            merged_id: other_id.clone(),
            requested_by_la: caller.org.clone(),
            requested_by: caller.sub.clone(),
            requested_at: now,
            status: "requested".into(),
            completed_by_la: None,
            completed_at: None,
        };
        let own = match repo::find_visible(conn, caller, &other_id)?.filter(|o| o.responsible_la == caller.org) {
            Some(o) if repo::merged_into(conn, &o.id)?.is_none() => Some(o),
            _ => None,
        };
        match own {
            Some(other) => {
                let done = row.completed(&caller.org, now);
                repo::insert_merge(conn, &done)?;
                complete(conn, caller, &survivor, &other, &done.id, now)?;
                return Ok(merge_view(done));
            }
            None => {
                repo::insert_merge(conn, &row)?;
                audit::record(conn, caller, "child.merge.request", std::slice::from_ref(&survivor.id), now)?;
                if let Some(other) = repo::find(conn, &other_id)?
                    && repo::merged_into(conn, &other.id)?.is_none()
                {
                    audit::record(conn, caller, "child.merge.request", std::slice::from_ref(&other.id), now)?;
                    crate::notifications::service::emit(
                        conn,
                        crate::notifications::service::Message {
                            kind: "child.merged",
                            recipient: &other.responsible_la,
                            sender_type: caller.org_type,
                            sender: &caller.org,
                            child_id: Some(&other.id),
                            placement_id: None,
                            payload: serde_json::json!({"merge_id": row.id, "status": "requested",
                                                        "survivor_id": survivor.id, "merged_id": other.id,
                                                        "survivor_la": survivor.responsible_la}),
                            statutory: None,
                        },
                        now,
                    )?;
                }
            }
        }
        Ok(merge_view(row))
    })
}

/// Confirms a requested merge (the LA responsible for the record to be merged): the merge is
/// done. 404 for any other caller, as for a merge that does not exist.
pub fn confirm_merge(
    conn: &mut AnyConnection,
    caller: &Caller,
    merge_id: &str,
    now: NaiveDateTime,
) -> Result<Merge, ApiError> {
    crate::db::write_tx(conn, |conn| {
        let row = repo::requested_merge_for(conn, merge_id, &caller.org)?.ok_or(ApiError::NotFound)?;
        let merged = repo::find(conn, &row.merged_id)?.ok_or(ApiError::NotFound)?;
        let survivor = repo::find(conn, &row.survivor_id)?.ok_or(ApiError::NotFound)?;
        if repo::merged_into(conn, &survivor.id)?.is_some() {
            return Err(ApiError::conflict(
                ProblemType::Conflict,
                "The record to keep has itself been merged since: request the merge again.",
            ));
        }
        repo::complete_merge(conn, &row.id, &caller.org, now)?;
        complete(conn, caller, &survivor, &merged, &row.id, now)?;
        Ok(merge_view(row.completed(&caller.org, now)))
    })
}
