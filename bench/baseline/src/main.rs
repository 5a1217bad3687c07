//! The registry's child read (`GET /v1/children/{id}`) and host view first page
//! (`GET /v1/authorities/{code}/placed-children`) written by hand on actix-web and
//! tokio-postgres, as a yardstick for `bench/load.sh`: the same EdDSA token checks and claims,
//! the same access condition, the same fields and missing flags, and the same pending audit rows
//! (written to `audit_pending` before answering: one per child read, one per host view page
//! listing the children shown), each request in one prepared statement and one round trip.
//! PostgreSQL only; authorities only; no query parameters.
//!
//! Like the registry's server, it appends the pending audit events to the keyed hash chain every
//! 200 ms (see [`chain_pending`]), so it must have the registry's secrets key: from
//! `REGISTRY_SECRETS_KEY` (base64 of 32 bytes) if set, else from the file `SECRETS_KEY_FILE`
//! (default `data/registry.key`, the registry's own for PostgreSQL).
//!
//! `DATABASE_URL=postgres://... BIND=127.0.0.1:18890 SECRETS_KEY_FILE=data/registry.key registry-baseline`

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, get, web};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, SecondsFormat, TimeDelta, Utc};
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::{HashMap, HashSet};
use tokio_postgres::types::ToSql;

const ISSUER: &str = "placement-registry";
const AUDIENCE: &str = "placement-registry-api";
const LEEWAY_SECS: i64 = 30;
const PAGE: i64 = 50;

/// Verifies a child read, records it and reads the child with its flags, in one statement.
/// $1 child, $2 caller's LA, $3 now, $4 repeat window start, $5 interview due before,
/// $6 audit id, $7 subject, $8 request id.
const CHILD_SQL: &str = "
WITH c AS (
  SELECT c.* FROM children c
   WHERE c.id = $1
     AND (c.responsible_la = $2
          OR EXISTS (SELECT 1 FROM placements p WHERE p.child_id = c.id AND p.host_area = $2))
), audit AS (
  INSERT INTO audit_pending (id, at, subject, org_type, org, action, child_id, request_id)
  SELECT $6, $3, $7, 'authority', $2, 'child.read', c.id, $8 FROM c
)
SELECT c.id, c.responsible_la, c.la_child_id, c.given_name, c.family_name, c.date_of_birth, c.sex,
       c.ethnicity, c.nhs_number, c.upn, c.home_postcode, c.category_of_need, c.version,
       c.created_at, c.updated_at,
       s.missing_since, COALESCE(s.third_latest_start >= $4, false),
       COALESCE(s.interview_pending_since < $5, false),
       (SELECT count(*) FROM missing_episodes e WHERE e.child_id = c.id AND e.started_at >= $4),
       c.mother, c.mother_child_dob, c.uasc, c.uasc_ceased
  FROM c LEFT JOIN child_missing_state s ON s.child_id = c.id";

