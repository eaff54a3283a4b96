//! The server-side ListSecrets `Name` filter for `find`: the literal text every name a
//! `find.name.regexp` can match must start with.
//!
//! The filter is a case-insensitive prefix match, so any prefix of the true literal prefix is
//! safe (it only lists more names, which the regexp then filters client-side); a prefix that is
//! too long silently drops matches. Everything here therefore errs towards shorter prefixes, and
//! towards no filter at all when the regexp's shape is not obviously a single anchored branch.

/// Longest value a ListSecrets filter accepts.
pub const MAX_FILTER_LEN: usize = 512;

/// Characters a ListSecrets filter value may hold. (`!` is allowed by the service but negates the
/// filter when leading; this module never emits it.)
fn filter_allows(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, ' ' | ':' | '_' | '@' | '/' | '+' | '=' | '.' | '-')
}

/// Unescaped characters that stand for themselves in a regexp and may appear in a filter.
fn plain_literal(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '=' | '@')
}

/// Whether the regexp has an unescaped `|` anywhere (inside a group or a class too: either way
/// the conservative answer is "no prefix").
fn has_alternation(re: &str) -> bool {
    let mut chars = re.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '|' => return true,
            _ => {}
        }
    }
    false
}

/// The literal prefix of a `find.name.regexp` for a server-side Name filter, or `None` when there
/// is none worth sending. Only a regexp anchored with a leading `^` and without any `|` has one;
/// it is the run of literal characters after `^` (alphanumerics, `/ _ - = @`, and escaped
/// punctuation the filter allows, such as `\.` or `\+`), up to the first metacharacter. A `?`, `*`
/// or `{` quantifier after the run removes its last character; a `+` keeps it.
pub fn literal_prefix(re: &str) -> Option<String> {
    if has_alternation(re) {
        return None;
    }
    let rest = re.strip_prefix('^')?;
    let mut prefix = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(&c) = chars.peek() {
        let literal = if c == '\\' {
            let mut ahead = chars.clone();
            ahead.next();
            match ahead.next() {
                // `\d`, `\w`, `\b`, `\x41`, `\p{..}`, ...: classes, assertions or escapes.
                Some(e) if !e.is_ascii_alphanumeric() && filter_allows(e) => {
                    chars.next();
                    e
                }
                _ => break,
            }
        } else if plain_literal(c) {
            c
        } else {
            break;
        };
        chars.next();
        prefix.push(literal);
    }
    if matches!(chars.peek(), Some('?' | '*' | '{')) {
        prefix.pop();
    }
    // A shorter prefix is still correct, so truncating to the filter's limit is safe.
    let prefix: String = prefix.chars().take(MAX_FILTER_LEN).collect();
    (!prefix.is_empty()).then_some(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_prefixes() {
        let cases: &[(&str, Option<&str>)] = &[
            // Plain anchored literals.
            ("^prod/shared/", Some("prod/shared/")),
            ("^prod/shared/api-key$", Some("prod/shared/api-key")),
            ("^a_b-c=d@e/f", Some("a_b-c=d@e/f")),
            ("^ABC123", Some("ABC123")),
            // Metacharacters stop the run.
            ("^prod/.*", Some("prod/")),
            ("^a.b", Some("a")),
            ("^a[bc]", Some("a")),
            ("^a(b)", Some("a")),
            ("^abc$", Some("abc")),
            ("^a\\d", Some("a")),
            ("^a\\w+", Some("a")),
            ("^a\\b", Some("a")),
            ("^a\\x41", Some("a")),
            ("^a\\p{L}", Some("a")),
            ("^a b", Some("a")),
            ("^a,b", Some("a")),
            ("^a:b", Some("a")),
            ("^a!b", Some("a")),
            ("^a^", Some("a")),
            ("^a$b", Some("a")),
            ("^ab(?i)c", Some("ab")),
            // Quantifiers: `?`, `*` and `{..}` may drop the last character, `+` keeps it.
            ("^prod/a?", Some("prod/")),
            ("^prod/a*", Some("prod/")),
            ("^prod/a??", Some("prod/")),
            ("^ab+c", Some("ab")),
            ("^a+", Some("a")),
            ("^ab+?c", Some("ab")),
            ("^a{2}", None),
            ("^ab{0,3}c", Some("a")),
            ("^ab{2,}", Some("a")),
            ("^a?", None),
            ("^a*b", None),
            // Escaped punctuation is its literal character when the filter allows it.
            ("^a\\.b", Some("a.b")),
            ("^a\\+b", Some("a+b")),
            ("^a\\/b", Some("a/b")),
            ("^a\\-b", Some("a-b")),
            ("^a\\=b", Some("a=b")),
            ("^a\\@b", Some("a@b")),
            ("^a\\ b", Some("a b")),
            ("^a\\:b", Some("a:b")),
            ("^a\\.?", Some("a")),
            ("^a\\+*b", Some("a")),
            ("^a\\.+b", Some("a.")),
            // Escaped characters the filter does not allow stop the run.
            ("^a\\|b", Some("a")),
            ("^a\\*b", Some("a")),
            ("^a\\(b", Some("a")),
            ("^a\\\\b", Some("a")),
            ("^a\\!b", Some("a")),
            ("^\\!a", None),
            ("^a\\", Some("a")),
            // Never a leading `!` (it would negate the filter).
            ("^!a", None),
            // Any unescaped `|`: a top-level branch may match anywhere.
            ("^a|b", None),
            ("^prod/a|^prod/b", None),
            ("^(a|b)", None),
            ("^prod/(a|b)", None),
            ("^prod/[|]", None),
            ("^a\\\\|b", None),
            // Not anchored, or a leading group or flag.
            ("prod/", None),
            ("prod/^a", None),
            ("(?i)^abc", None),
            ("^(?i)abc", None),
            ("^(prod)/", None),
            ("", None),
            ("^", None),
            ("^.*", None),
        ];
        for (re, want) in cases {
            assert_eq!(literal_prefix(re).as_deref(), *want, "regexp {re:?}");
        }
    }

    #[test]
    fn every_prefix_is_a_valid_filter_and_a_true_prefix_of_matches() {
        for (re, name) in [
            ("^prod/shared/", "prod/shared/x"),
            ("^ab+c", "abbbc"),
            ("^a\\.b", "a.b/c"),
            ("^prod/a?", "prod/"),
            ("^ab{0,3}c", "ac"),
            ("^a\\+b", "a+b"),
        ] {
            let p = literal_prefix(re).unwrap_or_default();
            assert!(p.chars().all(filter_allows), "{re:?} -> {p:?}");
            assert!(!p.starts_with('!'), "{re:?} -> {p:?}");
            assert!(
                regex::Regex::new(re).is_ok_and(|r| r.is_match(name)),
                "{re:?}"
            );
            assert!(
                name.starts_with(&p),
                "{re:?} -> {p:?} is not a prefix of {name:?}"
            );
        }
    }

    #[test]
    fn long_prefixes_are_truncated_to_the_filter_limit() {
        let re = format!("^{}", "a".repeat(600));
        assert_eq!(literal_prefix(&re).map(|p| p.len()), Some(MAX_FILTER_LEN));
    }
}
