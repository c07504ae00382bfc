//! What the SQLite and PostgreSQL stores share: the same statements, the
//! same row mapping, the same `Store` methods. sqlx gives each backend its
//! own row and connection types, so the shared code is a macro that each
//! backend module expands with its own types; only what really differs
//! (opening, transactions, SQLite's group-commit writer, the one statement
//! whose SQL differs) stays in `sqlite.rs` / `postgres.rs`.

pub(super) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

pub(super) fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

pub(super) fn to_json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

// The binding path's statements, shared by the sqlx code below and by
// `sqlite_direct` (rusqlite). Their `$n` parameters appear in order
// (`$1` first, then `$2`, ...): SQLite numbers named parameters by first
// appearance, so binding them by position is right (checked by a test there).

/// The job COMPLETE with its ceremony and credential record, if still open.
/// (Its row is the lock that serialises concurrent completions.)
pub(super) const COMPLETE_JOB_SQL: &str =
    "UPDATE credential_binding_jobs SET state = 'COMPLETE', update_time = $1, completed_ceremony_id = $2, \
     credential_record_id = $3 WHERE id = $4 AND state NOT IN ('COMPLETE', 'EXPIRED', 'REVOKED', 'FAILED_TO_SEND')";
pub(super) const INSERT_CREDENTIAL_SQL: &str =
    "INSERT INTO credentials (id, tenant_id, realm_id, identity_id, job_id, ceremony_id, credential_id, \
     public_key, alg, sign_count, aaguid, attestation_format, transports, attachment, backup_eligible, backed_up, state, create_time) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)";
/// An open job moved to state $1 (a terminal job stays as it is).
pub(super) const SET_JOB_STATE_SQL: &str = "UPDATE credential_binding_jobs SET state = $1, update_time = $2 \
     WHERE id = $3 AND state NOT IN ('COMPLETE', 'EXPIRED', 'REVOKED', 'FAILED_TO_SEND')";
pub(super) const IDENTITY_CREDENTIALS_SQL: &str = "SELECT * FROM credentials WHERE identity_id = $1 ORDER BY create_time, id";

