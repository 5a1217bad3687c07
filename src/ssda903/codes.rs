//! SSDA903 code lists (2025-26 collection) and one-line descriptions.
//!
//! Codes are stored and compared exactly as DfE spells them: upper case, no
//! surrounding whitespace. Use [`is_code`] for membership and [`describe`] for a
//! human description (API documentation, error messages).

/// `SEX` (Header): male, female, unknown/indeterminate. From 2024-25; earlier
/// years used 1/2.
pub const SEX: &[&str] = &["M", "F", "U"];

/// `ETHNIC` (Header).
pub const ETHNIC: &[&str] = &[
    "WBRI", "WIRI", "WOTH", "WIRT", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN", "ABAN", "AOTH", "BCRB",
    "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
];

/// `LS` legal status (Episodes).
pub const LEGAL_STATUS: &[&str] = &["C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1", "L2", "L3", "J1", "J2", "J3"];

/// `CIN` category of need (Episodes).
pub const CATEGORY_OF_NEED: &[&str] = &["N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8"];

/// `PLACE` placement type (Episodes), 2025-26 list. H5, P2 and Z1 were
/// withdrawn in 2025-26 (see [`WITHDRAWN_PLACE`]) and Z11 to Z14 replace Z1.
/// See [`place_codes`] for the list of each collection year.
pub const PLACE: &[&str] = &[
    "A3", "A4", "A5", "A6", "K1", "K2", "K3", "P1", "P3", "R1", "R2", "R3", "R5", "S1", "T0", "T1", "T2", "T3", "T4",
    "U1", "U2", "U3", "U4", "U5", "U6", "Z11", "Z12", "Z13", "Z14",
];

/// `PLACE` in 2024-25: the 2023-24 list with K3 (supported accommodation registered with
/// Ofsted) added.
pub const PLACE_2024_25: &[&str] = &[
    "A3", "A4", "A5", "A6", "H5", "K1", "K2", "K3", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1", "T0", "T1", "T2",
    "T3", "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1",
];

/// `PLACE` in 2023-24 (and the years before it back to 2022-23).
pub const PLACE_2023_24: &[&str] = &[
    "A3", "A4", "A5", "A6", "H5", "K1", "K2", "P1", "P2", "P3", "R1", "R2", "R3", "R5", "S1", "T0", "T1", "T2", "T3",
    "T4", "U1", "U2", "U3", "U4", "U5", "U6", "Z1",
];

/// Placement types valid before 2025-26 and withdrawn since. They are not in
/// [`PLACE`].
pub const WITHDRAWN_PLACE: &[&str] = &["H5", "P2", "Z1"];

/// The `PLACE` codes of collection year `year` (named by the year it ends in: 2026 is 2025-26):
/// [`PLACE_2023_24`] up to 2023-24, [`PLACE_2024_25`], then [`PLACE`] from 2025-26 on.
pub fn place_codes(year: i32) -> &'static [&'static str] {
    match year {
        ..=2024 => PLACE_2023_24,
        2025 => PLACE_2024_25,
        _ => PLACE,
    }
}

/// The `SEX` codes of collection year `year`: `1` and `2` up to 2023-24, [`SEX`] from 2024-25.
pub fn sex_codes(year: i32) -> &'static [&'static str] {
    if year <= 2024 { &["1", "2"] } else { SEX }
}

/// `SEX` as collection year `year` writes it: `1` (male) and `2` (female) up to 2023-24, which
/// had no code for unknown (left blank); the registry's `M`, `F` and `U` from 2024-25.
pub fn sex_for_year(sex: &str, year: i32) -> &str {
    match (year <= 2024, sex) {
        (true, "M") => "1",
        (true, "F") => "2",
        (true, _) => "",
        (false, s) => s,
    }
}

/// Refuses a `PLACE` that does not exist in collection year `year` (DfE rule 146), naming the
/// year and, for a code withdrawn or not yet introduced, what to use instead.
pub fn check_place_in_year(place: &str, year: i32) -> Result<(), String> {
    if is_code(place_codes(year), place) {
        return Ok(());
    }
    let named = format!("{}-{:02}", year - 1, year.rem_euclid(100));
    let hint = match place {
        "Z1" | "H5" | "P2" if year >= 2026 => ": it was withdrawn in 2025-26 (Z11 to Z14 replace Z1)",
        "Z11" | "Z12" | "Z13" | "Z14" => ": it is used from 2025-26 on; before, other placements are Z1",
        "K3" => ": it is used from 2024-25 on",
        _ => "",
    };
    Err(format!("PLACE {place} is not a placement type in {named}{hint} (DfE rule 146)"))
}

