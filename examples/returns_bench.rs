//! Times submitting quarterly returns of 1,000 and 10,000 episodes: validation, reconciliation
//! with episodes reported as they happened, and storage, on SQLite and PostgreSQL.
//!
//! Run with `bench/returns.sh` (`cargo run --release --example returns_bench -- [sqlite|postgres] [SIZES...]`).
//! PostgreSQL: `BENCH_PG_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`) must let the
//! user create schemas; each run uses a throwaway schema, dropped afterwards.
//!
//! Each size gets a fresh database holding three settings seeded alike: one children's home per
//! run with `size / 20` children, each with 20 episodes in 2026-Q3, a quarter of them already
//! reported as they happened (with less detail, so the return enriches them) plus a few reported
//! episodes the return leaves out. The return for the first setting is submitted by calling the
//! service directly (timing each step), the second as JSON and the third as CSV through the HTTP
//! endpoint in-process (parsing, checks, storage, the response).

use actix_web::test;
use chrono::{NaiveDate, NaiveDateTime, TimeDelta, TimeZone, Utc};
use diesel::{Connection, RunQueryDsl};
use placement_registry::app;
use placement_registry::auth::OrgType;
use placement_registry::auth::tokens::Grant;
use placement_registry::clock::ManualClock;
use placement_registry::config::Config;
use placement_registry::db::rows::children::ChildRecord;
use placement_registry::db::rows::missing::EpisodeRecord;
use placement_registry::db::rows::placements::PlacementRecord;
use placement_registry::db::{self, AnyConnection};
use placement_registry::error::ApiError;
use placement_registry::period::Quarter;
use placement_registry::returns::service;
use placement_registry::state::AppState;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};

const HACKNEY: &str = "E09000012";
const LEEDS: &str = "E08000035";
const PER_CHILD: usize = 20;

type Error = Box<dyn std::error::Error>;

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

struct Db {
    url: String,
    cleanup: Option<(String, String)>,
    _dir: Option<TempDir>,
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some((admin, schema)) = &self.cleanup
            && let Ok(mut c) = diesel::PgConnection::establish(admin)
        {
            let _ = diesel::sql_query(format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).execute(&mut c);
        }
    }
}

fn fresh_db(backend: &str) -> Result<Db, Error> {
    if backend == "postgres" {
        let admin = std::env::var("BENCH_PG_URL")
            .ok()
            .filter(|u| !u.is_empty())
            .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into());
        let schema = format!("bench_returns_{}", uuid::Uuid::new_v4().simple());
        let mut c = diesel::PgConnection::establish(&admin)?;
        diesel::sql_query(format!("CREATE SCHEMA {schema}")).execute(&mut c)?;
        let sep = if admin.contains('?') { '&' } else { '?' };
        let url = format!("{admin}{sep}options=-csearch_path%3D{schema}");
        Ok(Db { url, cleanup: Some((admin, schema)), _dir: None })
    } else {
        let dir = TempDir::new()?;
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        Ok(Db { url, cleanup: None, _dir: Some(dir) })
    }
}

/// One seeded setting: its URN and the return to submit.
struct Seeded {
    urn: String,
    episodes: Vec<Value>,
}

