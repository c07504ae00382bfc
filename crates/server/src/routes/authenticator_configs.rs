//! `/v1/tenants/{t}/realms/{r}/authenticator-configs`: how a realm's passkeys
//! are bound (`hosted_web`: on passbind's own page; `embedded`: in the app).

use super::{is_secure_or_loopback, origin_of, ConfigView};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Paging, RealmAdmin};
use crate::openapi::{AdminErrors, ConfigParams, Empty, PageQuery, RealmParams, TooLarge};
use crate::paging::paged_body;
use crate::state::AppState;
use crate::store::{AuthenticatorConfig, ConfigType, StoreError};
use crate::util::{new_uuid, now_micros};
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use passbind_protocol::ErrorBody;
use passbind_protocol::ErrorCode;
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/tenants/{tenant_id}/realms/{realm_id}/authenticator-configs", get(list).post(create))
        .route("/v1/tenants/{tenant_id}/realms/{realm_id}/authenticator-configs/{config_id}", get(get_one).delete(delete_one))
}

/// This module's operations in the OpenAPI document (`crate::openapi`).
#[derive(utoipa::OpenApi)]
#[openapi(paths(create, list, get_one, delete_one))]
pub struct Api;

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = AuthenticatorConfigCreate)]
#[serde(deny_unknown_fields)]
struct CreateRequest {
    authenticator_config: ConfigInput,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = AuthenticatorConfigInput)]
#[serde(deny_unknown_fields)]
struct ConfigInput {
    config: ConfigSpec,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[schema(as = AuthenticatorConfigSpec)]
#[serde(deny_unknown_fields)]
struct ConfigSpec {
    #[serde(rename = "type")]
    #[schema(schema_with = crate::openapi::config_type)]
    type_: String,
    #[serde(default)]
    invoke_url: Option<String>,
    #[serde(default)]
    trusted_origins: Option<Vec<String>>,
    /// Additive: an embedded app whose pages span subdomains may scope its
    /// passkeys to a parent domain of `invoke_url`'s host.
    #[serde(default)]
    rp_id: Option<String>,
    /// WebAuthn policy: `platform` | `cross-platform` (default: any).
    #[serde(default)]
    #[schema(schema_with = crate::openapi::attachment)]
    authenticator_attachment: Option<String>,
    /// `required` (default) | `preferred` | `discouraged`; only `required` is enforced at binding.
    #[serde(default)]
    #[schema(schema_with = crate::openapi::user_verification)]
    user_verification: Option<String>,
    /// Attestation conveyance: `none` (default) | `indirect` | `direct` | `enterprise`.
    #[serde(default)]
    #[schema(schema_with = crate::openapi::attestation)]
    attestation: Option<String>,
    /// What the config asks of the authenticators it binds (issue 12).
    #[serde(default)]
    policy: Option<super::authenticator_policy::PolicyInput>,
}

/// Checks an optional enumerated policy field.
fn one_of(field: &str, value: &Option<String>, allowed: &[&str]) -> ApiResult<Option<String>> {
    match value {
        None => Ok(None),
        Some(v) if allowed.contains(&v.as_str()) => Ok(Some(v.clone())),
        Some(_) => Err(ApiError::invalid_argument(&format!("{FIELD}.{field}"), format!("must be one of {}", allowed.join(", ")))),
    }
}

const FIELD: &str = "authenticator_config.config";

/// The policy values a config accepts (also the OpenAPI document's enums).
pub const ATTACHMENTS: &[&str] = &["platform", "cross-platform"];
pub const USER_VERIFICATIONS: &[&str] = &["required", "preferred", "discouraged"];
pub const ATTESTATIONS: &[&str] = &["none", "indirect", "direct", "enterprise"];

/// WebAuthn: an RP ID is the page's host or a parent domain of it (a name, not an IP).
fn parent_or_same(host: &str, rp: &str) -> bool {
    let host = host.to_ascii_lowercase();
    !rp.is_empty() && (host == rp || host.ends_with(&format!(".{rp}"))) && rp.contains(|c: char| c.is_ascii_alphabetic())
}

/// A validated embedded config: (invoke_url, trusted_origins, rp_id).
fn validate_embedded(spec: &ConfigSpec) -> ApiResult<(String, Vec<String>, Option<String>)> {
    let field = |f: &str| format!("{FIELD}.{f}");
    let raw =
        spec.invoke_url.as_deref().ok_or_else(|| ApiError::invalid_argument(&field("invoke_url"), "required for embedded configs"))?;
    let invoke = passbind_protocol::parse_url(raw)
        .map_err(|e| ApiError::invalid_argument(&field("invoke_url"), format!("not an absolute URL: {e}")))?;
    if !is_secure_or_loopback(&invoke) {
        return Err(ApiError::invalid_argument(&field("invoke_url"), "must be https (http only on a loopback host)"));
    }
    if !invoke.username().is_empty() || invoke.password().is_some() || invoke.query().is_some() || invoke.fragment().is_some() {
        return Err(ApiError::invalid_argument(&field("invoke_url"), "must have no credentials, query or fragment"));
    }
    let mut origins = Vec::new();
    for (i, o) in spec.trusted_origins.iter().flatten().enumerate() {
        let f = field(&format!("trusted_origins[{i}]"));
        let url = passbind_protocol::parse_url(o).map_err(|_| ApiError::invalid_argument(&f, "not an origin (scheme://host[:port])"))?;
        let canonical = origin_of(&url);
        if canonical != o.trim_end_matches('/') || !is_secure_or_loopback(&url) {
            return Err(ApiError::invalid_argument(&f, "must be an https origin (scheme://host[:port]), http only on loopback"));
        }
        if !origins.contains(&canonical) {
            origins.push(canonical);
        }
    }
    let host = invoke.host_str().unwrap_or_default().to_ascii_lowercase();
    let rp_id = match spec.rp_id.as_deref() {
        None => None,
        Some(rp) => {
            let rp = rp.to_ascii_lowercase();
            // WebAuthn: the RP ID must be the page's host or a parent domain of it.
            if !parent_or_same(&host, &rp) {
                return Err(ApiError::invalid_argument(&field("rp_id"), "must be invoke_url's host or a parent domain of it"));
            }
            Some(rp)
        }
    };
    Ok((invoke.as_str().trim_end_matches('/').to_owned(), origins, rp_id))
}

/// The config named in a `…/authenticator-configs/{config_id}` path.
#[derive(Deserialize)]
struct ConfigPath {
    config_id: String,
}

#[utoipa::path(
    post,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/authenticator-configs",
    operation_id = "createAuthenticatorConfig",
    summary = "Create an authenticator config",
    tag = "admin",
    security(("bearer" = [])),
    params(RealmParams),
    request_body = CreateRequest,
    responses((status = 200, description = "The config", body = ConfigView), AdminErrors, TooLarge)
)]
async fn create(
    State(state): State<AppState>,
    RealmAdmin(realm): RealmAdmin,
    ApiJson(req): ApiJson<CreateRequest>,
) -> ApiResult<Json<ConfigView>> {
    let spec = req.authenticator_config.config;
    let config_type =
        spec.type_.parse().map_err(|_| ApiError::invalid_argument(&format!("{FIELD}.type"), "must be hosted_web or embedded"))?;
    let (invoke_url, trusted_origins, rp_id) = match config_type {
        ConfigType::HostedWeb => {
            if spec.invoke_url.is_some() || spec.trusted_origins.as_ref().is_some_and(|o| !o.is_empty()) {
                return Err(ApiError::invalid_argument(
                    FIELD,
                    "hosted_web configs take no invoke_url or trusted_origins: passbind hosts the page",
                ));
            }
            // The RP ID may be the service's host or a parent domain of it.
            let rp_id = match spec.rp_id.as_deref().map(str::to_ascii_lowercase) {
                None => None,
                Some(rp) if parent_or_same(&state.public_host, &rp) => Some(rp),
                Some(_) => {
                    return Err(ApiError::invalid_argument(
                        &format!("{FIELD}.rp_id"),
                        "must be the service's host or a parent domain of it",
                    ))
                }
            };
            (None, Vec::new(), rp_id)
        }
        ConfigType::Embedded => {
            let (u, o, r) = validate_embedded(&spec)?;
            (Some(u), o, r)
        }
    };
    let authenticator_attachment = one_of("authenticator_attachment", &spec.authenticator_attachment, ATTACHMENTS)?;
    let user_verification = one_of("user_verification", &spec.user_verification, USER_VERIFICATIONS)?;
    let mut attestation = one_of("attestation", &spec.attestation, ATTESTATIONS)?;
    let policy = match &spec.policy {
        Some(p) => super::authenticator_policy::validate(&format!("{FIELD}.policy"), p)?,
        None => Default::default(),
    };
    if policy.attestation_required {
        // A browser asked for `none` replaces the statement with `none`: nothing would ever bind.
        match attestation.as_deref() {
            None => attestation = Some("direct".into()),
            Some("none") => {
                return Err(ApiError::invalid_argument(
                    &format!("{FIELD}.attestation"),
                    "policy.attestation_required needs attestation indirect, direct or enterprise",
                ))
            }
            Some(_) => {}
        }
    }
    let config = AuthenticatorConfig {
        id: new_uuid().into(),
        tenant_id: realm.tenant_id,
        realm_id: realm.id,
        config_type,
        invoke_url,
        trusted_origins,
        rp_id,
        create_time: now_micros(),
        authenticator_attachment,
        user_verification,
        attestation,
        policy,
    };
    state.configs.insert_authenticator_config(&config).await?;
    Ok(Json(ConfigView::from(&config)))
}