/// `PLACE_PROVIDER` (Episodes).
pub const PLACE_PROVIDER: &[&str] = &["PR0", "PR1", "PR2", "PR3", "PR4", "PR5"];

/// `REC` reason episode ceased (Episodes).
pub const REC: &[&str] = &[
    "X1", "E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E41", "E45", "E46", "E47", "E48", "E5", "E6", "E7", "E9",
    "E14", "E15", "E16", "E17", "E8",
];

/// `REASON_PLACE_CHANGE` (Episodes; on the episode that ends).
pub const REASON_PLACE_CHANGE: &[&str] =
    &["CARPL", "CLOSE", "ALLEG", "STAND", "APPRR", "CREQB", "CREQO", "CHILD", "LAREQ", "PLACE", "CUSTOD", "OTHER"];

/// `RNE` reason for new episode (Episodes).
pub const RNE: &[&str] = &["S", "L", "P", "T", "B", "U"];

/// `MISSING` (Missing table): M missing, A away from placement without
/// authorisation.
pub const MISSING_TYPE: &[&str] = &["M", "A"];

/// True when `value` is exactly one of the codes in `list` (case sensitive,
/// no trimming: DfE codes are upper case).
pub fn is_code(list: &[&str], value: &str) -> bool {
    list.contains(&value)
}

/// Descriptions of the [`PLACE`] codes.
pub const PLACE_DESCRIPTIONS: &[(&str, &str)] = &[
    ("A3", "Placed for adoption with parental/guardian consent with current foster carer(s)"),
    ("A4", "Placed for adoption with parental/guardian consent not with current foster carer(s)"),
    ("A5", "Placed for adoption with a placement order with current foster carer(s)"),
    ("A6", "Placed for adoption with a placement order not with current foster carer(s)"),
    ("K1", "Secure children's home"),
    ("K2", "Children's home subject to the Children's Homes Regulations"),
    ("K3", "Supported accommodation registered with Ofsted"),
    ("P1", "Placed with own parent(s) or other person(s) with parental responsibility"),
    ("P3", "Residential employment"),
    ("R1", "Residential care home"),
    ("R2", "NHS/health trust or other establishment providing medical or nursing care"),
    ("R3", "Family centre or mother and baby unit"),
    ("R5", "Young offender institution"),
    ("S1", "Residential school, except where dual-registered as a school and children's home"),
    ("T0", "Temporary move of any of the types T1 to T4"),
    ("T1", "Temporary period in hospital"),
    ("T2", "Temporary absence of the child on holiday"),
    ("T3", "Temporary accommodation while the normal foster carer(s) are on holiday"),
    ("T4", "Temporary accommodation of seven days or less, for any reason not covered by T1 to T3"),
    ("U1", "Foster placement with relative(s) or friend(s): long-term fostering"),
    (
        "U2",
        "Foster placement with relative(s) or friend(s) who are also approved adopters: fostering for adoption or concurrent planning",
    ),
    ("U3", "Foster placement with relative(s) or friend(s): not long-term, not fostering for adoption"),
    ("U4", "Foster placement with other foster carer(s): long-term fostering"),
    (
        "U5",
        "Foster placement with other foster carer(s) who are also approved adopters: fostering for adoption or concurrent planning",
    ),
    ("U6", "Foster placement with other foster carer(s): not long-term, not fostering for adoption"),
    ("Z11", "Other placement, sub-type Z11 (one of the codes replacing Z1 from 2025-26)"),
    ("Z12", "Other placement, sub-type Z12 (one of the codes replacing Z1 from 2025-26)"),
    ("Z13", "Other placement, sub-type Z13 (one of the codes replacing Z1 from 2025-26)"),
    ("Z14", "Other placement, sub-type Z14 (one of the codes replacing Z1 from 2025-26)"),
];

/// Descriptions of the [`LEGAL_STATUS`] codes.
pub const LEGAL_STATUS_DESCRIPTIONS: &[(&str, &str)] = &[
    ("C1", "Interim care order"),
    ("C2", "Full care order"),
    ("D1", "Freeing order granted"),
    ("E1", "Placement order granted"),
    ("V2", "Single period of accommodation under section 20 (Children Act 1989)"),
    ("V3", "Accommodated under an agreed series of short-term breaks, individual episodes recorded"),
    ("V4", "Accommodated under an agreed series of short-term breaks, agreements recorded"),
    ("L1", "Under police protection and in local authority accommodation"),
    ("L2", "Emergency protection order"),
    ("L3", "Under a child assessment order and in local authority accommodation"),
    ("J1", "Remanded to local authority accommodation or to youth detention accommodation"),
    ("J2", "Placed in local authority accommodation under the Police and Criminal Evidence Act 1984"),
    ("J3", "Sentenced to a youth rehabilitation order with residence or intensive fostering requirement"),
];

