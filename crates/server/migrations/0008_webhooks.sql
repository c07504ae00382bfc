-- Webhooks (issue 11, part 3): per tenant, each a receiver URL and the secret
-- its payloads are signed with (kept as is: signing needs it). A deleted
-- webhook keeps its row (delete_time) so its delivery log stays readable.
-- cursor_time: up to when the tenant's events have been turned into
-- deliveries (the dispatcher looks back an overlap window before it).
CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    url TEXT NOT NULL,
    description TEXT NOT NULL,
    secret TEXT NOT NULL,
    create_time BIGINT NOT NULL,
    delete_time BIGINT,
    cursor_time BIGINT NOT NULL
);
CREATE INDEX webhooks_by_tenant ON webhooks (tenant_id, create_time, id);
-- One row per (webhook, event): the UNIQUE rule makes enqueueing idempotent,
-- so instances polling the same window never deliver an event twice over.
-- lease_until: the instance that claimed the row sends it until then.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id),
    event_id TEXT NOT NULL REFERENCES events (id),
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_time BIGINT NOT NULL,
    lease_until BIGINT NOT NULL DEFAULT 0,
    last_attempt_time BIGINT,
    last_status_code INTEGER,
    last_error TEXT,
    create_time BIGINT NOT NULL,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (webhook_id, state, next_attempt_time);
CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (webhook_id, create_time, id);
-- The dispatcher reads a tenant's recent events realm by realm, on the
-- events' existing (tenant_id, realm_id, create_time) index: no index is
-- added to events, whose every insert is on the binding hot path.
CREATE INDEX realms_of_tenant ON realms (tenant_id);
