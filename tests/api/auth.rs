use crate::common::*;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use placement_registry::auth::OrgType;
use placement_registry::auth::keys::SigningKey;
use placement_registry::auth::tokens::{Grant, TokenService};
use serde_json::json;

#[actix_rt::test]
async fn no_token_is_401_problem_with_challenge() {
    let app = TestApp::start().await;
    let r = app.anonymous().get("/v1/children").await.expect_problem(401);
    assert!(r.header("www-authenticate").is_some_and(|h| h.starts_with("Bearer")));
    app.actor(Some("not-a-jwt".into())).get("/v1/children").await.expect_problem(401);
}

#[actix_rt::test]
async fn expired_token_is_refused_but_small_skew_is_tolerated() {
    let app = TestApp::start().await;
    let scopes: Vec<String> = OrgType::Authority.allowed_scopes().iter().map(|s| s.to_string()).collect();
    let expired = app.token_with(OrgType::Authority, HACKNEY, &scopes, -120);
    let r = app.actor(Some(expired)).get("/v1/children").await.expect_problem(401);
    assert!(r.body["detail"].as_str().unwrap_or_default().contains("expired"));
    let just = app.token_with(OrgType::Authority, HACKNEY, &scopes, -10);
    app.actor(Some(just)).get("/v1/children").await.expect(200);
}

#[actix_rt::test]
async fn tokens_from_another_issuer_audience_or_key_are_refused() {
    let app = TestApp::start().await;
    let mut conn = app.state.pool.get().expect("conn");
    let key = SigningKey::load_or_create(&mut conn, app.state.now()).expect("key");
    let scopes: Vec<String> = vec!["children:read".into()];
    let grant =
        Grant { sub: "x", org_type: OrgType::Authority, org: HACKNEY, scopes: &scopes, client_id: None, ttl_secs: 600 };
    let now = default_now();
    for svc in [
        TokenService::new(&key, "someone-else", "placement-registry-api"),
        TokenService::new(&key, "placement-registry", "another-api"),
        TokenService::new(&SigningKey::generate().expect("key"), "placement-registry", "placement-registry-api"),
    ] {
        let token = svc.issue(&grant, now).expect("token");
        app.actor(Some(token)).get("/v1/children").await.expect_problem(401);
    }
    // The genuine one works.
    let ok = TokenService::new(&key, "placement-registry", "placement-registry-api").issue(&grant, now).expect("token");
    app.actor(Some(ok.clone())).get("/v1/children").await.expect(200);
    // alg none with the same claims.
    let claims = ok.split('.').nth(1).expect("claims");
    let none = format!("{}.{}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#), claims);
    app.actor(Some(none)).get("/v1/children").await.expect_problem(401);
    // Tampered claims.
    let mut parts: Vec<String> = ok.split('.').map(str::to_string).collect();
    let mut c: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).expect("b64")).expect("json");
    c["org"] = json!(LEEDS);
    parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&c).expect("json"));
    app.actor(Some(parts.join("."))).get("/v1/children").await.expect_problem(401);
}

#[actix_rt::test]
async fn scopes_and_roles_are_checked_per_endpoint() {
    let app = TestApp::start().await;
    let read_only = app.token_with(OrgType::Authority, HACKNEY, &["children:read".to_string()], 600);
    let r = app
        .actor(Some(read_only))
        .post("/v1/children", child_body("Ann", "Smith", "2012-01-01"))
        .await
        .expect_problem(403);
    assert!(r.body["detail"].as_str().unwrap_or_default().contains("children:write"));
    app.provider("p1").post("/v1/children", child_body("Ann", "Smith", "2012-01-01")).await.expect_problem(403);
    app.operator().post("/v1/children", child_body("Ann", "Smith", "2012-01-01")).await.expect_problem(403);
    app.la(HACKNEY).post("/v1/providers", json!({"name": "X"})).await.expect_problem(403);
}

