//! The access log: every read and write of a child's record is chained into a tamper-evident
//! audit trail that the placing LA can read and the `audit verify` command checks.

use crate::support::internals::{
    Verdict, audit_checkpoint, chain_audit, chain_audit_in_batches, execute_sql, query_texts, read_journal,
    recompute_audit_chain_without_key, verify_audit_chain, verify_audit_chain_with,
};
use crate::support::*;

/// Some activity: a child placed in Leeds, read by both LAs.
async fn activity(app: &TestApp) -> String {
    let (_, urn) = app.provider_with_home().await;
    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    app.la(HACKNEY).place(Placement::at(&child, &urn).from("2026-06-15")).await.expect(201);
    app.la(LEEDS).child(&child).await.expect(200);
    app.la(LEEDS).placed_children("").await.expect(200);
    app.la(HACKNEY).child(&child).await.expect(200);
    child
}

#[actix_web::test]
async fn the_placing_la_sees_who_accessed_its_childs_record() {
    let app = TestApp::start().await;
    let child = activity(&app).await;
    let log = app.la(HACKNEY).access_log(&child, "").await.expect(200);
    let entries: Vec<(String, String)> = log.column("org").into_iter().zip(log.column("action")).collect();
    assert_eq!(
        entries,
        [
            (HACKNEY, "child.read"),
            (LEEDS, "host_view.read"),
            (LEEDS, "child.read"),
            (HACKNEY, "placement.create"),
            (HACKNEY, "child.create"),
        ]
        .map(|(org, action)| (org.to_string(), action.to_string()))
    );
    let first = &log.body["items"][4];
    assert_eq!(first["subject"], "test-user");
    assert!(first["request_id"].is_string());
    app.la(LEEDS).access_log(&child, "").await.expect_problem(403);
    app.la(KENT).access_log(&child, "").await.expect_problem(404);
    // A refused read of another LA's child is not an access.
    assert_eq!(app.la(HACKNEY).access_log(&child, "limit=200").await.expect(200).count(), Some(5));
}

/// Amelia and Ben, both placed by Hackney in Leeds, with every event so far chained: their ids,
/// and how many events the chain, intact, holds.
async fn two_children_placed_in_leeds(app: &TestApp) -> (String, String, i64) {
    let (_, urn) = app.provider_with_home().await;
    let a = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    let b = app.child_of(HACKNEY, a_child("Ben", "Hughes").born("2012-05-14")).await;
    for c in [&a, &b] {
        app.la(HACKNEY).place(Placement::at(c, &urn).from("2026-06-15")).await.expect(201);
    }
    chain_audit(app).await;
    match verify_audit_chain(app) {
        Verdict::Intact { events } => (a, b, events),
        broken => panic!("{broken:?}"),
    }
}

/// A backlog of pending events is chained in order over several transactions, intact.
#[actix_web::test]
async fn pending_events_are_chained_in_order_a_few_at_a_time() {
    let app = TestApp::start().await;
    let (a, b, before) = two_children_placed_in_leeds(&app).await;
    app.la(LEEDS).placed_children("").await.expect(200);
    for c in [&a, &b, &a] {
        app.la(LEEDS).child(c).await.expect(200);
    }
    assert_eq!(chain_audit_in_batches(&app, 2), 4, "pending read events: the page's, and one per child read");
    assert_eq!(verify_audit_chain(&app), Verdict::Intact { events: before + 4 });
    let log = app.la(HACKNEY).access_log(&a, "").await.expect(200);
    assert_eq!(log.column("action")[..3], ["child.read", "child.read", "host_view.read"], "newest first");
}

