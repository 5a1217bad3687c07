//! The fixed world the children live in: local authorities with real postcodes and the
//! distances between them, providers with their settings, and fostering and adoption agencies.

use super::names;
use super::repo::{ProviderRow, SettingRow};
use super::rng::{Cumulative, Rng, Stream};
use crate::geo::Geo;
use chrono::{Days, NaiveDate, NaiveDateTime};
use std::collections::HashSet;

/// Postcodes kept per LA for homes, carers and settings.
const POOL: usize = 4000;

/// Young offender institutions holding children (R5 placements go to the nearest).
const YOI_AREAS: &[&str] = &["E08000035", "E09000018", "E10000028", "E06000035"];

#[derive(Debug, Clone)]
pub struct La {
    pub code: String,
    pub dfe: String,
    pub name: String,
    /// Relative number of looked-after children: postcode sectors, with some local variation.
    pub size: f64,
    /// Real postcodes in the LA, spread across its sectors.
    pub pool: Vec<String>,
    /// URN of the LA's own fostering service.
    pub fostering_urn: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    Private,
    Voluntary,
    /// Run by the LA of this index.
    Council(usize),
}

#[derive(Debug, Clone)]
pub struct Provider {
    pub id: String,
    pub name: String,
    pub email: Option<String>,
    pub kind: ProviderKind,
}

#[derive(Debug, Clone)]
pub struct Setting {
    pub urn: String,
    pub provider: usize,
    pub name: String,
    pub place: &'static str,
    pub la: usize,
    pub postcode: String,
}

/// A fostering or adoption agency (not a setting: placements give the carers' postcode).
#[derive(Debug, Clone)]
pub struct Agency {
    pub urn: String,
    /// PR4 private or PR5 voluntary.
    pub provider_code: &'static str,
}

/// Settings offering one placement type, by LA.
#[derive(Debug, Default)]
pub struct SettingChoice {
    /// Settings in each LA.
    pub inside: Vec<Vec<usize>>,
    /// For each placing LA, settings elsewhere weighted by nearness.
    pub outside: Vec<Cumulative>,
    /// Settings of the type, in the order `outside` weighs them.
    pub all: Vec<usize>,
}

impl SettingChoice {
    pub fn pick_inside(&self, la: usize, rng: &mut Rng) -> Option<usize> {
        let list = self.inside.get(la)?;
        (!list.is_empty()).then(|| list[rng.below(list.len())])
    }
    pub fn pick_outside(&self, la: usize, rng: &mut Rng) -> Option<usize> {
        self.outside.get(la)?.pick(rng).and_then(|i| self.all.get(i).copied())
    }
}

pub struct World {
    pub las: Vec<La>,
    /// Miles between LAs (row-major, `las.len()` square).
    dist: Vec<f32>,
    /// LA of a child, by size.
    pub child_la: Cumulative,
    /// For each LA, the other LAs weighted by nearness (foster carers, family, hospitals).
    pub near: Vec<Cumulative>,
    pub providers: Vec<Provider>,
    pub settings: Vec<Setting>,
    pub homes: SettingChoice,
    pub secure: SettingChoice,
    pub supported: SettingChoice,
    pub fostering_agencies: Vec<Agency>,
    pub adoption_agencies: Vec<Agency>,
    /// For each LA, the young offender institution nearest to it (LA index and postcode).
    pub yoi: Vec<(usize, String)>,
    /// Real postcodes in Wales, for the few placements there.
    pub wales: Vec<String>,
}

/// Sizes of the generated directory at a scale.
pub struct DirectorySize {
    pub providers: usize,
    pub settings: usize,
    pub fostering_agencies: usize,
}

impl DirectorySize {
    pub fn at(scale: f64) -> DirectorySize {
        let n = |x: f64, min: usize| ((x * scale).round() as usize).max(min);
        DirectorySize { providers: n(1000.0, 4), settings: n(3500.0, 12), fostering_agencies: n(300.0, 3) }
    }
}

fn unique_urn(rng: &mut Rng, used: &mut HashSet<String>, seven_digits: bool) -> String {
    loop {
        let urn = if seven_digits {
            format!("{}", rng.int(2_000_000, 2_999_999))
        } else {
            format!("SC{:06}", rng.int(10_000, 999_999))
        };
        if used.insert(urn.clone()) {
            return urn;
        }
    }
}

fn slug(name: &str) -> String {
    name.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase()
}

impl World {
    pub fn miles(&self, a: usize, b: usize) -> f64 {
        let n = self.las.len();
        f64::from(self.dist.get(a * n + b).copied().unwrap_or(0.0))
    }

