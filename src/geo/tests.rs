use super::*;

fn geo() -> &'static Geo {
    Geo::global()
}

fn england(code: &str) -> Option<Area> {
    Some(Area::England(code.to_owned()))
}

#[test]
fn normalise_accepts_any_case_and_spacing() {
    assert_eq!(normalise("s1 1aa").as_deref(), Some("S1 1AA"));
    assert_eq!(normalise("S11AA").as_deref(), Some("S1 1AA"));
    assert_eq!(normalise("  sw1a   1aa ").as_deref(), Some("SW1A 1AA"));
    assert_eq!(normalise("Sw 1A1\tAa\n").as_deref(), Some("SW1A 1AA"));
    assert_eq!(normalise("ec1a1bb").as_deref(), Some("EC1A 1BB"));
    assert_eq!(normalise("W1A 1AA").as_deref(), Some("W1A 1AA"));
    assert_eq!(normalise("m11ae").as_deref(), Some("M1 1AE"));
    assert_eq!(normalise("CR2 6XH").as_deref(), Some("CR2 6XH"));
    assert_eq!(normalise("DN55 1PT").as_deref(), Some("DN55 1PT"));
    assert_eq!(normalise("\u{a0}LS1\u{2003}1AA").as_deref(), Some("LS1 1AA"));
    assert_eq!(normalise("npt 0ad").as_deref(), Some("NPT 0AD"));
}

#[test]
fn normalise_rejects_bad_shapes() {
    for bad in [
        "",
        "   ",
        "S1",
        "1AA",
        "S1 1A",
        "S1 AAA",
        "S1 11A",
        "S1-1AA",
        "S1 1AA!",
        "SW1AA 1AA",  // outward too long
        "ABC 1AA",    // three letters (only NPT is allowed)
        "1S 1AA",     // outward starts with a digit
        "SWA 1AA",    // no digit in outward
        "S123 1AA",   // three digits
        "S1A1 1AA",   // letter then digit at the end
        "S1 1AA 1AA", // too long
        "SÉ1 1AA",
        "S1 1ÀA",
    ] {
        assert_eq!(normalise(bad), None, "{bad:?}");
    }
}

#[test]
fn area_codes_round_trip() {
    for area in [Area::England("E08000019".to_owned()), Area::Wales, Area::Scotland, Area::NorthernIreland] {
        assert_eq!(Area::from_code(area.code()), Some(area.clone()));
    }
    assert_eq!(Area::Wales.code(), "WAL");
    assert_eq!(Area::England("E10000014".to_owned()).code(), "E10000014");
    for bad in ["", "E", "E0800001", "E080000190", "W06000015", "e08000019", "wal", "ENG", "EABCDEFGH"] {
        assert_eq!(Area::from_code(bad), None, "{bad:?}");
    }
}

#[test]
fn embedded_table_is_well_formed() {
    let t = &geo().table;
    assert_eq!(geo().len(), 2_696_397);
    assert!(!geo().is_empty());
    assert_eq!(t.sector_count(), 12_272);
    assert_eq!(t.areas.len(), 156);
    // The header's count agrees with the bitmaps.
    let units: usize = (0..t.sector_count()).map(|s| t.units(s).count()).sum();
    assert_eq!(units, geo().len());
    // Every exception is an existing unit whose area differs from its sector's majority.
    for s in 0..t.sector_count() {
        let range = t.exceptions(s).expect("exception range");
        for i in range {
            let (pair, area) = t.exception(i).expect("exception");
            assert_ne!(Some(area), t.majority(s));
            assert_eq!(t.unit_area(s, pair), Some(area));
        }
    }
}

#[test]
fn corrupt_tables_are_rejected() {
    assert!(Table::parse(&DATA[..DATA.len() - 1]).is_err());
    assert!(Table::parse(&DATA[..40]).is_err());
    assert!(Table::parse(&[]).is_err());
    let bad_magic: &'static [u8] = Box::leak([b"XXXXXXXX".as_slice(), &DATA[8..]].concat().into_boxed_slice());
    assert!(Table::parse(bad_magic).is_err());
    let trailing: &'static [u8] = Box::leak([DATA, &[0]].concat().into_boxed_slice());
    assert!(Table::parse(trailing).is_err());
    let empty = Geo { table: Table::empty() };
    assert!(empty.is_empty());
    assert_eq!(empty.lookup("S1 1AA"), None);
    assert_eq!(empty.distance_miles("S1 1AA", "S1 1AA"), None);
    assert!(empty.sample("E08000039", 5, 1).is_empty());
}

#[test]
fn lookups_match_the_directory() {
    let g = geo();
    // Rows of postcodes.csv.gz (November 2025 edition).
    let cases = [
        ("S1 1AA", "E08000039"),   // Sheffield (recoded April 2025)
        ("SW1A 1AA", "E09000033"), // Westminster
        ("W1A 1AA", "E09000033"),
        ("EC1A 1BB", "E09000019"), // Islington
        ("M1 1AE", "E08000003"),   // Manchester
        ("B1 1AA", "E08000025"),   // Birmingham
        ("LS1 1AA", "E08000035"),  // Leeds
        ("TR1 1AA", "E06000052"),  // Cornwall
        ("CA1 1AA", "E06000063"),  // Cumberland
        ("CF10 1AA", "WAL"),
        ("LL11 1AA", "WAL"),
        ("NPT 0AD", "WAL"), // historic Newport code
        ("NPT 0VA", "WAL"), // the only unit with a V
        ("EH1 1AA", "SCO"),
        ("BT1 1AA", "NIR"),
    ];
    for (postcode, code) in cases {
        assert_eq!(g.lookup(postcode), Area::from_code(code), "{postcode}");
    }
    assert_eq!(g.lookup("sw1a1aa"), england("E09000033"));
    assert_eq!(g.lookup("  b1   1aa "), england("E08000025"));
    assert_eq!(g.lookup("BT11AA"), Some(Area::NorthernIreland));
    assert_eq!(g.lookup("eh11aa"), Some(Area::Scotland));
}

