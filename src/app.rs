//! The application: shared state, and the one function that builds the actix app used by the
//! server and by every test.

use crate::auth::keys::SigningKey;
use crate::auth::tokens::TokenService;
use crate::calendar::WorkingCalendar;
use crate::clock::Clock;
use crate::config::Config;
use crate::db::{self, AnyConnection, DbPool};
use crate::error::{self, ApiError};
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::{App, HttpRequest, HttpResponse, web};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

/// Largest JSON body most endpoints accept.
pub const JSON_LIMIT: usize = 64 * 1024;

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub clock: Arc<dyn Clock>,
    pub tokens: Arc<TokenService>,
    pub config: Arc<Config>,
    pub revocations: Arc<Revocations>,
    /// Working days (England and Wales) for the statutory clocks.
    pub calendar: Arc<WorkingCalendar>,
    /// Read events waiting to be appended to the audit chain.
    pub audit: Arc<crate::audit::ReadBuffer>,
    pub rate_limiter: Arc<crate::limits::RateLimiter>,
    /// Keys and settings of trusted external token issuers.
    pub federation: Arc<crate::auth::federation::Federation>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Db(#[from] db::DbSetupError),
    #[error(transparent)]
    Key(#[from] crate::auth::keys::KeyError),
    #[error("cannot seed reference data: {0}")]
    Seed(String),
    #[error("bank holidays file: {0}")]
    Calendar(String),
}

impl AppState {
    /// Migrates the database, seeds the authorities, loads the signing key and opens the pool.
    pub fn open(config: Config, clock: Arc<dyn Clock>) -> Result<AppState, StartError> {
        db::migrate(&config.database_url)?;
        let pool = db::pool(&config.database_url, config.pool_size)?;
        let mut conn = pool.get().map_err(db::DbSetupError::from)?;
        crate::directory::repo::seed_authorities(&mut conn).map_err(|e| StartError::Seed(e.to_string()))?;
        let key = match &config.signing_key_file {
            Some(path) => SigningKey::from_pem_file(path)?,
            None => SigningKey::load_or_create(&mut conn, db::db_time(clock.now()))?,
        };
        let tokens = Arc::new(TokenService::new(&key, &config.issuer, &config.audience));
        let calendar = match &config.bank_holidays_file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| StartError::Calendar(e.to_string()))?;
                WorkingCalendar::from_csv(&text).map_err(StartError::Calendar)?
            }
            None => WorkingCalendar::england_and_wales(),
        };
        Ok(AppState {
            pool,
            clock,
            tokens,
            revocations: Arc::new(Revocations::default()),
            calendar: Arc::new(calendar),
            audit: Arc::new(crate::audit::ReadBuffer::default()),
            federation: Arc::new(crate::auth::federation::Federation::default()),
            rate_limiter: Arc::new(crate::limits::RateLimiter::new(config.rate_limit_per_minute)),
            config: Arc::new(config),
        })
    }

    /// Runs blocking database work on the blocking thread pool.
    pub async fn db<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut AnyConnection) -> Result<T, ApiError> + Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await?
    }

    /// Appends buffered read events to the audit chain.
    pub async fn flush_audit(&self) -> Result<usize, ApiError> {
        let audit = self.audit.clone();
        self.db(move |conn| audit.flush(conn)).await
    }

    pub fn now(&self) -> chrono::NaiveDateTime {
        db::db_time(self.clock.now())
    }
}

/// Remembers for a few seconds whether an API client is revoked, so each request does not cost a
/// query; a revocation made through this process takes effect at once.
#[derive(Default)]
pub struct Revocations {
    seen: Mutex<HashMap<String, (Instant, bool)>>,
}

const REVOCATION_CACHE: Duration = Duration::from_secs(5);

impl Revocations {
    pub async fn is_revoked(&self, state: &AppState, client_id: &str) -> Result<bool, ApiError> {
        if let Ok(seen) = self.seen.lock()
            && let Some((at, revoked)) = seen.get(client_id)
            && at.elapsed() < REVOCATION_CACHE
        {
            return Ok(*revoked);
        }
        let id = client_id.to_string();
        let revoked = state.db(move |conn| crate::auth::clients::is_revoked(conn, &id)).await?;
        self.remember(client_id, revoked);
        Ok(revoked)
    }
    pub fn remember(&self, client_id: &str, revoked: bool) {
        if let Ok(mut seen) = self.seen.lock() {
            if seen.len() > 10_000 {
                seen.clear();
            }
            seen.insert(client_id.to_string(), (Instant::now(), revoked));
        }
    }
}

