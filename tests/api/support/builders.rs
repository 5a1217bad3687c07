//! Fixture builders: each starts from a valid request body and changes only what a test names.
//! They turn into the JSON the API takes (`Value::from(builder)`, or pass them to an endpoint
//! helper, which takes `impl Into<Value>`).

use super::fixtures::{AGENCY, HACKNEY_POSTCODE, LEEDS_POSTCODE};
use serde_json::{Value, json};

macro_rules! into_json {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(b: $t) -> Value {
                b.0
            }
        }
        impl $t {
            /// Sets any field, for what the named methods do not cover.
            pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
                self.0[key] = value.into();
                self
            }
            /// Leaves a field out.
            pub fn without(mut self, key: &str) -> Self {
                if let Some(o) = self.0.as_object_mut() {
                    o.remove(key);
                }
                self
            }
            pub fn json(&self) -> Value {
                self.0.clone()
            }
        }
    )*};
}

into_json!(Child, Placement, Ending, Episode, Setting, ReturnRow);

/// A child as a placing LA registers it. Default: Amelia Hughes, born 14 May 2011, female,
/// White British, living in Hackney, with an LA child id of her own.
#[derive(Clone, Debug)]
pub struct Child(Value);

/// A child named `given family` (the other defaults as [`Child`] says).
pub fn a_child(given: &str, family: &str) -> Child {
    Child::default().named(given, family)
}

impl Default for Child {
    fn default() -> Child {
        Child(json!({
            "la_child_id": format!("C{}", &uuid::Uuid::new_v4().simple().to_string()[..8]),
            "given_name": "Amelia",
            "family_name": "Hughes",
            "date_of_birth": "2011-05-14",
            "sex": "F",
            "ethnicity": "WBRI",
            "home_postcode": HACKNEY_POSTCODE,
        }))
    }
}

impl Child {
    pub fn named(self, given: &str, family: &str) -> Child {
        self.with("given_name", given).with("family_name", family)
    }
    pub fn born(self, date: &str) -> Child {
        self.with("date_of_birth", date)
    }
    pub fn nhs(self, number: &str) -> Child {
        self.with("nhs_number", number)
    }
    pub fn upn(self, upn: &str) -> Child {
        self.with("upn", upn)
    }
    pub fn sex(self, sex: &str) -> Child {
        self.with("sex", sex)
    }
    pub fn ethnicity(self, code: &str) -> Child {
        self.with("ethnicity", code)
    }
    pub fn category_of_need(self, code: &str) -> Child {
        self.with("category_of_need", code)
    }
    pub fn home(self, postcode: &str) -> Child {
        self.with("home_postcode", postcode)
    }
    pub fn la_child_id(self, id: &str) -> Child {
        self.with("la_child_id", id)
    }
    /// Registered although it looks like these records (a likely duplicate).
    pub fn distinct_from(self, ids: &[&str]) -> Child {
        self.with("confirmed_distinct_from", json!(ids))
    }
}

/// A placement as the placing LA registers it: from 1 June 2026, legal status C2 (care order),
/// PLACE_PROVIDER PR4 (private), not an emergency.
#[derive(Clone, Debug)]
pub struct Placement(Value);

impl Placement {
    /// In a children's home (PLACE K2) registered under `urn`.
    pub fn at(child: &str, urn: &str) -> Placement {
        Placement(json!({"child_id": child, "urn": urn, "place": "K2", "place_provider": "PR4", "legal_status": "C2",
                         "start_date": "2026-06-01"}))
    }
    /// With foster carers (PLACE U4, through the agency) living at `postcode`.
    pub fn foster(child: &str, postcode: &str) -> Placement {
        Placement(
            json!({"child_id": child, "urn": AGENCY, "postcode": postcode, "place": "U4", "place_provider": "PR4",
                         "legal_status": "C2", "start_date": "2026-06-01"}),
        )
    }
    pub fn from(self, start: &str) -> Placement {
        self.with("start_date", start)
    }
    pub fn emergency(self) -> Placement {
        self.with("emergency", true)
    }
    pub fn legal_status(self, code: &str) -> Placement {
        self.with("legal_status", code)
    }
    pub fn place(self, code: &str) -> Placement {
        self.with("place", code)
    }
    pub fn place_provider(self, code: &str) -> Placement {
        self.with("place_provider", code)
    }
    pub fn urn(self, urn: &str) -> Placement {
        self.with("urn", urn)
    }
    pub fn postcode(self, postcode: &str) -> Placement {
        self.with("postcode", postcode)
    }
    /// Names the host LA the caller believes it is (the registry checks it against the postcode).
    pub fn host_la(self, code: &str) -> Placement {
        self.with("host_la", code)
    }
}

