//! DfE SSDA903 (children looked after return) code lists and field rules,
//! 2025-26 collection.
//!
//! - [`codes`]: the code lists, membership and one-line descriptions.
//! - [`placement`]: `PLACE` against `PLACE_PROVIDER` and `URN`.
//! - [`identifiers`]: UPN, NHS number and the LA's `CHILD` identifier.
//! - [`dates`]: `dd/mm/YYYY` dates and collection years.
//! - [`ages`]: placement types, legal statuses and reasons for ceasing care that the child's age
//!   rules out.
//!
//! Everything is re-exported here, so `ssda903::PLACE` and
//! `ssda903::check_urn` work directly.

pub mod ages;
pub mod codes;
pub mod dates;
pub mod identifiers;
pub mod placement;

pub use ages::{
    NOTHING_AFTER_FINAL_END, adoption_after, adoption_place_status, adoption_with_carers_start, care_start_for_age,
    ends_care_for_good, legal_status_for_age, looked_after_past_18, place_for_age, rec_for_age, rec_for_place,
    short_break_place, temporary_place_for_length,
};
pub use codes::{
    CATEGORY_OF_NEED, CATEGORY_OF_NEED_DESCRIPTIONS, ETHNIC, LEGAL_STATUS, LEGAL_STATUS_DESCRIPTIONS, MISSING_TYPE,
    MISSING_TYPE_DESCRIPTIONS, PLACE, PLACE_DESCRIPTIONS, PLACE_PROVIDER, PLACE_PROVIDER_DESCRIPTIONS,
    REASON_PLACE_CHANGE, REASON_PLACE_CHANGE_DESCRIPTIONS, REC, REC_DESCRIPTIONS, RNE, RNE_DESCRIPTIONS, SEX,
    WITHDRAWN_PLACE, check_place_in_year, describe, descriptions, is_code, place_codes, sex_codes, sex_for_year,
};
pub use dates::{collection_year, collection_year_bounds, eighteenth_birthday, format_date, parse_date, school_age_in};
pub use identifiers::{
    LA_CHILD_ID_MAX_LEN, UPN_UNKNOWN, is_valid_la_child_id, is_valid_nhs_number, is_valid_upn, normalise_nhs_number,
    upn_check_letter_ok,
};
pub use placement::{
    AGENCY_URN, UrnRule, check_place_provider, check_urn, check_urn_for_location, is_temporary_place,
    is_valid_school_urn, is_valid_urn, urn_rule,
};

/// A DfE rule that a write breaks and that the registry accepts on the day, because the fact may
/// not be known yet (a child's home postcode, say). The write's response carries it, and the
/// export's `/validation` lists it until it is put right.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Warning {
    /// The DfE rule, by its code.
    #[schema(example = "392b")]
    pub rule: String,
    /// The field to put right (`home_postcode` is the child's).
    #[schema(example = "home_postcode")]
    pub field: String,
    /// DfE's message for the rule.
    #[schema(example = "Child is looked after but no postcodes are recorded.")]
    pub message: String,
}

/// DfE rule 146 where the code lists changed: a placement of a type that no longer exists in a
/// collection year it runs into (`Z1`, `H5` and `P2` were withdrawn from 2025-26) is refused in
/// that year's return, even when it ends on the year's first day. The placement was lawful when
/// it began and no type exists in both years, so it is accepted, and every answer about it
/// carries this warning (as `/validation` lists the row).
pub fn withdrawn_place_warning(place: &str, start: chrono::NaiveDate, until: chrono::NaiveDate) -> Option<Warning> {
    let year = (collection_year(start) + 1..=collection_year(until)).find(|y| !place_codes(*y).contains(&place))?;
    Some(Warning {
        rule: "146".into(),
        field: "place".into(),
        message: format!(
            "{place} is not a placement type in {}-{:02}, and this placement was still going on 1 April {}: \
             DfE refuses it in that year's return (no type exists in both years)",
            year - 1,
            year % 100,
            year - 1
        ),
    })
}

/// DfE rule 392b: a child looked after needs a home postcode (from which DfE derives the
/// placement's distance, 392a), unless an unaccompanied asylum-seeking child or on a short break
/// (legal status V3, V4).
pub fn home_postcode_warning(uasc: bool, home_postcode: Option<&str>, legal_status: Option<&str>) -> Option<Warning> {
    let exempt = uasc || matches!(legal_status, Some("V3" | "V4"));
    (!exempt && home_postcode.is_none_or(|pc| pc.trim().is_empty())).then(|| Warning {
        rule: "392b".into(),
        field: "home_postcode".into(),
        message: "Child is looked after but no postcodes are recorded.".into(),
    })
}

/// DfE rule 454 (from 2025-26): a placement more than 350 miles from the child's home is
/// accepted, as it may well be lawful, and flagged for the LA to confirm.
pub fn distance_warning(distance_miles: Option<f64>, start: chrono::NaiveDate) -> Option<Warning> {
    (collection_year(start) >= 2026 && distance_miles.is_some_and(|d| d > 350.0)).then(|| Warning {
        rule: "454".into(),
        field: "postcode".into(),
        message: "Placement distance from home is over 350 miles.".into(),
    })
}

/// Placement types an LA's own provision (PR1) may be in outside its area (DfE rule 1015) in
/// collection year `year`: fostering (U1 to U6), adoption (A3 to A6) and, from 2025-26,
/// supported accommodation (K3).
pub fn own_provision_anywhere(place: &str, year: i32) -> bool {
    matches!(place, "A3" | "A4" | "A5" | "A6" | "U1" | "U2" | "U3" | "U4" | "U5" | "U6")
        || (place == "K3" && year >= 2026)
}

/// DfE rule 1015 in the return for collection year `year`: the LA's own provision
/// (`PLACE_PROVIDER` PR1) placed in `placed_in` (the area of the placement's postcode, `None`
/// when unknown) rather than in the LA's own area `la`, other than fostering, adoption, supported
/// accommodation ([`own_provision_anywhere`]) and short breaks (legal status V3, V4).
pub fn own_provision_outside(
    place: &str,
    provider: Option<&str>,
    ls: &str,
    placed_in: Option<&str>,
    la: &str,
    year: i32,
) -> Option<(&'static str, &'static str)> {
    let exempt = own_provision_anywhere(place, year) || matches!(ls, "V3" | "V4");
    (provider.map(str::trim) == Some("PR1") && !exempt && placed_in != Some(la))
        .then_some(("1015", "the LA's own provision (PR1) is outside its area: only fostering, adoption, supported accommodation and short breaks may be"))
}

/// DfE rule 231 (a query: DfE asks for the date of birth to be confirmed, and accepts it): an
/// unaccompanied asylum-seeking child under 11 at the end of collection year `year` (born after
/// 31 March eleven years before it ends).
pub fn young_uasc_warning(uasc: bool, dob: chrono::NaiveDate, year: i32) -> Option<Warning> {
    let (_, end) = collection_year_bounds(year);
    (uasc && end.checked_sub_months(chrono::Months::new(132)).is_some_and(|eleven| dob > eleven)).then(|| Warning {
        rule: "231".into(),
        field: "date_of_birth".into(),
        message: "We expect that unaccompanied asylum seeking children are generally older young people. Please check the date of birth is correct.".into(),
    })
}

/// The DfE rule code a message of this module cites (`... (DfE rule 526)`), if any.
pub fn cited_rule(message: &str) -> Option<String> {
    let rest = message.split("rule ").nth(1)?;
    let code: String = rest.chars().take_while(char::is_ascii_alphanumeric).collect();
    code.starts_with(|c: char| c.is_ascii_digit()).then_some(code)
}
