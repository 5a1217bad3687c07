use crate::support::*;
use serde_json::json;

/// A token request to the OAuth endpoint, with HTTP Basic client credentials if given.
async fn token(app: &TestApp, form: &str, basic: Option<(&str, &str)>) -> Resp {
    app.anonymous().token_request(form, basic).await
}

#[actix_web::test]
async fn api_client_credentials_flow_and_revocation() {
    let app = TestApp::start().await;
    let op = app.operator();
    // Only the operator creates clients; the org must exist.
    app.la(HACKNEY)
        .create_api_client(json!({"name": "x", "org_type": "authority", "org": HACKNEY}))
        .await
        .expect_problem(403);
    op.create_api_client(json!({"name": "x", "org_type": "authority", "org": "E99999999"}))
        .await
        .expect_field_error(422, "org");
    op.create_api_client(json!({"name": "x", "org_type": "authority", "org": HACKNEY, "scope": "directory:write"}))
        .await
        .expect_field_error(422, "scope");
    let created = op
        .create_api_client(json!({"name": "Hackney CMS", "org_type": "authority", "org": HACKNEY,
                                  "scope": "children:read children:write"}))
        .await
        .expect(201);
    let id = created.body["client_id"].as_str().expect("id").to_string();
    let secret = created.body["client_secret"].as_str().expect("secret").to_string();
    // The secret is never listed again.
    let list = op.api_clients().await.expect(200);
    assert!(!list.text.contains(&secret));
    assert!(list.text.contains(&id));

    // Form credentials.
    let r = token(&app, &format!("grant_type=client_credentials&client_id={id}&client_secret={secret}"), None)
        .await
        .expect(200);
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["scope"], "children:read children:write");
    assert_eq!(r.header("cache-control").as_deref(), Some("no-store"));
    let access_token = r.body["access_token"].as_str().expect("token").to_string();
    app.bearer(&access_token).children("").await.expect(200);
    // The token carries only the client's scopes.
    app.bearer(&access_token).get("/v1/placements").await.expect_problem(403);

    // Basic credentials, narrowed scope.
    let basic = Some((id.as_str(), secret.as_str()));
    let r = token(&app, "grant_type=client_credentials&scope=children:read", basic).await.expect(200);
    assert_eq!(r.body["scope"], "children:read");
    // A scope the client was not granted.
    let r = token(&app, "grant_type=client_credentials&scope=placements:read", basic).await.expect_problem(400);
    assert_eq!(r.body["error"], "invalid_scope");
    // Wrong secret, unknown grant.
    let r = token(&app, "grant_type=client_credentials", Some((&id, "wrong"))).await.expect_problem(401);
    assert_eq!(r.body["error"], "invalid_client");
    let r = token(&app, "grant_type=password&username=a&password=b", None).await.expect_problem(400);
    assert_eq!(r.body["error"], "unsupported_grant_type");

    // Revoke: the secret and the token already issued stop working.
    op.revoke_api_client(&id).await.expect(200);
    token(&app, "grant_type=client_credentials", basic).await.expect_problem(401);
    app.bearer(&access_token).children("").await.expect_problem(401);
    op.revoke_api_client("nope").await.expect_problem(404);
}
