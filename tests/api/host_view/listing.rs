use crate::support::*;

#[actix_web::test]
async fn the_host_view_is_for_the_host_only_and_follows_the_date() {
    let app = TestApp::start().await;
    let (pid, urn) = app.provider_with_home().await;
    let a = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    let b = app.child_of(MANCHESTER, a_child("Jayden", "Brooks").born("2010-01-30")).await;
    let c = app.child_of(HACKNEY, a_child("Kai", "Whitfield").born("2008-08-09")).await;
    app.la(HACKNEY).place(Placement::at(&a, &urn).from("2026-05-01")).await.expect(201);
    app.la(MANCHESTER).place(Placement::at(&b, &urn).from("2026-06-01")).await.expect(201);
    let ended = app.la(HACKNEY).place(Placement::foster(&c, LEEDS_POSTCODE).from("2026-01-01")).await.expect(201);
    app.la(HACKNEY).end_placement(&ended.id(), Ending::on("2026-04-01", "E4A")).await.expect(200);
    let leeds = app.la(LEEDS);
    assert_eq!(leeds.placed_children("").await.expect(200).count(), Some(2));
    let on = |date: &str| format!("on={date}");
    assert_eq!(leeds.placed_children(&on("2026-05-15")).await.expect(200).column("child_id"), vec![a.clone()]);
    assert_eq!(leeds.placed_children(&on("2026-03-31")).await.expect(200).column("child_id"), vec![c.clone()]);
    assert!(
        leeds.placed_children(&on("2026-04-01")).await.expect(200).column("child_id").is_empty(),
        "the end date is the day the child left"
    );
    let page = leeds.placed_children("limit=1").await.expect(200);
    let cursor = page.next_cursor().expect("a second page");
    let second = leeds.placed_children(&format!("limit=1&cursor={cursor}")).await.expect(200);
    assert_eq!(second.column("child_id"), vec![a.clone()]);
    assert!(second.body.get("next_cursor").is_none());
    // Only the host LA itself.
    let today = on("2026-06-15");
    app.la(HACKNEY).placed_children_in(LEEDS, &today).await.expect_problem(403);
    app.provider(&pid).placed_children_in(LEEDS, &today).await.expect_problem(403);
    app.operator().placed_children_in(LEEDS, &today).await.expect_problem(403);
    app.anonymous().placed_children_in(LEEDS, &today).await.expect_problem(401);
    app.la(LEEDS).placed_children_in("E99999999", "").await.expect_problem(404);
    leeds.placed_children(&on("yesterday")).await.expect_problem(400);
}