/// The first page of the host view (newest placements first), with flags and notification
/// state, recording the read of the children shown, in one statement. The read is one pending
/// row, as the registry writes it (`audit::read_events`): for several children `child_id` NULL
/// and `child_ids` their ids separated by spaces in page order, which the chainer makes one
/// event listing them; for one child `child_id` that child; for none no row.
/// $1 host, $2 date, $3 rows (page + 1), $4 now, $5 repeat window start, $6 interview due
/// before, $7 subject, $8 request id, $9 audit id (a UUIDv7, so pending rows sort by time).
const HOST_SQL: &str = "
WITH rows AS (
  SELECT * FROM (
    (SELECT p.id AS pid, p.child_id, p.placing_la, p.urn, p.place, p.start_date, p.end_date,
            p.emergency, p.distance_miles
       FROM placements p
      WHERE p.host_area = $1 AND p.start_date <= $2 AND p.end_date IS NULL
      ORDER BY p.start_date DESC, p.id ASC LIMIT $3)
    UNION ALL
    (SELECT p.id, p.child_id, p.placing_la, p.urn, p.place, p.start_date, p.end_date,
            p.emergency, p.distance_miles
       FROM placements p
      WHERE p.host_area = $1 AND p.start_date <= $2 AND p.end_date > $2)
  ) u ORDER BY start_date DESC, pid ASC LIMIT $3
), shown AS (
  SELECT child_id, start_date, pid FROM rows ORDER BY start_date DESC, pid ASC LIMIT $3 - 1
), audit AS (
  INSERT INTO audit_pending (id, at, subject, org_type, org, action, child_id, request_id, child_ids)
  SELECT $9, $4, $7, 'authority', $1, 'host_view.read', CASE WHEN count(*) = 1 THEN min(child_id) END, $8,
         CASE WHEN count(*) > 1 THEN string_agg(child_id, ' ' ORDER BY start_date DESC, pid ASC) END
    FROM shown HAVING count(*) > 0
)
SELECT c.id, c.given_name, c.family_name, c.date_of_birth, c.sex, r.placing_la, a.name, r.pid,
       r.urn, st.name, r.place, r.start_date, r.end_date, r.emergency, r.distance_miles,
       (SELECT count(*) FROM missing_episodes e WHERE e.child_id = c.id AND e.started_at >= $5),
       s.missing_since, COALESCE(s.third_latest_start >= $5, false),
       COALESCE(s.interview_pending_since < $6, false), n.on_time,
       (n.id IS NOT NULL AND n.acknowledged_at IS NULL)
  FROM rows r
  JOIN children c ON c.id = r.child_id
  JOIN authorities a ON a.code = r.placing_la
  LEFT JOIN settings st ON st.urn = r.urn
  LEFT JOIN child_missing_state s ON s.child_id = c.id
  LEFT JOIN notifications n ON n.placement_id = r.pid AND n.type = 'placement.started' AND n.recipient_la = $1
 ORDER BY r.start_date DESC, r.pid ASC";

struct State {
    pool: Pool,
    keys: HashMap<String, DecodingKey>,
    /// Registered authorities (the registry caches the same answer).
    authorities: HashSet<String>,
}

#[derive(Deserialize)]
struct Claims {
    sub: String,
    exp: i64,
    #[serde(default)]
    nbf: Option<i64>,
    org_type: String,
    org: String,
    scope: String,
}

struct Caller {
    sub: String,
    org: String,
}

fn unauthorized() -> HttpResponse {
    HttpResponse::Unauthorized().finish()
}

