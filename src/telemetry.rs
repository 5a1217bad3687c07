//! Logging: request ids on every response and in every log line; never a child's personal data.

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;

/// Copies the request id of the tracing span into an `X-Request-Id` response header.
pub async fn request_id_header(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req.extensions().get::<tracing_actix_web::RequestId>().map(|id| id.to_string());
    let mut res = next.call(req).await?;
    if let Some(id) = id.and_then(|s| HeaderValue::from_str(&s).ok()) {
        res.headers_mut().insert(HeaderName::from_static("x-request-id"), id);
    }
    Ok(res)
}

/// Installs the log subscriber (`RUST_LOG` filters; default info). Logs go to standard error,
/// in colour only when that is a terminal, so standard output carries only what a command prints
/// (the demo's tokens, an issued token) and a redirected log holds no escape codes.
pub fn init() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// Logs refused requests (401, 403, 429) at most [`REFUSALS_PER_MINUTE`] times a minute, then
/// one line saying how many more were not logged: a flood of refusals cannot fill the log.
pub fn refused(what: &str, status: u16) {
    use std::sync::Mutex;
    use std::time::{Duration, Instant};
    static WINDOW: Mutex<Option<(Instant, u32, u32)>> = Mutex::new(None);
    let Ok(mut w) = WINDOW.lock() else { return };
    let now = Instant::now();
    let (start, logged, dropped) = w.get_or_insert((now, 0, 0));
    if now.duration_since(*start) >= Duration::from_secs(60) {
        if *dropped > 0 {
            tracing::warn!(not_logged = *dropped, "refused requests not logged in the last minute");
        }
        *start = now;
        *logged = 0;
        *dropped = 0;
    }
    if *logged < REFUSALS_PER_MINUTE {
        *logged += 1;
        tracing::info!(what, status, "request refused");
    } else {
        *dropped += 1;
    }
}

/// Refusals logged per minute before the rest are only counted.
pub const REFUSALS_PER_MINUTE: u32 = 20;
