use crate::common::*;
use serde_json::json;

#[actix_rt::test]
async fn malformed_requests_get_problem_json_naming_the_field() {
    let app = TestApp::start().await;
    let la = app.la(HACKNEY);
    la.raw("POST", "/v1/children", "application/json", "{not json").await.expect_problem(400);
    let mut body = child_body("Ann", "Smith", "2012-01-01");
    body["favourite_colour"] = json!("blue");
    la.post("/v1/children", body).await.expect_field_error(400, "favourite_colour");
    let mut body = child_body("Ann", "Smith", "2012-01-01");
    body["date_of_birth"] = json!(20120101);
    la.post("/v1/children", body).await.expect_problem(400);
    let mut body = child_body("Ann", "Smith", "2012-01-01");
    body.as_object_mut().map(|o| o.remove("given_name"));
    la.post("/v1/children", body).await.expect_field_error(400, "given_name");
    la.raw("POST", "/v1/children", "text/plain", "hello").await.expect_problem(415);
    let big = format!("{{\"given_name\": \"{}\"}}", "x".repeat(100_000));
    la.raw("POST", "/v1/children", "application/json", &big).await.expect_problem(413);
}

#[actix_rt::test]
async fn unknown_routes_are_404_and_wrong_methods_405() {
    let app = TestApp::start().await;
    let la = app.la(HACKNEY);
    la.get("/v1/nothing-here").await.expect_problem(404);
    let r = la.send(reqwest::Method::DELETE, "/v1/children", None, &[]).await.expect_problem(405);
    assert_eq!(r.header("allow").as_deref(), Some("GET, POST"));
    la.send(reqwest::Method::PUT, "/v1/children/abc", None, &[]).await.expect_problem(405);
}

#[actix_rt::test]
async fn idempotency_key_returns_the_first_result_and_never_a_second_record() {
    let app = TestApp::start().await;
    let la = app.la(HACKNEY);
    let body = child_body("Ann", "Smith", "2012-01-01");
    let first = la.post_with("/v1/children", body.clone(), &[("idempotency-key", "k-1")]).await.expect(201);
    let again = la.post_with("/v1/children", body.clone(), &[("idempotency-key", "k-1")]).await.expect(201);
    assert_eq!(first.id(), again.id());
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    let list = la.get("/v1/children").await.expect(200);
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(1));
    // The same key for a different request is refused.
    la.post_with("/v1/children", child_body("Bob", "Jones", "2011-01-01"), &[("idempotency-key", "k-1")])
        .await
        .expect_field_error(422, "Idempotency-Key");
    // Keys are per caller: another LA may use the same key.
    app.la(LEEDS)
        .post_with("/v1/children", child_body("Cat", "Lee", "2010-01-01"), &[("idempotency-key", "k-1")])
        .await
        .expect(201);
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
        app.child(HACKNEY, g, f, "2012-03-04").await;
    }
    let la = app.la(HACKNEY);
    let mut seen = Vec::new();
    let mut path = "/v1/children?limit=2".to_string();
    loop {
        let r = la.get(&path).await.expect(200);
        for c in r.body["items"].as_array().expect("items") {
            seen.push(c["family_name"].as_str().expect("name").to_string());
        }
        match r.body["next_cursor"].as_str() {
            Some(c) => path = format!("/v1/children?limit=2&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, ["Adams", "Brown", "Clark", "Dunn", "Evans"]);
    la.get("/v1/children?limit=0").await.expect_field_error(400, "limit");
    la.get("/v1/children?limit=1000").await.expect_field_error(400, "limit");
    la.get("/v1/children?cursor=garbage!").await.expect_field_error(400, "cursor");
}
