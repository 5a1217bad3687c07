//! Rows of quarterly returns: every version a setting submits for a quarter.

use crate::db::schema::quarterly_returns;
use chrono::NaiveDateTime;
use diesel::prelude::*;

/// A version of a setting's return for a quarter, as stored: its metadata, the reconciliation
/// summary and the content (both JSON).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = quarterly_returns)]
pub struct ReturnRow {
    #[diesel(embed)]
    pub version: ReturnVersionRow,
    /// The reconciliation summary (JSON).
    pub summary: String,
    /// The episodes as submitted, and the format they came in (JSON).
    pub content: String,
}

/// The metadata of a version, without its summary and content (what lists read).
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = quarterly_returns)]
pub struct ReturnVersionRow {
    pub id: String,
    pub urn: String,
    /// The quarter, `2026-Q3`.
    pub period: String,
    /// 1 for the first submission, then one more for each resubmission.
    pub version: i64,
    pub nil: bool,
    pub row_count: i64,
    pub submitted_by: String,
    pub submitted_at: NaiveDateTime,
    /// Why it was resubmitted.
    pub reason: Option<String>,
    /// `submitted`, `accepted` or `queried`.
    pub status: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<NaiveDateTime>,
    pub review_comment: Option<String>,
}
