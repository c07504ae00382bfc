//! One small router per resource; `binding` holds the two browser endpoints.
//! Shared here: admin authentication and the resource views (JSON shapes).

pub mod authenticator_configs;
pub mod binding;
pub mod credential_binding_jobs;
pub mod credentials;
pub mod dev;
pub mod identities;

use crate::app::AppState;
use crate::error::{ApiError, ApiResult};
use crate::store::{AuthenticatorConfig, Credential, Identity, Job, Realm, StoreError, Tenant};
use crate::util::{constant_time_eq, format_time, hash_secret, uuid_string};
use axum::http::HeaderMap;
use passbind_protocol::wire;
use serde::Serialize;

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        ApiError::internal(e)
    }
}

/// Checks the `Authorization: Bearer <API token>` header against the tenant
/// (and realm) in the path: no, unknown or revoked token → 401; a token of
/// another tenant or realm → 404, exactly as if the resource did not exist,
/// so a token learns nothing about other tenants.
pub async fn authorize(state: &AppState, headers: &HeaderMap, tenant_id: &str) -> ApiResult<()> {
    authorize_scope(state, headers, tenant_id, None).await
}

async fn authorize_scope(state: &AppState, headers: &HeaderMap, tenant_id: &str, realm_id: Option<&str>) -> ApiResult<()> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= 512)
        .ok_or_else(ApiError::unauthenticated)?;
    let hash = hash_secret(token);
    let record = match state.store.api_token_by_hash(&hash).await? {
        // Found by its hash; compared again in constant time all the same.
        Some(t) if constant_time_eq(t.token_hash.as_bytes(), hash.as_bytes()) => t,
        _ => return Err(ApiError::unauthenticated()),
    };
    let tenant_ok = constant_time_eq(record.tenant_id.as_bytes(), tenant_id.as_bytes());
    let realm_ok = match (&record.realm_id, realm_id) {
        (Some(scope), Some(realm)) => scope == realm,
        (Some(_), None) => false,
        (None, _) => true,
    };
    if tenant_ok && realm_ok {
        Ok(())
    } else {
        Err(ApiError::not_found(if tenant_ok { "realm" } else { "tenant" }))
    }
}

/// Authorizes and returns the realm, 404 when the tenant has no such realm.
pub async fn authorize_realm(state: &AppState, headers: &HeaderMap, tenant_id: &str, realm_id: &str) -> ApiResult<Realm> {
    authorize_scope(state, headers, tenant_id, Some(realm_id)).await?;
    state.store.get_realm(tenant_id, realm_id).await?.ok_or_else(|| ApiError::not_found("realm"))
}

/// Authorizes and returns the identity (and its realm).
pub async fn authorize_identity(
    state: &AppState,
    headers: &HeaderMap,
    tenant_id: &str,
    realm_id: &str,
    identity_id: &str,
) -> ApiResult<(Realm, Identity)> {
    let realm = authorize_realm(state, headers, tenant_id, realm_id).await?;
    let identity = state.store.get_identity(tenant_id, realm_id, identity_id).await?.ok_or_else(|| ApiError::not_found("identity"))?;
    Ok((realm, identity))
}

#[derive(Serialize)]
pub struct ConfigView {
    pub id: String,
    pub realm_id: String,
    pub tenant_id: String,
    pub config: ConfigBodyView,
}

#[derive(Serialize)]
pub struct ConfigBodyView {
    #[serde(rename = "type")]
    pub type_: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoke_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted_origins: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rp_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authenticator_attachment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_verification: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attestation: Option<String>,
}

impl From<&AuthenticatorConfig> for ConfigView {
    fn from(c: &AuthenticatorConfig) -> Self {
        let embedded = c.config_type == "embedded";
        ConfigView {
            id: c.id.clone(),
            realm_id: c.realm_id.clone(),
            tenant_id: c.tenant_id.clone(),
            config: ConfigBodyView {
                type_: c.config_type.clone(),
                invoke_url: c.invoke_url.clone(),
                trusted_origins: embedded.then(|| c.trusted_origins.clone()),
                rp_id: c.rp_id.clone(),
                authenticator_attachment: c.authenticator_attachment.clone(),
                user_verification: c.user_verification.clone(),
                attestation: c.attestation.clone(),
            },
        }
    }
}

