//! Verifying tokens of trusted external issuers: their configuration and keys cached per
//! issuer, an unknown `kid` refetching a JWKS URL at most once a minute, and the token mapped to
//! an organisation the issuer may speak for.

use super::model::Issuer;
use super::repo;
use crate::auth::Caller;
use crate::auth::authenticator::Authenticator;
use crate::auth::tokens::LEEWAY_SECS;
use crate::error::ApiError;
use chrono::{DateTime, TimeDelta, Utc};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use std::collections::HashMap;
use std::sync::Mutex;

/// An unknown `kid` triggers at most one refetch of an issuer's keys per this interval.
pub const REFETCH_INTERVAL_SECS: i64 = 60;
/// How long a loaded issuer configuration is reused before it is read again.
const CONFIG_TTL_SECS: i64 = 30;

struct Entry {
    issuer: Option<Issuer>,
    keys: JwkSet,
    loaded_at: DateTime<Utc>,
    last_fetch: Option<DateTime<Utc>>,
}

pub struct IssuerCache {
    entries: Mutex<HashMap<String, Entry>>,
    client: reqwest::Client,
}

impl Default for IssuerCache {
    fn default() -> IssuerCache {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        IssuerCache { entries: Mutex::new(HashMap::new()), client }
    }
}

fn invalid(why: &str) -> ApiError {
    ApiError::Unauthorized { detail: format!("The bearer token is not valid: {why}.") }
}

/// The unverified `iss` of a token, to choose how to verify it.
pub fn peek_issuer(token: &str) -> Option<String> {
    use base64::Engine;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    v.get("iss")?.as_str().map(str::to_string)
}

impl IssuerCache {
    /// Forgets what is cached about an issuer (after the operator changes it).
    pub fn invalidate(&self, iss: &str) {
        if let Ok(mut e) = self.entries.lock() {
            e.remove(iss);
        }
    }

    async fn fetch(&self, url: &str) -> Result<JwkSet, ApiError> {
        let res = self.client.get(url).send().await.map_err(|_| invalid("the issuer's keys could not be fetched"))?;
        if !res.status().is_success() {
            return Err(invalid("the issuer's keys could not be fetched"));
        }
        res.json::<JwkSet>().await.map_err(|_| invalid("the issuer's key set is not valid"))
    }

    /// The issuer's configuration and keys, loading them when not cached (or stale).
    async fn snapshot(
        &self,
        auth: &Authenticator,
        iss: &str,
        now: DateTime<Utc>,
    ) -> Result<(Option<Issuer>, JwkSet), ApiError> {
        if let Ok(e) = self.entries.lock()
            && let Some(entry) = e.get(iss).filter(|e| now - e.loaded_at < TimeDelta::seconds(CONFIG_TTL_SECS))
        {
            return Ok((entry.issuer.clone(), entry.keys.clone()));
        }
        let name = iss.to_string();
        let found = auth.db(move |conn| repo::find_active(conn, &name)?.map(Issuer::try_from).transpose()).await?;
        let (keys, fetched) = match &found {
            Some(Issuer { jwks: Some(inline), .. }) => {
                (serde_json::from_str::<JwkSet>(inline).unwrap_or(JwkSet { keys: vec![] }), None)
            }
            Some(Issuer { jwks_url: Some(url), .. }) => {
                let previous =
                    self.entries.lock().ok().and_then(|e| e.get(iss).map(|x| (x.keys.clone(), x.last_fetch)));
                match previous {
                    Some((keys, last)) if !keys.keys.is_empty() => (keys, last),
                    _ => (self.fetch(url).await?, Some(now)),
                }
            }
            _ => (JwkSet { keys: vec![] }, None),
        };
        if let Ok(mut e) = self.entries.lock() {
            e.insert(
                iss.to_string(),
                Entry { issuer: found.clone(), keys: keys.clone(), loaded_at: now, last_fetch: fetched },
            );
        }
        Ok((found, keys))
    }

    /// Refetches an issuer's keys if it has not done so in the last minute; the new set, if any.
    async fn refetch(&self, iss: &str, url: &str, now: DateTime<Utc>) -> Result<Option<JwkSet>, ApiError> {
        {
            let Ok(mut e) = self.entries.lock() else { return Ok(None) };
            let Some(entry) = e.get_mut(iss) else { return Ok(None) };
            if entry.last_fetch.is_some_and(|t| now - t < TimeDelta::seconds(REFETCH_INTERVAL_SECS)) {
                return Ok(None);
            }
            entry.last_fetch = Some(now);
        }
        let keys = self.fetch(url).await?;
        if let Ok(mut e) = self.entries.lock()
            && let Some(entry) = e.get_mut(iss)
        {
            entry.keys = keys.clone();
        }
        Ok(Some(keys))
    }

    /// Verifies a token from an external issuer and maps it to a caller.
    pub async fn verify(&self, auth: &Authenticator, token: &str, iss: &str) -> Result<Caller, ApiError> {
        let now = auth.clock.now();
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("malformed"))?;
        let (found, mut keys) = self.snapshot(auth, iss, now).await?;
        let issuer = found.ok_or_else(|| invalid("unknown issuer"))?;
        if !issuer.algorithms.contains(&header.alg) {
            return Err(invalid("algorithm not accepted for this issuer"));
        }
        let kid = header.kid.clone().ok_or_else(|| invalid("no key id (kid)"))?;
        if keys.find(&kid).is_none()
            && let Some(url) = &issuer.jwks_url
            && let Some(fresh) = self.refetch(iss, url, now).await?
        {
            keys = fresh;
        }
        let jwk = keys.find(&kid).ok_or_else(|| invalid("unknown key id"))?;
        let key = DecodingKey::from_jwk(jwk).map_err(|_| invalid("the issuer's key is not usable"))?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&issuer.issuer]);
        validation.set_audience(&[&issuer.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        let data = jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation).map_err(|e| {
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
        let exp = claims.get("exp").and_then(|v| v.as_i64()).ok_or_else(|| invalid("missing claim `exp`"))?;
        if exp + LEEWAY_SECS < t {
            return Err(invalid("expired"));
        }
        if claims.get("nbf").and_then(|v| v.as_i64()).is_some_and(|nbf| nbf - LEEWAY_SECS > t) {
            return Err(invalid("not yet valid"));
        }
        let org =
            claims.get(&issuer.org_claim).and_then(|v| v.as_str()).ok_or_else(|| invalid("no organisation claim"))?;
        if !issuer.orgs.iter().any(|o| o == org) {
            return Err(invalid(&format!("this issuer may not speak for {org}")));
        }
        let allowed = issuer.org_type.allowed_scopes();
        let requested: Vec<String> = match claims.get(&issuer.scope_claim) {
            Some(serde_json::Value::String(s)) => s.split_whitespace().map(str::to_string).collect(),
            Some(serde_json::Value::Array(a)) => a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
            _ => vec![],
        };
        let scopes = requested.into_iter().filter(|s| allowed.contains(&s.as_str())).collect();
        let sub = claims.get("sub").and_then(|v| v.as_str()).unwrap_or_default().to_string();
        Ok(Caller { sub, org_type: issuer.org_type, org: org.to_string(), scopes, client_id: None, request_id: None })
    }
}
