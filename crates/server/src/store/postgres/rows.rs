//! PostgreSQL rows → records (by column name), and the text forms of lists.

use super::super::ids::Id;
use super::super::model::*;
use super::super::policy::{aaguids_from_json, trust_path_from_json, AttestationPolicy};
use super::super::types::UnknownValue;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::PgRow;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, PgValueRef, Postgres};
use sqlx::Row;
use std::str::FromStr;

/// A JSON array of strings (trusted origins, transports) as stored.
pub(super) fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

pub(super) fn to_json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

/// IDs are stored as their text.
impl<K> sqlx::Type<Postgres> for Id<K> {
    fn type_info() -> PgTypeInfo {
        <str as sqlx::Type<Postgres>>::type_info()
    }

    fn compatible(ty: &PgTypeInfo) -> bool {
        <str as sqlx::Type<Postgres>>::compatible(ty)
    }
}

impl<K> sqlx::Encode<'_, Postgres> for Id<K> {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        <&str as sqlx::Encode<Postgres>>::encode(self.as_str(), buf)
    }
}

impl<'r, K> sqlx::Decode<'r, Postgres> for Id<K> {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        <String as sqlx::Decode<Postgres>>::decode(value).map(Id::new)
    }
}

/// An enum column (job state, status, …) read from its text.
fn parsed<T: FromStr<Err = UnknownValue>>(r: &PgRow, column: &str) -> Result<T, sqlx::Error> {
    let text: &str = r.try_get(column)?;
    text.parse().map_err(|e| sqlx::Error::ColumnDecode { index: column.to_owned(), source: Box::new(e) })
}

pub(super) fn tenant(r: &PgRow) -> Result<Tenant, sqlx::Error> {
    Ok(Tenant { id: r.try_get("id")?, display_name: r.try_get("display_name")?, create_time: r.try_get("create_time")? })
}

pub(super) fn realm(r: &PgRow) -> Result<Realm, sqlx::Error> {
    Ok(Realm {
        id: r.try_get("id")?,
        tenant_id: r.try_get("tenant_id")?,
        display_name: r.try_get("display_name")?,
        create_time: r.try_get("create_time")?,
    })
}

pub(super) fn config(r: &PgRow) -> Result<AuthenticatorConfig, sqlx::Error> {
    Ok(AuthenticatorConfig {
        id: r.try_get("id")?,
        tenant_id: r.try_get("tenant_id")?,
        realm_id: r.try_get("realm_id")?,
        config_type: parsed(r, "config_type")?,
        invoke_url: r.try_get("invoke_url")?,
        trusted_origins: json_list(&r.try_get::<String, _>("trusted_origins")?),
        rp_id: r.try_get("rp_id")?,
        create_time: r.try_get("create_time")?,
        authenticator_attachment: r.try_get("authenticator_attachment")?,
        user_verification: r.try_get("user_verification")?,
        attestation: r.try_get("attestation")?,
        policy: AttestationPolicy {
            attestation_required: r.try_get("attestation_required")?,
            aaguid_allow: aaguids_from_json(&r.try_get::<String, _>("aaguid_allow")?),
            aaguid_deny: aaguids_from_json(&r.try_get::<String, _>("aaguid_deny")?),
            certified_only: r.try_get("certified_only")?,
        },
    })
}

pub(super) fn api_token(r: &PgRow) -> Result<ApiToken, sqlx::Error> {
    Ok(ApiToken {
        id: r.try_get("id")?,
        token_hash: r.try_get("token_hash")?,
        tenant_id: r.try_get("tenant_id")?,
        realm_id: r.try_get("realm_id")?,
        description: r.try_get("description")?,
        create_time: r.try_get("create_time")?,
        revoke_time: r.try_get("revoke_time")?,
        last_use_time: r.try_get("last_use_time")?,
    })
}

pub(super) fn identity(r: &PgRow) -> Result<Identity, sqlx::Error> {
    Ok(Identity {
        id: r.try_get("id")?,
        tenant_id: r.try_get("tenant_id")?,
        realm_id: r.try_get("realm_id")?,
        display_name: r.try_get("display_name")?,
        username: r.try_get("username")?,
        email_address: r.try_get("email_address")?,
        status: parsed(r, "status")?,
        user_handle: r.try_get("user_handle")?,
        create_time: r.try_get("create_time")?,
        update_time: r.try_get("update_time")?,
    })
}

pub(super) fn job(r: &PgRow) -> Result<Job, sqlx::Error> {
    Ok(Job {
        id: r.try_get("id")?,
        tenant_id: r.try_get("tenant_id")?,
        realm_id: r.try_get("realm_id")?,
        identity_id: r.try_get("identity_id")?,
        delivery_method: parsed(r, "delivery_method")?,
        state: parsed(r, "state")?,
        authenticator_config_id: r.try_get("authenticator_config_id")?,
        post_binding_redirect_uri: r.try_get("post_binding_redirect_uri")?,
        token_hash: r.try_get("token_hash")?,
        expire_time: r.try_get("expire_time")?,
        create_time: r.try_get("create_time")?,
        update_time: r.try_get("update_time")?,
        completed_ceremony_id: r.try_get("completed_ceremony_id")?,
        credential_record_id: r.try_get("credential_record_id")?,
    })
}

