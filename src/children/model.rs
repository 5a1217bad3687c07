use crate::db::rows::children::ChildRecord;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Which view of a child the caller gets, following from its relation to the child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChildAccess {
    /// The responsible (placing) LA: everything.
    Placing,
    /// An LA where the child is or was placed: identity, placing LA, dates.
    Host,
    /// A provider where the child is or was placed: identity only.
    Provider,
}

/// A child as the caller may see it. Fields outside the caller's view are absent.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Child {
    pub id: String,
    pub access: ChildAccess,
    /// ONS code of the LA responsible for the child (the placing LA).
    pub responsible_la: String,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    /// `M`, `F` or `U`.
    pub sex: String,
    /// The responsible LA's own identifier (SSDA903 `CHILD`). Placing LA only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub la_child_id: Option<String>,
    /// SSDA903 `ETHNIC` code. Placing LA only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ethnicity: Option<String>,
    /// Placing LA only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nhs_number: Option<String>,
    /// Unique pupil number or UN1-UN5. Placing LA only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upn: Option<String>,
    /// Placing LA only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub home_postcode: Option<String>,
    /// SSDA903 `CIN` (N1-N8). Placing LA only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_of_need: Option<String>,
    /// SSDA903 `MOTHER`: whether the child, a girl, is a mother (absent until recorded; DfE asks
    /// it of every girl looked after). Placing LA only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mother: Option<bool>,
    /// SSDA903 `MC_DOB`: date of birth of her first child, when she is a mother. Placing LA only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mother_child_dob: Option<NaiveDate>,
    /// SSDA903 UASC: whether the child is, or was, an unaccompanied asylum-seeking child. Placing
    /// LA only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uasc: Option<bool>,
    /// SSDA903 `DUC`: the date UASC status ceased (absent while it goes on). Placing LA only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uasc_ceased: Option<NaiveDate>,
    /// Missing-from-care flags as of now.
    pub missing: crate::flags::ChildMissingFlags,
    /// DfE rules the record breaks that are accepted on the day (no home postcode yet, 392b; an
    /// unaccompanied asylum-seeking child under 11 at the end of the collection year, a date of
    /// birth DfE asks the LA to confirm, 231): in the response to registering or amending the
    /// child only; the export's validation lists them until they are put right.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<crate::ssda903::Warning>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChild {
    /// Your own identifier for the child (SSDA903 `CHILD`).
    #[schema(example = "HK-10234")]
    pub la_child_id: String,
    #[schema(example = "Amelia")]
    pub given_name: String,
    #[schema(example = "Hughes")]
    pub family_name: String,
    #[schema(example = "2011-05-14")]
    pub date_of_birth: NaiveDate,
    #[schema(example = "F")]
    pub sex: String,
    #[schema(example = "WBRI")]
    pub ethnicity: String,
    /// 10 digits with a valid modulus 11 check digit (spaces allowed).
    #[schema(example = "9434765919")]
    pub nhs_number: Option<String>,
    pub upn: Option<String>,
    #[schema(example = "E8 1DY")]
    pub home_postcode: Option<String>,
    #[schema(example = "N1")]
    pub category_of_need: Option<String>,
    /// SSDA903 `MOTHER`, for a girl: whether she is a mother.
    pub mother: Option<bool>,
    /// SSDA903 `MC_DOB`: date of birth of her first child; required when `mother` is true, refused
    /// otherwise.
    pub mother_child_dob: Option<NaiveDate>,
    /// SSDA903 UASC: whether the child is an unaccompanied asylum-seeking child (default false).
    #[serde(default)]
    pub uasc: bool,
    /// SSDA903 `DUC`: the date UASC status ceased, only for a UASC child (DfE rule 303); on or
    /// before the 18th birthday (304), after birth and not in the future.
    #[schema(example = json!(null))]
    pub uasc_ceased: Option<NaiveDate>,
    /// Ids of likely duplicates you have checked and confirm are a different child.
    #[serde(default)]
    pub confirmed_distinct_from: Vec<String>,
}

/// Changes to a child; absent fields stay as they are, `null` clears an optional field.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChildPatch {
    pub la_child_id: Option<String>,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub sex: Option<String>,
    pub ethnicity: Option<String>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<String>)]
    pub nhs_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<String>)]
    pub upn: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<String>)]
    pub home_postcode: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<String>)]
    pub category_of_need: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<bool>)]
    pub mother: Option<Option<bool>>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub mother_child_dob: Option<Option<NaiveDate>>,
    pub uasc: Option<bool>,
    #[serde(default, deserialize_with = "crate::http::double_option")]
    #[schema(value_type = Option<NaiveDate>)]
    pub uasc_ceased: Option<Option<NaiveDate>>,
}

/// A possible existing record of the same child, named in a duplicate refusal.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Candidate {
    pub id: String,
    pub responsible_la: String,
    /// How the candidate's record differs from the one being registered, for a person to check:
    /// `given_name_nickname` (Kate, Katherine), `given_name_sounds_alike` (Rubie, Ruby),
    /// `given_name_spelling` (a typing slip), `given_name_first_word` (a middle name on one side),
    /// the same for `family_name_*` (`family_name_part`: one part of a double-barrelled name),
    /// `date_of_birth_day_month_swapped`, `date_of_birth_one_digit`. Empty: the same names and
    /// date of birth.
    pub reasons: Vec<String>,
}

impl ChildRecord {
    pub fn view(self, access: ChildAccess) -> Child {
        let full = access == ChildAccess::Placing;
        Child {
            id: self.id.0,
            access,
            responsible_la: self.responsible_la,
            given_name: self.given_name,
            family_name: self.family_name,
            date_of_birth: self.date_of_birth,
            sex: self.sex,
            la_child_id: full.then_some(self.la_child_id),
            ethnicity: full.then_some(self.ethnicity),
            nhs_number: if full { self.nhs_number } else { None },
            upn: if full { self.upn } else { None },
            home_postcode: if full { self.home_postcode } else { None },
            category_of_need: if full { self.category_of_need } else { None },
            mother: if full { self.mother } else { None },
            mother_child_dob: if full { self.mother_child_dob } else { None },
            uasc: full.then_some(self.uasc),
            uasc_ceased: if full { self.uasc_ceased } else { None },
            missing: Default::default(),
            warnings: Vec::new(),
            version: self.version,
            created_at: self.created_at.and_utc(),
            updated_at: self.updated_at.and_utc(),
        }
    }
}

/// A transfer of responsibility for a child to another LA (a care order transferred).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTransfer {
    /// ONS code of the LA taking responsibility.
    #[schema(example = "E08000035")]
    pub to_la: String,
    /// The receiving LA's own identifier for the child (SSDA903 `CHILD`), when it is not the
    /// one in use now.
    pub la_child_id: Option<String>,
}

/// A transfer of responsibility that took place.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct Transfer {
    pub id: String,
    pub child_id: String,
    pub from_la: String,
    pub to_la: String,
    pub transferred_at: DateTime<Utc>,
}

/// Another record of the same child, to merge into this one.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMerge {
    /// The id of the other record; it will point to this one (`merged_into`).
    pub duplicate_id: String,
}

/// A merge of two records of one child.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct Merge {
    pub id: String,
    /// The record that is kept.
    pub survivor_id: String,
    /// The record merged into it.
    pub merged_id: String,
    pub requested_by_la: String,
    pub requested_at: DateTime<Utc>,
    /// `completed`, or `requested` until the LA responsible for the other record confirms it.
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_by_la: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
}
