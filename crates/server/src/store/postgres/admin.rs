//! The admin side on PostgreSQL, part one: tenants and realms, API tokens,
//! authenticator configs, start-up secrets.

use super::super::model::*;
use super::super::policy::aaguids_to_json;
use super::super::traits::{ApiTokenStore, AuthenticatorConfigStore, SetupStore, TenantStore};
use super::super::{StoreError, StoreResult};
use super::{is_foreign_key_violation, is_unique_violation, rows, PgStore};
use async_trait::async_trait;
use sqlx::Row;

#[async_trait]
impl TenantStore for PgStore {
    async fn create_tenant(&self, t: &Tenant) -> StoreResult<()> {
        sqlx::query("INSERT INTO tenants (id, display_name, create_time) VALUES ($1, $2, $3)")
            .bind(&t.id)
            .bind(&t.display_name)
            .bind(t.create_time)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn create_realm(&self, r: &Realm) -> StoreResult<()> {
        sqlx::query("INSERT INTO realms (id, tenant_id, display_name, create_time) VALUES ($1, $2, $3, $4)")
            .bind(&r.id)
            .bind(&r.tenant_id)
            .bind(&r.display_name)
            .bind(r.create_time)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn get_tenant(&self, id: &str) -> StoreResult<Option<Tenant>> {
        let row =
            sqlx::query("SELECT id, display_name, create_time FROM tenants WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        Ok(row.as_ref().map(rows::tenant).transpose()?)
    }

    async fn get_realm(&self, tenant_id: &str, realm_id: &str) -> StoreResult<Option<Realm>> {
        let row = sqlx::query("SELECT id, tenant_id, display_name, create_time FROM realms WHERE id = $1 AND tenant_id = $2")
            .bind(realm_id)
            .bind(tenant_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::realm).transpose()?)
    }

    async fn list_realms(&self, tenant_id: &str) -> StoreResult<Vec<Realm>> {
        let rows = sqlx::query("SELECT id, tenant_id, display_name, create_time FROM realms WHERE tenant_id = $1 ORDER BY create_time, id")
            .bind(tenant_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(rows::realm).collect::<Result<_, _>>()?)
    }
}

#[async_trait]
impl ApiTokenStore for PgStore {
    async fn insert_api_token(&self, t: &ApiToken) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO api_tokens (token_hash, tenant_id, create_time, id, realm_id, description, revoke_time) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&t.token_hash)
        .bind(&t.tenant_id)
        .bind(t.create_time)
        .bind(&t.id)
        .bind(&t.realm_id)
        .bind(&t.description)
        .bind(t.revoke_time)
        .execute(&self.pool)
        .await
        .map_err(|e| if is_unique_violation(&e) { StoreError::Conflict } else { e.into() })?;
        Ok(())
    }

