//! SQL for idempotency keys.

use crate::db::AnyConnection;
use crate::db::schema::idempotency_keys as ik;
use diesel::prelude::*;

/// Claims a key (status 0, no answer yet); fails with a unique violation if it is taken.
pub fn claim(
    conn: &mut AnyConnection,
    owner: &str,
    key: &str,
    fingerprint: &str,
    now: chrono::NaiveDateTime,
) -> QueryResult<usize> {
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
}

/// Stores the answer of a claimed key.
pub fn complete(conn: &mut AnyConnection, owner: &str, key: &str, body: &str) -> QueryResult<usize> {
    diesel::update(ik::table.find((owner, key))).set((ik::status.eq(200i64), ik::body.eq(body))).execute(conn)
}

/// (fingerprint, status, answer) of a key, if used.
pub fn find(conn: &mut AnyConnection, owner: &str, key: &str) -> QueryResult<Option<(String, i64, String)>> {
    ik::table.find((owner, key)).select((ik::fingerprint, ik::status, ik::body)).first(conn).optional()
}
