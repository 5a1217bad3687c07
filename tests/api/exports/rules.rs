//! The DfE validation rules, each broken once in hand-written rows (no server needed).

use crate::support::internals::ssda903::{
    EpisodeRow, HeaderRow, MissingRow, RULES, Tables, UascRow, Violation, validate, validate_return,
    validate_with_last_year,
};
use crate::support::*;
use serde_json::json;
use std::collections::BTreeSet;

fn header(child: &str, sex: &str, dob: &str, ethnic: &str, upn: &str) -> HeaderRow {
    HeaderRow {
        child: child.into(),
        sex: sex.into(),
        dob: dob.into(),
        ethnic: ethnic.into(),
        upn: upn.into(),
        ..Default::default()
    }
}

fn episode(fields: [&str; 13]) -> EpisodeRow {
    let [child, decom, rne, ls, cin, place, place_provider, dec, rec, reason_place_change, home_post, pl_post, urn] =
        fields.map(str::to_string);
    EpisodeRow {
        child,
        decom,
        rne,
        ls,
        cin,
        place,
        place_provider,
        dec,
        rec,
        reason_place_change,
        home_post,
        pl_post,
        urn,
    }
}

fn missing_row(child: &str, dob: &str, kind: &str, start: &str, end: &str) -> MissingRow {
    MissingRow {
        child: child.into(),
        dob: dob.into(),
        missing: kind.into(),
        mis_start: start.into(),
        mis_end: end.into(),
    }
}

fn uasc_row(child: &str, sex: &str, dob: &str, duc: &str) -> UascRow {
    UascRow { child: child.into(), sex: sex.into(), dob: dob.into(), duc: duc.into() }
}

/// Two children of year 2026 that break no rule.
fn valid_year() -> Tables {
    Tables {
        header: vec![
            HeaderRow { mother: "0".into(), ..header("C1", "F", "03/04/2012", "WBRI", "UN5") },
            header("C2", "M", "02/11/2009", "BCRB", "B801200005001"),
        ],
        episodes: vec![
            episode([
                "C1",
                "10/02/2025",
                "S",
                "C1",
                "N1",
                "U4",
                "PR4",
                "02/06/2025",
                "X1",
                "",
                "E8 1DY",
                "CT1 2EH",
                "SC057821",
            ]),
            episode([
                "C1",
                "02/06/2025",
                "L",
                "C2",
                "N1",
                "U4",
                "PR4",
                "15/09/2025",
                "X1",
                "CARPL",
                "E8 1DY",
                "CT1 2EH",
                "SC057821",
            ]),
            episode(["C1", "15/09/2025", "P", "C2", "N1", "K2", "PR4", "", "", "", "E8 1DY", "LS1 4AP", "SC480011"]),
            episode([
                "C2",
                "01/05/2025",
                "S",
                "V2",
                "N4",
                "K2",
                "PR4",
                "19/12/2025",
                "E4A",
                "",
                "E8 1DY",
                "LS1 4AP",
                "SC480011",
            ]),
        ],
        missing: vec![
            missing_row("C1", "03/04/2012", "M", "03/10/2025", "04/10/2025"),
            missing_row("C1", "03/04/2012", "A", "28/03/2026", ""),
            missing_row("C2", "02/11/2009", "M", "01/06/2025", "02/06/2025"),
        ],
        uasc: vec![],
    }
}

