//! Transport and abuse protection: HTTPS with HSTS, per-client rate limits, CORS.

use crate::support::internals::serve_tls;
use crate::support::*;

#[actix_web::test]
async fn https_with_tls_1_2_and_1_3_and_hsts() {
    let dir = crate::support::tempdir::tempdir().expect("tmp");
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("cert");
    let cert_pem = certified.cert.pem();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, &cert_pem).expect("write cert");
    std::fs::write(&key, certified.signing_key.serialize_pem()).expect("write key");
    let app = TestApp::configure().tls(cert.clone(), key.clone()).start().await;
    let https = serve_tls(&app, &cert, &key);
    let port = https.port;
    let root = reqwest::Certificate::from_pem(cert_pem.as_bytes()).expect("pem");
    for max in [reqwest::tls::Version::TLS_1_3, reqwest::tls::Version::TLS_1_2] {
        let client =
            reqwest::Client::builder().tls_certs_only([root.clone()]).max_tls_version(max).build().expect("client");
        let r = client.get(format!("https://localhost:{port}/healthz")).send().await.expect("https request");
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(
            r.headers().get("strict-transport-security").and_then(|v| v.to_str().ok()),
            Some("max-age=31536000; includeSubDomains")
        );
    }
    // Plain HTTP to the TLS port gets no HTTP answer.
    let plain = reqwest::Client::new().get(format!("http://127.0.0.1:{port}/healthz")).send().await;
    assert!(plain.is_err() || plain.is_ok_and(|r| r.status().as_u16() != 200));
    // Without TLS there is no HSTS.
    let h = TestApp::start().await.anonymous().get("/healthz").await.expect(200);
    assert!(h.header("strict-transport-security").is_none());
    drop(https);
}

#[actix_web::test]
async fn each_client_is_rate_limited_with_retry_after() {
    let app = TestApp::configure().rate_limit_per_minute(3).start().await;
    let la = app.la(HACKNEY);
    for _ in 0..3 {
        la.children("").await.expect(200);
    }
    let r = la.children("").await.expect_problem(429);
    assert_eq!(r.header("retry-after").as_deref(), Some("20"));
    // Another client is not affected.
    app.la(LEEDS).children("").await.expect(200);
    app.advance(chrono::TimeDelta::seconds(20));
    app.la(HACKNEY).children("").await.expect(200);
}

#[actix_web::test]
async fn cors_is_closed_unless_configured() {
    let preflight = |app: &TestApp, origin: &str| {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/v1/children", app.base))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .send()
    };
    let closed = TestApp::start().await;
    let r = preflight(&closed, "https://portal.example").await.expect("sent");
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let open = TestApp::configure().cors_origin("https://portal.example").start().await;
    let r = preflight(&open, "https://portal.example").await.expect("sent");
    assert_eq!(
        r.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()),
        Some("https://portal.example")
    );
    let r = preflight(&open, "https://evil.example").await.expect("sent");
    assert!(r.headers().get("access-control-allow-origin").is_none());
}
