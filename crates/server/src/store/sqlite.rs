//! The SQLite implementation of `Store` (the embedded default).

use super::*;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow};
use sqlx::{Connection, Row, SqliteConnection};
use std::str::FromStr;
use tokio::sync::{mpsc, oneshot};
use std::time::Duration;

pub struct SqliteStore {
    pool: SqlitePool,
    /// The group-commit writer of a file database (None in memory): the
    /// binding writes of all waiting requests share one transaction, so one
    /// fsync (synchronous = FULL) makes a whole batch durable.
    writer: Option<mpsc::Sender<Write>>,
}

/// A binding write for the group-commit writer; the answer is sent only
/// after the transaction holding it has committed.
enum Write {
    StartCeremony { ceremony: Ceremony, identity_id: String, open_link: bool, now: i64, reply: oneshot::Sender<StoreResult<Vec<Credential>>> },
    CompleteBinding { credential: Credential, now: i64, reply: oneshot::Sender<StoreResult<()>> },
}

/// At most this many writes share a commit.
const MAX_BATCH: usize = 128;

async fn run_writer(mut conn: SqliteConnection, mut rx: mpsc::Receiver<Write>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(w) => batch.push(w),
                Err(_) => break,
            }
        }
        write_batch(&mut conn, std::mem::take(&mut batch)).await;
    }
}

enum Done {
    StartCeremony(oneshot::Sender<StoreResult<Vec<Credential>>>, StoreResult<Vec<Credential>>),
    CompleteBinding(oneshot::Sender<StoreResult<()>>, StoreResult<()>),
}

/// One transaction for the batch; each write in its own savepoint, so a
/// refused write (job not open, ceremony used, credential exists) leaves
/// no trace and does not undo the others. Answers go out after COMMIT; if
/// the commit fails, every write of the batch answers an error.
async fn write_batch(conn: &mut SqliteConnection, batch: Vec<Write>) {
    if let Err(e) = sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await {
        let msg = e.to_string();
        for w in batch {
            let err = || StoreError::Db(sqlx::Error::Protocol(format!("cannot begin: {msg}")));
            match w {
                Write::StartCeremony { reply, .. } => drop(reply.send(Err(err()))),
                Write::CompleteBinding { reply, .. } => drop(reply.send(Err(err()))),
            }
        }
        return;
    }
    let mut done = Vec::with_capacity(batch.len());
    let mut broken: Option<String> = None;
    for w in batch {
        if broken.is_none() {
            if let Err(e) = sqlx::query("SAVEPOINT w").execute(&mut *conn).await {
                broken = Some(e.to_string());
            }
        }
        if let Some(msg) = &broken {
            let err = StoreError::Db(sqlx::Error::Protocol(format!("batch failed: {msg}")));
            match w {
                Write::StartCeremony { reply, .. } => done.push(Done::StartCeremony(reply, Err(err))),
                Write::CompleteBinding { reply, .. } => done.push(Done::CompleteBinding(reply, Err(err))),
            }
            continue;
        }
        let ok = match w {
            Write::StartCeremony { ceremony, identity_id, open_link, now, reply } => {
                let r = start_ceremony_on(&mut *conn, &ceremony, &identity_id, open_link, now).await;
                let ok = r.is_ok();
                done.push(Done::StartCeremony(reply, r));
                ok
            }
            Write::CompleteBinding { credential, now, reply } => {
                let r = complete_binding_on(&mut *conn, &credential, now).await;
                let ok = r.is_ok();
                done.push(Done::CompleteBinding(reply, r));
                ok
            }
        };
        let end = if ok { "RELEASE w" } else { "ROLLBACK TO w; RELEASE w" };
        if let Err(e) = sqlx::raw_sql(end).execute(&mut *conn).await {
            broken = Some(e.to_string());
        }
    }
    let failed = match &broken {
        Some(msg) => Some(msg.clone()),
        None => sqlx::query("COMMIT").execute(&mut *conn).await.err().map(|e| e.to_string()),
    };
    if let Some(msg) = failed {
        let _ = sqlx::raw_sql("ROLLBACK").execute(&mut *conn).await;
        let err = || StoreError::Db(sqlx::Error::Protocol(format!("batch not committed: {msg}")));
        for d in done {
            match d {
                Done::StartCeremony(reply, _) => drop(reply.send(Err(err()))),
                Done::CompleteBinding(reply, _) => drop(reply.send(Err(err()))),
            }
        }
        return;
    }
    for d in done {
        match d {
            Done::StartCeremony(reply, r) => drop(reply.send(r)),
            Done::CompleteBinding(reply, r) => drop(reply.send(r)),
        }
    }
}

fn writer_gone() -> StoreError {
    StoreError::Db(sqlx::Error::Protocol("the database writer stopped".into()))
}

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