fn instant(t: NaiveDateTime) -> String {
    t.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A home with `size / PER_CHILD` children placed since June, a quarter of their episodes
/// already reported (less detail), and a few reported episodes the return omits.
fn seed(conn: &mut AnyConnection, provider: &str, n: usize, size: usize, now: NaiveDateTime) -> Result<Seeded, Error> {
    use placement_registry::directory::{repo::insert_setting, service::setting_record};
    let urn = format!("SC{:06}", 500_000 + n);
    let name = format!("Bench House {n}");
    let v = setting_record(&urn, provider, &name, "K2", LEEDS, "LS1 4AP", now);
    let children = size.div_ceil(PER_CHILD);
    let q3 = NaiveDate::from_ymd_opt(2026, 7, 1).ok_or("date")?;
    let mut episodes = Vec::with_capacity(size);
    db::write_tx(conn, |conn| -> Result<(), placement_registry::error::ApiError> {
        insert_setting(conn, &v)?;
        for c in 0..children {
            let child = ChildRecord {
                id: placement_registry::ids::ChildId::generate(),
                responsible_la: HACKNEY.into(),
                la_child_id: format!("B{n}-{c}"),
                given_name: format!("Child{c}"),
                family_name: format!("Bench{n}"),
                date_of_birth: NaiveDate::from_ymd_opt(2010, 1, 1).unwrap_or_default() + TimeDelta::days(c as i64),
                sex: "F".into(),
                ethnicity: "WBRI".into(),
                nhs_number: None,
                upn: None,
                home_postcode: Some("E8 1DY".into()),
                category_of_need: None,
                mother: Some(false),
                mother_child_dob: None,
                uasc: false,
                uasc_ceased: None,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            placement_registry::children::repo::insert(conn, &child)?;
            let placement = PlacementRecord {
                id: placement_registry::ids::PlacementId::generate(),
                child_id: child.id.clone(),
                placing_la: HACKNEY.into(),
                urn: Some(urn.clone()),
                host_area: LEEDS.into(),
                postcode: "LS1 4AP".into(),
                place: "K2".into(),
                place_provider: Some("PR4".into()),
                start_date: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap_or_default(),
                end_date: None,
                rec: None,
                reason_place_change: None,
                emergency: false,
                distance_miles: Some(180.0),
                ended_recorded_at: None,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            placement_registry::placements::repo::insert(conn, &placement)?;
            for k in 0..PER_CHILD {
                if episodes.len() == size {
                    break;
                }
                // One episode every 4 days, evening to early morning.
                let start = (q3 + TimeDelta::days(4 * k as i64 + (c % 4) as i64))
                    .and_hms_opt(21, (c % 60) as u32, 0)
                    .unwrap_or_default();
                let end = start + TimeDelta::hours(5);
                let reported = |start: NaiveDateTime, end: NaiveDateTime| EpisodeRecord {
                    id: placement_registry::ids::EpisodeId::generate(),
                    child_id: child.id.clone(),
                    placement_id: placement.id.clone(),
                    kind: "M".into(),
                    started_at: start,
                    ended_at: Some(end),
                    reported_to_police_at: None,
                    police_reference: None,
                    risk_indicators: Default::default(),
                    found_where: None,
                    safe_and_well_at: None,
                    safe_and_well_by: None,
                    ri_offered_at: None,
                    ri_offered_by: None,
                    ri_independent: None,
                    ri_outcome: None,
                    ri_not_offered_reason: None,
                    ri_completed_at: None,
                    source: "real_time".into(),
                    return_id: None,
                    recorded_by_org_type: "provider".into(),
                    recorded_by_org: provider.into(),
                    recorded_by: "bench".into(),
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                if k % 4 == 0 {
                    placement_registry::missing::repo::insert(conn, &reported(start, end))?;
                }
                if k == PER_CHILD - 1 && c % 10 == 0 {
                    // Reported as it happened, left out of the return.
                    let s = start + TimeDelta::days(2);
                    placement_registry::missing::repo::insert(conn, &reported(s, s + TimeDelta::hours(1)))?;
                }
                episodes.push(json!({
                    "child_id": child.id,
                    // Those reported as they happened are M; some of the others are A.
                    "kind": if k % 4 != 0 && k % 3 == 1 { "A" } else { "M" },
                    "started_at": instant(start),
                    "ended_at": instant(end),
                    "reported_to_police_at": instant(start + TimeDelta::minutes(30)),
                    "police_reference": format!("WY-{n}-{c}-{k}"),
                    "risk_indicators": ["criminal_exploitation", "substance_misuse"],
                    "found_where": "friends",
                    "safe_and_well_at": instant(end + TimeDelta::minutes(20)),
                    "safe_and_well_by": "West Yorkshire Police",
                    "return_interview_offered_at": instant(end + TimeDelta::hours(10)),
                    "return_interview_offered_by": "Independent RI service",
                    "return_interview_independent": true,
                    "return_interview_outcome": "accepted",
                    "return_interview_completed_at": instant(end + TimeDelta::hours(30)),
                }));
            }
        }
        Ok(())
    })?;
    Ok(Seeded { urn, episodes })
}

fn to_csv(episodes: &[Value]) -> Result<Vec<u8>, Error> {
    let cols = placement_registry::returns::input::COLUMNS;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(cols)?;
    for e in episodes {
        let row: Vec<String> = cols
            .iter()
            .map(|c| match &e[*c] {
                Value::String(s) => s.clone(),
                Value::Bool(b) => b.to_string(),
                Value::Array(a) => a.iter().filter_map(Value::as_str).collect::<Vec<_>>().join("; "),
                _ => String::new(),
            })
            .collect();
        w.write_record(&row)?;
    }
    Ok(w.into_inner()?)
}

fn check_counts(r: &Value, size: usize) -> Result<String, Error> {
    let c = &r["summary"]["counts"];
    if c["rows"].as_u64() != Some(size as u64) || c["conflicts"].as_u64() != Some(0) {
        return Err(format!("unexpected reconciliation: {c}").into());
    }
    Ok(format!("matched {} (enriched {}), added {}, omitted {}", c["matched"], c["enriched"], c["added"], c["omitted"]))
}

async fn run(backend: &str, size: usize) -> Result<(), Error> {
    let db = fresh_db(backend)?;
    let now = Utc.with_ymd_and_hms(2026, 10, 5, 9, 0, 0).single().ok_or("time")?;
    let clock = ManualClock::new(now);
    let mut config = Config::for_database(&db.url);
    config.pool_size = 4;
    let state = AppState::open(config, Arc::new(clock))?;
    let provider = "bench-provider".to_string();
    let seeded = {
        let mut conn = state.pool.get()?;
        let naive = db::db_time(now);
        let bench_provider =
            placement_registry::directory::service::provider_record(provider.clone(), "Bench Care Ltd", None, naive);
        placement_registry::directory::repo::insert_provider(&mut conn, &bench_provider)?;
        let t = Instant::now();
        let s: Vec<Seeded> = (1..=3).map(|n| seed(&mut conn, &provider, n, size, naive)).collect::<Result<_, _>>()?;
        println!("  seeded 3 settings x {size} episodes in {}", ms(t.elapsed()));
        s
    };
    let period = Quarter::parse("2026-Q3").ok_or("period")?;
    let scopes: Vec<String> = OrgType::Provider.allowed_scopes().iter().map(|s| s.to_string()).collect();

    // 1. The service, step by step.
    let body = serde_json::to_vec(&json!({"nil": false, "episodes": seeded[0].episodes}))?;
    let token = state.tokens().issue(
        &Grant {
            sub: "bench",
            org_type: OrgType::Provider,
            org: &provider,
            scopes: &scopes,
            client_id: None,
            ttl_secs: 3600,
        },
        now,
    )?;
    let caller = state.tokens().verify(&token, now).map_err(ApiError::from)?.into_caller()?;
    let mut conn = state.pool.get()?;
    let total = Instant::now();
    let t = Instant::now();
    let parsed = service::parse("application/json", &body, None, None)?;
    let parse = t.elapsed();
    let setting = service::submittable(&mut conn, &caller, &seeded[0].urn)?;
    let t = Instant::now();
    let (view, steps) =
        db::write_tx(&mut conn, |conn| service::submit(conn, &caller, &setting, period, parsed, db::db_time(now), 28))?;
    let tx = t.elapsed();
    let total = total.elapsed();
    drop(conn);
    let summary = check_counts(&serde_json::to_value(&view)?, size)?;
    println!(
        "  service, JSON:  total {} = parse {} + load {} + validate and reconcile {} + store {} + commit {}  [{summary}]",
        ms(total),
        ms(parse),
        ms(steps.load),
        ms(steps.validate),
        ms(steps.store),
        ms(tx.saturating_sub(steps.load + steps.validate + steps.store)),
    );

    // 2. and 3. The HTTP endpoint, in-process.

    let app = test::init_service(app::build(state.clone())).await;
    for (i, (format, content_type)) in [("JSON", "application/json"), ("CSV", "text/csv")].into_iter().enumerate() {
        let s = &seeded[i + 1];
        let body = match format {
            "JSON" => serde_json::to_vec(&json!({"nil": false, "episodes": s.episodes}))?,
            _ => to_csv(&s.episodes)?,
        };
        let len = body.len();
        let req = test::TestRequest::put()
            .uri(&format!("/v1/settings/{}/returns/2026-Q3", s.urn))
            .insert_header(("authorization", format!("Bearer {token}")))
            .insert_header(("content-type", content_type))
            .set_payload(body)
            .to_request();
        let t = Instant::now();
        let res = test::call_service(&app, req).await;
        let status = res.status().as_u16();
        let bytes = test::read_body(res).await;
        let elapsed = t.elapsed();
        if status != 201 {
            return Err(format!("HTTP {status}: {}", String::from_utf8_lossy(&bytes[..bytes.len().min(2000)])).into());
        }
        let summary = check_counts(&serde_json::from_slice(&bytes)?, size)?;
        println!(
            "  HTTP PUT, {format}:{} {} ({:.1} MB in, {:.1} MB out)  [{summary}]",
            if format == "CSV" { " " } else { "" },
            ms(elapsed),
            len as f64 / 1e6,
            bytes.len() as f64 / 1e6
        );
    }
    Ok(())
}

#[actix_web::main]
async fn main() -> Result<(), Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let backends: Vec<&str> = match args.first().map(String::as_str) {
        Some("sqlite") => vec!["sqlite"],
        Some("postgres") => vec!["postgres"],
        _ => vec!["sqlite", "postgres"],
    };
    let sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![1_000, 10_000] } else { sizes };
    for backend in backends {
        for &size in &sizes {
            println!("{backend}, {size} episodes:");
            run(backend, size).await?;
        }
    }
    Ok(())
}

/// A directory removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new() -> std::io::Result<TempDir> {
        let path = std::env::temp_dir().join(format!("returns-bench-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path)?;
        Ok(TempDir(path))
    }
    fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
