use crate::support::internals::encode_cursor;
use crate::support::*;

#[actix_web::test]
async fn who_may_call_each_report() {
    let app = TestApp::start().await;
    let paths = [
        "/v1/reports/placing?period=2026-Q2",
        "/v1/reports/host?period=2026-Q2",
        "/v1/reports/provider?period=2026-Q2",
        "/v1/reports/placing/records?period=2026-Q2&figure=episodes",
        "/v1/reports/host/records?period=2026-Q2&figure=episodes",
        "/v1/reports/provider/records?period=2026-Q2&figure=episodes",
    ];
    let no_reports: Vec<&str> = authority_scopes().into_iter().filter(|s| *s != "reports:read").collect();
    let la_without_scope = app.la_scoped(HACKNEY, &no_reports);
    let provider_without_scope = app.provider_scoped("p1", &["returns:read"]);
    for path in paths {
        app.anonymous().get(path).await.expect_problem(401);
        app.operator().get(path).await.expect_problem(403);
        let for_provider = path.starts_with("/v1/reports/provider");
        let (allowed, refused, unscoped) = if for_provider {
            (app.provider("p1"), app.la(HACKNEY), &provider_without_scope)
        } else {
            (app.la(HACKNEY), app.provider("p1"), &la_without_scope)
        };
        allowed.get(path).await.expect(200);
        refused.get(path).await.expect_problem(403);
        unscoped.get(path).await.expect_problem(403);
        // There is no way to name another organisation.
        allowed.get(&format!("{path}&org={KENT}")).await.expect_problem(400);
        allowed.get(&format!("{path}&organisation={KENT}")).await.expect_problem(400);
    }
}

#[actix_web::test]
async fn bad_queries_name_the_field() {
    let app = TestApp::start().await;
    let la = app.la(HACKNEY);
    for (query, field) in [
        ("", "period"),
        ("period=2026-Q5", "period"),
        ("period=2026Q1", "period"),
        ("period=Q1-2026", "period"),
        ("year=26", "year"),
        ("year=2026-27", "year"),
        ("period=2026-Q1&year=2026", "year"),
    ] {
        la.get(&format!("/v1/reports/placing?{query}")).await.expect_field_error(400, field);
        la.report_records("host", &format!("{query}&figure=episodes")).await.expect_field_error(400, field);
    }
    // An unknown format is a value outside the allowed ones: 422 naming them.
    la.get("/v1/reports/placing?period=2026-Q1&format=xml").await.expect_field_error(422, "format");
    let records = "/v1/reports/placing/records?period=2026-Q2";
    la.get(records).await.expect_field_error(400, "figure");
    // A figure that is not one of the report's is a value outside the allowed ones: 422.
    la.get(&format!("{records}&figure=nonsense")).await.expect_field_error(422, "figure");
    // A figure of another role's report.
    la.get(&format!("{records}&figure=returns_missing")).await.expect_field_error(422, "figure");
    app.provider("p1")
        .report_records("provider", "period=2026-Q2&figure=notifications")
        .await
        .expect_field_error(422, "figure");
    la.get(&format!("{records}&figure=episodes&limit=0")).await.expect_field_error(400, "limit");
    la.get(&format!("{records}&figure=episodes&limit=201")).await.expect_field_error(400, "limit");
    la.get(&format!("{records}&figure=episodes&cursor=nonsense")).await.expect_field_error(400, "cursor");
    // A cursor of one kind of record is no cursor for another.
    let other = encode_cursor(&["2026-05-01", "x"]);
    la.get(&format!("{records}&figure=episodes&cursor={other}")).await.expect_field_error(400, "cursor");
    la.get(&format!("{records}&figure=children_with_repeat_episodes&cursor={other}"))
        .await
        .expect_field_error(400, "cursor");
    let nul = encode_cursor(&["2026-05-01T00:00:00Z", "\u{0}"]);
    la.get(&format!("{records}&figure=episodes&cursor={nul}")).await.expect_field_error(400, "cursor");
}