/// Descriptions of the [`REC`] codes.
pub const REC_DESCRIPTIONS: &[(&str, &str)] = &[
    ("X1", "Episode ceases and a new episode begins on the same day, for any reason"),
    ("E11", "Adopted: application for an adoption order unopposed"),
    ("E12", "Adopted: consent dispensed with by the court"),
    ("E2", "Died"),
    ("E3", "Care taken over by another local authority in the UK"),
    ("E4A", "Returned home to parent(s) or other person(s) with parental responsibility as part of the care plan"),
    ("E4B", "Returned home to parent(s) or other person(s) with parental responsibility not as part of the care plan"),
    ("E13", "Left care to live with parent(s), relative(s) or other person(s) with no parental responsibility"),
    ("E41", "Residence order or child arrangements order (with whom the child is to live) granted"),
    ("E45", "Special guardianship order made to former foster carer(s) who are relatives or friends"),
    ("E46", "Special guardianship order made to former foster carer(s) other than relatives or friends"),
    (
        "E47",
        "Special guardianship order made to carer(s) other than former foster carers, who are relatives or friends",
    ),
    (
        "E48",
        "Special guardianship order made to carer(s) other than former foster carers, other than relatives or friends",
    ),
    ("E5", "Moved into independent living with formalised advice or support arrangements"),
    ("E6", "Moved into independent living without formalised advice or support arrangements"),
    ("E7", "Transferred to residential care funded by adult social care services"),
    ("E9", "Sentenced to custody"),
    ("E14", "Accommodation on remand ended"),
    ("E15", "Age assessment determined the child is aged 18 or over and E5, E6 and E7 do not apply"),
    ("E16", "Child moved abroad"),
    ("E17", "Aged 18 or over and remained with current carers (including staying put)"),
    ("E8", "Period of care ceased for any other reason, including a child who turns 18 while still missing"),
];

/// Descriptions of the [`REASON_PLACE_CHANGE`] codes.
pub const REASON_PLACE_CHANGE_DESCRIPTIONS: &[(&str, &str)] = &[
    ("CARPL", "Change to or implementation of the care plan"),
    ("CLOSE", "Resignation of the carer or closure of the provision"),
    ("ALLEG", "Allegation (section 47 enquiry)"),
    ("STAND", "Standards of care concern"),
    ("APPRR", "Approval of the carer removed"),
    ("CREQB", "Carer requests placement end due to the child's behaviour"),
    ("CREQO", "Carer requests placement end other than due to the child's behaviour"),
    ("CHILD", "Child requests placement end"),
    ("LAREQ", "Responsible or area authority requests placement end"),
    ("PLACE", "Change in the status of the placement only"),
    ("CUSTOD", "Custody arrangement"),
    ("OTHER", "Other"),
];

/// Descriptions of the [`PLACE_PROVIDER`] codes.
pub const PLACE_PROVIDER_DESCRIPTIONS: &[(&str, &str)] = &[
    ("PR0", "Parent(s) or other person(s) with parental responsibility"),
    ("PR1", "Own provision by the local authority (including a regional adoption agency it hosts)"),
    ("PR2", "Other local authority provision (including a regional adoption agency another authority hosts)"),
    ("PR3", "Other public provision (for example the NHS)"),
    ("PR4", "Private provision"),
    ("PR5", "Voluntary or third sector provision"),
];

/// Descriptions of the [`RNE`] codes.
pub const RNE_DESCRIPTIONS: &[(&str, &str)] = &[
    ("S", "Started to be looked after"),
    ("L", "Change of legal status only"),
    ("P", "Change of placement and carer(s) only"),
    ("T", "Change of placement but same carer(s) only"),
    ("B", "Change of legal status and placement and carer(s) on the same day"),
    ("U", "Change of legal status and placement but same carer(s) on the same day"),
];

/// Descriptions of the [`CATEGORY_OF_NEED`] codes.
pub const CATEGORY_OF_NEED_DESCRIPTIONS: &[(&str, &str)] = &[
    ("N1", "Abuse or neglect"),
    ("N2", "Child's disability"),
    ("N3", "Parental illness or disability"),
    ("N4", "Family in acute stress"),
    ("N5", "Family dysfunction"),
    ("N6", "Socially unacceptable behaviour"),
    ("N7", "Low income"),
    ("N8", "Absent parenting"),
];

