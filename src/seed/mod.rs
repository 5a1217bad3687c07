//! Deterministic synthetic national data at a chosen scale, for benchmarks and trials.
//!
//! At scale 1 the registry holds what England would after ten years: the 153 current LAs, about
//! 1,000 providers running about 3,500 settings, about 100,000 children with about a million
//! placements (roughly four in ten out of area) and a million missing episodes, the host LAs'
//! notifications of out-of-area placements, and legal statuses. Homes, carers and settings are at
//! real postcodes, so host areas and distances derive exactly as the API derives them.
//!
//! The same seed, scale, years and day give the same data. Each child is generated from its own
//! random stream; rows are made in chunks on one thread and written on another, with one
//! transaction for the whole load (`COPY` on PostgreSQL, multi-row `INSERT` on SQLite).

mod child;
mod names;
pub mod pairs;
mod repo;
mod rng;
mod timeline;
mod world;

#[cfg(test)]
mod tests;

use crate::clock::SystemClock;
use crate::state::AppState;
use child::{ChildRows, Ctx};
use chrono::{NaiveDate, Utc};
use repo::Writer;
use rng::{Rng, Stream};
use std::sync::Arc;
use std::time::Instant;
use timeline::{Frame, add_days};
use world::World;

/// Options of the `seed` subcommand.
#[derive(clap::Args, Debug)]
pub struct SeedArgs {
    #[command(flatten)]
    pub config: crate::config::Config,

    /// Size relative to England over ten years: 1 gives about 100,000 children, 1,000,000
    /// placements and 1,000,000 missing episodes in 153 LAs; 0.01 gives 1% of that.
    #[arg(long, default_value_t = 1.0)]
    pub scale: f64,

    /// Seed of the generator: the same seed (with the same scale, years and day) gives the same data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,

    /// Years of history, ending the day before `--today`.
    #[arg(long, default_value_t = 10)]
    pub years: u32,

    /// The day the data is as of, `YYYY-MM-DD` (default: today, UTC). Placements still open are
    /// open on this day; everything else happened before it.
    #[arg(long)]
    pub today: Option<NaiveDate>,

    /// Children generated and written per batch.
    #[arg(long, default_value_t = 1000, hide = true)]
    pub batch: usize,

    /// Print only the summary.
    #[arg(long)]
    pub quiet: bool,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// What the load produced, for the summary and the tests.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub backend: &'static str,
    pub children: u64,
    pub placements: u64,
    pub out_of_area: u64,
    pub open_placements: u64,
    pub legal_statuses: u64,
    pub episodes: u64,
    pub open_episodes: u64,
    pub notifications: u64,
    pub notifications_on_time: u64,
    pub notifications_acknowledged: u64,
    /// Episodes of each child, in child order.
    pub episodes_per_child: Vec<u32>,
    /// Id of the first child, to compare runs.
    pub first_child_id: String,
    /// Rows per table counted in the database after the load.
    pub tables: Vec<(&'static str, i64)>,
    /// Seconds to generate and write the rows, to rebuild and check indexes and foreign keys, to
    /// analyse, and in all (with setup).
    pub seconds_rows: f64,
    pub seconds_indexes: f64,
    pub seconds_analyze: f64,
    pub seconds_total: f64,
}

impl Summary {
    fn add(&mut self, rows: &ChildRows) {
        self.children += 1;
        self.placements += rows.placements.len() as u64;
        self.out_of_area += rows.placements.iter().filter(|p| p.host_area != p.placing_la).count() as u64;
        self.open_placements += rows.placements.iter().filter(|p| p.end_date.is_none()).count() as u64;
        self.legal_statuses += rows.legal.len() as u64;
        self.episodes += rows.episodes.len() as u64;
        self.open_episodes += rows.episodes.iter().filter(|e| e.ended_at.is_none()).count() as u64;
        self.notifications += rows.notifications.len() as u64;
        self.notifications_on_time += rows.notifications.iter().filter(|n| n.on_time == Some(true)).count() as u64;
        self.notifications_acknowledged +=
            rows.notifications.iter().filter(|n| n.acknowledged_at.is_some()).count() as u64;
        self.episodes_per_child.push(rows.episodes.len() as u32);
        if self.first_child_id.is_empty()
            && let Some(c) = &rows.child
        {
            self.first_child_id = c.id.to_string();
        }
    }

    /// Quantiles of episodes per child.
    pub fn episode_quantiles(&self) -> Vec<(&'static str, u32)> {
        let mut v = self.episodes_per_child.clone();
        v.sort_unstable();
        let q = |p: f64| v.get(((v.len().saturating_sub(1)) as f64 * p).round() as usize).copied().unwrap_or(0);
        vec![
            ("p50", q(0.5)),
            ("p75", q(0.75)),
            ("p90", q(0.9)),
            ("p95", q(0.95)),
            ("p99", q(0.99)),
            ("p99.9", q(0.999)),
            ("max", v.last().copied().unwrap_or(0)),
        ]
    }