/// The row mappers (`config_from_row`, ..., `credential_from_row`) over
/// `$row`, whose `try_get(name)` fails with `$err` (sqlx rows, and rusqlite
/// rows through `sqlite_direct`'s adapter).
macro_rules! row_mappers {
    (row: $row:ty, error: $err:ty) => {
        #[allow(dead_code)]
        fn config_from_row(r: &$row) -> Result<AuthenticatorConfig, $err> {
            Ok(AuthenticatorConfig {
                id: r.try_get("id")?,
                tenant_id: r.try_get("tenant_id")?,
                realm_id: r.try_get("realm_id")?,
                config_type: r.try_get("config_type")?,
                invoke_url: r.try_get("invoke_url")?,
                trusted_origins: $crate::store::shared::json_list(&r.try_get::<String, _>("trusted_origins")?),
                rp_id: r.try_get("rp_id")?,
                create_time: r.try_get("create_time")?,
                authenticator_attachment: r.try_get("authenticator_attachment")?,
                user_verification: r.try_get("user_verification")?,
                attestation: r.try_get("attestation")?,
            })
        }

        #[allow(dead_code)]
        fn api_token_from_row(r: &$row) -> Result<ApiToken, $err> {
            Ok(ApiToken {
                id: r.try_get("id")?,
                token_hash: r.try_get("token_hash")?,
                tenant_id: r.try_get("tenant_id")?,
                realm_id: r.try_get("realm_id")?,
                description: r.try_get("description")?,
                create_time: r.try_get("create_time")?,
                revoke_time: r.try_get("revoke_time")?,
            })
        }

        #[allow(dead_code)]
        fn identity_from_row(r: &$row) -> Result<Identity, $err> {
            Ok(Identity {
                id: r.try_get("id")?,
                tenant_id: r.try_get("tenant_id")?,
                realm_id: r.try_get("realm_id")?,
                display_name: r.try_get("display_name")?,
                username: r.try_get("username")?,
                email_address: r.try_get("email_address")?,
                status: r.try_get("status")?,
                user_handle: r.try_get("user_handle")?,
                create_time: r.try_get("create_time")?,
                update_time: r.try_get("update_time")?,
            })
        }

        #[allow(dead_code)]
        fn job_from_row(r: &$row) -> Result<Job, $err> {
            Ok(Job {
                id: r.try_get("id")?,
                tenant_id: r.try_get("tenant_id")?,
                realm_id: r.try_get("realm_id")?,
                identity_id: r.try_get("identity_id")?,
                delivery_method: r.try_get("delivery_method")?,
                state: r.try_get("state")?,
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

        #[allow(dead_code)]
        fn credential_from_row(r: &$row) -> Result<Credential, $err> {
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
                transports: $crate::store::shared::json_list(&r.try_get::<String, _>("transports")?),
                attachment: r.try_get("attachment")?,
                backup_eligible: r.try_get("backup_eligible")?,
                backed_up: r.try_get("backed_up")?,
                state: r.try_get("state")?,
                create_time: r.try_get("create_time")?,
            })
        }
    };
}
pub(super) use row_mappers;

/// Expands, in a backend module (which must `use super::*` and `sqlx::Row`,
/// and have a `pool` field on `$store`), to:
/// - the row mappers (`config_from_row`, ..., `credential_from_row`) over `$row`;
/// - `complete_binding_on`, the statements of `:bindCredential`'s write on a
///   connection (`$conn`) the caller holds in a transaction;
/// - `load_binding_context_pooled`, the binding path's read over the pool;
/// - `impl Store for $store` with every method but those the backend passes
///   in `{ ... }` (`complete_binding`, `start_ceremony`, `load_binding_context`).
macro_rules! store_backend {
    (store: $store:ty, row: $row:ty, conn: $conn:ty, { $($specific:tt)* }) => {
        $crate::store::shared::row_mappers!(row: $row, error: sqlx::Error);

        async fn complete_binding_on(conn: &mut $conn, c: &Credential, now: i64) -> StoreResult<()> {
            let job = sqlx::query($crate::store::shared::COMPLETE_JOB_SQL)
            .bind(now)
            .bind(&c.ceremony_id)
            .bind(&c.id)
            .bind(&c.job_id)
            .execute(&mut *conn)
            .await?;
            if job.rows_affected() != 1 {
                return Err(StoreError::JobNotOpen);
            }
            sqlx::query($crate::store::shared::INSERT_CREDENTIAL_SQL)
            .bind(&c.id)
            .bind(&c.tenant_id)
            .bind(&c.realm_id)
            .bind(&c.identity_id)
            .bind(&c.job_id)
            .bind(&c.ceremony_id)
            .bind(&c.credential_id)
            .bind(&c.public_key)
            .bind(c.alg)
            .bind(c.sign_count)
            .bind(&c.aaguid)
            .bind(&c.attestation_format)
            .bind($crate::store::shared::to_json(&c.transports))
            .bind(&c.attachment)
            .bind(c.backup_eligible)
            .bind(c.backed_up)
            .bind(&c.state)
            .bind(c.create_time)
            .execute(&mut *conn)
            .await
            .map_err(|e| if $crate::store::shared::is_unique_violation(&e) { StoreError::CredentialExists } else { StoreError::Db(e) })?;
            Ok(())
        }

        /// The binding path's read over the pool (the backends' `Store`
        /// methods call it, or something faster).
        impl $store {
            async fn load_binding_context_pooled(&self, tenant_id: &str, realm_id: &str, identity_id: &str, job_id: &str) -> StoreResult<Option<BindingContext>> {
                let row = sqlx::query(BINDING_CONTEXT_SQL)
                    .bind(job_id)
                    .bind(tenant_id)
                    .bind(realm_id)
                    .bind(identity_id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(match row {
                    Some(r) => Some(binding_context_from_row!(&r)),
                    None => None,
                })
            }
        }

        #[async_trait]
        impl Store for $store {
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
                let row = sqlx::query("SELECT id, display_name, create_time FROM tenants WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(match row {
                    Some(r) => Some(Tenant { id: r.try_get("id")?, display_name: r.try_get("display_name")?, create_time: r.try_get("create_time")? }),
                    None => None,
                })
            }

            async fn get_realm(&self, tenant_id: &str, realm_id: &str) -> StoreResult<Option<Realm>> {
                let row = sqlx::query("SELECT id, tenant_id, display_name, create_time FROM realms WHERE id = $1 AND tenant_id = $2")
                    .bind(realm_id)
                    .bind(tenant_id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(match row {
                    Some(r) => Some(Realm {
                        id: r.try_get("id")?,
                        tenant_id: r.try_get("tenant_id")?,
                        display_name: r.try_get("display_name")?,
                        create_time: r.try_get("create_time")?,
                    }),
                    None => None,
                })
            }

            async fn insert_authenticator_config(&self, c: &AuthenticatorConfig) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO authenticator_configs (id, tenant_id, realm_id, config_type, invoke_url, trusted_origins, rp_id, create_time, \
                     authenticator_attachment, user_verification, attestation) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                )
                .bind(&c.id)
                .bind(&c.tenant_id)
                .bind(&c.realm_id)
                .bind(&c.config_type)
                .bind(&c.invoke_url)
                .bind($crate::store::shared::to_json(&c.trusted_origins))
                .bind(&c.rp_id)
                .bind(c.create_time)
                .bind(&c.authenticator_attachment)
                .bind(&c.user_verification)
                .bind(&c.attestation)
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
                Ok(row.as_ref().map(config_from_row).transpose()?)
            }

            async fn list_authenticator_configs(&self, tenant_id: &str, realm_id: &str) -> StoreResult<Vec<AuthenticatorConfig>> {
                let rows = sqlx::query("SELECT * FROM authenticator_configs WHERE tenant_id = $1 AND realm_id = $2 ORDER BY create_time, id")
                    .bind(tenant_id)
                    .bind(realm_id)
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows.iter().map(config_from_row).collect::<Result<_, _>>()?)
            }

            async fn delete_authenticator_config(&self, tenant_id: &str, realm_id: &str, id: &str) -> StoreResult<bool> {
                let done = sqlx::query("DELETE FROM authenticator_configs WHERE id = $1 AND tenant_id = $2 AND realm_id = $3")
                    .bind(id)
                    .bind(tenant_id)
                    .bind(realm_id)
                    .execute(&self.pool)
                    .await
                    .map_err(|e| match &e {
                        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::Conflict,
                        _ => StoreError::Db(e),
                    })?;
                Ok(done.rows_affected() == 1)
            }

            async fn insert_identity(&self, i: &Identity) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO identities (id, tenant_id, realm_id, display_name, username, email_address, status, user_handle, create_time, update_time) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(&i.id)
                .bind(&i.tenant_id)
                .bind(&i.realm_id)
                .bind(&i.display_name)
                .bind(&i.username)
                .bind(&i.email_address)
                .bind(&i.status)
                .bind(&i.user_handle)
                .bind(i.create_time)
                .bind(i.update_time)
                .execute(&self.pool)
                .await
                .map_err(|e| if $crate::store::shared::is_unique_violation(&e) { StoreError::Conflict } else { StoreError::Db(e) })?;
                Ok(())
            }

            async fn get_identity(&self, tenant_id: &str, realm_id: &str, id: &str) -> StoreResult<Option<Identity>> {
                let row = sqlx::query("SELECT * FROM identities WHERE id = $1 AND tenant_id = $2 AND realm_id = $3")
                    .bind(id)
                    .bind(tenant_id)
                    .bind(realm_id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.as_ref().map(identity_from_row).transpose()?)
            }

            async fn update_identity(&self, i: &Identity) -> StoreResult<()> {
                sqlx::query("UPDATE identities SET display_name = $1, email_address = $2, status = $3, update_time = $4 WHERE id = $5")
                    .bind(&i.display_name)
                    .bind(&i.email_address)
                    .bind(&i.status)
                    .bind(i.update_time)
                    .bind(&i.id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn insert_job(&self, j: &Job) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO credential_binding_jobs (id, tenant_id, realm_id, identity_id, delivery_method, state, authenticator_config_id, \
                     post_binding_redirect_uri, token_hash, expire_time, create_time, update_time) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                )
                .bind(&j.id)
                .bind(&j.tenant_id)
                .bind(&j.realm_id)
                .bind(&j.identity_id)
                .bind(&j.delivery_method)
                .bind(&j.state)
                .bind(&j.authenticator_config_id)
                .bind(&j.post_binding_redirect_uri)
                .bind(&j.token_hash)
                .bind(j.expire_time)
                .bind(j.create_time)
                .bind(j.update_time)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn get_job(&self, tenant_id: &str, realm_id: &str, identity_id: &str, id: &str) -> StoreResult<Option<Job>> {
                let row = sqlx::query("SELECT * FROM credential_binding_jobs WHERE id = $1 AND tenant_id = $2 AND realm_id = $3 AND identity_id = $4")
                    .bind(id)
                    .bind(tenant_id)
                    .bind(realm_id)
                    .bind(identity_id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.as_ref().map(job_from_row).transpose()?)
            }

            async fn list_jobs(&self, tenant_id: &str, realm_id: &str, identity_id: &str) -> StoreResult<Vec<Job>> {
                let rows = sqlx::query(
                    "SELECT * FROM credential_binding_jobs WHERE tenant_id = $1 AND realm_id = $2 AND identity_id = $3 ORDER BY create_time, id",
                )
                .bind(tenant_id)
                .bind(realm_id)
                .bind(identity_id)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.iter().map(job_from_row).collect::<Result<_, _>>()?)
            }

            async fn set_job_state(&self, job_id: &str, state: &str, now: i64) -> StoreResult<bool> {
                let done = sqlx::query($crate::store::shared::SET_JOB_STATE_SQL)
                .bind(state)
                .bind(now)
                .bind(job_id)
                .execute(&self.pool)
                .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn get_credential(&self, id: &str) -> StoreResult<Option<Credential>> {
                let row = sqlx::query("SELECT * FROM credentials WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
                Ok(row.as_ref().map(credential_from_row).transpose()?)
            }

            async fn list_credentials(&self, identity_id: &str) -> StoreResult<Vec<Credential>> {
                let rows = sqlx::query($crate::store::shared::IDENTITY_CREDENTIALS_SQL)
                    .bind(identity_id)
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows.iter().map(credential_from_row).collect::<Result<_, _>>()?)
            }

            async fn set_credential_state(&self, identity_id: &str, id: &str, state: &str) -> StoreResult<bool> {
                let done = sqlx::query("UPDATE credentials SET state = $1 WHERE id = $2 AND identity_id = $3")
                    .bind(state)
                    .bind(id)
                    .bind(identity_id)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

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
                .map_err(|e| if $crate::store::shared::is_unique_violation(&e) { StoreError::Conflict } else { StoreError::Db(e) })?;
                Ok(())
            }

            async fn api_token_by_hash(&self, token_hash: &str) -> StoreResult<Option<ApiToken>> {
                let row = sqlx::query("SELECT * FROM api_tokens WHERE token_hash = $1 AND revoke_time IS NULL AND id IS NOT NULL")
                    .bind(token_hash)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.as_ref().map(api_token_from_row).transpose()?)
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
                Ok(rows.iter().map(api_token_from_row).collect::<Result<_, _>>()?)
            }

            async fn list_identities_page(&self, tenant_id: &str, realm_id: &str, limit: i64, after: Option<(i64, String)>) -> StoreResult<Vec<Identity>> {
                let (t, id) = after.unwrap_or((i64::MIN, String::new()));
                let rows = sqlx::query(
                    "SELECT * FROM identities WHERE tenant_id = $1 AND realm_id = $2 AND (create_time > $3 OR (create_time = $3 AND id > $4)) \
                     ORDER BY create_time, id LIMIT $5",
                )
                .bind(tenant_id)
                .bind(realm_id)
                .bind(t)
                .bind(id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.iter().map(identity_from_row).collect::<Result<_, _>>()?)
            }

            async fn count_identities(&self, tenant_id: &str, realm_id: &str) -> StoreResult<i64> {
                Ok(sqlx::query_scalar("SELECT COUNT(*) FROM identities WHERE tenant_id = $1 AND realm_id = $2")
                    .bind(tenant_id)
                    .bind(realm_id)
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn record_token_failure(&self, key: &str, now: i64, window: i64) -> StoreResult<i64> {
                // Windows that ended count for nothing: drop them, so the table stays small.
                sqlx::query("DELETE FROM token_failures WHERE window_start <= $1 AND key <> $2")
                    .bind(now - window)
                    .bind(key)
                    .execute(&self.pool)
                    .await?;
                Ok(sqlx::query_scalar(
                    "INSERT INTO token_failures (key, window_start, count) VALUES ($1, $2, 1) \
                     ON CONFLICT (key) DO UPDATE SET \
                     count = CASE WHEN token_failures.window_start <= $3 THEN 1 ELSE token_failures.count + 1 END, \
                     window_start = CASE WHEN token_failures.window_start <= $3 THEN $2 ELSE token_failures.window_start END \
                     RETURNING count",
                )
                .bind(key)
                .bind(now)
                .bind(now - window)
                .fetch_one(&self.pool)
                .await?)
            }

            async fn token_failure_count(&self, key: &str, now: i64, window: i64) -> StoreResult<i64> {
                let count: Option<i64> = sqlx::query_scalar("SELECT count FROM token_failures WHERE key = $1 AND window_start > $2")
                    .bind(key)
                    .bind(now - window)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(count.unwrap_or(0))
            }

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
            $($specific)*
        }
    };
}

pub(super) use store_backend;
