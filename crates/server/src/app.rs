//! The router: every route, page and layer of the service, assembled.
//! Handlers live in `routes/`, layers in `middleware.rs`, the state in
//! `state.rs`, start-up in `startup.rs`.

use crate::config::Config;
use crate::error::not_found_fallback;
use crate::middleware::{json_errors, request_span, security_headers};
use crate::routes;
use crate::state::AppState;
use axum::http::StatusCode;
use axum::routing::any;
use axum::Router;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::services::ServeDir;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// Request bodies above this are refused with 413 before any parsing.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn router(state: AppState, config: &Config) -> Router {
    let mut api = Router::new()
        .merge(routes::authenticator_configs::router())
        .merge(routes::identities::router())
        .merge(routes::credential_binding_jobs::router())
        .merge(routes::credentials::router())
        .merge(routes::events::router())
        .merge(routes::webhooks::router())
        .merge(routes::console_session::router())
        .merge(routes::realms::router())
        .merge(routes::api_tokens::router())
        .merge(routes::email_branding::router())
        // Unknown API paths answer JSON, not the static files' empty 404.
        .route("/v1/{*rest}", any(not_found_fallback));
    if state.dev.is_some() {
        api = api.merge(routes::dev::router());
    }
    api = api.route("/openapi.json", axum::routing::get(openapi_json));
    let www = &config.www_dir;
    // The hosted /bind page, in the realm's branding when the link names one.
    api.merge(crate::branding::page::router(www.join("bind.html")))
        .nest_service("/sdk", ServeDir::new(&config.sdk_dir))
        .fallback_service(ServeDir::new(www))
        // Inner to outer: a panic becomes a 500, a request past its time a 503, every /v1 error JSON, then logging.
        .layer(CatchPanicLayer::new())
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TimeoutLayer::with_status_code(StatusCode::SERVICE_UNAVAILABLE, Duration::from_secs(config.request_timeout_seconds)))
        .layer(axum::middleware::from_fn(json_errors))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

/// The OpenAPI 3.1 document of every endpoint, generated from the handlers
/// (`crate::openapi`); tests/openapi.rs checks it against the router.
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "getOpenApi",
    summary = "This document",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document", body = serde_json::Value))
)]
pub async fn openapi_json() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], crate::openapi::document_json())
}
