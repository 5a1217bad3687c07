//! Query strings. [`Query`] parses one like actix's extractor does, but every refusal names the
//! parameter, what was given and what is expected: an unknown parameter is a 400 listing those the
//! endpoint takes; a value outside a filter's allowed ones is a 422 listing them; a malformed value
//! is a 400 saying the format. [`Instant`] is the type of instants in query strings.

use crate::error::{ApiError, FieldError};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use chrono::{DateTime, NaiveDate, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use std::future::{Ready, ready};

/// A parsed query string.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = Ready<Result<Query<T>, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse(req.query_string()).map(Query))
    }
}

/// Parses a query string into `T`, naming the parameter at fault.
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let message = e.inner().to_string();
        refusal(&field, &message)
    })
}

/// The problem for a query string serde refused.
fn refusal(field: &str, message: &str) -> ApiError {
    let quoted = |m: &str| -> Vec<String> { m.split('`').skip(1).step_by(2).map(str::to_string).collect() };
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let names = quoted(rest);
        let (given, allowed) = names.split_first().map_or(("?", &[][..]), |(g, a)| (g.as_str(), a));
        let message = if allowed.is_empty() {
            format!("`{given}` is not a parameter of this endpoint, which takes none")
        } else {
            format!("`{given}` is not a parameter of this endpoint; it takes: {}", allowed.join(", "))
        };
        return ApiError::BadRequest {
            detail: format!("The query string is not valid: {message}."),
            errors: vec![FieldError::new(given, message)],
        };
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        let name = quoted(rest).into_iter().next().unwrap_or_else(|| "query".into());
        let message = "is required".to_string();
        return ApiError::BadRequest {
            detail: format!("{name}: {message}"),
            errors: vec![FieldError::new(name, message)],
        };
    }
    let field = if field.is_empty() || field == "." { "query" } else { field };
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let names = quoted(rest);
        let (given, allowed) = names.split_first().map_or(("?", &[][..]), |(g, a)| (g.as_str(), a));
        return ApiError::field(field, format!("`{given}` is not one of: {}", allowed.join(", ")));
    }
    let message = message.split(" at line ").next().unwrap_or(message).to_string();
    ApiError::BadRequest { detail: format!("{field}: {message}"), errors: vec![FieldError::new(field, message)] }
}

/// An instant in a query string: RFC 3339 (`2026-11-01T00:00:00Z`), or a date alone
/// (`2026-11-01`), meaning the start of that day in England (Europe/London).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instant(pub DateTime<Utc>);

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Instant, D::Error> {
        let s = String::deserialize(de)?;
        let s = s.trim();
        if let Ok(t) = DateTime::parse_from_rfc3339(s) {
            return Ok(Instant(t.to_utc()));
        }
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Ok(Instant(crate::clock::london_midnight(d).and_utc()));
        }
        Err(serde::de::Error::custom(format!(
            "`{s}` is not an instant: give an RFC 3339 date-time such as 2026-11-01T00:00:00Z, or a date \
             YYYY-MM-DD for the start of that day in England"
        )))
    }
}

/// A date in a query string, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Date, D::Error> {
        let s = String::deserialize(de)?;
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map(Date).map_err(|_| {
            serde::de::Error::custom(format!(
                "`{s}` is not a date: give a real date written YYYY-MM-DD, such as 2026-11-01"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code, reason = "fields are read through Debug in assertions")]
    struct Q {
        since: Option<Instant>,
        on: Option<Date>,
        status: Option<Status>,
        limit: Option<i64>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Status {
        Matched,
        Unmatched,
    }

    fn refused(q: &str) -> (u16, String, String) {
        match parse::<Q>(q) {
            Ok(v) => panic!("accepted {q}: {v:?}"),
            Err(e) => {
                let p = e.problem();
                (p.status, p.errors[0].field.clone(), p.errors[0].message.clone())
            }
        }
    }

    #[test]
    fn every_refusal_names_the_parameter_and_what_is_expected() {
        let (status, field, message) = refused("since=2026-13-01");
        assert_eq!((status, field.as_str()), (400, "since"));
        assert!(message.contains("RFC 3339") && message.contains("2026-13-01"), "{message}");
        let (status, field, message) = refused("on=2026-13-01");
        assert_eq!((status, field.as_str()), (400, "on"));
        assert!(message.contains("YYYY-MM-DD"), "{message}");
        let (status, field, message) = refused("status=bogus");
        assert_eq!((status, field.as_str()), (422, "status"));
        assert_eq!(message, "`bogus` is not one of: matched, unmatched");
        let (status, field, message) = refused("colour=red");
        assert_eq!((status, field.as_str()), (400, "colour"));
        assert!(message.contains("since, on, status, limit"), "{message}");
        let (status, field, _) = refused("limit=ten");
        assert_eq!((status, field.as_str()), (400, "limit"));
        #[derive(Debug, Deserialize)]
        #[allow(dead_code, reason = "read through Debug")]
        struct Needs {
            figure: String,
        }
        match parse::<Needs>("") {
            Err(e) => assert_eq!(e.problem().errors[0].field, "figure"),
            Ok(v) => panic!("accepted {v:?}"),
        }
    }

    #[test]
    fn a_date_alone_is_the_start_of_that_day_in_england() {
        let q: Q = parse("since=2026-07-01").expect("summer date");
        assert_eq!(q.since.map(|i| i.0.to_rfc3339()), Some("2026-06-30T23:00:00+00:00".into()));
        let q: Q = parse("since=2026-12-01").expect("winter date");
        assert_eq!(q.since.map(|i| i.0.to_rfc3339()), Some("2026-12-01T00:00:00+00:00".into()));
        let q: Q = parse("since=2026-11-01T10:00:00%2B01:00").expect("instant with offset");
        assert_eq!(q.since.map(|i| i.0.to_rfc3339()), Some("2026-11-01T09:00:00+00:00".into()));
    }
}
