-- PostgreSQL schema: the same tables and rules as the SQLite migrations
-- (migrations/0001_initial.sql + 0003_production.sql), in PostgreSQL types.
-- Times are microseconds since the Unix epoch; secrets are SHA-256 hex only.

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
    create_time BIGINT NOT NULL,
    id TEXT UNIQUE,
    realm_id TEXT,
    description TEXT,
    revoke_time BIGINT
);

CREATE TABLE authenticator_configs (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    realm_id TEXT NOT NULL REFERENCES realms(id),
    config_type TEXT NOT NULL,
    invoke_url TEXT,
    trusted_origins TEXT NOT NULL, -- JSON array of origins
    rp_id TEXT,
    create_time BIGINT NOT NULL,
    authenticator_attachment TEXT,
    user_verification TEXT,
    attestation TEXT
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
    user_handle BYTEA NOT NULL,
    create_time BIGINT NOT NULL,
    update_time BIGINT NOT NULL,
    UNIQUE (realm_id, username)
);
CREATE UNIQUE INDEX identities_realm_username_ci ON identities(realm_id, lower(username));
CREATE INDEX identities_page ON identities(tenant_id, realm_id, create_time, id);

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
    completed_ceremony_id TEXT,
    credential_record_id TEXT
);
CREATE INDEX credential_binding_jobs_identity ON credential_binding_jobs(identity_id);

CREATE TABLE ceremonies (
    id TEXT PRIMARY KEY,
    job_id TEXT NOT NULL REFERENCES credential_binding_jobs(id),
    challenge BYTEA NOT NULL,
    rp_id TEXT NOT NULL,
    expire_time BIGINT NOT NULL,
    used BOOLEAN NOT NULL DEFAULT FALSE,
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
    credential_id BYTEA NOT NULL UNIQUE,
    public_key BYTEA NOT NULL,
    alg BIGINT NOT NULL,
    sign_count BIGINT NOT NULL,
    aaguid BYTEA NOT NULL,
    attestation_format TEXT NOT NULL,
    transports TEXT NOT NULL, -- JSON array
    attachment TEXT,
    backup_eligible BOOLEAN NOT NULL,
    backed_up BOOLEAN NOT NULL,
    state TEXT NOT NULL,
    create_time BIGINT NOT NULL
);
CREATE INDEX credentials_identity ON credentials(identity_id);

CREATE TABLE dev_bootstrap (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    tenant_id TEXT NOT NULL,
    realm_id TEXT NOT NULL,
    authenticator_config_id TEXT NOT NULL,
    api_token TEXT NOT NULL
);

CREATE TABLE token_failures (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    count BIGINT NOT NULL
);
