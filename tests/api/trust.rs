//! What must hold even for someone holding a copy of the database, probing from outside, or
//! giving the registry addresses to call: secrets at rest, durable reads, outbound calls only
//! where they belong, limits before authentication, neutral spreadsheets, strict tokens.

use crate::support::internals::{RegistryKey, cached_issuers, execute_sql, query_texts, read_journal, unchained_reads};
use crate::support::*;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use diesel::RunQueryDsl;
use serde_json::json;

/// A dump of the tables yields no signing key and no webhook secret: both are sealed with a key
/// that is not in the database, and the sealed text is no key at all.
#[actix_web::test]
async fn a_copy_of_the_database_holds_no_usable_secret() {
    let app = TestApp::start().await;
    let created = app.la(LEEDS).register_webhook("http://127.0.0.1:9/hooks", &["*"]).await.expect(201);
    let secret = created.body["secret"].as_str().expect("secret shown once").to_string();
    let stored = query_texts(&app, "SELECT secret AS text FROM webhook_endpoints");
    assert_eq!(stored.len(), 1);
    assert!(stored[0].starts_with("v1."), "sealed: {}", stored[0]);
    assert!(!stored[0].contains(&secret) && !stored[0].contains(&secret["whsec_".len()..]));
    let keys = query_texts(&app, "SELECT private_key AS text FROM signing_keys");
    assert!(!keys.is_empty());
    for k in &keys {
        assert!(k.starts_with("v1."), "sealed: {k}");
        let raw = STANDARD.decode(&k[3..]).expect("base64");
        assert!(
            aws_lc_rs::signature::Ed25519KeyPair::from_pkcs8(&raw).is_err(),
            "the stored bytes are not a usable private key"
        );
    }
    // The registry itself still signs and verifies with them.
    app.la(HACKNEY).children("").await.expect(200);
}

