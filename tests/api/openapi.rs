//! The OpenAPI document: committed, complete, and honest about media types.

use crate::support::internals::openapi_json;

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let generated = openapi_json();
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json")).unwrap_or_default();
    assert!(committed == generated, "openapi/openapi.json is stale: run `cargo run -- openapi` and commit the result");
}

#[test]
fn every_operation_says_who_may_call_it_and_documents_its_errors() {
    let doc: serde_json::Value = serde_json::from_str(&openapi_json()).expect("json");
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            assert!(
                op["description"].as_str().is_some_and(|d| !d.is_empty()) || op["summary"].as_str().is_some(),
                "{method} {path} undocumented"
            );
            let responses = op["responses"].as_object().expect("responses");
            let public = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|x| x.as_object().is_some_and(|o| o.is_empty())));
            if !public {
                assert!(responses.contains_key("401"), "{method} {path} does not document 401");
            }
        }
    }
}

/// A request without `Accept` gets JSON from every endpoint except the `.csv` downloads, so the
/// document must say so: an endpoint that also offers CSV lists both media types on one 200.
#[test]
fn every_json_endpoint_documents_json_alongside_any_csv() {
    let doc: serde_json::Value = serde_json::from_str(&openapi_json()).expect("json");
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            let Some(ok) = op["responses"].get("200").or_else(|| op["responses"].get("201")) else { continue };
            let Some(content) = ok["content"].as_object() else { continue };
            if path.ends_with(".csv") {
                assert!(content.contains_key("text/csv"), "{method} {path} is a CSV download");
            } else {
                assert!(
                    content.contains_key("application/json"),
                    "{method} {path} answers JSON by default: {content:?}"
                );
            }
        }
    }
}