fn api_routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    crate::health::routes(cfg);
    crate::auth::oauth::routes(cfg);
    crate::auth::clients::routes(cfg);
    crate::auth::issuers::routes(cfg);
    crate::directory::routes::routes(cfg);
    crate::children::routes::routes(cfg);
    crate::placements::routes::routes(cfg);
    crate::notifications::routes::routes(cfg);
    crate::admissions::routes::routes(cfg);
    crate::missing::routes::routes(cfg);
    crate::returns::routes(cfg);
    crate::reports::routes(cfg);
    crate::exports::routes(cfg);
    crate::webhooks::routes(cfg);
}

/// The OpenAPI document the code describes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut api) =
        App::new().into_utoipa_app().openapi(crate::openapi::base()).configure(api_routes).split_for_parts();
    crate::openapi::add_common_errors(&mut api);
    api
}

/// Builds the application for a server worker or a test.
pub fn build(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, mut api) =
        App::new().into_utoipa_app().openapi(crate::openapi::base()).configure(api_routes).split_for_parts();
    crate::openapi::add_common_errors(&mut api);
    let routes = Arc::new(RouteTable::from_openapi(&api));
    let hsts = if state.config.tls_cert.is_some() { "max-age=31536000; includeSubDomains" } else { "" };
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([header::AUTHORIZATION, header::CONTENT_TYPE, header::IF_MATCH, header::ACCEPT])
        .allowed_header("idempotency-key")
        .expose_headers([header::ETAG, header::LOCATION, header::RETRY_AFTER])
        .max_age(600);
    for origin in &state.config.cors_origins {
        cors = cors.allowed_origin(origin);
    }
    app.app_data(web::Data::new(state))
        .app_data(web::JsonConfig::default().limit(JSON_LIMIT).error_handler(|e, _| error::json_error(e).into()))
        .app_data(web::QueryConfig::default().error_handler(|e, _| error::query_error(e).into()))
        .app_data(web::PathConfig::default().error_handler(|e, _| error::path_error(e).into()))
        .app_data(
            web::FormConfig::default()
                .limit(8 * 1024)
                .error_handler(|e, _| ApiError::bad_request(format!("The form is not valid: {e}.")).into()),
        )
        .app_data(web::Data::new(routes))
        .route(
            "/openapi.json",
            web::get().to(move || {
                let api = api.clone();
                async move { HttpResponse::Ok().json(api) }
            }),
        )
        .service(web::redirect("/docs", "/docs/"))
        .service(SwaggerUi::new("/docs/{_:.*}"))
        .default_service(web::to(unmatched))
        .wrap(
            actix_web::middleware::DefaultHeaders::new()
                .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                .add((header::CACHE_CONTROL, "no-store"))
                .add((header::X_FRAME_OPTIONS, "DENY"))
                .add((header::REFERRER_POLICY, "no-referrer")),
        )
        .wrap(actix_web::middleware::Condition::new(
            !hsts.is_empty(),
            actix_web::middleware::DefaultHeaders::new().add((header::STRICT_TRANSPORT_SECURITY, hsts)),
        ))
        .wrap(cors)
        .wrap(actix_web::middleware::from_fn(crate::telemetry::request_id_header))
        .wrap(tracing_actix_web::TracingLogger::default())
}

/// Paths of the API with the methods each allows, to tell 404 from 405.
pub struct RouteTable(Vec<(actix_web::dev::ResourceDef, Vec<&'static str>)>);

impl RouteTable {
    fn from_openapi(api: &utoipa::openapi::OpenApi) -> RouteTable {
        let mut rows = Vec::new();
        for (path, item) in &api.paths.paths {
            let mut methods = Vec::new();
            for (m, op) in [
                ("GET", &item.get),
                ("POST", &item.post),
                ("PUT", &item.put),
                ("PATCH", &item.patch),
                ("DELETE", &item.delete),
            ] {
                if op.is_some() {
                    methods.push(m);
                }
            }
            rows.push((actix_web::dev::ResourceDef::new(path.as_str()), methods));
        }
        RouteTable(rows)
    }
    fn allowed(&self, path: &str) -> Option<String> {
        self.0.iter().find(|(def, _)| def.is_match(path)).map(|(_, m)| m.join(", "))
    }
}

async fn unmatched(req: HttpRequest, routes: web::Data<Arc<RouteTable>>) -> Result<HttpResponse, ApiError> {
    match routes.allowed(req.path()) {
        Some(allow) if req.method() != Method::OPTIONS => Err(ApiError::MethodNotAllowed { allow }),
        _ => Err(ApiError::NotFound),
    }
}
