//! Turns a child's plan into rows: the child, placements at real places with their SSDA903
//! codes, legal statuses, notifications to host LAs and missing episodes.

use super::names;
use super::repo::LegalStatusRow;
use super::rng::{Rng, Stream};
use super::timeline::{Frame, Kind, Plan, Stay, add_days, age_on};
use super::world::{ProviderKind, World};
use crate::calendar::WorkingCalendar;
use crate::db::rows::children::ChildRecord;
use crate::db::rows::missing::EpisodeRecord;
use crate::db::rows::placements::PlacementRecord;
use crate::geo::Geo;
use crate::ids::{ChildId, EpisodeId, PlacementId};
use crate::notifications::repo::Row as NotificationRow;
use crate::notifications::service::placement_payload;
use crate::notifications::statutory::{self, Statutory};
use crate::ssda903;
use chrono::{NaiveDate, NaiveDateTime, TimeDelta};

/// Everything generated for one child.
#[derive(Debug, Clone, Default)]
pub struct ChildRows {
    pub child: Option<ChildRecord>,
    pub placements: Vec<PlacementRecord>,
    pub legal: Vec<LegalStatusRow>,
    pub episodes: Vec<EpisodeRecord>,
    pub notifications: Vec<NotificationRow>,
}

/// What the rows are generated against.
pub struct Ctx<'a> {
    pub world: &'a World,
    pub frame: Frame,
    pub cal: &'a WorkingCalendar,
}

/// Where a placement is and what SSDA903 calls it.
struct Where {
    place: &'static str,
    provider: Option<&'static str>,
    urn: Option<String>,
    postcode: String,
    /// LA index of the host area; None outside England.
    host: Option<usize>,
    /// The provider recording missing episodes for a registered setting.
    setting_provider: Option<String>,
}

const ETHNICITY: &[(&str, u32)] = &[
    ("WBRI", 640),
    ("WIRI", 5),
    ("WOTH", 45),
    ("WIRT", 3),
    ("WROM", 8),
    ("MWBC", 35),
    ("MWBA", 12),
    ("MWAS", 10),
    ("MOTH", 40),
    ("AIND", 8),
    ("APKN", 12),
    ("ABAN", 8),
    ("AOTH", 14),
    ("BCRB", 20),
    ("BAFR", 35),
    ("BOTH", 15),
    ("CHNE", 2),
    ("OOTH", 30),
    ("REFU", 4),
    ("NOBT", 4),
];

const ETHNICITY_UASC: &[(&str, u32)] =
    &[("OOTH", 30), ("AOTH", 25), ("BAFR", 22), ("BOTH", 8), ("MOTH", 5), ("WOTH", 10)];

const CATEGORY_OF_NEED: &[(&str, u32)] =
    &[("N1", 630), ("N2", 30), ("N3", 30), ("N4", 70), ("N5", 140), ("N6", 10), ("N7", 3), ("N8", 70)];

const RISKS: &[(&str, u32)] = &[
    ("criminal_exploitation", 30),
    ("sexual_exploitation", 25),
    ("substance_misuse", 25),
    ("gang_association", 10),
    ("self_harm", 8),
    ("trafficking", 2),
    ("other", 5),
];

const FOUND_WHERE: &[(&str, u32)] =
    &[("placement", 50), ("family", 15), ("friends", 17), ("police", 9), ("hospital", 2), ("other", 7)];

const RI_SERVICES: &[&str] = &[
    "Barnardo's return home interview service",
    "The Children's Society",
    "NYAS",
    "Catch22",
    "Missing People",
    "St Giles Trust",
];

const RI_NOT_OFFERED: &[&str] = &[
    "Returned within the hour and spoke with the social worker the same day",
    "Moved placement on return; the new placement arranged support",
    "Remanded on return",
    "Admitted to hospital on return",
];

/// A NHS number in the range reserved for test data (999 000 0000 to 999 999 9999), unique per
/// child index below a million; None when the check digit would be 10 or the range is used up.
fn nhs_number(index: u64) -> Option<String> {
    if index >= 1_000_000 {
        return None;
    }
    let body = 999_000_000 + (index * 7919 + 104_729) % 1_000_000;
    let digits: Vec<u32> = format!("{body:09}").bytes().map(|b| u32::from(b - b'0')).collect();
    let sum: u32 = digits.iter().zip((2..=10u32).rev()).map(|(d, w)| d * w).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return None,
        c => c,
    };
    let n = format!("{body:09}{check}");
    ssda903::is_valid_nhs_number(&n).then_some(n)
}

