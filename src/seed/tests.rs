//! A tiny national seed on SQLite (and on PostgreSQL when `TEST_DATABASE_URL` is set), read back
//! through the application's own repositories and checked against the registry's rules.

use super::*;
use crate::children::repo as children_repo;
use crate::db::AnyConnection;
use crate::db::schema::{missing_episodes as m, notifications as n, placement_legal_statuses as pls, placements as p};
use crate::geo::Geo;
use crate::missing::repo as missing_repo;
use crate::placements::repo as placements_repo;
use diesel::prelude::*;
use std::collections::{HashMap, HashSet};

const SCALE: f64 = 0.002;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 15).expect("date")
}

fn args(url: &str, seed: u64) -> SeedArgs {
    SeedArgs {
        config: crate::config::Config::for_database(url),
        scale: SCALE,
        seed,
        years: 10,
        today: Some(today()),
        batch: 64,
        quiet: true,
    }
}

/// A PostgreSQL schema dropped at the end, as the API tests make them.
struct PgSchema {
    admin: String,
    schema: String,
}

impl PgSchema {
    fn new(admin: &str) -> (PgSchema, String) {
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut c = diesel::PgConnection::establish(admin).expect("TEST_DATABASE_URL reachable");
        diesel::sql_query(format!("CREATE SCHEMA {schema}")).execute(&mut c).expect("create schema");
        let sep = if admin.contains('?') { '&' } else { '?' };
        let url = format!("{admin}{sep}options=-csearch_path%3D{schema}");
        (PgSchema { admin: admin.to_string(), schema }, url)
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        if let Ok(mut c) = diesel::PgConnection::establish(&self.admin) {
            let _ = diesel::sql_query(format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema)).execute(&mut c);
        }
    }
}

fn conn(url: &str) -> crate::db::DbConn {
    crate::db::pool(url, 1).expect("pool").get().expect("connection")
}