#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/authenticator-configs",
    operation_id = "listAuthenticatorConfigs",
    summary = "List authenticator configs, paginated",
    tag = "admin",
    security(("bearer" = [])),
    params(RealmParams, PageQuery),
    responses((status = 200, description = "A page of configs", body = crate::openapi::AuthenticatorConfigList), AdminErrors)
)]
async fn list(State(state): State<AppState>, RealmAdmin(realm): RealmAdmin, Paging(page): Paging) -> ApiResult<Json<serde_json::Value>> {
    let configs = state.configs.list_authenticator_configs(&realm.tenant_id, &realm.id).await?;
    let key = |c: &AuthenticatorConfig| (c.create_time, c.id.to_string());
    Ok(Json(paged_body("authenticator_configs", &configs, key, |c| ConfigView::from(c), &page)))
}

#[utoipa::path(
    get,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/authenticator-configs/{config_id}",
    operation_id = "getAuthenticatorConfig",
    summary = "Get an authenticator config",
    tag = "admin",
    security(("bearer" = [])),
    params(ConfigParams),
    responses((status = 200, description = "The config", body = ConfigView), AdminErrors)
)]
async fn get_one(
    State(state): State<AppState>,
    RealmAdmin(realm): RealmAdmin,
    Path(ConfigPath { config_id }): Path<ConfigPath>,
) -> ApiResult<Json<ConfigView>> {
    let config = state
        .configs
        .get_authenticator_config(&realm.tenant_id, &realm.id, &config_id)
        .await?
        .ok_or_else(|| ApiError::not_found("authenticator config"))?;
    Ok(Json(ConfigView::from(&config)))
}

/// `DELETE`: answers `{}`. A config that jobs still refer to stays,
/// so no link loses its origin and RP ID rules (422).
#[utoipa::path(
    delete,
    path = "/v1/tenants/{tenant_id}/realms/{realm_id}/authenticator-configs/{config_id}",
    operation_id = "deleteAuthenticatorConfig",
    summary = "Delete an authenticator config",
    tag = "admin",
    security(("bearer" = [])),
    params(ConfigParams),
    responses((status = 200, description = "Deleted: `{}`", body = Empty), AdminErrors,
        (status = 422, description = "failed_precondition: credential-binding jobs still use this config", body = ErrorBody))
)]
async fn delete_one(
    State(state): State<AppState>,
    RealmAdmin(realm): RealmAdmin,
    Path(ConfigPath { config_id }): Path<ConfigPath>,
) -> ApiResult<Json<serde_json::Value>> {
    match state.configs.delete_authenticator_config(&realm.tenant_id, &realm.id, &config_id).await {
        Ok(true) => Ok(Json(serde_json::json!({}))),
        Ok(false) => Err(ApiError::not_found("authenticator config")),
        Err(StoreError::Conflict) => {
            Err(ApiError::new(ErrorCode::FailedPrecondition, "credential-binding jobs still use this authenticator config"))
        }
        Err(e) => Err(e.into()),
    }
}

/// The create body through the handler's parse and checks, for both config
/// types (fuzz/, issue 13).
#[cfg(feature = "fuzzing")]
pub fn fuzz_input(body: &[u8]) {
    let Ok(req) = crate::error::parse_json::<CreateRequest>(body, ErrorCode::InvalidArgument) else { return };
    let spec = req.authenticator_config.config;
    let _ = spec.type_.parse::<ConfigType>();
    if let Ok((invoke, origins, rp_id)) = validate_embedded(&spec) {
        assert!(url::Url::parse(&invoke).is_ok(), "a checked invoke_url is a URL: {invoke:?}");
        assert!(origins.iter().all(|o| url::Url::parse(o).is_ok()), "{origins:?}");
        let _ = rp_id;
    }
    if let Some(rp) = spec.rp_id.as_deref() {
        let _ = parent_or_same("passbind.example.com", &rp.to_ascii_lowercase());
    }
    let _ = one_of("authenticator_attachment", &spec.authenticator_attachment, ATTACHMENTS);
    let _ = one_of("user_verification", &spec.user_verification, USER_VERIFICATIONS);
    let _ = one_of("attestation", &spec.attestation, ATTESTATIONS);
    if let Some(p) = &spec.policy {
        let _ = super::authenticator_policy::validate(&format!("{FIELD}.policy"), p);
    }
}