    async fn api_token_by_hash(&self, token_hash: &str) -> StoreResult<Option<ApiToken>> {
        let row = sqlx::query("SELECT * FROM api_tokens WHERE token_hash = $1 AND revoke_time IS NULL AND id IS NOT NULL")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::api_token).transpose()?)
    }

    async fn revoke_api_token(&self, id: &str, now: i64) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE api_tokens SET revoke_time = $1 WHERE id = $2 AND revoke_time IS NULL")
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn list_api_tokens(&self, tenant_id: &str) -> StoreResult<Vec<ApiToken>> {
        let rows = sqlx::query("SELECT * FROM api_tokens WHERE tenant_id = $1 AND id IS NOT NULL ORDER BY create_time, id")
            .bind(tenant_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(rows::api_token).collect::<Result<_, _>>()?)
    }

    async fn touch_api_token(&self, id: &str, now: i64, interval: i64) -> StoreResult<()> {
        sqlx::query("UPDATE api_tokens SET last_use_time = $1 WHERE id = $2 AND (last_use_time IS NULL OR last_use_time <= $3)")
            .bind(now)
            .bind(id)
            .bind(now - interval)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

#[async_trait]
impl AuthenticatorConfigStore for PgStore {
    async fn insert_authenticator_config(&self, c: &AuthenticatorConfig) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO authenticator_configs (id, tenant_id, realm_id, config_type, invoke_url, trusted_origins, rp_id, create_time, \
             authenticator_attachment, user_verification, attestation, attestation_required, aaguid_allow, aaguid_deny, certified_only) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(&c.id)
        .bind(&c.tenant_id)
        .bind(&c.realm_id)
        .bind(c.config_type.as_str())
        .bind(&c.invoke_url)
        .bind(rows::to_json(&c.trusted_origins))
        .bind(&c.rp_id)
        .bind(c.create_time)
        .bind(&c.authenticator_attachment)
        .bind(&c.user_verification)
        .bind(&c.attestation)
        .bind(c.policy.attestation_required)
        .bind(aaguids_to_json(&c.policy.aaguid_allow))
        .bind(aaguids_to_json(&c.policy.aaguid_deny))
        .bind(c.policy.certified_only)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn get_authenticator_config(&self, tenant_id: &str, realm_id: &str, id: &str) -> StoreResult<Option<AuthenticatorConfig>> {
        let row = sqlx::query("SELECT * FROM authenticator_configs WHERE id = $1 AND tenant_id = $2 AND realm_id = $3")
            .bind(id)
            .bind(tenant_id)
            .bind(realm_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.as_ref().map(rows::config).transpose()?)
    }

    async fn list_authenticator_configs(&self, tenant_id: &str, realm_id: &str) -> StoreResult<Vec<AuthenticatorConfig>> {
        let rows = sqlx::query("SELECT * FROM authenticator_configs WHERE tenant_id = $1 AND realm_id = $2 ORDER BY create_time, id")
            .bind(tenant_id)
            .bind(realm_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(rows::config).collect::<Result<_, _>>()?)
    }

    async fn delete_authenticator_config(&self, tenant_id: &str, realm_id: &str, id: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM authenticator_configs WHERE id = $1 AND tenant_id = $2 AND realm_id = $3")
            .bind(id)
            .bind(tenant_id)
            .bind(realm_id)
            .execute(&self.pool)
            .await
            .map_err(|e| if is_foreign_key_violation(&e) { StoreError::Conflict } else { e.into() })?;
        Ok(done.rows_affected() == 1)
    }
}

#[async_trait]
impl SetupStore for PgStore {
    async fn service_key(&self, name: &str, candidate: &[u8], now: i64) -> StoreResult<Vec<u8>> {
        sqlx::query("INSERT INTO service_keys (name, secret, create_time) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(candidate)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(sqlx::query_scalar("SELECT secret FROM service_keys WHERE name = $1").bind(name).fetch_one(&self.pool).await?)
    }

    async fn dev_bootstrap(&self) -> StoreResult<Option<DevBootstrap>> {
        let row = sqlx::query("SELECT tenant_id, realm_id, authenticator_config_id, api_token FROM dev_bootstrap WHERE id = 1")
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(DevBootstrap {
                tenant_id: r.try_get("tenant_id")?,
                realm_id: r.try_get("realm_id")?,
                authenticator_config_id: r.try_get("authenticator_config_id")?,
                api_token: r.try_get("api_token")?,
            }),
            None => None,
        })
    }

    async fn save_dev_bootstrap(&self, d: &DevBootstrap) -> StoreResult<DevBootstrap> {
        sqlx::query(
            "INSERT INTO dev_bootstrap (id, tenant_id, realm_id, authenticator_config_id, api_token) VALUES (1, $1, $2, $3, $4) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(&d.tenant_id)
        .bind(&d.realm_id)
        .bind(&d.authenticator_config_id)
        .bind(&d.api_token)
        .execute(&self.pool)
        .await?;
        Ok(self.dev_bootstrap().await?.unwrap_or_else(|| d.clone()))
    }
}