/// A page of the host view is one event naming its children, which each child's access log
/// lists. The list is part of the event's hash, and `audit verify` checks the rows the access
/// logs are read from against the events: a read hidden from a child's log is found.
#[actix_web::test]
async fn a_page_is_one_event_that_each_childs_access_log_lists() {
    let app = TestApp::start().await;
    let (a, b, before) = two_children_placed_in_leeds(&app).await;
    app.la(LEEDS).placed_children("").await.expect(200);
    chain_audit(&app).await;
    let page = before + 1;
    assert_eq!(verify_audit_chain(&app), Verdict::Intact { events: page }, "one event for the page");
    for c in [&a, &b] {
        let log = app.la(HACKNEY).access_log(c, "").await.expect(200);
        assert_eq!((log.column("org")[0].as_str(), log.column("action")[0].as_str()), (LEEDS, "host_view.read"));
    }
    // Deleting the row Ben's access log finds the page by hides the read from it: verify finds it.
    execute_sql(&app, &format!("DELETE FROM audit_event_children WHERE child_id = '{b}' AND seq = {page}"));
    assert_eq!(app.la(HACKNEY).access_log(&b, "").await.expect(200).column("action")[0], "placement.create");
    assert!(matches!(verify_audit_chain(&app), Verdict::Broken { seq, .. } if seq == page));
    execute_sql(&app, &format!("INSERT INTO audit_event_children (child_id, seq) VALUES ('{b}', {page})"));
    assert_eq!(verify_audit_chain(&app), Verdict::Intact { events: page });
    // A row naming an event that is not in the log is found too.
    execute_sql(&app, &format!("INSERT INTO audit_event_children (child_id, seq) VALUES ('{a}', {})", page + 7));
    assert!(matches!(verify_audit_chain(&app), Verdict::Broken { seq, .. } if seq == page + 7));
    execute_sql(&app, &format!("DELETE FROM audit_event_children WHERE seq = {}", page + 7));
    // Taking Ben off the page's own list breaks its hash.
    execute_sql(&app, &format!("UPDATE audit_events SET child_ids = '{a}' WHERE seq = {page}"));
    assert!(matches!(verify_audit_chain(&app), Verdict::Broken { seq, .. } if seq == page));
}

/// Two records of one child, both placed in Leeds, shown on one page of its host view, then
/// merged: the kept record's access log lists that read once, and paging through the log one
/// entry at a time gives the same entries as one long page.
#[actix_web::test]
async fn a_page_showing_two_records_later_merged_is_one_entry_of_the_kept_log() {
    let app = TestApp::start().await;
    let (_, urn) = app.provider_with_home().await;
    let hackney = app.la(HACKNEY);
    let ruby = app.child_of(HACKNEY, a_child("Ruby", "Hughes").born("2014-07-03").la_child_id("R1")).await;
    let rubie = app
        .child_of(HACKNEY, a_child("Rubie", "Hughes").born("2014-03-07").la_child_id("R2").distinct_from(&[&ruby]))
        .await;
    for c in [&ruby, &rubie] {
        hackney.place(Placement::at(c, &urn).from("2026-06-15")).await.expect(201);
    }
    assert_eq!(app.la(LEEDS).placed_children("").await.expect(200).items().len(), 2);
    hackney.post(&format!("/v1/children/{ruby}/merge"), serde_json::json!({"duplicate_id": rubie})).await.expect(200);
    let whole = hackney.access_log(&ruby, "limit=200").await.expect(200);
    let seqs = |log: &Resp| log.items().iter().map(|e| e["seq"].as_i64().unwrap_or(0)).collect::<Vec<_>>();
    let actions = whole.column("action");
    assert_eq!(actions.iter().filter(|a| *a == "host_view.read").count(), 1, "{actions:?}");
    let mut paged = Vec::new();
    let mut query = "limit=1".to_string();
    loop {
        let page = hackney.access_log(&ruby, &query).await.expect(200);
        paged.extend(seqs(&page));
        match page.next_cursor() {
            Some(cursor) => query = format!("limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(paged, seqs(&whole));
}

async fn logged_app() -> TestApp {
    let app = TestApp::start().await;
    activity(&app).await;
    chain_audit(&app).await;
    assert_eq!(verify_audit_chain(&app), Verdict::Intact { events: 5 });
    app
}

#[actix_web::test]
async fn an_edited_row_breaks_the_chain() {
    let app = logged_app().await;
    execute_sql(&app, "UPDATE audit_events SET org = 'E10000016' WHERE seq = 3");
    assert!(matches!(verify_audit_chain(&app), Verdict::Broken { seq: 3, .. }));
}

#[actix_web::test]
async fn a_deleted_row_breaks_the_chain() {
    let app = logged_app().await;
    execute_sql(&app, "DELETE FROM audit_events WHERE seq = 2");
    assert!(matches!(verify_audit_chain(&app), Verdict::Broken { seq: 2, .. }));
    let app = logged_app().await;
    execute_sql(&app, "DELETE FROM audit_events WHERE seq = 5");
    assert!(matches!(verify_audit_chain(&app), Verdict::Broken { seq: 5, .. }), "a truncated tail is caught too");
}

#[actix_web::test]
async fn an_inserted_row_breaks_the_chain() {
    let app = logged_app().await;
    execute_sql(
        &app,
        "INSERT INTO audit_events (seq, at, subject, org_type, org, action, child_id, request_id, prev_hash, hash) \
         SELECT 6, at, subject, org_type, org, action, child_id, request_id, hash, hash FROM audit_events WHERE seq = 5",
    );
    assert!(matches!(verify_audit_chain(&app), Verdict::Broken { seq: 6, .. }));
}

#[actix_web::test]
async fn swapped_rows_break_the_chain() {
    let app = logged_app().await;
    execute_sql(&app, "UPDATE audit_events SET seq = 100 WHERE seq = 2");
    execute_sql(&app, "UPDATE audit_events SET seq = 2 WHERE seq = 3");
    execute_sql(&app, "UPDATE audit_events SET seq = 3 WHERE seq = 100");
    assert!(matches!(verify_audit_chain(&app), Verdict::Broken { seq: 2, .. }));
}

#[actix_web::test]
async fn the_verify_command_reports_the_first_broken_link() {
    let app = logged_app().await;
    let url = app.database_url();
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_placement-registry"))
            .args(["audit", "verify", "--database-url", &url])
            .output()
            .expect("run")
    };
    let ok = run();
    assert!(ok.status.success());
    assert!(String::from_utf8_lossy(&ok.stdout).contains("intact: 5 events"));
    execute_sql(&app, "UPDATE audit_events SET action = 'nothing.to.see' WHERE seq = 4");
    let bad = run();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stdout).contains("broken at event 4"));
}

