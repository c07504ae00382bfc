//! The attack matrix: one test per attack on the binding service, each
//! asserting the exact refusal (HTTP status and error code) and, where it
//! matters, that nothing was stored. Every case runs on SQLite and on
//! PostgreSQL (`sqlite::attack_…`, `postgres::attack_…`).
//!
//! | #  | attack                                                        | refusal |
//! |----|---------------------------------------------------------------|---------|
//! | 01 | replay a completed job's link (new ceremony)                  | 409 JOB_COMPLETE |
//! | 02 | complete a completed job with another credential              | 409 JOB_COMPLETE |
//! | 03 | use an expired link (invoke and bind)                         | 410 LINK_EXPIRED |
//! | 04 | use a revoked link (invoke and bind)                          | 410 JOB_REVOKED |
//! | 05 | use the token of another job                                  | 400 INVALID_LINK |
//! | 06 | unknown job / missing / empty token                           | 400 INVALID_LINK |
//! | 07 | guess tokens until rate limited (per job, per client)         | 429 resource_exhausted |
//! | 08 | admin API with another tenant's token                         | 404 not_found |
//! | 09 | realm-scoped token on another realm                           | 404 not_found |
//! | 10 | revoked, unknown or missing admin token                       | 401 unauthenticated |
//! | 11 | credential created on another origin (clientDataJSON)         | 403 SECURITY |
//! | 12 | call from a page on an untrusted origin (Origin header)       | 403 SECURITY |
//! | 13 | credential scoped to another RP ID                            | 403 SECURITY |
//! | 14 | missing user verification when the config requires it         | 422 ATTESTATION_REJECTED |
//! | 15 | missing user presence                                         | 422 ATTESTATION_REJECTED |
//! | 16 | altered clientDataJSON (type; extra field under a signature)  | 422 ATTESTATION_REJECTED |
//! | 17 | altered authenticator data under a packed signature           | 422 ATTESTATION_REJECTED |
//! | 18 | excluded (already registered) credential on a new job         | 409 ALREADY_REGISTERED |
//! | 19 | suspended identity                                            | 422 IDENTITY_SUSPENDED |
//! | 20 | expired ceremony                                              | 422 NOT_ALLOWED |
//! | 21 | answer to another ceremony's challenge                        | 422 ATTESTATION_REJECTED |
//! | 22 | ceremony of another job                                       | 422 NOT_ALLOWED |
//! | 23 | crossOrigin: true (credential made in a cross-origin iframe)  | 403 SECURITY |
//! | 24 | algorithm never offered / tampered packed signature           | 422 ATTESTATION_REJECTED |
//! | 25 | oversized body                                                | 413 |
//! | 26 | unknown field / wrong type in an admin body                   | 400 invalid_argument (field named) |
//! | 27 | revoke a completed job                                        | 409 JOB_COMPLETE |
//! | 28 | CORS from an untrusted origin                                 | no Access-Control-Allow-Origin |
//! | 29 | served pages: CSP, nosniff, frame-ancestors                   | headers present |
//! | 30 | tokens, API keys and challenges never reach the logs          | absent from stderr (binary, RUST_LOG=debug) |
//!
//! The cases live in `links.rs` (01–07), `admin.rs` (08–10), `credentials.rs`
//! (11–24) and `hardening.rs` (25–30); what they share is in `helpers.rs`.

#[path = "../common/mod.rs"]
mod common;

mod admin;
mod credentials;
mod hardening;
mod helpers;
mod links;

use admin::*;
use credentials::*;
use hardening::*;
use links::*;

crate::on_both_databases!(
    attack_01_replay_after_complete_new_ceremony,
    attack_02_complete_again_with_another_credential,
    attack_03_expired_link,
    attack_04_revoked_link,
    attack_05_token_of_another_job,
    attack_06_unknown_job_or_missing_token,
    attack_07_token_guessing_is_rate_limited,
    attack_08_cross_tenant_admin_access,
    attack_09_realm_scoped_token_on_another_realm,
    attack_10_revoked_unknown_or_missing_admin_token,
    attack_11_credential_from_another_origin,
    attack_12_call_from_an_untrusted_page,
    attack_13_credential_for_another_rp_id,
    attack_14_missing_user_verification_when_required,
    attack_15_missing_user_presence,
    attack_16_altered_client_data_json,
    attack_17_altered_authenticator_data,
    attack_18_excluded_credential_on_a_new_job,
    attack_19_suspended_identity,
    attack_20_expired_ceremony,
    attack_21_answer_to_another_ceremonys_challenge,
    attack_22_ceremony_of_another_job,
    attack_23_cross_origin_iframe,
    attack_24_unoffered_algorithm_or_forged_signature,
    attack_25_oversized_body,
    attack_26_unknown_fields_and_wrong_types,
    attack_27_revoke_a_completed_job,
    attack_28_cors_from_an_untrusted_origin,
    attack_29_pages_carry_security_headers,
    attack_30_secrets_never_reach_the_logs,
);
