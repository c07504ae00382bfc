//! The admin API's JSON shapes of each resource, and the passkey as the SDK
//! and the admin API report it.

use crate::store::{AuthenticatorConfig, ConfigType, Credential, Identity, Job, JobState, Realm, Tenant};
use crate::util::{format_time, uuid_string};
use passbind_protocol::wire;
use passbind_webauthn::metadata::MetadataBlob;
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = AuthenticatorConfig)]
pub struct ConfigView {
    #[schema(format = "uuid")]
    pub id: String,
    pub realm_id: String,
    pub tenant_id: String,
    pub config: ConfigBodyView,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = AuthenticatorConfigBody)]
pub struct ConfigBodyView {
    #[serde(rename = "type")]
    #[schema(schema_with = crate::openapi::config_type)]
    pub type_: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoke_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trusted_origins: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rp_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::openapi::attachment)]
    pub authenticator_attachment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::openapi::user_verification)]
    pub user_verification: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::openapi::attestation)]
    pub attestation: Option<String>,
    /// The attestation policy; absent when the config asks nothing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy: Option<super::authenticator_policy::PolicyView>,
}

impl From<&AuthenticatorConfig> for ConfigView {
    fn from(c: &AuthenticatorConfig) -> Self {
        let embedded = c.config_type == ConfigType::Embedded;
        ConfigView {
            id: c.id.to_string(),
            realm_id: c.realm_id.to_string(),
            tenant_id: c.tenant_id.to_string(),
            config: ConfigBodyView {
                type_: c.config_type.as_str().to_owned(),
                invoke_url: c.invoke_url.clone(),
                trusted_origins: embedded.then(|| c.trusted_origins.clone()),
                rp_id: c.rp_id.clone(),
                authenticator_attachment: c.authenticator_attachment.clone(),
                user_verification: c.user_verification.clone(),
                attestation: c.attestation.clone(),
                policy: super::authenticator_policy::PolicyView::of(&c.policy),
            },
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Identity)]
pub struct IdentityView {
    pub id: String,
    pub realm_id: String,
    pub tenant_id: String,
    pub display_name: String,
    #[schema(format = DateTime)]
    pub create_time: String,
    #[schema(format = DateTime)]
    pub update_time: String,
    #[schema(schema_with = crate::openapi::identity_status)]
    pub status: String,
    pub traits: TraitsView,
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = IdentityTraits)]
pub struct TraitsView {
    #[serde(rename = "type")]
    #[schema(schema_with = crate::openapi::traits_type)]
    pub type_: &'static str,
    pub username: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_email_address: Option<String>,
}

impl From<&Identity> for IdentityView {
    fn from(i: &Identity) -> Self {
        IdentityView {
            id: i.id.to_string(),
            realm_id: i.realm_id.to_string(),
            tenant_id: i.tenant_id.to_string(),
            display_name: i.display_name.clone(),
            create_time: format_time(i.create_time),
            update_time: format_time(i.update_time),
            status: i.status.as_str().to_owned(),
            traits: TraitsView { type_: "traits_v0", username: i.username.clone(), primary_email_address: i.email_address.clone() },
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = CredentialBindingJob)]
pub struct JobView {
    pub id: String,
    pub realm_id: String,
    pub tenant_id: String,
    pub identity_id: String,
    #[schema(schema_with = crate::openapi::delivery_method)]
    pub delivery_method: String,
    #[schema(schema_with = crate::openapi::job_state)]
    pub state: String,
    pub authenticator_config_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = "uri")]
    pub post_binding_redirect_uri: Option<String>,
    #[schema(format = DateTime)]
    pub expire_time: String,
    #[schema(format = DateTime)]
    pub create_time: String,
    #[schema(format = DateTime)]
    pub update_time: String,
}

/// The state a job is in now: an open job past its expiry is `EXPIRED`
/// even before anything rewrote its row.
pub fn effective_state(job: &Job, now: i64) -> JobState {
    if !job.state.is_terminal() && now >= job.expire_time {
        JobState::Expired
    } else {
        job.state
    }
}

impl JobView {
    pub fn new(j: &Job, now: i64) -> Self {
        JobView {
            id: j.id.to_string(),
            realm_id: j.realm_id.to_string(),
            tenant_id: j.tenant_id.to_string(),
            identity_id: j.identity_id.to_string(),
            delivery_method: j.delivery_method.as_str().to_owned(),
            state: effective_state(j, now).as_str().to_owned(),
            authenticator_config_id: j.authenticator_config_id.to_string(),
            post_binding_redirect_uri: j.post_binding_redirect_uri.clone(),
            expire_time: format_time(j.expire_time),
            create_time: format_time(j.create_time),
            update_time: format_time(j.update_time),
        }
    }
}