async fn form(app: &TestApp, body: &str, basic: Option<(&str, &str)>) -> Resp {
    let mut rb = app
        .client
        .post(format!("{}/v1/oauth/token", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_string());
    if let Some((u, p)) = basic {
        rb = rb.basic_auth(u, Some(p));
    }
    let res = rb.send().await.expect("sent");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap_or_default();
    Resp { status, headers, body: serde_json::from_str(&text).unwrap_or_default(), text }
}

#[actix_rt::test]
async fn api_client_credentials_flow_and_revocation() {
    let app = TestApp::start().await;
    let op = app.operator();
    // Only the operator creates clients; the org must exist.
    app.la(HACKNEY)
        .post("/v1/api-clients", json!({"name": "x", "org_type": "authority", "org": HACKNEY}))
        .await
        .expect_problem(403);
    op.post("/v1/api-clients", json!({"name": "x", "org_type": "authority", "org": "E99999999"}))
        .await
        .expect_field_error(422, "org");
    op.post(
        "/v1/api-clients",
        json!({"name": "x", "org_type": "authority", "org": HACKNEY, "scope": "directory:write"}),
    )
    .await
    .expect_field_error(422, "scope");
    let created = op
        .post("/v1/api-clients", json!({"name": "Hackney CMS", "org_type": "authority", "org": HACKNEY, "scope": "children:read children:write"}))
        .await
        .expect(201);
    let id = created.body["client_id"].as_str().expect("id").to_string();
    let secret = created.body["client_secret"].as_str().expect("secret").to_string();
    // The secret is never listed again.
    let list = op.get("/v1/api-clients").await.expect(200);
    assert!(!list.text.contains(&secret));
    assert!(list.text.contains(&id));

    // Form credentials.
    let r = form(&app, &format!("grant_type=client_credentials&client_id={id}&client_secret={secret}"), None)
        .await
        .expect(200);
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["scope"], "children:read children:write");
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let token = r.body["access_token"].as_str().expect("token").to_string();
    app.actor(Some(token.clone())).get("/v1/children").await.expect(200);
    // The token carries only the client's scopes.
    app.actor(Some(token.clone())).get("/v1/placements").await.expect_problem(403);

    // Basic credentials, narrowed scope.
    let r = form(&app, "grant_type=client_credentials&scope=children:read", Some((&id, &secret))).await.expect(200);
    assert_eq!(r.body["scope"], "children:read");
    // A scope the client was not granted.
    let r = form(&app, "grant_type=client_credentials&scope=placements:read", Some((&id, &secret)))
        .await
        .expect_problem(400);
    assert_eq!(r.body["error"], "invalid_scope");
    // Wrong secret, unknown grant.
    let r = form(&app, "grant_type=client_credentials", Some((&id, "wrong"))).await.expect_problem(401);
    assert_eq!(r.body["error"], "invalid_client");
    let r = form(&app, "grant_type=password&username=a&password=b", None).await.expect_problem(400);
    assert_eq!(r.body["error"], "unsupported_grant_type");

    // Revoke: the secret and the token already issued stop working.
    op.post(&format!("/v1/api-clients/{id}/revoke"), json!({})).await.expect(200);
    form(&app, "grant_type=client_credentials", Some((&id, &secret))).await.expect_problem(401);
    app.actor(Some(token)).get("/v1/children").await.expect_problem(401);
    op.post("/v1/api-clients/nope/revoke", json!({})).await.expect_problem(404);
}

#[actix_rt::test]
async fn jwks_publishes_the_signing_key() {
    let app = TestApp::start().await;
    let r = app.anonymous().get("/.well-known/jwks.json").await.expect(200);
    assert_eq!(r.body["keys"][0]["alg"], "EdDSA");
    assert_eq!(r.body["keys"][0]["crv"], "Ed25519");
}

#[actix_rt::test]
async fn the_token_command_prints_a_token_the_server_accepts() {
    let app = TestApp::start().await;
    let url = app.state.config.database_url.clone();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_placement-registry"))
        .args(["token", "--org-type", "authority", "--org", HACKNEY, "--database-url", &url])
        .output()
        .expect("run token command");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).expect("utf8").trim().to_string();
    // Issued with the real clock; move the test clock there.
    app.clock.set(chrono::Utc::now());
    app.actor(Some(token)).get("/v1/children").await.expect(200);
}