#[derive(Serialize)]
pub struct IdentityView {
    pub id: String,
    pub realm_id: String,
    pub tenant_id: String,
    pub display_name: String,
    pub create_time: String,
    pub update_time: String,
    pub status: String,
    pub traits: TraitsView,
}

#[derive(Serialize)]
pub struct TraitsView {
    #[serde(rename = "type")]
    pub type_: &'static str,
    pub username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_email_address: Option<String>,
}

impl From<&Identity> for IdentityView {
    fn from(i: &Identity) -> Self {
        IdentityView {
            id: i.id.clone(),
            realm_id: i.realm_id.clone(),
            tenant_id: i.tenant_id.clone(),
            display_name: i.display_name.clone(),
            create_time: format_time(i.create_time),
            update_time: format_time(i.update_time),
            status: i.status.clone(),
            traits: TraitsView { type_: "traits_v0", username: i.username.clone(), primary_email_address: i.email_address.clone() },
        }
    }
}

#[derive(Serialize)]
pub struct JobView {
    pub id: String,
    pub realm_id: String,
    pub tenant_id: String,
    pub identity_id: String,
    pub delivery_method: String,
    pub state: String,
    pub authenticator_config_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_binding_redirect_uri: Option<String>,
    pub expire_time: String,
    pub create_time: String,
    pub update_time: String,
}

/// The state a job is in now: an open job past its expiry is `EXPIRED`
/// even before anything rewrote its row.
pub fn effective_state(job: &Job, now: i64) -> &str {
    let open = !crate::store::TERMINAL_JOB_STATES.contains(&job.state.as_str());
    if open && now >= job.expire_time {
        "EXPIRED"
    } else {
        &job.state
    }
}

impl JobView {
    pub fn new(j: &Job, now: i64) -> Self {
        JobView {
            id: j.id.clone(),
            realm_id: j.realm_id.clone(),
            tenant_id: j.tenant_id.clone(),
            identity_id: j.identity_id.clone(),
            delivery_method: j.delivery_method.clone(),
            state: effective_state(j, now).to_owned(),
            authenticator_config_id: j.authenticator_config_id.clone(),
            post_binding_redirect_uri: j.post_binding_redirect_uri.clone(),
            expire_time: format_time(j.expire_time),
            create_time: format_time(j.create_time),
            update_time: format_time(j.update_time),
        }
    }
}

/// The passkey as the SDK and the admin API report it.
pub fn passkey_view(c: &Credential, tenant: &Tenant, realm: &Realm, identity: &Identity) -> wire::Passkey {
    let mut aaguid = [0u8; 16];
    if c.aaguid.len() == 16 {
        aaguid.copy_from_slice(&c.aaguid);
    }
    wire::Passkey {
        id: c.id.clone(),
        credential_id: passbind_protocol::base64url::encode(&c.credential_id),
        created: format_time(c.create_time),
        state: c.state.clone(),
        tenant: wire::Named { id: tenant.id.clone(), display_name: tenant.display_name.clone() },
        realm: wire::Named { id: realm.id.clone(), display_name: realm.display_name.clone() },
        identity: wire::PasskeyIdentity {
            id: identity.id.clone(),
            username: identity.username.clone(),
            display_name: identity.display_name.clone(),
            email_address: identity.email_address.clone(),
        },
        authenticator: wire::AuthenticatorInfo {
            aaguid: uuid_string(&aaguid),
            attachment: c.attachment.clone(),
            transports: c.transports.clone(),
            backup_eligible: c.backup_eligible,
            backed_up: c.backed_up,
        },
    }
}

/// A credential as the admin API reports it: the passkey the SDK got, plus
/// the record's own fields (the public key as a JWK and its RFC 7638 thumbprint).
#[derive(Serialize)]
pub struct CredentialView {
    #[serde(flatten)]
    pub passkey: wire::Passkey,
    pub identity_id: String,
    pub create_time: String,
    /// The public key as a JWK (RFC 7517), serialized as a JSON string.
    pub public_key_jwk: Option<String>,
    /// base64url SHA-256 JWK thumbprint (RFC 7638).
    pub jwk_thumbprint: Option<String>,
    /// COSE algorithm (-8 EdDSA, -7 ES256, -257 RS256).
    pub alg: i64,
    pub aaguid: String,
    pub transports: Vec<String>,
    pub backup_eligible: bool,
    pub backed_up: bool,
    pub attestation_format: String,
}

