use crate::support::*;
use serde_json::Value;

/// Leeds hosts: Adams (Hackney, repeat and currently missing), Brooks (Manchester, notified
/// late), Clark (Hackney, return interview overdue). Now: Monday 15 June 2026.
async fn leeds() -> (TestApp, String) {
    let app = TestApp::start_at(at("2026-03-30")).await;
    let (_, urn) = app.provider_with_home().await;
    let a = app.child_of(HACKNEY, a_child("Ann", "Adams").born("2011-01-01")).await;
    let b = app.child_of(MANCHESTER, a_child("Ben", "Brooks").born("2010-01-01")).await;
    let c = app.child_of(HACKNEY, a_child("Cal", "Clark").born("2009-01-01")).await;
    // Hackney gives notice before each start; Manchester registers ten days late.
    app.la(HACKNEY).place(Placement::at(&a, &urn).from("2026-04-01")).await.expect(201);
    app.set_time(at("2026-04-30"));
    app.la(HACKNEY).place(Placement::foster(&c, LEEDS_POSTCODE).from("2026-05-01")).await.expect(201);
    app.set_time(at("2026-06-15"));
    app.la(MANCHESTER).place(Placement::at(&b, &urn).from("2026-06-05")).await.expect(201);
    let hackney = app.la(HACKNEY);
    for episode in [
        Episode::missing(&a, "2026-04-10T20:00:00Z").until("2026-04-11T08:00:00Z"),
        Episode::missing(&a, "2026-05-10T20:00:00Z").until("2026-05-11T08:00:00Z"),
        Episode::missing(&a, "2026-06-14T22:00:00Z"),
        Episode::missing(&c, "2026-06-01T20:00:00Z").until("2026-06-02T08:00:00Z"),
    ] {
        hackney.report_missing(episode).await.expect(201);
    }
    // Leeds acknowledges the Hackney notifications but not Manchester's.
    let inbox = app.la(LEEDS).inbox("type=placement.started").await.expect(200);
    for n in inbox.items() {
        if n["sender_org"] == HACKNEY {
            app.la(LEEDS).acknowledge(n["id"].as_str().expect("id")).await.expect(200);
        }
    }
    (app, urn)
}

fn names(r: &Resp) -> Vec<String> {
    r.column("family_name")
}

fn item(r: &Resp, family_name: &str) -> Value {
    r.items().into_iter().find(|i| i["family_name"] == family_name).expect(family_name)
}

#[actix_web::test]
async fn the_host_view_carries_flags_and_filters_on_them() {
    let (app, urn) = leeds().await;
    let leeds = app.la(LEEDS);
    let all = leeds.placed_children("").await.expect(200);
    assert_eq!(names(&all), ["Brooks", "Clark", "Adams"], "newest placement first");
    let adams = item(&all, "Adams");
    assert_eq!(adams["episodes_last_90_days"], 3);
    assert_eq!(adams["currently_missing"], true);
    assert_eq!(adams["missing_since"], "2026-06-14T22:00:00Z");
    assert_eq!(adams["repeat_missing"], true);
    assert_eq!(adams["notification_late"], false);
    for (flag, expected) in [
        ("repeat_missing", vec!["Adams"]),
        ("currently_missing", vec!["Adams"]),
        ("return_interview_overdue", vec!["Adams", "Clark"]),
        ("notification_late", vec!["Brooks"]),
        ("notification_unacknowledged", vec!["Brooks"]),
    ] {
        let r = leeds.placed_children(&format!("flag={flag}&sort=family_name")).await.expect(200);
        assert_eq!(names(&r), expected, "{flag}");
    }
    assert_eq!(names(&leeds.placed_children(&format!("placing_la={MANCHESTER}")).await.expect(200)), ["Brooks"]);
    assert_eq!(
        names(&leeds.placed_children(&format!("urn={urn}&sort=family_name")).await.expect(200)),
        ["Adams", "Brooks"]
    );
    assert_eq!(names(&leeds.placed_children("sort=episodes&limit=1").await.expect(200)), ["Adams"]);
    let first = leeds.placed_children("sort=family_name&limit=2").await.expect(200);
    assert_eq!(names(&first), ["Adams", "Brooks"]);
    let cursor = first.next_cursor().expect("cursor");
    assert_eq!(
        names(&leeds.placed_children(&format!("sort=family_name&limit=2&cursor={cursor}")).await.expect(200)),
        ["Clark"]
    );
    // Clark's placement is to end next month (notice of a planned end): still listed today.
    let clark = item(&all, "Clark");
    app.la(HACKNEY)
        .end_placement(clark["placement_id"].as_str().expect("id"), Ending::on("2026-07-31", "E4A"))
        .await
        .expect(200);
    let all = leeds.placed_children("").await.expect(200);
    assert_eq!(names(&all), ["Brooks", "Clark", "Adams"]);
    // A page at a time in the default order, each child carries the same flags as in the whole list.
    let mut paged = Vec::new();
    let mut query = "limit=1".to_string();
    loop {
        let page = leeds.placed_children(&query).await.expect(200);
        paged.extend(page.items());
        let Some(cursor) = page.next_cursor() else { break };
        query = format!("limit=1&cursor={cursor}");
    }
    assert_eq!(paged, all.items());
    use base64::Engine as _;
    let forged = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r#"["yesterday","x"]"#);
    leeds.placed_children(&format!("cursor={forged}")).await.expect_field_error(400, "cursor");
    leeds.placed_children("flag=grumpy").await.expect_field_error(422, "flag");
    leeds.placed_children("sort=shoe_size").await.expect_field_error(422, "sort");
}

