use crate::support::*;

#[actix_web::test]
async fn who_sees_a_child_follows_placements() {
    let app = TestApp::start().await;
    let (pid, urn) = app.provider_with_home().await;
    let id = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14").nhs("9434765919")).await;
    // Before any placement only the placing LA sees the child.
    app.la(LEEDS).child(&id).await.expect_problem(404);
    app.provider(&pid).child(&id).await.expect_problem(404);
    app.la(HACKNEY).place(Placement::at(&id, &urn).from("2026-06-01")).await.expect(201);
    // The host LA and the provider now see a reduced view.
    let host = app.la(LEEDS).child(&id).await.expect(200);
    assert_eq!(host.body["access"], "host");
    assert_eq!(host.body["given_name"], "Amelia");
    assert!(host.body.get("nhs_number").is_none() && host.body.get("home_postcode").is_none());
    let prov = app.provider(&pid).child(&id).await.expect(200);
    assert_eq!(prov.body["access"], "provider");
    assert!(prov.body.get("ethnicity").is_none());
    // Unrelated LA, other provider: as if it did not exist. Operator: not its business.
    let unrelated = app.la(KENT).child(&id).await.expect_problem(404);
    let missing = app.la(KENT).child("00000000-0000-4000-8000-000000000000").await.expect_problem(404);
    assert_eq!(unrelated.body, missing.body);
    app.provider("someone-else").child(&id).await.expect_problem(404);
    app.operator().child(&id).await.expect_problem(403);
    app.anonymous().child(&id).await.expect_problem(401);
}
