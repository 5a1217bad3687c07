//! Issuing and verifying the registry's own bearer tokens: EdDSA only, `iss`, `aud`, `sub`,
//! `exp` required, a small leeway, and times checked against the application clock.

use super::keys::SigningKey;
use super::{Caller, OrgType};
use crate::error::ApiError;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
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

pub struct TokenService {
    kid: String,
    public_x: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    audience: String,
}

impl TokenService {
    pub fn new(key: &SigningKey, issuer: &str, audience: &str) -> TokenService {
        TokenService {
            kid: key.kid.clone(),
            public_x: URL_SAFE_NO_PAD.encode(&key.public),
            encoding: EncodingKey::from_ed_der(&key.pkcs8),
            decoding: DecodingKey::from_ed_der(&key.public),
            issuer: issuer.to_string(),
            audience: audience.to_string(),
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
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, &claims, &self.encoding).map_err(ApiError::internal)
    }

    /// Verifies signature, algorithm, issuer, audience and times; returns the claims.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, ApiError> {
        let invalid = |why: &str| ApiError::Unauthorized { detail: format!("The bearer token is not valid: {why}.") };
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[&self.issuer]);
        validation.set_audience(&[&self.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // Times are checked below against the application clock.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &validation).map_err(|e| {
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

    /// The public key as a JSON Web Key Set, for anyone verifying the registry's tokens.
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({ "keys": [{
            "kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "use": "sig",
            "kid": self.kid, "x": self.public_x,
        }]})
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }
}
