//! A child's care history as dates: when they came into care, each placement (its kind, start,
//! end and why it ended), periods of care, and legal status changes. Everything else about the
//! child is derived from this plan.

use super::rng::{Cumulative, Rng, Stream};
use chrono::{Datelike, Days, Months, NaiveDate};

/// What sort of placement, before codes and places are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Foster carers approved by the placing LA (PR1).
    FosterLa,
    /// Foster carers of another LA (PR2).
    FosterOtherLa,
    /// Independent fostering agency (PR4, PR5).
    FosterAgency,
    /// Children's home (K2).
    Home,
    /// Secure children's home (K1).
    Secure,
    /// Supported accommodation (K3).
    Supported,
    /// With parents (P1).
    Parents,
    /// Placed for adoption (A3 to A6).
    Adoption,
    /// NHS or other health establishment (R2).
    Hospital,
    /// Young offender institution (R5).
    Yoi,
    /// Residential care home (R1).
    CareHome,
    /// Other placements (Z11 to Z14).
    Other,
}

impl Kind {
    /// Relative chance per day of going missing from this kind of placement.
    pub fn missing_factor(self) -> f64 {
        match self {
            Kind::Home => 6.0,
            Kind::Supported => 4.0,
            Kind::FosterAgency => 1.3,
            Kind::FosterLa | Kind::FosterOtherLa => 1.0,
            Kind::Other => 1.5,
            Kind::Parents => 0.6,
            Kind::CareHome => 0.5,
            Kind::Secure | Kind::Hospital => 0.3,
            Kind::Adoption | Kind::Yoi => 0.03,
        }
    }

    pub fn is_foster(self) -> bool {
        matches!(self, Kind::FosterLa | Kind::FosterOtherLa | Kind::FosterAgency)
    }

    /// Kinds a placement usually repeats (a child moving between foster homes or homes).
    fn sticky(self) -> bool {
        matches!(self, Kind::FosterLa | Kind::FosterAgency | Kind::Home | Kind::Supported)
    }
}

#[derive(Debug, Clone)]
pub struct Stay {
    pub kind: Kind,
    pub start: NaiveDate,
    /// None while the child is still placed there.
    pub end: Option<NaiveDate>,
    /// Starts a period of care (SSDA903 RNE S).
    pub first_of_period: bool,
    pub rec: Option<&'static str>,
    pub reason: Option<&'static str>,
    pub emergency: bool,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub index: u64,
    pub la: usize,
    pub dob: NaiveDate,
    /// Unaccompanied asylum-seeking child.
    pub uasc: bool,
    pub stays: Vec<Stay>,
    /// Legal status changes in date order (each period of care starts with one).
    pub legal: Vec<(NaiveDate, &'static str)>,
    /// How prone the child is to going missing (0 for most).
    pub propensity: f64,
}

/// The time frame and the knobs of the generation.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    pub seed: u64,
    /// First day of the history.
    pub start: NaiveDate,
    /// The day the data is as of (nothing happens on or after it, except open placements).
    pub today: NaiveDate,
}

/// Age from which children are counted as going missing in the generated data.
const MISSING_FROM_AGE: u32 = 11;

pub fn add_days(d: NaiveDate, n: i64) -> NaiveDate {
    if n >= 0 {
        d.checked_add_days(Days::new(n as u64)).unwrap_or(d)
    } else {
        d.checked_sub_days(Days::new(n.unsigned_abs())).unwrap_or(d)
    }
}

pub fn birthday(dob: NaiveDate, years: u32) -> NaiveDate {
    dob.checked_add_months(Months::new(12 * years)).unwrap_or(NaiveDate::MAX)
}

/// Completed years on `d` (0 before birth).
pub fn age_on(dob: NaiveDate, d: NaiveDate) -> u32 {
    let years = u32::try_from(d.year() - dob.year()).unwrap_or(0);
    if years > 0 && birthday(dob, years) > d { years - 1 } else { years }
}

