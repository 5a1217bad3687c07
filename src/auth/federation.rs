//! Federated identity: tokens from external issuers the operator registered (an LA's identity
//! provider), verified with the issuer's public keys (JWKS inline or fetched from a URL), with the
//! algorithms pinned per issuer, and mapped to an organisation the issuer may speak for.

use super::tokens::LEEWAY_SECS;
use super::{Caller, OrgType};
use crate::app::AppState;
use crate::db::AnyConnection;
use crate::db::schema::trusted_issuers as ti;
use crate::error::ApiError;
use chrono::{DateTime, TimeDelta, Utc};
use diesel::prelude::*;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Mutex;

/// An unknown `kid` triggers at most one refetch of an issuer's keys per this interval.
pub const REFETCH_INTERVAL_SECS: i64 = 60;
/// How long a loaded issuer configuration is reused before it is read again.
const CONFIG_TTL_SECS: i64 = 30;

/// Algorithms an external issuer may use: asymmetric only (a JWKS holds public keys).
pub const ALLOWED_ALGORITHMS: &[&str] =
    &["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"];

#[derive(Debug, Clone)]
pub struct Issuer {
    pub id: String,
    pub issuer: String,
    pub audience: String,
    pub algorithms: Vec<Algorithm>,
    pub jwks: Option<String>,
    pub jwks_url: Option<String>,
    pub org_type: OrgType,
    pub org_claim: String,
    pub scope_claim: String,
    pub orgs: Vec<String>,
}

type Row = (String, String, String, String, Option<String>, Option<String>, String, String, String, String);

fn issuer(r: Row) -> Result<Issuer, ApiError> {
    Ok(Issuer {
        id: r.0,
        issuer: r.1,
        audience: r.2,
        algorithms: r.3.split_whitespace().filter_map(|a| Algorithm::from_str(a).ok()).collect(),
        jwks: r.4,
        jwks_url: r.5,
        org_type: OrgType::parse(&r.6).ok_or_else(|| ApiError::internal("bad org_type in trusted_issuers"))?,
        org_claim: r.7,
        scope_claim: r.8,
        orgs: r.9.split_whitespace().map(str::to_string).collect(),
    })
}

pub fn find_active(conn: &mut AnyConnection, iss: &str) -> Result<Option<Issuer>, ApiError> {
    let r: Option<Row> = ti::table
        .filter(ti::issuer.eq(iss))
        .filter(ti::disabled_at.is_null())
        .select((
            ti::id,
            ti::issuer,
            ti::audience,
            ti::algorithms,
            ti::jwks,
            ti::jwks_url,
            ti::org_type,
            ti::org_claim,
            ti::scope_claim,
            ti::orgs,
        ))
        .first(conn)
        .optional()?;
    r.map(issuer).transpose()
}

struct Entry {
    issuer: Option<Issuer>,
    keys: JwkSet,
    loaded_at: DateTime<Utc>,
    last_fetch: Option<DateTime<Utc>>,
}

pub struct Federation {
    entries: Mutex<HashMap<String, Entry>>,
    client: reqwest::Client,
}

impl Default for Federation {
    fn default() -> Federation {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        Federation { entries: Mutex::new(HashMap::new()), client }
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

impl Federation {
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
        state: &AppState,
        iss: &str,
        now: DateTime<Utc>,
    ) -> Result<(Option<Issuer>, JwkSet), ApiError> {
        if let Ok(e) = self.entries.lock()
            && let Some(entry) = e.get(iss).filter(|e| now - e.loaded_at < TimeDelta::seconds(CONFIG_TTL_SECS))
        {
            return Ok((entry.issuer.clone(), entry.keys.clone()));
        }
        let name = iss.to_string();
        let found = state.db(move |conn| find_active(conn, &name)).await?;
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
    pub async fn verify(&self, state: &AppState, token: &str, iss: &str) -> Result<Caller, ApiError> {
        let now = state.clock.now();
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("malformed"))?;
        let (found, mut keys) = self.snapshot(state, iss, now).await?;
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
