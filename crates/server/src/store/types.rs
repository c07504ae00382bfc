//! The closed sets the store keeps as text: job and credential states,
//! identity status, delivery method, config type. Each is an enum whose
//! `as_str()` is its spelling in SQL and in the admin API's JSON (both
//! unchanged from when they were bare strings), and whose `FromStr` reads it
//! back.

use std::fmt;
use std::str::FromStr;

/// A stored value that is not one of an enum's spellings.
#[derive(Debug, thiserror::Error)]
#[error("unknown {what} {value:?}")]
pub struct UnknownValue {
    pub what: &'static str,
    pub value: String,
}

/// Where a credential-binding job is: `LINK_SENT → LINK_OPENED → COMPLETE`,
/// or one of the other terminal states.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum JobState {
    #[serde(rename = "LINK_SENT")]
    LinkSent,
    /// The link was opened (first invoke or browser GET).
    #[serde(rename = "LINK_OPENED")]
    LinkOpened,
    #[serde(rename = "COMPLETE")]
    Complete,
    #[serde(rename = "EXPIRED")]
    Expired,
    #[serde(rename = "REVOKED")]
    Revoked,
    /// The enrollment email could not be sent: the link never works.
    #[serde(rename = "FAILED_TO_SEND")]
    FailedToSend,
}

impl JobState {
    /// The spelling in SQL and JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            JobState::LinkSent => "LINK_SENT",
            JobState::LinkOpened => "LINK_OPENED",
            JobState::Complete => "COMPLETE",
            JobState::Expired => "EXPIRED",
            JobState::Revoked => "REVOKED",
            JobState::FailedToSend => "FAILED_TO_SEND",
        }
    }

    /// No longer accepts the link (and never changes again).
    pub const fn is_terminal(self) -> bool {
        !matches!(self, JobState::LinkSent | JobState::LinkOpened)
    }
}

impl FromStr for JobState {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        match s {
            "LINK_SENT" => Ok(JobState::LinkSent),
            "LINK_OPENED" => Ok(JobState::LinkOpened),
            "COMPLETE" => Ok(JobState::Complete),
            "EXPIRED" => Ok(JobState::Expired),
            "REVOKED" => Ok(JobState::Revoked),
            "FAILED_TO_SEND" => Ok(JobState::FailedToSend),
            _ => Err(UnknownValue { what: "job state", value: s.to_owned() }),
        }
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stored passkey's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum CredentialState {
    #[serde(rename = "ACTIVE")]
    Active,
    #[serde(rename = "REVOKED")]
    Revoked,
}

impl CredentialState {
    /// The spelling in SQL and JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            CredentialState::Active => "ACTIVE",
            CredentialState::Revoked => "REVOKED",
        }
    }
}

impl FromStr for CredentialState {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        match s {
            "ACTIVE" => Ok(CredentialState::Active),
            "REVOKED" => Ok(CredentialState::Revoked),
            _ => Err(UnknownValue { what: "credential state", value: s.to_owned() }),
        }
    }
}

impl fmt::Display for CredentialState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether an identity may bind passkeys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum IdentityStatus {
    #[serde(rename = "active")]
    Active,
    #[serde(rename = "suspended")]
    Suspended,
}

impl IdentityStatus {
    /// The spelling in SQL and JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            IdentityStatus::Active => "active",
            IdentityStatus::Suspended => "suspended",
        }
    }
}

impl FromStr for IdentityStatus {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        match s {
            "active" => Ok(IdentityStatus::Active),
            "suspended" => Ok(IdentityStatus::Suspended),
            _ => Err(UnknownValue { what: "identity status", value: s.to_owned() }),
        }
    }
}

impl fmt::Display for IdentityStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a credential-binding job's link reaches the person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum DeliveryMethod {
    /// In the API answer, to the caller.
    #[serde(rename = "RETURN")]
    Return,
    /// In an enrollment email.
    #[serde(rename = "EMAIL")]
    Email,
}

impl DeliveryMethod {
    /// The spelling in SQL and JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            DeliveryMethod::Return => "RETURN",
            DeliveryMethod::Email => "EMAIL",
        }
    }
}

