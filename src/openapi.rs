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

/// The document as committed in `openapi/openapi.json`.
pub fn to_pretty_json() -> String {
    let mut s = crate::app::openapi().to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
}
