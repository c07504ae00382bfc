//! The admin API's JSON shapes of each resource, and the passkey as the SDK
//! and the admin API report it.

use crate::store::{AuthenticatorConfig, Credential, Identity, Job, Realm, Tenant};
use crate::util::{format_time, uuid_string};
use passbind_protocol::wire;
use serde::Serialize;

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
    let jwk = passbind_webauthn::jwk_of_cose(&c.public_key);
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
