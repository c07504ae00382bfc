-- Console sessions (issue 11, part 1): an admin API token exchanged for an
-- HttpOnly cookie. Only the cookie secret's SHA-256 is stored. A session
-- acts with its token's scope and dies with it (revoked), at expire_time, or
-- when signed out (end_time). API tokens gain when they were last used
-- (updated at most once a minute per token).
CREATE TABLE console_sessions (
    id TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL UNIQUE,
    api_token_id TEXT NOT NULL REFERENCES api_tokens(id),
    tenant_id TEXT NOT NULL,
    realm_id TEXT,
    create_time BIGINT NOT NULL,
    expire_time BIGINT NOT NULL,
    end_time BIGINT
);
CREATE INDEX console_sessions_token ON console_sessions (api_token_id);

ALTER TABLE api_tokens ADD COLUMN last_use_time BIGINT;
