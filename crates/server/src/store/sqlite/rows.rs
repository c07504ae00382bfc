//! SQLite rows → records (by column name), and the text forms of lists.

use super::super::ids::Id;
use super::super::model::*;
use super::super::policy::{aaguids_from_json, trust_path_from_json, AttestationPolicy};
use super::super::types::UnknownValue;
use rusqlite::types::{FromSql, FromSqlResult, ToSql, ToSqlOutput, Type, ValueRef};
use rusqlite::Row;
use std::str::FromStr;

/// A JSON array of strings (trusted origins, transports) as stored.
pub(super) fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

pub(super) fn to_json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

/// IDs are stored as their text.
impl<K> ToSql for Id<K> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl<K> FromSql for Id<K> {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        String::column_result(value).map(Id::new)
    }
}

/// An enum column (job state, status, …) read from its text.
fn parsed<T: FromStr<Err = UnknownValue>>(r: &Row<'_>, column: &str) -> rusqlite::Result<T> {
    // Borrowed, not copied into a String: this runs for every binding's reads.
    let failed = |e: Box<dyn std::error::Error + Send + Sync>| {
        rusqlite::Error::FromSqlConversionFailure(r.as_ref().column_index(column).unwrap_or(0), Type::Text, e)
    };
    let text = r.get_ref(column)?.as_str().map_err(|e| failed(Box::new(e)))?;
    text.parse().map_err(|e: UnknownValue| failed(Box::new(e)))
}

pub(super) fn tenant(r: &Row<'_>) -> rusqlite::Result<Tenant> {
    Ok(Tenant { id: r.get("id")?, display_name: r.get("display_name")?, create_time: r.get("create_time")? })
}

pub(super) fn realm(r: &Row<'_>) -> rusqlite::Result<Realm> {
    Ok(Realm { id: r.get("id")?, tenant_id: r.get("tenant_id")?, display_name: r.get("display_name")?, create_time: r.get("create_time")? })
}

pub(super) fn config(r: &Row<'_>) -> rusqlite::Result<AuthenticatorConfig> {
    Ok(AuthenticatorConfig {
        id: r.get("id")?,
        tenant_id: r.get("tenant_id")?,
        realm_id: r.get("realm_id")?,
        config_type: parsed(r, "config_type")?,
        invoke_url: r.get("invoke_url")?,
        trusted_origins: json_list(&r.get::<_, String>("trusted_origins")?),
        rp_id: r.get("rp_id")?,
        create_time: r.get("create_time")?,
        authenticator_attachment: r.get("authenticator_attachment")?,
        user_verification: r.get("user_verification")?,
        attestation: r.get("attestation")?,
        policy: AttestationPolicy {
            attestation_required: r.get("attestation_required")?,
            aaguid_allow: aaguids_from_json(&r.get::<_, String>("aaguid_allow")?),
            aaguid_deny: aaguids_from_json(&r.get::<_, String>("aaguid_deny")?),
            certified_only: r.get("certified_only")?,
        },
    })
}

pub(super) fn api_token(r: &Row<'_>) -> rusqlite::Result<ApiToken> {
    Ok(ApiToken {
        id: r.get("id")?,
        token_hash: r.get("token_hash")?,
        tenant_id: r.get("tenant_id")?,
        realm_id: r.get("realm_id")?,
        description: r.get("description")?,
        create_time: r.get("create_time")?,
        revoke_time: r.get("revoke_time")?,
        last_use_time: r.get("last_use_time")?,
    })
}

pub(super) fn identity(r: &Row<'_>) -> rusqlite::Result<Identity> {
    Ok(Identity {
        id: r.get("id")?,
        tenant_id: r.get("tenant_id")?,
        realm_id: r.get("realm_id")?,
        display_name: r.get("display_name")?,
        username: r.get("username")?,
        email_address: r.get("email_address")?,
        status: parsed(r, "status")?,
        user_handle: r.get("user_handle")?,
        create_time: r.get("create_time")?,
        update_time: r.get("update_time")?,
    })
}

