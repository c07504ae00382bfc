//! Identity search (`?q=`): a case-insensitive substring of the username,
//! email address or display name, as a SQL `LIKE` pattern in which the
//! searched text's own `%`, `_` and `\` are literal (`ESCAPE '\'`).

/// The `WHERE` condition's pattern: `%` + the escaped text + `%`.
pub(super) fn like_pattern(search: &str) -> String {
    let mut pattern = String::with_capacity(search.len() + 2);
    pattern.push('%');
    for c in search.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

#[cfg(test)]
mod tests {
    use super::like_pattern;

    #[test]
    fn wildcards_in_the_search_are_literal() {
        assert_eq!(like_pattern("ada"), "%ada%");
        assert_eq!(like_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
    }
}
