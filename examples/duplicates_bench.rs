//! Precision and recall of the duplicate detector on labelled synthetic pairs of child records
//! (`seed::pairs`): one child recorded twice with the slips people make, and distinct children
//! who share a birthday or a similar name.
//!
//! Run with `bench/duplicates.sh` (`cargo run --example duplicates_bench -- [PAIRS] [SEED]`).

use placement_registry::seed::pairs;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let list = pairs::generate(seed, n);
    let m = pairs::measure(&list);
    println!(
        "{n} pairs (seed {seed}): {} one child twice, {} distinct children",
        m.true_positives + m.false_negatives,
        m.false_positives + m.true_negatives
    );
    println!();
    println!("| records | kind | pairs | flagged |");
    println!("|---|---|---|---|");
    for t in &m.kinds {
        let what = if t.duplicate { "one child" } else { "distinct" };
        println!(
            "| {what} | `{}` | {} | {} ({:.1} %) |",
            t.kind,
            t.pairs,
            t.flagged,
            100.0 * t.flagged as f64 / t.pairs as f64
        );
    }
    println!();
    println!(
        "true positives {}, false positives {}, false negatives {}, true negatives {}",
        m.true_positives, m.false_positives, m.false_negatives, m.true_negatives
    );
    println!("precision {:.1} %, recall {:.1} %", 100.0 * m.precision(), 100.0 * m.recall());
}