fn pick_kind(rng: &mut Rng, age: u32, uasc: bool, prev: Option<Kind>) -> Kind {
    use Kind::*;
    if let Some(p) = prev
        && p.sticky()
        && (p != Supported || age >= 16)
        && rng.chance(0.45)
    {
        return p;
    }
    let table: &[(Kind, u32)] = if uasc {
        if age >= 16 {
            &[(Supported, 45), (FosterAgency, 30), (FosterLa, 15), (Home, 10)]
        } else {
            &[(FosterAgency, 50), (FosterLa, 35), (Home, 15)]
        }
    } else {
        match age {
            0 => &[
                (FosterLa, 500),
                (FosterAgency, 220),
                (FosterOtherLa, 10),
                (Parents, 120),
                (Hospital, 20),
                (Other, 20),
            ],
            1..=4 => &[
                (FosterLa, 480),
                (FosterAgency, 280),
                (FosterOtherLa, 10),
                (Parents, 120),
                (Hospital, 10),
                (Other, 10),
            ],
            5..=9 => &[
                (FosterLa, 440),
                (FosterAgency, 360),
                (FosterOtherLa, 10),
                (Parents, 80),
                (Home, 40),
                (Hospital, 5),
                (Other, 10),
            ],
            10..=13 => &[
                (FosterLa, 340),
                (FosterAgency, 340),
                (FosterOtherLa, 10),
                (Home, 180),
                (Secure, 8),
                (Parents, 60),
                (Hospital, 10),
                (Other, 20),
            ],
            14 | 15 => &[
                (FosterLa, 260),
                (FosterAgency, 300),
                (FosterOtherLa, 10),
                (Home, 260),
                (Secure, 15),
                (Parents, 50),
                (Hospital, 10),
                (Other, 20),
                (Yoi, if age == 15 { 10 } else { 0 }),
            ],
            _ => &[
                (FosterLa, 180),
                (FosterAgency, 220),
                (FosterOtherLa, 5),
                (Home, 220),
                (Supported, 260),
                (Secure, 8),
                (Parents, 40),
                (Yoi, 20),
                (CareHome, 10),
                (Hospital, 10),
                (Other, 30),
            ],
        }
    };
    rng.weighted(table)
}

const MOVE_REASONS: &[(&str, u32)] = &[
    ("CARPL", 38),
    ("CREQB", 13),
    ("CREQO", 8),
    ("CHILD", 6),
    ("LAREQ", 9),
    ("STAND", 3),
    ("ALLEG", 2),
    ("CLOSE", 5),
    ("APPRR", 2),
    ("PLACE", 4),
    ("OTHER", 9),
];

/// Why care ended when the child went home for a while and came back later.
const BREAK_RECS: &[(&str, u32)] = &[("E4A", 50), ("E4B", 15), ("E13", 15), ("E41", 10), ("E8", 10)];

fn exit_rec(rng: &mut Rng, last: Kind, age: u32, at_eighteen: bool, uasc: bool) -> &'static str {
    if at_eighteen {
        return if last.is_foster() {
            rng.weighted(&[("E5", 40), ("E6", 6), ("E17", 25), ("E8", 18), ("E7", 2), ("E13", 8)])
        } else {
            rng.weighted(&[("E5", 55), ("E6", 10), ("E8", 22), ("E7", 4), ("E13", 9)])
        };
    }
    match last {
        Kind::Adoption => rng.weighted(&[("E11", 70), ("E12", 30)]),
        Kind::Yoi => rng.weighted(&[("E9", 60), ("E14", 30), ("E8", 10)]),
        _ if uasc => rng.weighted(&[("E5", 40), ("E6", 10), ("E15", 15), ("E16", 10), ("E8", 25)]),
        _ if age < 16 => rng.weighted(&[
            ("E4A", 34),
            ("E4B", 6),
            ("E13", 7),
            ("E41", 6),
            // Special guardianship to former foster carers ends a foster placement (DfE rule 516).
            ("E45", if last.is_foster() { 9 } else { 0 }),
            ("E46", if last.is_foster() { 4 } else { 0 }),
            ("E47", 7),
            ("E48", 3),
            ("E3", 2),
            ("E16", 1),
            ("E8", 6),
            ("E9", if age >= 12 { 1 } else { 0 }),
        ]),
        _ => rng.weighted(&[
            ("E4A", 20),
            ("E4B", 5),
            ("E13", 8),
            ("E5", 18),
            ("E6", 4),
            ("E41", 2),
            ("E45", if last.is_foster() { 3 } else { 0 }),
            ("E3", 2),
            ("E9", 2),
            ("E16", 1),
            ("E8", 8),
        ]),
    }
}

fn initial_legal_status(rng: &mut Rng, age: u32, uasc: bool) -> &'static str {
    if uasc {
        return "V2";
    }
    match age {
        0 => rng.weighted(&[("C1", 45), ("V2", 20), ("L2", 12), ("L1", 5), ("C2", 8)]),
        1..=9 => rng.weighted(&[("C1", 40), ("V2", 35), ("L1", 7), ("L2", 8), ("C2", 10)]),
        10..=15 => rng.weighted(&[("V2", 50), ("C1", 25), ("L1", 8), ("L2", 3), ("J1", 4), ("C2", 10)]),
        _ => rng.weighted(&[("V2", 70), ("C1", 8), ("L1", 6), ("J1", 8), ("C2", 8)]),
    }
}

