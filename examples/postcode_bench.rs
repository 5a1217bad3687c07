//! Times postcode lookups against the embedded directory and reports its memory cost.
//!
//! Run with `bench/postcodes.sh` (`cargo run --release --example postcode_bench`).

use std::hint::black_box;
use std::time::Instant;

use placement_registry::geo::Geo;

const LOOKUPS: usize = 1_000_000;

/// Areas to draw real postcodes from: English authorities of every type plus the other nations.
const AREAS: &[&str] = &[
    "E08000039", // Sheffield
    "E09000033", // Westminster
    "E09000019", // Islington
    "E08000003", // Manchester
    "E08000025", // Birmingham
    "E08000035", // Leeds
    "E06000052", // Cornwall
    "E06000063", // Cumberland
    "E06000060", // Buckinghamshire
    "E10000014", // Hampshire
    "E10000016", // Kent
    "E10000015", // Hertfordshire
    "E10000034", // Worcestershire
    "E06000057", // Northumberland
    "WAL",
    "SCO",
    "NIR",
];

/// VmRSS of this process in kB, from /proc/self/status (None off Linux).
fn rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn show(kb: Option<u64>) -> String {
    kb.map_or_else(|| "n/a".to_owned(), |kb| format!("{kb} kB"))
}

fn main() {
    let data_path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/geo/postcodes.bin");
    let data_size = std::fs::metadata(data_path).map(|m| m.len()).ok();

    let before = rss_kb();
    let start = Instant::now();
    let geo = Geo::global();
    let load = start.elapsed();
    let after_load = rss_kb();

    // A mix of real postcodes in assorted spellings, units that do not exist and junk.
    let mut mix: Vec<String> = Vec::new();
    for (i, area) in AREAS.iter().enumerate() {
        for (j, postcode) in geo.sample(area, 600, i as u64).into_iter().enumerate() {
            mix.push(match j % 4 {
                0 => postcode.to_lowercase(),
                1 => postcode.replace(' ', ""),
                _ => postcode,
            });
        }
    }
    let real = mix.len();
    for i in 0..real / 10 {
        let p = &mix[i * 7 % real];
        let compact: String = p.chars().filter(|c| !c.is_whitespace()).collect();
        let outward = &compact[..compact.len() - 3];
        mix.push(format!("{outward} 9CI")); // no such unit
    }
    mix.extend(["ZZ9 9ZZ", "not a postcode", "", "SW1A1AAA"].map(String::from));
    // Interleave so consecutive lookups hit different sectors.
    let n = mix.len();
    let order: Vec<usize> = (0..n).map(|i| i * 7919 % n).collect();
    let after_inputs = rss_kb();

    let mut found = 0usize;
    let start = Instant::now();
    for i in 0..LOOKUPS {
        if black_box(geo.lookup(black_box(&mix[order[i % n]]))).is_some() {
            found += 1;
        }
    }
    let elapsed = start.elapsed();
    let after_lookups = rss_kb();

    println!("postcodes in directory: {}", geo.len());
    println!("data size:              {}", data_size.map_or_else(|| "n/a".to_owned(), |b| format!("{b} bytes")));
    println!("first load (parse):     {:.1} us", load.as_secs_f64() * 1e6);
    println!("VmRSS before loading:   {}", show(before));
    println!("VmRSS after loading:    {}", show(after_load));
    println!("VmRSS inputs prepared:  {}", show(after_inputs));
    println!("VmRSS after lookups:    {}", show(after_lookups));
    println!(
        "lookups:                {LOOKUPS} over {n} distinct inputs, {found} found, {:.1} ns/lookup",
        elapsed.as_secs_f64() * 1e9 / LOOKUPS as f64
    );
}
