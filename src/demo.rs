//! A small believable demo: a few LAs, two providers with settings, children placed in and out
//! of area, and tokens to try the API with. Seeded only into a database with no children.

use crate::auth::tokens::Grant;
use crate::auth::{Caller, OrgType};
use crate::children::{model::NewChild, repo as children_repo, service as children};
use crate::db::{AnyConnection, write_tx};
use crate::directory::{repo as directory, service as directory_rules};
use crate::error::ApiError;
use crate::geo::Geo;
use crate::placements::model::{EndPlacement, NewPlacement};
use crate::placements::service as placements;
use crate::state::AppState;
use chrono::{Days, Months, NaiveDate};

pub const HACKNEY: &str = "E09000012";
pub const LEEDS: &str = "E08000035";
pub const MANCHESTER: &str = "E08000003";
pub const KENT: &str = "E10000016";
pub const PROVIDER_A: &str = "0b6f1b8e-3c1a-4d7e-9a51-5d1f0c2a7e01";
pub const PROVIDER_B: &str = "0b6f1b8e-3c1a-4d7e-9a51-5d1f0c2a7e02";

fn postcode(area: &str, seed: u64) -> Result<String, ApiError> {
    Geo::global().sample(area, 1, seed).pop().ok_or_else(|| ApiError::internal(format!("no postcode in {area}")))
}

fn child(
    id: &str,
    (given, family): (&str, &str),
    dob: NaiveDate,
    (sex, eth): (&str, &str),
    home: Option<String>,
) -> NewChild {
    NewChild {
        la_child_id: id.into(),
        given_name: given.into(),
        family_name: family.into(),
        date_of_birth: dob,
        sex: sex.into(),
        ethnicity: eth.into(),
        nhs_number: None,
        upn: None,
        home_postcode: home,
        category_of_need: Some("N1".into()),
        mother: (sex == "F").then_some(false),
        mother_child_dob: None,
        uasc: false,
        uasc_ceased: None,
        confirmed_distinct_from: vec![],
    }
}

/// A date of birth `years` years and `days` days before `today`: the demo's children keep their
/// ages (and so what their placements are allowed to be) whenever it is loaded.
fn born(today: NaiveDate, years: u32, days: u64) -> Result<NaiveDate, ApiError> {
    today
        .checked_sub_months(Months::new(years * 12))
        .and_then(|d| d.checked_sub_days(Days::new(days)))
        .ok_or_else(|| ApiError::internal("bad demo date"))
}

