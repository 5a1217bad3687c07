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

/// Every kind of problem the API answers with: its stable `type` (a URN), title and status.
/// The OpenAPI document lists them all; clients may switch on the `type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProblemType {
    BadRequest,
    Validation,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    StaleVersion,
    IfMatchRequired,
    PayloadTooLarge,
    HeaderTooLarge,
    UnsupportedMediaType,
    NotAcceptable,
    RateLimited,
    Unavailable,
    OAuth,
    Internal,
    /// A unique value is already used (no more specific kind applies).
    Conflict,
    IdempotencyKeyInUse,
    DuplicateNhsNumber,
    ChildAlreadyRegistered,
    DuplicateLaChildId,
    PossibleDuplicate,
    DuplicateUrn,
    DuplicateIssuer,
    OverlappingPlacement,
    AlreadyEnded,
    ReturnAlreadyAccepted,
    HeldByAnotherNode,
    /// The record was merged into another record of the same child (`merged_into`).
    ChildMerged,
}

impl ProblemType {
    pub const ALL: &'static [ProblemType] = &[
        ProblemType::BadRequest,
        ProblemType::Validation,
        ProblemType::Unauthorized,
        ProblemType::Forbidden,
        ProblemType::NotFound,
        ProblemType::MethodNotAllowed,
        ProblemType::StaleVersion,
        ProblemType::IfMatchRequired,
        ProblemType::PayloadTooLarge,
        ProblemType::HeaderTooLarge,
        ProblemType::UnsupportedMediaType,
        ProblemType::NotAcceptable,
        ProblemType::RateLimited,
        ProblemType::Unavailable,
        ProblemType::OAuth,
        ProblemType::Internal,
        ProblemType::Conflict,
        ProblemType::IdempotencyKeyInUse,
        ProblemType::DuplicateNhsNumber,
        ProblemType::ChildAlreadyRegistered,
        ProblemType::DuplicateLaChildId,
        ProblemType::PossibleDuplicate,
        ProblemType::DuplicateUrn,
        ProblemType::DuplicateIssuer,
        ProblemType::OverlappingPlacement,
        ProblemType::AlreadyEnded,
        ProblemType::ReturnAlreadyAccepted,
        ProblemType::HeldByAnotherNode,
        ProblemType::ChildMerged,
    ];

    /// The last part of the `type` URN.
    pub fn slug(self) -> &'static str {
        self.describe().0
    }
    pub fn title(self) -> &'static str {
        self.describe().1
    }
    pub fn status(self) -> StatusCode {
        self.describe().2
    }
    /// The `type` member of the problem document.
    pub fn uri(self) -> String {
        format!("{PROBLEM_URN}{}", self.slug())
    }

    fn describe(self) -> (&'static str, &'static str, StatusCode) {
        use ProblemType as P;
        match self {
            P::BadRequest => ("bad-request", "Malformed request", StatusCode::BAD_REQUEST),
            P::Validation => ("validation", "The request breaks a rule", StatusCode::UNPROCESSABLE_ENTITY),
            P::Unauthorized => ("unauthorized", "Authentication required", StatusCode::UNAUTHORIZED),
            P::Forbidden => ("forbidden", "Not allowed", StatusCode::FORBIDDEN),
            P::NotFound => ("not-found", "Not found", StatusCode::NOT_FOUND),
            P::MethodNotAllowed => ("method-not-allowed", "Method not allowed", StatusCode::METHOD_NOT_ALLOWED),
            P::StaleVersion => ("stale-version", "Precondition failed", StatusCode::PRECONDITION_FAILED),
            P::IfMatchRequired => ("if-match-required", "Precondition required", StatusCode::PRECONDITION_REQUIRED),
            P::PayloadTooLarge => ("payload-too-large", "Payload too large", StatusCode::PAYLOAD_TOO_LARGE),
            P::HeaderTooLarge => {
                ("header-too-large", "Request header fields too large", StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE)
            }
            P::UnsupportedMediaType => {
                ("unsupported-media-type", "Unsupported media type", StatusCode::UNSUPPORTED_MEDIA_TYPE)
            }
            P::NotAcceptable => ("not-acceptable", "Not acceptable", StatusCode::NOT_ACCEPTABLE),
            P::RateLimited => ("rate-limited", "Too many requests", StatusCode::TOO_MANY_REQUESTS),
            P::Unavailable => ("unavailable", "Service unavailable", StatusCode::SERVICE_UNAVAILABLE),
            P::OAuth => ("oauth", "Token request refused", StatusCode::BAD_REQUEST),
            P::Internal => ("internal", "Internal error", StatusCode::INTERNAL_SERVER_ERROR),
            P::Conflict => ("conflict", "Conflict", StatusCode::CONFLICT),
            P::IdempotencyKeyInUse => ("idempotency-key-in-use", "Conflict", StatusCode::CONFLICT),
            P::DuplicateNhsNumber => ("duplicate-nhs-number", "Conflict", StatusCode::CONFLICT),
            P::ChildAlreadyRegistered => ("child-already-registered", "Conflict", StatusCode::CONFLICT),
            P::DuplicateLaChildId => ("duplicate-la-child-id", "Conflict", StatusCode::CONFLICT),
            P::PossibleDuplicate => ("possible-duplicate", "Conflict", StatusCode::CONFLICT),
            P::DuplicateUrn => ("duplicate-urn", "Conflict", StatusCode::CONFLICT),
            P::DuplicateIssuer => ("duplicate-issuer", "Conflict", StatusCode::CONFLICT),
            P::OverlappingPlacement => ("overlapping-placement", "Conflict", StatusCode::CONFLICT),
            P::AlreadyEnded => ("already-ended", "Conflict", StatusCode::CONFLICT),
            P::ReturnAlreadyAccepted => ("return-already-accepted", "Conflict", StatusCode::CONFLICT),
            P::HeldByAnotherNode => ("held-by-another-node", "Held by another registry node", StatusCode::CONFLICT),
            P::ChildMerged => ("child-merged", "Merged into another record", StatusCode::MOVED_PERMANENTLY),
        }
    }
}

