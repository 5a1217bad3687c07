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

/// The span each request's log lines are written in: its method, its path and its request id,
/// then its status and any error when it ends (recorded as tracing-actix-web's default span
/// records them). Never the query string, whose cursors can hold a child's name (a host view
/// sorted by family name pages on it). Fewer fields than that default span, which also parses
/// the connection's forwarding headers and matches the route again for every request.
pub struct RequestSpan;

impl tracing_actix_web::RootSpanBuilder for RequestSpan {
    fn on_request_start(req: &ServiceRequest) -> tracing::Span {
        use tracing::field::Empty;
        let id = req.extensions().get::<tracing_actix_web::RequestId>().copied();
        tracing::info_span!(
            "request",
            http.method = %req.method(),
            http.target = %req.path(),
            request_id = id.map(tracing::field::display),
            http.status_code = Empty,
            otel.status_code = Empty,
            exception.message = Empty,
            exception.details = Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: tracing::Span, outcome: &Result<ServiceResponse<B>, actix_web::Error>) {
        tracing_actix_web::DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::{App, HttpResponse, test, web};
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// A line logged while a request is served names the request and its path, and holds
    /// nothing of the query string: a page cursor there can encode a child's name.
    #[actix_web::test]
    async fn a_requests_log_lines_carry_its_id_and_path_but_not_its_query() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt().with_ansi(false).with_writer(move || writer.clone()).finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        let app = test::init_service(
            App::new()
                .route(
                    "/v1/authorities/{code}/placed-children",
                    web::get().to(|| async {
                        tracing::info!("inside the request");
                        HttpResponse::Ok().finish()
                    }),
                )
                .wrap(actix_web::middleware::from_fn(request_id_header))
                .wrap(tracing_actix_web::TracingLogger::<RequestSpan>::new()),
        )
        .await;
        // A host view's cursor when sorted by family name: `["okafor\u001fmegan","p-1"]`.
        let cursor = "WyJva2Fmb3JcdTAwMWZtZWdhbiIsInAtMSJd";
        let req = test::TestRequest::get()
            .uri(&format!("/v1/authorities/E09000033/placed-children?sort=family_name&cursor={cursor}"))
            .to_request();
        let res = test::call_service(&app, req).await;
        assert!(res.status().is_success());
        let request_id = res.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_string);
        let log = String::from_utf8(captured.0.lock().map(|b| b.clone()).unwrap_or_default()).unwrap_or_default();
        let line = log.lines().find(|l| l.contains("inside the request")).unwrap_or_default();
        let request_id = request_id.expect("an X-Request-Id header");
        assert!(line.contains(&request_id), "{line}");
        assert!(line.contains("/v1/authorities/E09000033/placed-children"), "{line}");
        assert!(!line.contains(cursor) && !line.contains("cursor") && !line.contains("sort="), "{line}");
    }
}
