use super::{crlf, download, end, missing, parse, place, ssda903_child};
use crate::support::internals::ssda903::{EpisodeRow, Violation, validate};
use crate::support::*;
use serde_json::json;

#[actix_web::test]
async fn a_small_year_exports_exactly_as_computed_by_hand() {
    let app = TestApp::start().await;
    app.provider_with_home().await;
    let hackney = app.la(HACKNEY);
    // Ruby: fostered in Kent on an interim care order, a full care order mid-placement, then a
    // move to Oak House (Leeds) with X1 continuity; missing twice, the second time across the
    // end of the year.
    let ruby = app.child_of(HACKNEY, ssda903_child("HK1001", "Ruby", "Stone", "2012-04-03")).await;
    let p1 = place(&app, HACKNEY, Placement::foster(&ruby, KENT_POSTCODE).from("2025-02-10").legal_status("C1")).await;
    hackney.change_legal_status(&p1, "2025-06-02", "C2").await.expect(200);
    end(&app, HACKNEY, &p1, Ending::moved("2025-09-15", "CARPL")).await;
    place(&app, HACKNEY, Placement::at(&ruby, OAK_HOUSE).from("2025-09-15")).await;
    missing(&app, HACKNEY, Episode::missing(&ruby, "2025-10-03T20:00:00Z").until("2025-10-04T09:00:00Z")).await;
    missing(&app, HACKNEY, Episode::away(&ruby, "2026-03-28T22:00:00Z").until("2026-04-02T10:00:00Z")).await;
    // Tyrone: accommodated (V2) at Oak House, returned home in December.
    let tyrone = ssda903_child("HK1002", "Tyrone", "Mensah", "2009-11-02")
        .sex("M")
        .ethnicity("BCRB")
        .upn("B801200005001")
        .category_of_need("N4");
    let tyrone = app.child_of(HACKNEY, tyrone).await;
    let p = place(&app, HACKNEY, Placement::at(&tyrone, OAK_HOUSE).from("2025-05-01").legal_status("V2")).await;
    end(&app, HACKNEY, &p, Ending::on("2025-12-19", "E4A")).await;
    // Leah, 2, whose family lives in Kent: with Hackney's own foster carers from January; she
    // moves after the year ends.
    let leah = ssda903_child("HK1003", "Leah", "Okafor", "2023-02-27")
        .ethnicity("WIRI")
        .category_of_need("N2")
        .home(KENT_POSTCODE);
    let leah = app.child_of(HACKNEY, leah).await;
    let own_carers = |start: &str, place: &str| {
        json!({"child_id": leah, "urn": "XXXXXXX", "postcode": HACKNEY_POSTCODE, "place": place,
               "place_provider": "PR1", "legal_status": "V2", "start_date": start})
    };
    let p = place(&app, HACKNEY, own_carers("2026-01-20", "U6")).await;
    end(&app, HACKNEY, &p, Ending::moved("2026-04-10", "CARPL")).await;
    place(&app, HACKNEY, own_carers("2026-04-10", "U4")).await;
    // Kai left care before the year began: not in the return, nor his missing episode.
    let kai = app.child_of(HACKNEY, ssda903_child("HK1004", "Kai", "Whitfield", "2008-08-09").sex("M")).await;
    let p = place(&app, HACKNEY, Placement::at(&kai, OAK_HOUSE).from("2024-01-01")).await;
    missing(&app, HACKNEY, Episode::missing(&kai, "2024-06-01T18:00:00Z").until("2024-06-01T23:00:00Z")).await;
    end(&app, HACKNEY, &p, Ending::on("2025-03-01", "E13")).await;
    // Kent's child at the same home is in Kent's return, never Hackney's.
    let jo = app.child_of(KENT, ssda903_child("KT77", "Jo", "March", "2010-01-01").home(KENT_POSTCODE)).await;
    place(&app, KENT, Placement::at(&jo, OAK_HOUSE).from("2025-07-01")).await;

    let files = download(&app, HACKNEY, "2026").await;
    assert_eq!(
        files.0,
        crlf(&[
            "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB",
            "HK1001,F,03/04/2012,WBRI,UN5,0,",
            "HK1002,M,02/11/2009,BCRB,B801200005001,,",
            "HK1003,F,27/02/2023,WIRI,UN1,0,",
        ])
    );
    assert_eq!(
        files.1,
        crlf(&[
            "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN",
            "HK1001,10/02/2025,S,C1,N1,U4,PR4,02/06/2025,X1,,E8 1DY,CT1 2EH,SC057821",
            "HK1001,02/06/2025,L,C2,N1,U4,PR4,15/09/2025,X1,CARPL,E8 1DY,CT1 2EH,SC057821",
            "HK1001,15/09/2025,P,C2,N1,K2,PR4,,,,E8 1DY,LS1 4AP,SC480011",
            "HK1002,01/05/2025,S,V2,N4,K2,PR4,19/12/2025,E4A,,E8 1DY,LS1 4AP,SC480011",
            "HK1003,20/01/2026,S,V2,N2,U6,PR1,,,,CT1 2EH,E8 1DY,XXXXXXX",
        ])
    );
    assert_eq!(
        files.2,
        crlf(&[
            "CHILD,DOB,MISSING,MIS_START,MIS_END",
            "HK1001,03/04/2012,M,03/10/2025,04/10/2025",
            "HK1001,03/04/2012,A,28/03/2026,",
        ])
    );
    assert_eq!(files.3, crlf(&["CHILD,SEX,DOB,DUC"]));
    assert_eq!(validate(2026, &parse(&files)), Vec::<Violation>::new());
    let report = hackney.ssda903("2026", "validation").await.expect(200);
    assert_eq!(report.body["valid"], true, "{}", report.text);
    assert_eq!(report.body["violations"], json!([]));
    assert_eq!(report.body["rows"], json!({"header": 3, "episodes": 5, "missing": 2, "uasc": 0}));
    assert_eq!(report.body["collection_start"], "2025-04-01");
    assert_eq!(report.body["collection_end"], "2026-03-31");

    // The year in progress stops at today (15 June 2026): Leah's move is in it, as a change of
    // placement type with the same carers (T); Ruby came back on 2 April.
    let now = download(&app, HACKNEY, "2027").await;
    let t = parse(&now);
    let leah_rows: Vec<&EpisodeRow> = t.episodes.iter().filter(|e| e.child == "HK1003").collect();
    assert_eq!(leah_rows.len(), 2);
    assert_eq!((leah_rows[0].dec.as_str(), leah_rows[0].rec.as_str()), ("10/04/2026", "X1"));
    assert_eq!(leah_rows[0].reason_place_change, "CARPL");
    assert_eq!((leah_rows[1].rne.as_str(), leah_rows[1].place.as_str()), ("T", "U4"));
    assert_eq!(now.2, crlf(&["CHILD,DOB,MISSING,MIS_START,MIS_END", "HK1001,03/04/2012,A,28/03/2026,02/04/2026"]));
    assert!(!now.0.contains("HK1002"), "Tyrone left care before the year began");
    assert_eq!(validate(2027, &t), Vec::<Violation>::new());

    // Kent sees its own child only.
    let kent = parse(&download(&app, KENT, "2026").await);
    let children: Vec<&str> = kent.header.iter().map(|h| h.child.as_str()).collect();
    assert_eq!(children, vec!["KT77"]);
}