#[actix_web::test]
async fn the_host_downloads_every_placed_child_as_csv() {
    let (app, _) = leeds().await;
    let r = app
        .la(LEEDS)
        .get_accepting(&format!("/v1/authorities/{LEEDS}/placed-children?sort=family_name"), "text/csv")
        .await
        .expect(200);
    assert!(r.header("content-type").is_some_and(|c| c.starts_with("text/csv")));
    let mut lines = r.text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "child_id,given_name,family_name,date_of_birth,sex,placing_la,placing_la_name,placement_id,urn,setting_name,place,start_date,emergency,distance_miles,episodes_last_90_days,currently_missing,missing_since,repeat_missing,return_interview_overdue,notification_late,notification_unacknowledged"
        )
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 3);
    let adams: Vec<&str> = rows[0].split(',').collect();
    assert_eq!(&adams[1..7], ["Ann", "Adams", "2011-01-01", "F", HACKNEY, "Hackney"]);
    assert_eq!(&adams[14..21], ["3", "true", "2026-06-14T22:00:00+00:00", "true", "true", "false", "false"]);
    let flagged = app.la(LEEDS).placed_children("format=csv&flag=notification_late").await.expect(200);
    assert_eq!(flagged.text.lines().count(), 2);
    app.la(HACKNEY).placed_children_in(LEEDS, "format=csv").await.expect_problem(403);
}

#[actix_web::test]
async fn an_overdue_return_interview_stays_flagged_until_it_is_recorded() {
    let (app, _) = leeds().await;
    // A year after Clark came back (2 June 2026) the interview is still not recorded: still
    // overdue, in the host view and on the child, while Adams's episodes have left the repeat window.
    app.set_time(at("2027-06-15"));
    let leeds = app.la(LEEDS);
    let overdue = leeds.placed_children("flag=return_interview_overdue&sort=family_name").await.expect(200);
    assert_eq!(names(&overdue), ["Adams", "Clark"]);
    let clark = item(&overdue, "Clark");
    assert_eq!(clark["episodes_last_90_days"], 0);
    assert_eq!(names(&leeds.placed_children("flag=repeat_missing").await.expect(200)), Vec::<String>::new());
    let child_id = clark["child_id"].as_str().expect("id").to_string();
    let hackney = app.la(HACKNEY);
    assert_eq!(hackney.child(&child_id).await.expect(200).body["missing"]["return_interview_overdue"], true);
    // Recording it, a year late, clears the flag.
    let episodes = hackney.episodes(&format!("child_id={child_id}")).await.expect(200);
    let id = episodes.items()[0]["id"].as_str().expect("episode id").to_string();
    let episode = hackney.episode(&id).await.expect(200);
    assert_eq!(episode.body["flags"]["return_interview"]["status"], "overdue");
    let interview = serde_json::json!({"return_interview": {"offered_at": "2027-06-14T10:00:00Z",
        "offered_by": "Leeds RI service", "independent": true, "outcome": "accepted",
        "completed_at": "2027-06-14T11:00:00Z"}});
    hackney.update_episode(&id, interview, &episode.etag()).await.expect(200);
    assert_eq!(hackney.child(&child_id).await.expect(200).body["missing"]["return_interview_overdue"], false);
    let overdue = leeds.placed_children("flag=return_interview_overdue").await.expect(200);
    assert_eq!(names(&overdue), ["Adams"]);
    let all = leeds.placed_children("sort=family_name").await.expect(200);
    assert_eq!(item(&all, "Clark")["return_interview_overdue"], false);
}