#[allow(
    clippy::result_large_err,
    reason = "the refusal is the answer, returned at once: boxing it only adds an allocation"
)]
fn authenticate(state: &State, req: &HttpRequest, scope: &str) -> Result<Caller, HttpResponse> {
    let token = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(unauthorized)?;
    let header = jsonwebtoken::decode_header(token).map_err(|_| unauthorized())?;
    let key = header.kid.as_deref().and_then(|k| state.keys.get(k)).ok_or_else(unauthorized)?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_issuer(&[ISSUER]);
    validation.set_audience(&[AUDIENCE]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    let claims = jsonwebtoken::decode::<Claims>(token, key, &validation).map_err(|_| unauthorized())?.claims;
    let t = Utc::now().timestamp();
    if claims.exp + LEEWAY_SECS < t || claims.nbf.is_some_and(|nbf| nbf - LEEWAY_SECS > t) {
        return Err(unauthorized());
    }
    if claims.org_type != "authority" || !state.authorities.contains(&claims.org) {
        return Err(unauthorized());
    }
    if !claims.scope.split_whitespace().any(|s| s == scope) {
        return Err(HttpResponse::Forbidden().finish());
    }
    Ok(Caller { sub: claims.sub, org: claims.org })
}

#[derive(Serialize, Default)]
struct Flags {
    currently_missing: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    missing_since: Option<DateTime<Utc>>,
    episodes_last_90_days: i64,
    repeat_missing: bool,
    return_interview_overdue: bool,
}

#[derive(Serialize)]
struct Child {
    id: String,
    access: &'static str,
    responsible_la: String,
    given_name: String,
    family_name: String,
    date_of_birth: NaiveDate,
    sex: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    la_child_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ethnicity: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    nhs_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    upn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    home_postcode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    category_of_need: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mother: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mother_child_dob: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uasc: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    uasc_ceased: Option<NaiveDate>,
    missing: Flags,
    version: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// Now, truncated to microseconds as the registry stores and compares times.
fn now() -> NaiveDateTime {
    let t = Utc::now().naive_utc();
    t - TimeDelta::nanoseconds(i64::from(t.and_utc().timestamp_subsec_nanos() % 1000))
}

fn unavailable<E: std::fmt::Display>(e: E) -> HttpResponse {
    eprintln!("database: {e}");
    HttpResponse::ServiceUnavailable().finish()
}

#[get("/v1/children/{id}")]
async fn child(state: web::Data<State>, req: HttpRequest, id: web::Path<String>) -> HttpResponse {
    let caller = match authenticate(&state, &req, "children:read") {
        Ok(c) => c,
        Err(r) => return r,
    };
    let now = now();
    let conn = match state.pool.get().await {
        Ok(c) => c,
        Err(e) => return unavailable(e),
    };
    let stmt = match conn.prepare_cached(CHILD_SQL).await {
        Ok(s) => s,
        Err(e) => return unavailable(e),
    };
    let audit_id = uuid::Uuid::now_v7().to_string();
    let request_id = uuid::Uuid::new_v4().to_string();
    let window = now - TimeDelta::days(90);
    let due = now - TimeDelta::hours(72);
    let row = match conn
        .query_opt(&stmt, &[&id.as_str(), &caller.org, &now, &window, &due, &audit_id, &caller.sub, &request_id])
        .await
    {
        Ok(Some(r)) => r,
        Ok(None) => return HttpResponse::NotFound().finish(),
        Err(e) => return unavailable(e),
    };
    let responsible_la: String = row.get(1);
    let full = responsible_la == caller.org;
    let keep = |v: Option<String>| if full { v } else { None };
    let missing_since: Option<NaiveDateTime> = row.get(15);
    let body = Child {
        id: row.get(0),
        access: if full { "placing" } else { "host" },
        responsible_la,
        la_child_id: keep(row.get(2)),
        given_name: row.get(3),
        family_name: row.get(4),
        date_of_birth: row.get(5),
        sex: row.get(6),
        ethnicity: keep(row.get(7)),
        nhs_number: keep(row.get(8)),
        upn: keep(row.get(9)),
        home_postcode: keep(row.get(10)),
        category_of_need: keep(row.get(11)),
        mother: if full { row.get(19) } else { None },
        mother_child_dob: if full { row.get(20) } else { None },
        uasc: if full { Some(row.get(21)) } else { None },
        uasc_ceased: if full { row.get(22) } else { None },
        version: row.get(12),
        created_at: row.get::<_, NaiveDateTime>(13).and_utc(),
        updated_at: row.get::<_, NaiveDateTime>(14).and_utc(),
        missing: Flags {
            currently_missing: missing_since.is_some(),
            missing_since: missing_since.map(|t| t.and_utc()),
            repeat_missing: row.get(16),
            return_interview_overdue: row.get(17),
            episodes_last_90_days: row.get(18),
        },
    };
    HttpResponse::Ok().insert_header(("ETag", format!("\"{}\"", body.version))).json(body)
}

#[derive(Serialize)]
struct PlacedChild {
    child_id: String,
    given_name: String,
    family_name: String,
    date_of_birth: NaiveDate,
    sex: String,
    placing_la: String,
    placing_la_name: String,
    placement_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    urn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    setting_name: Option<String>,
    place: String,
    start_date: NaiveDate,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_date: Option<NaiveDate>,
    emergency: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    distance_miles: Option<f64>,
    episodes_last_90_days: i64,
    currently_missing: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    missing_since: Option<DateTime<Utc>>,
    repeat_missing: bool,
    return_interview_overdue: bool,
    notification_late: bool,
    notification_unacknowledged: bool,
}

#[derive(Serialize)]
struct Page {
    items: Vec<PlacedChild>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
}

fn start_date_key(d: NaiveDate) -> String {
    format!("{:08}", 99_999_999 - i64::from(d.year()) * 10_000 - i64::from(d.month()) * 100 - i64::from(d.day()))
}

#[get("/v1/authorities/{code}/placed-children")]
async fn placed_children(state: web::Data<State>, req: HttpRequest, code: web::Path<String>) -> HttpResponse {
    let caller = match authenticate(&state, &req, "placements:read") {
        Ok(c) => c,
        Err(r) => return r,
    };
    if !state.authorities.contains(code.as_str()) {
        return HttpResponse::NotFound().finish();
    }
    if *code != caller.org {
        return HttpResponse::Forbidden().finish();
    }
    let now = now();
    let conn = match state.pool.get().await {
        Ok(c) => c,
        Err(e) => return unavailable(e),
    };
    let stmt = match conn.prepare_cached(HOST_SQL).await {
        Ok(s) => s,
        Err(e) => return unavailable(e),
    };
    let audit_id = uuid::Uuid::now_v7().to_string();
    let request_id = uuid::Uuid::new_v4().to_string();
    let (window, due, rows) = (now - TimeDelta::days(90), now - TimeDelta::hours(72), PAGE + 1);
    let found = match conn
        .query(&stmt, &[&caller.org, &now.date(), &rows, &now, &window, &due, &caller.sub, &request_id, &audit_id])
        .await
    {
        Ok(r) => r,
        Err(e) => return unavailable(e),
    };
    let mut items: Vec<PlacedChild> = found
        .iter()
        .map(|r| {
            let missing_since: Option<NaiveDateTime> = r.get(16);
            let on_time: Option<bool> = r.get(19);
            let unacknowledged: bool = r.get(20);
            PlacedChild {
                child_id: r.get(0),
                given_name: r.get(1),
                family_name: r.get(2),
                date_of_birth: r.get(3),
                sex: r.get(4),
                placing_la: r.get(5),
                placing_la_name: r.get(6),
                placement_id: r.get(7),
                urn: r.get(8),
                setting_name: r.get(9),
                place: r.get(10),
                start_date: r.get(11),
                end_date: r.get(12),
                emergency: r.get(13),
                distance_miles: r.get(14),
                episodes_last_90_days: r.get(15),
                currently_missing: missing_since.is_some(),
                missing_since: missing_since.map(|t| t.and_utc()),
                repeat_missing: r.get(17),
                return_interview_overdue: r.get(18),
                notification_late: on_time == Some(false),
                notification_unacknowledged: unacknowledged,
            }
        })
        .collect();
    let more = items.len() as i64 > PAGE;
    items.truncate(PAGE as usize);
    let next_cursor = more.then(|| items.last()).flatten().map(|c| {
        URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&[start_date_key(c.start_date), c.placement_id.clone()]).unwrap_or_default())
    });
    HttpResponse::Ok().json(Page { items, next_cursor })
}

