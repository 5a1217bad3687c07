//! HTTP conventions shared by every endpoint: ETags and `If-Match`, `Idempotency-Key`,
//! `201 Created` answers, cursor pagination, JSON or CSV by `Accept`, and CSV writing.

pub mod csv;
pub mod query;

use crate::error::{ApiError, FieldError};
use actix_web::HttpRequest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The ETag of a record at a version.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// `201 Created` with `Location`, `ETag`, and `Idempotent-Replayed` when a stored answer is replayed.
pub fn created(location: &str, version: i64, replayed: bool) -> actix_web::HttpResponseBuilder {
    let mut b = actix_web::HttpResponse::Created();
    b.insert_header(("Location", location.to_string())).insert_header(("ETag", etag(version)));
    if replayed {
        b.insert_header(("Idempotent-Replayed", "true"));
    }
    b
}

/// `200 OK` with the JSON of a versioned record and its `ETag`.
pub fn ok_versioned(version: i64, body: &impl Serialize) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok().insert_header(("ETag", etag(version))).json(body)
}

/// A representation a caller may ask for with `format=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Json,
    Csv,
}

/// Whether the caller asked for CSV: `format=csv`, or an `Accept` header preferring `text/csv`
/// to JSON (by q-value).
pub fn wants_csv(req: &HttpRequest, format: Option<Format>) -> Result<bool, ApiError> {
    match format {
        Some(Format::Csv) => return Ok(true),
        Some(Format::Json) => return Ok(false),
        None => {}
    }
    let accept = req.headers().get(actix_web::http::header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let (mut csv, mut json) = (0.0f32, 0.0f32);
    for item in accept.split(',') {
        let mut parts = item.split(';').map(str::trim);
        let mime = parts.next().unwrap_or_default().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0)
            .clamp(0.0, 1.0);
        match mime.as_str() {
            "text/csv" => csv = csv.max(q),
            "application/json" => json = json.max(q),
            _ => {}
        }
    }
    Ok(csv > 0.0 && csv >= json)
}

/// The version named by `If-Match`; 428 when absent, 412 when it cannot match any version.
pub fn if_match(req: &HttpRequest) -> Result<i64, ApiError> {
    let malformed = || ApiError::field("If-Match", "must be an entity tag, as in the ETag you read (\"3\")");
    let value = req
        .headers()
        .get(actix_web::http::header::IF_MATCH)
        .ok_or(ApiError::PreconditionRequired)?
        .to_str()
        .map_err(|_| malformed())?
        .trim();
    // An entity tag is quoted, maybe weak (RFC 9110 8.8.3); `*` matches any version, so it cannot
    // stand for the version read. Not a tag at all: 400. A tag that is not this record's: 412.
    let tag = value.strip_prefix("W/").unwrap_or(value);
    if tag.len() < 2 || !tag.starts_with('"') || !tag.ends_with('"') {
        return Err(malformed());
    }
    tag.trim_matches('"').parse::<i64>().map_err(|_| ApiError::PreconditionFailed)
}

/// Like [`if_match`] but `None` when the header is absent.
pub fn optional_if_match(req: &HttpRequest) -> Result<Option<i64>, ApiError> {
    if req.headers().contains_key(actix_web::http::header::IF_MATCH) { if_match(req).map(Some) } else { Ok(None) }
}

/// The `Idempotency-Key` header, when sent: 1 to 255 visible ASCII characters.
pub fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    match req.headers().get("idempotency-key") {
        None => Ok(None),
        Some(v) => {
            let s = v.to_str().map_err(|_| ApiError::field("Idempotency-Key", "must be visible ASCII"))?;
            if s.is_empty() || s.len() > 255 || !s.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(ApiError::field("Idempotency-Key", "must be 1 to 255 visible ASCII characters"));
            }
            Ok(Some(s.to_string()))
        }
    }
}

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// Page selection for list endpoints.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Largest number of items to return (1 to 200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

