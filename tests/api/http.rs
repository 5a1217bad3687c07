//! HTTP conventions every endpoint follows: problem+json errors naming the field, 404 and 405,
//! idempotency keys, health and docs, pagination.

use crate::support::*;
use reqwest::Method;

#[actix_web::test]
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

/// `If-Match` carries the ETag read: a value that is no entity tag at all (empty, unquoted) is a
/// malformed request naming the header; a tag of another version is a failed precondition.
#[actix_web::test]
async fn if_match_that_is_not_an_entity_tag_is_refused_naming_it() {
    let app = TestApp::start().await;
    let la = app.la(HACKNEY);
    let child = app.child_of(HACKNEY, a_child("Ann", "Smith").born("2012-01-01")).await;
    let path = format!("/v1/children/{child}");
    let change = || serde_json::json!({"given_name": "Anne"});
    for bad in ["", "1", "W/1", "\""] {
        let r = la.send(Method::PATCH, &path, Some(change()), &[("if-match", bad)]).await;
        r.expect_field_error(422, "If-Match");
    }
    la.send(Method::PATCH, &path, Some(change()), &[("if-match", "\"7\"")]).await.expect_problem(412);
    la.send(Method::PATCH, &path, Some(change()), &[("if-match", "W/\"1\"")]).await.expect(200);
}

#[actix_web::test]
async fn unknown_routes_are_404_and_wrong_methods_405() {
    let app = TestApp::start().await;
    let la = app.la(HACKNEY);
    la.get("/v1/nothing-here").await.expect_problem(404);
    let r = la.delete("/v1/children").await.expect_problem(405);
    assert_eq!(r.header("allow").as_deref(), Some("GET, POST"));
    la.send(Method::PUT, "/v1/children/abc", None, &[]).await.expect_problem(405);
}

#[actix_web::test]
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

#[actix_web::test]
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

#[actix_web::test]
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

/// Every query parameter the OpenAPI document gives a closed list of values refuses any other
/// value with 422, naming the parameter and the values it takes: on every endpoint, found from
/// the document itself, so a new filter cannot forget it.
#[actix_web::test]
async fn every_enum_query_parameter_refuses_other_values_naming_them() {
    let app = TestApp::start().await;
    let doc: serde_json::Value =
        serde_json::from_str(&crate::support::internals::openapi_json()).expect("the OpenAPI document");
    let schemas = &doc["components"]["schemas"];
    let enum_of = |schema: &serde_json::Value| -> Option<Vec<String>> {
        let resolved = match schema["$ref"].as_str() {
            Some(r) => &schemas[r.rsplit('/').next().unwrap_or_default()],
            None => schema,
        };
        let list = resolved["enum"]
            .as_array()
            .or_else(|| resolved["oneOf"].as_array()?.iter().find_map(|s| s["enum"].as_array()))?;
        Some(list.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
    };
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().expect("paths") {
        let Some(op) = item.get("get") else { continue };
        for p in op["parameters"].as_array().into_iter().flatten().filter(|p| p["in"] == "query") {
            let Some(allowed) = enum_of(&p["schema"]) else { continue };
            let name = p["name"].as_str().expect("name");
            let url = path
                .replace("{code}", LEEDS)
                .replace("{urn}", "SC480011")
                .replace("{period}", "2026-Q1")
                .replace("{id}", "0f8f5c1e-1f2a-4b3c-8d4e-5f6a7b8c9d0e");
            let r = app.la(LEEDS).get(&format!("{url}?{name}=bogus")).await.expect_field_error(422, name);
            let message = r.body["errors"][0]["message"].as_str().unwrap_or_default().to_string();
            for value in &allowed {
                assert!(message.contains(value.as_str()), "{path} {name}: `{value}` not named in {message}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} enum parameters found");
}

/// A malformed value names the parameter and says what is expected; a date alone is accepted
/// where an instant is, as the start of that day in England.
#[actix_web::test]
async fn query_values_are_explained_when_refused() {
    let app = TestApp::start().await;
    let la = app.la(LEEDS);
    let r = la.get("/v1/notifications?since=yesterday").await.expect_field_error(400, "since");
    assert!(r.text.contains("RFC 3339") && r.text.contains("yesterday"), "{}", r.text);
    la.get("/v1/notifications?since=2026-11-01").await.expect(200);
    let r =
        la.get(&format!("/v1/authorities/{LEEDS}/placed-children?on=2026-13-01")).await.expect_field_error(400, "on");
    assert!(r.text.contains("YYYY-MM-DD"), "{}", r.text);
    let r = la.get("/v1/notifications?colour=red").await.expect_field_error(400, "colour");
    assert!(r.text.contains("acknowledged"), "the parameters it takes are listed: {}", r.text);
}

/// HEAD answers as GET does, headers only, for the API and the docs.
#[actix_web::test]
async fn head_is_answered_like_get() {
    let app = TestApp::start().await;
    let docs = app.anonymous().send(Method::HEAD, "/docs/", None, &[]).await.expect(200);
    assert!(docs.text.is_empty());
    let children = app.la(HACKNEY).send(Method::HEAD, "/v1/children", None, &[]).await.expect(200);
    assert_eq!(children.header("content-type").as_deref(), Some("application/json"));
    app.la(KENT).send(Method::HEAD, "/v1/children/0f8f5c1e-1f2a-4b3c-8d4e-5f6a7b8c9d0e", None, &[]).await.expect(404);
}

/// The docs page is told where the API's document is, and the document is served there.
#[actix_web::test]
async fn the_docs_page_loads_the_api_document() {
    let app = TestApp::start().await;
    let init = app.anonymous().get("/docs/swagger-initializer.js").await.expect(200);
    assert!(init.text.contains("\"url\": \"/openapi.json\""), "{}", init.text);
    assert!(init.text.contains("\"tryItOutEnabled\": true"));
    assert!(init.text.contains("\"validatorUrl\": \"none\""), "no outside validator is called");
    let doc = app.anonymous().get("/openapi.json").await.expect(200);
    assert_eq!(doc.body["info"]["title"], "Placement registry");
}
