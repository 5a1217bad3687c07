use super::{Q3, assert_fields, oak_house_after_q3};
use crate::support::*;
use serde_json::json;

#[actix_web::test]
async fn a_csv_return_with_bom_quoted_fields_and_template_rows() {
    let s = oak_house_after_q3().await;
    let csv = format!(
        "\u{feff}child_id,given_name,family_name,date_of_birth,kind,started_at,ended_at,police_reference,risk_indicators,found_where,return_interview_independent,return_interview_outcome\r\n\
         {a},Amelia,Hughes,2011-05-14,M,2026-07-14 23:10,2026-07-15 02:30,\"WY, 2026/\"\"7\"\"\",\"criminal_exploitation; substance_misuse\",friends,no,declined\r\n\
         {b},\"Ben\nClarke\",\"Clarke, Jr\",2010-02-20,,,,,,,,\r\n\
         {a},Amelia,Hughes,2011-05-14,A,2026-08-01T10:00:00+01:00,2026-08-01 12:00,,,placement,,\r\n",
        a = s.amelia,
        b = s.ben
    );
    let r = s.home().submit_return_csv(&s.urn, Q3, "", &csv).await.expect(201);
    assert_eq!(r.body["format"], "csv");
    assert_eq!(r.body["row_count"], 2);
    let eps = r.body["episodes"].as_array().expect("episodes");
    assert_eq!(eps[0]["row"], "rows[2]");
    assert_eq!(eps[0]["police_reference"], "WY, 2026/\"7\"");
    assert_eq!(eps[0]["risk_indicators"], json!(["criminal_exploitation", "substance_misuse"]));
    assert_eq!(eps[0]["started_at"], "2026-07-14T23:10:00Z");
    assert_eq!(eps[0]["return_interview_independent"], false);
    // The template row for Ben spans lines 3 and 4; the next record starts on line 5.
    assert_eq!(eps[1]["row"], "rows[5]");
    assert_eq!(eps[1]["started_at"], "2026-08-01T09:00:00Z");
    let stored = s.app.la(LEEDS).episode(eps[0]["episode_id"].as_str().unwrap_or("")).await.expect(200);
    assert_eq!(stored.body["police_reference"], "WY, 2026/\"7\"");
    assert_eq!(stored.body["source"], "return");
}

#[actix_web::test]
async fn csv_headers_codes_dates_and_empty_files_are_checked() {
    let s = oak_house_after_q3().await;
    let home = s.home();
    let send = |query: &'static str, csv: String| {
        let (home, urn) = (home.clone(), s.urn.clone());
        async move { home.submit_return_csv(&urn, Q3, query, &csv).await }
    };
    let a = &s.amelia;
    // Unknown and missing columns are named.
    let r = send("", format!("child_id,kind,colour\n{a},M,red\n")).await.expect_problem(422);
    assert_eq!(r.error_fields(), ["header.colour", "header.started_at"]);
    let r = send("", "child_id,kind,started_at,Kind\n".into()).await.expect_problem(422);
    assert_fields(&r, &["header.kind"]);
    // Codes, instants and booleans, by line.
    let csv = format!(
        "child_id,kind,started_at,ended_at,found_where,return_interview_independent\n\
         {a},X,2026-07-14 23:10,2026-07-15 01:00,,\n\
         {a},M,14/07/2026,,,\n\
         {a},M,2026-07-16T10:00:00Z,2026-07-16T12:00:00Z,garden,maybe\n\
         {a},M,2026-07-17T10:00:00Z\n\
         nobody,M,2026-07-18T10:00:00Z,2026-07-18T11:00:00Z,,\n\
         {a},,,2026-07-19T10:00:00Z,,\n"
    );
    let r = send("", csv).await.expect_problem(422);
    assert_fields(
        &r,
        &[
            "rows[2].kind",
            "rows[3].started_at",
            "rows[4].found_where",
            "rows[4].return_interview_independent",
            "rows[5]",
            "rows[6].child_id",
            "rows[7].kind",
            "rows[7].started_at",
        ],
    );
    assert_eq!(r.rule_of("rows[2].kind").as_deref(), Some("1006"));
    assert!(r.text.contains("YYYY-MM-DD HH:MM"));
    // An empty file is a nil return only when it says so.
    send("", String::new()).await.expect_field_error(422, "body");
    send("", "child_id,kind,started_at\n".into()).await.expect_field_error(422, "body");
    // The passing case: the smallest valid file.
    let r = send("", format!("child_id,kind,started_at,ended_at\n{a},M,2026-07-01 10:00,2026-07-01 11:00\n")).await;
    assert_eq!(r.expect(201).body["version"], 1);
    // Not UTF-8.
    let path = format!("/v1/settings/{}/returns/{Q3}", s.urn);
    let r = home.bytes("PUT", &path, "text/csv", b"child_id,kind,started_at\n\xff\xfe,M,x\n".to_vec()).await;
    r.expect_field_error(422, "rows[2]");
    // Other media types, and query parameters that belong in a JSON body.
    home.raw("PUT", &path, "text/plain", "hello").await.expect_problem(415);
    home.put(&format!("{path}?nil=true"), nil_return()).await.expect_field_error(400, "nil");
    send("nil=maybe", String::new()).await.expect_problem(400);
    let r = send("nil=true", String::new()).await.expect(201);
    assert_eq!(r.body["nil"], true);
    assert_eq!(r.body["version"], 2);
}

