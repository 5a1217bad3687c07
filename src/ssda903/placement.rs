//! Compatibility of `PLACE` with `PLACE_PROVIDER` and `URN` (DfE rules 178,
//! 213, 218, 222, 242, 243, 526 to 531 and 550).
//!
//! A blank value (empty or only whitespace) counts as absent, as in the DfE
//! CSV format.

use super::codes::{PLACE, PLACE_PROVIDER, describe, is_code};

/// Temporary placements T0 to T4.
const TEMPORARY: &[&str] = &["T0", "T1", "T2", "T3", "T4"];
/// Placements that take no provider (rules 178, 213, 526).
const NO_PROVIDER: &[&str] = &["T0", "T1", "T2", "T3", "T4", "Z1", "Z11", "Z12", "Z13", "Z14"];
/// Placements that PR1 and PR2 cannot provide (rules 527, 528), besides P1.
const NOT_LA_PROVIDED: &[&str] = &["R2", "R5"];
/// Placements that PR3 cannot provide (rule 529), besides P1.
const NOT_OTHER_PUBLIC_PROVIDED: &[&str] = &["A3", "A4", "A5", "A6", "K1", "K2", "U1", "U2", "U3", "U4", "U5", "U6"];
/// Placement types exempt from URN (rules 218, 222).
const URN_EXEMPT: &[&str] =
    &["P1", "P2", "P3", "R1", "R2", "R5", "T0", "T1", "T2", "T3", "T4", "Z1", "Z11", "Z12", "Z13", "Z14"];
/// Placement types where `XXXXXXX` (provider not Ofsted registered, e.g. an
/// adoption or fostering agency) is allowed instead of a URN (rule 242).
const URN_AGENCY_ALLOWED: &[&str] = &["A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6"];

/// The placeholder URN for providers that are not Ofsted registered.
pub const AGENCY_URN: &str = "XXXXXXX";

/// True for the temporary placement types T0 to T4.
pub fn is_temporary_place(place: &str) -> bool {
    is_code(TEMPORARY, place)
}

fn blank_to_none(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

fn label(list: &str, code: &str) -> String {
    match describe(list, code) {
        Some(d) => format!("{code} ({d})"),
        None => code.to_string(),
    }
}

/// A `PLACE` of some collection year from 2023-24 on; whether it exists in a given year is
/// [`super::codes::check_place_in_year`].
fn check_place_known(place: &str) -> Result<(), String> {
    if is_code(PLACE, place) || is_code(super::codes::WITHDRAWN_PLACE, place) {
        Ok(())
    } else {
        Err(format!("PLACE {place:?} is not a valid placement type code (DfE rule 146)"))
    }
}

/// Checks `PLACE_PROVIDER` against `PLACE`.
///
/// `provider` `None` (or blank) means absent. The rules:
/// - the provider, if given, is a valid code (178);
/// - absent for T0 to T4 and Z11 to Z14 (178, 213), required otherwise (526);
/// - PR0 (parents) only with P1 (550), and P1 only with PR0 (527 to 531);
/// - PR1 and PR2 not with R2 or R5 (527, 528);
/// - PR3 not with A3 to A6, K1, K2 or U1 to U6 (529).
///
/// `Err` carries a message naming the rule broken. An unknown or withdrawn
/// `PLACE` is also an `Err`.
pub fn check_place_provider(place: &str, provider: Option<&str>) -> Result<(), String> {
    check_place_known(place)?;
    let provider = blank_to_none(provider);
    if let Some(p) = provider
        && !is_code(PLACE_PROVIDER, p)
    {
        return Err(format!("PLACE_PROVIDER {p:?} is not a valid placement provider code (DfE rule 178)"));
    }
    let place_label = label("PLACE", place);
    if is_code(NO_PROVIDER, place) {
        return match provider {
            None => Ok(()),
            Some(p) => Err(format!("PLACE_PROVIDER must be blank for PLACE {place_label}, got {p} (DfE rule 213)")),
        };
    }
    let Some(p) = provider else {
        return Err(format!("PLACE_PROVIDER is required for PLACE {place_label} (DfE rule 526)"));
    };
    let provider_label = label("PLACE_PROVIDER", p);
    let incompatible = |rule: &str| {
        Err(format!("PLACE_PROVIDER {provider_label} cannot be used with PLACE {place_label} (DfE rule {rule})"))
    };
    match p {
        "PR0" if place != "P1" => incompatible("550"),
        "PR1" if place == "P1" || is_code(NOT_LA_PROVIDED, place) => incompatible("527"),
        "PR2" if place == "P1" || is_code(NOT_LA_PROVIDED, place) => incompatible("528"),
        "PR3" if place == "P1" || is_code(NOT_OTHER_PUBLIC_PROVIDED, place) => incompatible("529"),
        "PR4" if place == "P1" => incompatible("530"),
        "PR5" if place == "P1" => incompatible("531"),
        _ => Ok(()),
    }
}

/// What a placement type needs in `URN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrnRule {
    /// The setting's Ofsted URN is required (rule 218).
    Required,
    /// No URN may be given (rule 222).
    Forbidden,
    /// An Ofsted URN, or `XXXXXXX` for an adoption or fostering agency that is
    /// not Ofsted registered (rules 218, 242).
    RequiredOrAgency,
}

