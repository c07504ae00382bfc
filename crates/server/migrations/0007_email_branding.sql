-- Email branding per realm (issue 11, part 2): what shapes the enrollment
-- email and the hosted /bind page. One row per (tenant, realm); every field
-- NULL when unset (the default look). Values are validated by the service
-- (crate::branding) before they are written.
CREATE TABLE email_branding (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    realm_id TEXT NOT NULL REFERENCES realms(id),
    sender_name TEXT,
    subject TEXT,
    logo_url TEXT,
    primary_color TEXT,
    support_url TEXT,
    footer_text TEXT,
    update_time BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, realm_id)
);