#[test]
fn units_outside_their_sectors_majority() {
    let g = geo();
    // Sector AL3 8 is Hertfordshire (E10000015) except AL3 8QE, in Central Bedfordshire.
    assert_eq!(g.lookup("AL3 8QE"), england("E06000056"));
    assert_eq!(g.lookup("AL3 8QD"), england("E10000015"));
    // B14 5 is Birmingham except four units in Worcestershire.
    assert_eq!(g.lookup("B14 5SL"), england("E10000034"));
    assert_eq!(g.lookup("b145tu"), england("E10000034"));
    // Tied sectors (majority = smaller code): SL0 1 splits 6/6 between Slough (E06000039) and
    // Buckinghamshire (E06000060); L68 0 has one unit each in Liverpool (E08000012) and Sefton.
    assert_eq!(g.lookup("SL0 1AA"), england("E06000060"));
    assert_eq!(g.lookup("SL0 1AD"), england("E06000039"));
    assert_eq!(g.lookup("L68 0AQ"), england("E08000014"));
    assert_eq!(g.lookup("L68 0BN"), england("E08000012"));
}

#[test]
fn unknown_postcodes_are_none() {
    let g = geo();
    assert_eq!(g.lookup("L68 0AA"), None); // known sector, unit absent
    assert_eq!(g.lookup("S1 1CA"), None); // letter never used in inward codes
    assert_eq!(g.lookup("ZZ9 9ZZ"), None); // unknown sector
    assert_eq!(g.lookup("XX1 1AA"), None);
    assert_eq!(g.lookup("S1"), None);
    assert_eq!(g.lookup("not a postcode"), None);
    assert_eq!(g.lookup(""), None);
}

#[test]
fn distances() {
    let g = geo();
    // postcode-sectors.csv: S1 1 = (435576, 387415), SW1A 1 = (529259, 179826).
    // dE = -93683, dN = 207589: sqrt(51_869_697_410) = 227_749.2 m / 1609.3 = 141.52 miles.
    assert_eq!(g.distance_miles("S1 1AA", "SW1A 1AA"), Some(141.5));
    assert_eq!(g.distance_miles("sw1a1aa", "s11aa"), Some(141.5));
    // EH1 1 = (325846, 673756), CF10 1 = (318004, 175910): 497_907.8 m = 309.39 miles.
    assert_eq!(g.distance_miles("EH1 1AA", "CF10 1AA"), Some(309.4));
    assert_eq!(g.distance_miles("S1 1AA", "S1 1AA"), Some(0.0));
    assert_eq!(g.distance_miles("S1 1AA", "S1 1ZZ"), Some(0.0)); // same sector
    assert_eq!(g.distance_miles("S1 1AA", "ZZ9 9ZZ"), None);
    assert_eq!(g.distance_miles("ZZ9 9ZZ", "S1 1AA"), None);
    assert_eq!(g.distance_miles("S1 1AA", "nonsense"), None);
}

#[test]
fn sample_is_real_spread_and_deterministic() {
    let g = geo();
    for code in ["E08000039", "E09000033", "E06000052", "WAL", "SCO", "NIR"] {
        let picked = g.sample(code, 50, 42);
        assert_eq!(picked.len(), 50, "{code}");
        for postcode in &picked {
            assert_eq!(normalise(postcode).as_deref(), Some(postcode.as_str()));
            assert_eq!(g.lookup(postcode).as_ref().map(Area::code), Some(code), "{postcode}");
        }
        let mut unique = picked.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), picked.len(), "{code}: duplicates");
        assert_eq!(g.sample(code, 50, 42), picked, "{code}: not deterministic");
        assert_ne!(g.sample(code, 50, 43), picked, "{code}: seed ignored");
    }
    // Spread: fewer picks than sectors means no two from one sector.
    let picked = g.sample("E08000039", 20, 7);
    let mut sectors: Vec<&str> = picked.iter().map(|p| &p[..p.len() - 2]).collect();
    sectors.sort();
    sectors.dedup();
    assert_eq!(sectors.len(), 20);
    // A prefix of a larger sample is the smaller sample.
    assert_eq!(g.sample("SCO", 30, 9)[..10], g.sample("SCO", 10, 9)[..]);
    assert!(g.sample("E99999999", 5, 1).is_empty());
    assert!(g.sample("sco", 5, 1).is_empty());
    assert!(g.sample("SCO", 0, 1).is_empty());
}

#[test]
fn sample_can_return_a_whole_area() {
    let g = geo();
    // L68 0AQ is Sefton's only unit in a sector whose majority is Liverpool.
    let all = g.sample("E08000014", usize::MAX, 3);
    assert!(all.iter().any(|p| p == "L68 0AQ"));
    assert!(!all.iter().any(|p| p == "L68 0BN"));
    let mut unique = all.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), all.len());
    assert!(all.iter().all(|p| g.lookup(p) == england("E08000014")));
}