/// Descriptions of the [`MISSING_TYPE`] codes.
pub const MISSING_TYPE_DESCRIPTIONS: &[(&str, &str)] = &[
    ("M", "Missing: not where they should be and whereabouts unknown"),
    ("A", "Away from placement without authorisation: whereabouts known"),
];

/// The description table for a DfE field name, if there is one.
///
/// Accepted names: `PLACE`, `LS`, `REC`, `REASON_PLACE_CHANGE`,
/// `PLACE_PROVIDER`, `RNE`, `CIN`, `MISSING` (case insensitive).
pub fn descriptions(list_name: &str) -> Option<&'static [(&'static str, &'static str)]> {
    let table: &'static [(&'static str, &'static str)] = match list_name.to_ascii_uppercase().as_str() {
        "PLACE" => PLACE_DESCRIPTIONS,
        "LS" | "LEGAL_STATUS" => LEGAL_STATUS_DESCRIPTIONS,
        "REC" => REC_DESCRIPTIONS,
        "REASON_PLACE_CHANGE" => REASON_PLACE_CHANGE_DESCRIPTIONS,
        "PLACE_PROVIDER" => PLACE_PROVIDER_DESCRIPTIONS,
        "RNE" => RNE_DESCRIPTIONS,
        "CIN" | "CATEGORY_OF_NEED" => CATEGORY_OF_NEED_DESCRIPTIONS,
        "MISSING" => MISSING_TYPE_DESCRIPTIONS,
        _ => return None,
    };
    Some(table)
}

