//! Issuing and verifying the registry's own bearer tokens: EdDSA only, `iss`, `aud`, `sub`,
//! `exp` required, a small leeway, and times checked against the application clock.

use super::keys::KeyRing;
use super::{Caller, OrgType};
use crate::error::ApiError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECS: i64 = 30;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub iss: String,
    pub sub: String,
    pub aud: String,
    pub exp: i64,
    pub iat: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    pub jti: String,
    pub org_type: String,
    pub org: String,
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
}

impl Claims {
    pub fn into_caller(self) -> Result<Caller, ApiError> {
        let org_type = OrgType::parse(&self.org_type)
            .ok_or_else(|| ApiError::Unauthorized { detail: "The token names an unknown organisation type.".into() })?;
        let allowed = org_type.allowed_scopes();
        let scopes: Vec<String> =
            self.scope.split_whitespace().filter(|s| allowed.contains(s)).map(str::to_string).collect();
        Ok(Caller { sub: self.sub, org_type, org: self.org, scopes, client_id: self.client_id, request_id: None })
    }
}

/// What a token is issued for.
pub struct Grant<'a> {
    pub sub: &'a str,
    pub org_type: OrgType,
    pub org: &'a str,
    pub scopes: &'a [String],
    pub client_id: Option<&'a str>,
    pub ttl_secs: i64,
}

/// The keys in the form jsonwebtoken uses them.
struct Keys {
    signer: Option<(String, EncodingKey)>,
    /// kid, public key (base64url), decoding key.
    verifiers: Vec<(String, String, DecodingKey)>,
}

pub struct TokenService {
    keys: std::sync::RwLock<Keys>,
    issuer: String,
    audience: String,
}

fn keys_of(ring: &KeyRing, now: NaiveDateTime) -> Keys {
    Keys {
        signer: ring.signer().map(|k| (k.kid.clone(), EncodingKey::from_ed_der(&k.pkcs8))),
        verifiers: ring
            .verifiers(now)
            .map(|k| (k.kid.clone(), URL_SAFE_NO_PAD.encode(&k.public), DecodingKey::from_ed_der(&k.public)))
            .collect(),
    }
}

/// Why a token was not verified: its key is not (yet) known here, or anything else.
#[derive(Debug)]
pub enum Refusal {
    UnknownKey,
    Invalid(ApiError),
}

impl From<Refusal> for ApiError {
    fn from(r: Refusal) -> ApiError {
        match r {
            Refusal::UnknownKey => {
                ApiError::Unauthorized { detail: "The bearer token is not valid: unknown key id (kid).".into() }
            }
            Refusal::Invalid(e) => e,
        }
    }
}

impl TokenService {
    pub fn new(ring: &KeyRing, issuer: &str, audience: &str, now: NaiveDateTime) -> TokenService {
        TokenService {
            keys: std::sync::RwLock::new(keys_of(ring, now)),
            issuer: issuer.to_string(),
            audience: audience.to_string(),
        }
    }

    /// Takes the keys of a reloaded ring (after a rotation by another process).
    pub fn replace(&self, ring: &KeyRing, now: NaiveDateTime) {
        if let Ok(mut k) = self.keys.write() {
            *k = keys_of(ring, now);
        }
    }

    pub fn issue(&self, grant: &Grant<'_>, now: DateTime<Utc>) -> Result<String, ApiError> {
        let iat = now.timestamp();
        let claims = Claims {
            iss: self.issuer.clone(),
            sub: grant.sub.to_string(),
            aud: self.audience.clone(),
            exp: iat + grant.ttl_secs,
            iat,
            nbf: Some(iat),
            jti: uuid::Uuid::new_v4().to_string(),
            org_type: grant.org_type.as_str().to_string(),
            org: grant.org.to_string(),
            scope: grant.scopes.join(" "),
            client_id: grant.client_id.map(str::to_string),
        };
        let keys = self.keys.read().map_err(|_| ApiError::internal("token keys poisoned"))?;
        let (kid, encoding) = keys.signer.as_ref().ok_or_else(|| ApiError::internal("no signing key"))?;
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(kid.clone());
        jsonwebtoken::encode(&header, &claims, encoding).map_err(ApiError::internal)
    }

    /// Verifies key id, signature, algorithm, issuer, audience and times; returns the claims.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, Refusal> {
        let invalid = |why: &str| {
            Refusal::Invalid(ApiError::Unauthorized { detail: format!("The bearer token is not valid: {why}.") })
        };
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("malformed"))?;
        let kid = header.kid.ok_or_else(|| invalid("no key id (kid)"))?;
        let keys = self.keys.read().map_err(|_| Refusal::Invalid(ApiError::internal("token keys poisoned")))?;
        let decoding =
            keys.verifiers.iter().find(|(k, _, _)| *k == kid).map(|(_, _, d)| d).ok_or(Refusal::UnknownKey)?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // Times are checked below against the application clock.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        let data = jsonwebtoken::decode::<Claims>(token, decoding, &validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind as K;
            match e.kind() {
                K::InvalidSignature => invalid("bad signature"),
                K::InvalidAlgorithm | K::InvalidAlgorithmName => invalid("algorithm not accepted"),
                K::InvalidIssuer => invalid("wrong issuer"),
                K::InvalidAudience => invalid("wrong audience"),
                K::MissingRequiredClaim(c) => invalid(&format!("missing claim `{c}`")),
                _ => invalid("malformed"),
            }
        })?;
        let claims = data.claims;
        let t = now.timestamp();
        if claims.exp + LEEWAY_SECS < t {
            return Err(invalid("expired"));
        }
        if claims.nbf.is_some_and(|nbf| nbf - LEEWAY_SECS > t) {
            return Err(invalid("not yet valid"));
        }
        Ok(claims)
    }

    /// The public keys that verify tokens, as a JSON Web Key Set.
    pub fn jwks(&self) -> serde_json::Value {
        let keys: Vec<serde_json::Value> = self
            .keys
            .read()
            .map(|k| {
                k.verifiers
                    .iter()
                    .map(|(kid, x, _)| {
                        serde_json::json!({"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig", "kid": kid, "x": x})
                    })
                    .collect()
            })
            .unwrap_or_default();
        serde_json::json!({ "keys": keys })
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }
}
