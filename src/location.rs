//! Where a placement or setting is: the postcode, checked against the ONS postcode directory,
//! gives the area (English LA, or Wales, Scotland, Northern Ireland), never the caller alone.

use crate::error::FieldError;
use crate::geo::{self, Area, Geo};

#[derive(Debug, Clone)]
pub struct Location {
    /// Normalised postcode (`LS1 4AP`).
    pub postcode: String,
    pub area: Area,
}

/// Resolves a postcode; when `expected_host` is given it must agree with the postcode.
pub fn resolve(
    field: &str,
    postcode: &str,
    host_field: &str,
    expected_host: Option<&str>,
) -> Result<Location, Vec<FieldError>> {
    let Some(normalised) = geo::normalise(postcode) else {
        return Err(vec![FieldError::new(field, "is not a UK postcode")]);
    };
    let Some(area) = Geo::global().lookup(&normalised) else {
        return Err(vec![FieldError::new(field, format!("{normalised} is not in the ONS postcode directory"))]);
    };
    if let Some(given) = expected_host.map(str::trim).filter(|s| !s.is_empty())
        && !given.eq_ignore_ascii_case(area.code())
    {
        return Err(vec![FieldError::new(host_field, format!("{normalised} is in {}, not {given}", area.code()))]);
    }
    Ok(Location { postcode: normalised, area })
}

/// Checks the shape and existence of an optional postcode (a child's home), normalising it.
pub fn check_postcode(errors: &mut Vec<FieldError>, field: &str, postcode: Option<&str>) -> Option<String> {
    let pc = postcode?;
    match resolve(field, pc, field, None) {
        Ok(loc) => Some(loc.postcode),
        Err(mut e) => {
            errors.append(&mut e);
            None
        }
    }
}