/// The URN rule for a placement type, for a placement in England.
///
/// Forbidden for P1, P3, R1, R2, R5, T0 to T4 and Z11 to Z14;
/// `RequiredOrAgency` for A3 to A6 and U1 to U6; `Required` for every other
/// code (K1, K2, K3, R3, S1, and, as DfE rule 218 reads, any code not listed).
pub fn urn_rule(place: &str) -> UrnRule {
    if is_code(URN_EXEMPT, place) {
        UrnRule::Forbidden
    } else if is_code(URN_AGENCY_ALLOWED, place) {
        UrnRule::RequiredOrAgency
    } else {
        UrnRule::Required
    }
}

/// Ofsted URN of a social care setting: `SC` and six digits (older
/// registrations) or seven digits (newer ones). `XXXXXXX` is not a URN.
pub fn is_valid_urn(s: &str) -> bool {
    let b = s.as_bytes();
    match b.len() {
        8 => b.starts_with(b"SC") && b[2..].iter().all(u8::is_ascii_digit),
        7 => b.iter().all(u8::is_ascii_digit),
        _ => false,
    }
}

/// URN of a school (Get Information About Schools / Ofsted): six digits.
/// Accepted in addition to [`is_valid_urn`] for S1 residential schools.
pub fn is_valid_school_urn(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|c| c.is_ascii_digit())
}

/// Checks `URN` against `PLACE` for a placement in England (rules 218, 222,
/// 242), plus the format of the URN given.
///
/// `urn` `None` (or blank) means absent. `XXXXXXX` is accepted only for A3 to
/// A6 and U1 to U6. A URN must pass [`is_valid_urn`]; for S1 a six-digit
/// school URN ([`is_valid_school_urn`]) is accepted too. Use
/// [`check_urn_for_location`] for placements outside England.
pub fn check_urn(place: &str, urn: Option<&str>) -> Result<(), String> {
    check_place_known(place)?;
    let urn = blank_to_none(urn);
    let place_label = label("PLACE", place);
    match (urn_rule(place), urn) {
        (UrnRule::Forbidden, None) => Ok(()),
        (UrnRule::Forbidden, Some(AGENCY_URN)) => Err(format!(
            "URN {AGENCY_URN} can only be used for adoption and fostering placements (A3 to A6, U1 to U6), not PLACE {place_label} (DfE rule 242)"
        )),
        (UrnRule::Forbidden, Some(_)) => Err(format!("URN must be blank for PLACE {place_label} (DfE rule 222)")),
        (UrnRule::Required | UrnRule::RequiredOrAgency, None) => {
            Err(format!("URN is required for PLACE {place_label} (DfE rule 218)"))
        }
        (UrnRule::RequiredOrAgency, Some(AGENCY_URN)) => Ok(()),
        (UrnRule::Required, Some(AGENCY_URN)) => Err(format!(
            "URN {AGENCY_URN} can only be used for adoption and fostering placements (A3 to A6, U1 to U6), not PLACE {place_label}; give the setting's Ofsted URN (DfE rule 242)"
        )),
        (_, Some(u)) => {
            if is_valid_urn(u) || (place == "S1" && is_valid_school_urn(u)) {
                Ok(())
            } else {
                Err(format!("URN {u:?} is not a valid Ofsted URN (SC and 6 digits, or 7 digits)"))
            }
        }
    }
}