type Fixture = (&'static str, fn(&mut Tables));

/// One failing fixture per rule: the valid year with one thing broken.
fn fixtures() -> Vec<Fixture> {
    vec![
        ("101", |t| t.header[0].sex = "1".into()),
        ("102", |t| t.header[0].dob = "2012-04-03".into()),
        ("103", |t| t.header[0].ethnic = "WHITE".into()),
        ("168", |t| t.header[0].upn = "UN6".into()),
        // 4 on 31/08/2024, so of school age in 2025-26.
        ("209", |t| t.header[0].upn = "UN1".into()),
        ("232", |t| t.header[1].sex = "U".into()),
        ("378", |t| {
            t.episodes[3].place = "P1".into();
            t.episodes[3].place_provider = "PR0".into();
            t.episodes[3].urn = String::new();
        }),
        ("516", |t| t.episodes[3].rec = "E45".into()),
        ("392d", |t| t.episodes[3].home_post = "LS1 4AP".into()),
        ("361", |t| t.episodes[3].ls = "L1".into()),
        ("393", |t| t.header[0].mother = String::new()),
        ("607", |t| {
            t.header[1].sex = "F".into();
            t.episodes[3].rec = "E4A".into();
        }),
        ("171", |t| t.header[0].mc_dob = "2025-01-01".into()),
        ("174", |t| t.header[1].mc_dob = "01/01/2025".into()),
        ("611", |t| t.header[0].mother = "1".into()),
        ("612", |t| t.header[0].mc_dob = "01/01/2025".into()),
        ("620", |t| {
            t.header[0].dob = "01/06/2015".into();
            t.header[0].mother = "1".into();
            t.header[0].mc_dob = "01/01/2026".into();
        }),
        ("621", |t| {
            t.header[0].mother = "1".into();
            t.header[0].mc_dob = "01/01/2010".into();
        }),
        ("INT32", |t| t.header.push(t.header[1].clone())),
        ("INT03", |t| {
            let mut e = t.episodes[3].clone();
            e.child = "C9".into();
            t.episodes.push(e);
        }),
        ("141", |t| t.episodes[3].decom = "31/02/2025".into()),
        ("142", |t| {
            t.episodes[0].dec = String::new();
            t.episodes[0].rec = String::new();
        }),
        ("143", |t| t.episodes[0].rne = "X".into()),
        ("144", |t| t.episodes[0].ls = "C3".into()),
        ("145", |t| t.episodes[0].cin = String::new()),
        ("146", |t| t.episodes[3].place = "H5".into()),
        ("147", |t| t.episodes[3].dec = "19/13/2025".into()),
        ("148", |t| t.episodes[3].rec = String::new()),
        ("149", |t| t.episodes[3].rec = "E99".into()),
        ("178", |t| t.episodes[3].place_provider = "PR9".into()),
        ("213", |t| {
            t.episodes[3].place = "T1".into();
            t.episodes[3].urn = String::new();
        }),
        ("218", |t| t.episodes[3].urn = String::new()),
        ("222", |t| {
            t.episodes[3].place = "P1".into();
            t.episodes[3].place_provider = "PR0".into();
        }),
        ("225", |t| t.episodes[1].reason_place_change = String::new()),
        ("226", |t| {
            let e = &mut t.episodes[2];
            e.place = "T1".into();
            e.place_provider = String::new();
            e.urn = String::new();
        }),
        ("233", |t| t.episodes[2].reason_place_change = "CARPL".into()),
        ("234", |t| {
            t.header[0].dob = "03/04/2017".into();
            t.episodes[1].reason_place_change = "CUSTOD".into();
        }),
        ("242", |t| t.episodes[3].urn = "XXXXXXX".into()),
        ("243", |t| t.episodes[3].pl_post = CARDIFF_POSTCODE.into()),
        ("302", |t| t.header[1].dob = "02/11/2025".into()),
        ("353", |t| t.episodes[3].decom = "01/01/1990".into()),
        ("355", |t| t.episodes[3].dec = "01/05/2025".into()),
        ("356", |t| t.episodes[3].dec = "30/04/2025".into()),
        ("357", |t| t.episodes[3].rne = "P".into()),
        ("380", |t| {
            let e = &mut t.episodes[3];
            e.place = "T1".into();
            e.place_provider = String::new();
            e.urn = String::new();
            e.rec = "X1".into();
        }),
        ("381", |t| {
            let e = &mut t.episodes[2];
            e.place = "T4".into();
            e.place_provider = String::new();
            e.urn = String::new();
            e.dec = "01/10/2025".into();
            e.rec = "E8".into();
        }),
        ("385", |t| t.episodes[3].dec = "01/04/2026".into()),
        ("388", |t| t.episodes[3].rec = "X1".into()),
        ("431", |t| t.episodes[2].rne = "S".into()),
        ("432", |t| t.episodes[1].rec = "E4A".into()),
        ("433", |t| t.episodes[2].decom = "16/09/2025".into()),
        ("434", |t| t.episodes[1].ls = "C1".into()),
        ("435", |t| t.episodes[2].ls = "C1".into()),
        ("436", |t| t.episodes[2].rne = "B".into()),
        // C1's episode ends with her death, yet another follows.
        ("437", |t| t.episodes[1].rec = "E2".into()),
        ("501", |t| t.episodes[2].decom = "10/09/2025".into()),
        ("526", |t| t.episodes[3].place_provider = String::new()),
        ("527", |t| {
            t.episodes[3].place = "R2".into();
            t.episodes[3].place_provider = "PR1".into();
        }),
        ("528", |t| {
            t.episodes[3].place = "R5".into();
            t.episodes[3].place_provider = "PR2".into();
        }),
        ("529", |t| t.episodes[3].place_provider = "PR3".into()),
        ("530", |t| {
            t.episodes[3].place = "P1".into();
            t.episodes[3].urn = String::new();
        }),
        ("531", |t| {
            t.episodes[3].place = "P1".into();
            t.episodes[3].place_provider = "PR5".into();
        }),
        ("550", |t| t.episodes[3].place_provider = "PR0".into()),
        ("1012", |t| t.missing.push(missing_row("C9", "01/01/2010", "M", "01/06/2025", "02/06/2025"))),
        ("INT04", |t| t.missing.push(missing_row("C9", "01/01/2010", "M", "01/06/2025", "02/06/2025"))),
        ("INT13", |t| t.missing[0].dob = "04/04/2012".into()),
        ("1004", |t| t.missing[0].mis_start = "32/10/2025".into()),
        ("1005", |t| t.missing[0].mis_end = "2025-10-04".into()),
        ("1006", |t| t.missing[0].missing = "X".into()),
        ("564", |t| t.missing[0].mis_start = String::new()),
        ("565", |t| t.missing[0].missing = String::new()),
        ("566", |t| {
            t.missing[0].missing = String::new();
            t.missing[0].mis_start = String::new();
        }),
        ("567", |t| t.missing[0].mis_end = "02/10/2025".into()),
        ("570", |t| t.missing[1].mis_start = "01/04/2026".into()),
        ("571", |t| t.missing[0].mis_end = "01/04/2026".into()),
        ("574", |t| t.missing[0].mis_end = String::new()),
        ("575", |t| t.missing[2].mis_end = String::new()),
        ("577", |t| t.missing[2].mis_end = String::new()),
        ("578", |t| {
            t.missing[2].mis_start = "20/12/2025".into();
            t.missing[2].mis_end = "21/12/2025".into();
        }),
        ("581", |t| {
            t.missing[2].mis_start = "02/04/2025".into();
            t.missing[2].mis_end = "03/04/2025".into();
        }),
        ("586", |t| t.missing[0].mis_start = "03/04/2012".into()),
        // C1 turns 18 on 03/04/2030.
        ("104", |t| t.uasc.push(uasc_row("C1", "F", "03/04/2012", "31/03/2025"))),
        ("304", |t| t.uasc.push(uasc_row("C1", "F", "03/04/2012", "04/04/2030"))),
        ("INT09", |t| t.uasc.push(uasc_row("C9", "M", "01/01/2010", ""))),
        ("INT18", |t| t.uasc.push(uasc_row("C1", "F", "04/04/2012", ""))),
        ("INT21", |t| t.uasc.push(uasc_row("C1", "M", "03/04/2012", ""))),
        ("INT36", |t| {
            t.uasc.push(uasc_row("C1", "F", "03/04/2012", ""));
            t.uasc.push(uasc_row("C1", "F", "03/04/2012", ""));
        }),
        ("392b", |t| t.episodes[3].home_post = String::new()),
        ("390", |t| t.episodes[3].rec = "E11".into()),
        // Hackney's own children's home, in Leeds; its own foster carers may be anywhere.
        ("1015", |t| {
            t.episodes[3].place_provider = "PR1".into();
            t.episodes[0].place_provider = "PR1".into();
        }),
        ("366", |t| t.episodes[1].ls = "V3".into()),
        // C2's short break runs from May to December: more than 75 days.
        ("367", |t| t.episodes[3].ls = "V3".into()),
        ("377", |t| {
            for e in &mut t.episodes[0..3] {
                e.place = "T3".into();
            }
        }),
        // C1 comes back from a temporary placement to another home than the one before it.
        ("383", |t| t.episodes[1].place = "T1".into()),
        ("426", |t| {
            t.episodes[0].ls = "V3".into();
            t.episodes[1].ls = "V4".into();
        }),
        ("408", |t| {
            t.episodes[3].place = "A5".into();
            t.episodes[3].ls = "C2".into();
        }),
        // C1's third episode: placed for adoption with her foster carers, a change of carer (P).
        ("217", |t| t.episodes[2].place = "A3".into()),
        // The same after a foster placement is fine; after a children's home it is not.
        ("336", |t| {
            t.episodes[1].place = "K2".into();
            t.episodes[2].place = "A4".into();
        }),
        ("210", |t| {
            t.header[1].upn = "UN4".into();
            t.episodes[3].decom = "24/03/2026".into();
            t.episodes[3].dec = String::new();
            t.episodes[3].rec = String::new();
        }),
        ("625", |t| {
            t.header[0].mother = "1".into();
            t.header[0].mc_dob = "01/04/2026".into();
        }),
        ("446", |t| {
            t.episodes[3].ls = "E1".into();
            t.episodes[3].decom = "30/11/2005".into();
        }),
        ("444", |t| t.header[0].upn = "B801200005001".into()),
        ("504", |t| t.episodes[1].cin = "N2".into()),
        ("392c", |t| t.episodes[3].pl_post = "ZZ9 9ZZ".into()),
        // C2 turns 18 on the day he leaves care, missing.
        ("580", |t| {
            t.header[1].dob = "19/12/2007".into();
            t.missing[2] = missing_row("C2", "19/12/2007", "M", "18/12/2025", "19/12/2025");
        }),
        // Camborne to Newcastle: 362 miles as DfE measures it.
        ("454", |t| {
            t.episodes[3].home_post = "TR14 4TF".into();
            t.episodes[3].pl_post = "NE15 9DA".into();
        }),
        ("301", |t| t.header[1].dob = "01/04/2026".into()),
        // 25 on 01/01/2025, before the year began.
        ("351", |t| t.header[1].dob = "01/01/2000".into()),
        ("354", |t| t.episodes[3].decom = "01/04/2026".into()),
        // C2, 18 on 01/01/2025, adopted in December 2025.
        ("386", |t| {
            t.header[1].dob = "01/01/2007".into();
            t.episodes[3].rec = "E11".into();
        }),
        // C2 is 16 when he leaves in December 2025: too old for 387 and 460, 389 needs him 14.
        ("387", |t| {
            t.header[1].dob = "01/01/2012".into();
            t.episodes[3].rec = "E5".into();
        }),
        ("389", |t| {
            t.header[1].dob = "01/01/2011".into();
            t.episodes[3].rec = "E7".into();
        }),
        ("407", |t| {
            t.header[1].dob = "01/01/2007".into();
            t.episodes[3].rec = "E47".into();
        }),
        ("460", |t| t.episodes[3].rec = "E17".into()),
        ("1009", |t| t.episodes[1].reason_place_change = "MOVED".into()),
        // C2 is 15 when placed in May 2025; C1 13 in September.
        ("371", |t| t.episodes[3].place = "K3".into()),
        ("372", |t| {
            t.header[1].dob = "01/01/2016".into();
            t.episodes[3].place = "R5".into();
            t.episodes[3].urn = String::new();
        }),
        ("373", |t| {
            t.header[1].dob = "01/01/2022".into();
            t.episodes[3].place = "S1".into();
        }),
        ("374", |t| {
            t.header[0].dob = "03/04/2012".into();
            t.episodes[2].place = "P3".into();
        }),
        ("358", |t| {
            t.header[1].dob = "01/06/2015".into();
            t.episodes[3].ls = "J2".into();
        }),
        ("442", |t| t.header[1].upn = String::new()),
        // C2's episode runs from May to December 2025.
        ("362", |t| t.episodes[3].ls = "L2".into()),
        ("363", |t| t.episodes[3].ls = "L3".into()),
        ("364", |t| t.episodes[3].ls = "J2".into()),
        ("365", |t| t.episodes[3].ls = "V3".into()),
        ("398", |t| t.episodes[3].ls = "V4".into()),
        ("382", |t| {
            t.episodes[3].ls = "V3".into();
            t.episodes[3].place = "T2".into();
        }),
        ("384", |t| t.episodes[0].ls = "V4".into()),
        ("375", |t| t.episodes[3].place = "T1".into()),
        ("376", |t| t.episodes[3].place = "T3".into()),
        ("379", |t| t.episodes[3].place = "T4".into()),
        // C2, 18 on 01/01/2025, starts to be looked after in May 2025.
        ("352", |t| t.header[1].dob = "01/01/2007".into()),
        // C1, 18 on 01/01/2026, still in a children's home under a care order.
        ("359", |t| t.header[0].dob = "01/01/2008".into()),
        ("420", |t| {
            t.episodes[3].ls = "V4".into();
            t.episodes[3].home_post = String::new();
        }),
        // A postcode that is well formed but in no postcode directory.
        ("392a", |t| t.episodes[3].home_post = "ZZ9 9ZZ".into()),
        // C2 is UASC, but its episodes give a home postcode, so DfE derives a distance.
        ("406", |t| t.uasc.push(uasc_row("C2", "M", "02/11/2009", ""))),
        // C2 is UASC (so needs no home postcode) but his placement has no postcode: no LA.
        ("169", |t| {
            t.uasc.push(uasc_row("C2", "M", "02/11/2009", ""));
            t.episodes[3].home_post = String::new();
            t.episodes[3].pl_post = String::new();
        }),
        ("179", |t| t.episodes[3].pl_post = "ZZ9 9ZZ".into()),
        ("214", |t| {
            t.episodes[3].ls = "V4".into();
            t.episodes[3].home_post = String::new();
        }),
        // C1, UASC, 10 at the end of the year.
        ("231", |t| {
            t.header[0].dob = "01/04/2015".into();
            t.uasc.push(uasc_row("C1", "F", "01/04/2015", ""));
        }),
    ]
}

/// Last year's return (2024-25) of the valid year's children: C1's first placement was already
/// open; C2 was not yet looked after.
fn valid_last_year() -> Tables {
    let this = valid_year();
    Tables {
        header: vec![this.header[0].clone()],
        episodes: vec![EpisodeRow { dec: String::new(), rec: String::new(), ..this.episodes[0].clone() }],
        missing: vec![],
        uasc: vec![],
    }
}

type LastYearFixture = (&'static str, fn(&mut Tables, &mut Tables));

/// One failing fixture per rule read with last year's return: this year's and last year's
/// tables, with one thing changed in either.
fn last_year_fixtures() -> Vec<LastYearFixture> {
    vec![
        // Adopted last year, looked after again this year.
        ("199", |_, l| {
            l.episodes.push(episode([
                "C2",
                "01/01/2024",
                "S",
                "E1",
                "N4",
                "A5",
                "PR4",
                "01/02/2024",
                "E11",
                "",
                "E8 1DY",
                "LS1 4AP",
                "SC480011",
            ]))
        }),
        ("202", |_, l| l.header[0].sex = "M".into()),
        ("203", |_, l| l.header[0].dob = "04/04/2012".into()),
        ("204", |_, l| l.header[0].ethnic = "WIRI".into()),
        ("207", |_, l| l.header[0].mother = "1".into()),
        // A UPN last year, unknown this year.
        ("208", |_, l| l.header[0].upn = "B801200005001".into()),
        ("624", |_, l| l.header[0].mc_dob = "01/01/2024".into()),
        ("626", |t, _| {
            t.header[0].mother = "1".into();
            t.header[0].mc_dob = "01/01/2024".into();
        }),
        ("452", |_, l| l.episodes[0].pl_post = "LS1 4AP".into()),
        ("453", |_, l| l.episodes[0].pl_post = "LS1 4AP".into()),
        ("502", |_, l| l.episodes[0].decom = "11/02/2025".into()),
        ("503A", |_, l| l.episodes[0].rne = "P".into()),
        ("503B", |_, l| l.episodes[0].ls = "C2".into()),
        ("503C", |_, l| l.episodes[0].cin = "N2".into()),
        ("503D", |_, l| l.episodes[0].place = "U5".into()),
        ("503E", |_, l| l.episodes[0].place_provider = "PR1".into()),
        ("503F", |_, l| l.episodes[0].urn = "SC480011".into()),
        ("503G", |_, l| l.episodes[0].home_post = "LS1 4AP".into()),
        ("503H", |_, l| l.episodes[0].pl_post = "LS1 4AP".into()),
        // In Hackney last year, in Kent this year.
        ("503J", |_, l| l.episodes[0].pl_post = "E8 1DY".into()),
        ("562", |_, l| l.episodes[0].decom = "11/02/2025".into()),
        // Away since 28 March 2025 at the end of last year; this year's first period is October's.
        ("576", |_, l| l.missing.push(missing_row("C1", "03/04/2012", "A", "28/03/2025", ""))),
        // Looked after since before the year, but in no episode of last year's return (a child
        // whose record came from another LA during the year).
        ("NoE", |_, l| l.episodes.clear()),
    ]
}

/// Hackney's return, whose year the fixtures are.
fn hackneys(t: &Tables) -> Vec<Violation> {
    validate_return(2026, chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap_or_default(), Some(HACKNEY), t)
}

#[test]
fn the_valid_year_breaks_no_rule() {
    assert_eq!(validate(2026, &valid_year()), Vec::<Violation>::new());
    assert_eq!(hackneys(&valid_year()), Vec::<Violation>::new());
}

#[test]
fn every_rule_catches_its_failing_fixture() {
    let fixtures = fixtures();
    let covered: BTreeSet<&str> =
        fixtures.iter().map(|(r, _)| *r).chain(last_year_fixtures().iter().map(|(r, _)| *r)).collect();
    let listed: BTreeSet<&str> = RULES.iter().copied().collect();
    assert_eq!(covered, listed, "one fixture per rule checked");
    for (rule, breaks) in fixtures {
        let mut t = valid_year();
        breaks(&mut t);
        let found = hackneys(&t);
        assert!(found.iter().any(|v| v.rule == rule), "rule {rule} not caught: {found:#?}");
    }
}

#[test]
fn every_rule_read_with_last_year_catches_its_failing_fixture() {
    let end = chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap_or_default();
    let check = |t: &Tables, l: &Tables| validate_with_last_year(2026, end, Some(HACKNEY), t, l);
    assert_eq!(check(&valid_year(), &valid_last_year()), Vec::<Violation>::new());
    for (rule, breaks) in last_year_fixtures() {
        let (mut t, mut l) = (valid_year(), valid_last_year());
        breaks(&mut t, &mut l);
        let found = check(&t, &l);
        assert!(found.iter().any(|v| v.rule == rule), "rule {rule} not caught: {found:#?}");
    }
}

#[test]
fn codes_are_those_of_the_collection_year() {
    // The rules on codes only (the dates of the valid year are outside other years).
    let rules = |year: i32, t: &Tables| -> Vec<String> {
        validate(year, t)
            .into_iter()
            .filter(|v| ["101", "146", "209"].contains(&v.rule.as_str()))
            .map(|v| format!("{} {}", v.rule, v.row))
            .collect()
    };
    // Z11 exists from 2025-26; Z1 until 2024-25.
    let mut t = valid_year();
    t.episodes[3].place = "Z11".into();
    t.episodes[3].place_provider = String::new();
    t.episodes[3].urn = String::new();
    assert_eq!(rules(2026, &t), Vec::<String>::new());
    assert_eq!(rules(2025, &t), vec!["146 4"]);
    t.episodes[3].place = "Z1".into();
    assert_eq!(rules(2026, &t), vec!["146 4"]);
    assert_eq!(rules(2025, &t), Vec::<String>::new());
    // K3 from 2024-25; SEX 1 and 2 up to 2023-24.
    let mut t = valid_year();
    t.episodes[3].place = "K3".into();
    assert_eq!(rules(2025, &t), Vec::<String>::new());
    let found = rules(2024, &t);
    assert!(found.contains(&"146 4".to_string()) && found.contains(&"101 1".to_string()), "{found:?}");
    // UN1 is for children under 4 on 31 August before the year: born 01/09/2020, 3 on 31/08/2024
    // (2025-26) and 4 on 31/08/2025 (2026-27).
    let mut t = valid_year();
    t.header[0].dob = "01/09/2020".into();
    t.header[0].upn = "UN1".into();
    for m in &mut t.missing {
        if m.child == "C1" {
            m.dob = "01/09/2020".into();
        }
    }
    assert_eq!(rules(2026, &t), Vec::<String>::new());
    assert_eq!(rules(2027, &t), vec!["209 1"]);
}

#[test]
fn violations_name_the_table_row_child_and_columns() {
    let mut t = valid_year();
    t.episodes[3].rec = "X1".into();
    let found = validate(2026, &t);
    let v = found.iter().find(|v| v.rule == "388").expect("388");
    let json = serde_json::to_value(v).unwrap_or_default();
    assert_eq!(json["table"], "Episodes");
    assert_eq!(json["row"], 4);
    assert_eq!(json["child"], "C2");
    assert_eq!(json["fields"], json!(["REC"]));
}

#[test]
fn a_child_in_the_uasc_table_needs_no_home_postcode() {
    let mut t = valid_year();
    t.episodes[3].home_post = String::new();
    let rules = |t: &Tables| {
        validate(2026, t).into_iter().map(|v| format!("{} {:?} {}", v.rule, v.table, v.row)).collect::<Vec<_>>()
    };
    assert_eq!(rules(&t), vec!["392a Episodes 4", "392b Episodes 4"]);
    // C2 is UASC this year: exempt (short breaks, V3 and V4, are exempt whoever the child is).
    t.uasc.push(uasc_row("C2", "M", "02/11/2009", ""));
    assert_eq!(rules(&t), Vec::<String>::new());
    t.uasc.clear();
    t.episodes[3].ls = "V3".into();
    assert!(!rules(&t).iter().any(|r| r.starts_with("392")), "{:?}", rules(&t));
    // A UASC row's problems name the UASC table, as DfE does (C1's episodes give a home postcode,
    // which is 406 for a UASC child).
    let mut t = valid_year();
    t.uasc.push(uasc_row("C1", "F", "03/04/2012", "04/04/2030"));
    let v: Vec<Violation> = validate(2026, &t).into_iter().filter(|v| v.rule != "406").collect();
    let json = serde_json::to_value(&v).unwrap_or_default();
    assert_eq!(json[0]["rule"], "304");
    assert_eq!(json[0]["table"], "UASC");
    assert_eq!(json[0]["fields"], json!(["DUC"]));
}

#[test]
fn a_missing_period_open_at_the_year_end_needs_an_end_only_if_its_placement_ended() {
    let found = |t: &Tables| validate(2026, t).into_iter().map(|v| format!("{} {}", v.rule, v.row)).collect::<Vec<_>>();
    // C1 went missing on 31 March and came back after the year: her episode is open, so MIS_END
    // stays blank (571) and nothing is wrong.
    let mut t = valid_year();
    t.missing[1] = missing_row("C1", "03/04/2012", "M", "31/03/2026", "");
    assert_eq!(found(&t), Vec::<String>::new());
    // C2's placement ended in December: a period he went missing in before then must have ended.
    t.missing[2].mis_end = String::new();
    assert_eq!(found(&t), vec!["575 3", "577 3"]);
}

#[test]
fn an_las_own_provision_outside_its_area_is_only_fostering_adoption_or_supported_accommodation() {
    let rows = |t: &Tables| hackneys(t).into_iter().filter(|v| v.rule == "1015").map(|v| v.row).collect::<Vec<_>>();
    let mut t = valid_year();
    // Hackney's own foster carers in Kent: fine.
    t.episodes[0].place_provider = "PR1".into();
    assert_eq!(rows(&t), Vec::<usize>::new());
    // Hackney's own children's home in Leeds: not.
    t.episodes[3].place_provider = "PR1".into();
    assert_eq!(rows(&t), vec![4]);
    // In Hackney: fine.
    t.episodes[3].pl_post = "E8 1DY".into();
    assert_eq!(rows(&t), Vec::<usize>::new());
    // Its own supported accommodation (K3) in Leeds: fine from 2025-26, not in 2024-25.
    t.episodes[3].pl_post = "LS1 4AP".into();
    t.episodes[3].place = "K3".into();
    assert_eq!(rows(&t), Vec::<usize>::new());
    let in_2025 =
        validate_return(2025, chrono::NaiveDate::from_ymd_opt(2025, 3, 31).unwrap_or_default(), Some(HACKNEY), &t);
    assert_eq!(in_2025.iter().filter(|v| v.rule == "1015").map(|v| v.row).collect::<Vec<_>>(), vec![4]);
}

#[test]
fn a_placement_needs_a_postcode_dfe_finds_unless_it_is_a_short_break() {
    let rules = |t: &Tables| {
        validate(2026, t)
            .into_iter()
            .filter(|v| ["169", "179"].contains(&v.rule.as_str()))
            .map(|v| format!("{} {}", v.rule, v.row))
            .collect::<Vec<_>>()
    };
    let mut t = valid_year();
    // C2 is UASC: no home postcode is needed (392a, 392b), but the placement's still is.
    t.uasc.push(uasc_row("C2", "M", "02/11/2009", ""));
    t.episodes[3].home_post = String::new();
    assert_eq!(rules(&t), Vec::<String>::new());
    t.episodes[3].pl_post = String::new();
    assert_eq!(rules(&t), vec!["169 4", "179 4"]);
    // A short break (V4) has no placement postcode, and so no LA nor location.
    t.episodes[3].ls = "V4".into();
    assert_eq!(rules(&t), Vec::<String>::new());
    // Placed in Wales: DfE's placement LA is WAL, its location OUT.
    t.episodes[3].ls = "C2".into();
    t.episodes[3].pl_post = "CF10 1EP".into();
    t.episodes[3].urn = String::new();
    assert_eq!(rules(&t), Vec::<String>::new());
}

#[test]
fn a_uasc_child_under_11_at_the_end_of_the_year_is_queried() {
    let rows = |t: &Tables| {
        validate(2026, t)
            .into_iter()
            .filter(|v| v.rule == "231")
            .map(|v| format!("{:?} {}", v.table, v.row))
            .collect::<Vec<_>>()
    };
    // C1 is 11 on 31/03/2026, the last day of the year: not queried; a day younger, she is.
    let mut t = valid_year();
    t.header[0].dob = "31/03/2015".into();
    t.uasc.push(uasc_row("C1", "F", "31/03/2015", ""));
    assert_eq!(rows(&t), Vec::<String>::new());
    t.header[0].dob = "01/04/2015".into();
    t.uasc[0].dob = "01/04/2015".into();
    assert_eq!(rows(&t), vec!["Header 1"]);
    // Not in the UASC table, she is not queried however young.
    t.uasc.clear();
    assert_eq!(rows(&t), Vec::<String>::new());
}

#[test]
fn a_short_break_gives_no_placement_postcode_and_a_urn_only_where_218_asks_for_one() {
    let rows =
        |t: &Tables| validate(2026, t).into_iter().filter(|v| v.rule == "214").map(|v| v.row).collect::<Vec<_>>();
    // C2's short break (V4) in a children's home: its URN, which 218 asks for, and no postcodes.
    let mut t = valid_year();
    t.episodes[3].ls = "V4".into();
    t.episodes[3].home_post = String::new();
    t.episodes[3].pl_post = String::new();
    assert_eq!(rows(&t), Vec::<usize>::new());
    // With the placement's postcode, 214 (and 398, 420).
    t.episodes[3].pl_post = "LS1 4AP".into();
    assert_eq!(rows(&t), vec![4]);
    // In residential care (R1), for which 218 asks no URN, the agency placeholder is one too many
    // (222 lets it pass).
    t.episodes[3].pl_post = String::new();
    t.episodes[3].place = "R1".into();
    t.episodes[3].urn = "XXXXXXX".into();
    let found = validate(2026, &t);
    assert!(found.iter().any(|v| v.rule == "214" && v.row == 4), "{found:#?}");
    assert!(!found.iter().any(|v| v.rule == "222"), "{found:#?}");
}
