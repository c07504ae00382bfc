//! The attestation policy of an authenticator config (issue 12) as the
//! admin API takes and shows it: `config.policy` =
//! `{attestation_required, aaguid_allow, aaguid_deny, certified_only}`.

use crate::error::{ApiError, ApiResult};
use crate::store::{Aaguid, AttestationPolicy, MAX_AAGUIDS};
use serde::{Deserialize, Serialize};

/// `authenticator_config.config.policy` in a create request. Every member
/// is optional; an empty list is no list.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[schema(as = AuthenticatorPolicyInput)]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    /// Only a trusted attestation binds (its chain leads to the roots of the
    /// metadata BLOB's entry for the authenticator): `none` and self
    /// attestation are refused, and every binding while no BLOB is loaded.
    /// Implies attestation conveyance `direct` unless the config names one.
    #[serde(default)]
    pub attestation_required: bool,
    /// Only these AAGUIDs bind (canonical UUIDs; at most 1000). Without
    /// `attestation_required` the AAGUID is the authenticator's own claim.
    #[serde(default)]
    #[schema(value_type = Vec<String>, max_items = 1000)]
    pub aaguid_allow: Vec<String>,
    /// These AAGUIDs never bind (not together with `aaguid_allow`; at most 1000).
    #[serde(default)]
    #[schema(value_type = Vec<String>, max_items = 1000)]
    pub aaguid_deny: Vec<String>,
    /// Only authenticators the metadata BLOB lists as FIDO certified bind
    /// (refused while no BLOB is loaded). The model is found by the AAGUID the
    /// authenticator claims: with `attestation_required` that claim is proven.
    #[serde(default)]
    pub certified_only: bool,
}

/// The policy in a config view (present only when it asks something).
#[derive(Serialize, utoipa::ToSchema)]
#[schema(as = AuthenticatorPolicy)]
pub struct PolicyView {
    /// Only a trusted attestation binds.
    pub attestation_required: bool,
    /// Only these AAGUIDs bind (empty: no allow list), canonical lower case.
    #[schema(value_type = Vec<String>)]
    pub aaguid_allow: Vec<String>,
    /// These AAGUIDs never bind.
    #[schema(value_type = Vec<String>)]
    pub aaguid_deny: Vec<String>,
    /// Only models the metadata BLOB lists as FIDO certified bind.
    pub certified_only: bool,
}

impl PolicyView {
    /// None for the default policy, so configs without one look as before.
    pub fn of(p: &AttestationPolicy) -> Option<Self> {
        let strings = |l: &[Aaguid]| l.iter().map(Aaguid::to_string).collect();
        (!p.is_default()).then(|| PolicyView {
            attestation_required: p.attestation_required,
            aaguid_allow: strings(&p.aaguid_allow),
            aaguid_deny: strings(&p.aaguid_deny),
            certified_only: p.certified_only,
        })
    }
}

/// One list read: every entry a UUID (either case, stored lower case),
/// duplicates dropped, at most `MAX_AAGUIDS`.
fn aaguid_list(field: &str, list: &[String]) -> ApiResult<Vec<Aaguid>> {
    if list.len() > MAX_AAGUIDS {
        return Err(ApiError::invalid_argument(field, format!("at most {MAX_AAGUIDS} AAGUIDs")));
    }
    let mut out: Vec<Aaguid> = Vec::with_capacity(list.len());
    for (i, text) in list.iter().enumerate() {
        let aaguid: Aaguid = text
            .parse()
            .map_err(|_| ApiError::invalid_argument(&format!("{field}[{i}]"), "not an AAGUID (a UUID: 8-4-4-4-12 hexadecimal digits)"))?;
        if !out.contains(&aaguid) {
            out.push(aaguid);
        }
    }
    Ok(out)
}

/// The stored policy of a validated `policy` member (`field` its path).
pub fn validate(field: &str, input: &PolicyInput) -> ApiResult<AttestationPolicy> {
    let aaguid_allow = aaguid_list(&format!("{field}.aaguid_allow"), &input.aaguid_allow)?;
    let aaguid_deny = aaguid_list(&format!("{field}.aaguid_deny"), &input.aaguid_deny)?;
    if !aaguid_allow.is_empty() && !aaguid_deny.is_empty() {
        return Err(ApiError::invalid_argument(field, "give aaguid_allow or aaguid_deny, not both"));
    }
    Ok(AttestationPolicy {
        attestation_required: input.attestation_required,
        aaguid_allow,
        aaguid_deny,
        certified_only: input.certified_only,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(allow: &[&str], deny: &[&str]) -> PolicyInput {
        PolicyInput {
            aaguid_allow: allow.iter().map(|s| s.to_string()).collect(),
            aaguid_deny: deny.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn lists_are_validated_deduplicated_and_exclusive() {
        let a = "ADCE0002-35BC-C60A-648B-0B25F1F05503";
        let p = validate("p", &input(&[a, &a.to_lowercase()], &[])).unwrap();
        assert_eq!(PolicyView::of(&p).unwrap().aaguid_allow, ["adce0002-35bc-c60a-648b-0b25f1f05503"]);
        let e = validate("p", &input(&[a], &[a])).unwrap_err();
        assert_eq!(e.0.details[0].field.as_deref(), Some("p"));
        let e = validate("p", &input(&[], &["nope"])).unwrap_err();
        assert_eq!(e.0.details[0].field.as_deref(), Some("p.aaguid_deny[0]"));
        let many: Vec<String> = (0..=MAX_AAGUIDS).map(|i| format!("00000000-0000-0000-0000-{i:012}")).collect();
        assert!(validate("p", &PolicyInput { aaguid_allow: many, ..Default::default() }).is_err());
        assert!(PolicyView::of(&validate("p", &PolicyInput::default()).unwrap()).is_none());
    }
}