/// Most events chained in one transaction, and rows per multi-row statement (the registry's
/// `CHAIN_BATCH` and `INSERT_ROWS`).
const CHAIN_BATCH: usize = 5_000;
const INSERT_ROWS: usize = 1_000;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// HMAC-SHA256 of `data` under `key`.
fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(key) else { return [0; 32] };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// The audit chain's key, derived from the registry's secrets key as `Secrets::from_master` does
/// (HKDF-SHA256, one block). The secrets key is `REGISTRY_SECRETS_KEY` if set, else the contents
/// of the file `SECRETS_KEY_FILE` (default `data/registry.key`); it is never created here.
fn audit_key() -> Result<[u8; 32], BoxError> {
    let encoded = match std::env::var("REGISTRY_SECRETS_KEY").ok().filter(|v| !v.trim().is_empty()) {
        Some(v) => v,
        None => {
            let path = std::env::var("SECRETS_KEY_FILE").unwrap_or_else(|_| "data/registry.key".into());
            std::fs::read_to_string(&path).map_err(|e| format!("the secrets key file {path}: {e}"))?
        }
    };
    let master = STANDARD.decode(encoded.trim())?;
    if master.len() != 32 {
        return Err(format!("the secrets key must be 32 bytes, base64-encoded, not {}", master.len()).into());
    }
    let prk = hmac(b"placement-registry secrets v1", &master);
    Ok(hmac(&prk, b"audit chain\x01"))
}