/// A token must name a key the registry has: without `kid`, or with an unknown one, it is refused.
#[actix_web::test]
async fn tokens_must_name_a_known_key() {
    let app = TestApp::start().await;
    let key = RegistryKey::of(&app);
    let good = key.issue("placement-registry", "placement-registry-api", HACKNEY, &["children:read"], &app);
    app.bearer(&good).children("").await.expect(200);
    let (header, rest) = good.split_once('.').expect("jwt");
    for header_json in
        [r#"{"alg":"EdDSA","typ":"JWT"}"#.to_string(), r#"{"alg":"EdDSA","typ":"JWT","kid":"no-such-kid"}"#.to_string()]
    {
        let _ = header;
        let forged = format!("{}.{rest}", URL_SAFE_NO_PAD.encode(header_json));
        let r = app.bearer(&forged).children("").await.expect_problem(401);
        assert!(r.text.contains("key id"), "{}", r.text);
    }
}

/// A token naming an organisation the registry does not know is refused, for reads too.
#[actix_web::test]
async fn tokens_for_unknown_organisations_are_refused() {
    let app = TestApp::start().await;
    app.la("E09999999").children("").await.expect_problem(401);
    app.unregistered_provider("no-such-provider").get("/v1/settings").await.expect_problem(401);
}

/// A token too large for any the API issues is 431, as problem+json.
#[actix_web::test]
async fn an_oversized_token_is_431_problem_json() {
    let app = TestApp::start().await;
    let huge = format!("eyJ{}", "A".repeat(10_000));
    let r = app.bearer(&huge).children("").await.expect_problem(431);
    assert_eq!(r.body["type"], "urn:placement-registry:problem:header-too-large");
}

/// Names cannot hold characters that reorder how text is shown.
#[actix_web::test]
async fn names_refuse_bidirectional_overrides() {
    let app = TestApp::start().await;
    let r = app
        .la(HACKNEY)
        .register_child(a_child("Ann\u{202E}nhoj", "Smith").born("2012-01-01"))
        .await
        .expect_field_error(422, "given_name");
    assert!(r.text.contains("bidirectional"), "{}", r.text);
}

/// Every read is on disk before its answer is sent (in `audit_pending` on PostgreSQL, in the
/// read journal beside the database on SQLite); and when its audit event cannot be written, the
/// read is refused (503 with Retry-After) rather than served unrecorded.
#[actix_web::test]
async fn reads_are_durable_before_the_answer_or_refused() {
    let app = TestApp::start().await;
    let child = app.child_of(HACKNEY, a_child("Amelia", "Hughes").born("2011-05-14")).await;
    for _ in 0..20 {
        app.la(HACKNEY).child(&child).await.expect(200);
    }
    assert_eq!(unchained_reads(&app, "child.read", &child), 20, "every read recorded, none waiting in memory");
    match read_journal(&app) {
        Some(mut journal) => {
            diesel::sql_query("DROP TABLE reads").execute(&mut journal).expect("drop the journal's table");
        }
        None => execute_sql(&app, "DROP TABLE audit_pending"),
    }
    let r = app.la(HACKNEY).child(&child).await.expect_problem(503);
    assert_eq!(r.header("retry-after").as_deref(), Some("5"));
}

/// Issuer key URLs and webhook URLs that point inside the network are refused when given, as
/// literal addresses and as the usual tricks.
#[actix_web::test]
async fn urls_pointing_inside_the_network_are_refused() {
    let app = TestApp::configure().production().start().await;
    let bad = [
        "https://169.254.169.254/latest/meta-data/iam",
        "https://127.0.0.1/jwks.json",
        "https://127.1/jwks.json",
        "https://2130706433/jwks.json",
        "https://0x7f000001/jwks.json",
        "https://10.0.0.1/jwks.json",
        "https://172.16.0.1/jwks.json",
        "https://192.168.0.1/jwks.json",
        "https://[::1]/jwks.json",
        "https://[fd00::1]/jwks.json",
        "https://[::ffff:169.254.169.254]/jwks.json",
        "https://user:pass@idp.example/jwks.json",
        "https://localhost/jwks.json",
        "https://idp.localhost/jwks.json",
        "http://idp.example/jwks.json",
        "https://0.0.0.0/jwks.json",
        "https://100.64.0.1/jwks.json",
    ];
    for url in bad {
        let body = json!({"issuer": format!("https://idp.example/{}", url.len()), "audience": "x", "algorithms": ["EdDSA"],
                          "jwks_url": url, "org_type": "authority", "orgs": [HACKNEY]});
        app.operator().trust_issuer(body).await.expect_field_error(422, "jwks_url");
        app.la(LEEDS).register_webhook(url, &["*"]).await.expect_field_error(422, "url");
    }
}

/// Failed authentications from one address are limited before any token is verified, and so are
/// token requests; refusals carry Retry-After.
#[actix_web::test]
async fn failed_authentications_and_token_requests_are_limited_per_address() {
    let app = TestApp::configure().unauthenticated_rate_limit_per_minute(5).start().await;
    for _ in 0..5 {
        app.bearer("not-a-token").children("").await.expect_problem(401);
    }
    let r = app.bearer("not-a-token").children("").await.expect_problem(429);
    assert!(r.header("retry-after").is_some());
    // Even a good token from that address waits: nothing is verified until the bucket refills.
    app.la(HACKNEY).children("").await.expect_problem(429);
    app.advance(chrono::TimeDelta::minutes(1));
    app.la(HACKNEY).children("").await.expect(200);
    let form = "grant_type=client_credentials&client_id=x&client_secret=y";
    for _ in 0..5 {
        app.anonymous().token_request(form, None).await.expect_problem(401);
    }
    app.anonymous().token_request(form, None).await.expect_problem(429);
}

/// Tokens naming issuers nobody registered do not fill the issuer cache.
#[actix_web::test]
async fn unknown_issuers_are_never_cached() {
    let app = TestApp::configure().unauthenticated_rate_limit_per_minute(0).start().await;
    for i in 0..200 {
        let claims = URL_SAFE_NO_PAD.encode(json!({"iss": format!("https://nobody-{i}.example")}).to_string());
        let token = format!("{}.{claims}.c2ln", URL_SAFE_NO_PAD.encode(r#"{"alg":"EdDSA","kid":"k"}"#));
        app.bearer(&token).children("").await.expect_problem(401);
    }
    assert_eq!(cached_issuers(&app), 0);
}

/// A formula typed into a child's name or an episode's police reference comes out of every CSV
/// as text, never as a live formula.
#[actix_web::test]
async fn spreadsheet_formulas_never_pass_through_csv() {
    let app = TestApp::start().await;
    let (provider, urn) = app.provider_with_home().await;
    let child = app
        .child_of(HACKNEY, a_child("=HYPERLINK(\"https://evil.example\",\"Open\")", "Hughes").born("2011-05-14"))
        .await;
    app.la(HACKNEY).place(Placement::at(&child, &urn).from("2026-05-01")).await.expect(201);
    let csv =
        app.la(LEEDS).get_accepting(&format!("/v1/authorities/{LEEDS}/placed-children"), "text/csv").await.expect(200);
    assert!(csv.text.contains("'=HYPERLINK"), "{}", csv.text);
    assert!(!csv.text.contains(",=HYPERLINK") && !csv.text.contains("\"=HYPERLINK"), "{}", csv.text);
    app.provider(&provider)
        .report_missing(
            Episode::missing(&child, "2026-05-10T20:00:00Z")
                .until("2026-05-11T08:00:00Z")
                .reported_to_police("2026-05-10T21:00:00Z", "@SUM(A1:A9)"),
        )
        .await
        .expect(201);
    let template =
        app.provider(&provider).get(&format!("/v1/settings/{urn}/returns/2026-Q2?template=csv")).await.expect(200);
    assert!(template.text.contains("'@SUM(A1:A9)"), "{}", template.text);
}

/// `keys rotate` makes a new signing key: tokens signed with it are accepted by a server that
/// started before the rotation, and those signed with the old key keep working.
#[actix_web::test]
async fn signing_keys_rotate_without_refusing_issued_tokens() {
    // The command line signs with the real clock: the app's clock reads the same.
    let app = TestApp::configure().at(chrono::Utc::now()).start().await;
    let before = RegistryKey::of(&app);
    let old = before.issue("placement-registry", "placement-registry-api", HACKNEY, &["children:read"], &app);
    let url = app.database_url();
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_placement-registry"))
            .args(args)
            .args(["--database-url", &url])
            .output()
            .expect("run");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let rotated = cli(&["keys", "rotate"]);
    assert!(!rotated.contains(before.kid()), "{rotated}");
    let new = cli(&["token", "--org-type", "authority", "--org", HACKNEY, "--scope", "children:read"]);
    let header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(new.split('.').next().expect("jwt")).expect("b64"))
            .expect("json");
    assert_ne!(header["kid"], json!(before.kid()), "the new key signs");
    app.bearer(&new).children("").await.expect(200);
    app.bearer(&old).children("").await.expect(200);
    let jwks = app.anonymous().get("/.well-known/jwks.json").await.expect(200);
    assert_eq!(jwks.body["keys"].as_array().map(Vec::len), Some(2), "both keys verify for now");
}