/// Legal status changes during a period of care from `from` until `until`.
fn legal_events(
    rng: &mut Rng,
    from: NaiveDate,
    until: NaiveDate,
    first: &'static str,
) -> Vec<(NaiveDate, &'static str)> {
    let mut out = vec![(from, first)];
    let mut cur = first;
    let mut d = from;
    loop {
        let next = match cur {
            "C1" => Some(("C2", rng.lognormal(240.0, 0.35))),
            "V2" if rng.chance(0.2) => Some(("C1", rng.lognormal(150.0, 0.6))),
            // Police protection lasts at most 72 hours (DfE rule 361).
            "L1" => Some((if rng.chance(0.6) { "V2" } else { "C1" }, rng.int(1, 3) as f64)),
            "L2" => Some((if rng.chance(0.6) { "V2" } else { "C1" }, rng.int(1, 8) as f64)),
            "J1" if rng.chance(0.6) => Some(("V2", rng.lognormal(50.0, 0.5))),
            _ => None,
        };
        let Some((ls, after)) = next else { break };
        d = add_days(d, (after.round() as i64).max(1));
        if d >= until {
            break;
        }
        out.push((d, ls));
        cur = ls;
    }
    out
}

/// The care history of child `index`. Returns the generator to continue drawing the child's
/// details from.
pub fn plan(frame: &Frame, child_la: &Cumulative, index: u64) -> (Plan, Rng) {
    let mut rng = Rng::derive(frame.seed, Stream::Child, index);
    let la = child_la.pick(&mut rng).unwrap_or(0);
    let window = (frame.today - frame.start).num_days().max(1);
    let entry = add_days(frame.start, rng.int(0, window - 1));
    let age_years = rng.weighted(&[(0u32, 17), (1, 4), (2, 4), (3, 4), (4, 3), (5, 4), (6, 4), (7, 3), (8, 3), (9, 3)]);
    let age_years = if rng.chance(0.51) {
        rng.weighted(&[(10u32, 5), (11, 5), (12, 6), (13, 7), (14, 8), (15, 8), (16, 8), (17, 5)])
    } else {
        age_years
    };
    let uasc = age_years >= 14 && rng.chance(0.08);
    let extra_days =
        if age_years == 0 { rng.int(0, 40).max(rng.int(0, 364) * i64::from(rng.chance(0.4))) } else { rng.int(0, 300) };
    let dob =
        birthday(add_days(entry, -extra_days), 0).checked_sub_months(Months::new(12 * age_years)).unwrap_or(entry);
    let eighteen = birthday(dob, 18);
    let cap = eighteen.min(frame.today);
    let available = (cap - entry).num_days().max(1);

    // Number of placements: skewed, most children have a few, some dozens.
    let drawn = 1 + (rng.lognormal(7.2, 0.85).floor() as i64).min(59);
    let n = drawn.min((available / 21).max(1)).max(1) as usize;
    let typical = rng.lognormal(100.0, 0.5);
    let mut days: Vec<i64> = (0..n).map(|_| (rng.lognormal(typical, 1.0).round() as i64).max(1)).collect();
    let total: i64 = days.iter().sum();
    // Care that would run past 18 or today is squeezed into the time there is.
    let squeezed = total >= available;
    if squeezed {
        let f = available as f64 / total as f64;
        for d in &mut days {
            *d = ((*d as f64 * f).floor() as i64).max(1);
        }
        while days.iter().sum::<i64>() > available {
            if let Some(m) = days.iter_mut().max_by_key(|d| **d) {
                *m -= 1;
            }
        }
    }
    let open = squeezed && cap == frame.today && eighteen > frame.today;
    let at_eighteen = squeezed && !open;

    let mut stays = Vec::with_capacity(n);
    let mut start = entry;
    let mut prev = None;
    for (j, d) in days.iter().enumerate() {
        let age = age_on(dob, start);
        let kind = pick_kind(&mut rng, age, uasc, prev);
        let end = add_days(start, *d);
        let last = j + 1 == n;
        stays.push(Stay {
            kind,
            start,
            end: if last && open { None } else { Some(end) },
            first_of_period: j == 0,
            rec: None,
            reason: None,
            emergency: false,
        });
        prev = Some(kind);
        start = end;
    }
    if at_eighteen && let Some(s) = stays.last_mut() {
        s.end = Some(eighteen);
    }

    // Adoption ends the care of young children.
    if let Some(s) = stays.last_mut() {
        let age = age_on(dob, s.start);
        if age < 5 && !at_eighteen && rng.chance(if open { 0.15 } else { 0.45 }) {
            s.kind = Kind::Adoption;
        }
    }
    // Some go home for a while and come back: two periods of care.
    if n >= 3 && rng.chance(0.15) {
        let k = rng.int(1, n as i64 - 1) as usize;
        let len = days[k - 1];
        if len >= 10 {
            let gap = rng.int(3, (len - 1).min(400));
            stays[k - 1].end = Some(add_days(stays[k].start, -gap));
            stays[k - 1].rec = Some(rng.weighted(BREAK_RECS));
            stays[k].first_of_period = true;
        }
    }
    // Why each placement ended.
    for j in 0..stays.len() {
        let next = stays.get(j + 1).map(|s| (s.kind, s.first_of_period));
        let s = &stays[j];
        let age = age_on(dob, s.end.unwrap_or(frame.today));
        let (rec, reason) = match (s.rec, s.end, next) {
            (Some(r), _, _) => (Some(r), None),
            (None, None, _) => (None, None),
            (None, Some(_), Some((next_kind, false))) => {
                let reason = if next_kind == Kind::Yoi && age >= 10 {
                    "CUSTOD"
                } else if next_kind == Kind::Adoption {
                    "CARPL"
                } else {
                    rng.weighted(MOVE_REASONS)
                };
                (Some("X1"), Some(reason))
            }
            (None, Some(_), _) => (Some(exit_rec(&mut rng, s.kind, age, at_eighteen, uasc)), None),
        };
        let emergency = rng.chance(if s.first_of_period { 0.4 } else { 0.08 });
        let s = &mut stays[j];
        s.rec = rec;
        s.reason = reason;
        s.emergency = emergency;
    }

    // Legal statuses, period by period.
    let mut legal = Vec::new();
    let mut i = 0;
    while i < stays.len() {
        let mut j = i + 1;
        while j < stays.len() && !stays[j].first_of_period {
            j += 1;
        }
        let from = stays[i].start;
        let until = stays[j - 1].end.unwrap_or(frame.today);
        let first = initial_legal_status(&mut rng, age_on(dob, from), uasc);
        let mut events = legal_events(&mut rng, from, until, first);
        for s in &stays[i..j] {
            match s.kind {
                Kind::Adoption => {
                    let at = add_days(s.start, -rng.int(0, 200)).max(from);
                    events.retain(|(d, _)| *d < at);
                    events.push((at, "E1"));
                }
                Kind::Yoi if s.start > from => {
                    events.retain(|(d, _)| *d < s.start);
                    events.push((s.start, "J1"));
                }
                _ => {}
            }
        }
        legal.extend(events);
        i = j;
    }
    legal.sort_by_key(|(d, _)| *d);
    legal.dedup_by(|later, earlier| {
        let same = later.0 == earlier.0;
        if same {
            earlier.1 = later.1;
        }
        same
    });

    let propensity = if rng.chance(0.5) { rng.pareto(1.0, 1.3).min(300.0) } else { 0.0 };
    (Plan { index, la, dob, uasc, stays, legal, propensity }, rng)
}

