//! Every attestation format end to end (issue 12). `vectors.rs` + `real.rs`:
//! real-world attestation objects through the service's own decision
//! (`trust::admit::admit`, what `:bindCredential` calls) at each vector's
//! time, trusted with the vendor's real root in a test BLOB, with each
//! format's exact refusals. `live.rs`: attestation objects made in the test
//! (tests/common/attest/) for the live ceremony, over real HTTP
//! `:invokeAuthenticator` + `:bindCredential` on both databases.

#[path = "../common/mod.rs"]
mod common;

mod live;
mod real;
mod vectors;

use live::*;

crate::on_both_databases!(every_format_made_for_the_live_ceremony_binds_trusted, one_broken_rule_per_format_is_refused_with_its_reason);
