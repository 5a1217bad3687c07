//! `Idempotency-Key` for creating calls: a repeat of the same request with the same key returns
//! the first result and never creates a second record.

use crate::db::schema::idempotency_keys as ik;
use crate::db::{AnyConnection, write_tx};
use crate::error::{ApiError, FieldError, ProblemType};
use diesel::prelude::*;
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
        diesel::insert_into(ik::table)
            .values((
                ik::owner.eq(owner),
                ik::key.eq(key),
                ik::fingerprint.eq(fingerprint),
                ik::status.eq(0i64),
                ik::body.eq(""),
                ik::created_at.eq(now),
            ))
            .execute(conn)
            .map_err(|e| match e {
                diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                    ApiError::conflict(KEY_IN_USE, "A request with this Idempotency-Key is already being processed.")
                }
                other => other.into(),
            })?;
        let value = f(conn)?;
        let body = serde_json::to_string(&value).map_err(ApiError::internal)?;
        diesel::update(ik::table.find((owner, key))).set((ik::status.eq(200i64), ik::body.eq(body))).execute(conn)?;
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
    let row: Option<(String, i64, String)> =
        ik::table.find((owner, key)).select((ik::fingerprint, ik::status, ik::body)).first(conn).optional()?;
    match row {
        None => Ok(None),
        Some((fp, _, _)) if fp != fingerprint => Err(ApiError::validation(vec![FieldError::new(
            "Idempotency-Key",
            "was already used for a different request; use a new key",
        )])),
        Some((_, status, body)) if status != 0 => serde_json::from_str(&body).map(Some).map_err(ApiError::internal),
        Some(_) => Ok(None),
    }
}
