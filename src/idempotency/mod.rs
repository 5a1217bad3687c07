//! `Idempotency-Key` for creating calls: a repeat of the same request with the same key returns
//! the first result and never creates a second record.

pub mod repo;

use crate::auth::Caller;
use crate::db::{AnyConnection, write_tx};
use crate::error::{ApiError, FieldError, ProblemType};
use actix_web::HttpRequest;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

/// Fingerprint of a request: its route and its parsed body.
pub fn fingerprint(route: &str, body: &impl Serialize) -> String {
    let mut h = Sha256::new();
    h.update(route.as_bytes());
    h.update(serde_json::to_vec(body).unwrap_or_default());
    hex::encode(h.finalize())
}

const KEY_IN_USE: ProblemType = ProblemType::IdempotencyKeyInUse;

/// An idempotent creating call: who asks, with which key (if any), for which request.
#[derive(Debug, Clone)]
pub struct Idempotency {
    owner: String,
    key: Option<String>,
    fingerprint: String,
}

impl Idempotency {
    /// The request's `Idempotency-Key` for this caller, and the fingerprint of `route` and `body`.
    pub fn of(req: &HttpRequest, caller: &Caller, route: &str, body: &impl Serialize) -> Result<Idempotency, ApiError> {
        Ok(Idempotency {
            owner: caller.owner_key(),
            key: crate::http::idempotency_key(req)?,
            fingerprint: fingerprint(route, body),
        })
    }

    /// Runs `f` in a write transaction, once per (caller, key). Returns the result and whether it
    /// was replayed from an earlier request.
    pub fn run<T, F>(&self, conn: &mut AnyConnection, now: chrono::NaiveDateTime, f: F) -> Result<(T, bool), ApiError>
    where
        T: Serialize + DeserializeOwned,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError>,
    {
        run(conn, &self.owner, self.key.as_deref(), &self.fingerprint, now, f)
    }
}

/// Runs `f` in a write transaction, once per (owner, key). Returns the result and whether it
/// was replayed from an earlier request.
pub fn run<T, F>(
    conn: &mut AnyConnection,
    owner: &str,
    key: Option<&str>,
    fingerprint: &str,
    now: chrono::NaiveDateTime,
    f: F,
) -> Result<(T, bool), ApiError>
where
    T: Serialize + DeserializeOwned,
    F: FnOnce(&mut AnyConnection) -> Result<T, ApiError>,
{
    let Some(key) = key else {
        return write_tx(conn, f).map(|t| (t, false));
    };
    if let Some(done) = replay(conn, owner, key, fingerprint)? {
        return Ok((done, true));
    }
    let outcome = write_tx(conn, |conn| {
        repo::claim(conn, owner, key, fingerprint, now).map_err(|e| match e {
            diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                ApiError::conflict(KEY_IN_USE, "A request with this Idempotency-Key is already being processed.")
            }
            other => other.into(),
        })?;
        let value = f(conn)?;
        let body = serde_json::to_string(&value).map_err(ApiError::internal)?;
        repo::complete(conn, owner, key, &body)?;
        Ok(value)
    });
    match outcome {
        Err(ApiError::Conflict { kind: KEY_IN_USE, detail, extra }) => match replay(conn, owner, key, fingerprint)? {
            Some(done) => Ok((done, true)),
            None => Err(ApiError::Conflict { kind: KEY_IN_USE, detail, extra }),
        },
        other => other.map(|v| (v, false)),
    }
}

fn replay<T: DeserializeOwned>(
    conn: &mut AnyConnection,
    owner: &str,
    key: &str,
    fingerprint: &str,
) -> Result<Option<T>, ApiError> {
    match repo::find(conn, owner, key)? {
        None => Ok(None),
        Some((fp, _, _)) if fp != fingerprint => Err(ApiError::validation(vec![FieldError::new(
            "Idempotency-Key",
            "was already used for a different request; use a new key",
        )])),
        Some((_, status, body)) if status != 0 => serde_json::from_str(&body).map(Some).map_err(ApiError::internal),
        Some(_) => Ok(None),
    }
}
