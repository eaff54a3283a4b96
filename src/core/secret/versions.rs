//! The record of synced versions (remote key → version id) kept in status and on the Secret, bounded in
//! size however many secrets a `find` matches, and what counts as a rotation between two records.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

/// Most entries recorded one by one; larger sets are recorded as one digest entry.
pub const MAX_RECORDED_VERSIONS: usize = 100;
/// Largest record, in bytes of JSON, kept entry by entry.
pub const MAX_RECORD_BYTES: usize = 16 * 1024;
/// The key of the single entry of a compacted record.
pub const COMPACT_KEY: &str = "*";

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A digest of (key, version id) pairs, length-prefixed so different maps never collide by
/// concatenation. Version ids are not secret.
pub fn digest_of(versions: &BTreeMap<String, String>) -> String {
    let mut h = Sha256::new();
    for (k, v) in versions {
        h.update((k.len() as u64).to_be_bytes());
        h.update(k.as_bytes());
        h.update((v.len() as u64).to_be_bytes());
        h.update(v.as_bytes());
    }
    hex(&h.finalize())[..32].to_string()
}

/// The record to keep for `versions`: the map itself when small, else
/// `{"*": "<n> versions <keys digest> <pairs digest> <number-form pairs digest>"}`.
pub fn bounded(versions: BTreeMap<String, String>) -> BTreeMap<String, String> {
    let bytes: usize = versions.iter().map(|(k, v)| k.len() + v.len() + 6).sum();
    if versions.len() <= MAX_RECORDED_VERSIONS && bytes <= MAX_RECORD_BYTES {
        return versions;
    }
    // The key set and the (key, version) pairs are digested apart, so a compacted record still tells an
    // added or removed key (not a rotation) from a new version of a key.
    let keys: BTreeMap<String, String> = versions
        .keys()
        .map(|k| (k.clone(), String::new()))
        .collect();
    // A third digest over the pairs with Parameter Store versions reduced to their number: a record
    // compacted before versions carried their modification time compares with this one.
    let numbers: BTreeMap<String, String> = versions
        .iter()
        .map(|(k, v)| (k.clone(), number_form(v).to_string()))
        .collect();
    let value = format!(
        "{} versions {} {} {}",
        versions.len(),
        digest_of(&keys),
        digest_of(&versions),
        digest_of(&numbers)
    );
    BTreeMap::from([(COMPACT_KEY.to_string(), value)])
}

/// A Parameter Store version identity (`3@<time>`) as its bare number (`3`); anything else as is.
fn number_form(version: &str) -> &str {
    match version.split_once('@') {
        Some((n, time))
            if !time.is_empty()
                && !n.is_empty()
                && !n.starts_with('0')
                && n.bytes().all(|c| c.is_ascii_digit()) =>
        {
            n
        }
        _ => version,
    }
}

/// Whether two recorded versions are the same version (a Parameter Store version identity may be
/// recorded with or without its modification time). A bare number (a record written before
/// versions carried their modification time) equals an identity with that number, so an upgrade is
/// neither a rotation nor a restart; two identities with times must match exactly.
pub fn same_version(a: &str, b: &str) -> bool {
    // A bare parameter version: digits only, no leading zero.
    let bare =
        |v: &str| !v.is_empty() && !v.starts_with('0') && v.bytes().all(|c| c.is_ascii_digit());
    // `n@<time>` with that very number.
    let timed = |number: &str, v: &str| {
        v.strip_prefix(number)
            .and_then(|rest| rest.strip_prefix('@'))
            .is_some_and(|time| !time.is_empty())
    };
    a == b || (bare(a) && timed(a, b)) || (bare(b) && timed(b, a))
}

/// Whether a record is the compacted (digest) form.
pub fn is_compact(record: &BTreeMap<String, String>) -> bool {
    record.len() == 1 && record.contains_key(COMPACT_KEY)
}