/// Loads the demo into an empty database; returns false when there was already data. With peers
/// in the directory, only what this node holds is loaded: children of the LAs it homes, settings
/// in those LAs (and their providers); a placement in a setting homed elsewhere names it by URN
/// and postcode, and reaches that node as any placement does.
pub fn load(conn: &mut AnyConnection, today: NaiveDate, now: chrono::NaiveDateTime) -> Result<bool, ApiError> {
    if children_repo::any(conn)? {
        return Ok(false);
    }
    let cal = crate::calendar::WorkingCalendar::england_and_wales();
    write_tx(conn, |conn| {
        let mut local = |la: &str| -> Result<bool, ApiError> { Ok(crate::peers::repo::home_of(conn, la)?.is_none()) };
        let settings = [
            ("SC480011", PROVIDER_A, "Oak House", "K2", LEEDS, 11),
            ("SC480012", PROVIDER_A, "Willow Lodge", "K2", KENT, 12),
            ("SC520301", PROVIDER_B, "Harbour View", "K2", MANCHESTER, 13),
            ("1234567", PROVIDER_B, "Fernside Supported Living", "K3", LEEDS, 14),
        ];
        let mut here = Vec::new();
        for (urn, _, _, _, area, _) in settings {
            if local(area)? {
                here.push(urn);
            }
        }
        let kids_here = [local(HACKNEY)?, local(MANCHESTER)?];
        let providers = [
            (PROVIDER_A, "Brightwater Care Ltd", Some("referrals@brightwater.example")),
            (PROVIDER_B, "Northern Lights Children's Services", None),
        ];
        for (id, name, email) in providers {
            if settings.iter().any(|s| s.1 == id && here.contains(&s.0)) {
                directory::insert_provider(
                    conn,
                    &directory_rules::provider_record(id.into(), name, email.map(str::to_string), now),
                )?;
            }
        }
        let mut setting_postcodes = std::collections::HashMap::new();
        for (urn, provider, name, place, area, seed) in settings {
            let pc = postcode(area, seed)?;
            setting_postcodes.insert(urn, pc.clone());
            if here.contains(&urn) {
                directory::insert_setting(
                    conn,
                    &directory_rules::setting_record(urn, provider, name, place, area, &pc, now),
                )?;
            }
        }
        let start = |days: u64| today.checked_sub_days(Days::new(days)).ok_or_else(|| ApiError::internal("date"));
        let hackney_home = || postcode(HACKNEY, 21);
        let kids = [
            (
                HACKNEY,
                child("HK1001", ("Amelia", "Hughes"), born(today, 15, 200)?, ("F", "WBRI"), Some(hackney_home()?)),
            ),
            (
                HACKNEY,
                child(
                    "HK1002",
                    ("Tyrone", "Mensah"),
                    born(today, 16, 30)?,
                    ("M", "BAFR"),
                    Some(postcode(HACKNEY, 22)?),
                ),
            ),
            (
                HACKNEY,
                child("HK1003", ("Leah", "Okafor"), born(today, 13, 90)?, ("F", "BAFR"), Some(postcode(HACKNEY, 23)?)),
            ),
            (
                HACKNEY,
                child(
                    "HK1004",
                    ("Kai", "Whitfield"),
                    born(today, 17, 110)?,
                    ("M", "MWBC"),
                    Some(postcode(HACKNEY, 24)?),
                ),
            ),
            (
                MANCHESTER,
                child(
                    "MC2001",
                    ("Jayden", "Brooks"),
                    born(today, 16, 300)?,
                    ("M", "WBRI"),
                    Some(postcode(MANCHESTER, 25)?),
                ),
            ),
        ];
        let mut ids = Vec::new();
        for (la, input) in kids {
            if !kids_here[usize::from(la == MANCHESTER)] {
                ids.push(String::new());
                continue;
            }
            let mut rec = children::new_record(la, input, now);
            children::validate(&mut rec, today)?;
            children_repo::insert(conn, &rec)?;
            ids.push(rec.id.to_string());
        }
        let setting = |child: &str,
                       urn: &str,
                       place: &str,
                       provider: &str,
                       ls: &str,
                       days: u64|
         -> Result<NewPlacement, ApiError> {
            Ok(NewPlacement {
                child_id: child.into(),
                urn: Some(urn.into()),
                // A setting on another node is named with its postcode.
                postcode: if here.contains(&urn) { None } else { setting_postcodes.get(urn).cloned() },
                host_la: None,
                place: place.into(),
                place_provider: Some(provider.into()),
                legal_status: ls.into(),
                start_date: start(days)?,
                emergency: false,
            })
        };
        if kids_here[0] {
            // Amelia: Oak House in Leeds, out of area.
            placements::create(conn, &cal, HACKNEY, setting(&ids[0], "SC480011", "K2", "PR4", "C2", 120)?, now)?;
            // Tyrone: Willow Lodge in Kent, having moved there from a foster home in Hackney.
            // Foster placements name the fostering service's URN and give the carers' postcode.
            let mut foster = setting(&ids[1], "SC057821", "U4", "PR1", "C2", 400)?;
            foster.postcode = Some(postcode(HACKNEY, 31)?);
            let first = placements::create(conn, &cal, HACKNEY, foster, now)?;
            let hackney = Caller {
                sub: "demo".into(),
                org_type: OrgType::Authority,
                org: HACKNEY.into(),
                scopes: vec![],
                client_id: None,
                request_id: None,
            };
            let end = EndPlacement {
                end_date: start(60)?,
                rec: "X1".into(),
                reason_place_change: Some("CARPL".into()),
                end_open_missing_episodes: None,
            };
            placements::end(conn, &cal, &hackney, first.id.as_str(), end, None, now)?;
            placements::create(conn, &cal, HACKNEY, setting(&ids[1], "SC480012", "K2", "PR4", "C2", 60)?, now)?;
            // Leah: in-area foster placement with Hackney's own carers.
            let mut own = setting(&ids[2], "SC057821", "U1", "PR1", "C1", 200)?;
            own.postcode = Some(postcode(HACKNEY, 32)?);
            placements::create(conn, &cal, HACKNEY, own, now)?;
            // Kai: supported accommodation in Leeds, an emergency placement.
            let mut kai = setting(&ids[3], "1234567", "K3", "PR5", "V2", 10)?;
            kai.emergency = true;
            placements::create(conn, &cal, HACKNEY, kai, now)?;
        }
        if kids_here[1] {
            // Jayden (Manchester): Oak House in Leeds too.
            placements::create(conn, &cal, MANCHESTER, setting(&ids[4], "SC480011", "K2", "PR4", "C2", 30)?, now)?;
        }
        Ok(true)
    })
}