/// Someone who can write to the database but does not hold the secrets key edits an event and
/// recomputes every later link the way an unkeyed chain would be computed: still caught.
#[actix_web::test]
async fn a_rewritten_chain_without_the_key_is_caught() {
    let app = logged_app().await;
    execute_sql(&app, "UPDATE audit_events SET org = 'E10000016' WHERE seq = 3");
    recompute_audit_chain_without_key(&app);
    assert!(matches!(verify_audit_chain(&app), Verdict::Broken { seq: 1, .. }), "every keyed link fails");
}

/// A log cut short with its head rewound to match looks whole on its own; a signed checkpoint
/// kept apart from the database shows what was lost.
#[actix_web::test]
async fn a_truncated_log_with_a_rewound_head_fails_against_a_checkpoint() {
    let app = logged_app().await;
    let checkpoint = audit_checkpoint(&app).await.expect("a checkpoint of event 5");
    assert_eq!(audit_checkpoint(&app).await, None, "no new checkpoint while the head stands still");
    assert_eq!(verify_audit_chain_with(&app, std::slice::from_ref(&checkpoint)), Verdict::Intact { events: 5 });
    execute_sql(&app, "DELETE FROM audit_events WHERE seq > 3");
    execute_sql(&app, "DELETE FROM audit_event_children WHERE seq > 3");
    execute_sql(&app, "DELETE FROM audit_checkpoints");
    execute_sql(&app, "UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_events WHERE seq = 3)");
    assert_eq!(verify_audit_chain(&app), Verdict::Intact { events: 3 }, "alone, the shortened log is consistent");
    assert!(matches!(verify_audit_chain_with(&app, &[checkpoint]), Verdict::Broken { seq: 5, .. }));
}

