//! Snapshots of what each party gets back: a child as its placing LA and as a host LA see it, a
//! placement, the host view, a notification, a missing episode, a quarterly return's summary,
//! and the three kinds of problem (422, 409, 404). Kept in `tests/api/snapshots/`; ids (random
//! UUIDs) and bookkeeping times are redacted, dates and clocks that are the behaviour are kept.

use crate::support::*;

#[actix_web::test]
async fn a_placed_child_as_each_party_sees_it() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let amelia =
        a_child("Amelia", "Hughes").born("2011-05-14").la_child_id("HK1001").nhs("9434765919").upn("A123456789012");
    let child = app.child_of(HACKNEY, amelia.category_of_need("N1")).await;
    let placement = app.la(HACKNEY).place(Placement::at(&child, &urn).from("2026-06-10")).await.expect(201);
    snapshot!("placement", placement.body, {
        ".id" => "[placement id]",
        ".child_id" => "[child id]",
        ".created_at" => "[time]",
        ".updated_at" => "[time]",
    });
    snapshot!("child_as_placing_la", app.la(HACKNEY).child(&child).await.expect(200).body, {
        ".id" => "[child id]",
        ".created_at" => "[time]",
        ".updated_at" => "[time]",
    });
    snapshot!("child_as_host_la", app.la(LEEDS).child(&child).await.expect(200).body, {
        ".id" => "[child id]",
        ".created_at" => "[time]",
        ".updated_at" => "[time]",
    });
    snapshot!("host_view", app.la(LEEDS).placed_children("").await.expect(200).body, {
        ".items[].child_id" => "[child id]",
        ".items[].placement_id" => "[placement id]",
    });
    snapshot!("inbox_notification", app.la(LEEDS).inbox("").await.expect(200).items()[0].clone(), {
        ".id" => "[notification id]",
        ".created_at" => "[time]",
        ".child_id" => "[child id]",
        ".placement_id" => "[placement id]",
        ".payload.child_id" => "[child id]",
        ".payload.placement_id" => "[placement id]",
    });
}

#[actix_web::test]
async fn a_missing_episode_as_the_home_reports_it() {
    let app = TestApp::start().await;
    let (provider, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    app.la(HACKNEY).place(Placement::at(&child, &urn).from("2026-06-01")).await.expect(201);
    app.set_time(instant("2026-06-14T23:20:00Z"));
    let episode = Episode::missing(&child, "2026-06-14T23:10:00Z")
        .reported_to_police("2026-06-14T23:15:00Z", "WY-2026-1234")
        .risks(&["criminal_exploitation", "substance_misuse"]);
    let r = app.provider(&provider).report_missing(episode).await.expect(201);
    snapshot!("missing_episode", r.body, {
        ".id" => "[episode id]",
        ".child_id" => "[child id]",
        ".placement_id" => "[placement id]",
        ".recorded_by_org" => "[provider id]",
        ".created_at" => "[time]",
        ".updated_at" => "[time]",
    });
}

#[actix_web::test]
async fn a_quarterly_return_and_its_summary() {
    let app = TestApp::start_at(at("2026-10-05")).await;
    let (provider, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    app.la(HACKNEY).place(Placement::at(&child, &urn).from("2026-06-01")).await.expect(201);
    let home = app.provider(&provider);
    home.report_missing(Episode::missing(&child, "2026-07-10T22:00:00Z").until("2026-07-11T02:00:00Z"))
        .await
        .expect(201);
    home.report_missing(Episode::away(&child, "2026-08-03T18:00:00Z").until("2026-08-03T21:00:00Z")).await.expect(201);
    let rows = vec![
        ReturnRow::new(&child, "M", "2026-07-10T22:05:00Z")
            .until("2026-07-11T02:00:00Z")
            .with("found_where", "friends")
            .into(),
        ReturnRow::new(&child, "M", "2026-08-20T21:00:00Z").until("2026-08-21T01:00:00Z").into(),
    ];
    let r = home.submit_return(&urn, "2026-Q3", return_of(rows)).await.expect(201);
    snapshot!("quarterly_return", r.body, {
        ".id" => "[return id]",
        ".submitted_at" => "[time]",
        ".**.episode_id" => "[episode id]",
        ".**.child_id" => "[child id]",
    });
}

#[actix_web::test]
async fn problems_share_one_shape() {
    let app = TestApp::start().await;
    let bad = a_child("Amelia", "Hughes").born("2011-05-14").sex("X").home("ZZ9 9ZZ");
    let invalid = app.la(HACKNEY).register_child(bad).await.expect_problem(422);
    snapshot!("problem_422_validation", invalid.body, {".instance" => "[request]", ".request_id" => "[request id]"});
    let first = a_child("Amelia", "Hughes").born("2011-05-14").nhs("9434765919");
    app.la(HACKNEY).register_child(first).await.expect(201);
    let again = a_child("Millie", "Hewes").born("2011-06-01").nhs("9434765919");
    let conflict = app.la(HACKNEY).register_child(again).await.expect_problem(409);
    snapshot!("problem_409_conflict", conflict.body, {
        ".existing_id" => "[child id]",
        ".instance" => "[request]",
        ".request_id" => "[request id]",
    });
    let missing = app.la(KENT).child("00000000-0000-4000-8000-000000000000").await.expect_problem(404);
    snapshot!("problem_404_not_found", missing.body, {".instance" => "[request]", ".request_id" => "[request id]"});
}