/// One-line human description of `code` in the list named `list_name` (a DfE
/// field name as accepted by [`descriptions`]). `None` for an unknown list or
/// code.
pub fn describe(list_name: &str, code: &str) -> Option<&'static str> {
    descriptions(list_name)?.iter().find(|(c, _)| *c == code).map(|(_, d)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_unique(list: &[&str]) {
        for (i, a) in list.iter().enumerate() {
            assert!(!list[i + 1..].contains(a), "duplicate code {a}");
        }
    }

    #[test]
    fn lists_have_expected_sizes_and_no_duplicates() {
        let lists: [(&[&str], usize); 11] = [
            (SEX, 3),
            (ETHNIC, 20),
            (LEGAL_STATUS, 13),
            (CATEGORY_OF_NEED, 8),
            (PLACE, 29),
            (PLACE_PROVIDER, 6),
            (REC, 22),
            (REASON_PLACE_CHANGE, 12),
            (RNE, 6),
            (MISSING_TYPE, 2),
            (WITHDRAWN_PLACE, 3),
        ];
        for (list, len) in lists {
            assert_eq!(list.len(), len, "{list:?}");
            assert_unique(list);
            for code in list {
                assert_eq!(code.to_ascii_uppercase(), *code);
                assert_eq!(code.trim(), *code);
            }
        }
    }

    #[test]
    fn place_codes_by_collection_year() {
        for (year, ok, not) in [
            (2024, &["Z1", "H5", "P2", "K2"][..], &["K3", "Z11"][..]),
            (2025, &["Z1", "H5", "P2", "K3"][..], &["Z11", "Z14"][..]),
            (2026, &["K3", "Z11", "Z14"][..], &["Z1", "H5", "P2"][..]),
            (2027, &["Z12"][..], &["Z1"][..]),
        ] {
            for c in ok {
                assert!(check_place_in_year(c, year).is_ok(), "{c} {year}");
            }
            for c in not {
                let e = check_place_in_year(c, year).err().unwrap_or_default();
                assert!(e.contains("rule 146"), "{c} {year}: {e}");
            }
        }
        assert!(check_place_in_year("Z1", 2026).err().unwrap_or_default().contains("2025-26"));
        assert_unique(PLACE_2023_24);
        assert_unique(PLACE_2024_25);
    }

    #[test]
    fn sex_by_collection_year() {
        assert_eq!(sex_codes(2024), &["1", "2"]);
        assert_eq!(sex_codes(2025), SEX);
        assert_eq!((sex_for_year("F", 2024), sex_for_year("M", 2024), sex_for_year("U", 2024)), ("2", "1", ""));
        assert_eq!(sex_for_year("U", 2025), "U");
    }

    #[test]
    fn sex_membership() {
        for c in ["M", "F", "U"] {
            assert!(is_code(SEX, c));
        }
        for c in ["1", "2", "m", "X", ""] {
            assert!(!is_code(SEX, c));
        }
    }

    #[test]
    fn ethnic_membership() {
        for c in ["WBRI", "MWBC", "AIND", "BAFR", "CHNE", "REFU", "NOBT"] {
            assert!(is_code(ETHNIC, c));
        }
        for c in ["wbri", "WBR", "ABC", "White British", " WBRI"] {
            assert!(!is_code(ETHNIC, c));
        }
    }

    #[test]
    fn legal_status_membership() {
        for c in ["C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1", "L2", "L3", "J1", "J2", "J3"] {
            assert!(is_code(LEGAL_STATUS, c));
        }
        for c in ["V1", "C3", "J4", "c1", ""] {
            assert!(!is_code(LEGAL_STATUS, c));
        }
    }

    #[test]
    fn category_of_need_membership() {
        for n in 1..=8 {
            assert!(is_code(CATEGORY_OF_NEED, &format!("N{n}")));
        }
        assert!(!is_code(CATEGORY_OF_NEED, "N0"));
        assert!(!is_code(CATEGORY_OF_NEED, "N9"));
    }

    #[test]
    fn place_membership_and_withdrawn_codes() {
        for c in ["A3", "K1", "K2", "K3", "P1", "P3", "R3", "S1", "T0", "T4", "U6", "Z11", "Z14"] {
            assert!(is_code(PLACE, c), "{c}");
        }
        for c in WITHDRAWN_PLACE {
            assert!(!is_code(PLACE, c), "withdrawn {c} accepted");
        }
        for c in ["R4", "A1", "A2", "Z10", "Z15", "t1", "U7"] {
            assert!(!is_code(PLACE, c), "{c}");
        }
    }

    #[test]
    fn provider_membership() {
        for n in 0..=5 {
            assert!(is_code(PLACE_PROVIDER, &format!("PR{n}")));
        }
        assert!(!is_code(PLACE_PROVIDER, "PR6"));
        assert!(!is_code(PLACE_PROVIDER, "PRO"));
    }

    #[test]
    fn rec_membership() {
        for c in ["X1", "E11", "E12", "E2", "E3", "E4A", "E4B", "E13", "E8", "E17"] {
            assert!(is_code(REC, c));
        }
        for c in ["E1", "E4", "E4a", "X2", "E10", "E18"] {
            assert!(!is_code(REC, c));
        }
    }

    #[test]
    fn reason_place_change_membership() {
        for c in REASON_PLACE_CHANGE_DESCRIPTIONS.iter().map(|(c, _)| *c) {
            assert!(is_code(REASON_PLACE_CHANGE, c));
        }
        assert!(!is_code(REASON_PLACE_CHANGE, "custod"));
        assert!(!is_code(REASON_PLACE_CHANGE, "CUSTODY"));
    }

    #[test]
    fn rne_and_missing_membership() {
        for c in ["S", "L", "P", "T", "B", "U"] {
            assert!(is_code(RNE, c));
        }
        assert!(!is_code(RNE, "X"));
        assert!(is_code(MISSING_TYPE, "M"));
        assert!(is_code(MISSING_TYPE, "A"));
        assert!(!is_code(MISSING_TYPE, "m"));
    }

    #[test]
    fn every_code_has_exactly_one_description() {
        let pairs: [(&[&str], &str); 8] = [
            (PLACE, "PLACE"),
            (LEGAL_STATUS, "LS"),
            (REC, "REC"),
            (REASON_PLACE_CHANGE, "REASON_PLACE_CHANGE"),
            (PLACE_PROVIDER, "PLACE_PROVIDER"),
            (RNE, "RNE"),
            (CATEGORY_OF_NEED, "CIN"),
            (MISSING_TYPE, "MISSING"),
        ];
        for (list, name) in pairs {
            let table = descriptions(name).unwrap_or_default();
            assert_eq!(table.len(), list.len(), "{name}");
            for code in list {
                let d = describe(name, code);
                assert!(d.is_some_and(|d| !d.is_empty()), "{name} {code}");
            }
        }
    }

    #[test]
    fn describe_examples() {
        assert_eq!(describe("PLACE", "K1"), Some("Secure children's home"));
        assert_eq!(describe("ls", "C2"), Some("Full care order"));
        assert_eq!(describe("REC", "E2"), Some("Died"));
        assert_eq!(describe("REASON_PLACE_CHANGE", "CUSTOD"), Some("Custody arrangement"));
        assert_eq!(describe("PLACE", "H5"), None);
        assert_eq!(describe("NOPE", "K1"), None);
    }
}
