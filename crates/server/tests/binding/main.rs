//! End to end over real HTTP: admin API → link → invokeAuthenticator →
//! passkey-rs creates the credential → bindCredential; and every refusal.
//!
//! `flow.rs`: the whole binding, its replay and CORS; `refusals.rs`: every
//! refusal of a ceremony; `attestation.rs`: packed and x5c attestation,
//! algorithms and garbage; `helpers.rs`: what they share.

#[path = "../common/mod.rs"]
mod common;

mod attestation;
mod flow;
mod helpers;
mod refusals;

use attestation::*;
use flow::*;
use refusals::*;

crate::on_both_databases!(
    happy_path_binds_a_passkey_end_to_end,
    replayed_completion_is_idempotent_and_a_different_credential_is_refused,
    a_credential_for_another_challenge_is_rejected,
    a_credential_made_on_another_origin_is_a_security_error,
    a_credential_for_another_rp_id_is_a_security_error,
    missing_user_verification_or_presence_is_rejected,
    unknown_tokens_and_other_jobs_tokens_are_invalid_links,
    job_and_identity_states_are_enforced,
    an_already_registered_credential_is_refused,
    packed_self_attestation_verifies_and_a_tampered_signature_is_rejected,
    garbage_in_the_credential_is_a_typed_error_never_a_500,
    cors_reflects_only_trusted_origins,
    packed_x5c_attestation_checks_the_leaf_certificate,
    es256_binds_and_an_algorithm_never_offered_is_rejected,
);