#[actix_web::test]
async fn validation_reads_last_years_return_built_from_the_same_records() {
    let app = TestApp::start().await;
    let hackney = app.la(HACKNEY);
    // Mia was adopted by her foster carers in February 2025 (2024-25), yet a placement in June
    // 2025 has her looked after again: the 2025-26 return alone cannot tell, last year's can (199).
    let mia = app.child_of(HACKNEY, ssda903_child("HK2001", "Mia", "Hale", "2015-05-05")).await;
    let adoption = Placement::foster(&mia, KENT_POSTCODE).place("A5").legal_status("E1").from("2024-06-01");
    let p = place(&app, HACKNEY, adoption).await;
    end(&app, HACKNEY, &p, Ending::on("2025-02-01", "E11")).await;
    place(&app, HACKNEY, Placement::foster(&mia, KENT_POSTCODE).from("2025-06-01")).await;

    let report = hackney.ssda903("2026", "validation").await.expect(200);
    let found: Vec<(&str, &str, u64)> = report.body["violations"]
        .as_array()
        .map(|v| {
            v.iter().filter_map(|v| Some((v["rule"].as_str()?, v["table"].as_str()?, v["row"].as_u64()?))).collect()
        })
        .unwrap_or_default();
    assert_eq!(found, vec![("199", "Episodes", 1)], "{}", report.text);
    assert!(report.body["rules_checked"].as_array().is_some_and(|r| r.contains(&json!("503A"))));
    // In 2024-25 nothing came after the adoption.
    let last = hackney.ssda903("2025", "validation").await.expect(200);
    assert_eq!(last.body["violations"], json!([]), "{}", last.text);
}
