-- The audit log (issue 11, part 3): one row per credential-binding job or
-- credential state change, written in the same transaction as the change.
-- Append-only: the triggers refuse UPDATE and DELETE. No foreign keys: an
-- event outlives whatever it names, and the binding hot path pays no checks.
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    event_type TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    realm_id TEXT NOT NULL,
    identity_id TEXT NOT NULL,
    job_id TEXT,
    credential_id TEXT,
    actor_type TEXT NOT NULL,
    actor_id TEXT,
    create_time BIGINT NOT NULL,
    state_before TEXT,
    state_after TEXT NOT NULL
);
CREATE INDEX events_by_realm_time ON events (tenant_id, realm_id, create_time, id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