/// The passkey as the SDK and the admin API report it.
/// `blob`: the loaded metadata BLOB, for the model's name and icon.
pub fn passkey_view(c: &Credential, tenant: &Tenant, realm: &Realm, identity: &Identity, blob: Option<&MetadataBlob>) -> wire::Passkey {
    let mut aaguid = [0u8; 16];
    if c.aaguid.len() == 16 {
        aaguid.copy_from_slice(&c.aaguid);
    }
    let (name, icon) = crate::trust::name_and_icon(c.authenticator_name.as_deref(), &aaguid, &c.trust_path, blob);
    wire::Passkey {
        id: c.id.to_string(),
        credential_id: passbind_protocol::base64url::encode(&c.credential_id),
        created: format_time(c.create_time),
        state: c.state.as_str().to_owned(),
        tenant: wire::Named { id: tenant.id.to_string(), display_name: tenant.display_name.clone() },
        realm: wire::Named { id: realm.id.to_string(), display_name: realm.display_name.clone() },
        identity: wire::PasskeyIdentity {
            id: identity.id.to_string(),
            username: identity.username.clone(),
            display_name: identity.display_name.clone(),
            email_address: identity.email_address.clone(),
        },
        authenticator: wire::AuthenticatorInfo {
            aaguid: uuid_string(&aaguid),
            name,
            icon,
            attachment: c.attachment.clone(),
            transports: c.transports.clone(),
            backup_eligible: c.backup_eligible,
            backed_up: c.backed_up,
        },
    }
}

/// A credential as the admin API reports it: the passkey the SDK got, plus
/// the record's own fields (the public key as a JWK and its RFC 7638 thumbprint).
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = Credential)]
pub struct CredentialView {
    #[serde(flatten)]
    pub passkey: wire::Passkey,
    pub identity_id: String,
    #[schema(format = DateTime)]
    pub create_time: String,
    /// The public key as a JWK (RFC 7517), serialized as a JSON string.
    pub public_key_jwk: Option<String>,
    /// base64url SHA-256 JWK thumbprint (RFC 7638).
    pub jwk_thumbprint: Option<String>,
    /// COSE algorithm (-8 EdDSA, -7 ES256, -257 RS256).
    pub alg: i64,
    #[schema(format = "uuid")]
    pub aaguid: String,
    pub transports: Vec<String>,
    pub backup_eligible: bool,
    pub backed_up: bool,
    pub attestation_format: String,
    pub attestation: AttestationView,
}

/// What the credential's attestation proved (issue 12).
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = CredentialAttestation)]
pub struct AttestationView {
    /// The statement's format (`none`, `packed`, `tpm`, …).
    pub format: String,
    /// `none`, `self`, `basic`, `attca` or `anonca`; absent when unknown (bound before issue 12).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = crate::openapi::attestation_type)]
    pub type_: Option<String>,
    /// TRUSTED only when the chain leads to the metadata BLOB entry's roots.
    #[schema(schema_with = crate::openapi::attestation_trust)]
    pub trust: String,
}

pub fn credential_view(c: &Credential, tenant: &Tenant, realm: &Realm, identity: &Identity, blob: Option<&MetadataBlob>) -> CredentialView {
    let passkey = passkey_view(c, tenant, realm, identity, blob);
    let jwk = passbind_webauthn::jwk_of_cose(&c.public_key);
    CredentialView {
        identity_id: c.identity_id.to_string(),
        create_time: format_time(c.create_time),
        public_key_jwk: jwk.as_ref().map(|(j, _)| j.clone()),
        jwk_thumbprint: jwk.map(|(_, t)| t),
        alg: c.alg,
        aaguid: passkey.authenticator.aaguid.clone(),
        transports: c.transports.clone(),
        backup_eligible: c.backup_eligible,
        backed_up: c.backed_up,
        attestation_format: c.attestation_format.clone(),
        attestation: AttestationView {
            format: c.attestation_format.clone(),
            type_: c.attestation_type.clone(),
            trust: c.attestation_trust.as_str().to_owned(),
        },
        passkey,
    }
}
