-- Issue 4: API tokens with ids (to revoke), an optional realm scope and
-- revocation; case-insensitive usernames; a config's WebAuthn policy;
-- failed link-token attempts for rate limiting (shared by every instance).

ALTER TABLE api_tokens ADD COLUMN id TEXT;
ALTER TABLE api_tokens ADD COLUMN realm_id TEXT;
ALTER TABLE api_tokens ADD COLUMN description TEXT;
ALTER TABLE api_tokens ADD COLUMN revoke_time BIGINT;
UPDATE api_tokens SET id = substr(token_hash, 1, 16) WHERE id IS NULL;
CREATE UNIQUE INDEX api_tokens_id ON api_tokens(id);

-- Usernames are unique per realm regardless of case.
CREATE UNIQUE INDEX identities_realm_username_ci ON identities(realm_id, lower(username));
CREATE INDEX identities_page ON identities(tenant_id, realm_id, create_time, id);

-- The WebAuthn policy an authenticator config may set (NULL: the default).
ALTER TABLE authenticator_configs ADD COLUMN authenticator_attachment TEXT;
ALTER TABLE authenticator_configs ADD COLUMN user_verification TEXT;
ALTER TABLE authenticator_configs ADD COLUMN attestation TEXT;

-- Failed token attempts per key (`job:{id}`, `client:{ip}`) in a fixed window.
CREATE TABLE token_failures (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    count BIGINT NOT NULL
);
