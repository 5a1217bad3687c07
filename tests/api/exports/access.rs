use super::{download, place, ssda903_child};
use crate::support::*;

#[actix_web::test]
async fn only_a_placing_la_gets_its_own_children() {
    let app = TestApp::start().await;
    let (provider, urn) = app.provider_with_home().await;
    let amelia = app.child_of(HACKNEY, ssda903_child("HK9", "Amelia", "Hughes", "2011-05-14")).await;
    place(&app, HACKNEY, Placement::at(&amelia, &urn).from("2025-06-01")).await;
    for file in ["header.csv", "episodes.csv", "missing.csv", "validation"] {
        app.anonymous().ssda903("2026", file).await.expect_problem(401);
        app.provider(&provider).ssda903("2026", file).await.expect_problem(403);
        app.operator().ssda903("2026", file).await.expect_problem(403);
        app.la_scoped(HACKNEY, &["children:read"]).ssda903("2026", file).await.expect_problem(403);
    }
    // Leeds hosts Amelia but does not report her: its export has its own children only (none).
    let leeds = download(&app, LEEDS, "2026").await;
    assert_eq!(leeds.0, "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\r\n");
    assert_eq!(leeds.1.lines().count(), 1);
    assert!(!leeds.1.contains("HK9") && !leeds.0.contains("HK9"));
    let hackney = download(&app, HACKNEY, "2026").await;
    assert!(hackney.1.contains("HK9,01/06/2025,S,C2,N1,K2,PR4,,,,E8 1DY,LS1 4AP,SC480011"), "{}", hackney.1);
    // Each download is a read of the child's record, in its access log.
    let log = app.la(HACKNEY).access_log(&amelia, "limit=200").await.expect(200);
    let actions: Vec<(String, String)> = log.column("org").into_iter().zip(log.column("action")).collect();
    for action in ["ssda903.header.read", "ssda903.episodes.read", "ssda903.missing.read"] {
        assert!(actions.contains(&(HACKNEY.to_string(), action.to_string())), "{action} missing from {actions:?}");
    }
    assert!(
        !actions.iter().any(|(org, a)| org == LEEDS && a.starts_with("ssda903.")),
        "Leeds's export did not read her"
    );
}

#[actix_web::test]
async fn the_year_must_be_a_collection_year() {
    let app = TestApp::start().await;
    let la = app.la(HACKNEY);
    for bad in ["abcd", "26", "20266", "2026-27", "+202"] {
        la.ssda903(bad, "episodes.csv").await.expect_field_error(400, "year");
    }
    for out_of_range in ["1991", "0001", "2028", "9999"] {
        la.ssda903(out_of_range, "header.csv").await.expect_field_error(422, "year");
        la.ssda903(out_of_range, "validation").await.expect_field_error(422, "year");
    }
    // 2027 is the year in progress on 15 June 2026; 1992 the first DfE accepts.
    la.ssda903("2027", "missing.csv").await.expect(200);
    let old = la.ssda903("1992", "episodes.csv").await.expect(200);
    assert_eq!(old.text.lines().count(), 1);
}
