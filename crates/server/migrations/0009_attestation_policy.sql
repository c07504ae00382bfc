-- Attestation trust and the authenticator policy (issue 12).
-- Per authenticator config: attestation required (a trusted attestation, not
-- none/self/unverifiable), an AAGUID allow list or deny list (JSON arrays of
-- canonical lower-case UUIDs; empty: no list), and certified authenticators
-- only (by the metadata BLOB's status reports).
ALTER TABLE authenticator_configs ADD COLUMN attestation_required BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE authenticator_configs ADD COLUMN aaguid_allow TEXT NOT NULL DEFAULT '[]';
ALTER TABLE authenticator_configs ADD COLUMN aaguid_deny TEXT NOT NULL DEFAULT '[]';
ALTER TABLE authenticator_configs ADD COLUMN certified_only BOOLEAN NOT NULL DEFAULT 0;
-- Per credential: the statement's attestation type (none, self, basic, attca,
-- anonca; NULL when unknown: packed credentials bound before this), its trust
-- (TRUSTED: chain to the metadata entry's roots; UNTRUSTED: a BLOB was loaded
-- and the chain does not lead to its roots; UNVERIFIED: no BLOB, integrity
-- only; NONE: nothing to verify), the trust path (JSON array of base64 DER,
-- leaf first) and the authenticator's name when it was bound.
ALTER TABLE credentials ADD COLUMN attestation_type TEXT;
ALTER TABLE credentials ADD COLUMN attestation_trust TEXT NOT NULL DEFAULT 'UNVERIFIED';
ALTER TABLE credentials ADD COLUMN trust_path TEXT NOT NULL DEFAULT '[]';
ALTER TABLE credentials ADD COLUMN authenticator_name TEXT;
UPDATE credentials SET attestation_type = 'none', attestation_trust = 'NONE' WHERE attestation_format = 'none';
