//! One error type for the whole API, rendered as RFC 9457 `application/problem+json` with a
//! stable `type` per kind. Causes of server errors go to the log, never to the client.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// One problem with one field of the request.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// The field, as a JSON path into the request (`placement.start_date`), or a query or header name.
    pub field: String,
    /// What is wrong, in plain words.
    pub message: String,
    /// The rule broken, where it has a code (for example a DfE validation rule).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError { field: field.into(), message: message.into(), rule: None }
    }
    pub fn rule(mut self, rule: impl Into<String>) -> FieldError {
        self.rule = Some(rule.into());
        self
    }
}

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// Stable identifier of the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Field-level problems, for validation errors.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Extra members for some kinds (for example `existing_id` or `candidates` on a duplicate).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed (syntax, types, unknown fields).
    #[error("{detail}")]
    BadRequest { detail: String, errors: Vec<FieldError> },
    /// The request is well formed but breaks a rule.
    #[error("validation failed")]
    Validation { detail: String, errors: Vec<FieldError> },
    #[error("authentication required")]
    Unauthorized { detail: String },
    #[error("forbidden")]
    Forbidden { detail: String },
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed { allow: String },
    #[error("conflict")]
    Conflict { kind: &'static str, detail: String, extra: serde_json::Map<String, serde_json::Value> },
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("precondition required")]
    PreconditionRequired,
    #[error("payload too large")]
    PayloadTooLarge { detail: String },
    #[error("unsupported media type")]
    UnsupportedMediaType { detail: String },
    #[error("not acceptable")]
    NotAcceptable { detail: String },
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("service unavailable")]
    Unavailable { detail: String },
    /// An OAuth 2.0 token endpoint error (RFC 6749 §5.2): 401 for `invalid_client`, else 400.
    #[error("oauth error {code}")]
    OAuth { code: &'static str, detail: String },
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn validation(errors: Vec<FieldError>) -> ApiError {
        let detail = match errors.as_slice() {
            [one] => format!("{}: {}", one.field, one.message),
            _ => format!("{} problems with the request", errors.len()),
        };
        ApiError::Validation { detail, errors }
    }
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> ApiError {
        ApiError::validation(vec![FieldError::new(field, message)])
    }
    pub fn bad_request(detail: impl Into<String>) -> ApiError {
        ApiError::BadRequest { detail: detail.into(), errors: vec![] }
    }
    pub fn forbidden(detail: impl Into<String>) -> ApiError {
        ApiError::Forbidden { detail: detail.into() }
    }
    pub fn conflict(kind: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::Conflict { kind, detail: detail.into(), extra: serde_json::Map::new() }
    }
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(cause.to_string())
    }

    fn parts(&self) -> (&'static str, &'static str, String) {
        match self {
            ApiError::BadRequest { detail, .. } => ("bad-request", "Malformed request", detail.clone()),
            ApiError::Validation { detail, .. } => ("validation", "The request breaks a rule", detail.clone()),
            ApiError::Unauthorized { detail } => ("unauthorized", "Authentication required", detail.clone()),
            ApiError::Forbidden { detail } => ("forbidden", "Not allowed", detail.clone()),
            ApiError::NotFound => ("not-found", "Not found", "No such resource.".into()),
            ApiError::MethodNotAllowed { allow } => {
                ("method-not-allowed", "Method not allowed", format!("This resource allows: {allow}."))
            }
            ApiError::Conflict { kind, detail, .. } => (kind, "Conflict", detail.clone()),
            ApiError::PreconditionFailed => (
                "stale-version",
                "Precondition failed",
                "The resource changed since you read it: fetch it again and reapply your change.".into(),
            ),
            ApiError::PreconditionRequired => (
                "if-match-required",
                "Precondition required",
                "Send If-Match with the ETag you read, so concurrent edits are not lost.".into(),
            ),
            ApiError::PayloadTooLarge { detail } => ("payload-too-large", "Payload too large", detail.clone()),
            ApiError::UnsupportedMediaType { detail } => {
                ("unsupported-media-type", "Unsupported media type", detail.clone())
            }
            ApiError::NotAcceptable { detail } => ("not-acceptable", "Not acceptable", detail.clone()),
            ApiError::TooManyRequests { retry_after_secs } => {
                ("rate-limited", "Too many requests", format!("Slow down; retry after {retry_after_secs} seconds."))
            }
            ApiError::Unavailable { detail } => ("unavailable", "Service unavailable", detail.clone()),
            ApiError::OAuth { detail, .. } => ("oauth", "Token request refused", detail.clone()),
            ApiError::Internal(_) => {
                ("internal", "Internal error", "Something went wrong on our side; it has been logged.".into())
            }
        }
    }

    pub fn problem(&self) -> Problem {
        let (kind, title, detail) = self.parts();
        let errors = match self {
            ApiError::BadRequest { errors, .. } | ApiError::Validation { errors, .. } => errors.clone(),
            _ => vec![],
        };
        let extra = match self {
            ApiError::Conflict { extra, .. } => extra.clone(),
            ApiError::OAuth { code, detail } => {
                let mut m = serde_json::Map::new();
                m.insert("error".into(), serde_json::Value::String((*code).into()));
                m.insert("error_description".into(), serde_json::Value::String(detail.clone()));
                m
            }
            _ => serde_json::Map::new(),
        };
        Problem {
            kind: format!("urn:placement-registry:problem:{kind}"),
            title: title.into(),
            status: self.status_code().as_u16(),
            detail,
            errors,
            extra,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::NotAcceptable { .. } => StatusCode::NOT_ACCEPTABLE,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::OAuth { code: "invalid_client", .. } => StatusCode::UNAUTHORIZED,
            ApiError::OAuth { .. } => StatusCode::BAD_REQUEST,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            tracing::error!(%cause, "internal error");
        }
        let mut builder = HttpResponse::build(self.status_code());
        builder.insert_header((header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json")));
        match self {
            ApiError::Unauthorized { .. } | ApiError::OAuth { code: "invalid_client", .. } => {
                builder.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"placement-registry\""));
            }
            ApiError::MethodNotAllowed { allow } => {
                builder.insert_header((header::ALLOW, allow.as_str()));
            }
            ApiError::TooManyRequests { retry_after_secs } => {
                builder.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            _ => {}
        }
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        builder.body(body)
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> ApiError {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => ApiError::NotFound,
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                ApiError::conflict("conflict", "A record with the same identifying values already exists.")
            }
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                tracing::warn!(constraint = ?info.constraint_name(), "foreign key violation");
                ApiError::field("body", "refers to a record that does not exist")
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                ApiError::Unavailable { detail: "A concurrent change got in the way; retry the request.".into() }
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(e: diesel::r2d2::PoolError) -> ApiError {
        tracing::error!(cause = %e, "database pool");
        ApiError::Unavailable { detail: "The database is not reachable right now.".into() }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> ApiError {
        ApiError::Internal(e.to_string())
    }
}

/// Turns actix's JSON extractor errors into problem+json naming the field where serde says it.
pub fn json_error(err: actix_web::error::JsonPayloadError) -> ApiError {
    use actix_web::error::JsonPayloadError as J;
    match err {
        J::OverflowKnownLength { length, limit } => ApiError::PayloadTooLarge {
            detail: format!("The body is {length} bytes; this endpoint takes at most {limit}."),
        },
        J::Overflow { limit } => ApiError::PayloadTooLarge {
            detail: format!("The body is larger than this endpoint's limit of {limit} bytes."),
        },
        J::ContentType => ApiError::UnsupportedMediaType { detail: "Send the body as application/json.".into() },
        J::Deserialize(e) => serde_error(&e),
        other => ApiError::bad_request(other.to_string()),
    }
}

/// A serde_json error as a 400 naming the field involved where the message says which.
pub fn serde_error(e: &serde_json::Error) -> ApiError {
    let msg = e.to_string();
    let field = field_in_message(&msg).unwrap_or_else(|| "body".to_string());
    let message = msg.split(" at line ").next().unwrap_or(&msg).to_string();
    ApiError::BadRequest {
        detail: format!("The body is not valid: {message}."),
        errors: vec![FieldError::new(field, message)],
    }
}

fn field_in_message(msg: &str) -> Option<String> {
    for marker in ["unknown field `", "missing field `", "duplicate field `"] {
        if let Some(rest) = msg.split(marker).nth(1) {
            return rest.split('`').next().map(str::to_string);
        }
    }
    None
}

/// Query string errors as problem+json.
pub fn query_error(err: actix_web::error::QueryPayloadError) -> ApiError {
    let msg = err.to_string();
    let field = field_in_message(&msg).unwrap_or_else(|| "query".to_string());
    ApiError::BadRequest {
        detail: format!("The query string is not valid: {msg}."),
        errors: vec![FieldError::new(field, msg)],
    }
}

/// Path errors as problem+json.
pub fn path_error(err: actix_web::error::PathError) -> ApiError {
    ApiError::BadRequest {
        detail: format!("The path is not valid: {err}."),
        errors: vec![FieldError::new("path", err.to_string())],
    }
}
