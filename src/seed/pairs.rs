//! Labelled pairs of child records for measuring the duplicate detector
//! (`children::matching::possible_duplicate`): half are one child recorded twice with the slips
//! people make, half are two children who share a birthday or a similar name. Deterministic for a
//! seed. `bench/duplicates.sh` prints the figures; a unit test holds them above 95 %.
//!
//! One child recorded twice (`duplicate`), each pair one kind, in equal shares:
//! - `typo`: one keyboard slip (a neighbouring key, a letter left out, doubled, or two letters
//!   swapped) in the given or the family name;
//! - `typos_both`: a slip in each name;
//! - `nickname`: the given name written as another form of it (Kate for Katherine);
//! - `spelling`: the given name written another way that sounds the same (Rubie for Ruby,
//!   Stephen for Steven, Hannah for Hana);
//! - `dob_swapped`: day and month of the date of birth swapped;
//! - `dob_digit`: one digit of the date of birth wrong;
//! - `name_and_dob`: a nickname, another spelling or a slip in one name and a date slip;
//! - `layout`: the same names laid out differently: case, spaces, accents dropped, a middle name
//!   on one side, one part of a double-barrelled family name, given and family swapped.
//!
//! Either side may lack the NHS number; one in twenty has sex unknown (`U`) on one side.
//!
//! Two children (`distinct`):
//! - `same_birthday`: any two children born the same day;
//! - `twins`: born the same day with the same family name and different given names;
//! - `same_birthday_given`: the same day and the same given name;
//! - `same_name`: the same names, born on unrelated days;
//! - `similar_name`: a nickname, another spelling or a slip of the name, born on unrelated days;
//! - `siblings`: the same family name, born one to six years apart.

use super::names::{FAMILY, GIVEN_F, GIVEN_M};
use super::rng::{Rng, Stream};
use crate::children::matching::{Identity, possible_duplicate};
use crate::children::nicknames::GROUPS;
use chrono::{Datelike, NaiveDate, TimeDelta};

/// One child's record as a pair shows it.
#[derive(Debug, Clone)]
pub struct Person {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub sex: &'static str,
    pub nhs_number: Option<String>,
}

impl Person {
    pub fn identity(&self) -> Identity<'_> {
        Identity {
            given_name: &self.given_name,
            family_name: &self.family_name,
            date_of_birth: self.date_of_birth,
            sex: self.sex,
            nhs_number: self.nhs_number.as_deref(),
        }
    }
}

/// Two records and whether they are one child.
#[derive(Debug, Clone)]
pub struct Pair {
    pub a: Person,
    pub b: Person,
    pub duplicate: bool,
    pub kind: &'static str,
}

pub const DUPLICATE_KINDS: &[&str] =
    &["typo", "typos_both", "nickname", "spelling", "dob_swapped", "dob_digit", "name_and_dob", "layout"];
pub const DISTINCT_KINDS: &[&str] =
    &["same_birthday", "twins", "same_birthday_given", "same_name", "similar_name", "siblings"];

const KEYBOARD: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];

/// A key next to `c` on a UK keyboard (same row).
fn neighbour(rng: &mut Rng, c: char) -> char {
    for row in KEYBOARD {
        if let Some(i) = row.find(c) {
            let row: Vec<char> = row.chars().collect();
            let left = i.checked_sub(1).map(|j| row[j]);
            let right = row.get(i + 1).copied();
            return match (left, right) {
                (Some(l), Some(r)) => {
                    if rng.chance(0.5) {
                        l
                    } else {
                        r
                    }
                }
                (Some(l), None) => l,
                (None, Some(r)) => r,
                (None, None) => c,
            };
        }
    }
    c
}

