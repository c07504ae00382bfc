//! `/v1/tenants/{t}/realms/{r}/identities/{i}/credentials`: bound passkeys.

use super::{credential_view, CredentialView};
use crate::admin_auth::authorize_identity;
use crate::error::{ApiError, ApiResult};
use crate::extract::{IdentityAdmin, Paging};
use crate::openapi::{AdminErrors, IdentityParams, PageQuery};
use crate::paging::paged_body;
use crate::state::AppState;
use crate::store::CredentialState;
use crate::util::now_micros;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credentials", get(list))
        // `{credential}:revoke` is one path segment, split here (see credential_binding_jobs).
        .route(
            "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credentials/{segment}",
            get(get_segment).post(post_segment),
        )
}

/// This module's operations in the OpenAPI document (`crate::openapi`); `GET
/// {credential_id}` and `:revoke` are documented as their own paths in `openapi::verbs`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(list))]
pub struct Api;

type SegmentPath = Path<(String, String, String, String)>;

#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/identities/{identity_id}/credentials",
    operation_id = "listCredentials",
    summary = "List an identity's credentials, paginated (revoked ones too)",
    tag = "admin",
    security(("bearer" = [])),
    params(IdentityParams, PageQuery),
    responses((status = 200, description = "A page of credentials", body = crate::openapi::CredentialList), AdminErrors)
)]
async fn list(
    State(state): State<AppState>,
    IdentityAdmin { realm, identity, .. }: IdentityAdmin,
    Paging(page): Paging,
) -> ApiResult<Json<serde_json::Value>> {
    let tenant = state.tenants.get_tenant(&realm.tenant_id).await?.ok_or_else(|| ApiError::not_found("tenant"))?;
    let credentials = state.credentials.list_credentials(&identity.id).await?;
    let key = |c: &crate::store::Credential| (c.create_time, c.id.to_string());
    let blob = crate::trust::loaded_blob(&state);
    Ok(Json(paged_body("credentials", &credentials, key, |c| credential_view(c, &tenant, &realm, &identity, blob.as_deref()), &page)))
}

fn no_such_method() -> Response {
    ApiError::new(passbind_protocol::ErrorCode::NotFound, "no such method on a credential").into_response()
}

async fn get_segment(State(state): State<AppState>, Path((t, r, i, segment)): SegmentPath, headers: HeaderMap) -> Response {
    if segment.contains(':') {
        return no_such_method();
    }
    get_one(&state, &headers, &t, &r, &i, &segment, false).await.into_response()
}

async fn post_segment(State(state): State<AppState>, Path((t, r, i, segment)): SegmentPath, headers: HeaderMap) -> Response {
    match segment.split_once(':') {
        Some((id, "revoke")) => get_one(&state, &headers, &t, &r, &i, id, true).await.into_response(),
        _ => no_such_method(),
    }
}

/// `GET …/credentials/{c}`, or `POST …/credentials/{c}:revoke` (`revoke`):
/// a revoked passkey stays listed, as `REVOKED`; revoking twice is harmless.
async fn get_one(
    state: &AppState,
    headers: &HeaderMap,
    t: &str,
    r: &str,
    i: &str,
    id: &str,
    revoke: bool,
) -> ApiResult<Json<CredentialView>> {
    let method = if revoke { Method::POST } else { Method::GET };
    let (realm, identity, actor) = authorize_identity(state, &method, headers, t, r, i).await?;
    let tenant = state.tenants.get_tenant(t).await?.ok_or_else(|| ApiError::not_found("tenant"))?;
    let credential = state
        .credentials
        .get_credential(id)
        .await?
        .filter(|c| c.identity_id == identity.id && c.tenant_id == t && c.realm_id == r)
        .ok_or_else(|| ApiError::not_found("credential"))?;
    if revoke && credential.state != CredentialState::Revoked {
        state.credentials.set_credential_state(&identity.id, id, CredentialState::Revoked, now_micros(), &actor).await?;
        let credential = state.credentials.get_credential(id).await?.ok_or_else(|| ApiError::not_found("credential"))?;
        return Ok(Json(credential_view(&credential, &tenant, &realm, &identity, crate::trust::loaded_blob(state).as_deref())));
    }
    Ok(Json(credential_view(&credential, &tenant, &realm, &identity, crate::trust::loaded_blob(state).as_deref())))
}
