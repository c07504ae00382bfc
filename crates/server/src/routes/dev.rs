//! `GET /dev/bootstrap` (only with --dev): the dev fixtures, for the demo
//! page and the end-to-end tests.

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

pub fn router() -> Router<AppState> {
    Router::new().route("/dev/bootstrap", get(bootstrap))
}

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
