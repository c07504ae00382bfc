//! `/v1/tenants/{t}/api-tokens`: admin API tokens through the API (the
//! console's token page; the CLI does the same on the database). A token is
//! shown once, when created; lists show IDs, scopes and use, never secrets.
//!
//! A realm-scoped caller sees and manages only tokens of its own realm, and
//! cannot create a tenant-wide token (which would reach more than it does).

use crate::admin_auth::{issue_api_token, Caller};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, TenantAdmin};
use crate::openapi::{AdminErrors, TenantParams, TooLarge};
use crate::state::AppState;
use crate::store::ApiToken;
use crate::util::{format_time, now_micros};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Json, Router};
use passbind_protocol::ErrorCode;
use serde::{Deserialize, Serialize};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/tenants/{tenant_id}/api-tokens", get(list).post(create))
        .route("/v1/tenants/{tenant_id}/api-tokens/{api_token_id}", delete(revoke))
}

/// This module's operations in the OpenAPI document (`crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list, create, revoke))]
pub struct Api;

/// An admin API token, without its secret.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ApiToken)]
pub struct ApiTokenView {
    id: String,
    description: Option<String>,
    /// The realm it is confined to; null: the whole tenant
    realm_id: Option<String>,
    #[schema(format = DateTime)]
    create_time: String,
    /// When it last authorized a call (to the minute); null: never
    #[schema(format = DateTime)]
    last_use_time: Option<String>,
}

impl From<&ApiToken> for ApiTokenView {
    fn from(t: &ApiToken) -> Self {
        ApiTokenView {
            id: t.id.to_string(),
            description: t.description.clone(),
            realm_id: t.realm_id.as_ref().map(ToString::to_string),
            create_time: format_time(t.create_time),
            last_use_time: t.last_use_time.map(format_time),
        }
    }
}

/// `{api_tokens}`: the unrevoked tokens the caller may manage, by creation.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = ApiTokenList)]
pub struct ApiTokenList {
    api_tokens: Vec<ApiTokenView>,
}

/// A new token: its view and, this once, the secret.
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = CreatedApiToken)]
pub struct CreatedApiTokenView {
    #[serde(flatten)]
    view: ApiTokenView,
    /// The token (`Authorization: Bearer <token>`): shown only now, stored only as a hash
    token: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = ApiTokenCreate)]
#[serde(deny_unknown_fields)]
struct CreateRequest {
    /// What the token is for (1 to 256 bytes of printable text)
    description: String,
    /// Confine the token to this realm of the tenant; absent or null: tenant-wide
    #[serde(default)]
    realm_id: Option<String>,
}

#[derive(Deserialize)]
struct TokenPath {
    api_token_id: String,
}

/// `…/api-tokens/{api_token_id}`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // documentation only
struct TokenParams {
    tenant_id: String,
    api_token_id: String,
}

/// A token's description: trimmed, 1 to 256 bytes of printable text.
fn check_description(description: &str) -> ApiResult<&str> {
    let description = description.trim();
    if description.is_empty() || description.len() > 256 || description.chars().any(char::is_control) {
        return Err(ApiError::invalid_argument("description", "must be 1 to 256 bytes of printable text"));
    }
    Ok(description)
}

/// The unrevoked tokens of the caller's tenant that it may manage.
async fn manageable(state: &AppState, caller: &Caller) -> ApiResult<Vec<ApiToken>> {
    let tokens = state.api_tokens.list_api_tokens(&caller.token.tenant_id).await?;
    let scope = caller.realm_scope();
    Ok(tokens.into_iter().filter(|t| t.revoke_time.is_none() && (scope.is_none() || t.realm_id.as_deref() == scope)).collect())
}

#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}/api-tokens",
    operation_id = "listApiTokens",
    summary = "List the tenant's unrevoked admin API tokens (a realm-scoped caller: its realm's)",
    tag = "admin",
    security(("bearer" = [])),
    params(TenantParams),
    responses((status = 200, description = "The tokens, without secrets", body = ApiTokenList), AdminErrors)
)]
async fn list(State(state): State<AppState>, TenantAdmin(caller): TenantAdmin) -> ApiResult<Json<ApiTokenList>> {
    let tokens = manageable(&state, &caller).await?;
    Ok(Json(ApiTokenList { api_tokens: tokens.iter().map(ApiTokenView::from).collect() }))
}

#[utoipa::path(
    post,
    path = "/v1/tenants/{tenant_id}/api-tokens",
    operation_id = "createApiToken",
    summary = "Create an admin API token; the answer holds the token, shown this once",
    tag = "admin",
    security(("bearer" = [])),
    params(TenantParams),
    request_body = CreateRequest,
    responses((status = 201, description = "The token and its secret", body = CreatedApiTokenView), AdminErrors, TooLarge)
)]
async fn create(
    State(state): State<AppState>,
    TenantAdmin(caller): TenantAdmin,
    ApiJson(req): ApiJson<CreateRequest>,
) -> ApiResult<(StatusCode, Json<CreatedApiTokenView>)> {
    let description = check_description(&req.description)?;
    let realm = match (caller.realm_scope(), req.realm_id.filter(|r| !r.is_empty())) {
        (Some(_), None) => {
            return Err(ApiError::new(ErrorCode::PermissionDenied, "a realm-scoped caller cannot create a tenant-wide API token")
                .with_detail(Some("realm_id"), "must be the caller's realm"));
        }
        // Another realm answers as an unknown one: the caller learns nothing of realms it does not reach.
        (Some(scope), Some(realm)) if scope != realm => return Err(ApiError::invalid_argument("realm_id", "no such realm in the tenant")),
        (_, realm) => realm,
    };
    if let Some(realm) = &realm {
        if state.tenants.get_realm(&caller.token.tenant_id, realm).await?.is_none() {
            return Err(ApiError::invalid_argument("realm_id", "no such realm in the tenant"));
        }
    }
    let (token, secret) = issue_api_token(
        state.api_tokens.as_ref(),
        caller.token.tenant_id.clone(),
        realm.map(Into::into),
        Some(description.to_owned()),
        now_micros(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedApiTokenView { view: ApiTokenView::from(&token), token: secret })))
}

#[utoipa::path(
    delete,
    path = "/v1/tenants/{tenant_id}/api-tokens/{api_token_id}",
    operation_id = "deleteApiToken",
    summary = "Revoke an admin API token (its console sessions end with it)",
    tag = "admin",
    security(("bearer" = [])),
    params(TokenParams),
    responses((status = 204, description = "Revoked"), AdminErrors)
)]
async fn revoke(State(state): State<AppState>, TenantAdmin(caller): TenantAdmin, Path(p): Path<TokenPath>) -> ApiResult<StatusCode> {
    let tokens = manageable(&state, &caller).await?;
    let token = tokens.iter().find(|t| t.id == p.api_token_id).ok_or_else(|| ApiError::not_found("API token"))?;
    if !state.api_tokens.revoke_api_token(&token.id, now_micros()).await? {
        return Err(ApiError::not_found("API token"));
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The create body through the handler's parse and its description rule (fuzz/, issue 13).
#[cfg(feature = "fuzzing")]
pub fn fuzz_input(body: &[u8]) {
    if let Ok(req) = crate::error::parse_json::<CreateRequest>(body, ErrorCode::InvalidArgument) {
        let _ = check_description(&req.description);
    }
}
