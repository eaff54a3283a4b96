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

/// Most values one ListSecrets filter takes.
pub const MAX_FILTER_VALUES: usize = 10;

/// The secret name inside a Secrets Manager ARN (`arn:…:secret:<name>-<6 random characters>`).
pub fn name_of_arn(arn: &str) -> Option<&str> {
    let with_suffix = arn.splitn(7, ':').nth(6)?;
    let cut = with_suffix.len().checked_sub(7)?;
    (with_suffix.as_bytes().get(cut) == Some(&b'-')).then(|| &with_suffix[..cut])
}

/// The hierarchy part of a name up to and including its first `/` (the whole name without one).
fn first_segment(name: &str) -> &str {
    name.find('/').map_or(name, |i| &name[..=i])
}

/// Drops values another value is a prefix of (the filter matches prefixes, so they add nothing).
fn minimal(values: std::collections::BTreeSet<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        // Sorted: a prefix comes before everything it covers.
        if !out.iter().any(|kept| v.starts_with(kept.as_str())) {
            out.push(v);
        }
    }
    out
}

/// Name-filter values for a store configuration's shared listing that still cover every secret its
/// ExternalSecrets reference (`names`, by name or ARN) and every `find` match (`finds`: each find's
/// literal prefix). The referenced names themselves when they fit in one filter, else their first path
/// segments, else their common prefix. `None` — list everything — when a `find` has no prefix, a name
/// cannot be a filter value, or nothing common is left. A listing narrowed this way only ever holds
/// more than needed, never less: a name it lacks is read, never treated as gone.
pub fn listing_prefixes<'a>(
    names: impl IntoIterator<Item = &'a str>,
    finds: impl IntoIterator<Item = Option<&'a str>>,
) -> Option<Vec<String>> {
    let mut exact = std::collections::BTreeSet::new();
    for name in names {
        let name = if name.starts_with("arn:") {
            name_of_arn(name)?
        } else {
            name
        };
        exact.insert(name.to_string());
    }
    let mut prefixes = std::collections::BTreeSet::new();
    for find in finds {
        prefixes.insert(find.filter(|p| !p.is_empty())?.to_string());
    }
    let valid =
        |v: &String| !v.is_empty() && v.len() <= MAX_FILTER_LEN && v.chars().all(filter_allows);
    if exact.is_empty() && prefixes.is_empty() || !exact.iter().chain(&prefixes).all(valid) {
        return None;
    }
    let all: std::collections::BTreeSet<String> = exact.iter().chain(&prefixes).cloned().collect();
    let values = minimal(all.clone());
    if values.len() <= MAX_FILTER_VALUES {
        return Some(values);
    }
    let segments = minimal(
        exact
            .iter()
            .map(|n| first_segment(n).to_string())
            .chain(prefixes.iter().cloned())
            .collect(),
    );
    if segments.len() <= MAX_FILTER_VALUES {
        return Some(segments);
    }
    let mut common = all.iter().next()?.clone();
    for v in &all {
        let same = common
            .chars()
            .zip(v.chars())
            .take_while(|(a, b)| a == b)
            .count();
        common = common.chars().take(same).collect();
    }
    (!common.is_empty()).then(|| vec![common])
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

    #[test]
    fn listing_prefixes_cover_every_reference() {
        let arn = "arn:aws:secretsmanager:us-east-1:111122223333:secret:team-a/db-AbCdEf";
        type Case<'a> = (Vec<&'a str>, Vec<Option<&'a str>>, Option<Vec<&'a str>>);
        let cases: Vec<Case> = vec![
            // A few names: the names themselves.
            (
                vec!["team-a/db", "team-a/api"],
                vec![],
                Some(vec!["team-a/api", "team-a/db"]),
            ),
            // An ARN counts by its name.
            (vec![arn], vec![], Some(vec!["team-a/db"])),
            // A name covered by a find's prefix is dropped.
            (
                vec!["team-a/db"],
                vec![Some("team-a/")],
                Some(vec!["team-a/"]),
            ),
            // A find without a prefix, or tags only, needs everything.
            (vec!["team-a/db"], vec![None], None),
            (vec!["team-a/db"], vec![Some("")], None),
            // Nothing referenced: no reason to narrow.
            (vec![], vec![], None),
            // An ARN that is not a secret ARN, or a name no filter can carry.
            (vec!["arn:aws:ssm:us-east-1:1:parameter/x"], vec![], None),
            (vec!["team a/db*"], vec![], None),
            (vec!["!negated"], vec![], None),
        ];
        for (names, finds, want) in cases {
            let got = listing_prefixes(names.iter().copied(), finds.iter().copied());
            let want = want.map(|w| w.into_iter().map(String::from).collect::<Vec<_>>());
            assert_eq!(got, want, "names {names:?} finds {finds:?}");
        }
    }

    #[test]
    fn many_names_fall_back_to_segments_then_the_common_prefix_then_everything() {
        let by_team: Vec<String> = (0..30).map(|i| format!("team-{}/s{i}", i % 3)).collect();
        assert_eq!(
            listing_prefixes(by_team.iter().map(String::as_str), []),
            Some(vec!["team-0/".into(), "team-1/".into(), "team-2/".into()])
        );
        let flat: Vec<String> = (0..30).map(|i| format!("app-{i:02}")).collect();
        assert_eq!(
            listing_prefixes(flat.iter().map(String::as_str), []),
            Some(vec!["app-".into()])
        );
        let unrelated: Vec<String> = (0..30)
            .map(|i| format!("{}x{i}", (b'a' + i as u8 % 26) as char))
            .collect();
        assert_eq!(
            listing_prefixes(unrelated.iter().map(String::as_str), []),
            None
        );
    }

    #[test]
    fn every_listing_prefix_is_a_true_prefix_of_what_it_covers() {
        let names: Vec<String> = (0..200)
            .map(|i| match i % 4 {
                0 => format!("prod/app-{i}"),
                1 => format!("prod/db/{i}"),
                2 => format!("staging/{i}"),
                _ => format!("p{i}"),
            })
            .collect();
        for n in [1, 5, 10, 11, 50, 200] {
            let refs: Vec<&str> = names.iter().take(n).map(String::as_str).collect();
            if let Some(prefixes) = listing_prefixes(refs.iter().copied(), []) {
                assert!(prefixes.len() <= MAX_FILTER_VALUES);
                for r in &refs {
                    assert!(
                        prefixes.iter().any(|p| r.starts_with(p.as_str())),
                        "{r} not covered by {prefixes:?}"
                    );
                }
            }
        }
    }
}