/// A child's missing flags follow it into the placement after the one it went missing from,
/// and from a duplicate record into the record it is merged into. A flag filter reads the copy
/// of the child's state each open placement carries: these are the writes that must keep it.
#[actix_web::test]
async fn a_childs_flags_follow_it_into_its_next_placement_and_through_a_merge() {
    let app = TestApp::start_at(at("2026-03-30")).await;
    let (_, urn) = app.provider_with_home().await;
    let dee = app.child_of(HACKNEY, a_child("Dee", "Dunn").born("2012-01-01")).await;
    let eve = app.child_of(HACKNEY, a_child("Eve", "Ellis").born("2011-05-05")).await;
    let evie = app.child_of(HACKNEY, a_child("Evie", "Ellis").born("2011-05-05").distinct_from(&[&eve])).await;
    let dees_first = app.la(HACKNEY).place(Placement::at(&dee, &urn).from("2026-04-01")).await.expect(201).id();
    let evies = app.la(HACKNEY).place(Placement::at(&evie, &urn).from("2026-04-01")).await.expect(201).id();
    // Dee and Evie each go missing once and come back; neither return interview is recorded.
    app.set_time(at("2026-04-12"));
    for child in [&dee, &evie] {
        let episode = Episode::missing(child, "2026-04-10T20:00:00Z").until("2026-04-11T08:00:00Z");
        app.la(HACKNEY).report_missing(episode).await.expect(201);
    }
    // Both move to foster homes in Leeds on 1 May; Evie's move is recorded on her other record.
    app.set_time(at("2026-04-30"));
    for (placement, child) in [(&dees_first, &dee), (&evies, &eve)] {
        app.la(HACKNEY).end_placement(placement, Ending::on("2026-05-01", "E4A")).await.expect(200);
        app.la(HACKNEY).place(Placement::foster(child, LEEDS_POSTCODE).from("2026-05-01")).await.expect(201);
    }
    app.set_time(at("2026-06-15"));
    let leeds = app.la(LEEDS);
    let overdue = leeds.placed_children("flag=return_interview_overdue").await.expect(200);
    assert_eq!(names(&overdue), ["Dunn"], "Dee's flag came with her; Eve's record has no episode yet");
    assert_eq!(item(&overdue, "Dunn")["return_interview_overdue"], true);
    // Hackney finds that Evie and Eve are one girl and merges the records: her episode, and its
    // flag, are now the placed child's.
    app.la(HACKNEY)
        .post(&format!("/v1/children/{eve}/merge"), serde_json::json!({"duplicate_id": evie}))
        .await
        .expect(200);
    let mut overdue = names(&leeds.placed_children("flag=return_interview_overdue").await.expect(200));
    overdue.sort();
    assert_eq!(overdue, ["Dunn", "Ellis"]);
    assert_eq!(names(&leeds.placed_children("flag=currently_missing").await.expect(200)), Vec::<String>::new());
    // A page at a time, the flagged children are the same two, each once.
    let first = leeds.placed_children("flag=return_interview_overdue&limit=1").await.expect(200);
    let cursor = first.next_cursor().expect("a second page");
    let second =
        leeds.placed_children(&format!("flag=return_interview_overdue&limit=1&cursor={cursor}")).await.expect(200);
    assert_eq!(second.next_cursor(), None);
    let mut paged = [names(&first), names(&second)].concat();
    paged.sort();
    assert_eq!(paged, ["Dunn", "Ellis"]);
}
