//! Authorisation matrix: every endpoint of the OpenAPI document × caller × object.
//!
//! Each row names an endpoint and what each of the seven callers gets on the world's own object,
//! in this order: placing LA (Hackney), host LA (Leeds), unrelated LA (Kent), provider of the
//! setting (P1), other provider (P2), operator, no token. Tokens:
//!
//! - a status (`200`, `201`, `204`, `409`, ...): authorisation passes; this exact status on the
//!   own object, and for an object that does not exist the row's "missing" answer (404 for a path,
//!   422 naming the field for an object referenced in the body);
//! - `N`: the own object is invisible to this caller: exactly the answer for a nonexistent one;
//! - `F`: 403 whatever the object (role or scope refused before any lookup);
//! - `f`: 403 on the own object, which the caller sees but may not act on; missing ones as above;
//! - `U`: 401.
//!
//! For every caller, a foreign object (one belonging to others that none of the seven callers
//! may see: Manchester's child placed at P3's home in Birmingham and everything about it) must
//! answer exactly, status and body, as a nonexistent one, and no list or report may name it.

mod check;
mod rows;
mod world;

use crate::support::internals::openapi_json;
use check::check;
use rows::{CALLERS, parse_expect, rows};
use serde_json::Value;

/// Rows are spread over several tests so that they run in parallel.
const CHUNKS: usize = 8;

async fn run_chunk(chunk: usize) {
    let mut failures = Vec::new();
    for (_, row) in rows().iter().enumerate().filter(|(n, _)| n % CHUNKS == chunk) {
        failures.extend(check(row).await);
    }
    assert!(failures.is_empty(), "authorisation matrix departures:\n{}", failures.join("\n"));
}

macro_rules! chunks {
    ($($name:ident = $n:literal),*) => {$(
        #[actix_web::test]
        async fn $name() {
            run_chunk($n).await;
        }
    )*};
}

chunks!(rows_0 = 0, rows_1 = 1, rows_2 = 2, rows_3 = 3, rows_4 = 4, rows_5 = 5, rows_6 = 6, rows_7 = 7);

#[test]
fn the_matrix_covers_every_endpoint_of_the_openapi_document() {
    let doc: Value = serde_json::from_str(&openapi_json()).expect("json");
    let mut documented = std::collections::BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                documented.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    let table = rows();
    let mut covered = std::collections::BTreeSet::new();
    for r in &table {
        assert!(covered.insert(r.endpoint()), "{} is in the matrix twice", r.endpoint());
        assert_eq!(parse_expect(r.expect).len(), CALLERS.len(), "{}: one token per caller", r.endpoint());
    }
    let uncovered: Vec<&String> = documented.difference(&covered).collect();
    let unknown: Vec<&String> = covered.difference(&documented).collect();
    assert!(
        uncovered.is_empty() && unknown.is_empty(),
        "endpoints missing from the matrix: {uncovered:#?}\nmatrix rows not in the OpenAPI document: {unknown:#?}"
    );
}