fn to_json(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

impl SqliteStore {
    pub async fn open(url: &str) -> Result<Self, String> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| format!("bad database URL {url:?}: {e}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if !in_memory {
            // sqlite://data/passbind.db: create data/ first, SQLite creates only the file.
            let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
            let path = path.split('?').next().unwrap_or(path);
            if let Some(dir) = std::path::Path::new(path).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                }
            }
        }
        // An in-memory database exists once per connection: keep exactly one.
        let max = if in_memory { 1 } else { 8 };
        let pool = SqlitePoolOptions::new()
            .max_connections(max)
            .connect_with(options.clone())
            .await
            .map_err(|e| format!("cannot open {url:?}: {e}"))?;
        MIGRATOR.run(&pool).await.map_err(|e| format!("migrations failed: {e}"))?;
        let writer = if in_memory {
            None
        } else {
            let conn = SqliteConnection::connect_with(&options).await.map_err(|e| format!("cannot open {url:?}: {e}"))?;
            let (tx, rx) = mpsc::channel(4 * MAX_BATCH);
            tokio::spawn(run_writer(conn, rx));
            Some(tx)
        };
        Ok(SqliteStore { pool, writer })
    }
}

fn config_from_row(r: &SqliteRow) -> Result<AuthenticatorConfig, sqlx::Error> {
    Ok(AuthenticatorConfig {
        id: r.try_get("id")?,
        tenant_id: r.try_get("tenant_id")?,
        realm_id: r.try_get("realm_id")?,
        config_type: r.try_get("config_type")?,
        invoke_url: r.try_get("invoke_url")?,
        trusted_origins: json_list(&r.try_get::<String, _>("trusted_origins")?),
        rp_id: r.try_get("rp_id")?,
        create_time: r.try_get("create_time")?,
        authenticator_attachment: r.try_get("authenticator_attachment")?,
        user_verification: r.try_get("user_verification")?,
        attestation: r.try_get("attestation")?,
    })
}