/// A UPN with a correct check letter: LA code, year of allocation, then a serial.
fn upn(rng: &mut Rng, dfe: &str, year: i32) -> String {
    const LETTERS: &[u8; 23] = b"ABCDEFGHJKLMNPQRTUVWXYZ";
    let digits = format!("{dfe:0>3.3}{:02}{:07}", year.rem_euclid(100), rng.int(0, 9_999_999));
    let sum: usize = digits.bytes().enumerate().map(|(i, b)| usize::from(b - b'0') * (i + 2)).sum();
    format!("{}{digits}", char::from(LETTERS[sum % 23]))
}

impl Ctx<'_> {
    fn as_of(&self) -> NaiveDateTime {
        self.frame.today.and_hms_opt(0, 0, 0).unwrap_or_default()
    }

    /// Latest instant anything may have happened: just before the data is as of.
    fn latest(&self) -> NaiveDateTime {
        self.as_of() - TimeDelta::seconds(1)
    }

    /// A time on a working day's office hours.
    fn at_office(&self, rng: &mut Rng, d: NaiveDate) -> NaiveDateTime {
        d.and_hms_opt(8, 0, 0).unwrap_or_default() + TimeDelta::seconds(rng.int(0, 10 * 3600))
    }

    fn before_today(&self, d: NaiveDate) -> NaiveDate {
        d.min(add_days(self.frame.today, -1))
    }

    /// The rows of one child, with `episodes` missing episodes.
    pub fn build(&self, plan: &Plan, mut rng: Rng, episodes: u64) -> Result<ChildRows, String> {
        let world = self.world;
        let la = &world.las[plan.la];
        let child_id = rng.uuid();
        let sex =
            if plan.uasc { if rng.chance(0.92) { "M" } else { "F" } } else { rng.weighted(&[("M", 553), ("F", 447)]) };
        let given = match sex {
            "M" => rng.pick(names::GIVEN_M),
            "F" => rng.pick(names::GIVEN_F),
            _ => {
                let list = if rng.chance(0.5) { names::GIVEN_M } else { names::GIVEN_F };
                rng.pick(list)
            }
        };
        let family = rng.pick(names::FAMILY);
        let ethnicity = rng.weighted(if plan.uasc { ETHNICITY_UASC } else { ETHNICITY });
        // Most unaccompanied asylum-seeking children have no home in England; every other child's
        // home postcode is recorded, as DfE asks (rules 392a, 392b).
        let home = if plan.uasc && rng.chance(0.8) { None } else { world.postcode_in(plan.la, &mut rng) };
        let first_start = plan.stays.first().map_or(self.frame.start, |s| s.start);
        let school_age = age_on(plan.dob, first_start) >= 4;
        let upn = (school_age && !plan.uasc && rng.chance(0.7))
            .then(|| upn(&mut rng, &la.dfe, chrono::Datelike::year(&first_start)));
        let nhs = if rng.chance(0.93) { nhs_number(plan.index) } else { None };
        let cin = if plan.uasc { "N8" } else { rng.weighted(CATEGORY_OF_NEED) };
        let mut rows = ChildRows::default();

        let mut recorders = Vec::with_capacity(plan.stays.len());
        for stay in &plan.stays {
            let mut w = self.locate(&mut rng, plan, stay, home.as_deref())?;
            // Only a placement with parents is at the child's home postcode (DfE rule 392d), and
            // none is more than 350 miles from it (454; with a margin, as the distance here is
            // between postcode sectors).
            for _ in 0..8 {
                let far = home
                    .as_deref()
                    .and_then(|h| Geo::global().distance_miles(h, &w.postcode))
                    .is_some_and(|d| d > 340.0);
                if !far && (w.place == "P1" || home.as_deref() != Some(w.postcode.as_str())) {
                    break;
                }
                w = self.locate(&mut rng, plan, stay, home.as_deref())?;
            }
            recorders.push(w.setting_provider.clone());
            let p = self.placement(&mut rng, plan, stay, w, &child_id, home.as_deref(), &mut rows)?;
            rows.placements.push(p);
        }
        // Registered shortly before the first placement was.
        let first_registered = rows.placements.iter().map(|p| p.created_at).min();
        let created = match first_registered {
            Some(t) => t - TimeDelta::minutes(rng.int(5, 180)),
            None => self.at_office(&mut rng, first_start),
        };
        rows.child = Some(ChildRecord {
            id: ChildId::from(child_id.as_str()),
            responsible_la: la.code.clone(),
            la_child_id: format!("{}{:07}", la.dfe, plan.index),
            given_name: given.to_string(),
            family_name: family.to_string(),
            date_of_birth: plan.dob,
            sex: sex.to_string(),
            ethnicity: ethnicity.to_string(),
            nhs_number: nhs,
            upn,
            home_postcode: home.clone(),
            category_of_need: Some(cin.to_string()),
            // SSDA903 MOTHER is recorded for every girl (rules 393, 607): none is a mother.
            mother: (sex == "F").then_some(false),
            mother_child_dob: None,
            // UASC status ends at 18 at the latest (DfE rule 304): recorded as ceased then once
            // that day has come.
            uasc: plan.uasc,
            uasc_ceased: ssda903::eighteenth_birthday(plan.dob).filter(|adult| plan.uasc && *adult <= self.frame.today),
            version: 1,
            created_at: created,
            updated_at: created,
        });
        rows.episodes = self.episodes(plan, &rows.placements, &recorders, episodes);
        Ok(rows)
    }

    /// Chooses where a stay is and its codes.
    fn locate(&self, rng: &mut Rng, plan: &Plan, stay: &Stay, home: Option<&str>) -> Result<Where, String> {
        let world = self.world;
        let own = plan.la;
        let near = |rng: &mut Rng| world.near[own].pick(rng).unwrap_or(own);
        let at = |rng: &mut Rng, la: usize| world.postcode_in(la, rng).ok_or_else(|| format!("no postcode in LA {la}"));
        let simple = |place, provider, urn, la: usize, rng: &mut Rng| -> Result<Where, String> {
            Ok(Where { place, provider, urn, postcode: at(rng, la)?, host: Some(la), setting_provider: None })
        };
        let foster_place = |rng: &mut Rng, relative: bool| {
            if relative {
                rng.weighted(&[("U3", 60), ("U1", 35), ("U2", 5)])
            } else {
                rng.weighted(&[("U6", 55), ("U4", 40), ("U5", 5)])
            }
        };
        let setting = |rng: &mut Rng, choice: &super::world::SettingChoice, inside: f64| {
            let s = if rng.chance(inside) { choice.pick_inside(own, rng) } else { None };
            s.or_else(|| choice.pick_outside(own, rng)).or_else(|| choice.pick_inside(own, rng))
        };
        let in_setting = |s: usize| {
            let set = &world.settings[s];
            let prov = &world.providers[set.provider];
            let code = match prov.kind {
                ProviderKind::Council(la) if la == own => "PR1",
                ProviderKind::Council(_) => "PR2",
                ProviderKind::Private => "PR4",
                ProviderKind::Voluntary => "PR5",
            };
            Where {
                place: set.place,
                provider: Some(code),
                urn: Some(set.urn.clone()),
                postcode: set.postcode.clone(),
                host: Some(set.la),
                setting_provider: Some(prov.id.clone()),
            }
        };
        let agency = |rng: &mut Rng| -> Result<Where, String> {
            let a = rng.pick(&world.fostering_agencies);
            let place = foster_place(rng, false);
            if rng.chance(0.55) {
                if rng.chance(0.01) && !world.wales.is_empty() {
                    let pc = rng.pick(&world.wales).clone();
                    return Ok(Where {
                        place,
                        provider: Some(a.provider_code),
                        urn: None,
                        postcode: pc,
                        host: None,
                        setting_provider: None,
                    });
                }
                let host = near(rng);
                simple(place, Some(a.provider_code), Some(a.urn.clone()), host, rng)
            } else {
                simple(place, Some(a.provider_code), Some(a.urn.clone()), own, rng)
            }
        };
        // Codes by collection year: supported accommodation is K3 from 2024-25 (a home before);
        // other placements are Z1 until 2024-25 and Z11 to Z14 from 2025-26, so an other
        // placement running across 1 April 2025 (ending that day puts it in the 2025-26 return)
        // would need a code neither year has: a foster placement instead.
        let k3_from = NaiveDate::from_ymd_opt(2024, 4, 1).unwrap_or(NaiveDate::MIN);
        let z11_from = NaiveDate::from_ymd_opt(2025, 4, 1).unwrap_or(NaiveDate::MIN);
        // A child placed with parents is not accommodated under section 20 (DfE rule 378): on V2
        // (or a short police protection or emergency order that may become V2), foster care.
        let ls = plan.legal_status_on(stay.start);
        let kind = match stay.kind {
            Kind::Parents if !matches!(ls, "C1" | "C2") => Kind::FosterLa,
            Kind::Supported if stay.start < k3_from => Kind::Home,
            Kind::Other if stay.start < z11_from && stay.end.is_none_or(|e| e >= z11_from) => Kind::FosterAgency,
            k => k,
        };
        match kind {
            Kind::FosterLa => {
                let relative = rng.chance(0.25);
                let place = foster_place(rng, relative);
                let host = if rng.chance(0.15) { near(rng) } else { own };
                simple(place, Some("PR1"), Some(world.las[own].fostering_urn.clone()), host, rng)
            }
            Kind::FosterOtherLa => {
                let host = near(rng);
                let place = foster_place(rng, false);
                simple(place, Some("PR2"), Some(world.las[host].fostering_urn.clone()), host, rng)
            }
            Kind::FosterAgency => agency(rng),
            Kind::Home => match setting(rng, &world.homes, 0.32) {
                Some(s) => Ok(in_setting(s)),
                None => agency(rng),
            },
            Kind::Supported => match setting(rng, &world.supported, 0.5) {
                Some(s) => Ok(in_setting(s)),
                None => agency(rng),
            },
            Kind::Secure => match setting(rng, &world.secure, 0.15) {
                Some(s) => Ok(in_setting(s)),
                None => match setting(rng, &world.homes, 0.2) {
                    Some(s) => Ok(in_setting(s)),
                    None => agency(rng),
                },
            },
            Kind::Parents => {
                let (postcode, host) = match home {
                    Some(h) if rng.chance(0.75) => (h.to_string(), own),
                    _ => {
                        let host = if rng.chance(0.15) { near(rng) } else { own };
                        (at(rng, host)?, host)
                    }
                };
                Ok(Where {
                    place: "P1",
                    provider: Some("PR0"),
                    urn: None,
                    postcode,
                    host: Some(host),
                    setting_provider: None,
                })
            }
            Kind::Adoption => {
                let order = plan.legal_status_on(stay.start) == "E1";
                // With current foster carers (A3, A5) the episode would have to show the same
                // carers (DfE rule 217), which a new placement record does not: other adopters.
                let current_carer = false;
                let place = match (order, current_carer) {
                    (true, true) => "A5",
                    (true, false) => "A6",
                    (false, true) => "A3",
                    (false, false) => "A4",
                };
                let host = if rng.chance(0.45) { near(rng) } else { own };
                let (provider, urn) = match rng.weighted(&[(0u8, 60), (1, 25), (2, 15)]) {
                    0 => ("PR1", ssda903::AGENCY_URN.to_string()),
                    1 => ("PR5", rng.pick(&world.adoption_agencies).urn.clone()),
                    _ => ("PR2", ssda903::AGENCY_URN.to_string()),
                };
                simple(place, Some(provider), Some(urn), host, rng)
            }
            Kind::Hospital => {
                let provider = if rng.chance(0.85) { "PR3" } else { "PR4" };
                let host = if rng.chance(0.5) { near(rng) } else { own };
                simple("R2", Some(provider), None, host, rng)
            }
            Kind::Yoi => {
                let (host, postcode) = world.yoi[own].clone();
                Ok(Where {
                    place: "R5",
                    provider: Some("PR3"),
                    urn: None,
                    postcode,
                    host: Some(host),
                    setting_provider: None,
                })
            }
            Kind::CareHome => {
                let provider = if rng.chance(0.7) { "PR4" } else { "PR3" };
                let host = if rng.chance(0.5) { near(rng) } else { own };
                simple("R1", Some(provider), None, host, rng)
            }
            Kind::Other => {
                let place = if stay.start < z11_from { "Z1" } else { *rng.pick(&["Z11", "Z12", "Z13", "Z14"]) };
                let host = if rng.chance(0.3) { near(rng) } else { own };
                simple(place, None, None, host, rng)
            }
        }
    }

    /// The placement record of a stay, with its legal statuses and notifications.
    #[allow(
        clippy::too_many_arguments,
        reason = "one stay of one child's generated history: each argument is a distinct input"
    )]
    fn placement(
        &self,
        rng: &mut Rng,
        plan: &Plan,
        stay: &Stay,
        w: Where,
        child_id: &str,
        home: Option<&str>,
        rows: &mut ChildRows,
    ) -> Result<PlacementRecord, String> {
        let world = self.world;
        let placing = &world.las[plan.la];
        let geo = Geo::global();
        let host_area = geo.lookup(&w.postcode).map(|a| a.code().to_string()).ok_or("unknown postcode")?;
        if let Some(h) = w.host
            && world.las[h].code != host_area
        {
            return Err(format!("postcode {} is in {host_area}, not {}", w.postcode, world.las[h].code));
        }
        ssda903::check_place_in_year(w.place, ssda903::collection_year(stay.start))?;
        ssda903::check_place_provider(w.place, w.provider)?;
        ssda903::check_urn_for_location(w.place, w.urn.as_deref(), host_area.starts_with('E'))?;
        let out = host_area != placing.code;
        let notify = out && w.host.is_some();
        let ls = plan.legal_status_on(stay.start);

        // When the placing LA registered the placement (and so notified the host LA).
        let start = stay.start;
        let registered = if notify {
            if stay.emergency {
                if rng.chance(0.85) {
                    self.cal.add_working_days(start, rng.int(0, 5) as u32)
                } else {
                    self.cal.add_working_days(start, 5 + rng.int(1, 20) as u32)
                }
            } else if rng.chance(0.78) {
                add_days(start, -rng.int(0, 14))
            } else {
                self.cal.add_working_days(start, rng.int(1, 25) as u32)
            }
        } else if rng.chance(0.6) {
            add_days(start, -rng.int(0, 5))
        } else {
            add_days(start, rng.int(0, 7))
        };
        let registered = self.before_today(registered);
        let created_at = self.at_office(rng, registered);

        let (ended_recorded_at, ended_on) = match stay.end {
            None => (None, None),
            Some(end) => {
                let on = if notify {
                    if rng.chance(0.82) {
                        if rng.chance(0.25) {
                            add_days(end, -rng.int(0, 10))
                        } else {
                            self.cal.add_working_days(end, rng.int(0, 10) as u32)
                        }
                    } else {
                        self.cal.add_working_days(end, 10 + rng.int(1, 25) as u32)
                    }
                } else {
                    add_days(end, rng.int(0, 10))
                };
                let on = self.before_today(on).max(registered);
                let at = self.at_office(rng, on).max(created_at + TimeDelta::minutes(1));
                (Some(at), Some(on))
            }
        };
        let p = PlacementRecord {
            id: PlacementId(rng.uuid()),
            child_id: ChildId::from(child_id),
            placing_la: placing.code.clone(),
            urn: w.urn,
            host_area,
            distance_miles: home.and_then(|h| geo.distance_miles(h, &w.postcode)),
            postcode: w.postcode,
            place: w.place.to_string(),
            place_provider: w.provider.map(str::to_string),
            start_date: start,
            end_date: stay.end,
            rec: stay.rec.map(str::to_string),
            reason_place_change: stay.reason.map(str::to_string),
            emergency: stay.emergency,
            ended_recorded_at,
            version: if stay.end.is_some() { 2 } else { 1 },
            created_at,
            updated_at: ended_recorded_at.unwrap_or(created_at),
        };

        // Legal statuses: the one at the start, and any change before the end.
        rows.legal.push(LegalStatusRow {
            placement_id: p.id.clone(),
            effective_from: start,
            legal_status: ls,
            recorded_at: created_at,
        });
        let until = stay.end.unwrap_or(self.frame.today);
        for (d, code) in plan.legal.iter().filter(|(d, _)| *d > start && *d < until) {
            let on = self.before_today(add_days(*d, rng.int(0, 3)));
            let at = self.at_office(rng, on).max(created_at);
            rows.legal.push(LegalStatusRow {
                placement_id: p.id.clone(),
                effective_from: *d,
                legal_status: code,
                recorded_at: at,
            });
        }

        if notify && let Some(host) = w.host {
            let mut at_start = p.clone();
            at_start.end_date = None;
            at_start.rec = None;
            at_start.reason_place_change = None;
            let s = statutory::placement_start(self.cal, start, stay.emergency, registered);
            let payload = placement_payload(&at_start, Some(ls)).to_string();
            rows.notifications.push(self.notification(rng, "placement.started", &p, host, payload, s, created_at));
            if let (Some(end), Some(on), Some(at)) = (stay.end, ended_on, ended_recorded_at) {
                let s = statutory::placement_end(self.cal, end, on);
                let payload = placement_payload(&p, None).to_string();
                rows.notifications.push(self.notification(rng, "placement.ended", &p, host, payload, s, at));
            }
        }
        Ok(p)
    }

    #[allow(clippy::too_many_arguments, reason = "the fields of a generated notification, each distinct")]
    fn notification(
        &self,
        rng: &mut Rng,
        kind: &str,
        p: &PlacementRecord,
        host: usize,
        payload: String,
        s: Statutory,
        created_at: NaiveDateTime,
    ) -> NotificationRow {
        let latest = self.latest();
        let delivered_at = rng
            .chance(0.97)
            .then(|| created_at + TimeDelta::minutes((rng.lognormal(120.0, 1.2) as i64).max(1)))
            .filter(|t| *t <= latest);
        let acknowledged_at = delivered_at
            .filter(|_| rng.chance(0.9))
            .map(|d| {
                let days = rng.weighted(&[(0u32, 55), (1, 25), (2, 10), (3, 6), (5, 4)]);
                let on = self.cal.add_working_days(d.date(), days);
                self.at_office(rng, on).max(d + TimeDelta::minutes(1))
            })
            .filter(|t| *t <= latest);
        NotificationRow {
            id: rng.uuid_v7(created_at),
            kind: kind.to_string(),
            recipient_la: p.host_area.clone(),
            sender_org_type: "authority".to_string(),
            sender_org: p.placing_la.clone(),
            child_id: Some(p.child_id.clone()),
            placement_id: Some(p.id.clone()),
            payload,
            regulation: Some(s.regulation.to_string()),
            event_date: Some(s.event_date),
            emergency: s.emergency,
            due_by: Some(s.due_by),
            on_time: Some(s.on_time),
            late_by_working_days: Some(s.late_by_working_days),
            created_at,
            delivered_at,
            acknowledged_at,
            acknowledged_by: acknowledged_at.map(|_| format!("placements-team-{}", self.world.las[host].dfe)),
            recipient_org_type: "authority".to_string(),
        }
    }

    /// `n` missing episodes spread over the child's placements from age 11, never overlapping.
    /// `recorders` holds, per placement, the provider of its registered setting.
    pub fn episodes(
        &self,
        plan: &Plan,
        placements: &[PlacementRecord],
        recorders: &[Option<String>],
        n: u64,
    ) -> Vec<EpisodeRecord> {
        if n == 0 {
            return Vec::new();
        }
        let mut rng = Rng::derive(self.frame.seed, Stream::Episodes, plan.index);
        let today = self.frame.today;
        let windows: Vec<(usize, NaiveDate, NaiveDate)> = plan
            .stays
            .iter()
            .enumerate()
            .filter_map(|(i, s)| plan.missing_window(s, today).map(|(a, b)| (i, a, b)))
            .collect();
        let weights = super::rng::Cumulative::new(
            windows.iter().map(|(i, a, b)| (*b - *a).num_days() as f64 * plan.stays[*i].kind.missing_factor()),
        );
        let mut per = vec![0u64; windows.len()];
        for _ in 0..n {
            if let Some(k) = weights.pick(&mut rng) {
                per[k] += 1;
            }
        }
        let risks: Vec<&str> = if rng.chance(0.45) {
            let mut r: Vec<&str> = (0..rng.int(1, 3)).map(|_| rng.weighted(RISKS)).collect();
            r.sort_unstable();
            r.dedup();
            r
        } else {
            Vec::new()
        };
        let mut starts: Vec<(NaiveDateTime, usize)> = Vec::new();
        for (k, (i, a, b)) in windows.iter().enumerate() {
            let span = (*b - *a).num_days();
            for _ in 0..per[k].min(span as u64) {
                let day = add_days(*a, rng.int(0, span - 1));
                let minute = match rng.f64() {
                    x if x < 0.55 => rng.int(15 * 60, 24 * 60 - 1),
                    x if x < 0.75 => rng.int(0, 6 * 60 - 1),
                    _ => rng.int(6 * 60, 15 * 60 - 1),
                };
                let t = day.and_hms_opt(0, 0, 0).unwrap_or_default() + TimeDelta::minutes(minute);
                starts.push((t, *i));
            }
        }
        starts.sort();
        starts.dedup_by(|later, earlier| later.0 - earlier.0 < TimeDelta::minutes(10));

        // A few children are missing now: their last episode, in the placement still open.
        let mut open_at = None;
        if let (Some(last), Some((_, a, _))) = (plan.stays.last(), windows.last())
            && last.end.is_none()
            && windows.last().is_some_and(|(i, _, _)| *i == plan.stays.len() - 1)
            && rng.chance(0.06)
        {
            let t = self.as_of() - TimeDelta::minutes(rng.int(60, 20 * 24 * 60));
            if t.date() >= *a {
                starts.retain(|(s, _)| *s < t - TimeDelta::minutes(10));
                open_at = Some(t);
            }
        }
        let mut out = Vec::with_capacity(starts.len() + 1);
        for (k, (start, stay)) in starts.iter().enumerate() {
            let next = starts.get(k + 1).map(|(s, _)| *s).or(open_at);
            let window_end = windows.iter().find(|(i, _, _)| i == stay).map(|(_, _, b)| *b).unwrap_or(today);
            // Back before the day the placement ends, as a day in England: a child still missing
            // when she leaves care at 18 would need REC E8 (DfE rule 580).
            let mut limit = (crate::clock::london_midnight(window_end) - TimeDelta::minutes(1)).min(self.latest());
            if let Some(nx) = next {
                limit = limit.min(nx - TimeDelta::minutes(1));
            }
            if *start >= limit {
                // Late in the evening before, in UTC, is already that day in England.
                continue;
            }
            if *stay > 0 && crate::clock::date_of(*start) == plan.stays[*stay].start {
                // To DfE a period starting on the day of a move starts in the placement that
                // ended that day too, which would need it ended (rule 575): none starts then.
                continue;
            }
            let who = recorders.get(*stay).cloned().flatten();
            out.push(self.episode(&mut rng, plan, (&placements[*stay], who), *start, Some(limit), &risks));
        }
        if let Some(t) = open_at {
            let last = plan.stays.len() - 1;
            let who = recorders.get(last).cloned().flatten();
            out.push(self.episode(&mut rng, plan, (&placements[last], who), t, None, &risks));
        }
        out
    }

    /// One episode from `start`; ended before `limit`, or still open when `limit` is None.
    fn episode(
        &self,
        rng: &mut Rng,
        plan: &Plan,
        (p, provider): (&PlacementRecord, Option<String>),
        start: NaiveDateTime,
        limit: Option<NaiveDateTime>,
        risks: &[&str],
    ) -> EpisodeRecord {
        let latest = self.latest();
        let kind = if rng.chance(0.7) { "M" } else { "A" };
        let minutes = if kind == "M" { rng.lognormal(14.0 * 60.0, 1.1) } else { rng.lognormal(5.0 * 60.0, 0.9) };
        let ended_at =
            limit.map(|l| (start + TimeDelta::minutes((minutes as i64).clamp(15, 30 * 24 * 60))).min(l).max(start));
        let reported = rng.chance(if kind == "M" { 0.92 } else { 0.25 });
        let reported_to_police_at = reported
            .then(|| start + TimeDelta::minutes((rng.lognormal(90.0, 0.8) as i64).max(5)))
            .filter(|t| *t <= latest);
        let police_reference = reported_to_police_at
            .map(|t| format!("MP/{:02}/{:06}", chrono::Datelike::year(&t).rem_euclid(100), rng.int(1, 999_999)));
        let risk_indicators: Vec<String> = risks.iter().filter(|_| rng.chance(0.7)).map(|r| r.to_string()).collect();
        let found_where = ended_at.filter(|_| rng.chance(0.92)).map(|_| rng.weighted(FOUND_WHERE).to_string());
        let safe_and_well_at = ended_at
            .filter(|_| rng.chance(if reported_to_police_at.is_some() { 0.75 } else { 0.1 }))
            .map(|e| e + TimeDelta::minutes((rng.lognormal(150.0, 0.9) as i64).max(5)))
            .filter(|t| *t <= latest);
        let mut ri_offered_at = None;
        let mut ri_offered_by = None;
        let mut ri_independent = None;
        let mut ri_outcome = None;
        let mut ri_not_offered_reason = None;
        let mut ri_completed_at = None;
        if let Some(e) = ended_at
            && rng.chance(0.78)
        {
            let outcome = rng.weighted(&[("accepted", 55), ("declined", 30), ("not_offered", 15)]);
            if outcome == "not_offered" {
                ri_outcome = Some(outcome.to_string());
                ri_not_offered_reason = Some(rng.pick(RI_NOT_OFFERED).to_string());
            } else {
                let offered = e + TimeDelta::minutes((rng.lognormal(30.0 * 60.0, 0.7) as i64).max(30));
                if offered <= latest {
                    ri_offered_at = Some(offered);
                    ri_outcome = Some(outcome.to_string());
                    ri_independent = Some(rng.chance(0.85));
                    ri_offered_by = Some(if ri_independent == Some(true) {
                        rng.pick(RI_SERVICES).to_string()
                    } else {
                        format!("{} children's social care", self.world.las[plan.la].name)
                    });
                    if outcome == "accepted" {
                        ri_completed_at =
                            Some(offered + TimeDelta::minutes((rng.lognormal(20.0 * 60.0, 0.8) as i64).max(30)))
                                .filter(|t| *t <= latest);
                    }
                }
            }
        }
        // Who recorded it: the home for a registered setting, else the placing LA (or the host).
        let (org_type, org, by) = match provider {
            Some(pv) if rng.chance(0.75) => {
                ("provider", pv, *rng.pick(&["registered-manager", "deputy-manager", "shift-leader", "night-staff"]))
            }
            _ if p.host_area != p.placing_la && p.host_area.starts_with('E') && rng.chance(0.15) => {
                ("authority", p.host_area.clone(), "missing-coordinator")
            }
            _ => ("authority", p.placing_la.clone(), *rng.pick(&["social-worker", "edt-duty", "missing-coordinator"])),
        };
        let la_record = org_type == "authority" && ended_at.is_some() && rng.chance(0.2);
        let mut created_at = start + TimeDelta::minutes(rng.int(20, 240));
        let mut source = "real_time";
        if la_record && let Some(e) = ended_at {
            let on = add_days(e.date(), rng.int(1, 30));
            let later = self.at_office(rng, on);
            if later <= latest {
                created_at = later;
                source = "la_record";
            }
        }
        let created_at = created_at.min(latest).max(start);
        let events = [ended_at, safe_and_well_at, ri_offered_at, ri_completed_at];
        let later: Vec<NaiveDateTime> = events.iter().flatten().copied().filter(|t| *t > created_at).collect();
        let updated_at = later
            .iter()
            .max()
            .map(|t| (*t + TimeDelta::minutes(rng.int(1, 30))).min(latest))
            .unwrap_or(created_at)
            .max(created_at);
        EpisodeRecord {
            id: EpisodeId(rng.uuid()),
            child_id: p.child_id.clone(),
            placement_id: p.id.clone(),
            kind: kind.to_string(),
            started_at: start,
            ended_at,
            reported_to_police_at,
            police_reference,
            risk_indicators: risk_indicators.into(),
            found_where,
            safe_and_well_at,
            safe_and_well_by: safe_and_well_at.map(|_| "Police".to_string()),
            ri_offered_at,
            ri_offered_by,
            ri_independent,
            ri_outcome,
            ri_not_offered_reason,
            ri_completed_at,
            source: source.to_string(),
            return_id: None,
            recorded_by_org_type: org_type.to_string(),
            recorded_by_org: org,
            recorded_by: by.to_string(),
            version: 1 + later.len() as i64,
            created_at,
            updated_at,
        }
    }
}
