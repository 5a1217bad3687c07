//! The application: the one function that builds the actix app used by the server and by
//! every test, wiring every module's routes, the OpenAPI document and the middleware. It holds
//! no state and no logic of its own.

use crate::error::{self, ApiError};
use crate::state::AppState;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::{App, HttpRequest, HttpResponse, web};
use std::sync::Arc;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

/// Largest JSON body most endpoints accept.
pub const JSON_LIMIT: usize = 64 * 1024;

/// Every route of the API. actix tries them in this order, matching each pattern with a path
/// variable as a regular expression, so the most requested come first: a child's record and the
/// host view. No two patterns match the same path except a static one and a variable one of the
/// same length (`/v1/notifications/sent`), which stay in their module's order.
fn api_routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    crate::children::routes::routes(cfg);
    crate::host_view::routes::routes(cfg);
    crate::health::routes(cfg);
    crate::auth::oauth::routes(cfg);
    crate::auth::clients::routes::routes(cfg);
    crate::auth::issuers::routes::routes(cfg);
    crate::directory::routes::routes(cfg);
    crate::timeline::routes::routes(cfg);
    crate::placements::routes::routes(cfg);
    crate::notifications::routes::routes(cfg);
    crate::admissions::routes::routes(cfg);
    crate::missing::routes::routes(cfg);
    crate::returns::routes(cfg);
    crate::reports::routes(cfg);
    crate::exports::routes(cfg);
    crate::webhooks::routes(cfg);
    crate::peers::routes(cfg);
}

/// The OpenAPI document the code describes.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut api) =
        App::new().into_utoipa_app().openapi(crate::openapi::base()).configure(api_routes).split_for_parts();
    crate::openapi::add_common_errors(&mut api);
    api
}

/// The OpenAPI document as committed in `openapi/openapi.json`.
pub fn openapi_json() -> String {
    let mut s = openapi().to_pretty_json().unwrap_or_default();
    s.push('\n');
    s
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
    app.app_data(web::Data::from(state.auth.clone()))
        .app_data(web::Data::new(state.for_worker()))
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
        .configure(crate::federation::routes)
        .service(web::redirect("/docs", "/docs/"))
        .service(SwaggerUi::new("/docs/{_:.*}").config(swagger_config()))
        .default_service(web::to(unmatched))
        .wrap(actix_web::middleware::from_fn(crate::http::head_as_get))
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
        .wrap(tracing_actix_web::TracingLogger::<crate::telemetry::RequestSpan>::new())
}

/// Swagger UI at `/docs/`: the committed document from `/openapi.json`, every operation ready
/// to try against this server once a bearer token is entered under Authorize. No request leaves
/// for an outside validator, and the token is not kept in the browser's storage.
fn swagger_config() -> utoipa_swagger_ui::Config<'static> {
    utoipa_swagger_ui::Config::new(["/openapi.json"])
        .validator_url("none")
        .try_it_out_enabled(true)
        .display_request_duration(true)
        .filter(true)
        .persist_authorization(false)
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
