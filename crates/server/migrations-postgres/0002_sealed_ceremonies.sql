-- Ceremonies are sealed in their IDs (HMAC under a key kept here, shared by
-- every instance; see src/ceremony.rs) instead of stored one row each. The
-- ceremonies table is no longer written; it stays for the rows already in it.
CREATE TABLE service_keys (
    name TEXT PRIMARY KEY,
    secret BYTEA NOT NULL,
    create_time BIGINT NOT NULL
);