/// The (key-set digest, pairs digest, number-form pairs digest) of a compacted record; the last is
/// None in records compacted before it existed.
fn compact_parts(record: &BTreeMap<String, String>) -> Option<(&str, &str, Option<&str>)> {
    let mut words = record.get(COMPACT_KEY)?.split(' ');
    let (_, _, keys, pairs) = (words.next()?, words.next()?, words.next()?, words.next()?);
    Some((keys, pairs, words.next()))
}

/// A rotation: a remote key that was synced before now has a different version. A first sync, an added
/// or removed key (a spec edit, a new `find` match) or a changed stage selector is not. Two compacted
/// records are a rotation when their key sets are equal and a version differs (a change that adds a key
/// and rotates another at once is not seen as a rotation); a switch between the forms is not.
pub fn is_rotation(
    previous: &BTreeMap<String, String>,
    current: &BTreeMap<String, String>,
) -> bool {
    match (is_compact(previous), is_compact(current)) {
        (true, true) => match (compact_parts(previous), compact_parts(current)) {
            // An older record (no number form) holds bare parameter numbers: compare number forms.
            (Some((pk, pp, None)), Some((ck, cp, cn))) => pk == ck && pp != cn.unwrap_or(cp),
            (Some((pk, pp, Some(pn))), Some((ck, cp, cn))) => {
                pk == ck && if cn.is_some() { pp != cp } else { pn != cp }
            }
            _ => false,
        },
        (false, false) => previous
            .iter()
            .any(|(k, v)| current.get(k).is_some_and(|now| !same_version(now, v))),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn rotation_table() {
        type Pairs<'a> = &'a [(&'a str, &'a str)];
        let cases: &[(Pairs, Pairs, bool, &str)] = &[
            (&[], &[("a", "1")], false, "first sync"),
            (&[("a", "1")], &[("a", "1")], false, "no change"),
            (&[("a", "1")], &[("a", "2")], true, "new version"),
            (
                &[("/p", "3")],
                &[("/p", "3@2026-12-07T03:21:05.123Z")],
                false,
                "a parameter record gains its modification time (upgrade)",
            ),
            (
                &[("/p", "3@2026-12-07T03:21:05.123Z")],
                &[("/p", "3@2026-12-07T04:00:00.000Z")],
                true,
                "a parameter re-created at the same number",
            ),
            (&[("a", "1")], &[("a", "1"), ("b", "1")], false, "key added"),
            (
                &[("a", "1"), ("b", "1")],
                &[("a", "1")],
                false,
                "key removed",
            ),
            (
                &[("a", "1")],
                &[("a", "1"), ("b", "9")],
                false,
                "added key with any version",
            ),
            (
                &[("a", "1"), ("b", "1")],
                &[("a", "2"), ("c", "1")],
                true,
                "one rotated, one swapped",
            ),
            (
                &[("a", "1")],
                &[("a@AWSPREVIOUS", "0")],
                false,
                "stage edit",
            ),
            (&[("a", "1")], &[], false, "everything removed"),
        ];
        for (prev, cur, want, what) in cases {
            assert_eq!(is_rotation(&m(prev), &m(cur)), *want, "{what}");
        }
    }

    #[test]
    fn large_records_are_compacted_and_bounded() {
        let big: BTreeMap<String, String> = (0..1400)
            .map(|i| (format!("prod/find/secret-{i:05}"), format!("v-{i}")))
            .collect();
        let record = bounded(big.clone());
        assert!(is_compact(&record));
        assert!(serde_json::to_string(&record).map(|s| s.len()).unwrap_or(0) < 140);
        assert!(record[COMPACT_KEY].starts_with("1400 versions "));
        let mut rotated = big.clone();
        rotated.insert("prod/find/secret-00001".into(), "v-new".into());
        assert!(is_rotation(&record, &bounded(rotated)));
        assert!(!is_rotation(&record, &bounded(big.clone())));
        let mut added = big.clone();
        added.insert("prod/find/secret-99999".into(), "v".into());
        assert!(
            !is_rotation(&record, &bounded(added.clone())),
            "a new find match is not a rotation"
        );
        assert!(
            !is_rotation(&bounded(added), &record),
            "nor is a removed one"
        );
        let small = m(&[("a", "1")]);
        assert_eq!(bounded(small.clone()), small);
        assert!(
            !is_rotation(&record, &small),
            "a form switch is not a rotation"
        );
    }

    #[test]
    fn compacted_parameter_records_survive_the_version_identity_upgrade() {
        let bare: BTreeMap<String, String> = (0..150)
            .map(|i| (format!("/app/p{i:03}"), (i + 1).to_string()))
            .collect();
        let timed = |t: &str| -> BTreeMap<String, String> {
            bare.iter()
                .map(|(k, v)| (k.clone(), format!("{v}@{t}")))
                .collect()
        };
        let keys: BTreeMap<String, String> =
            bare.keys().map(|k| (k.clone(), String::new())).collect();
        // A record compacted by an earlier secretsync: no number-form digest.
        let legacy = BTreeMap::from([(
            COMPACT_KEY.to_string(),
            format!("150 versions {} {}", digest_of(&keys), digest_of(&bare)),
        )]);
        let t1 = bounded(timed("2026-12-07T03:00:00.000Z"));
        assert!(
            !is_rotation(&legacy, &t1),
            "the same numbers gaining their times is no rotation (no restart on upgrade)"
        );
        assert!(!is_rotation(&t1, &legacy), "nor a downgrade");
        let mut moved = timed("2026-12-07T03:00:00.000Z");
        moved.insert("/app/p007".into(), "99@2026-12-07T04:00:00.000Z".into());
        assert!(is_rotation(&legacy, &bounded(moved.clone())));
        assert!(is_rotation(&t1, &bounded(moved)));
        // Re-created parameters (same numbers, new times) are a rotation between timed records.
        assert!(is_rotation(
            &t1,
            &bounded(timed("2026-12-07T05:00:00.000Z"))
        ));
        assert!(!is_rotation(
            &t1,
            &bounded(timed("2026-12-07T03:00:00.000Z"))
        ));
        // Secrets Manager versions have no number form: old and new compactions compare as before.
        let sm: BTreeMap<String, String> = (0..150)
            .map(|i| (format!("prod/s{i:03}"), format!("uuid-{i}")))
            .collect();
        let sm_keys: BTreeMap<String, String> =
            sm.keys().map(|k| (k.clone(), String::new())).collect();
        let sm_legacy = BTreeMap::from([(
            COMPACT_KEY.to_string(),
            format!("150 versions {} {}", digest_of(&sm_keys), digest_of(&sm)),
        )]);
        assert!(!is_rotation(&sm_legacy, &bounded(sm.clone())));
        let mut sm_rotated = sm.clone();
        sm_rotated.insert("prod/s001".into(), "uuid-new".into());
        assert!(is_rotation(&sm_legacy, &bounded(sm_rotated)));
    }

    #[test]
    fn long_names_compact_by_size() {
        let long: BTreeMap<String, String> = (0..50)
            .map(|i| (format!("{}{i}", "n".repeat(500)), "v".into()))
            .collect();
        assert!(is_compact(&bounded(long)));
    }

    #[test]
    fn digests_are_length_prefixed() {
        assert_ne!(digest_of(&m(&[("ab", "c")])), digest_of(&m(&[("a", "bc")])));
    }

    #[test]
    fn a_bare_parameter_number_is_the_same_version_as_its_timed_identity() {
        // (a, b, same?)
        let cases = [
            ("3@t1", "3@t1", true),
            ("3@t1", "3@t2", false),
            ("3", "3@t1", true),
            ("3@t1", "3", true),
            ("3", "4@t1", false),
            ("3", "3", true),
            ("3", "4", false),
            ("3@t1", "4@t1", false),
            ("abc", "abc@t", false),
            ("03", "03@t1", false),
            ("+3", "+3@t1", false),
            ("3", "3@", false),
            ("3", "33@t1", false),
            ("", "@t", false),
        ];
        for (a, b, want) in cases {
            assert_eq!(same_version(a, b), want, "{a} vs {b}");
        }
    }
}
