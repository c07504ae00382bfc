//! `/v1/tenants/{t}/realms/{r}/identities/{i}/credentials`: bound passkeys.

use super::{authorize_identity, list_body, passkey_view};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credentials", get(list))
}

async fn list(
    State(state): State<AppState>,
    Path((tenant_id, realm_id, identity_id)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> ApiResult<Json<serde_json::Value>> {
    let (realm, identity) = authorize_identity(&state, &headers, &tenant_id, &realm_id, &identity_id).await?;
    let tenant = state.store.get_tenant(&tenant_id).await?.ok_or_else(|| ApiError::not_found("tenant"))?;
    let credentials = state.store.list_credentials(&identity.id).await?;
    let passkeys = credentials.iter().map(|c| passkey_view(c, &tenant, &realm, &identity)).collect();
    Ok(Json(list_body("credentials", passkeys)))
}
