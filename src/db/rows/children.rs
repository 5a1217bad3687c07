//! The row of the shared child record.

use crate::db::schema::{child_merges, children};
use crate::ids::ChildId;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// A child as stored.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = children, treat_none_as_null = true)]
pub struct ChildRecord {
    pub id: ChildId,
    /// ONS code of the LA responsible for the child.
    pub responsible_la: String,
    /// The responsible LA's own identifier (SSDA903 `CHILD`).
    pub la_child_id: String,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    pub sex: String,
    pub ethnicity: String,
    pub nhs_number: Option<String>,
    pub upn: Option<String>,
    pub home_postcode: Option<String>,
    pub category_of_need: Option<String>,
    /// SSDA903 `MOTHER`: whether the child (a girl) is a mother; None until recorded.
    pub mother: Option<bool>,
    /// SSDA903 `MC_DOB`: date of birth of her first child.
    pub mother_child_dob: Option<NaiveDate>,
    /// SSDA903 UASC: whether the child is (or was) an unaccompanied asylum-seeking child.
    pub uasc: bool,
    /// SSDA903 `DUC`: the date UASC status ceased; None while it goes on.
    pub uasc_ceased: Option<NaiveDate>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A merge of two records of one child: requested, then completed (at once when one LA holds
/// both, else when the other LA confirms).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = child_merges)]
pub struct MergeRecord {
    pub id: String,
    /// The record kept.
    pub survivor_id: String,
    /// The record merged into it.
    pub merged_id: String,
    pub requested_by_la: String,
    pub requested_by: String,
    pub requested_at: NaiveDateTime,
    /// `requested` or `completed`.
    pub status: String,
    pub completed_by_la: Option<String>,
    pub completed_at: Option<NaiveDateTime>,
}