pub(super) fn credential(r: &PgRow) -> Result<Credential, sqlx::Error> {
    Ok(Credential {
        id: r.try_get("id")?,
        tenant_id: r.try_get("tenant_id")?,
        realm_id: r.try_get("realm_id")?,
        identity_id: r.try_get("identity_id")?,
        job_id: r.try_get("job_id")?,
        ceremony_id: r.try_get("ceremony_id")?,
        credential_id: r.try_get("credential_id")?,
        public_key: r.try_get("public_key")?,
        alg: r.try_get("alg")?,
        sign_count: r.try_get("sign_count")?,
        aaguid: r.try_get("aaguid")?,
        attestation_format: r.try_get("attestation_format")?,
        attestation_type: r.try_get("attestation_type")?,
        attestation_trust: parsed(r, "attestation_trust")?,
        trust_path: trust_path_from_json(&r.try_get::<String, _>("trust_path")?),
        authenticator_name: r.try_get("authenticator_name")?,
        transports: json_list(&r.try_get::<String, _>("transports")?),
        attachment: r.try_get("attachment")?,
        backup_eligible: r.try_get("backup_eligible")?,
        backed_up: r.try_get("backed_up")?,
        state: parsed(r, "state")?,
        create_time: r.try_get("create_time")?,
    })
}

/// The job named by (tenant, realm, identity, job) = ($2, $3, $4, $1) joined
/// with its tenant, realm, identity and authenticator config (`binding_context`).
pub(super) const BINDING_CONTEXT_SQL: &str = "SELECT j.id, j.tenant_id, j.realm_id, j.identity_id, j.delivery_method, j.state, \
     j.authenticator_config_id, j.post_binding_redirect_uri, j.token_hash, j.expire_time, j.create_time, j.update_time, \
     j.completed_ceremony_id, j.credential_record_id, \
     t.display_name AS t_display_name, t.create_time AS t_create_time, \
     r.display_name AS r_display_name, r.create_time AS r_create_time, \
     i.display_name AS i_display_name, i.username AS i_username, i.email_address AS i_email_address, i.status AS i_status, \
     i.user_handle AS i_user_handle, i.create_time AS i_create_time, i.update_time AS i_update_time, \
     c.config_type AS c_config_type, c.invoke_url AS c_invoke_url, c.trusted_origins AS c_trusted_origins, c.rp_id AS c_rp_id, \
     c.create_time AS c_create_time, c.authenticator_attachment AS c_authenticator_attachment, \
     c.user_verification AS c_user_verification, c.attestation AS c_attestation, \
     c.attestation_required AS c_attestation_required, c.aaguid_allow AS c_aaguid_allow, c.aaguid_deny AS c_aaguid_deny, \
     c.certified_only AS c_certified_only \
     FROM credential_binding_jobs j \
     JOIN tenants t ON t.id = j.tenant_id \
     JOIN realms r ON r.id = j.realm_id AND r.tenant_id = j.tenant_id \
     JOIN identities i ON i.id = j.identity_id AND i.tenant_id = j.tenant_id AND i.realm_id = j.realm_id \
     JOIN authenticator_configs c ON c.id = j.authenticator_config_id AND c.tenant_id = j.tenant_id AND c.realm_id = j.realm_id \
     WHERE j.id = $1 AND j.tenant_id = $2 AND j.realm_id = $3 AND j.identity_id = $4";

/// A `BindingContext` from a row of `BINDING_CONTEXT_SQL`.
pub(super) fn binding_context(r: &PgRow) -> Result<BindingContext, sqlx::Error> {
    let job = job(r)?;
    Ok(BindingContext {
        tenant: Tenant { id: job.tenant_id.clone(), display_name: r.try_get("t_display_name")?, create_time: r.try_get("t_create_time")? },
        realm: Realm {
            id: job.realm_id.clone(),
            tenant_id: job.tenant_id.clone(),
            display_name: r.try_get("r_display_name")?,
            create_time: r.try_get("r_create_time")?,
        },
        identity: Identity {
            id: job.identity_id.clone(),
            tenant_id: job.tenant_id.clone(),
            realm_id: job.realm_id.clone(),
            display_name: r.try_get("i_display_name")?,
            username: r.try_get("i_username")?,
            email_address: r.try_get("i_email_address")?,
            status: parsed(r, "i_status")?,
            user_handle: r.try_get("i_user_handle")?,
            create_time: r.try_get("i_create_time")?,
            update_time: r.try_get("i_update_time")?,
        },
        config: AuthenticatorConfig {
            id: job.authenticator_config_id.clone(),
            tenant_id: job.tenant_id.clone(),
            realm_id: job.realm_id.clone(),
            config_type: parsed(r, "c_config_type")?,
            invoke_url: r.try_get("c_invoke_url")?,
            trusted_origins: json_list(&r.try_get::<String, _>("c_trusted_origins")?),
            rp_id: r.try_get("c_rp_id")?,
            create_time: r.try_get("c_create_time")?,
            authenticator_attachment: r.try_get("c_authenticator_attachment")?,
            user_verification: r.try_get("c_user_verification")?,
            attestation: r.try_get("c_attestation")?,
            policy: AttestationPolicy {
                attestation_required: r.try_get("c_attestation_required")?,
                aaguid_allow: aaguids_from_json(&r.try_get::<String, _>("c_aaguid_allow")?),
                aaguid_deny: aaguids_from_json(&r.try_get::<String, _>("c_aaguid_deny")?),
                certified_only: r.try_get("c_certified_only")?,
            },
        },
        job,
    })
}
