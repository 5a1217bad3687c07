//! The authenticator: turns a request's bearer token into a [`Caller`], whether the registry
//! issued it or a trusted external issuer did, and applies what must hold before any handler
//! runs (per-client rate limit, revoked API clients refused). It owns what that needs (token
//! keys, the issuer cache, a database pool and the clock), so the auth endpoints and the
//! extractor depend on nothing above this module.

use super::clients::repo as clients;
use super::issuers::verify::{IssuerCache, peek_issuer};
use super::tokens::{Refusal, TokenService};
use super::{Caller, OrgType};
use crate::clock::Clock;
use crate::db::{self, AnyConnection, DbPool};
use crate::error::ApiError;
use crate::limits::RateLimiter;
use crate::secrets::Secrets;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Authenticator {
    pub tokens: TokenService,
    secrets: Arc<Secrets>,
    /// When the signing keys were last reloaded for a token with an unknown key id.
    keys_reloaded: Mutex<Option<Instant>>,
    pub issuers: IssuerCache,
    revocations: Revocations,
    rate_limiter: RateLimiter,
    /// Per address: failed authentications and token requests, limited before any verification.
    per_address: RateLimiter,
    /// Whether an organisation a token names is registered, remembered for a while.
    orgs: Mutex<HashMap<(OrgType, String), (Instant, bool)>>,
    pub pool: DbPool,
    pub clock: Arc<dyn Clock>,
    /// Lifetime of tokens issued to API clients, in seconds.
    pub token_ttl: i64,
    /// Development mode: JWKS URLs on plain http loopback are allowed.
    pub dev: bool,
}

impl Authenticator {
    pub fn new(
        tokens: TokenService,
        pool: DbPool,
        clock: Arc<dyn Clock>,
        secrets: Arc<Secrets>,
        config: &crate::config::Config,
    ) -> Authenticator {
        Authenticator {
            tokens,
            secrets,
            keys_reloaded: Mutex::new(None),
            issuers: IssuerCache::new(config.dev),
            revocations: Revocations::default(),
            rate_limiter: RateLimiter::new(config.rate_limit_per_minute),
            per_address: RateLimiter::new(config.unauthenticated_rate_limit_per_minute),
            orgs: Mutex::new(HashMap::new()),
            pool,
            clock,
            token_ttl: config.token_ttl,
            dev: config.dev,
        }
    }