    fn pct(part: u64, whole: u64) -> f64 {
        if whole == 0 { 0.0 } else { 100.0 * part as f64 / whole as f64 }
    }

    pub fn print(&self) {
        println!("\nSeeded {} in {:.1} s:", self.backend, self.seconds_total);
        for (table, n) in &self.tables {
            println!("  {table:<26} {n:>10}");
        }
        let missing = self.episodes_per_child.iter().filter(|n| **n > 0).count() as u64;
        println!(
            "  placements out of area     {:>9.1}%   still open {}",
            Self::pct(self.out_of_area, self.placements),
            self.open_placements
        );
        println!(
            "  children ever missing      {:>9.1}%   open episodes {}",
            Self::pct(missing, self.children),
            self.open_episodes
        );
        let q: Vec<String> = self.episode_quantiles().iter().map(|(k, v)| format!("{k} {v}")).collect();
        println!("  episodes per child         {}", q.join(", "));
        println!(
            "  notifications on time      {:>9.1}%   acknowledged {:.1}%",
            Self::pct(self.notifications_on_time, self.notifications),
            Self::pct(self.notifications_acknowledged, self.notifications)
        );
        println!(
            "  elapsed                    {:>9.1} s (rows {:.1} s, indexes and checks {:.1} s, analyse {:.1} s)",
            self.seconds_total, self.seconds_rows, self.seconds_indexes, self.seconds_analyze
        );
    }
}

/// Runs the `seed` subcommand.
pub fn run(args: SeedArgs) -> Result<(), Box<dyn std::error::Error>> {
    let summary = seed(args).map_err(|e| -> Box<dyn std::error::Error> { e.to_string().into() })?;
    summary.print();
    Ok(())
}

/// Sizes at a scale.
pub fn target_children(scale: f64) -> u64 {
    ((100_000.0 * scale).round() as u64).max(1)
}

fn target_episodes(scale: f64) -> f64 {
    1_000_000.0 * scale
}

/// Generates and writes the data; returns what was written.
pub fn seed(mut args: SeedArgs) -> Result<Summary, BoxError> {
    let t0 = Instant::now();
    if !(args.scale > 0.0 && args.scale <= 50.0) {
        return Err("--scale must be above 0 and at most 50".into());
    }
    if !(1..=30).contains(&args.years) {
        return Err("--years must be between 1 and 30".into());
    }
    let today = args.today.unwrap_or_else(|| Utc::now().date_naive());
    let start =
        today.checked_sub_months(chrono::Months::new(12 * args.years)).ok_or("--years reaches before the calendar")?;
    let say = |s: &str| {
        if !args.quiet {
            println!("{s}");
        }
    };

    // Migrate, seed the authorities and the signing key exactly as a server would.
    args.config.pool_size = 1;
    let url = args.config.database_url.clone();
    let state = AppState::open(args.config.clone(), Arc::new(SystemClock)).map_err(|e| e.to_string())?;
    let authorities = {
        let mut conn = state.pool.get()?;
        let (children, settings) = repo::counts(&mut conn)?;
        if children > 0 || settings > 0 {
            return Err(format!(
                "the database already has {children} children and {settings} settings; `seed` only fills an empty \
                 registry: use a new SQLite file or an empty PostgreSQL database"
            )
            .into());
        }
        let mut list: Vec<(String, String, String)> = crate::directory::repo::list_authorities(&mut conn, Some(today))
            .map_err(|e| format!("{e:?}"))?
            .into_iter()
            .map(|a| (a.code, a.dfe_code, a.name))
            .collect();
        list.sort();
        list
    };
    drop(state);

    let world = World::build(&authorities, args.scale, args.seed)?;
    let frame = Frame { seed: args.seed, start, today };
    let cal = crate::calendar::WorkingCalendar::england_and_wales();
    let n = target_children(args.scale);
    say(&format!(
        "Seeding {url}: scale {}, seed {}, {} to {} ({} LAs, {} providers, {} settings, {n} children)",
        args.scale,
        args.seed,
        start,
        add_days(today, -1),
        world.las.len(),
        world.providers.len(),
        world.settings.len(),
    ));

    // First pass: how prone each child is to going missing, to share out the episodes.
    let plans_started = Instant::now();
    let exposure: Vec<(f64, i64)> =
        (0..n).map(|i| timeline::plan(&frame, &world.child_la, i).0.exposure(today)).collect();
    let expected = share_episodes(&exposure, target_episodes(args.scale));
    say(&format!("  planned {n} children in {:.1} s", plans_started.elapsed().as_secs_f64()));

    let mut writer = Writer::open(&url)?;
    writer.begin()?;
    let registered = world::registered_on(start);
    let loaded = (|| -> Result<Summary, BoxError> {
        writer.write(&world.provider_rows(registered))?;
        writer.write(&world.setting_rows(registered))?;
        let ctx = Ctx { world: &world, frame, cal: &cal };
        generate_and_write(&ctx, &expected, args.batch.max(1), &mut writer, args.quiet)
    })();
    let mut summary = match loaded {
        Ok(s) => s,
        Err(e) => {
            writer.rollback();
            return Err(e);
        }
    };
    say("  indexing and checking");
    let indexing = Instant::now();
    if let Err(e) = writer.finish() {
        writer.rollback();
        return Err(e);
    }
    summary.seconds_indexes = indexing.elapsed().as_secs_f64();
    say("  analysing");
    let analysing = Instant::now();
    writer.analyze()?;
    summary.seconds_analyze = analysing.elapsed().as_secs_f64();
    summary.backend = writer.backend();
    for table in [
        "authorities",
        "providers",
        "settings",
        "children",
        "placements",
        "placement_legal_statuses",
        "missing_episodes",
        "notifications",
    ] {
        summary.tables.push((table, writer.count(table)?));
    }
    summary.seconds_total = t0.elapsed().as_secs_f64();
    Ok(summary)
}

/// Expected episodes per child: proportional to exposure, at most one every four days and 365 in
/// all, summing to `target` (as near as the caps allow).
fn share_episodes(exposure: &[(f64, i64)], target: f64) -> Vec<f64> {
    let total: f64 = exposure.iter().map(|(w, _)| w).sum();
    if total <= 0.0 {
        return vec![0.0; exposure.len()];
    }
    let cap = |days: i64| (days as f64 / 4.0).min(365.0);
    let mut scale = target / total;
    for _ in 0..8 {
        let got: f64 = exposure.iter().map(|(w, d)| (w * scale).min(cap(*d))).sum();
        if got <= 0.0 || (got - target).abs() < 0.5 {
            break;
        }
        scale *= target / got;
    }
    exposure.iter().map(|(w, d)| (w * scale).min(cap(*d))).collect()
}

/// Generates children in batches on a second thread and writes them as they come.
fn generate_and_write(
    ctx: &Ctx<'_>,
    expected: &[f64],
    batch: usize,
    writer: &mut Writer,
    quiet: bool,
) -> Result<Summary, BoxError> {
    let n = expected.len() as u64;
    let started = Instant::now();
    let mut summary = Summary::default();
    std::thread::scope(|scope| -> Result<(), BoxError> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Vec<ChildRows>, String>>(3);
        scope.spawn(move || {
            let mut from = 0u64;
            while from < n {
                let to = (from + batch as u64).min(n);
                let chunk: Result<Vec<ChildRows>, String> = (from..to)
                    .map(|i| {
                        let (plan, rng) = timeline::plan(&ctx.frame, &ctx.world.child_la, i);
                        let mut r = Rng::derive(ctx.frame.seed, Stream::Missing, i);
                        let episodes = r.round(expected[i as usize]);
                        ctx.build(&plan, rng, episodes).map_err(|e| format!("child {i}: {e}"))
                    })
                    .collect();
                let failed = chunk.is_err();
                if tx.send(chunk).is_err() || failed {
                    return;
                }
                from = to;
            }
        });
        let mut last_report = Instant::now();
        for chunk in rx {
            let chunk = chunk?;
            writer.write(chunk.iter().filter_map(|r| r.child.as_ref()))?;
            writer.write(chunk.iter().flat_map(|r| &r.placements))?;
            writer.write(chunk.iter().flat_map(|r| &r.legal))?;
            let episodes = chunk
                .iter()
                .flat_map(|r| {
                    r.episodes.iter().map(|episode| {
                        let placement = r.placements.iter().find(|p| p.id == episode.placement_id);
                        placement.map(|placement| repo::SeededEpisode { episode, placement }).ok_or_else(|| {
                            format!("episode {} names placement {} of another child", episode.id, episode.placement_id)
                        })
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            writer.write(&episodes)?;
            writer.write(chunk.iter().flat_map(|r| &r.notifications))?;
            for r in &chunk {
                summary.add(r);
            }
            if !quiet && (last_report.elapsed().as_secs_f64() > 5.0 || summary.children == n) {
                last_report = Instant::now();
                println!(
                    "  {:>7} / {n} children  {:>9} placements  {:>9} episodes  {:>8} notifications  {:>6.1} s",
                    summary.children,
                    summary.placements,
                    summary.episodes,
                    summary.notifications,
                    started.elapsed().as_secs_f64()
                );
            }
        }
        Ok(())
    })?;
    if summary.children != n {
        return Err(format!("generated {} of {n} children", summary.children).into());
    }
    summary.seconds_rows = started.elapsed().as_secs_f64();
    Ok(summary)
}
