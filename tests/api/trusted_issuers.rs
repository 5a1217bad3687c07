//! Trusted token issuers: an LA's own identity provider, registered by the operator, may speak
//! for that LA; and the negative token corpus: every kind of bad token is refused.

use crate::support::internals::RegistryKey;
use crate::support::peers::KeyServer;
use crate::support::*;
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

const ISS: &str = "https://login.hackney.example";
const AUD: &str = "placement-registry";

struct EdKey {
    kid: String,
    pkcs8: Vec<u8>,
    public: Vec<u8>,
}

fn ed_key(kid: &str) -> EdKey {
    let pair = Ed25519KeyPair::generate().expect("key");
    let pkcs8 = pair.to_pkcs8().expect("pkcs8").as_ref().to_vec();
    EdKey { kid: kid.into(), public: pair.public_key().as_ref().to_vec(), pkcs8 }
}

fn ed_jwk(k: &EdKey) -> Value {
    json!({"kty": "OKP", "crv": "Ed25519", "x": URL_SAFE_NO_PAD.encode(&k.public), "kid": k.kid, "alg": "EdDSA", "use": "sig"})
}

fn now_ts() -> i64 {
    default_now().timestamp()
}

fn claims() -> Value {
    json!({"iss": ISS, "aud": AUD, "sub": "jane.social-worker", "exp": now_ts() + 600, "iat": now_ts(), "org": HACKNEY,
           "scope": "children:read children:write placements:read"})
}

fn sign_ed(k: &EdKey, claims: &Value) -> String {
    let mut h = Header::new(Algorithm::EdDSA);
    h.kid = Some(k.kid.clone());
    jsonwebtoken::encode(&h, claims, &EncodingKey::from_ed_der(&k.pkcs8)).expect("sign")
}

/// The operator trusts the Hackney issuer with these keys, or the keys at this URL.
async fn trust(app: &TestApp, jwks: Option<Value>, url: Option<String>) -> String {
    let mut body =
        json!({"issuer": ISS, "audience": AUD, "algorithms": ["EdDSA"], "org_type": "authority", "orgs": [HACKNEY]});
    if let Some(j) = jwks {
        body["jwks"] = j;
    }
    if let Some(u) = url {
        body["jwks_url"] = json!(u);
    }
    app.operator().trust_issuer(body).await.expect(201).id()
}

/// Lists children with this token.
async fn call(app: &TestApp, token: String) -> Resp {
    app.bearer(&token).children("").await
}

#[actix_web::test]
async fn an_las_identity_provider_speaks_for_its_own_la_only() {
    let app = TestApp::start().await;
    let k = ed_key("k1");
    trust(&app, Some(json!({"keys": [ed_jwk(&k)]})), None).await;
    call(&app, sign_ed(&k, &claims())).await.expect(200);
    // The token works like any other: Hackney registers a child with it.
    let t = sign_ed(&k, &claims());
    app.bearer(&t).register_child(a_child("Ann", "Fed").born("2012-01-01")).await.expect(201);
    // It may not claim another LA.
    let mut other = claims();
    other["org"] = json!(LEEDS);
    let r = call(&app, sign_ed(&k, &other)).await.expect_problem(401);
    assert!(r.text.contains("may not speak for"));
    // Scopes it does not grant are not had: no placements:write here.
    let t = sign_ed(&k, &claims());
    app.bearer(&t).place(Placement::at("some-child", OAK_HOUSE).from("2026-06-01")).await.expect_problem(403);
    // Registration is the operator's, and checked.
    let shaped = json!({"issuer": "x", "audience": "y", "algorithms": ["EdDSA"], "jwks": {"keys": []}, "org_type": "authority", "orgs": [HACKNEY]});
    app.la(HACKNEY).trust_issuer(shaped).await.expect_problem(403);
    let op = app.operator();
    let bad = json!({"issuer": "x", "audience": "y", "algorithms": ["HS256"], "jwks": {"keys": []}, "org_type": "authority", "orgs": ["E99999999"]});
    let r = op.trust_issuer(bad).await.expect_problem(422);
    assert!(r.body["errors"].is_array());
    assert_eq!(r.error_fields(), ["algorithms[0]"]);
    let unknown_org = json!({"issuer": "x", "audience": "y", "algorithms": ["EdDSA"], "jwks": {"keys": []}, "org_type": "authority", "orgs": ["E99999999"]});
    op.trust_issuer(unknown_org).await.expect_field_error(422, "orgs[0]");
    let again = json!({"issuer": ISS, "audience": AUD, "algorithms": ["EdDSA"], "jwks": {"keys": []},
                       "org_type": "authority", "orgs": [HACKNEY]});
    op.trust_issuer(again).await.expect_problem(409);
}