#[actix_web::test]
async fn the_template_lists_the_children_placed_in_the_quarter_with_their_reported_episodes() {
    let s = oak_house_after_q3().await;
    let reported = Episode::missing(&s.amelia, "2026-07-10T22:00:00Z")
        .until("2026-07-11T02:00:00Z")
        .with("police_reference", "WY, 1")
        .risks(&["trafficking", "self_harm"]);
    s.report(reported).await;
    // Not in the template: a child placed elsewhere, and one who left before the quarter.
    let hackney = s.app.la(HACKNEY);
    let elsewhere = s.app.child_of(HACKNEY, a_child("Cara", "Kent").born("2012-01-01")).await;
    hackney.place(Placement::foster(&elsewhere, KENT_POSTCODE).from("2026-06-01")).await.expect(201);
    let gone = s.app.child_of(HACKNEY, a_child("Gail", "Early").born("2010-01-01")).await;
    let g = hackney.place(Placement::at(&gone, &s.urn).from("2026-04-01")).await.expect(201).id();
    hackney.end_placement(&g, Ending::on("2026-06-30", "E4A")).await.expect(200);

    let t = s.home().quarterly_return(&s.urn, Q3, "template=csv").await.expect(200);
    assert!(t.header("content-type").is_some_and(|c| c.starts_with("text/csv")));
    assert!(t.header("content-disposition").is_some_and(|c| c.contains("SC480011-2026-Q3.csv")));
    assert!(t.text.starts_with('\u{feff}'));
    let mut reader = ::csv::Reader::from_reader(t.text.trim_start_matches('\u{feff}').as_bytes());
    let header: Vec<String> = reader.headers().expect("header").iter().map(str::to_string).collect();
    assert_eq!(&header[..6], ["child_id", "given_name", "family_name", "date_of_birth", "kind", "started_at"]);
    assert_eq!(header.len(), 19);
    let rows: Vec<::csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    let col = |r: &::csv::StringRecord, name: &str| {
        r.get(header.iter().position(|h| h == name).expect("column")).unwrap_or("").to_string()
    };
    // By family name: Ben Clarke (blank row), then Amelia Hughes (her episode, then a blank row).
    assert_eq!(rows.len(), 3);
    assert_eq!(
        (col(&rows[0], "child_id"), col(&rows[0], "given_name"), col(&rows[0], "kind")),
        (s.ben.clone(), "Ben".into(), String::new())
    );
    assert_eq!(col(&rows[0], "date_of_birth"), "2010-02-20");
    assert_eq!(col(&rows[1], "child_id"), s.amelia);
    assert_eq!(col(&rows[1], "kind"), "M");
    assert_eq!(col(&rows[1], "started_at"), "2026-07-10T22:00:00Z");
    assert_eq!(col(&rows[1], "ended_at"), "2026-07-11T02:00:00Z");
    assert_eq!(col(&rows[1], "police_reference"), "WY, 1");
    assert_eq!(col(&rows[1], "risk_indicators"), "trafficking; self_harm");
    assert_eq!((col(&rows[2], "child_id"), col(&rows[2], "started_at")), (s.amelia.clone(), String::new()));
    // The host LA may have it too; others may not.
    s.app.la(LEEDS).quarterly_return(&s.urn, Q3, "template=csv").await.expect(200);
    s.app.la(KENT).quarterly_return(&s.urn, Q3, "template=csv").await.expect_problem(404);
    s.home().quarterly_return(&s.urn, Q3, "template=xlsx").await.expect_field_error(422, "template");
    // Sent back as it is, it matches what was reported.
    let r = s.home().submit_return_csv(&s.urn, Q3, "", &t.text).await.expect(201);
    assert_eq!(
        r.body["summary"]["counts"],
        json!({"rows": 1, "matched": 1, "enriched": 0, "added": 0, "omitted": 0, "conflicts": 0})
    );
}
