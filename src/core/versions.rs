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

/// The record to keep for `versions`: the map itself when small, else `{"*": "<n> versions <digest>"}`.
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
    let value = format!(
        "{} versions {} {}",
        versions.len(),
        digest_of(&keys),
        digest_of(&versions)
    );
    BTreeMap::from([(COMPACT_KEY.to_string(), value)])
}

/// Whether a record is the compacted (digest) form.
pub fn is_compact(record: &BTreeMap<String, String>) -> bool {
    record.len() == 1 && record.contains_key(COMPACT_KEY)
}

/// The (key-set digest, pairs digest) of a compacted record.
fn compact_parts(record: &BTreeMap<String, String>) -> Option<(&str, &str)> {
    let mut words = record.get(COMPACT_KEY)?.split(' ');
    let (_, _, keys, pairs) = (words.next()?, words.next()?, words.next()?, words.next()?);
    Some((keys, pairs))
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
            (Some((pk, pp)), Some((ck, cp))) => pk == ck && pp != cp,
            _ => false,
        },
        (false, false) => previous
            .iter()
            .any(|(k, v)| current.get(k).is_some_and(|now| now != v)),
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
        assert!(serde_json::to_string(&record).map(|s| s.len()).unwrap_or(0) < 100);
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
}