/// Reads the whole seeded registry back and checks it the way the API would.
fn check_database(url: &str, summary: &Summary) {
    let mut c = conn(url);
    let c: &mut AnyConnection = &mut c;
    let now = today().and_hms_opt(0, 0, 0).expect("time");
    let geo = Geo::global();

    let counted: HashMap<&str, i64> = summary.tables.iter().copied().collect();
    assert_eq!(counted["children"] as u64, summary.children);
    assert_eq!(counted["placements"] as u64, summary.placements);
    assert_eq!(counted["missing_episodes"] as u64, summary.episodes);
    assert_eq!(counted["notifications"] as u64, summary.notifications);
    assert!(counted["authorities"] >= 153);
    assert!(counted["settings"] >= 12 && counted["providers"] >= 4, "{counted:?}");

    let child_ids: Vec<String> = crate::db::schema::children::table
        .select(crate::db::schema::children::id)
        .order(crate::db::schema::children::id)
        .load(c)
        .expect("children");
    assert_eq!(child_ids.len() as u64, summary.children);
    let settings: HashMap<String, String> = crate::db::schema::settings::table
        .select((crate::db::schema::settings::urn, crate::db::schema::settings::host_area))
        .load(c)
        .expect("settings")
        .into_iter()
        .collect();
    let statuses: HashSet<(String, NaiveDate)> =
        pls::table.select((pls::placement_id, pls::effective_from)).load(c).expect("legal").into_iter().collect();
    let notified: HashSet<(String, String)> = n::table
        .select((n::placement_id.assume_not_null(), n::kind))
        .load(c)
        .expect("notifications")
        .into_iter()
        .collect();

    let (mut placements, mut out, mut episodes) = (0, 0, 0);
    for id in &child_ids {
        let child = children_repo::find(c, id).expect("read child").expect("child");
        assert!(crate::ssda903::is_valid_la_child_id(&child.la_child_id), "{}", child.la_child_id);
        if let Some(nhs) = &child.nhs_number {
            assert!(crate::ssda903::is_valid_nhs_number(nhs), "{nhs}");
        }
        if let Some(upn) = &child.upn {
            assert!(crate::ssda903::upn_check_letter_ok(upn), "{upn}");
        }
        if let Some(home) = &child.home_postcode {
            assert_eq!(geo.lookup(home).map(|a| a.code().to_string()).as_deref(), Some(child.responsible_la.as_str()));
        }
        let ps = placements_repo::of_child(c, &crate::ids::ChildId::from(id.as_str())).expect("placements");
        assert!(!ps.is_empty(), "every child has a placement");
        assert!(ps.iter().all(|p| p.created_at > child.created_at), "the child is registered first");
        assert!(ps[0].start_date >= child.date_of_birth, "no placement before birth (302)");
        for (i, pl) in ps.iter().enumerate() {
            placements += 1;
            assert_eq!(pl.placing_la, child.responsible_la);
            assert!(crate::ssda903::check_place_provider(&pl.place, pl.place_provider.as_deref()).is_ok(), "{pl:?}");
            let in_england = pl.host_area.starts_with('E');
            assert!(crate::ssda903::check_urn_for_location(&pl.place, pl.urn.as_deref(), in_england).is_ok(), "{pl:?}");
            let area = geo.lookup(&pl.postcode).map(|a| a.code().to_string());
            assert_eq!(area.as_deref(), Some(pl.host_area.as_str()), "host area from the postcode");
            if let Some(urn) = &pl.urn
                && let Some(host) = settings.get(urn)
            {
                assert_eq!(host, &pl.host_area, "a setting's placements are where the setting is");
            }
            if matches!(pl.place.as_str(), "K1" | "K2" | "K3") {
                assert!(pl.urn.as_ref().is_some_and(|u| settings.contains_key(u)), "K placements are in settings");
            }
            // In the return of every year it is in, ending on 1 April included (146).
            let last = crate::ssda903::collection_year(pl.end_date.unwrap_or(today()));
            for year in crate::ssda903::collection_year(pl.start_date)..=last {
                assert!(crate::ssda903::check_place_in_year(&pl.place, year).is_ok(), "{year}: {pl:?}");
            }
            assert_eq!(
                pl.distance_miles,
                child.home_postcode.as_deref().and_then(|h| geo.distance_miles(h, &pl.postcode))
            );
            match (pl.end_date, ps.get(i + 1)) {
                (None, next) => assert!(next.is_none(), "only the last placement is open"),
                (Some(end), next) => {
                    assert!(end > pl.start_date, "a placement lasts at least a day");
                    let rec = pl.rec.as_deref().expect("an ended placement has a REC");
                    assert!(crate::ssda903::is_code(crate::ssda903::REC, rec));
                    if let Some(nx) = next {
                        assert!(nx.start_date >= end, "no overlapping placements");
                        assert_eq!(rec == "X1", nx.start_date == end, "X1 exactly when the next starts that day");
                    } else {
                        assert_ne!(rec, "X1");
                    }
                    assert_eq!(pl.reason_place_change.is_some(), rec == "X1", "a move gives a reason");
                    assert!(end <= timeline::birthday(child.date_of_birth, 18), "nothing after 18");
                }
            }
            assert!(pl.created_at < now);
            assert!(statuses.contains(&(pl.id.to_string(), pl.start_date)), "initial legal status");
            if pl.host_area != pl.placing_la {
                out += 1;
                if in_england {
                    assert!(notified.contains(&(pl.id.to_string(), "placement.started".to_string())));
                    if pl.end_date.is_some() {
                        assert!(notified.contains(&(pl.id.to_string(), "placement.ended".to_string())));
                    }
                }
            }
        }
        let es = missing_repo::of_child(c, &crate::ids::ChildId::from(id.as_str())).expect("episodes");
        for e in &es {
            episodes += 1;
            let errors = crate::missing::rules::check(e, &child, &ps, &es, now);
            assert!(errors.is_empty(), "episode {e:?} breaks {errors:?}");
            let on = crate::missing::rules::placement_on(&ps, e.started_at.date()).map(|p| p.id.clone());
            assert_eq!(on.as_ref(), Some(&e.placement_id), "the placement the child was in");
            if e.ended_at.is_none() {
                let pl = ps.iter().find(|p| p.id == e.placement_id).expect("placement");
                assert!(pl.end_date.is_none(), "open episodes only in open placements");
            }
        }
    }
    assert_eq!(placements, summary.placements);
    assert_eq!(episodes, summary.episodes);
    // Every episode carries the placing LA, host area and setting of its placement.
    let (with_scope, matching): (i64, i64) = (
        m::table.filter(m::placing_la.is_not_null()).count().get_result(c).expect("count"),
        m::table
            .inner_join(p::table)
            .filter(m::placing_la.nullable().eq(p::placing_la.nullable()))
            .filter(m::host_area.nullable().eq(p::host_area.nullable()))
            .filter(m::urn.eq(p::urn).or(m::urn.is_null().and(p::urn.is_null())))
            .count()
            .get_result(c)
            .expect("count"),
    );
    assert_eq!((with_scope as u64, matching as u64), (summary.episodes, summary.episodes));
    let share = out as f64 / placements as f64;
    assert!((0.3..=0.5).contains(&share), "out of area {share}");

    // Legal status rows fall within their placement.
    let rows: Vec<(NaiveDate, NaiveDate, Option<NaiveDate>)> = pls::table
        .inner_join(p::table)
        .select((pls::effective_from, p::start_date, p::end_date))
        .load(c)
        .expect("legal statuses");
    for (from, start, end) in rows {
        assert!(from >= start && end.is_none_or(|e| from < e));
    }
    let open: i64 = m::table.filter(m::ended_at.is_null()).count().get_result(c).expect("count");
    assert_eq!(open as u64, summary.open_episodes);

    // SQLite is left in write-ahead-log mode, as the server runs it.
    if c.backend() == crate::db::Backend::Sqlite {
        #[derive(diesel::QueryableByName)]
        struct Mode {
            #[diesel(sql_type = diesel::sql_types::Text)]
            journal_mode: String,
        }
        let path = crate::db::driver_url(url).expect("path");
        let mut raw = diesel::SqliteConnection::establish(&path).expect("open");
        let mode: Mode = diesel::sql_query("PRAGMA journal_mode").get_result(&mut raw).expect("journal mode");
        assert_eq!(mode.journal_mode, "wal");
    }
}

