use crate::support::internals::execute_sql;
use crate::support::*;
use serde_json::json;

/// Hackney registered one child twice ("Ruby" and "Rubie", told they were different) and placed
/// each record once. Merged, one record holds both placements and both audit trails, the other
/// answers 301 naming it, and the SSDA903 header counts her once.
#[actix_web::test]
async fn two_records_of_one_la_merge_into_one() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let hackney = app.la(HACKNEY);
    let ruby = app
        .child_of(HACKNEY, a_child("Ruby", "Hughes").born("2014-07-03").la_child_id("R1").category_of_need("N1"))
        .await;
    let rubie = app
        .child_of(
            HACKNEY,
            a_child("Rubie", "Hughes")
                .born("2014-03-07")
                .la_child_id("R2")
                .category_of_need("N1")
                .distinct_from(&[&ruby]),
        )
        .await;
    let first = hackney.place(Placement::at(&rubie, &urn).from("2025-06-01")).await.expect(201).id();
    hackney.end_placement(&first, Ending::on("2025-09-01", "E4A")).await.expect(200);
    let second = hackney.place(Placement::at(&ruby, &urn).from("2025-09-01")).await.expect(201).id();
    let header = |r: Resp| r.text.lines().count() - 1;
    assert_eq!(header(hackney.ssda903("2026", "header.csv").await.expect(200)), 2);

    let m = hackney.post(&format!("/v1/children/{ruby}/merge"), json!({"duplicate_id": rubie})).await.expect(200);
    assert_eq!((m.body["status"].as_str(), m.body["merged_id"].as_str()), (Some("completed"), Some(rubie.as_str())));

    // The merged record points to the one kept.
    let r = hackney.child(&rubie).await.expect_problem(301);
    assert_eq!(r.body["type"], "urn:placement-registry:problem:child-merged");
    assert_eq!(r.body["merged_into"], json!(ruby));
    assert_eq!(r.header("location"), Some(format!("/v1/children/{ruby}")));
    // Everything follows: both placements, the audit trail of both records, one export row.
    let placements = hackney.placements_of(&ruby).await.expect(200);
    let ids: Vec<_> = placements.items().iter().map(|p| p["id"].as_str().unwrap_or("").to_string()).collect();
    assert!(ids.contains(&first) && ids.contains(&second), "{ids:?}");
    let log = hackney.access_log(&ruby, "limit=200").await.expect(200);
    let creates = log.items().into_iter().filter(|e| e["action"] == "child.create").count();
    assert_eq!(creates, 2, "both records' creation is in the kept record's log");
    assert!(log.items().iter().any(|e| e["action"] == "child.merge"));
    assert_eq!(header(hackney.ssda903("2026", "header.csv").await.expect(200)), 1);
    let told = app.la(LEEDS).inbox("type=placement.started").await.expect(200);
    assert_eq!(told.items().len(), 2);
    assert!(
        told.items().iter().all(|n| n["child_id"] == json!(ruby)),
        "the host's notifications follow: {}",
        told.text
    );
    let listed = hackney.children("").await.expect(200);
    assert_eq!(listed.items().len(), 1, "{}", listed.text);
    let inbox = hackney.inbox("type=child.merged").await.expect(200);
    assert_eq!(inbox.items()[0]["payload"]["survivor_id"], json!(ruby));
    let timeline = hackney.timeline(&ruby).await.expect(200);
    let merged = timeline.body.as_array().expect("events").iter().find(|e| e["kind"] == "record.merged").cloned();
    assert_eq!(merged.map(|e| e["detail"]["merged_id"].clone()), Some(json!(rubie)), "{}", timeline.text);
    hackney.timeline(&rubie).await.expect_problem(301);
    // A registration of her again warns of the kept record only.
    let dup = hackney.register_child(a_child("Ruby", "Hughes").born("2014-07-03")).await.expect_problem(409);
    assert_eq!(dup.body["candidates"].as_array().map(Vec::len), Some(1));
    assert_eq!(dup.body["candidates"][0]["id"], json!(ruby));
}

