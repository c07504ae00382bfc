//! The admin side on SQLite, part one: tenants and realms, API tokens,
//! authenticator configs, start-up secrets. Every call runs on an admin
//! thread (`SqliteStore::on_admin_thread`); the arguments are copied in.

use super::super::model::*;
use super::super::policy::aaguids_to_json;
use super::super::traits::{ApiTokenStore, AuthenticatorConfigStore, SetupStore, TenantStore};
use super::super::{StoreError, StoreResult};
use super::{is_foreign_key_violation, is_unique_violation, rows, SqliteStore};
use async_trait::async_trait;
use rusqlite::{Connection, OptionalExtension};

#[async_trait]
impl TenantStore for SqliteStore {
    async fn create_tenant(&self, t: &Tenant) -> StoreResult<()> {
        let t = t.clone();
        self.on_admin_thread(move |conn| {
            conn.execute(
                "INSERT INTO tenants (id, display_name, create_time) VALUES (?1, ?2, ?3)",
                (&t.id, &t.display_name, t.create_time),
            )?;
            Ok(())
        })
        .await
    }

    async fn create_realm(&self, r: &Realm) -> StoreResult<()> {
        let r = r.clone();
        self.on_admin_thread(move |conn| {
            conn.execute(
                "INSERT INTO realms (id, tenant_id, display_name, create_time) VALUES (?1, ?2, ?3, ?4)",
                (&r.id, &r.tenant_id, &r.display_name, r.create_time),
            )?;
            Ok(())
        })
        .await
    }

    async fn get_tenant(&self, id: &str) -> StoreResult<Option<Tenant>> {
        let id = id.to_owned();
        self.on_admin_thread(move |conn| {
            let sql = "SELECT id, display_name, create_time FROM tenants WHERE id = ?1";
            Ok(conn.prepare_cached(sql)?.query_row([&id], rows::tenant).optional()?)
        })
        .await
    }

    async fn get_realm(&self, tenant_id: &str, realm_id: &str) -> StoreResult<Option<Realm>> {
        let (t, r) = (tenant_id.to_owned(), realm_id.to_owned());
        self.on_admin_thread(move |conn| {
            let sql = "SELECT id, tenant_id, display_name, create_time FROM realms WHERE id = ?1 AND tenant_id = ?2";
            Ok(conn.prepare_cached(sql)?.query_row((&r, &t), rows::realm).optional()?)
        })
        .await
    }

    async fn list_realms(&self, tenant_id: &str) -> StoreResult<Vec<Realm>> {
        let t = tenant_id.to_owned();
        self.on_admin_thread(move |conn| {
            let sql = "SELECT id, tenant_id, display_name, create_time FROM realms WHERE tenant_id = ?1 ORDER BY create_time, id";
            let realms = conn.prepare_cached(sql)?.query_map([&t], rows::realm)?.collect::<Result<_, _>>()?;
            Ok(realms)
        })
        .await
    }
}

#[async_trait]
impl ApiTokenStore for SqliteStore {
    async fn insert_api_token(&self, t: &ApiToken) -> StoreResult<()> {
        let t = t.clone();
        self.on_admin_thread(move |conn| {
            conn.execute(
                "INSERT INTO api_tokens (token_hash, tenant_id, create_time, id, realm_id, description, revoke_time) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                (&t.token_hash, &t.tenant_id, t.create_time, &t.id, &t.realm_id, &t.description, t.revoke_time),
            )
            .map_err(|e| if is_unique_violation(&e) { StoreError::Conflict } else { e.into() })?;
            Ok(())
        })
        .await
    }

    async fn api_token_by_hash(&self, token_hash: &str) -> StoreResult<Option<ApiToken>> {
        let hash = token_hash.to_owned();
        self.on_admin_thread(move |conn| {
            let sql = "SELECT * FROM api_tokens WHERE token_hash = ?1 AND revoke_time IS NULL AND id IS NOT NULL";
            Ok(conn.prepare_cached(sql)?.query_row([&hash], rows::api_token).optional()?)
        })
        .await
    }

    async fn revoke_api_token(&self, id: &str, now: i64) -> StoreResult<bool> {
        let id = id.to_owned();
        self.on_admin_thread(move |conn| {
            let done = conn.execute("UPDATE api_tokens SET revoke_time = ?1 WHERE id = ?2 AND revoke_time IS NULL", (now, &id))?;
            Ok(done == 1)
        })
        .await
    }

    async fn list_api_tokens(&self, tenant_id: &str) -> StoreResult<Vec<ApiToken>> {
        let t = tenant_id.to_owned();
        self.on_admin_thread(move |conn| {
            let mut stmt =
                conn.prepare_cached("SELECT * FROM api_tokens WHERE tenant_id = ?1 AND id IS NOT NULL ORDER BY create_time, id")?;
            let tokens = stmt.query_map([&t], rows::api_token)?.collect::<Result<_, _>>()?;
            Ok(tokens)
        })
        .await
    }

    async fn touch_api_token(&self, id: &str, now: i64, interval: i64) -> StoreResult<()> {
        let id = id.to_owned();
        self.on_admin_thread(move |conn| {
            let sql = "UPDATE api_tokens SET last_use_time = ?1 WHERE id = ?2 AND (last_use_time IS NULL OR last_use_time <= ?3)";
            conn.prepare_cached(sql)?.execute((now, &id, now - interval))?;
            Ok(())
        })
        .await
    }
}