impl FromStr for DeliveryMethod {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        match s {
            "RETURN" => Ok(DeliveryMethod::Return),
            "EMAIL" => Ok(DeliveryMethod::Email),
            _ => Err(UnknownValue { what: "delivery method", value: s.to_owned() }),
        }
    }
}

impl fmt::Display for DeliveryMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where an authenticator config's passkeys are bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum ConfigType {
    /// On passbind's own `/bind` page.
    #[serde(rename = "hosted_web")]
    HostedWeb,
    /// In the application, at its `invoke_url`.
    #[serde(rename = "embedded")]
    Embedded,
}

impl ConfigType {
    /// The spelling in SQL and JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            ConfigType::HostedWeb => "hosted_web",
            ConfigType::Embedded => "embedded",
        }
    }
}

impl FromStr for ConfigType {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        match s {
            "hosted_web" => Ok(ConfigType::HostedWeb),
            "embedded" => Ok(ConfigType::Embedded),
            _ => Err(UnknownValue { what: "config type", value: s.to_owned() }),
        }
    }
}

impl fmt::Display for ConfigType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How far a credential's attestation is trusted (issue 12). Never
/// `Trusted` without a metadata BLOB whose entry's roots the chain leads to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum AttestationTrust {
    /// The trust path leads to a root of the metadata entry for the authenticator.
    #[serde(rename = "TRUSTED")]
    Trusted,
    /// A metadata BLOB was loaded, but the path does not lead to its entry's roots (or it has no entry).
    #[serde(rename = "UNTRUSTED")]
    Untrusted,
    /// No metadata BLOB: the statement was verified for integrity only.
    #[serde(rename = "UNVERIFIED")]
    Unverified,
    /// Nothing to verify: `none` or self attestation.
    #[serde(rename = "NONE")]
    None,
}

impl AttestationTrust {
    /// The spelling in SQL and JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            AttestationTrust::Trusted => "TRUSTED",
            AttestationTrust::Untrusted => "UNTRUSTED",
            AttestationTrust::Unverified => "UNVERIFIED",
            AttestationTrust::None => "NONE",
        }
    }
}

impl FromStr for AttestationTrust {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        match s {
            "TRUSTED" => Ok(AttestationTrust::Trusted),
            "UNTRUSTED" => Ok(AttestationTrust::Untrusted),
            "UNVERIFIED" => Ok(AttestationTrust::Unverified),
            "NONE" => Ok(AttestationTrust::None),
            _ => Err(UnknownValue { what: "attestation trust", value: s.to_owned() }),
        }
    }
}

impl fmt::Display for AttestationTrust {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_round_trip_in_sql_and_json() {
        for s in
            [JobState::LinkSent, JobState::LinkOpened, JobState::Complete, JobState::Expired, JobState::Revoked, JobState::FailedToSend]
        {
            assert_eq!(s.as_str().parse::<JobState>().unwrap(), s);
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
        }
        assert_eq!(serde_json::to_string(&ConfigType::HostedWeb).unwrap(), "\"hosted_web\"");
        assert_eq!("suspended".parse::<IdentityStatus>().unwrap(), IdentityStatus::Suspended);
        assert!("active".parse::<CredentialState>().is_err());
        for t in [AttestationTrust::Trusted, AttestationTrust::Untrusted, AttestationTrust::Unverified, AttestationTrust::None] {
            assert_eq!(t.as_str().parse::<AttestationTrust>().unwrap(), t);
            assert_eq!(serde_json::to_string(&t).unwrap(), format!("\"{t}\""));
        }
    }

    #[test]
    fn terminal_job_states() {
        let terminal: Vec<_> =
            [JobState::LinkSent, JobState::LinkOpened, JobState::Complete, JobState::Expired, JobState::Revoked, JobState::FailedToSend]
                .into_iter()
                .filter(|s| s.is_terminal())
                .map(JobState::as_str)
                .collect();
        assert_eq!(terminal, ["COMPLETE", "EXPIRED", "REVOKED", "FAILED_TO_SEND"]);
    }
}