fn api_token_from_row(r: &SqliteRow) -> Result<ApiToken, sqlx::Error> {
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

fn identity_from_row(r: &SqliteRow) -> Result<Identity, sqlx::Error> {
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

fn job_from_row(r: &SqliteRow) -> Result<Job, sqlx::Error> {
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

fn credential_from_row(r: &SqliteRow) -> Result<Credential, sqlx::Error> {
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
        transports: json_list(&r.try_get::<String, _>("transports")?),
        attachment: r.try_get("attachment")?,
        backup_eligible: r.try_get("backup_eligible")?,
        backed_up: r.try_get("backed_up")?,
        state: r.try_get("state")?,
        create_time: r.try_get("create_time")?,
    })
}

async fn complete_binding_on(conn: &mut SqliteConnection, c: &Credential, now: i64) -> StoreResult<()> {
    // The job first: its row is the lock that serialises concurrent binds.
    let job = sqlx::query(
        "UPDATE credential_binding_jobs SET state = 'COMPLETE', update_time = $1, completed_ceremony_id = $2, credential_record_id = $3 \
         WHERE id = $4 AND state NOT IN ('COMPLETE', 'EXPIRED', 'REVOKED', 'FAILED_TO_SEND')",
    )
    .bind(now)
    .bind(&c.ceremony_id)
    .bind(&c.id)
    .bind(&c.job_id)
    .execute(&mut *conn)
    .await?;
    if job.rows_affected() != 1 {
        return Err(StoreError::JobNotOpen);
    }
    let ceremony = sqlx::query("UPDATE ceremonies SET used = 1 WHERE id = $1 AND job_id = $2 AND used = 0")
        .bind(&c.ceremony_id)
        .bind(&c.job_id)
        .execute(&mut *conn)
        .await?;
    if ceremony.rows_affected() != 1 {
        return Err(StoreError::CeremonyUsed);
    }
    sqlx::query(
        "INSERT INTO credentials (id, tenant_id, realm_id, identity_id, job_id, ceremony_id, credential_id, public_key, alg, sign_count, \
         aaguid, attestation_format, transports, attachment, backup_eligible, backed_up, state, create_time) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
    )
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
    .bind(to_json(&c.transports))
    .bind(&c.attachment)
    .bind(c.backup_eligible)
    .bind(c.backed_up)
    .bind(&c.state)
    .bind(c.create_time)
    .execute(&mut *conn)
    .await
    .map_err(|e| if is_unique_violation(&e) { StoreError::CredentialExists } else { StoreError::Db(e) })?;
    Ok(())
}

async fn start_ceremony_on(conn: &mut SqliteConnection, c: &Ceremony, identity_id: &str, open_link: bool, now: i64) -> StoreResult<Vec<Credential>> {
    if open_link {
        sqlx::query(
            "UPDATE credential_binding_jobs SET state = 'LINK_OPENED', update_time = $1 \
             WHERE id = $2 AND state NOT IN ('COMPLETE', 'EXPIRED', 'REVOKED', 'FAILED_TO_SEND')",
        )
        .bind(now)
        .bind(&c.job_id)
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("INSERT INTO ceremonies (id, job_id, challenge, rp_id, expire_time, used, create_time) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(&c.id)
        .bind(&c.job_id)
        .bind(&c.challenge)
        .bind(&c.rp_id)
        .bind(c.expire_time)
        .bind(c.used)
        .bind(c.create_time)
        .execute(&mut *conn)
        .await?;
    let rows = sqlx::query("SELECT * FROM credentials WHERE identity_id = $1 ORDER BY create_time, id")
        .bind(identity_id)
        .fetch_all(&mut *conn)
        .await?;
    let credentials = rows.iter().map(credential_from_row).collect::<Result<_, _>>()?;
    Ok(credentials)
}

#[async_trait]
impl Store for SqliteStore {
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

    async fn create_api_token(&self, token_hash: &str, tenant_id: &str, now: i64) -> StoreResult<()> {
        sqlx::query("INSERT INTO api_tokens (token_hash, tenant_id, create_time, id) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(tenant_id)
            .bind(now)
            .bind(crate::util::new_id())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn tenant_for_token(&self, token_hash: &str) -> StoreResult<Option<String>> {
        Ok(sqlx::query_scalar("SELECT tenant_id FROM api_tokens WHERE token_hash = $1 AND revoke_time IS NULL")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?)
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
        .bind(to_json(&c.trusted_origins))
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
        .map_err(|e| if is_unique_violation(&e) { StoreError::Conflict } else { StoreError::Db(e) })?;
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

    async fn list_identities(&self, tenant_id: &str, realm_id: &str) -> StoreResult<Vec<Identity>> {
        let rows = sqlx::query("SELECT * FROM identities WHERE tenant_id = $1 AND realm_id = $2 ORDER BY create_time, id")
            .bind(tenant_id)
            .bind(realm_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(identity_from_row).collect::<Result<_, _>>()?)
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
        let done = sqlx::query(
            "UPDATE credential_binding_jobs SET state = $1, update_time = $2 \
             WHERE id = $3 AND state NOT IN ('COMPLETE', 'EXPIRED', 'REVOKED', 'FAILED_TO_SEND')",
        )
        .bind(state)
        .bind(now)
        .bind(job_id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn insert_ceremony(&self, c: &Ceremony) -> StoreResult<()> {
        sqlx::query("INSERT INTO ceremonies (id, job_id, challenge, rp_id, expire_time, used, create_time) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(&c.id)
            .bind(&c.job_id)
            .bind(&c.challenge)
            .bind(&c.rp_id)
            .bind(c.expire_time)
            .bind(c.used)
            .bind(c.create_time)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn get_ceremony(&self, job_id: &str, id: &str) -> StoreResult<Option<Ceremony>> {
        let row = sqlx::query("SELECT * FROM ceremonies WHERE id = $1 AND job_id = $2")
            .bind(id)
            .bind(job_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => Some(Ceremony {
                id: r.try_get("id")?,
                job_id: r.try_get("job_id")?,
                challenge: r.try_get("challenge")?,
                rp_id: r.try_get("rp_id")?,
                expire_time: r.try_get("expire_time")?,
                used: r.try_get("used")?,
                create_time: r.try_get("create_time")?,
            }),
            None => None,
        })
    }

    async fn get_credential(&self, id: &str) -> StoreResult<Option<Credential>> {
        let row = sqlx::query("SELECT * FROM credentials WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        Ok(row.as_ref().map(credential_from_row).transpose()?)
    }

    async fn list_credentials(&self, identity_id: &str) -> StoreResult<Vec<Credential>> {
        let rows = sqlx::query("SELECT * FROM credentials WHERE identity_id = $1 ORDER BY create_time, id")
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

    async fn complete_binding(&self, c: &Credential, now: i64) -> StoreResult<()> {
        if let Some(writer) = &self.writer {
            let (reply, answer) = oneshot::channel();
            writer.send(Write::CompleteBinding { credential: c.clone(), now, reply }).await.map_err(|_| writer_gone())?;
            return answer.await.map_err(|_| writer_gone())?;
        }
        let mut tx = self.pool.begin().await?;
        complete_binding_on(&mut *tx, c, now).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn load_binding_context(&self, tenant_id: &str, realm_id: &str, identity_id: &str, job_id: &str) -> StoreResult<Option<BindingContext>> {
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

    async fn start_ceremony(&self, c: &Ceremony, identity_id: &str, open_link: bool, now: i64) -> StoreResult<Vec<Credential>> {
        if let Some(writer) = &self.writer {
            let (reply, answer) = oneshot::channel();
            let write = Write::StartCeremony { ceremony: c.clone(), identity_id: identity_id.to_owned(), open_link, now, reply };
            writer.send(write).await.map_err(|_| writer_gone())?;
            return answer.await.map_err(|_| writer_gone())?;
        }
        // One transaction, one commit; its first statement writes, so it takes the write lock up front.
        let mut tx = self.pool.begin().await?;
        let credentials = start_ceremony_on(&mut *tx, c, identity_id, open_link, now).await?;
        tx.commit().await?;
        Ok(credentials)
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
        .map_err(|e| if is_unique_violation(&e) { StoreError::Conflict } else { StoreError::Db(e) })?;
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