pub(super) fn job(r: &Row<'_>) -> rusqlite::Result<Job> {
    Ok(Job {
        id: r.get("id")?,
        tenant_id: r.get("tenant_id")?,
        realm_id: r.get("realm_id")?,
        identity_id: r.get("identity_id")?,
        delivery_method: parsed(r, "delivery_method")?,
        state: parsed(r, "state")?,
        authenticator_config_id: r.get("authenticator_config_id")?,
        post_binding_redirect_uri: r.get("post_binding_redirect_uri")?,
        token_hash: r.get("token_hash")?,
        expire_time: r.get("expire_time")?,
        create_time: r.get("create_time")?,
        update_time: r.get("update_time")?,
        completed_ceremony_id: r.get("completed_ceremony_id")?,
        credential_record_id: r.get("credential_record_id")?,
    })
}

pub(super) fn credential(r: &Row<'_>) -> rusqlite::Result<Credential> {
    Ok(Credential {
        id: r.get("id")?,
        tenant_id: r.get("tenant_id")?,
        realm_id: r.get("realm_id")?,
        identity_id: r.get("identity_id")?,
        job_id: r.get("job_id")?,
        ceremony_id: r.get("ceremony_id")?,
        credential_id: r.get("credential_id")?,
        public_key: r.get("public_key")?,
        alg: r.get("alg")?,
        sign_count: r.get("sign_count")?,
        aaguid: r.get("aaguid")?,
        attestation_format: r.get("attestation_format")?,
        attestation_type: r.get("attestation_type")?,
        attestation_trust: parsed(r, "attestation_trust")?,
        trust_path: trust_path_from_json(&r.get::<_, String>("trust_path")?),
        authenticator_name: r.get("authenticator_name")?,
        transports: json_list(&r.get::<_, String>("transports")?),
        attachment: r.get("attachment")?,
        backup_eligible: r.get("backup_eligible")?,
        backed_up: r.get("backed_up")?,
        state: parsed(r, "state")?,
        create_time: r.get("create_time")?,
    })
}

/// The job named by (tenant, realm, identity, job) = (?2, ?3, ?4, ?1) joined
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
     WHERE j.id = ?1 AND j.tenant_id = ?2 AND j.realm_id = ?3 AND j.identity_id = ?4";

/// A `BindingContext` from a row of `BINDING_CONTEXT_SQL`.
pub(super) fn binding_context(r: &Row<'_>) -> rusqlite::Result<BindingContext> {
    let job = job(r)?;
    Ok(BindingContext {
        tenant: Tenant { id: job.tenant_id.clone(), display_name: r.get("t_display_name")?, create_time: r.get("t_create_time")? },
        realm: Realm {
            id: job.realm_id.clone(),
            tenant_id: job.tenant_id.clone(),
            display_name: r.get("r_display_name")?,
            create_time: r.get("r_create_time")?,
        },
        identity: Identity {
            id: job.identity_id.clone(),
            tenant_id: job.tenant_id.clone(),
            realm_id: job.realm_id.clone(),
            display_name: r.get("i_display_name")?,
            username: r.get("i_username")?,
            email_address: r.get("i_email_address")?,
            status: parsed(r, "i_status")?,
            user_handle: r.get("i_user_handle")?,
            create_time: r.get("i_create_time")?,
            update_time: r.get("i_update_time")?,
        },
        config: AuthenticatorConfig {
            id: job.authenticator_config_id.clone(),
            tenant_id: job.tenant_id.clone(),
            realm_id: job.realm_id.clone(),
            config_type: parsed(r, "c_config_type")?,
            invoke_url: r.get("c_invoke_url")?,
            trusted_origins: json_list(&r.get::<_, String>("c_trusted_origins")?),
            rp_id: r.get("c_rp_id")?,
            create_time: r.get("c_create_time")?,
            authenticator_attachment: r.get("c_authenticator_attachment")?,
            user_verification: r.get("c_user_verification")?,
            attestation: r.get("c_attestation")?,
            policy: AttestationPolicy {
                attestation_required: r.get("c_attestation_required")?,
                aaguid_allow: aaguids_from_json(&r.get::<_, String>("c_aaguid_allow")?),
                aaguid_deny: aaguids_from_json(&r.get::<_, String>("c_aaguid_deny")?),
                certified_only: r.get("c_certified_only")?,
            },
        },
        job,
    })
}
