use crate::common::*;
use placement_registry::auth::OrgType;

#[actix_rt::test]
async fn https_with_tls_1_2_and_1_3_and_hsts() {
    let dir = tempfile::tempdir().expect("tmp");
    let certified = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("cert");
    let cert_pem = certified.cert.pem();
    let cert = dir.path().join("cert.pem");
    let key = dir.path().join("key.pem");
    std::fs::write(&cert, &cert_pem).expect("write cert");
    std::fs::write(&key, certified.signing_key.serialize_pem()).expect("write key");
    let (c, k) = (cert.clone(), key.clone());
    let app = TestApp::start_with(default_now(), move |config| {
        config.tls_cert = Some(c);
        config.tls_key = Some(k);
    })
    .await;
    let tls = placement_registry::tls::server_config(&cert, &key).expect("tls config");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let state = app.state.clone();
    let server = actix_web::HttpServer::new(move || placement_registry::app::build(state.clone()))
        .workers(1)
        .disable_signals()
        .listen_rustls_0_23(listener, tls)
        .expect("listen")
        .run();
    let handle = server.handle();
    actix_rt::spawn(server);
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
    handle.stop(false).await;
}

#[actix_rt::test]
async fn each_client_is_rate_limited_with_retry_after() {
    let app = TestApp::start_with(default_now(), |c| c.rate_limit_per_minute = 3).await;
    let la = app.la(HACKNEY);
    for _ in 0..3 {
        la.get("/v1/children").await.expect(200);
    }
    let r = la.get("/v1/children").await.expect_problem(429);
    assert_eq!(r.header("retry-after").as_deref(), Some("20"));
    // Another client is not affected.
    app.la(LEEDS).get("/v1/children").await.expect(200);
    app.clock.advance(chrono::TimeDelta::seconds(20));
    app.actor(Some(app.token(OrgType::Authority, HACKNEY))).get("/v1/children").await.expect(200);
}

#[actix_rt::test]
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
    let open = TestApp::start_with(default_now(), |c| c.cors_origins = vec!["https://portal.example".into()]).await;
    let r = preflight(&open, "https://portal.example").await.expect("sent");
    assert_eq!(
        r.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()),
        Some("https://portal.example")
    );
    let r = preflight(&open, "https://evil.example").await.expect("sent");
    assert!(r.headers().get("access-control-allow-origin").is_none());
}