/// An event in the chain (a row of `audit_events`).
struct Event {
    seq: i64,
    at: NaiveDateTime,
    subject: String,
    org_type: String,
    org: String,
    action: String,
    child_id: Option<String>,
    request_id: Option<String>,
    prev_hash: String,
    hash: String,
    child_ids: Option<String>,
}

impl Event {
    /// Its link in the chain, as the registry's `audit::hash` with the key: HMAC-SHA256 over the
    /// previous hash and the event's fields, each prefixed with its length (a page's list of
    /// children last, when it has one).
    fn link(&self, key: &[u8; 32]) -> String {
        let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(key) else { return String::new() };
        let parts = [
            &self.prev_hash,
            &self.seq.to_string(),
            &self.at.and_utc().to_rfc3339_opts(SecondsFormat::Micros, true),
            &self.subject,
            &self.org_type,
            &self.org,
            &self.action,
            self.child_id.as_deref().unwrap_or(""),
            self.request_id.as_deref().unwrap_or(""),
        ];
        for part in parts.into_iter().chain(self.child_ids.as_deref()) {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part.as_bytes());
        }
        hex::encode(mac.finalize().into_bytes())
    }

    /// The children it names, each once (the rows of `audit_event_children`).
    fn children(&self) -> std::collections::BTreeSet<&str> {
        match &self.child_ids {
            Some(list) => list.split(' ').filter(|id| !id.is_empty()).collect(),
            None => self.child_id.as_deref().into_iter().collect(),
        }
    }

    fn params(&self) -> [&(dyn ToSql + Sync); 11] {
        [
            &self.seq,
            &self.at,
            &self.subject,
            &self.org_type,
            &self.org,
            &self.action,
            &self.child_id,
            &self.request_id,
            &self.prev_hash,
            &self.hash,
            &self.child_ids,
        ]
    }
}

