//! Rules for trusted issuers: what may be trusted, and creating or disabling one.

use super::model::{ALLOWED_ALGORITHMS, NewTrustedIssuer, TrustedIssuer};
use super::repo;
use crate::auth::OrgType;
use crate::db::rows::auth::TrustedIssuerRow;
use crate::db::{AnyConnection, write_tx};
use crate::error::{ApiError, FieldError, ProblemType};
use crate::http::check_text;
use chrono::NaiveDateTime;

fn check_url(errors: &mut Vec<FieldError>, url: &str, dev: bool) {
    if let Err(why) = crate::outbound::check_url(url, dev) {
        errors.push(FieldError::new("jwks_url", why));
    }
}

/// Every problem with the fields of a new issuer, before the database is asked.
fn check(input: &NewTrustedIssuer, own_issuer: &str, dev: bool) -> Vec<FieldError> {
    let mut errors = Vec::new();
    check_text(&mut errors, "issuer", &input.issuer, 500);
    check_text(&mut errors, "audience", &input.audience, 500);
    if input.issuer == own_issuer {
        errors.push(FieldError::new("issuer", "is this registry's own issuer"));
    }
    if input.algorithms.is_empty() {
        errors.push(FieldError::new("algorithms", "must list at least one algorithm"));
    }
    for (i, a) in input.algorithms.iter().enumerate() {
        if !ALLOWED_ALGORITHMS.contains(&a.as_str()) {
            errors.push(FieldError::new(
                format!("algorithms[{i}]"),
                format!("must be one of {}", ALLOWED_ALGORITHMS.join(", ")),
            ));
        }
    }
    match (&input.jwks, &input.jwks_url) {
        (Some(j), None) => {
            if serde_json::from_value::<jsonwebtoken::jwk::JwkSet>(j.clone()).is_err() {
                errors.push(FieldError::new("jwks", "is not a JSON Web Key Set"));
            }
        }
        (None, Some(url)) => check_url(&mut errors, url, dev),
        _ => errors.push(FieldError::new("jwks", "give exactly one of jwks and jwks_url")),
    }
    if input.org_type == OrgType::Operator {
        errors.push(FieldError::new("org_type", "an external issuer may speak for authorities or providers only"));
    }
    if input.orgs.is_empty() {
        errors.push(FieldError::new("orgs", "must list the organisations it may speak for"));
    }
    for (field, claim) in [("org_claim", &input.org_claim), ("scope_claim", &input.scope_claim)] {
        if let Some(c) = claim {
            check_text(&mut errors, field, c, 100);
        }
    }
    errors
}

/// Trusts a new issuer.
pub fn create(
    conn: &mut AnyConnection,
    input: NewTrustedIssuer,
    own_issuer: &str,
    dev: bool,
    now: NaiveDateTime,
) -> Result<TrustedIssuer, ApiError> {
    let mut errors = check(&input, own_issuer, dev);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    for (i, org) in input.orgs.iter().enumerate() {
        if !crate::auth::repo::org_exists(conn, input.org_type, org)? {
            errors.push(FieldError::new(format!("orgs[{i}]"), format!("no {} {org} is registered", input.org_type)));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    if repo::issuer_exists(conn, &input.issuer)? {
        return Err(ApiError::conflict(ProblemType::DuplicateIssuer, "This issuer is already registered."));
    }
    let row = TrustedIssuerRow {
        id: uuid::Uuid::new_v4().to_string(),
        issuer: input.issuer,
        audience: input.audience,
        algorithms: input.algorithms.join(" "),
        jwks: input.jwks.as_ref().map(|j| j.to_string()),
        jwks_url: input.jwks_url,
        org_type: input.org_type.as_str().to_string(),
        org_claim: input.org_claim.unwrap_or_else(|| "org".into()),
        scope_claim: input.scope_claim.unwrap_or_else(|| "scope".into()),
        orgs: input.orgs.join(" "),
        created_at: now,
        disabled_at: None,
    };
    write_tx(conn, |conn| repo::insert(conn, &row))?;
    TrustedIssuer::try_from(row)
}

pub fn list(conn: &mut AnyConnection) -> Result<Vec<TrustedIssuer>, ApiError> {
    repo::list(conn)?.into_iter().map(TrustedIssuer::try_from).collect()
}

/// Stops trusting an issuer; 404 for an unknown one.
pub fn disable(conn: &mut AnyConnection, id: &str, now: NaiveDateTime) -> Result<TrustedIssuer, ApiError> {
    write_tx(conn, |conn| repo::disable(conn, id, now))?;
    TrustedIssuer::try_from(repo::find(conn, id)?.ok_or(ApiError::NotFound)?)
}