/// The end of a placement: its date and reason for episode ceasing (REC).
#[derive(Clone, Debug)]
pub struct Ending(Value);

impl Ending {
    pub fn on(date: &str, rec: &str) -> Ending {
        Ending(json!({"end_date": date, "rec": rec}))
    }
    /// A move to another placement (REC X1) for this REASON_PLACE_CHANGE.
    pub fn moved(date: &str, reason: &str) -> Ending {
        Ending::on(date, "X1").because(reason)
    }
    pub fn because(self, reason_place_change: &str) -> Ending {
        self.with("reason_place_change", reason_place_change)
    }
}

/// A missing-from-care episode as reported to the API: kind M (missing) unless said otherwise.
#[derive(Clone, Debug)]
pub struct Episode(Value);

impl Episode {
    /// Missing since `started_at` (RFC 3339).
    pub fn missing(child: &str, started_at: &str) -> Episode {
        Episode(json!({"child_id": child, "kind": "M", "started_at": started_at}))
    }
    /// Away without authorisation since `started_at`.
    pub fn away(child: &str, started_at: &str) -> Episode {
        Episode::missing(child, started_at).kind("A")
    }
    pub fn kind(self, kind: &str) -> Episode {
        self.with("kind", kind)
    }
    /// Back at `ended_at`.
    pub fn until(self, ended_at: &str) -> Episode {
        self.with("ended_at", ended_at)
    }
    pub fn found(self, where_: &str) -> Episode {
        self.with("found_where", where_)
    }
    pub fn reported_to_police(self, at: &str, reference: &str) -> Episode {
        self.with("reported_to_police_at", at).with("police_reference", reference)
    }
    pub fn risks(self, indicators: &[&str]) -> Episode {
        self.with("risk_indicators", json!(indicators))
    }
    pub fn safe_and_well(self, at: &str, by: &str) -> Episode {
        self.with("safe_and_well", json!({"at": at, "by": by}))
    }
    /// The return interview, as the API's `return_interview` object.
    pub fn return_interview(self, interview: Value) -> Episode {
        self.with("return_interview", interview)
    }
}

/// A children's home or other setting in the directory; by default a K2 home in Leeds.
#[derive(Clone, Debug)]
pub struct Setting(Value);

impl Setting {
    pub fn new(urn: &str, provider: &str, name: &str) -> Setting {
        Setting(json!({"urn": urn, "provider_id": provider, "name": name, "place": "K2", "postcode": LEEDS_POSTCODE}))
    }
    pub fn postcode(self, postcode: &str) -> Setting {
        self.with("postcode", postcode)
    }
}

/// One row of a quarterly return's `episodes`, in the flat shape of the return's file.
#[derive(Clone, Debug)]
pub struct ReturnRow(Value);

impl ReturnRow {
    pub fn new(child: &str, kind: &str, started_at: &str) -> ReturnRow {
        ReturnRow(json!({"child_id": child, "kind": kind, "started_at": started_at}))
    }
    pub fn until(self, ended_at: &str) -> ReturnRow {
        self.with("ended_at", ended_at)
    }
}

/// A quarterly return's JSON body: the rows given (`nil: false`).
pub fn return_of(rows: Vec<Value>) -> Value {
    json!({"nil": false, "episodes": rows})
}

/// A nil return: no episode in the quarter.
pub fn nil_return() -> Value {
    json!({"nil": true})
}