/// One keyboard slip in a name, keeping its first letter.
fn typo(rng: &mut Rng, name: &str) -> String {
    let mut cs: Vec<char> = name.chars().collect();
    if cs.len() < 3 {
        return name.to_string();
    }
    let i = 1 + rng.below(cs.len() - 1);
    match rng.below(4) {
        0 => {
            let lower = cs[i].to_ascii_lowercase();
            cs[i] = neighbour(rng, lower);
        }
        1 => {
            cs.remove(i);
        }
        2 => cs.insert(i, cs[i]),
        _ => {
            if i + 1 < cs.len() {
                cs.swap(i, i + 1);
            } else {
                cs.swap(i - 1, i);
            }
        }
    }
    cs.into_iter().collect()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Another spelling of a given name that sounds the same, when one of the usual ones applies.
fn respell(rng: &mut Rng, name: &str) -> Option<String> {
    let n = name.to_lowercase();
    let mut options: Vec<String> = Vec::new();
    for (from, to) in [("ie", "y"), ("y", "ie"), ("y", "ey"), ("ey", "ie"), ("ee", "ie"), ("i", "ie"), ("ah", "a")] {
        if n.ends_with(from) && n.len() > from.len() + 1 {
            options.push(format!("{}{to}", &n[..n.len() - from.len()]));
        }
    }
    if n.ends_with('a') && !n.ends_with("ah") {
        options.push(format!("{n}h"));
    }
    for (from, to) in
        [("ph", "f"), ("f", "ph"), ("ck", "k"), ("c", "k"), ("k", "c"), ("v", "ph"), ("z", "s"), ("s", "z")]
    {
        if let Some(i) = n[1..].find(from) {
            let i = i + 1;
            options.push(format!("{}{to}{}", &n[..i], &n[i + from.len()..]));
        }
    }
    let cs: Vec<char> = n.chars().collect();
    for i in 1..cs.len().saturating_sub(1) {
        if cs[i] == cs[i + 1] && !"aeiou".contains(cs[i]) {
            let mut single = cs.clone();
            single.remove(i);
            options.push(single.into_iter().collect());
        }
    }
    options.retain(|o| *o != n);
    if options.is_empty() { None } else { Some(capitalise(rng.pick::<String>(&options))) }
}

/// Another form of a given name from the nickname table, when it has one.
fn nickname(rng: &mut Rng, name: &str) -> Option<String> {
    let n = name.to_lowercase();
    let others: Vec<&str> =
        GROUPS.iter().filter(|g| g.contains(&n.as_str())).flat_map(|g| g.iter().copied()).filter(|o| *o != n).collect();
    if others.is_empty() { None } else { Some(capitalise(rng.pick::<&str>(others.as_slice()))) }
}

fn given_pool() -> Vec<(&'static str, &'static str)> {
    let mut pool: Vec<(&str, &str)> =
        GIVEN_F.iter().map(|g| (*g, "F")).chain(GIVEN_M.iter().map(|g| (*g, "M"))).collect();
    // Formal names of the nickname table, so that its variants are drawn as often as any name.
    let boys_from = GROUPS.iter().position(|g| g.first() == Some(&"sean")).unwrap_or(GROUPS.len());
    for (i, g) in GROUPS.iter().enumerate() {
        if let Some(first) = g.first() {
            pool.push((*first, if i < boys_from { "F" } else { "M" }));
        }
    }
    pool
}

fn birth_date(rng: &mut Rng) -> NaiveDate {
    let start = NaiveDate::from_ymd_opt(2008, 1, 1).unwrap_or(NaiveDate::MIN);
    start + TimeDelta::days(rng.int(0, 18 * 365))
}

/// An NHS number shaped string for one child (the detector only compares them).
fn nhs(rng: &mut Rng) -> Option<String> {
    rng.chance(0.5).then(|| format!("{:010}", rng.int(4_000_000_000, 9_999_999_999)))
}

fn person(rng: &mut Rng, pool: &[(&'static str, &'static str)]) -> Person {
    let (given, sex) = *rng.pick(pool);
    Person {
        given_name: capitalise(given),
        family_name: (*rng.pick(FAMILY)).to_string(),
        date_of_birth: birth_date(rng),
        sex,
        nhs_number: nhs(rng),
    }
}

fn swapped(d: NaiveDate) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(d.year(), d.day(), d.month()).filter(|s| *s != d)
}

fn one_digit(rng: &mut Rng, d: NaiveDate) -> NaiveDate {
    let s = d.format("%Y%m%d").to_string();
    for _ in 0..50 {
        let pos = 2 + rng.below(6); // the century is never mistyped
        let mut b = s.clone().into_bytes();
        b[pos] = b'0' + rng.below(10) as u8;
        let t = String::from_utf8_lossy(&b).to_string();
        if let Ok(alt) = NaiveDate::parse_from_str(&t, "%Y%m%d")
            && alt != d
        {
            return alt;
        }
    }
    d
}

