//! Status reports (FIDO MDS 3.0 §3.1.3 StatusReport, §3.1.4
//! AuthenticatorStatus): what the FIDO Alliance says about an authenticator
//! model over time — certified, revoked, compromised.

use serde::{Deserialize, Deserializer};

/// One value of the AuthenticatorStatus enumeration. The list grows with the
/// specification: a value this crate does not know is kept as `Unknown`
/// (with its text) instead of refusing the whole BLOB.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AuthenticatorStatus {
    /// `NOT_FIDO_CERTIFIED`: not (or no longer) certified.
    NotFidoCertified,
    /// `FIDO_CERTIFIED`: certified, level not given (older certifications).
    FidoCertified,
    /// `USER_VERIFICATION_BYPASS`: user verification can be bypassed.
    UserVerificationBypass,
    /// `ATTESTATION_KEY_COMPROMISE`: the attestation key is compromised.
    AttestationKeyCompromise,
    /// `USER_KEY_REMOTE_COMPROMISE`: user keys can be extracted remotely.
    UserKeyRemoteCompromise,
    /// `USER_KEY_PHYSICAL_COMPROMISE`: user keys can be extracted with physical access.
    UserKeyPhysicalCompromise,
    /// `UPDATE_AVAILABLE`: a firmware update is available.
    UpdateAvailable,
    /// `REVOKED`: the FIDO Alliance revoked the authenticator (no longer trusted).
    Revoked,
    /// `SELF_ASSERTION_SUBMITTED`: the vendor asserted conformance itself.
    SelfAssertionSubmitted,
    /// `FIDO_CERTIFIED_L1`.
    FidoCertifiedL1,
    /// `FIDO_CERTIFIED_L1plus`.
    FidoCertifiedL1Plus,
    /// `FIDO_CERTIFIED_L2`.
    FidoCertifiedL2,
    /// `FIDO_CERTIFIED_L2plus`.
    FidoCertifiedL2Plus,
    /// `FIDO_CERTIFIED_L3`.
    FidoCertifiedL3,
    /// `FIDO_CERTIFIED_L3plus`.
    FidoCertifiedL3Plus,
    /// A value this crate does not know (a later version of the specification).
    Unknown(String),
}

/// (variant, its text in the BLOB), for both directions.
const NAMES: [(AuthenticatorStatus, &str); 15] = [
    (AuthenticatorStatus::NotFidoCertified, "NOT_FIDO_CERTIFIED"),
    (AuthenticatorStatus::FidoCertified, "FIDO_CERTIFIED"),
    (AuthenticatorStatus::UserVerificationBypass, "USER_VERIFICATION_BYPASS"),
    (AuthenticatorStatus::AttestationKeyCompromise, "ATTESTATION_KEY_COMPROMISE"),
    (AuthenticatorStatus::UserKeyRemoteCompromise, "USER_KEY_REMOTE_COMPROMISE"),
    (AuthenticatorStatus::UserKeyPhysicalCompromise, "USER_KEY_PHYSICAL_COMPROMISE"),
    (AuthenticatorStatus::UpdateAvailable, "UPDATE_AVAILABLE"),
    (AuthenticatorStatus::Revoked, "REVOKED"),
    (AuthenticatorStatus::SelfAssertionSubmitted, "SELF_ASSERTION_SUBMITTED"),
    (AuthenticatorStatus::FidoCertifiedL1, "FIDO_CERTIFIED_L1"),
    (AuthenticatorStatus::FidoCertifiedL1Plus, "FIDO_CERTIFIED_L1plus"),
    (AuthenticatorStatus::FidoCertifiedL2, "FIDO_CERTIFIED_L2"),
    (AuthenticatorStatus::FidoCertifiedL2Plus, "FIDO_CERTIFIED_L2plus"),
    (AuthenticatorStatus::FidoCertifiedL3, "FIDO_CERTIFIED_L3"),
    (AuthenticatorStatus::FidoCertifiedL3Plus, "FIDO_CERTIFIED_L3plus"),
];

impl AuthenticatorStatus {
    /// The value as the BLOB writes it (`Unknown` keeps its own text).
    pub fn as_str(&self) -> &str {
        match self {
            AuthenticatorStatus::Unknown(text) => text,
            known => NAMES.iter().find(|(v, _)| v == known).map_or("", |(_, name)| name),
        }
    }

    /// A FIDO certification (any level).
    pub fn is_certification(&self) -> bool {
        use AuthenticatorStatus::*;
        matches!(
            self,
            FidoCertified
                | FidoCertifiedL1
                | FidoCertifiedL1Plus
                | FidoCertifiedL2
                | FidoCertifiedL2Plus
                | FidoCertifiedL3
                | FidoCertifiedL3Plus
        )
    }

