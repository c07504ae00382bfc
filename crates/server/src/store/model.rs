//! The records the store reads and writes (one per table, plus the binding
//! path's joined read).

use super::ids::*;
use super::policy::AttestationPolicy;
use super::types::{AttestationTrust, ConfigType, CredentialState, DeliveryMethod, IdentityStatus, JobState};

#[derive(Clone, Debug)]
pub struct Tenant {
    pub id: TenantId,
    pub display_name: String,
    pub create_time: i64,
}

#[derive(Clone, Debug)]
pub struct Realm {
    pub id: RealmId,
    pub tenant_id: TenantId,
    pub display_name: String,
    pub create_time: i64,
}

#[derive(Clone, Debug)]
pub struct AuthenticatorConfig {
    pub id: AuthenticatorConfigId,
    pub tenant_id: TenantId,
    pub realm_id: RealmId,
    pub config_type: ConfigType,
    pub invoke_url: Option<String>,
    pub trusted_origins: Vec<String>,
    pub rp_id: Option<String>,
    pub create_time: i64,
    /// WebAuthn policy (None: the default). `platform` | `cross-platform`.
    pub authenticator_attachment: Option<String>,
    /// `required` (default) | `preferred` | `discouraged`.
    pub user_verification: Option<String>,
    /// Attestation conveyance: `none` (default) | `indirect` | `direct` | `enterprise`.
    pub attestation: Option<String>,
    /// What the config asks of the authenticators it binds (`crate::trust`).
    pub policy: AttestationPolicy,
}

/// An admin API token (the secret itself is never stored, only its hash).
#[derive(Clone, Debug)]
pub struct ApiToken {
    pub id: ApiTokenId,
    pub token_hash: String,
    pub tenant_id: TenantId,
    /// When set, the token only reaches this realm.
    pub realm_id: Option<RealmId>,
    pub description: Option<String>,
    pub create_time: i64,
    pub revoke_time: Option<i64>,
    /// When it last authorized a call (kept to the minute: see `ApiTokenStore::touch_api_token`).
    pub last_use_time: Option<i64>,
}

impl ApiToken {
    /// A new, unrevoked token record for the secret whose hash is `token_hash`.
    pub fn new(token_hash: String, tenant_id: TenantId, realm_id: Option<RealmId>, description: Option<String>, now: i64) -> Self {
        ApiToken {
            id: crate::util::new_id().into(),
            token_hash,
            tenant_id,
            realm_id,
            description,
            create_time: now,
            revoke_time: None,
            last_use_time: None,
        }
    }
}

/// A console session: an admin API token exchanged for a cookie (the
/// cookie's secret is never stored, only its hash). It reaches what its
/// token reaches, and only while the token is unrevoked.
#[derive(Clone, Debug)]
pub struct ConsoleSession {
    pub id: ConsoleSessionId,
    pub secret_hash: String,
    pub api_token_id: ApiTokenId,
    pub tenant_id: TenantId,
    /// The token's realm scope (None: tenant-wide).
    pub realm_id: Option<RealmId>,
    pub create_time: i64,
    pub expire_time: i64,
    /// When it was signed out.
    pub end_time: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct Identity {
    pub id: IdentityId,
    pub tenant_id: TenantId,
    pub realm_id: RealmId,
    pub display_name: String,
    pub username: String,
    pub email_address: Option<String>,
    pub status: IdentityStatus,
    /// WebAuthn user handle: random, so it carries no personal data.
    pub user_handle: Vec<u8>,
    pub create_time: i64,
    pub update_time: i64,
}

#[derive(Clone, Debug)]
pub struct Job {
    pub id: JobId,
    pub tenant_id: TenantId,
    pub realm_id: RealmId,
    pub identity_id: IdentityId,
    pub delivery_method: DeliveryMethod,
    pub state: JobState,
    pub authenticator_config_id: AuthenticatorConfigId,
    pub post_binding_redirect_uri: Option<String>,
    pub token_hash: String,
    pub expire_time: i64,
    pub create_time: i64,
    pub update_time: i64,
    pub completed_ceremony_id: Option<String>,
    pub credential_record_id: Option<CredentialRecordId>,
}

#[derive(Clone, Debug)]
pub struct Credential {
    pub id: CredentialRecordId,
    pub tenant_id: TenantId,
    pub realm_id: RealmId,
    pub identity_id: IdentityId,
    pub job_id: JobId,
    pub ceremony_id: String,
    pub credential_id: Vec<u8>,
    pub public_key: Vec<u8>,
    pub alg: i64,
    pub sign_count: i64,
    pub aaguid: Vec<u8>,
    pub attestation_format: String,
    /// The statement's attestation type (`AttestationType::as_str`); None when
    /// unknown (packed credentials bound before issue 12).
    pub attestation_type: Option<String>,
    pub attestation_trust: AttestationTrust,
    /// The statement's x5c certificates (DER, leaf first); empty for none and self attestation.
    pub trust_path: Vec<Vec<u8>>,
    /// The authenticator's name when it was bound (metadata BLOB, else the AAGUID list).
    pub authenticator_name: Option<String>,
    pub transports: Vec<String>,
    pub attachment: Option<String>,
    pub backup_eligible: bool,
    pub backed_up: bool,
    pub state: CredentialState,
    pub create_time: i64,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DevBootstrap {
    pub tenant_id: String,
    pub realm_id: String,
    pub authenticator_config_id: String,
    pub api_token: String,
}

/// Everything a browser call needs about a job, loaded by its path in one query.
#[derive(Clone, Debug)]
pub struct BindingContext {
    pub tenant: Tenant,
    pub realm: Realm,
    pub identity: Identity,
    pub job: Job,
    pub config: AuthenticatorConfig,
}
