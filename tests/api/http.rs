//! HTTP conventions every endpoint follows: problem+json errors naming the field, 404 and 405,
//! idempotency keys, health and docs, pagination.

use crate::support::*;
use reqwest::Method;

#[actix_rt::test]
async fn malformed_requests_get_problem_json_naming_the_field() {
    let app = TestApp::start().await;
    let la = app.la(HACKNEY);
    la.raw("POST", "/v1/children", "application/json", "{not json").await.expect_problem(400);
    let ann = || a_child("Ann", "Smith").born("2012-01-01");
    la.register_child(ann().with("favourite_colour", "blue")).await.expect_field_error(400, "favourite_colour");
    la.register_child(ann().with("date_of_birth", 20120101)).await.expect_problem(400);
    la.register_child(ann().without("given_name")).await.expect_field_error(400, "given_name");
    la.raw("POST", "/v1/children", "text/plain", "hello").await.expect_problem(415);
    let big = format!("{{\"given_name\": \"{}\"}}", "x".repeat(100_000));
    la.raw("POST", "/v1/children", "application/json", &big).await.expect_problem(413);
}

#[actix_rt::test]
async fn unknown_routes_are_404_and_wrong_methods_405() {
    let app = TestApp::start().await;
    let la = app.la(HACKNEY);
    la.get("/v1/nothing-here").await.expect_problem(404);
    let r = la.delete("/v1/children").await.expect_problem(405);
    assert_eq!(r.header("allow").as_deref(), Some("GET, POST"));
    la.send(Method::PUT, "/v1/children/abc", None, &[]).await.expect_problem(405);
}

#[actix_rt::test]
async fn idempotency_key_returns_the_first_result_and_never_a_second_record() {
    let app = TestApp::start().await;
    let la = app.la(HACKNEY);
    let key = [("idempotency-key", "k-1")];
    let ann = a_child("Ann", "Smith").born("2012-01-01");
    let first = la.post_with("/v1/children", ann.clone(), &key).await.expect(201);
    let again = la.post_with("/v1/children", ann, &key).await.expect(201);
    assert_eq!(first.id(), again.id());
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    assert_eq!(la.children("").await.expect(200).count(), Some(1));
    // The same key for a different request is refused.
    la.post_with("/v1/children", a_child("Bob", "Jones").born("2011-01-01"), &key)
        .await
        .expect_field_error(422, "Idempotency-Key");
    // Keys are per caller: another LA may use the same key.
    app.la(LEEDS).post_with("/v1/children", a_child("Cat", "Lee").born("2010-01-01"), &key).await.expect(201);
}

#[actix_rt::test]
async fn health_docs_request_ids_and_headers() {
    let app = TestApp::start().await;
    let h = app.anonymous().get("/healthz").await.expect(200);
    assert_eq!(h.body["status"], "ok");
    assert!(h.header("x-request-id").is_some());
    assert_eq!(h.header("x-content-type-options").as_deref(), Some("nosniff"));
    let docs = app.anonymous().get("/docs/").await.expect(200);
    assert!(docs.text.contains("swagger"), "Swagger UI served locally");
    let redirect = app.anonymous().get("/docs").await;
    assert!(redirect.status == 307 || redirect.status == 308 || redirect.status == 302, "{}", redirect.status);
    let spec = app.anonymous().get("/openapi.json").await.expect(200);
    assert!(spec.body["paths"]["/v1/children"].is_object());
}

#[actix_rt::test]
async fn pagination_walks_every_item_once_and_caps_the_limit() {
    let app = TestApp::start().await;
    for (g, f) in [("Ann", "Adams"), ("Ben", "Brown"), ("Cal", "Clark"), ("Dee", "Dunn"), ("Eve", "Evans")] {
        app.child_of(HACKNEY, a_child(g, f).born("2012-03-04")).await;
    }
    let la = app.la(HACKNEY);
    let mut seen = Vec::new();
    let mut query = "limit=2".to_string();
    loop {
        let r = la.children(&query).await.expect(200);
        for c in r.body["items"].as_array().expect("items") {
            seen.push(c["family_name"].as_str().expect("name").to_string());
        }
        match r.next_cursor() {
            Some(c) => query = format!("limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, ["Adams", "Brown", "Clark", "Dunn", "Evans"]);
    la.children("limit=0").await.expect_field_error(400, "limit");
    la.children("limit=1000").await.expect_field_error(400, "limit");
    la.children("cursor=garbage!").await.expect_field_error(400, "cursor");
}
