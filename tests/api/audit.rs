use crate::common::*;
use diesel::RunQueryDsl;
use placement_registry::audit::{self, Verdict};
use serde_json::json;

/// Some activity: a child placed in Leeds, read by both LAs.
async fn activity(app: &TestApp) -> String {
    let (_, urn) = app.provider_with_home().await;
    let child = app.child(HACKNEY, "Amelia", "Hughes", "2011-05-14").await;
    app.la(HACKNEY).post("/v1/placements", setting_placement(&child, &urn, "2026-06-15")).await.expect(201);
    app.la(LEEDS).get(&format!("/v1/children/{child}")).await.expect(200);
    app.la(LEEDS).get(&format!("/v1/authorities/{LEEDS}/placed-children")).await.expect(200);
    app.la(HACKNEY).get(&format!("/v1/children/{child}")).await.expect(200);
    child
}

#[actix_rt::test]
async fn the_placing_la_sees_who_accessed_its_childs_record() {
    let app = TestApp::start().await;
    let child = activity(&app).await;
    let log = app.la(HACKNEY).get(&format!("/v1/children/{child}/access-log")).await.expect(200);
    let entries: Vec<(String, String)> = log.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| {
            (e["org"].as_str().unwrap_or_default().to_string(), e["action"].as_str().unwrap_or_default().to_string())
        })
        .collect();
    assert_eq!(
        entries,
        [
            (HACKNEY.to_string(), "child.read".to_string()),
            (LEEDS.to_string(), "host_view.read".to_string()),
            (LEEDS.to_string(), "child.read".to_string()),
            (HACKNEY.to_string(), "placement.create".to_string()),
            (HACKNEY.to_string(), "child.create".to_string()),
        ]
    );
    let first = &log.body["items"][4];
    assert_eq!(first["subject"], "test-user");
    assert!(first["request_id"].is_string());
    app.la(LEEDS).get(&format!("/v1/children/{child}/access-log")).await.expect_problem(403);
    app.la(KENT).get(&format!("/v1/children/{child}/access-log")).await.expect_problem(404);
    // A refused read of another LA's child is not an access.
    let again = app.la(HACKNEY).get(&format!("/v1/children/{child}/access-log?limit=200")).await.expect(200);
    assert_eq!(again.body["items"].as_array().map(Vec::len), Some(5));
}

/// A backlog of pending reads is chained in order over several transactions, intact.
#[actix_rt::test]
async fn pending_reads_are_chained_in_order_a_few_at_a_time() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let a = app.child(HACKNEY, "Amelia", "Hughes", "2011-05-14").await;
    let b = app.child(HACKNEY, "Ben", "Hughes", "2012-05-14").await;
    for c in [&a, &b] {
        app.la(HACKNEY).post("/v1/placements", setting_placement(c, &urn, "2026-06-15")).await.expect(201);
    }
    app.state.chain_audit().await.expect("chain");
    let before = match verdict(&app) {
        Verdict::Intact { events } => events,
        broken => panic!("{broken:?}"),
    };
    app.la(LEEDS).get(&format!("/v1/authorities/{LEEDS}/placed-children")).await.expect(200);
    for c in [&a, &b, &a] {
        app.la(LEEDS).get(&format!("/v1/children/{c}")).await.expect(200);
    }
    let mut conn = app.state.pool.get().expect("conn");
    assert_eq!(audit::chain_pending_in(&mut conn, 2).expect("chain"), 5, "pending read events, one per child");
    drop(conn);
    assert_eq!(verdict(&app), Verdict::Intact { events: before + 5 });
    let log = app.la(HACKNEY).get(&format!("/v1/children/{a}/access-log")).await.expect(200);
    let actions: Vec<&str> =
        log.body["items"].as_array().expect("items").iter().filter_map(|e| e["action"].as_str()).collect();
    assert_eq!(actions[..3], ["child.read", "child.read", "host_view.read"], "newest first");
}

fn verdict(app: &TestApp) -> Verdict {
    let mut conn = app.state.pool.get().expect("conn");
    audit::verify(&mut conn).expect("verify")
}

fn exec(app: &TestApp, sql: &str) {
    let mut conn = app.state.pool.get().expect("conn");
    diesel::sql_query(sql).execute(&mut conn).expect(sql);
}

async fn logged_app() -> TestApp {
    let app = TestApp::start().await;
    activity(&app).await;
    app.state.chain_audit().await.expect("chain");
    assert_eq!(verdict(&app), Verdict::Intact { events: 5 });
    app
}

#[actix_rt::test]
async fn an_edited_row_breaks_the_chain() {
    let app = logged_app().await;
    exec(&app, "UPDATE audit_events SET org = 'E10000016' WHERE seq = 3");
    assert!(matches!(verdict(&app), Verdict::Broken { seq: 3, .. }));
}

#[actix_rt::test]
async fn a_deleted_row_breaks_the_chain() {
    let app = logged_app().await;
    exec(&app, "DELETE FROM audit_events WHERE seq = 2");
    assert!(matches!(verdict(&app), Verdict::Broken { seq: 2, .. }));
    let app = logged_app().await;
    exec(&app, "DELETE FROM audit_events WHERE seq = 5");
    assert!(matches!(verdict(&app), Verdict::Broken { seq: 5, .. }), "a truncated tail is caught too");
}

#[actix_rt::test]
async fn an_inserted_row_breaks_the_chain() {
    let app = logged_app().await;
    exec(
        &app,
        "INSERT INTO audit_events (seq, at, subject, org_type, org, action, child_id, request_id, prev_hash, hash) \
         SELECT 6, at, subject, org_type, org, action, child_id, request_id, hash, hash FROM audit_events WHERE seq = 5",
    );
    assert!(matches!(verdict(&app), Verdict::Broken { seq: 6, .. }));
}

#[actix_rt::test]
async fn swapped_rows_break_the_chain() {
    let app = logged_app().await;
    exec(&app, "UPDATE audit_events SET seq = 100 WHERE seq = 2");
    exec(&app, "UPDATE audit_events SET seq = 2 WHERE seq = 3");
    exec(&app, "UPDATE audit_events SET seq = 3 WHERE seq = 100");
    assert!(matches!(verdict(&app), Verdict::Broken { seq: 2, .. }));
}

#[actix_rt::test]
async fn the_verify_command_reports_the_first_broken_link() {
    let app = logged_app().await;
    let url = app.state.config.database_url.clone();
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_placement-registry"))
            .args(["audit", "verify", "--database-url", &url])
            .output()
            .expect("run")
    };
    let ok = run();
    assert!(ok.status.success());
    assert!(String::from_utf8_lossy(&ok.stdout).contains("intact: 5 events"));
    exec(&app, "UPDATE audit_events SET action = 'nothing.to.see' WHERE seq = 4");
    let bad = run();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stdout).contains("broken at event 4"));
    let _ = json!({});
}
