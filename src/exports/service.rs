//! The export of a collection year: which years may be asked for, the four tables with the
//! read of every child exported in the audit log, one table as a CSV file, and the validation
//! of the files as DfE would receive them.

use super::build::{self, YearToDate};
use super::model::{RowCounts, ValidationReport};
use super::repo;
use super::tables::{Table, Tables};
use super::validate;
use crate::auth::Caller;
use crate::db::AnyConnection;
use crate::error::{ApiError, FieldError};
use crate::ids::ChildId;
use crate::ssda903;
use chrono::{NaiveDate, NaiveDateTime};
use std::collections::HashSet;

/// The first collection year with episodes DfE accepts (rule 353: none before 14/10/1991).
const FIRST_YEAR: i32 = 1992;

/// The collection year named in the path: four digits (400 otherwise), from 1992 to the year in
/// progress (422 otherwise).
pub fn parse_year(raw: &str, today: NaiveDate) -> Result<i32, ApiError> {
    let latest = ssda903::collection_year(today);
    let year = match raw.parse::<i32>() {
        Ok(y) if raw.len() == 4 && raw.bytes().all(|b| b.is_ascii_digit()) => y,
        _ => {
            return Err(ApiError::BadRequest {
                detail: format!("year must be a collection year such as {latest}."),
                errors: vec![FieldError::new(
                    "year",
                    "must be four digits naming the year the collection ends in (2026 is 1 April 2025 to 31 March 2026)",
                )],
            });
        }
    };
    if !(FIRST_YEAR..=latest).contains(&year) {
        return Err(ApiError::validation(vec![FieldError::new(
            "year",
            format!("must be a collection year from {FIRST_YEAR} to {latest} (the year in progress)"),
        )]));
    }
    Ok(year)
}

/// The four tables of the caller's collection year, with the read of every child in them in
/// the audit log as `action`.
pub fn export(
    conn: &mut AnyConnection,
    caller: &Caller,
    period: &YearToDate,
    action: &str,
    now: NaiveDateTime,
) -> Result<Tables, ApiError> {
    let la = caller.org.as_str();
    let histories = repo::load(conn, la, period)?;
    let tables = build::build(period, &histories);
    let exported: HashSet<&str> = tables.header.iter().map(|h| h.child.as_str()).collect();
    let ids: Vec<ChildId> = histories
        .iter()
        .filter(|h| exported.contains(h.child.la_child_id.as_str()))
        .map(|h| ChildId::from(h.child.id.as_str()))
        .collect();
    crate::audit::read(conn, caller, action, &ids, now)?;
    Ok(tables)
}

/// The year asked for (`raw_year`) and its tables, the read of each child exported recorded
/// as `action`.
fn year_tables(
    conn: &mut AnyConnection,
    caller: &Caller,
    raw_year: &str,
    action: &str,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<(YearToDate, Tables), ApiError> {
    let period = YearToDate::new(parse_year(raw_year, today)?, today);
    let tables = export(conn, caller, &period, action, now)?;
    tracing::info!(la = %caller.org, year = period.year, children = tables.header.len(), episodes = tables.episodes.len(), "ssda903 export");
    Ok((period, tables))
}

/// One table of the caller's collection year as a CSV file.
pub struct CsvFile {
    pub name: String,
    pub body: Vec<u8>,
}

/// One table of the caller's (a placing LA's) collection year, as DfE's CSV file.
pub fn table(
    conn: &mut AnyConnection,
    caller: &Caller,
    raw_year: &str,
    table: Table,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<CsvFile, ApiError> {
    let action = format!("ssda903.{}.read", table.file_stem());
    let (period, tables) = year_tables(conn, caller, raw_year, &action, today, now)?;
    let body = tables.to_csv(table).map_err(ApiError::internal)?;
    let name = format!("ssda903_{}_{}_{}.csv", period.year, caller.org, table.file_stem());
    Ok(CsvFile { name, body })
}

/// The tables as DfE receives them: written as the CSV files and read back.
fn as_received(tables: &Tables) -> Result<Tables, ApiError> {
    let csv = |t: Table| tables.to_csv(t).map_err(ApiError::internal);
    let (h, e, m, u) = (csv(Table::Header)?, csv(Table::Episodes)?, csv(Table::Missing)?, csv(Table::Uasc)?);
    Tables::from_csv(&h, &e, &m, &u).map_err(ApiError::internal)
}

/// The DfE validation of the caller's collection year: the four files built exactly as for
/// download, read back, and every rule applied.
pub fn validation(
    conn: &mut AnyConnection,
    caller: &Caller,
    raw_year: &str,
    today: NaiveDate,
    now: NaiveDateTime,
) -> Result<ValidationReport, ApiError> {
    let action = "ssda903.validation.read";
    let (period, tables) = year_tables(conn, caller, raw_year, action, today, now)?;
    let parsed = as_received(&tables)?;
    // Last year's return, built from the same records, for the rules comparing the two years.
    let last = if period.year > FIRST_YEAR {
        as_received(&export(conn, caller, &YearToDate::new(period.year - 1, today), action, now)?)?
    } else {
        Tables::default()
    };
    let violations =
        validate::validate_with_last_year(period.year, period.as_of, Some(caller.org.as_str()), &parsed, &last);
    Ok(ValidationReport {
        year: period.year,
        collection_start: period.start,
        collection_end: period.end,
        as_of: period.as_of,
        rows: RowCounts {
            header: parsed.header.len(),
            episodes: parsed.episodes.len(),
            missing: parsed.missing.len(),
            uasc: parsed.uasc.len(),
        },
        valid: violations.is_empty(),
        rules_checked: validate::RULES.iter().map(|r| r.to_string()).collect(),
        violations,
    })
}