pub fn credential_view(c: &Credential, tenant: &Tenant, realm: &Realm, identity: &Identity) -> CredentialView {
    let passkey = passkey_view(c, tenant, realm, identity);
    let jwk = crate::webauthn::cose::jwk_of_cose(&c.public_key);
    CredentialView {
        identity_id: c.identity_id.clone(),
        create_time: format_time(c.create_time),
        public_key_jwk: jwk.as_ref().map(|(j, _)| j.clone()),
        jwk_thumbprint: jwk.map(|(_, t)| t),
        alg: c.alg,
        aaguid: passkey.authenticator.aaguid.clone(),
        transports: c.transports.clone(),
        backup_eligible: c.backup_eligible,
        backed_up: c.backed_up,
        attestation_format: c.attestation_format.clone(),
        passkey,
    }
}

pub const DEFAULT_PAGE_SIZE: i64 = 50;
pub const MAX_PAGE_SIZE: i64 = 1000;

pub struct Page {
    pub size: i64,
    pub after: Option<(i64, String)>,
}

pub fn page_token(create_time: i64, id: &str) -> String {
    passbind_protocol::base64url::encode(format!("{create_time}:{id}").as_bytes())
}

pub fn parse_page(query: Option<&str>) -> ApiResult<Page> {
    let mut page = Page { size: DEFAULT_PAGE_SIZE, after: None };
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match &*k {
            "page_size" => {
                let n: i64 = v.parse().map_err(|_| ApiError::invalid_argument("page_size", "must be an integer"))?;
                if n < 0 {
                    return Err(ApiError::invalid_argument("page_size", "must not be negative"));
                }
                page.size = if n == 0 { DEFAULT_PAGE_SIZE } else { n.min(MAX_PAGE_SIZE) };
            }
            "page_token" if v.is_empty() => {}
            "page_token" => {
                let bad = || ApiError::invalid_argument("page_token", "not a page token from this list");
                let raw = passbind_protocol::base64url::decode(&v).ok_or_else(bad)?;
                let text = String::from_utf8(raw).map_err(|_| bad())?;
                let (t, id) = text.split_once(':').ok_or_else(bad)?;
                page.after = Some((t.parse().map_err(|_| bad())?, id.to_owned()));
            }
            other => return Err(ApiError::invalid_argument(other, "unknown query parameter")),
        }
    }
    Ok(page)
}

/// A list answer for items already ordered by (create_time, id):
/// `{"<name>": [...], "total_size", "next_page_token"?}`, one page of it.
pub fn paged_body<I, T: Serialize>(
    name: &str,
    items: &[I],
    key: impl Fn(&I) -> (i64, String),
    view: impl Fn(&I) -> T,
    page: &Page,
) -> serde_json::Value {
    let total = items.len();
    let rest: Vec<&I> = items.iter().filter(|i| page.after.as_ref().is_none_or(|after| key(i) > *after)).collect();
    let shown: Vec<T> = rest.iter().take(page.size as usize).map(|i| view(i)).collect();
    let mut body = list_body(name, shown);
    body["total_size"] = total.into();
    if rest.len() as i64 > page.size {
        let (t, id) = key(rest[page.size as usize - 1]);
        body["next_page_token"] = page_token(t, &id).into();
    }
    body
}

/// Lists as the admin API answers them: `{"<name>": [...], "total_size": n}`.
pub fn list_body<T: Serialize>(name: &str, items: Vec<T>) -> serde_json::Value {
    let total = items.len();
    let mut map = serde_json::Map::new();
    map.insert(name.to_owned(), serde_json::to_value(items).unwrap_or_default());
    map.insert("total_size".to_owned(), total.into());
    serde_json::Value::Object(map)
}

/// `https` URLs, or `http` on a loopback host (local development).
pub fn is_secure_or_loopback(url: &url::Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => match url.host() {
            Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

/// `scheme://host[:port]` of a URL (default ports omitted), as browsers write origins.
pub fn origin_of(url: &url::Url) -> String {
    url.origin().ascii_serialization()
}