    /// Builds the world for `authorities` (code, DfE code, name) of the current LAs.
    pub fn build(
        authorities: &[(String, String, String)],
        scale: f64,
        seed: u64,
    ) -> Result<World, Box<dyn std::error::Error + Send + Sync>> {
        let geo = Geo::global();
        let mut rng = Rng::derive(seed, Stream::World, 0);
        let mut used_urns = HashSet::new();
        let mut las = Vec::with_capacity(authorities.len());
        for (i, (code, dfe, name)) in authorities.iter().enumerate() {
            let pool: Vec<String> = geo.sample(code, POOL, seed.wrapping_add(i as u64 * 7919));
            if pool.is_empty() {
                continue;
            }
            // The first round of the sample takes one postcode per sector: count the sectors.
            let sectors: HashSet<&str> = pool.iter().map(|p| &p[..p.len() - 2]).collect();
            let size = sectors.len() as f64 * rng.lognormal(1.0, 0.25);
            let fostering_urn = unique_urn(&mut rng, &mut used_urns, false);
            las.push(La { code: code.clone(), dfe: dfe.clone(), name: name.clone(), size, pool, fostering_urn });
        }
        if las.is_empty() {
            return Err("no current local authority has postcodes in the directory".into());
        }
        let n = las.len();
        let mut dist = vec![0f32; n * n];
        for a in 0..n {
            for b in (a + 1)..n {
                let k = las[a].pool.len().min(las[b].pool.len()).min(4);
                let sum: f64 = (0..k).filter_map(|i| geo.distance_miles(&las[a].pool[i], &las[b].pool[i])).sum::<f64>();
                let d = (sum / k.max(1) as f64) as f32;
                dist[a * n + b] = d;
                dist[b * n + a] = d;
            }
        }
        let child_la = Cumulative::new(las.iter().map(|l| l.size));
        let mean_size = las.iter().map(|l| l.size).sum::<f64>() / n as f64;
        let near = (0..n)
            .map(|a| {
                Cumulative::new((0..n).map(|b| {
                    if a == b {
                        0.0
                    } else {
                        let d = f64::from(dist[a * n + b]);
                        (-d / 20.0).exp() * (las[b].size / mean_size).sqrt() + 0.004 * las[b].size / mean_size
                    }
                }))
            })
            .collect();
        let mut world = World {
            las,
            dist,
            child_la,
            near,
            providers: Vec::new(),
            settings: Vec::new(),
            homes: SettingChoice::default(),
            secure: SettingChoice::default(),
            supported: SettingChoice::default(),
            fostering_agencies: Vec::new(),
            adoption_agencies: Vec::new(),
            yoi: Vec::new(),
            wales: geo.sample("WAL", 500, seed),
        };
        world.directory(&mut rng, &mut used_urns, DirectorySize::at(scale))?;
        world.yoi = (0..n)
            .map(|a| {
                let best = (0..n)
                    .filter(|&b| YOI_AREAS.contains(&world.las[b].code.as_str()))
                    .min_by(|&x, &y| world.miles(a, x).total_cmp(&world.miles(a, y)))
                    .unwrap_or(a);
                (best, world.las[best].pool[0].clone())
            })
            .collect();
        Ok(world)
    }