impl Plan {
    /// The legal status in force on `d`.
    pub fn legal_status_on(&self, d: NaiveDate) -> &'static str {
        self.legal.iter().take_while(|(from, _)| *from <= d).last().map_or("V2", |(_, ls)| ls)
    }

    /// The part of a stay in which the child may go missing: [from, until) in dates.
    pub fn missing_window(&self, stay: &Stay, today: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
        let from = stay.start.max(add_days(birthday(self.dob, MISSING_FROM_AGE), 1));
        let until = stay.end.unwrap_or(today).min(today);
        (from < until).then_some((from, until))
    }

    /// How much the child is exposed to going missing: days weighted by placement and age.
    pub fn exposure(&self, today: NaiveDate) -> (f64, i64) {
        let thirteen = birthday(self.dob, 13);
        let mut weighted = 0.0;
        let mut days = 0;
        for s in &self.stays {
            if let Some((a, b)) = self.missing_window(s, today) {
                let all = (b - a).num_days();
                let older = (b - a.max(thirteen)).num_days().clamp(0, all);
                weighted += s.kind.missing_factor() * ((all - older) as f64 + 2.0 * older as f64);
                days += all;
            }
        }
        (weighted * self.propensity, days)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_count_completed_years() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).expect("date");
        assert_eq!(age_on(d(2010, 5, 14), d(2026, 5, 13)), 15);
        assert_eq!(age_on(d(2010, 5, 14), d(2026, 5, 14)), 16);
        assert_eq!(age_on(d(2012, 2, 29), d(2030, 2, 28)), 18);
        assert_eq!(age_on(d(2012, 2, 29), d(2030, 2, 27)), 17);
        assert_eq!(age_on(d(2026, 1, 1), d(2025, 6, 1)), 0);
        for days in 0..8000 {
            let on = add_days(d(2008, 2, 29), days);
            let slow = (0..=30).take_while(|&y| birthday(d(2008, 2, 29), y) <= on).last().unwrap_or(0);
            assert_eq!(age_on(d(2008, 2, 29), on), slow, "{on}");
        }
    }
}
