use crate::support::*;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

#[actix_web::test]
async fn webhooks_registration_checks_its_input_and_shows_the_secret_once() {
    let app = TestApp::start().await;
    let leeds = app.la(LEEDS);
    let body = |url: &str, types: Value| json!({"url": url, "event_types": types});
    let ok_types = json!(["placement.started"]);
    for bad in [
        "not a url",
        "/relative/path",
        "http://example.com/hooks",
        "http://10.0.0.8/hooks",
        "ftp://example.com/hooks",
        "https://user:secret@example.com/hooks",
    ] {
        leeds.post("/v1/webhooks", body(bad, ok_types.clone())).await.expect_field_error(422, "url");
    }
    let r = leeds
        .post("/v1/webhooks", body("https://example.com/h", json!(["placement.started", "placement.exploded"])))
        .await
        .expect_field_error(422, "event_types[1]");
    assert!(r.text.contains("placement.ended"), "the message lists the known types: {}", r.text);
    leeds.post("/v1/webhooks", body("https://example.com/h", json!([]))).await.expect_field_error(422, "event_types");
    leeds
        .post("/v1/webhooks", json!({"url": "https://example.com/h", "event_types": ["*"], "secret": "mine"}))
        .await
        .expect_field_error(400, "secret");
    app.anonymous().post("/v1/webhooks", body("https://example.com/h", ok_types.clone())).await.expect_problem(401);
    app.operator().post("/v1/webhooks", body("https://example.com/h", ok_types.clone())).await.expect_problem(403);
    let read_only = app.la_scoped(LEEDS, &["notifications:read"]);
    read_only.post("/v1/webhooks", body("https://example.com/h", ok_types.clone())).await.expect_problem(403);

    let created = leeds
        .post("/v1/webhooks", body("http://127.0.0.1:9/hooks", json!(["placement.ended", "placement.started"])))
        .await
        .expect(201);
    let id = created.id();
    assert_eq!(created.header("location"), Some(format!("/v1/webhooks/{id}")));
    assert_eq!(created.body["authority"], LEEDS);
    assert_eq!(created.body["url"], "http://127.0.0.1:9/hooks");
    assert_eq!(created.body["event_types"], json!(["placement.started", "placement.ended"]));
    let secret = created.body["secret"].as_str().expect("secret").to_string();
    let key = STANDARD.decode(secret.strip_prefix("whsec_").expect("whsec_ prefix")).expect("base64");
    assert_eq!(key.len(), 32);
    let all = leeds.post("/v1/webhooks", body("https://example.com/h", json!(["*", "placement.started"]))).await;
    assert_eq!(all.expect(201).body["event_types"], json!(["*"]));

    let one = read_only.webhook(&id).await.expect(200);
    assert_eq!(one.body["id"], json!(id));
    let list = read_only.webhooks().await.expect(200);
    assert_eq!(list.body["items"].as_array().map(Vec::len), Some(2));
    for text in [&one.text, &list.text] {
        assert!(!text.contains(&secret) && !text.contains("\"secret\""), "secret shown again: {text}");
    }

    let kent = app.la(KENT);
    kent.webhook(&id).await.expect_problem(404);
    kent.deliveries(&id, "").await.expect_problem(404);
    kent.delete_webhook(&id).await.expect_problem(404);
    assert_eq!(kent.webhooks().await.expect(200).body["items"], json!([]));
    leeds.webhook("no-such-id").await.expect_problem(404);

    leeds.delete_webhook(&id).await.expect(204);
    // A deleted endpoint is gone: not readable, not listed; deleting again is harmless.
    leeds.webhook(&id).await.expect_problem(404);
    assert!(!leeds.webhooks().await.expect(200).text.contains(&id));
    leeds.delete_webhook(&id).await.expect(204);
}