/// Appends the pending audit events to the chain, oldest first, as the registry's chainer does
/// (`chain_pending_in` in src/audit/chain.rs). In one transaction per batch: the head row is
/// locked and read, the oldest pending rows read, each made into an event (a row listing several
/// children counts once per child towards the batch of [`CHAIN_BATCH`], and waits for the next
/// one when it would overflow it, unless it is the first), the events hashed in memory and
/// inserted many rows at a time with the rows finding them from each child they name, the head
/// moved and the chained rows deleted. Again while a batch was full. Returns how many events were
/// chained.
async fn chain_pending(pool: &Pool, key: &[u8; 32]) -> Result<usize, BoxError> {
    let mut conn = pool.get().await?;
    let mut done = 0;
    loop {
        let tx = conn.transaction().await?;
        // The head's lock first: two chainers (this one and the registry's) never take the
        // same pending rows.
        tx.execute("UPDATE audit_head SET seq = seq WHERE id = 1", &[]).await?;
        let head = tx.query_one("SELECT seq, hash FROM audit_head WHERE id = 1", &[]).await?;
        let (mut seq, mut prev): (i64, String) = (head.get(0), head.get(1));
        let pending = tx
            .query(
                "SELECT id, at, subject, org_type, org, action, child_id, request_id, child_ids
                   FROM audit_pending ORDER BY id LIMIT $1",
                &[&(CHAIN_BATCH as i64)],
            )
            .await?;
        let (mut events, mut ids, mut weight) = (Vec::new(), Vec::new(), 0);
        for p in &pending {
            let child_ids: Option<String> = p.get::<_, Option<String>>(8).filter(|list| !list.trim().is_empty());
            let children = child_ids.as_deref().map_or(1, |list| list.split(' ').filter(|id| !id.is_empty()).count());
            if !ids.is_empty() && weight + children > CHAIN_BATCH {
                break;
            }
            weight += children;
            ids.push(p.get::<_, String>(0));
            seq += 1;
            let mut e = Event {
                seq,
                at: p.get(1),
                subject: p.get(2),
                org_type: p.get(3),
                org: p.get(4),
                action: p.get(5),
                child_id: p.get(6),
                request_id: p.get(7),
                prev_hash: std::mem::take(&mut prev),
                hash: String::new(),
                child_ids,
            };
            e.hash = e.link(key);
            prev.clone_from(&e.hash);
            events.push(e);
        }
        for chunk in events.chunks(INSERT_ROWS) {
            let rows: Vec<String> = (0..chunk.len())
                .map(|i| format!("({})", (1..=11).map(|c| format!("${}", i * 11 + c)).collect::<Vec<_>>().join(", ")))
                .collect();
            let sql = format!(
                "INSERT INTO audit_events (seq, at, subject, org_type, org, action, child_id, request_id, prev_hash, hash, child_ids)
                 VALUES {}",
                rows.join(", ")
            );
            let params: Vec<&(dyn ToSql + Sync)> = chunk.iter().flat_map(Event::params).collect();
            tx.execute(sql.as_str(), &params).await?;
        }
        let children: Vec<(&str, i64)> =
            events.iter().flat_map(|e| e.children().into_iter().map(|c| (c, e.seq))).collect();
        for chunk in children.chunks(INSERT_ROWS) {
            let (child_ids, seqs): (Vec<&str>, Vec<i64>) = chunk.iter().copied().unzip();
            tx.execute(
                "INSERT INTO audit_event_children (child_id, seq) SELECT * FROM unnest($1::text[], $2::bigint[])",
                &[&child_ids, &seqs],
            )
            .await?;
        }
        if !events.is_empty() {
            tx.execute("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1", &[&seq, &prev]).await?;
        }
        for chunk in ids.chunks(INSERT_ROWS) {
            tx.execute("DELETE FROM audit_pending WHERE id = ANY($1)", &[&chunk]).await?;
        }
        tx.commit().await?;
        done += events.len();
        if ids.len() == pending.len() && pending.len() < CHAIN_BATCH {
            return Ok(done);
        }
    }
}

/// Chains pending audit events every 200 ms, as the registry's server does.
async fn chainer(pool: Pool, key: [u8; 32]) {
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(200));
    loop {
        tick.tick().await;
        if let Err(e) = chain_pending(&pool, &key).await {
            eprintln!("chaining audit events failed; will retry: {e}");
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let url = std::env::var("DATABASE_URL")?;
    let bind = std::env::var("BIND").unwrap_or_else(|_| "127.0.0.1:18890".into());
    let size: usize = std::env::var("POOL_SIZE").ok().and_then(|s| s.parse().ok()).unwrap_or(16);
    let key = audit_key()?;
    let config: tokio_postgres::Config = url.parse()?;
    let manager =
        Manager::from_config(config, tokio_postgres::NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
    let pool = Pool::builder(manager).max_size(size).build()?;
    let conn = pool.get().await?;
    let keys = conn
        .query("SELECT kid, public_key FROM signing_keys", &[])
        .await?
        .iter()
        .map(|r| {
            let (kid, public): (String, String) = (r.get(0), r.get(1));
            Ok((kid, DecodingKey::from_ed_der(&URL_SAFE_NO_PAD.decode(public)?)))
        })
        .collect::<Result<HashMap<_, _>, base64::DecodeError>>()?;
    let authorities = conn.query("SELECT code FROM authorities", &[]).await?.iter().map(|r| r.get(0)).collect();
    drop(conn);
    tokio::spawn(chainer(pool.clone(), key));
    let last = pool.clone();
    let state = web::Data::new(State { pool, keys, authorities });
    HttpServer::new(move || App::new().app_data(state.clone()).service(child).service(placed_children))
        .bind(bind)?
        .run()
        .await?;
    // As the registry does when it stops: chain what is still pending.
    chain_pending(&last, &key).await?;
    Ok(())
}