/// A slip in the date of birth: swapped when day and month can be, else a digit.
fn date_slip(rng: &mut Rng, d: NaiveDate) -> NaiveDate {
    match swapped(d) {
        Some(s) if rng.chance(0.4) => s,
        _ => one_digit(rng, d),
    }
}

/// A variant of the given name: a nickname, another spelling or a slip.
fn given_variant(rng: &mut Rng, given: &str) -> String {
    let choice = rng.below(3);
    let v = match choice {
        0 => nickname(rng, given),
        1 => respell(rng, given),
        _ => None,
    };
    v.unwrap_or_else(|| typo(rng, given))
}

fn layout(rng: &mut Rng, p: &Person) -> Person {
    let mut b = p.clone();
    match rng.below(6) {
        0 => {
            b.given_name = b.given_name.to_uppercase();
            b.family_name = b.family_name.to_uppercase();
        }
        1 => b.given_name = format!(" {} ", b.given_name.replace('e', "é")),
        2 => {
            let middle = capitalise(rng.pick::<&str>(GIVEN_M));
            b.given_name = format!("{} {middle}", b.given_name);
        }
        3 => b.family_name = format!("{}-{}", b.family_name, rng.pick(FAMILY)),
        4 => std::mem::swap(&mut b.given_name, &mut b.family_name),
        _ => b.family_name = b.family_name.to_lowercase(),
    }
    b
}

fn duplicate(rng: &mut Rng, kind: &'static str, pool: &[(&'static str, &'static str)]) -> Pair {
    let mut a = person(rng, pool);
    let mut b = a.clone();
    match kind {
        "typo" => {
            if rng.chance(0.5) {
                b.given_name = typo(rng, &a.given_name);
            } else {
                b.family_name = typo(rng, &a.family_name);
            }
        }
        "typos_both" => {
            b.given_name = typo(rng, &a.given_name);
            b.family_name = typo(rng, &a.family_name);
        }
        "nickname" => {
            // A child whose name has other forms.
            while nickname(rng, &a.given_name).is_none() {
                a.given_name = capitalise(rng.pick(pool).0);
            }
            b = a.clone();
            b.given_name = nickname(rng, &a.given_name).unwrap_or_default();
        }
        "spelling" => {
            while respell(rng, &a.given_name).is_none() {
                a.given_name = capitalise(rng.pick(pool).0);
            }
            b = a.clone();
            b.given_name = respell(rng, &a.given_name).unwrap_or_default();
        }
        "dob_swapped" => {
            while swapped(a.date_of_birth).is_none() {
                a.date_of_birth = birth_date(rng);
            }
            b = a.clone();
            b.date_of_birth = swapped(a.date_of_birth).unwrap_or(a.date_of_birth);
        }
        "dob_digit" => b.date_of_birth = one_digit(rng, a.date_of_birth),
        "name_and_dob" => {
            if rng.chance(0.7) {
                b.given_name = given_variant(rng, &a.given_name);
            } else {
                b.family_name = typo(rng, &a.family_name);
            }
            b.date_of_birth = date_slip(rng, a.date_of_birth);
        }
        _ => b = layout(rng, &a),
    }
    if a.nhs_number.is_some() && rng.chance(0.5) {
        b.nhs_number = None;
    }
    if rng.chance(0.05) {
        b.sex = "U";
    }
    Pair { a, b, duplicate: true, kind }
}

fn distinct(rng: &mut Rng, kind: &'static str, pool: &[(&'static str, &'static str)]) -> Pair {
    let a = person(rng, pool);
    let mut b = person(rng, pool);
    match kind {
        "same_birthday" => b.date_of_birth = a.date_of_birth,
        "twins" => {
            b.date_of_birth = a.date_of_birth;
            b.family_name = a.family_name.clone();
            while b.given_name.eq_ignore_ascii_case(&a.given_name) {
                let (g, s) = *rng.pick(pool);
                b.given_name = capitalise(g);
                b.sex = s;
            }
        }
        "same_birthday_given" => {
            b.date_of_birth = a.date_of_birth;
            b.given_name = a.given_name.clone();
            b.sex = a.sex;
        }
        "same_name" => {
            b.given_name = a.given_name.clone();
            b.family_name = a.family_name.clone();
            b.sex = a.sex;
        }
        "similar_name" => {
            b.given_name = given_variant(rng, &a.given_name);
            b.family_name = a.family_name.clone();
            b.sex = a.sex;
        }
        _ => {
            b.family_name = a.family_name.clone();
            b.date_of_birth = a.date_of_birth + TimeDelta::days(rng.int(365, 6 * 365));
        }
    }
    Pair { a, b, duplicate: false, kind }
}

