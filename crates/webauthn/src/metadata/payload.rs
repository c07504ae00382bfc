//! The BLOB's payload (MDS 3.0 §3.1.6 MetadataBLOBPayload, §3.1.1
//! MetadataBLOBPayloadEntry, and the parts of the Metadata Statement passbind
//! uses), read with serde. Forward compatible: unknown fields are ignored,
//! unknown status values kept. One entry that cannot be read is skipped (and
//! counted), not the whole BLOB: one vendor's mistake must not take every
//! authenticator's metadata away.

use super::status::{self, AuthenticatorStatus, StatusReport};
use super::{MetadataEntry, MetadataError, SkippedEntry};
use passbind_protocol::base64url;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    #[serde(default)]
    legal_header: String,
    no: u64,
    next_update: String,
    /// Read one by one (see the module's comment).
    entries: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    aaguid: Option<String>,
    #[serde(default)]
    attestation_certificate_key_identifiers: Vec<String>,
    metadata_statement: Option<Statement>,
    #[serde(default)]
    status_reports: Vec<Report>,
    time_of_last_status_change: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Statement {
    aaguid: Option<String>,
    #[serde(default)]
    description: String,
    icon: Option<String>,
    #[serde(default)]
    attestation_types: Vec<String>,
    #[serde(default)]
    attestation_root_certificates: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    status: AuthenticatorStatus,
    effective_date: Option<String>,
    certificate_number: Option<String>,
}

/// The payload's fields, its readable entries and the skipped ones.
pub(super) struct Parsed {
    pub legal_header: String,
    pub no: u64,
    pub next_update: time::Date,
    pub entries: Vec<MetadataEntry>,
    pub skipped: Vec<SkippedEntry>,
}

pub(super) fn parse(payload: &[u8]) -> Result<Parsed, MetadataError> {
    // serde_json bounds nesting (128 levels): deep hostile JSON is an error, not a stack overflow.
    let payload: Payload = serde_json::from_slice(payload).map_err(|e| MetadataError::MalformedPayload(e.to_string()))?;
    let next_update =
        parse_date(&payload.next_update).ok_or_else(|| MetadataError::MalformedPayload("nextUpdate is not a YYYY-MM-DD date".into()))?;
    let mut entries = Vec::with_capacity(payload.entries.len());
    let mut skipped = Vec::new();
    for (index, value) in payload.entries.iter().enumerate() {
        match Entry::deserialize(value).map_err(|_| "not a MetadataBLOBPayloadEntry").and_then(entry) {
            Ok(e) => entries.push(e),
            Err(reason) => skipped.push(SkippedEntry { index, reason }),
        }
    }
    Ok(Parsed { legal_header: payload.legal_header, no: payload.no, next_update, entries, skipped })
}

fn entry(raw: Entry) -> Result<MetadataEntry, &'static str> {
    let aaguid = raw.aaguid.as_deref().map(parse_aaguid).transpose()?;
    let key_ids = raw
        .attestation_certificate_key_identifiers
        .iter()
        .map(|hex| parse_hex(hex).ok_or("an attestationCertificateKeyIdentifier is not hex"))
        .collect::<Result<Vec<_>, _>>()?;
    let mut reports = raw
        .status_reports
        .into_iter()
        .map(|r| {
            let effective_date = r.effective_date.as_deref().map(|d| parse_date(d).ok_or("an effectiveDate is not a date")).transpose()?;
            Ok(StatusReport { status: r.status, effective_date, certificate_number: r.certificate_number })
        })
        .collect::<Result<Vec<_>, &'static str>>()?;
    status::sort_reports(&mut reports);
    let (status, certified) = status::current(&reports).ok_or("the entry has no status report")?;
    // Informational only: a malformed one is dropped, not a reason to lose the entry.
    let time_of_last_status_change = raw.time_of_last_status_change.as_deref().and_then(parse_date);
    let (description, icon, attestation_types, roots) = match raw.metadata_statement {
        Some(statement) => {
            if statement.aaguid.is_some() && statement.aaguid.as_deref().map(parse_aaguid).transpose()? != aaguid {
                return Err("the entry's and its statement's AAGUIDs differ");
            }
            let roots = statement
                .attestation_root_certificates
                .iter()
                // Line breaks inside base64 (as PEM has them) are tolerated.
                .map(|b64| {
                    base64url::decode(&b64.split_ascii_whitespace().collect::<String>())
                        .ok_or("an attestationRootCertificate is not base64")
                })
                .collect::<Result<Vec<_>, _>>()?;
            (statement.description, statement.icon.filter(|i| is_image_data_url(i)), statement.attestation_types, roots)
        }
        None => (String::new(), None, Vec::new(), Vec::new()),
    };
    Ok(MetadataEntry {
        aaguid,
        attestation_certificate_key_identifiers: key_ids,
        description,
        icon,
        attestation_types,
        attestation_root_certificates: roots,
        status,
        certified,
        status_reports: reports,
        time_of_last_status_change,
    })
}

/// An icon is kept only as an inline image (`data:image/…`): the metadata
/// statement defines it so, and a remote URL would make every console view
/// call a third party.
fn is_image_data_url(icon: &str) -> bool {
    icon.get(..11).is_some_and(|p| p.eq_ignore_ascii_case("data:image/"))
}

/// An AAGUID as MDS writes it: 8-4-4-4-12 hexadecimal digits.
fn parse_aaguid(text: &str) -> Result<[u8; 16], &'static str> {
    let bad = "an AAGUID is not 8-4-4-4-12 hexadecimal digits";
    let groups: Vec<&str> = text.split('-').collect();
    if groups.iter().map(|g| g.len()).ne([8, 4, 4, 4, 12]) {
        return Err(bad);
    }
    parse_hex(&groups.concat()).and_then(|b| b.try_into().ok()).ok_or(bad)
}

fn parse_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok()).collect()
}

/// A date as MDS writes it (ISO 8601 `YYYY-MM-DD`).
fn parse_date(text: &str) -> Option<time::Date> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !text.bytes().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit()) {
        return None;
    }
    let year: i32 = text[..4].parse().ok()?;
    let month: u8 = text[5..7].parse().ok()?;
    let day: u8 = text[8..].parse().ok()?;
    time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_dates() {
        assert_eq!(
            parse_aaguid("ee882879-721c-4913-9775-3dfcce97072a"),
            Ok([0xee, 0x88, 0x28, 0x79, 0x72, 0x1c, 0x49, 0x13, 0x97, 0x75, 0x3d, 0xfc, 0xce, 0x97, 0x07, 0x2a])
        );
        for bad in ["ee882879721c491397753dfcce97072a", "ee882879-721c-4913-9775-3dfcce97072", "ee882879-721c-4913-9775-3dfcce97072g", "é"]
        {
            assert!(parse_aaguid(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_hex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(parse_hex("0"), None);
        assert_eq!(parse_hex("+1"), None);
        assert_eq!(parse_date("2024-02-29").map(|d| d.to_string()), Some("2024-02-29".into()));
        for bad in ["2023-02-29", "2024-2-29", "2024-02-29T00:00:00Z", "+024-02-29", "2024-13-01"] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert!(is_image_data_url("data:image/png;base64,iVBOR"));
        assert!(!is_image_data_url("https://example.com/icon.png"));
        assert!(!is_image_data_url("data:text/html,<script>"));
    }
}