#[actix_web::test]
async fn the_negative_token_corpus_is_refused() {
    let app = TestApp::start().await;
    let k = ed_key("k1");
    let ec = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING).expect("ec");
    let ec_pub = ec.public_key().as_ref().to_vec();
    let ec_jwk = json!({"kty": "EC", "crv": "P-256", "kid": "e1", "x": URL_SAFE_NO_PAD.encode(&ec_pub[1..33]), "y": URL_SAFE_NO_PAD.encode(&ec_pub[33..65])});
    let id = trust(&app, Some(json!({"keys": [ed_jwk(&k), ec_jwk]})), None).await;
    let with = |f: &dyn Fn(&mut Value)| {
        let mut c = claims();
        f(&mut c);
        sign_ed(&k, &c)
    };
    let mut corpus: Vec<(&str, String)> = vec![];
    // alg none.
    let payload = URL_SAFE_NO_PAD.encode(claims().to_string());
    corpus.push((
        "alg none",
        format!("{}.{payload}.", URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT","kid":"k1"}"#)),
    ));
    // HMAC signed with the issuer's public key as the secret.
    let mut h = Header::new(Algorithm::HS256);
    h.kid = Some("k1".into());
    corpus.push((
        "HMAC with the public key",
        jsonwebtoken::encode(&h, &claims(), &EncodingKey::from_secret(&k.public)).expect("hs"),
    ));
    // An algorithm the issuer is not pinned to, with a key it does publish.
    let pkcs8 = ec.to_pkcs8v1().expect("pkcs8");
    let mut h = Header::new(Algorithm::ES256);
    h.kid = Some("e1".into());
    corpus.push((
        "algorithm not pinned",
        jsonwebtoken::encode(&h, &claims(), &EncodingKey::from_ec_der(pkcs8.as_ref())).expect("es"),
    ));
    corpus.push(("missing aud", with(&|c| drop(c.as_object_mut().map(|o| o.remove("aud"))))));
    corpus.push(("wrong aud", with(&|c| c["aud"] = json!("another-api"))));
    corpus.push(("missing exp", with(&|c| drop(c.as_object_mut().map(|o| o.remove("exp"))))));
    corpus.push(("expired beyond leeway", with(&|c| c["exp"] = json!(now_ts() - 31))));
    corpus.push(("nbf in the future", with(&|c| c["nbf"] = json!(now_ts() + 120))));
    corpus.push(("unknown issuer", with(&|c| c["iss"] = json!("https://login.elsewhere.example"))));
    let stranger = ed_key("k9");
    corpus.push(("unknown kid", sign_ed(&stranger, &claims())));
    let mut forged = ed_key("k1");
    forged.kid = "k1".into();
    corpus.push(("signed by another key with a known kid", sign_ed(&forged, &claims())));
    corpus.push(("org the issuer may not speak for", with(&|c| c["org"] = json!(KENT))));
    for (name, token) in corpus {
        let r = call(&app, token).await;
        assert_eq!(r.status, 401, "{name} was not refused: {}", r.text);
    }
    // Within the leeway it is fine.
    call(&app, with(&|c| c["exp"] = json!(now_ts() - 20))).await.expect(200);
    // A disabled issuer's tokens stop working.
    app.operator().remove_issuer(&id).await.expect(200);
    call(&app, sign_ed(&k, &claims())).await.expect_problem(401);
}

#[actix_web::test]
async fn the_registrys_own_tokens_refuse_the_same_tricks() {
    let app = TestApp::start().await;
    let key = RegistryKey::of(&app);
    let own = json!({"iss": "placement-registry", "aud": "placement-registry-api", "sub": "x", "exp": now_ts() + 600, "iat": now_ts(),
                     "jti": "j", "org_type": "authority", "org": HACKNEY, "scope": "children:read"});
    let sign = |c: &Value| {
        let mut h = Header::new(Algorithm::EdDSA);
        h.kid = Some(key.kid().to_string());
        jsonwebtoken::encode(&h, c, &EncodingKey::from_ed_der(key.pkcs8())).expect("sign")
    };
    call(&app, sign(&own)).await.expect(200);
    let mut no_exp = own.clone();
    no_exp.as_object_mut().map(|o| o.remove("exp"));
    call(&app, sign(&no_exp)).await.expect_problem(401);
    let mut early = own.clone();
    early["nbf"] = json!(now_ts() + 120);
    call(&app, sign(&early)).await.expect_problem(401);
    let mut h = Header::new(Algorithm::HS256);
    h.kid = Some(key.kid().to_string());
    let hs = jsonwebtoken::encode(&h, &own, &EncodingKey::from_secret(key.public())).expect("hs");
    call(&app, hs).await.expect_problem(401);
}

#[actix_web::test]
async fn an_unknown_kid_refetches_the_keys_at_most_once_a_minute() {
    let app = TestApp::start().await;
    let (k1, k2, k3) = (ed_key("k1"), ed_key("k2"), ed_key("k3"));
    let keys = KeyServer::start(json!({"keys": [ed_jwk(&k1)]})).await;
    trust(&app, None, Some(keys.url.clone())).await;
    let count = || keys.fetches();
    call(&app, sign_ed(&k1, &claims())).await.expect(200);
    assert_eq!(count(), 1);
    // The issuer rotates in k2: within the minute no refetch, so it is refused.
    keys.publish(json!([ed_jwk(&k1), ed_jwk(&k2)]));
    call(&app, sign_ed(&k2, &claims())).await.expect_problem(401);
    assert_eq!(count(), 1);
    app.advance(chrono::TimeDelta::seconds(61));
    let fresh = |k: &EdKey| {
        let mut c = claims();
        c["exp"] = json!(now_ts() + 3600);
        sign_ed(k, &c)
    };
    call(&app, fresh(&k2)).await.expect(200);
    assert_eq!(count(), 2);
    // k3 right after: one refetch a minute at most.
    keys.publish(json!([ed_jwk(&k2), ed_jwk(&k3)]));
    call(&app, fresh(&k3)).await.expect_problem(401);
    call(&app, fresh(&k3)).await.expect_problem(401);
    assert_eq!(count(), 2);
    app.advance(chrono::TimeDelta::seconds(61));
    call(&app, fresh(&k3)).await.expect(200);
    assert_eq!(count(), 3);
}