#[async_trait]
impl AuthenticatorConfigStore for SqliteStore {
    async fn insert_authenticator_config(&self, c: &AuthenticatorConfig) -> StoreResult<()> {
        let c = c.clone();
        self.on_admin_thread(move |conn| {
            conn.execute(
                "INSERT INTO authenticator_configs (id, tenant_id, realm_id, config_type, invoke_url, trusted_origins, rp_id, create_time, \
                 authenticator_attachment, user_verification, attestation, attestation_required, aaguid_allow, aaguid_deny, certified_only) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                rusqlite::params![
                    &c.id,
                    &c.tenant_id,
                    &c.realm_id,
                    c.config_type.as_str(),
                    &c.invoke_url,
                    rows::to_json(&c.trusted_origins),
                    &c.rp_id,
                    c.create_time,
                    &c.authenticator_attachment,
                    &c.user_verification,
                    &c.attestation,
                    c.policy.attestation_required,
                    aaguids_to_json(&c.policy.aaguid_allow),
                    aaguids_to_json(&c.policy.aaguid_deny),
                    c.policy.certified_only,
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn get_authenticator_config(&self, tenant_id: &str, realm_id: &str, id: &str) -> StoreResult<Option<AuthenticatorConfig>> {
        let (t, r, id) = (tenant_id.to_owned(), realm_id.to_owned(), id.to_owned());
        self.on_admin_thread(move |conn| {
            let sql = "SELECT * FROM authenticator_configs WHERE id = ?1 AND tenant_id = ?2 AND realm_id = ?3";
            Ok(conn.prepare_cached(sql)?.query_row((&id, &t, &r), rows::config).optional()?)
        })
        .await
    }

    async fn list_authenticator_configs(&self, tenant_id: &str, realm_id: &str) -> StoreResult<Vec<AuthenticatorConfig>> {
        let (t, r) = (tenant_id.to_owned(), realm_id.to_owned());
        self.on_admin_thread(move |conn| {
            let sql = "SELECT * FROM authenticator_configs WHERE tenant_id = ?1 AND realm_id = ?2 ORDER BY create_time, id";
            let configs = conn.prepare_cached(sql)?.query_map((&t, &r), rows::config)?.collect::<Result<_, _>>()?;
            Ok(configs)
        })
        .await
    }

    async fn delete_authenticator_config(&self, tenant_id: &str, realm_id: &str, id: &str) -> StoreResult<bool> {
        let (t, r, id) = (tenant_id.to_owned(), realm_id.to_owned(), id.to_owned());
        self.on_admin_thread(move |conn| {
            let done = conn
                .execute("DELETE FROM authenticator_configs WHERE id = ?1 AND tenant_id = ?2 AND realm_id = ?3", (&id, &t, &r))
                .map_err(|e| if is_foreign_key_violation(&e) { StoreError::Conflict } else { e.into() })?;
            Ok(done == 1)
        })
        .await
    }
}

fn dev_bootstrap(conn: &Connection) -> StoreResult<Option<DevBootstrap>> {
    let sql = "SELECT tenant_id, realm_id, authenticator_config_id, api_token FROM dev_bootstrap WHERE id = 1";
    let dev = conn
        .query_row(sql, [], |r| {
            Ok(DevBootstrap {
                tenant_id: r.get("tenant_id")?,
                realm_id: r.get("realm_id")?,
                authenticator_config_id: r.get("authenticator_config_id")?,
                api_token: r.get("api_token")?,
            })
        })
        .optional()?;
    Ok(dev)
}

#[async_trait]
impl SetupStore for SqliteStore {
    async fn service_key(&self, name: &str, candidate: &[u8], now: i64) -> StoreResult<Vec<u8>> {
        let (name, candidate) = (name.to_owned(), candidate.to_vec());
        self.on_admin_thread(move |conn| {
            conn.execute(
                "INSERT INTO service_keys (name, secret, create_time) VALUES (?1, ?2, ?3) ON CONFLICT (name) DO NOTHING",
                (&name, &candidate, now),
            )?;
            Ok(conn.query_row("SELECT secret FROM service_keys WHERE name = ?1", [&name], |r| r.get(0))?)
        })
        .await
    }

    async fn dev_bootstrap(&self) -> StoreResult<Option<DevBootstrap>> {
        self.on_admin_thread(dev_bootstrap).await
    }

    async fn save_dev_bootstrap(&self, d: &DevBootstrap) -> StoreResult<DevBootstrap> {
        let d = d.clone();
        self.on_admin_thread(move |conn| {
            conn.execute(
                "INSERT INTO dev_bootstrap (id, tenant_id, realm_id, authenticator_config_id, api_token) VALUES (1, ?1, ?2, ?3, ?4) \
                 ON CONFLICT (id) DO NOTHING",
                (&d.tenant_id, &d.realm_id, &d.authenticator_config_id, &d.api_token),
            )?;
            Ok(dev_bootstrap(conn)?.unwrap_or(d))
        })
        .await
    }
}