    /// Providers, their settings and the agencies.
    fn directory(
        &mut self,
        rng: &mut Rng,
        used: &mut HashSet<String>,
        size: DirectorySize,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let n = self.las.len();
        // Children's homes cluster where property is cheaper: a local density per LA.
        let density: Vec<f64> = self.las.iter().map(|l| l.size * rng.lognormal(1.0, 0.9)).collect();
        let by_density = Cumulative::new(density.iter().copied());

        // Councils running homes (about one in seven providers), then independent providers.
        let councils = (size.providers / 7).clamp(1, n);
        let mut council_of_la = vec![None; n];
        while self.providers.len() < councils {
            let Some(la) = self.child_la.pick(rng) else { break };
            if council_of_la[la].is_some() {
                continue;
            }
            council_of_la[la] = Some(self.providers.len());
            let name = format!("{} Council", self.las[la].name);
            let email = Some(format!("placements@{}.gov.example", slug(&self.las[la].name)));
            self.providers.push(Provider { id: rng.uuid(), name, email, kind: ProviderKind::Council(la) });
        }
        let mut base = Vec::new();
        let mut weight = Vec::new();
        for _ in 0..self.providers.len() {
            base.push(0);
            weight.push(0.0);
        }
        for (i, p) in self.providers.iter().enumerate() {
            if let ProviderKind::Council(la) = p.kind {
                base[i] = la;
                weight[i] = rng.pareto(1.0, 1.6).min(15.0);
            }
        }
        while self.providers.len() < size.providers {
            let voluntary = rng.chance(0.12);
            let word = rng.pick(names::PROVIDER_WORDS);
            let name = if voluntary {
                format!("{word} {}", rng.pick(names::VOLUNTARY_SUFFIX))
            } else {
                format!("{word} {}", rng.pick(names::PROVIDER_SUFFIX))
            };
            let email = rng.chance(0.8).then(|| format!("referrals@{}.example", slug(&name)));
            let kind = if voluntary { ProviderKind::Voluntary } else { ProviderKind::Private };
            self.providers.push(Provider { id: rng.uuid(), name, email, kind });
            base.push(by_density.pick(rng).unwrap_or(0));
            // A few large groups and many small companies.
            weight.push(rng.pareto(1.0, 1.15).min(200.0));
        }

        // Settings: secure homes (K1, run by councils), supported accommodation (K3) and
        // children's homes (K2). Every provider gets at least one.
        let secure = ((size.settings as f64 * 0.004).round() as usize).max(1);
        let supported = (size.settings as f64 * 0.12).round() as usize;
        let independent = Cumulative::new(
            self.providers.iter().zip(&weight).map(|(p, w)| if p.kind == ProviderKind::Private { *w } else { 0.0 }),
        );
        let any_provider = Cumulative::new(weight.iter().copied());
        let council_ids: Vec<usize> = (0..councils.min(self.providers.len())).collect();
        for i in 0..size.settings {
            let (place, provider) = if i < self.providers.len() {
                let place = if matches!(self.providers[i].kind, ProviderKind::Private) && rng.chance(0.12) {
                    "K3"
                } else {
                    "K2"
                };
                (place, i)
            } else if i < self.providers.len() + secure {
                ("K1", council_ids[rng.below(council_ids.len())])
            } else if i < self.providers.len() + secure + supported {
                ("K3", independent.pick(rng).unwrap_or(0))
            } else {
                ("K2", any_provider.pick(rng).unwrap_or(0))
            };
            let la = match self.providers[provider].kind {
                ProviderKind::Council(la) => la,
                _ => {
                    // Near the provider's base.
                    let b = base[provider];
                    let near = Cumulative::new((0..n).map(|x| {
                        density[x] * (-self.miles(b, x) / 25.0).exp() + if x == b { density[x] } else { 0.0 }
                    }));
                    near.pick(rng).unwrap_or(b)
                }
            };
            let Some(postcode) = self.postcode_in(la, rng) else { continue };
            let word = rng.pick(names::PLACE_WORDS);
            let name = match place {
                "K1" => format!("{word} Secure Children's Home"),
                "K3" => format!("{word} {} Supported Living", rng.pick(names::HOME_SUFFIX)),
                _ => format!("{word} {}", rng.pick(names::HOME_SUFFIX)),
            };
            let seven = place == "K3" || rng.chance(0.3);
            let urn = unique_urn(rng, used, seven);
            self.settings.push(Setting { urn, provider, name, place, la, postcode });
        }
        self.homes = self.choice("K2", 60.0);
        self.secure = self.choice("K1", 150.0);
        self.supported = self.choice("K3", 40.0);

        for _ in 0..size.fostering_agencies {
            let provider_code = if rng.chance(0.15) { "PR5" } else { "PR4" };
            let seven = rng.chance(0.2);
            self.fostering_agencies.push(Agency { urn: unique_urn(rng, used, seven), provider_code });
        }
        for _ in 0..(size.fostering_agencies / 10).max(1) {
            self.adoption_agencies.push(Agency { urn: unique_urn(rng, used, false), provider_code: "PR5" });
        }
        Ok(())
    }

    fn choice(&self, place: &str, scale_miles: f64) -> SettingChoice {
        let n = self.las.len();
        let all: Vec<usize> = (0..self.settings.len()).filter(|&s| self.settings[s].place == place).collect();
        let mut inside = vec![Vec::new(); n];
        for &s in &all {
            inside[self.settings[s].la].push(s);
        }
        let outside = (0..n)
            .map(|a| {
                Cumulative::new(all.iter().map(|&s| {
                    let b = self.settings[s].la;
                    if a == b { 0.0 } else { (-self.miles(a, b) / scale_miles).exp() + 0.03 }
                }))
            })
            .collect();
        SettingChoice { inside, outside, all }
    }

    /// A real postcode in LA `la` whose area the directory confirms.
    pub fn postcode_in(&self, la: usize, rng: &mut Rng) -> Option<String> {
        let l = self.las.get(la)?;
        for _ in 0..8 {
            let pc = rng.pick(&l.pool);
            if Geo::global().lookup(pc).is_some_and(|a| a.code() == l.code) {
                return Some(pc.clone());
            }
        }
        None
    }

    pub fn provider_rows(&self, registered: NaiveDateTime) -> Vec<ProviderRow> {
        self.providers
            .iter()
            .enumerate()
            .map(|(i, p)| ProviderRow {
                id: p.id.clone(),
                name: p.name.clone(),
                contact_email: p.email.clone(),
                created_at: registered + chrono::TimeDelta::minutes(i as i64),
            })
            .collect()
    }

    pub fn setting_rows(&self, registered: NaiveDateTime) -> Vec<SettingRow> {
        self.settings
            .iter()
            .enumerate()
            .map(|(i, s)| SettingRow {
                urn: s.urn.clone(),
                provider_id: self.providers[s.provider].id.clone(),
                name: s.name.clone(),
                place: s.place,
                host_area: self.las[s.la].code.clone(),
                postcode: s.postcode.clone(),
                created_at: registered + chrono::TimeDelta::minutes(60 + i as i64),
            })
            .collect()
    }
}

/// The day the directory was registered: before the history starts.
pub fn registered_on(history_start: NaiveDate) -> NaiveDateTime {
    history_start.checked_sub_days(Days::new(30)).unwrap_or(history_start).and_hms_opt(9, 0, 0).unwrap_or_default()
}