/// Two LAs each hold a record of one child: one asks, the other confirms, and only then are they
/// merged. Asking reveals nothing: a record that does not exist gets the same answer.
#[actix_web::test]
async fn records_of_two_las_merge_when_the_other_la_confirms() {
    let app = TestApp::start().await;
    let (hackney, leeds, kent) = (app.la(HACKNEY), app.la(LEEDS), app.la(KENT));
    let mine = app.child_of(HACKNEY, a_child("Sean", "Byrne").born("2010-11-02")).await;
    let theirs = app.child_of(LEEDS, a_child("Shaun", "Byrne").born("2010-11-02")).await;

    let asked = hackney.post(&format!("/v1/children/{mine}/merge"), json!({"duplicate_id": theirs})).await.expect(202);
    assert_eq!(asked.body["status"], "requested");
    let unknown = hackney
        .post(&format!("/v1/children/{mine}/merge"), json!({"duplicate_id": "0194f7e2-0000-7000-8000-000000000000"}))
        .await
        .expect(202);
    let keys = |r: &Resp| r.body.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>());
    assert_eq!(keys(&asked), keys(&unknown), "the same answer whether the record exists or not");
    leeds.child(&theirs).await.expect(200);

    // Leeds is told and confirms; nobody else may.
    let inbox = leeds.inbox("type=child.merged").await.expect(200);
    assert_eq!(inbox.items().len(), 1);
    let merge_id = inbox.items()[0]["payload"]["merge_id"].as_str().expect("merge id").to_string();
    assert_eq!(inbox.items()[0]["payload"]["status"], "requested");
    kent.post(&format!("/v1/child-merges/{merge_id}/confirm"), json!({})).await.expect_problem(404);
    hackney.post(&format!("/v1/child-merges/{merge_id}/confirm"), json!({})).await.expect_problem(404);
    let done = leeds.post(&format!("/v1/child-merges/{merge_id}/confirm"), json!({})).await.expect(200);
    assert_eq!(done.body["status"], "completed");
    leeds.post(&format!("/v1/child-merges/{merge_id}/confirm"), json!({})).await.expect_problem(404);

    let r = leeds.child(&theirs).await.expect_problem(301);
    assert_eq!(r.body["merged_into"], json!(mine));
    assert_eq!(hackney.child(&mine).await.expect(200).body["responsible_la"], HACKNEY);
    for la in [&hackney, &leeds] {
        let n = la.inbox("type=child.merged").await.expect(200);
        assert!(
            n.items()
                .iter()
                .any(|x| x["payload"]["merged_id"] == json!(theirs) && x["payload"].get("status").is_none()),
            "{}",
            n.text
        );
    }
    let log = hackney.access_log(&mine, "").await.expect(200);
    assert!(log.items().iter().any(|e| e["action"] == "child.merge" && e["org"] == LEEDS));
}

#[actix_web::test]
async fn a_merge_needs_the_responsible_la_and_records_held_here() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let a = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    let b = app.child_of(HACKNEY, a_child("Amelia", "Hughs").born("2011-05-14").distinct_from(&[&a])).await;
    app.la(HACKNEY).place(Placement::at(&a, &urn).from("2026-06-01")).await.expect(201);
    let body = json!({"duplicate_id": b});
    app.la(LEEDS).post(&format!("/v1/children/{a}/merge"), body.clone()).await.expect_problem(403);
    app.la(KENT).post(&format!("/v1/children/{a}/merge"), body.clone()).await.expect_problem(404);
    app.la(HACKNEY)
        .post(&format!("/v1/children/{a}/merge"), json!({"duplicate_id": a}))
        .await
        .expect_field_error(422, "duplicate_id");
    execute_sql(&app, &format!("UPDATE children SET origin_node = 'south' WHERE id = '{b}'"));
    let r = app.la(HACKNEY).post(&format!("/v1/children/{a}/merge"), body).await.expect_problem(409);
    assert_eq!(r.body["type"], "urn:placement-registry:problem:held-by-another-node");
    app.la(HACKNEY).child(&b).await.expect(200);
}
