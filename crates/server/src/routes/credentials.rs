//! `/v1/tenants/{t}/realms/{r}/identities/{i}/credentials`: bound passkeys.

use super::{authorize_identity, list_body, passkey_view};
use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credentials", get(list))
        // `{credential}:revoke` is one path segment, split here (see credential_binding_jobs).
        .route("/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credentials/{segment}", post(post_segment))
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

async fn post_segment(
    State(state): State<AppState>,
    Path((tenant_id, realm_id, identity_id, segment)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> Response {
    match segment.split_once(':') {
        Some((id, "revoke")) => revoke(&state, &headers, &tenant_id, &realm_id, &identity_id, id).await.into_response(),
        _ => ApiError::new(passbind_protocol::ErrorCode::NotFound, "no such method on a credential").into_response(),
    }
}

/// `POST …/credentials/{c}:revoke`: the passkey stays listed, as `REVOKED`.
async fn revoke(state: &AppState, headers: &HeaderMap, t: &str, r: &str, i: &str, id: &str) -> ApiResult<Json<passbind_protocol::wire::Passkey>> {
    let (realm, identity) = authorize_identity(state, headers, t, r, i).await?;
    let tenant = state.store.get_tenant(t).await?.ok_or_else(|| ApiError::not_found("tenant"))?;
    if !state.store.set_credential_state(&identity.id, id, "REVOKED").await? {
        return Err(ApiError::not_found("credential"));
    }
    let credential = state.store.get_credential(id).await?.ok_or_else(|| ApiError::not_found("credential"))?;
    Ok(Json(passkey_view(&credential, &tenant, &realm, &identity)))
}
