//! The closed sets of strings the views answer, as enum schemas (`#[schema(schema_with = …)]`
//! on the views' `String` fields). The lists come from the store's enums and the
//! config policy constants, so the document names the same values the service writes.

use crate::routes::authenticator_configs::{ATTACHMENTS, ATTESTATIONS, USER_VERIFICATIONS};
use crate::store::{AttestationTrust, ConfigType, DeliveryMethod, EventType, IdentityStatus, JobState};
use utoipa::openapi::schema::{Object, ObjectBuilder, Type};

fn one_of(values: &[&'static str]) -> Object {
    ObjectBuilder::new().schema_type(Type::String).enum_values(Some(values.iter().copied())).build()
}

/// A `match` that stops compiling when a variant is added, so the lists below stay complete.
macro_rules! all {
    ($ty:ident: $($v:ident),+) => {{
        const fn _every_variant_listed(v: $ty) {
            match v {
                $($ty::$v)|+ => {}
            }
        }
        [$($ty::$v.as_str()),+]
    }};
}

pub fn job_state() -> Object {
    one_of(&all!(JobState: LinkSent, LinkOpened, Complete, Expired, Revoked, FailedToSend))
}

pub fn delivery_method() -> Object {
    one_of(&all!(DeliveryMethod: Return, Email))
}

pub fn identity_status() -> Object {
    one_of(&all!(IdentityStatus: Active, Suspended))
}

pub fn config_type() -> Object {
    one_of(&all!(ConfigType: HostedWeb, Embedded))
}

pub fn event_type() -> Object {
    one_of(&all!(EventType: CredentialBindingJobChange, CredentialChange))
}

/// `Actor`'s types.
pub fn actor_type() -> Object {
    one_of(&["API_TOKEN", "CONSOLE_SESSION", "LINK", "SYSTEM"])
}

pub fn traits_type() -> Object {
    one_of(&["traits_v0"])
}

pub fn attachment() -> Object {
    one_of(ATTACHMENTS)
}

pub fn user_verification() -> Object {
    one_of(USER_VERIFICATIONS)
}

pub fn attestation() -> Object {
    one_of(ATTESTATIONS)
}

/// A credential's attestation trust (`AttestationTrust`).
pub fn attestation_trust() -> Object {
    one_of(&all!(AttestationTrust: Trusted, Untrusted, Unverified, None))
}

/// `AttestationType::as_str` of the WebAuthn crate.
pub fn attestation_type() -> Object {
    use passbind_webauthn::attestation::AttestationType as T;
    one_of(&[T::None, T::SelfAttestation, T::Basic, T::AttCa, T::AnonCa].map(T::as_str))
}
