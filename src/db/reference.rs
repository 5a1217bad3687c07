//! Reference data every database starts with: the 153 English local authorities of the ONS list
//! (`data/local-authorities.csv`, Open Government Licence v3.0), loaded at start where missing.

use crate::db::schema::authorities;
use crate::db::{AnyConnection, write_tx};
use crate::error::ApiError;
use chrono::NaiveDate;
use diesel::prelude::*;

const AUTHORITIES_CSV: &str = include_str!("../../data/local-authorities.csv");

/// Inserts any authority from the bundled ONS list that the database does not have yet.
pub fn load_authorities(conn: &mut AnyConnection) -> Result<usize, ApiError> {
    let existing: Vec<String> = authorities::table.select(authorities::code).load(conn)?;
    let mut added = 0;
    let mut reader = csv::Reader::from_reader(AUTHORITIES_CSV.as_bytes());
    let mut rows = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(ApiError::internal)?;
        let [code, dfe, name, from, to] = [0, 1, 2, 3, 4].map(|i| rec.get(i).unwrap_or_default().to_string());
        if !existing.contains(&code) {
            rows.push((code, dfe, name, from, to));
        }
    }
    write_tx(conn, |conn| {
        for (code, dfe, name, from, to) in &rows {
            let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
            diesel::insert_into(authorities::table)
                .values((
                    authorities::code.eq(code),
                    authorities::dfe_code.eq(dfe),
                    authorities::name.eq(name),
                    authorities::valid_from.eq(date(from)),
                    authorities::valid_to.eq(date(to)),
                ))
                .execute(conn)?;
            added += 1;
        }
        Ok(added)
    })
}