/// `n` labelled pairs (half of them duplicates), the same for the same seed.
pub fn generate(seed: u64, n: usize) -> Vec<Pair> {
    let pool = given_pool();
    (0..n)
        .map(|i| {
            let mut rng = Rng::derive(seed, Stream::Pairs, i as u64);
            if i % 2 == 0 {
                let kind = DUPLICATE_KINDS[(i / 2) % DUPLICATE_KINDS.len()];
                duplicate(&mut rng, kind, &pool)
            } else {
                let kind = DISTINCT_KINDS[(i / 2) % DISTINCT_KINDS.len()];
                distinct(&mut rng, kind, &pool)
            }
        })
        .collect()
}

/// Counts of one kind of pair: how many, and how many the detector flagged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub kind: &'static str,
    pub duplicate: bool,
    pub pairs: usize,
    pub flagged: usize,
}

/// Precision and recall of the detector over labelled pairs, with the count for each kind.
#[derive(Debug, Clone, Default)]
pub struct Measure {
    pub true_positives: usize,
    pub false_positives: usize,
    pub false_negatives: usize,
    pub true_negatives: usize,
    pub kinds: Vec<Tally>,
}

impl Measure {
    pub fn precision(&self) -> f64 {
        let flagged = self.true_positives + self.false_positives;
        if flagged == 0 { 1.0 } else { self.true_positives as f64 / flagged as f64 }
    }

    pub fn recall(&self) -> f64 {
        let dups = self.true_positives + self.false_negatives;
        if dups == 0 { 1.0 } else { self.true_positives as f64 / dups as f64 }
    }
}

/// Runs the detector over `pairs` (both orders must agree; the first is counted).
pub fn measure(pairs: &[Pair]) -> Measure {
    let mut m = Measure::default();
    for p in pairs {
        let flagged = possible_duplicate(&p.a.identity(), &p.b.identity()).is_some();
        match (p.duplicate, flagged) {
            (true, true) => m.true_positives += 1,
            (true, false) => m.false_negatives += 1,
            (false, true) => m.false_positives += 1,
            (false, false) => m.true_negatives += 1,
        }
        match m.kinds.iter_mut().find(|t| t.kind == p.kind && t.duplicate == p.duplicate) {
            Some(t) => {
                t.pairs += 1;
                t.flagged += usize::from(flagged);
            }
            None => {
                m.kinds.push(Tally { kind: p.kind, duplicate: p.duplicate, pairs: 1, flagged: usize::from(flagged) })
            }
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_detector_finds_duplicates_and_spares_distinct_children() {
        let pairs = generate(7, 4000);
        assert_eq!(pairs.iter().filter(|p| p.duplicate).count(), 2000);
        let m = measure(&pairs);
        assert!(m.recall() >= 0.95, "recall {:.3}: {:?}", m.recall(), m.kinds);
        assert!(m.precision() >= 0.95, "precision {:.3}: {:?}", m.precision(), m.kinds);
    }

    #[test]
    fn pairs_are_the_same_for_a_seed() {
        let (a, b) = (generate(3, 200), generate(3, 200));
        assert!(a.iter().zip(&b).all(|(x, y)| x.a.given_name == y.a.given_name
            && x.b.date_of_birth == y.b.date_of_birth
            && x.kind == y.kind));
    }

    #[test]
    fn the_detector_is_symmetric_on_the_pairs() {
        for p in generate(11, 2000) {
            let ab = possible_duplicate(&p.a.identity(), &p.b.identity()).is_some();
            let ba = possible_duplicate(&p.b.identity(), &p.a.identity()).is_some();
            assert_eq!(ab, ba, "{p:?}");
        }
    }
}
