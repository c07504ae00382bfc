-- Times are microseconds since the Unix epoch (BIGINT in every database).
-- Secrets (API tokens, link tokens) are stored as SHA-256 hex only.

CREATE TABLE tenants (
    id TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    create_time BIGINT NOT NULL
);

CREATE TABLE realms (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    display_name TEXT NOT NULL,
    create_time BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    token_hash TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    create_time BIGINT NOT NULL
);

CREATE TABLE authenticator_configs (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    realm_id TEXT NOT NULL REFERENCES realms(id),
    config_type TEXT NOT NULL,
    invoke_url TEXT,
    trusted_origins TEXT NOT NULL, -- JSON array of origins
    rp_id TEXT,
    create_time BIGINT NOT NULL
);
CREATE INDEX authenticator_configs_realm ON authenticator_configs(realm_id);

CREATE TABLE identities (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    realm_id TEXT NOT NULL REFERENCES realms(id),
    display_name TEXT NOT NULL,
    username TEXT NOT NULL,
    email_address TEXT,
    status TEXT NOT NULL,
    user_handle BLOB NOT NULL,
    create_time BIGINT NOT NULL,
    update_time BIGINT NOT NULL,
    UNIQUE (realm_id, username)
);

CREATE TABLE credential_binding_jobs (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    realm_id TEXT NOT NULL,
    identity_id TEXT NOT NULL REFERENCES identities(id),
    delivery_method TEXT NOT NULL,
    state TEXT NOT NULL,
    authenticator_config_id TEXT NOT NULL REFERENCES authenticator_configs(id),
    post_binding_redirect_uri TEXT,
    token_hash TEXT NOT NULL UNIQUE,
    expire_time BIGINT NOT NULL,
    create_time BIGINT NOT NULL,
    update_time BIGINT NOT NULL,
    -- Set when COMPLETE: which ceremony and credential completed it (idempotent retries).
    completed_ceremony_id TEXT,
    credential_record_id TEXT
);
CREATE INDEX credential_binding_jobs_identity ON credential_binding_jobs(identity_id);

CREATE TABLE ceremonies (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES credential_binding_jobs(id),
    challenge BLOB NOT NULL,
    rp_id TEXT NOT NULL,
    expire_time BIGINT NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    create_time BIGINT NOT NULL
);
CREATE INDEX ceremonies_job ON ceremonies(job_id);

CREATE TABLE credentials (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    realm_id TEXT NOT NULL,
    identity_id TEXT NOT NULL REFERENCES identities(id),
    job_id TEXT NOT NULL,
    ceremony_id TEXT NOT NULL,
    credential_id BLOB NOT NULL UNIQUE,
    public_key BLOB NOT NULL, -- COSE_Key as the authenticator sent it
    alg INTEGER NOT NULL,
    sign_count BIGINT NOT NULL,
    aaguid BLOB NOT NULL,
    attestation_format TEXT NOT NULL,
    transports TEXT NOT NULL, -- JSON array
    attachment TEXT,
    backup_eligible INTEGER NOT NULL,
    backed_up INTEGER NOT NULL,
    state TEXT NOT NULL,
    create_time BIGINT NOT NULL
);
CREATE INDEX credentials_identity ON credentials(identity_id);

-- --dev mode's fixtures, created once. The dev API token is kept in clear
-- here (dev only) so it can be printed again after a restart.
CREATE TABLE dev_bootstrap (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    tenant_id TEXT NOT NULL,
    realm_id TEXT NOT NULL,
    authenticator_config_id TEXT NOT NULL,
    api_token TEXT NOT NULL
);
