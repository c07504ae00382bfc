//! Attestation trust and the authenticator policy (issue 12), end to end
//! over real HTTP on both databases: the config API's `policy`, AAGUID allow
//! and deny lists, attestation required, certified only, metadata status,
//! trust recorded with the credential, and authenticator names.
//!
//! `config.rs`: the policy in the config API; `lists.rs`: allow/deny lists and
//! what is recorded without a metadata BLOB; `blob.rs`: with a BLOB signed by a
//! test root made in the test; `helpers.rs`: what they share.

#[path = "../common/mod.rs"]
mod common;

mod blob;
mod config;
mod helpers;
mod lists;

use blob::*;
use config::*;
use lists::*;

crate::on_both_databases!(
    the_policy_is_validated_and_shown_in_the_config_view,
    an_allow_list_binds_only_its_aaguids,
    a_deny_list_refuses_its_aaguids,
    without_a_blob_attestation_is_unverified_and_policies_needing_metadata_refuse,
    with_a_blob_a_chain_to_the_entry_root_is_trusted_and_named,
    certified_only_takes_certified_models_and_status_refuses_revoked_ones,
    a_chain_to_another_root_is_untrusted,
    a_u2f_key_is_found_by_its_key_identifier,
);