/// `audit checkpoints` prints signed checkpoints to keep apart; `audit verify --checkpoints`
/// checks the log against them.
#[actix_web::test]
async fn the_verify_command_checks_exported_checkpoints() {
    let app = logged_app().await;
    let url = app.database_url();
    let exported = std::process::Command::new(env!("CARGO_BIN_EXE_placement-registry"))
        .args(["audit", "checkpoints", "--database-url", &url])
        .output()
        .expect("run");
    assert!(exported.status.success(), "{}", String::from_utf8_lossy(&exported.stderr));
    let dir = crate::support::tempdir::tempdir().expect("tmp");
    let file = dir.path().join("checkpoints.jws");
    std::fs::write(&file, &exported.stdout).expect("keep them");
    assert_eq!(String::from_utf8_lossy(&exported.stdout).lines().count(), 1);
    let verify = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_placement-registry"))
            .args(["audit", "verify", "--database-url", &url, "--checkpoints", &file.display().to_string()])
            .output()
            .expect("run")
    };
    assert!(verify().status.success());
    execute_sql(&app, "DELETE FROM audit_events WHERE seq > 4");
    execute_sql(&app, "DELETE FROM audit_event_children WHERE seq > 4");
    execute_sql(&app, "DELETE FROM audit_checkpoints");
    execute_sql(&app, "UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit_events WHERE seq = 4)");
    let bad = verify();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stdout).contains("truncated"), "{}", String::from_utf8_lossy(&bad.stdout));
}

/// On SQLite, reads wait to be chained in a journal beside the database. The chain keeps how far
/// it has taken the journal: a row up to there that is still in the journal (its deletion lost
/// in a crash) is not chained twice, and a row after it is chained. (PostgreSQL has no journal:
/// its reads wait in `audit_pending`, as the tests above check.)
#[actix_web::test]
async fn the_read_journal_is_chained_once() {
    use diesel::RunQueryDsl;
    let app = TestApp::start().await;
    let Some(mut journal) = read_journal(&app) else { return };
    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    for _ in 0..3 {
        app.la(HACKNEY).child(&child).await.expect(200);
    }
    chain_audit(&app).await;
    let reads = |log: &Resp| log.column("action").into_iter().filter(|a| a == "child.read").count();
    assert_eq!(reads(&app.la(HACKNEY).access_log(&child, "limit=200").await.expect(200)), 3);
    let mark: i64 =
        query_texts(&app, "SELECT CAST(journal_seq AS TEXT) AS text FROM audit_head")[0].parse().expect("a number");
    assert!(mark >= 3, "the chain took the journal's reads: {mark}");
    let row = |seq: i64| {
        format!(
            "({seq}, 'journal-{seq}', '2026-06-15 10:00:00', 'test-user', 'authority', '{HACKNEY}', 'child.read', \
             '{child}', 'req-{seq}')"
        )
    };
    diesel::sql_query(format!(
        "INSERT OR REPLACE INTO reads (seq, id, at, subject, org_type, org, action, child_id, request_id) VALUES {}, {}",
        row(mark),
        row(mark + 1)
    ))
    .execute(&mut journal)
    .expect("journal rows");
    chain_audit(&app).await;
    let log = app.la(HACKNEY).access_log(&child, "limit=200").await.expect(200);
    assert_eq!(reads(&log), 4, "the row after the mark chained, the one up to it not again");
    assert_eq!(log.body["items"][0]["request_id"], format!("req-{}", mark + 1));
    assert!(matches!(verify_audit_chain(&app), Verdict::Intact { .. }));
    // A journal older than the database (restored from a backup) numbers its rows after the
    // chain's mark again when it is opened, so that no new read is skipped as chained.
    let numbered = |journal: &mut diesel::SqliteConnection| -> i64 {
        diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "(SELECT seq FROM sqlite_sequence WHERE name = 'reads')",
        ))
        .get_result(journal)
        .expect("the journal's numbering")
    };
    diesel::sql_query("UPDATE sqlite_sequence SET seq = 1 WHERE name = 'reads'").execute(&mut journal).expect("rewind");
    assert_eq!(numbered(&mut journal), 1);
    let mut conn = placement_registry::db::connect(&app.database_url()).expect("connect");
    placement_registry::audit::journal::open(&mut conn).expect("open the journal");
    assert_eq!(numbered(&mut journal), mark + 1, "numbered after the chain's mark");
}