impl PageQuery {
    pub fn limit(&self) -> Result<i64, ApiError> {
        match self.limit {
            None => Ok(DEFAULT_LIMIT),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(_) => Err(ApiError::BadRequest {
                detail: format!("limit must be between 1 and {MAX_LIMIT}"),
                errors: vec![FieldError::new("limit", format!("must be between 1 and {MAX_LIMIT}"))],
            }),
        }
    }
    /// The (sort key, id) pair the previous page ended on, the sort key parsed as `T`.
    pub fn after_pair<T: std::str::FromStr>(&self) -> Result<Option<(T, String)>, ApiError> {
        let bad = bad_cursor;
        match self.after()? {
            None => Ok(None),
            Some(k) => match k.as_slice() {
                [key, id] => key.parse::<T>().map(|t| Some((t, id.clone()))).map_err(|_| bad()),
                _ => Err(bad()),
            },
        }
    }

    /// The sort-key values the previous page ended on.
    pub fn after(&self) -> Result<Option<Vec<String>>, ApiError> {
        match &self.cursor {
            None => Ok(None),
            Some(c) => decode_cursor(c).map(Some).ok_or_else(bad_cursor),
        }
    }
}

/// 400 for a cursor the API did not issue.
pub fn bad_cursor() -> ApiError {
    ApiError::BadRequest {
        detail: "cursor is not one this API issued".into(),
        errors: vec![FieldError::new("cursor", "not a cursor this API issued")],
    }
}

pub fn encode_cursor(keys: &[String]) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(keys).unwrap_or_default())
}

fn decode_cursor(c: &str) -> Option<Vec<String>> {
    let bytes = URL_SAFE_NO_PAD.decode(c).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// One page of a list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from `limit + 1` fetched rows; `key` gives the sort-key values of a row.
    pub fn from_rows(mut rows: Vec<T>, limit: i64, key: impl Fn(&T) -> Vec<String>) -> Page<T> {
        let more = rows.len() as i64 > limit;
        rows.truncate(limit.max(0) as usize);
        let next_cursor = if more { rows.last().map(|r| encode_cursor(&key(r))) } else { None };
        Page { items: rows, next_cursor }
    }
}

/// Deserialises a field that may be absent (keep), `null` (clear) or a value (set).
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// Rejects text containing control characters (NUL and the like) that databases disagree on.
pub fn check_text(errors: &mut Vec<FieldError>, field: &str, value: &str, max: usize) {
    if value.trim().is_empty() {
        errors.push(FieldError::new(field, "must not be blank"));
    } else if value.chars().count() > max {
        errors.push(FieldError::new(field, format!("must be at most {max} characters")));
    } else if value.chars().any(|c| c.is_control()) {
        errors.push(FieldError::new(field, "must not contain control characters"));
    } else if value.chars().any(is_bidi_control) {
        errors.push(FieldError::new(
            field,
            "must not contain bidirectional formatting characters (U+202A to U+202E, U+2066 to U+2069, and marks)",
        ));
    }
}

/// Characters that reorder how text is shown (Unicode Bidi_Control): a name holding them can
/// display as something other than what it is.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Applies a partial update: for each named field the patch carries (`Some`), sets it on the
/// record. With [`double_option`] fields, `Some(None)` clears an optional field.
#[macro_export]
macro_rules! apply_patch {
    ($record:expr, $patch:expr, [$($field:ident),* $(,)?]) => {
        $( if let Some(v) = $patch.$field { $record.$field = v; } )*
    };
}

/// Answers `HEAD` as `GET` would, headers only (RFC 9110 §9.3.2), for every resource that
/// answers `GET`: the request is routed as a `GET`, and the server sends no body for a `HEAD`.
pub async fn head_as_get(
    mut req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody + 'static>,
) -> Result<actix_web::dev::ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let head = req.method() == actix_web::http::Method::HEAD;
    if head {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    let res = next.call(req).await?.map_into_boxed_body();
    if head {
        return Ok(res.map_body(|_, _| actix_web::body::BoxBody::new(())));
    }
    Ok(res)
}