/// Loads the demo if needed and prints tokens for each role with an example call.
pub fn load_and_print(state: &AppState, bind: &str) -> Result<(), Box<dyn std::error::Error>> {
    let today = state.clock.today();
    let now = state.now();
    let mut conn = state.pool.get()?;
    let loaded = load(&mut conn, today, now).map_err(|e| format!("demo load failed: {e:?}"))?;
    let issue = |org_type: OrgType, org: &str, sub: &str| -> Result<String, Box<dyn std::error::Error>> {
        let scopes: Vec<String> = org_type.allowed_scopes().iter().map(|s| s.to_string()).collect();
        let grant = Grant { sub, org_type, org, scopes: &scopes, client_id: None, ttl_secs: 86_400 };
        Ok(state.tokens().issue(&grant, state.clock.now()).map_err(|e| e.to_string())?)
    };
    let base = format!("http://{bind}");
    println!(
        "\n{} Demo tokens (valid 24 hours):\n",
        if loaded { "Demo data loaded." } else { "Demo data already present." }
    );
    let mut local = |la: &str| crate::peers::repo::home_of(&mut conn, la).map(|n| n.is_none()).unwrap_or(true);
    let (hackney, leeds, kent) = (local(HACKNEY), local(LEEDS), local(KENT));
    let brightwater = local(LEEDS) || local(KENT);
    if hackney {
        println!(
            "Placing LA, Hackney ({HACKNEY}):\n  PLACING={}\n",
            issue(OrgType::Authority, HACKNEY, "demo-hackney")?
        );
    }
    if leeds {
        println!("Host LA, Leeds ({LEEDS}):\n  HOST={}\n", issue(OrgType::Authority, LEEDS, "demo-leeds")?);
    }
    if kent {
        println!("Unrelated LA, Kent ({KENT}):\n  OTHER={}\n", issue(OrgType::Authority, KENT, "demo-kent")?);
    }
    if brightwater {
        println!(
            "Provider, Brightwater Care Ltd ({PROVIDER_A}):\n  PROVIDER={}\n",
            issue(OrgType::Provider, PROVIDER_A, "demo-brightwater")?
        );
    }
    println!("Operator:\n  OPERATOR={}\n", issue(OrgType::Operator, "registry", "demo-operator")?);
    if leeds {
        println!("Try:\n  curl -s -H \"Authorization: Bearer $HOST\" {base}/v1/authorities/{LEEDS}/placed-children\n");
    }
    println!("API docs: {base}/docs\n");
    Ok(())
}
