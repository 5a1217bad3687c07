//! What the export shows besides its CSV files: the validation report.

use super::validate::Violation;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Rows in each table.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RowCounts {
    pub header: usize,
    pub episodes: usize,
    pub missing: usize,
    pub uasc: usize,
}

/// The DfE validation of a collection year's export.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ValidationReport {
    pub year: i32,
    pub collection_start: NaiveDate,
    pub collection_end: NaiveDate,
    /// The last day the export reports: the end of the year, or today while the year runs.
    pub as_of: NaiveDate,
    pub rows: RowCounts,
    /// True when no rule is broken.
    pub valid: bool,
    /// The DfE rule codes checked.
    pub rules_checked: Vec<String>,
    /// Every rule broken, by table and row.
    pub violations: Vec<Violation>,
}