/// Like [`check_urn`], but for a placement that may be outside England:
/// when `placed_in_england` is false no URN may be given (rule 243) and none
/// is required (rule 218 exempts placements in Wales, Scotland, Northern
/// Ireland and outside the UK).
pub fn check_urn_for_location(place: &str, urn: Option<&str>, placed_in_england: bool) -> Result<(), String> {
    if placed_in_england {
        return check_urn(place, urn);
    }
    check_place_known(place)?;
    match blank_to_none(urn) {
        None => Ok(()),
        Some(_) => Err(
            "URN must be blank for a placement outside England: only providers registered with Ofsted have a URN (DfE rule 243)"
                .to_string(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_mentions(r: Result<(), String>, rule: &str) {
        match r {
            Ok(()) => panic!("expected an error citing rule {rule}"),
            Err(e) => assert!(e.contains(&format!("rule {rule}")), "{e}"),
        }
    }

    #[test]
    fn temporary_places() {
        for p in ["T0", "T1", "T2", "T3", "T4"] {
            assert!(is_temporary_place(p));
        }
        for p in ["T5", "Z11", "U1", "t1", ""] {
            assert!(!is_temporary_place(p));
        }
    }

    #[test]
    fn provider_unknown_code_178() {
        err_mentions(check_place_provider("U1", Some("PR6")), "178");
        err_mentions(check_place_provider("U1", Some("pr4")), "178");
        assert!(check_place_provider("U1", Some("PR4")).is_ok());
    }

    #[test]
    fn provider_blank_for_temporary_and_other_213() {
        for p in NO_PROVIDER {
            assert!(check_place_provider(p, None).is_ok(), "{p}");
            assert!(check_place_provider(p, Some("  ")).is_ok(), "{p}");
            err_mentions(check_place_provider(p, Some("PR1")), "213");
        }
    }

    #[test]
    fn provider_required_otherwise_526() {
        for p in PLACE.iter().filter(|p| !is_code(NO_PROVIDER, p)) {
            err_mentions(check_place_provider(p, None), "526");
            err_mentions(check_place_provider(p, Some("")), "526");
        }
        assert!(check_place_provider("K2", Some("PR4")).is_ok());
    }

    #[test]
    fn pr0_only_with_p1_550() {
        assert!(check_place_provider("P1", Some("PR0")).is_ok());
        err_mentions(check_place_provider("U4", Some("PR0")), "550");
        err_mentions(check_place_provider("K2", Some("PR0")), "550");
    }

    #[test]
    fn pr1_527() {
        for p in ["P1", "R2", "R5"] {
            err_mentions(check_place_provider(p, Some("PR1")), "527");
        }
        for p in ["U1", "K2", "A3", "R1", "S1"] {
            assert!(check_place_provider(p, Some("PR1")).is_ok(), "{p}");
        }
    }

    #[test]
    fn pr2_528() {
        for p in ["P1", "R2", "R5"] {
            err_mentions(check_place_provider(p, Some("PR2")), "528");
        }
        assert!(check_place_provider("U4", Some("PR2")).is_ok());
    }

    #[test]
    fn pr3_529() {
        for p in ["P1", "A3", "A4", "A5", "A6", "K1", "K2", "U1", "U2", "U3", "U4", "U5", "U6"] {
            err_mentions(check_place_provider(p, Some("PR3")), "529");
        }
        for p in ["R2", "R5", "K3", "R1", "R3", "S1", "P3"] {
            assert!(check_place_provider(p, Some("PR3")).is_ok(), "{p}");
        }
    }

    #[test]
    fn pr4_530_and_pr5_531() {
        err_mentions(check_place_provider("P1", Some("PR4")), "530");
        err_mentions(check_place_provider("P1", Some("PR5")), "531");
        assert!(check_place_provider("K2", Some("PR4")).is_ok());
        assert!(check_place_provider("U6", Some("PR5")).is_ok());
        assert!(check_place_provider("R2", Some("PR4")).is_ok());
    }

    #[test]
    fn provider_rejects_unknown_place_and_knows_earlier_years_codes() {
        err_mentions(check_place_provider("Q9", None), "146");
        assert!(check_place_provider("Z1", None).is_ok());
        err_mentions(check_place_provider("Z1", Some("PR4")), "213");
        assert!(check_place_provider("H5", Some("PR4")).is_ok());
    }

    #[test]
    fn urn_rule_by_place() {
        for p in URN_EXEMPT {
            assert_eq!(urn_rule(p), UrnRule::Forbidden, "{p}");
        }
        for p in URN_AGENCY_ALLOWED {
            assert_eq!(urn_rule(p), UrnRule::RequiredOrAgency, "{p}");
        }
        for p in ["K1", "K2", "K3", "R3", "S1", "H5"] {
            assert_eq!(urn_rule(p), UrnRule::Required, "{p}");
        }
        // Every code since 2023-24 is covered by exactly one of the three groups.
        let classified = URN_EXEMPT.len() + URN_AGENCY_ALLOWED.len() + 6;
        assert_eq!(classified, PLACE.len() + super::super::codes::WITHDRAWN_PLACE.len());
    }

    #[test]
    fn urn_format() {
        assert!(is_valid_urn("SC123456"));
        assert!(is_valid_urn("2512345"));
        assert!(!is_valid_urn("XXXXXXX"));
        assert!(!is_valid_urn("SC12345"));
        assert!(!is_valid_urn("SC1234567"));
        assert!(!is_valid_urn("sc123456"));
        assert!(!is_valid_urn("123456"));
        assert!(!is_valid_urn("EY123456"));
        assert!(!is_valid_urn(""));
        assert!(is_valid_school_urn("123456"));
        assert!(!is_valid_school_urn("12345a"));
    }

    #[test]
    fn urn_required_218() {
        for p in ["K1", "K2", "K3", "R3", "S1", "A3", "U6"] {
            err_mentions(check_urn(p, None), "218");
            err_mentions(check_urn(p, Some(" ")), "218");
        }
        assert!(check_urn("K2", Some("SC123456")).is_ok());
        assert!(check_urn("K3", Some("2345678")).is_ok());
    }

    #[test]
    fn urn_forbidden_222() {
        for p in URN_EXEMPT {
            assert!(check_urn(p, None).is_ok(), "{p}");
            err_mentions(check_urn(p, Some("SC123456")), "222");
        }
    }

    #[test]
    fn agency_urn_242() {
        for p in URN_AGENCY_ALLOWED {
            assert!(check_urn(p, Some(AGENCY_URN)).is_ok(), "{p}");
            assert!(check_urn(p, Some("SC654321")).is_ok(), "{p}");
        }
        for p in ["K1", "K2", "K3", "R3", "S1", "P1", "T1", "Z11"] {
            err_mentions(check_urn(p, Some(AGENCY_URN)), "242");
        }
    }

    #[test]
    fn urn_outside_england_243() {
        assert!(check_urn_for_location("K2", None, false).is_ok());
        err_mentions(check_urn_for_location("K2", Some("SC123456"), false), "243");
        err_mentions(check_urn_for_location("U4", Some(AGENCY_URN), false), "243");
        err_mentions(check_urn_for_location("K2", None, true), "218");
        assert!(check_urn_for_location("K2", Some("SC123456"), true).is_ok());
    }

    #[test]
    fn urn_bad_format_and_school_urn() {
        assert!(check_urn("K2", Some("12345")).is_err());
        assert!(check_urn("K2", Some("123456")).is_err());
        assert!(check_urn("S1", Some("123456")).is_ok());
        assert!(check_urn("S1", Some("SC000001")).is_ok());
        assert!(check_urn("Q9", Some("SC000001")).is_err());
    }
}
