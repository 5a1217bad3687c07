use crate::support::internals::RegistryKey;
use crate::support::*;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::json;

#[actix_web::test]
async fn no_token_is_401_problem_with_challenge() {
    let app = TestApp::start().await;
    let r = app.anonymous().children("").await.expect_problem(401);
    assert!(r.header("www-authenticate").is_some_and(|h| h.starts_with("Bearer")));
    app.bearer("not-a-jwt").children("").await.expect_problem(401);
}

#[actix_web::test]
async fn expired_token_is_refused_but_small_skew_is_tolerated() {
    let app = TestApp::start().await;
    let r = app.la_with_token_lifetime(HACKNEY, -120).children("").await.expect_problem(401);
    assert!(r.body["detail"].as_str().unwrap_or_default().contains("expired"));
    app.la_with_token_lifetime(HACKNEY, -10).children("").await.expect(200);
}

#[actix_web::test]
async fn tokens_from_another_issuer_audience_or_key_are_refused() {
    let app = TestApp::start().await;
    let key = RegistryKey::of(&app);
    let scopes = ["children:read"];
    for token in [
        key.issue("someone-else", "placement-registry-api", HACKNEY, &scopes, &app),
        key.issue("placement-registry", "another-api", HACKNEY, &scopes, &app),
        RegistryKey::fresh().issue("placement-registry", "placement-registry-api", HACKNEY, &scopes, &app),
    ] {
        app.bearer(&token).children("").await.expect_problem(401);
    }
    // The genuine one works.
    let ok = key.issue("placement-registry", "placement-registry-api", HACKNEY, &scopes, &app);
    app.bearer(&ok).children("").await.expect(200);
    // alg none with the same claims.
    let claims = ok.split('.').nth(1).expect("claims");
    let none = format!("{}.{}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#), claims);
    app.bearer(&none).children("").await.expect_problem(401);
    // Tampered claims.
    let mut parts: Vec<String> = ok.split('.').map(str::to_string).collect();
    let mut c: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).expect("b64")).expect("json");
    c["org"] = json!(LEEDS);
    parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&c).expect("json"));
    app.bearer(&parts.join(".")).children("").await.expect_problem(401);
}

#[actix_web::test]
async fn scopes_and_roles_are_checked_per_endpoint() {
    let app = TestApp::start().await;
    let ann = || a_child("Ann", "Smith").born("2012-01-01");
    let r = app.la_scoped(HACKNEY, &["children:read"]).register_child(ann()).await.expect_problem(403);
    assert!(r.body["detail"].as_str().unwrap_or_default().contains("children:write"));
    app.provider("p1").register_child(ann()).await.expect_problem(403);
    app.operator().register_child(ann()).await.expect_problem(403);
    app.la(HACKNEY).create_provider("X").await.expect_problem(403);
}

#[actix_web::test]
async fn jwks_publishes_the_signing_key() {
    let app = TestApp::start().await;
    let r = app.anonymous().get("/.well-known/jwks.json").await.expect(200);
    assert_eq!(r.body["keys"][0]["alg"], "EdDSA");
    assert_eq!(r.body["keys"][0]["crv"], "Ed25519");
}

#[actix_web::test]
async fn the_token_command_prints_a_token_the_server_accepts() {
    let app = TestApp::start().await;
    let url = app.database_url();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_placement-registry"))
        .args(["token", "--org-type", "authority", "--org", HACKNEY, "--database-url", &url])
        .output()
        .expect("run token command");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout).expect("utf8").trim().to_string();
    // Issued with the real clock; move the test clock there.
    app.set_time(chrono::Utc::now());
    app.bearer(&token).children("").await.expect(200);
}
