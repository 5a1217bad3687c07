//! The top of the OpenAPI document: title, description, security scheme and tags. Paths come
//! from the handlers' annotations.

use utoipa::Modify;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Placement registry",
        description = "Placing local authorities register looked-after children and their placements; \
host authorities see who is placed in their area. Every call needs a bearer token (`POST /v1/oauth/token`). \
Errors are `application/problem+json`. Updates need `If-Match` with the ETag you read; creating calls accept \
`Idempotency-Key`. A record the caller may not see answers 404.",
        license(name = "MIT OR Apache-2.0")
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "auth", description = "Tokens and API clients"),
        (name = "directory", description = "Authorities, providers and settings"),
        (name = "children", description = "The shared child record"),
        (name = "placements", description = "Placements and the host view"),
        (name = "notifications", description = "Notifications to LAs: inbox, sent, acknowledgements"),
        (name = "admissions", description = "Admissions and discharges recorded by homes (reg 41)"),
        (name = "webhooks", description = "Push of notifications to LA systems"),
        (name = "missing", description = "Missing-from-care episodes, as they happen"),
        (name = "returns", description = "Quarterly missing-episode returns of settings"),
        (name = "reports", description = "Compliance and data-quality reports"),
        (name = "exports", description = "SSDA903 export of a collection year"),
        (name = "federation", description = "Other registry nodes: the peer directory, delivery status, receipts"),
        (name = "health", description = "Liveness"),
    )
)]
struct BaseDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
    }
}

pub fn base() -> utoipa::openapi::OpenApi {
    BaseDoc::openapi()
}

/// Documents, on every operation, the errors any endpoint can answer with (malformed input,
/// authentication, permission, absence, rules, limits, server trouble), as problem+json, and
/// those that follow from its headers: 412 and 428 with `If-Match`, 409 with `Idempotency-Key`.
/// Handlers list only the answers particular to them. The problem document's `type` is listed
/// with every value it takes.
pub fn add_common_errors(api: &mut utoipa::openapi::OpenApi) {
    list_problem_types(api);
    use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
    let problem = |description: &str| {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
                )
                .build(),
        )
    };
    for item in api.paths.paths.values_mut() {
        for op in
            [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete].into_iter().flatten()
        {
            let public = op
                .security
                .as_ref()
                .is_some_and(|s| s.iter().any(|r| serde_json::to_value(r).is_ok_and(|v| v == serde_json::json!({}))));
            let mut codes = vec![
                ("400", "Malformed request (syntax, types, unknown fields, bad query parameters)"),
                ("404", "No such resource, or one the caller may not see"),
                ("422", "The request breaks a rule"),
                ("429", "Too many requests; retry after the Retry-After header"),
                ("500", "Internal error"),
                ("503", "Database unavailable"),
            ];
            if !public {
                codes.push(("401", "Missing, invalid or expired bearer token"));
                codes.push(("403", "The token's organisation or scopes do not allow this"));
            }
            if op.request_body.is_some() {
                codes.push(("413", "Body larger than this endpoint accepts"));
                codes.push(("415", "Body in a media type this endpoint does not take"));
            }
            let header = |name: &str| {
                op.parameters.iter().flatten().find(|p| {
                    p.parameter_in == utoipa::openapi::path::ParameterIn::Header && p.name.eq_ignore_ascii_case(name)
                })
            };
            if let Some(if_match) = header("If-Match") {
                codes.push(("412", "The resource changed since the ETag sent in If-Match was read"));
                if if_match.required == utoipa::openapi::Required::True {
                    codes.push(("428", "If-Match is required: send the ETag you read"));
                }
            }
            if header("Idempotency-Key").is_some() {
                codes.push(("409", "A conflicting record, or another request with this Idempotency-Key in progress"));
            }
            for (code, description) in codes {
                op.responses.responses.entry(code.to_string()).or_insert_with(|| problem(description));
            }
        }
    }
}

/// Lists every problem `type` (with its title and status) on the `Problem` schema.
fn list_problem_types(api: &mut utoipa::openapi::OpenApi) {
    use crate::error::ProblemType;
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::Schema;
    let Some(RefOr::T(Schema::Object(problem))) = api.components.as_mut().and_then(|c| c.schemas.get_mut("Problem"))
    else {
        return;
    };
    let Some(RefOr::T(Schema::Object(kind))) = problem.properties.get_mut("type") else { return };
    kind.enum_values = Some(ProblemType::ALL.iter().map(|t| serde_json::Value::String(t.uri())).collect());
    let table: Vec<String> =
        ProblemType::ALL.iter().map(|t| format!("- `{}`: {} ({})", t.uri(), t.title(), t.status().as_u16())).collect();
    kind.description = Some(format!("Stable identifier of the kind of problem, one of:\n{}", table.join("\n")));
}
