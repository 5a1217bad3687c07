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

/// Most issuers kept in the cache; only registered issuers are ever kept.
const MAX_ENTRIES: usize = 1_000;
/// After a failed key fetch, the next one waits this long, doubled per failure up to an hour.
const FIRST_BACKOFF_SECS: i64 = 60;
const MAX_BACKOFF_SECS: i64 = 3_600;

struct Entry {
    issuer: Issuer,
    keys: JwkSet,
    loaded_at: DateTime<Utc>,
    last_fetch: Option<DateTime<Utc>>,
    /// Failed fetches in a row, and when the next may be tried.
    failures: u32,
    retry_at: Option<DateTime<Utc>>,
}

pub struct IssuerCache {
    entries: Mutex<HashMap<String, Entry>>,
    client: reqwest::Client,
    dev: bool,
}

impl IssuerCache {
    /// A cache whose key fetches go through the outbound guard (`dev`: loopback allowed).
    pub fn new(dev: bool) -> IssuerCache {
        IssuerCache {
            entries: Mutex::new(HashMap::new()),
            client: crate::outbound::client(dev, std::time::Duration::from_secs(5)),
            dev,
        }
    }
}

fn invalid(why: &str) -> ApiError {
    ApiError::Unauthorized { detail: format!("The bearer token is not valid: {why}.") }
}

fn no_keys() -> JwkSet {
    JwkSet { keys: vec![] }
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

    /// How many issuers are cached (never more than [`MAX_ENTRIES`]).
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    async fn fetch(&self, url: &str) -> Result<JwkSet, ApiError> {
        if crate::outbound::check_url(url, self.dev).is_err() {
            return Err(invalid("the issuer's keys are at an address that is not called"));
        }
        let res = self.client.get(url).send().await.map_err(|_| invalid("the issuer's keys could not be fetched"))?;
        if !res.status().is_success() {
            return Err(invalid("the issuer's keys could not be fetched"));
        }
        res.json::<JwkSet>().await.map_err(|_| invalid("the issuer's key set is not valid"))
    }

    fn store(&self, iss: &str, entry: Entry) {
        if let Ok(mut e) = self.entries.lock() {
            if e.len() >= MAX_ENTRIES && !e.contains_key(iss) {
                let oldest = e.iter().min_by_key(|(_, v)| v.loaded_at).map(|(k, _)| k.clone());
                if let Some(k) = oldest {
                    e.remove(&k);
                }
            }
            e.insert(iss.to_string(), entry);
        }
    }

    /// Fetches keys from `url` unless a failure is backing off; a failure is remembered with the
    /// next time to try, so an unreachable issuer costs one fetch per back-off, not per request.
    async fn fetch_with_backoff(
        &self,
        iss: &str,
        issuer: &Issuer,
        url: &str,
        previous: Option<(JwkSet, u32, Option<DateTime<Utc>>)>,
        now: DateTime<Utc>,
    ) -> Result<JwkSet, ApiError> {
        let (old_keys, failures, retry_at) = previous.unwrap_or((no_keys(), 0, None));
        if retry_at.is_some_and(|t| now < t) {
            return Ok(old_keys);
        }
        match self.fetch(url).await {
            Ok(keys) => {
                self.store(
                    iss,
                    Entry {
                        issuer: issuer.clone(),
                        keys: keys.clone(),
                        loaded_at: now,
                        last_fetch: Some(now),
                        failures: 0,
                        retry_at: None,
                    },
                );
                Ok(keys)
            }
            Err(e) => {
                let backoff = (FIRST_BACKOFF_SECS << failures.min(10)).min(MAX_BACKOFF_SECS);
                self.store(
                    iss,
                    Entry {
                        issuer: issuer.clone(),
                        keys: old_keys,
                        loaded_at: now,
                        last_fetch: Some(now),
                        failures: failures + 1,
                        retry_at: Some(now + TimeDelta::seconds(backoff)),
                    },
                );
                Err(e)
            }
        }
    }

    /// The issuer's configuration and keys, loading them when not cached (or stale). An issuer
    /// that is not registered is not cached (it would let anyone fill the cache).
    async fn snapshot(
        &self,
        auth: &Authenticator,
        iss: &str,
        now: DateTime<Utc>,
    ) -> Result<(Issuer, JwkSet), ApiError> {
        let cached =
            self.entries.lock().ok().and_then(|e| {
                e.get(iss).map(|x| (x.issuer.clone(), x.keys.clone(), x.loaded_at, x.failures, x.retry_at))
            });
        if let Some((issuer, keys, loaded_at, _, _)) = &cached
            && now - *loaded_at < TimeDelta::seconds(CONFIG_TTL_SECS)
            && !keys.keys.is_empty()
        {
            return Ok((issuer.clone(), keys.clone()));
        }
        let name = iss.to_string();
        let found = auth.db(move |conn| repo::find_active(conn, &name)?.map(Issuer::try_from).transpose()).await?;
        let Some(issuer) = found else {
            self.invalidate(iss);
            return Err(invalid("unknown issuer"));
        };
        let keys = match (&issuer.jwks, &issuer.jwks_url) {
            (Some(inline), _) => {
                let keys = serde_json::from_str::<JwkSet>(inline).unwrap_or_else(|_| no_keys());
                self.store(
                    iss,
                    Entry {
                        issuer: issuer.clone(),
                        keys: keys.clone(),
                        loaded_at: now,
                        last_fetch: None,
                        failures: 0,
                        retry_at: None,
                    },
                );
                keys
            }
            (None, Some(url)) => {
                let previous = cached.map(|(_, keys, _, failures, retry_at)| (keys, failures, retry_at));
                self.fetch_with_backoff(iss, &issuer, url, previous, now).await?
            }
            (None, None) => no_keys(),
        };
        Ok((issuer, keys))
    }

    /// Refetches an issuer's keys if it has not done so in the last minute; the new set, if any.
    async fn refetch(
        &self,
        iss: &str,
        issuer: &Issuer,
        url: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<JwkSet>, ApiError> {
        let previous = {
            let Ok(e) = self.entries.lock() else { return Ok(None) };
            let Some(entry) = e.get(iss) else { return Ok(None) };
            if entry.last_fetch.is_some_and(|t| now - t < TimeDelta::seconds(REFETCH_INTERVAL_SECS)) {
                return Ok(None);
            }
            (entry.keys.clone(), entry.failures, entry.retry_at)
        };
        self.fetch_with_backoff(iss, issuer, url, Some(previous), now).await.map(Some)
    }

    /// Verifies a token from an external issuer and maps it to a caller.
    pub async fn verify(&self, auth: &Authenticator, token: &str, iss: &str) -> Result<Caller, ApiError> {
        let now = auth.clock.now();
        let header = jsonwebtoken::decode_header(token).map_err(|_| invalid("malformed"))?;
        let (issuer, mut keys) = self.snapshot(auth, iss, now).await?;
        if !issuer.algorithms.contains(&header.alg) {
            return Err(invalid("algorithm not accepted for this issuer"));
        }
        let kid = header.kid.clone().ok_or_else(|| invalid("no key id (kid)"))?;
        if keys.find(&kid).is_none()
            && let Some(url) = &issuer.jwks_url
            && let Some(fresh) = self.refetch(iss, &issuer, url, now).await?
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