    /// Runs blocking database work with a pooled connection.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    {
        db::run(&self.pool, f).await
    }

    /// Now, truncated to what both databases keep.
    pub fn now(&self) -> chrono::NaiveDateTime {
        db::db_time(self.clock.now())
    }

    /// The caller named by an `Authorization` header value, for a request from `address`. An
    /// address whose authentications keep failing is refused (429) before any verification.
    pub async fn authenticate(
        &self,
        header: Option<&str>,
        request_id: Option<String>,
        address: Option<std::net::IpAddr>,
    ) -> Result<Caller, ApiError> {
        let key = address.map(|a| a.to_string()).unwrap_or_default();
        if let Some(retry_after_secs) = self.per_address.exhausted(&key, self.clock.now()) {
            crate::telemetry::refused("authentication", 429);
            return Err(ApiError::TooManyRequests { retry_after_secs });
        }
        let outcome = self.verify_caller(header, request_id).await;
        if let Err(e) = &outcome
            && matches!(e, ApiError::Unauthorized { .. } | ApiError::HeaderTooLarge { .. })
        {
            self.per_address.charge(&key, self.clock.now());
            crate::telemetry::refused("authentication", 401);
        }
        outcome
    }

    /// Charges a request to the token endpoint to its address; 429 once they are too many.
    pub fn limit_token_requests(&self, address: Option<std::net::IpAddr>) -> Result<(), ApiError> {
        let key = format!("token:{}", address.map(|a| a.to_string()).unwrap_or_default());
        let now = self.clock.now();
        if let Some(retry_after_secs) = self.per_address.exhausted(&key, now) {
            crate::telemetry::refused("token request", 429);
            return Err(ApiError::TooManyRequests { retry_after_secs });
        }
        self.per_address.charge(&key, now);
        Ok(())
    }

    async fn verify_caller(&self, header: Option<&str>, request_id: Option<String>) -> Result<Caller, ApiError> {
        let header = header.ok_or_else(|| ApiError::Unauthorized {
            detail: "Send a bearer token in the Authorization header.".into(),
        })?;
        let token = header
            .strip_prefix("Bearer ")
            .or_else(|| header.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::Unauthorized {
                detail: "The Authorization header must be `Bearer <token>`.".into(),
            })?;
        if token.len() > MAX_TOKEN_LEN {
            return Err(ApiError::HeaderTooLarge {
                detail: format!("The bearer token is over {MAX_TOKEN_LEN} bytes; no token this API accepts is."),
            });
        }
        let mut caller = match peek_issuer(token) {
            Some(iss) if iss != self.tokens.issuer() => self.issuers.verify(self, token, &iss).await?,
            _ => self.verify_own(token).await?.into_caller()?,
        };
        caller.request_id = request_id;
        let client =
            format!("{}:{}:{}", caller.org_type, caller.org, caller.client_id.as_deref().unwrap_or(&caller.sub));
        if let Err(retry_after_secs) = self.rate_limiter.check(&client, self.clock.now()) {
            return Err(ApiError::TooManyRequests { retry_after_secs });
        }
        if let Some(client_id) = caller.client_id.clone()
            && self.is_revoked(&client_id).await?
        {
            return Err(ApiError::Unauthorized { detail: "This API client has been revoked.".into() });
        }
        if !self.org_exists(caller.org_type, &caller.org).await? {
            return Err(ApiError::Unauthorized {
                detail: format!("The bearer token names a {} that is not registered.", caller.org_type),
            });
        }
        Ok(caller)
    }

    /// Verifies one of the registry's own tokens; a key id not known here reloads the keys from
    /// the database (at most once a minute), so a key rotated by another process is found.
    async fn verify_own(&self, token: &str) -> Result<super::tokens::Claims, ApiError> {
        match self.tokens.verify(token, self.clock.now()) {
            Err(Refusal::UnknownKey) if self.may_reload_keys() => {
                let secrets = self.secrets.clone();
                let ring = self.db(move |conn| super::keys::load(conn, &secrets).map_err(ApiError::internal)).await?;
                self.tokens.replace(&ring, self.now());
                Ok(self.tokens.verify(token, self.clock.now())?)
            }
            other => Ok(other?),
        }
    }

    fn may_reload_keys(&self) -> bool {
        let Ok(mut last) = self.keys_reloaded.lock() else { return false };
        if last.is_some_and(|t| t.elapsed() < Duration::from_secs(60)) {
            return false;
        }
        *last = Some(Instant::now());
        true
    }

    async fn org_exists(&self, org_type: OrgType, org: &str) -> Result<bool, ApiError> {
        if org_type == OrgType::Operator {
            return Ok(true);
        }
        let key = (org_type, org.to_string());
        if let Ok(seen) = self.orgs.lock()
            && let Some((at, exists)) = seen.get(&key)
            && at.elapsed() < ORG_CACHE
        {
            return Ok(*exists);
        }
        let org_owned = org.to_string();
        let exists = self.db(move |conn| super::repo::org_exists(conn, org_type, &org_owned)).await?;
        if let Ok(mut seen) = self.orgs.lock() {
            if seen.len() > 10_000 {
                seen.clear();
            }
            seen.insert(key, (Instant::now(), exists));
        }
        Ok(exists)
    }

    async fn is_revoked(&self, client_id: &str) -> Result<bool, ApiError> {
        if let Some(revoked) = self.revocations.cached(client_id) {
            return Ok(revoked);
        }
        let id = client_id.to_string();
        let revoked = self.db(move |conn| clients::is_revoked(conn, &id)).await?;
        self.revocations.remember(client_id, revoked);
        Ok(revoked)
    }

    /// Makes a revocation made through this process take effect at once.
    pub fn remember_revoked(&self, client_id: &str) {
        self.revocations.remember(client_id, true);
    }
}

/// Remembers for a few seconds whether an API client is revoked, so each request does not cost a
/// query; a revocation made through this process takes effect at once.
#[derive(Default)]
struct Revocations {
    seen: Mutex<HashMap<String, (Instant, bool)>>,
}

const REVOCATION_CACHE: Duration = Duration::from_secs(5);
/// How long whether an organisation exists is remembered.
const ORG_CACHE: Duration = Duration::from_secs(60);
/// The longest bearer token accepted (the registry's own are about 800 bytes).
pub const MAX_TOKEN_LEN: usize = 8 * 1024;

impl Revocations {
    fn cached(&self, client_id: &str) -> Option<bool> {
        let seen = self.seen.lock().ok()?;
        seen.get(client_id).filter(|(at, _)| at.elapsed() < REVOCATION_CACHE).map(|(_, revoked)| *revoked)
    }
    fn remember(&self, client_id: &str, revoked: bool) {
        if let Ok(mut seen) = self.seen.lock() {
            if seen.len() > 10_000 {
                seen.clear();
            }
            seen.insert(client_id.to_string(), (Instant::now(), revoked));
        }
    }
}