/// Names of the indexes and foreign keys of the database.
fn schema_objects(url: &str) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let mut c = conn(url);
    let sql = match c.backend() {
        crate::db::Backend::Sqlite => {
            "SELECT type || ' ' || name AS name FROM sqlite_master WHERE type = 'index' \
             UNION ALL SELECT 'fk ' || m.name || ' ' || f.\"table\" || ' ' || f.\"from\" AS name \
             FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table'"
        }
        crate::db::Backend::Postgres => {
            "SELECT 'index ' || indexname || ' ' || indexdef AS name FROM pg_indexes WHERE schemaname = current_schema() \
             UNION ALL SELECT 'constraint ' || conname || ' ' || pg_get_constraintdef(c.oid) AS name FROM pg_constraint c \
             WHERE c.connamespace = current_schema()::regnamespace"
        }
    };
    let mut names: Vec<String> =
        diesel::sql_query(sql).load::<Name>(&mut c).expect("schema objects").into_iter().map(|n| n.name).collect();
    names.sort();
    names
}

/// Every child's stored missing state, as the seed computes it and as each write of an episode
/// keeps it, equals the state computed from all its episodes, and the flags read from it equal
/// the flags computed from the episodes, now and at later instants. Every open placement carries
/// a copy of its child's state (what the host view's flag filters read).
fn check_missing_state(url: &str) {
    use crate::db::schema::child_missing_state as st;
    use crate::flags;
    let mut c = conn(url);
    let c: &mut AnyConnection = &mut c;
    let now = today().and_hms_opt(12, 0, 0).expect("time");
    let ids: Vec<crate::ids::ChildId> =
        crate::db::schema::children::table.select(crate::db::schema::children::id).load(c).expect("children");
    let episodes: Vec<Vec<crate::db::rows::missing::EpisodeRecord>> =
        ids.iter().map(|id| missing_repo::of_child(c, id).expect("episodes")).collect();
    let clocks: Vec<Vec<flags::EpisodeClock>> =
        episodes.iter().map(|es| es.iter().map(|e| e.clock()).collect()).collect();
    let stored = |c: &mut AnyConnection| -> HashMap<crate::ids::ChildId, flags::MissingState> {
        st::table
            .select((st::child_id, (st::missing_since, st::third_latest_start, st::interview_pending_since)))
            .load::<(crate::ids::ChildId, children_repo::StateRow)>(c)
            .expect("states")
            .into_iter()
            .map(|(id, row)| (id, children_repo::state_of(row)))
            .collect()
    };
    let check = |states: &HashMap<crate::ids::ChildId, flags::MissingState>| {
        let (mut missing, mut repeat, mut overdue) = (0, 0, 0);
        for (id, clocks) in ids.iter().zip(&clocks) {
            let state = states.get(id).cloned().unwrap_or_default();
            assert_eq!(state, flags::state(clocks), "child {id}");
            assert_eq!(states.contains_key(id), !clocks.is_empty(), "a state for each child with episodes");
            missing += usize::from(state.missing_since.is_some());
            repeat += usize::from(state.third_latest_start.is_some());
            overdue += usize::from(state.interview_pending_since.is_some());
        }
        assert!(missing > 0 && repeat > 0 && overdue > 0, "{missing} {repeat} {overdue}");
    };
    let check_copies = |c: &mut AnyConnection, states: &HashMap<crate::ids::ChildId, flags::MissingState>| {
        let open: Vec<(crate::ids::ChildId, children_repo::StateRow)> = p::table
            .filter(p::end_date.is_null())
            .select((
                p::child_id,
                (p::child_missing_since, p::child_third_latest_start, p::child_interview_pending_since),
            ))
            .load(c)
            .expect("open placements");
        let flagged = open.iter().filter(|(_, row)| *row != (None, None, None)).count();
        assert!(flagged > 0 && flagged < open.len(), "{flagged} of {}", open.len());
        for (id, row) in open {
            assert_eq!(children_repo::state_of(row), states.get(&id).cloned().unwrap_or_default(), "child {id}");
        }
    };
    let states = stored(c);
    check(&states);
    check_copies(c, &states);
    for at in [now, now + chrono::TimeDelta::days(45), now + chrono::TimeDelta::days(400)] {
        let read: HashMap<_, _> = children_repo::missing_flags(c, &ids, at).expect("flags").into_iter().collect();
        for (id, clocks) in ids.iter().zip(&clocks) {
            assert_eq!(read[id], flags::child(clocks, at), "child {id} at {at}");
        }
    }
    // Each write of an episode recomputes its child's state from scratch.
    diesel::delete(st::table).execute(c).expect("forget the states");
    let none: Option<chrono::NaiveDateTime> = None;
    diesel::update(p::table)
        .set((
            p::child_missing_since.eq(none),
            p::child_third_latest_start.eq(none),
            p::child_interview_pending_since.eq(none),
        ))
        .execute(c)
        .expect("forget the copies");
    for es in &episodes {
        if let Some(e) = es.last() {
            assert_eq!(missing_repo::update(c, e, e.version).expect("rewrite"), 1);
        }
    }
    let states = stored(c);
    check(&states);
    check_copies(c, &states);
}

