//! Only with --dev: `GET /dev/bootstrap` (the dev fixtures, for the demo
//! page and the end-to-end tests) and `GET /dev/outbox` (the enrollment
//! emails the dev outbox wrote, with their links).

use crate::error::{ApiError, ApiResult};
use crate::openapi::{DevBootstrap, DevOutbox};
use crate::state::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new().route("/dev/bootstrap", get(bootstrap)).route("/dev/outbox", get(outbox))
}

/// This module's operations in the OpenAPI document (`crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(bootstrap, outbox))]
pub struct Api;

#[utoipa::path(
    get,
    path = "/dev/bootstrap",
    operation_id = "devBootstrap",
    summary = "The dev fixtures: tenant, realm, hosted_web config and an admin API token (only with --dev)",
    tag = "dev",
    responses(
        (status = 200, description = "The fixtures", body = DevBootstrap),
        (status = 404, description = "Not in dev mode (the route is not mounted)")
    )
)]
async fn bootstrap(State(state): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    let dev = state.dev.as_ref().ok_or_else(|| ApiError::not_found("resource"))?;
    Ok(Json(json!({
        "api_base": state.public_url,
        "tenant_id": dev.tenant_id,
        "realm_id": dev.realm_id,
        "authenticator_config_id": dev.authenticator_config_id,
        "api_token": dev.api_token,
    })))
}

/// `{"smtp": false, "messages": [{file, to, subject, link, create_time}]}`,
/// newest first (what this process wrote). With SMTP configured there is no
/// outbox: `{"smtp": true, "messages": []}`.
#[utoipa::path(
    get,
    path = "/dev/outbox",
    operation_id = "devOutbox",
    summary = "Enrollment emails written to the outbox since start (only with --dev)",
    tag = "dev",
    responses(
        (status = 200, description = "The outbox", body = DevOutbox),
        (status = 404, description = "Not in dev mode (the route is not mounted)")
    )
)]
async fn outbox(State(state): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    state.dev.as_ref().ok_or_else(|| ApiError::not_found("resource"))?;
    Ok(Json(match state.mailer.outbox() {
        Some(messages) => json!({ "smtp": false, "messages": messages }),
        None => json!({ "smtp": true, "messages": [] }),
    }))
}