    /// A status after which the authenticator must not be trusted: revoked,
    /// a key compromise, or user verification that can be bypassed (MDS 3.0
    /// §3.1.4 asks relying parties to treat these with suspicion; passbind refuses).
    pub fn revokes_trust(&self) -> bool {
        use AuthenticatorStatus::*;
        matches!(self, Revoked | UserVerificationBypass | AttestationKeyCompromise | UserKeyRemoteCompromise | UserKeyPhysicalCompromise)
    }

    /// A status that ends an earlier certification.
    fn ends_certification(&self) -> bool {
        matches!(self, AuthenticatorStatus::Revoked | AuthenticatorStatus::NotFidoCertified)
    }
}

impl From<&str> for AuthenticatorStatus {
    fn from(text: &str) -> Self {
        NAMES.iter().find(|(_, name)| *name == text).map_or_else(|| AuthenticatorStatus::Unknown(text.to_owned()), |(v, _)| v.clone())
    }
}

impl std::fmt::Display for AuthenticatorStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AuthenticatorStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok(AuthenticatorStatus::from(text.as_str()))
    }
}

/// One status report of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    /// What the report says.
    pub status: AuthenticatorStatus,
    /// When it took effect (`effectiveDate`); None when the report has none.
    pub effective_date: Option<time::Date>,
    /// The certificate number of a certification (`certificateNumber`).
    pub certificate_number: Option<String>,
}

/// Orders reports oldest first, by effective date (undated ones first, as
/// the oldest). On the same day a report that revokes trust or ends a
/// certification comes last, so it wins over a certification of that day:
/// the cautious reading of an ambiguous order. Otherwise the BLOB's order.
pub(super) fn sort_reports(reports: &mut [StatusReport]) {
    // sort_by_key is stable: equal keys keep the BLOB's order.
    reports.sort_by_key(|r| (r.effective_date, r.status.revokes_trust() || r.status.ends_certification()));
}

/// The current status (the latest report) and whether the latest
/// certification still holds (no revocation or NOT_FIDO_CERTIFIED after it).
/// `reports` sorted by [`sort_reports`] and not empty.
pub(super) fn current(reports: &[StatusReport]) -> Option<(AuthenticatorStatus, bool)> {
    let latest = reports.last()?.status.clone();
    let certified = match reports.iter().rposition(|r| r.status.is_certification()) {
        Some(at) => !reports[at + 1..].iter().any(|r| r.status.ends_certification()),
        None => false,
    };
    Some((latest, certified))
}

#[cfg(test)]
mod tests {
    use super::*;
    use AuthenticatorStatus::*;

    fn report(status: AuthenticatorStatus, date: Option<(i32, u8, u8)>) -> StatusReport {
        let effective_date = date.map(|(y, m, d)| time::Date::from_calendar_date(y, time::Month::try_from(m).unwrap(), d).unwrap());
        StatusReport { status, effective_date, certificate_number: None }
    }

    #[test]
    fn names_round_trip_and_unknown_values_are_kept() {
        for (variant, name) in NAMES.iter() {
            assert_eq!(AuthenticatorStatus::from(*name), *variant);
            assert_eq!(variant.as_str(), *name);
        }
        let later: AuthenticatorStatus = serde_json::from_str("\"FIDO_CERTIFIED_L4\"").unwrap();
        assert_eq!(later, Unknown("FIDO_CERTIFIED_L4".into()));
        assert_eq!(later.as_str(), "FIDO_CERTIFIED_L4");
        assert!(!later.is_certification() && !later.revokes_trust());
    }

    #[test]
    fn latest_report_and_certification() {
        let mut reports = vec![report(FidoCertifiedL1, Some((2022, 3, 1))), report(UpdateAvailable, Some((2023, 1, 1)))];
        sort_reports(&mut reports);
        assert_eq!(current(&reports), Some((UpdateAvailable, true)));

        // Out of order in the BLOB: the dates decide.
        let mut reports = vec![report(Revoked, Some((2024, 5, 1))), report(FidoCertifiedL2, Some((2021, 1, 1)))];
        sort_reports(&mut reports);
        assert_eq!(current(&reports), Some((Revoked, false)));

        // Re-certified after a revocation.
        let mut reports = vec![
            report(FidoCertified, Some((2019, 1, 1))),
            report(Revoked, Some((2020, 1, 1))),
            report(FidoCertifiedL1, Some((2021, 1, 1))),
        ];
        sort_reports(&mut reports);
        assert_eq!(current(&reports), Some((FidoCertifiedL1, true)));

        // Same day: the revocation wins.
        let mut reports = vec![report(Revoked, Some((2024, 1, 1))), report(FidoCertifiedL1, Some((2024, 1, 1)))];
        sort_reports(&mut reports);
        assert_eq!(current(&reports), Some((Revoked, false)));

        // Never certified; undated reports are the oldest.
        let mut reports = vec![report(SelfAssertionSubmitted, Some((2020, 1, 1))), report(NotFidoCertified, None)];
        sort_reports(&mut reports);
        assert_eq!(current(&reports), Some((SelfAssertionSubmitted, false)));
        assert_eq!(current(&[]), None);
    }
}