fn seed_twice_and_check(url_a: &str, url_b: &str) -> Summary {
    crate::db::migrate(url_b).expect("migrate");
    let before = schema_objects(url_b);
    assert!(before.iter().any(|n| n.contains("placements_host_area")), "{before:?}");
    assert!(before.iter().any(|n| n.starts_with("fk ") || n.contains("FOREIGN KEY")), "{before:?}");

    let a = seed(args(url_a, 7)).expect("seed");
    assert_eq!(a.children, target_children(SCALE));
    assert!(a.placements as f64 > 6.0 * a.children as f64, "{a:?}");
    assert!(a.episodes > 0 && a.notifications > 0 && a.legal_statuses > a.placements);
    let never = a.episodes_per_child.iter().filter(|n| **n == 0).count();
    assert!(never * 2 > a.episodes_per_child.len(), "most children never go missing");
    check_database(url_a, &a);
    check_missing_state(url_a);

    let b = seed(args(url_b, 7)).expect("seed again");
    assert_eq!(schema_objects(url_b), before, "indexes and foreign keys are back after the load");
    assert_eq!(a.first_child_id, b.first_child_id, "same seed, same data");
    assert_eq!(a.tables, b.tables);
    assert_eq!(a.episodes_per_child, b.episodes_per_child);
    let ids = |url: &str| -> Vec<String> {
        let mut c = conn(url);
        p::table.select(p::id).order(p::id).limit(50).load(&mut c).expect("ids")
    };
    assert_eq!(ids(url_a), ids(url_b));

    let refused = seed(args(url_a, 7)).expect_err("a second seed is refused");
    assert!(refused.to_string().contains("already has"), "{refused}");
    a
}

#[test]
fn seeds_a_tiny_nation_on_sqlite() {
    let dir = TempDir::new();
    let url = |name: &str| format!("sqlite://{}", dir.path().join(name).display());
    let a = seed_twice_and_check(&url("a.db"), &url("b.db"));
    let other = seed(args(&url("c.db"), 8)).expect("seed");
    assert_ne!(other.first_child_id, a.first_child_id, "another seed, other data");
}

#[test]
fn seeds_a_tiny_nation_on_postgres() {
    let Some(admin) = std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) else {
        return;
    };
    let (_a, url_a) = PgSchema::new(&admin);
    let (_b, url_b) = PgSchema::new(&admin);
    seed_twice_and_check(&url_a, &url_b);
}

#[test]
fn episodes_are_shared_out_to_the_target() {
    let exposure = vec![(0.0, 100), (1.0, 1000), (3.0, 1000), (1000.0, 10)];
    let got = share_episodes(&exposure, 200.0);
    assert_eq!(got[0], 0.0);
    assert!(got[3] <= 10.0 / 4.0, "at most one episode every four days: {got:?}");
    assert!((got.iter().sum::<f64>() - 200.0).abs() < 1.0, "{got:?}");
    assert!((got[2] / got[1] - 3.0).abs() < 1e-9);
}

#[test]
fn sizes_follow_the_scale() {
    assert_eq!(target_children(1.0), 100_000);
    assert_eq!(target_children(0.01), 1_000);
    let d = world::DirectorySize::at(1.0);
    assert_eq!((d.providers, d.settings), (1000, 3500));
}

/// A directory removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let path = std::env::temp_dir().join(format!("registry-seed-test-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).expect("temp dir");
        TempDir(path)
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
