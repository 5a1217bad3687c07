//! UK postcode directory: which local authority area a postcode is in, and how far apart two
//! postcodes are.
//!
//! The directory is embedded in the binary (`data/geo/postcodes.bin`, about 1 MB, built by
//! `tools/build_postcodes.py` from the ONS Postcode Directory) and read in place, so it costs
//! little resident memory and a lookup takes well under a microsecond. For every postcode
//! sector (outward code plus the inward digit, e.g. `S1 1`) the table holds a bitmap of which
//! unit letter pairs exist, the sector's mean grid reference and its majority area, plus a
//! sorted list of the units whose area differs from the majority.
//!
//! Contains OS data © Crown copyright and database right; contains Royal Mail data © Royal Mail
//! copyright and database right; source: Office for National Statistics. Open Government
//! Licence v3.0.

mod postcode;
mod table;
#[cfg(test)]
mod tests;

use std::sync::OnceLock;

use postcode::Postcode;
use table::Table;

/// The embedded postcode table.
static DATA: &[u8] = include_bytes!("../../data/geo/postcodes.bin");

/// Metres in a mile, as used by DfE for placement distances.
const METRES_PER_MILE: f64 = 1609.3;

/// Where a postcode is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Area {
    /// An English upper-tier local authority, by ONS code (e.g. `E08000019`).
    England(String),
    Wales,
    Scotland,
    NorthernIreland,
}

impl Area {
    /// ONS code for England, or "WAL", "SCO", "NIR".
    pub fn code(&self) -> &str {
        match self {
            Area::England(code) => code,
            Area::Wales => "WAL",
            Area::Scotland => "SCO",
            Area::NorthernIreland => "NIR",
        }
    }

    /// Inverse of [`Area::code`]: `E` plus eight digits is England; "WAL", "SCO" and "NIR" are
    /// the other nations; anything else is `None`.
    pub fn from_code(code: &str) -> Option<Area> {
        match code {
            "WAL" => Some(Area::Wales),
            "SCO" => Some(Area::Scotland),
            "NIR" => Some(Area::NorthernIreland),
            _ => {
                let digits = code.strip_prefix('E')?;
                (digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| Area::England(code.to_owned()))
            }
        }
    }
}

/// Uppercases, removes all whitespace, and re-inserts one space before the last three
/// characters; `None` unless the result has the UK postcode shape (outward code of one or two
/// letters, a digit, and optionally a digit or letter; inward code of a digit and two letters).
/// The historic Newport outward code `NPT`, which the directory still lists, is also accepted.
pub fn normalise(input: &str) -> Option<String> {
    Postcode::parse(input).map(Postcode::to_normal_string)
}

/// The postcode directory.
#[derive(Debug)]
pub struct Geo {
    table: Table,
}

impl Geo {
    /// The embedded lookup, parsed on first use.
    pub fn global() -> &'static Geo {
        static GLOBAL: OnceLock<Geo> = OnceLock::new();
        GLOBAL.get_or_init(|| {
            let table = Table::parse(DATA).unwrap_or_else(|err| {
                // Only reachable if the embedded file is corrupt, which the tests rule out;
                // degrade to an empty directory rather than abort the server.
                eprintln!("geo: embedded postcode table unreadable ({}); postcode lookups disabled", err.0);
                Table::empty()
            });
            Geo { table }
        })
    }

    /// Area of a postcode (any spacing/case accepted; normalised first). `None` when the
    /// postcode does not exist in the directory.
    pub fn lookup(&self, postcode: &str) -> Option<Area> {
        let postcode = Postcode::parse(postcode)?;
        let t = &self.table;
        let sector = t.find_sector(postcode.sector_key())?;
        let pair = t.pair_index(postcode.unit_letters())?;
        let area = t.unit_area(sector, pair)?;
        t.areas.get(area).cloned()
    }

    /// Straight-line distance in miles between two postcodes using their sectors' mean grid
    /// references: sqrt(dE² + dN²) / 1609.3, rounded to one decimal place. `None` if either
    /// postcode is malformed or its sector is unknown. Only the sector has to exist, not the
    /// unit. Northern Ireland sectors are on the Irish Grid, as in the ONS directory, so a
    /// distance between Northern Ireland and Great Britain is not meaningful.
    pub fn distance_miles(&self, a: &str, b: &str) -> Option<f64> {
        let grid = |postcode: &str| {
            let key = Postcode::parse(postcode)?.sector_key();
            self.table.grid(self.table.find_sector(key)?)
        };
        let (ea, na) = grid(a)?;
        let (eb, nb) = grid(b)?;
        let de = f64::from(ea) - f64::from(eb);
        let dn = f64::from(na) - f64::from(nb);
        let miles = (de * de + dn * dn).sqrt() / METRES_PER_MILE;
        Some((miles * 10.0).round() / 10.0)
    }

    /// Number of postcodes in the directory.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// Whether the directory is empty (only if the embedded table could not be read).
    pub fn is_empty(&self) -> bool {
        self.table.len() == 0
    }

    /// Deterministic pick of up to `n` real postcodes in the given area (area code as in
    /// [`Area::code`]), spread across its sectors, using `seed`; for generating demo data.
    ///
    /// The area's sectors are visited in a seeded random order, taking one random unit of the
    /// area from each sector per round, so up to the number of sectors every postcode comes from
    /// a different sector. Returns fewer than `n` only when the area has fewer postcodes, and
    /// nothing for an unknown area code.
    pub fn sample(&self, area_code: &str, n: usize, seed: u64) -> Vec<String> {
        let t = &self.table;
        let Some(area) = t.areas.iter().position(|a| a.code() == area_code) else {
            return Vec::new();
        };
        let mut rng = SplitMix64(seed);

        let mut sectors: Vec<usize> = (0..t.sector_count())
            .filter(|&s| {
                t.majority(s) == Some(area)
                    || t.exceptions(s).is_some_and(|mut r| r.any(|i| t.exception(i).is_some_and(|(_, a)| a == area)))
            })
            .collect();
        rng.shuffle(&mut sectors);

        // Units of the area in each sector, shuffled when the sector is first visited.
        let mut units: Vec<Option<Vec<u16>>> = vec![None; sectors.len()];
        let mut picked = Vec::with_capacity(n.min(4096));
        let mut round = 0;
        while picked.len() < n {
            let mut any = false;
            for (slot, &sector) in units.iter_mut().zip(&sectors) {
                if picked.len() == n {
                    break;
                }
                let list = slot.get_or_insert_with(|| {
                    let mut list: Vec<u16> = t
                        .units(sector)
                        .filter(|&p| t.unit_area(sector, p) == Some(area))
                        .filter_map(|p| u16::try_from(p).ok())
                        .collect();
                    rng.shuffle(&mut list);
                    list
                });
                if let Some(&pair) = list.get(round) {
                    any = true;
                    if let Some(key) = t.sector_key(sector) {
                        let mut s = String::with_capacity(8);
                        postcode::push_sector(&mut s, key);
                        s.extend(t.pair_letters(usize::from(pair)));
                        picked.push(s);
                    }
                }
            }
            if !any {
                break;
            }
            round += 1;
        }
        picked
    }
}

/// Small deterministic generator (SplitMix64) for [`Geo::sample`].
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform-enough index below `n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}