/// Seconds a client is asked to wait when the database is unavailable.
pub const UNAVAILABLE_RETRY_SECS: u64 = 5;

/// Prefix of every problem `type`.
pub const PROBLEM_URN: &str = "urn:placement-registry:problem:";

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
    Conflict { kind: ProblemType, detail: String, extra: serde_json::Map<String, serde_json::Value> },
    #[error("precondition failed")]
    PreconditionFailed,
    #[error("precondition required")]
    PreconditionRequired,
    #[error("payload too large")]
    PayloadTooLarge { detail: String },
    #[error("header too large")]
    HeaderTooLarge { detail: String },
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
    pub fn conflict(kind: ProblemType, detail: impl Into<String>) -> ApiError {
        ApiError::Conflict { kind, detail: detail.into(), extra: serde_json::Map::new() }
    }
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(cause.to_string())
    }

    /// The kind of problem this error is.
    pub fn kind(&self) -> ProblemType {
        use ProblemType as P;
        match self {
            ApiError::BadRequest { .. } => P::BadRequest,
            ApiError::Validation { .. } => P::Validation,
            ApiError::Unauthorized { .. } => P::Unauthorized,
            ApiError::Forbidden { .. } => P::Forbidden,
            ApiError::NotFound => P::NotFound,
            ApiError::MethodNotAllowed { .. } => P::MethodNotAllowed,
            ApiError::Conflict { kind, .. } => *kind,
            ApiError::PreconditionFailed => P::StaleVersion,
            ApiError::PreconditionRequired => P::IfMatchRequired,
            ApiError::PayloadTooLarge { .. } => P::PayloadTooLarge,
            ApiError::HeaderTooLarge { .. } => P::HeaderTooLarge,
            ApiError::UnsupportedMediaType { .. } => P::UnsupportedMediaType,
            ApiError::NotAcceptable { .. } => P::NotAcceptable,
            ApiError::TooManyRequests { .. } => P::RateLimited,
            ApiError::Unavailable { .. } => P::Unavailable,
            ApiError::OAuth { .. } => P::OAuth,
            ApiError::Internal(_) => P::Internal,
        }
    }

    fn detail(&self) -> String {
        match self {
            ApiError::BadRequest { detail, .. }
            | ApiError::Validation { detail, .. }
            | ApiError::Unauthorized { detail }
            | ApiError::Forbidden { detail }
            | ApiError::Conflict { detail, .. }
            | ApiError::PayloadTooLarge { detail }
            | ApiError::HeaderTooLarge { detail }
            | ApiError::UnsupportedMediaType { detail }
            | ApiError::NotAcceptable { detail }
            | ApiError::Unavailable { detail }
            | ApiError::OAuth { detail, .. } => detail.clone(),
            ApiError::NotFound => "No such resource.".into(),
            ApiError::MethodNotAllowed { allow } => format!("This resource allows: {allow}."),
            ApiError::PreconditionFailed => {
                "The resource changed since you read it: fetch it again and reapply your change.".into()
            }
            ApiError::PreconditionRequired => {
                "Send If-Match with the ETag you read, so concurrent edits are not lost.".into()
            }
            ApiError::TooManyRequests { retry_after_secs } => {
                format!("Slow down; retry after {retry_after_secs} seconds.")
            }
            ApiError::Internal(_) => "Something went wrong on our side; it has been logged.".into(),
        }
    }

    pub fn problem(&self) -> Problem {
        let kind = self.kind();
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
            kind: kind.uri(),
            title: kind.title().into(),
            status: self.status_code().as_u16(),
            detail: self.detail(),
            errors,
            extra,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::OAuth { code: "invalid_client", .. } => StatusCode::UNAUTHORIZED,
            other => other.kind().status(),
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
            ApiError::Unavailable { .. } => {
                builder.insert_header((header::RETRY_AFTER, UNAVAILABLE_RETRY_SECS.to_string()));
            }
            ApiError::Conflict { kind: ProblemType::ChildMerged, extra, .. } => {
                if let Some(serde_json::Value::String(to)) = extra.get("merged_into") {
                    builder.insert_header((header::LOCATION, format!("/v1/children/{to}")));
                }
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
                ApiError::conflict(ProblemType::Conflict, "A record with the same identifying values already exists.")
            }
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
                tracing::warn!(constraint = ?info.constraint_name(), "foreign key violation");
                ApiError::field("body", "refers to a record that does not exist")
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                ApiError::Unavailable { detail: "A concurrent change got in the way; retry the request.".into() }
            }
            Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                info,
            ) => {
                tracing::error!(cause = %info.message(), "database connection lost");
                ApiError::Unavailable { detail: "The database is not reachable right now.".into() }
            }
            Error::DatabaseError(_, info) if unavailable(info.message()) => {
                tracing::error!(cause = %info.message(), "database unavailable");
                ApiError::Unavailable { detail: "The database cannot take this request right now.".into() }
            }
            Error::BrokenTransactionManager => {
                ApiError::Unavailable { detail: "The database connection failed; retry the request.".into() }
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

/// Whether a database error says the database is down, restarting, full or locked: a passing
/// condition the client should retry (503), not a fault of this request.
fn unavailable(message: &str) -> bool {
    const SIGNS: &[&str] = &[
        "terminating connection",
        "the database system is starting up",
        "the database system is shutting down",
        "the database system is in recovery mode",
        "server closed the connection",
        "could not connect",
        "connection refused",
        "no connection to the server",
        "database or disk is full",
        "could not extend file",
        "no space left on device",
        "database is locked",
        "disk i/o error",
        "cannot execute",
        "read-only transaction",
    ];
    let m = message.to_ascii_lowercase();
    SIGNS.iter().any(|s| m.contains(s))
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(e: diesel::r2d2::PoolError) -> ApiError {
        tracing::error!(cause = %e, "database pool");
        ApiError::Unavailable { detail: "The database is not reachable right now.".into() }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> ApiError {
        tracing::error!(cause = %e, "blocking pool");
        ApiError::Unavailable { detail: "The server is shutting down or overloaded; retry the request.".into() }
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

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::result::{DatabaseErrorInformation, DatabaseErrorKind, Error};

    struct Info(&'static str);

    impl DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            self.0
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            None
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn status_of(kind: DatabaseErrorKind, message: &'static str) -> u16 {
        let e: ApiError = Error::DatabaseError(kind, Box::new(Info(message))).into();
        e.status_code().as_u16()
    }

    #[test]
    fn a_database_that_is_down_restarting_full_or_locked_is_503_not_500() {
        use DatabaseErrorKind as K;
        assert_eq!(status_of(K::ClosedConnection, "server closed the connection unexpectedly"), 503);
        assert_eq!(status_of(K::Unknown, "terminating connection due to administrator command"), 503);
        assert_eq!(status_of(K::Unknown, "the database system is starting up"), 503);
        assert_eq!(status_of(K::Unknown, "database or disk is full"), 503);
        assert_eq!(status_of(K::Unknown, "could not extend file: No space left on device"), 503);
        assert_eq!(status_of(K::Unknown, "database is locked"), 503);
        assert_eq!(status_of(K::Unknown, "syntax error at or near SELEKT"), 500, "a fault of ours stays a 500");
        let r = ApiError::Unavailable { detail: "down".into() }.error_response();
        assert_eq!(r.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("5"));
    }
}
