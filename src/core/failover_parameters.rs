//! Failover safety for Parameter Store, which does not replicate: a parameter in a failover region is
//! another parameter with the same name, and its version numbers are unrelated to the primary's. So no
//! region can vouch for another's version (Secrets Manager's [`super::may_replace`] does not carry
//! over). Every answer of a failover region carries that region in its version identity
//! ([`super::answered_in`]), and the rule judges each reference by what it read:
//! - a failover region's answer may fill a reference that was never synced;
//! - it may confirm the value the Secret holds, but the synced version identity stays recorded (the
//!   failover region's would make the primary's return look like a rotation and restart workloads);
//! - it never replaces a synced value with a different one: the Secret stays as it is;
//! - the primary's answer is the truth; replacing an identity a failover region answered with by the
//!   primary's, with the same data, is no rotation.
//!
//! A failover region's "not found" never confirms a deletion: only the primary is asked (see
//! `Provider::confirm_deleted`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;

use super::failover_region_of;
use crate::core::remote::{Fetched, FetchedFrom};
use crate::core::target::{FIELD_MANAGER, owned_data_keys};
use crate::core::versions::is_compact;

/// What a refresh does with one reference's read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Judgement {
    /// Record the read version (a change of version counts as a rotation, as always).
    Use,
    /// Record the read version, and not as a rotation: the primary's version replaces one a failover
    /// region answered with, and the Secret's data stays the same.
    UseWithoutRestart,
    /// A failover region answered with the value the Secret holds: keep the synced version recorded.
    KeepSyncedVersion,
    /// A failover region answered with another value than the synced one: keep the Secret as it is.
    KeepSecret,
}

/// The rule for one reference: `synced` is its version in `syncedVersions` (None: never synced),
/// `read` the version this refresh read (with its region when a failover region answered),
/// `same_data` whether the Secret written from this refresh's values holds the same data as now.
pub fn judge(synced: Option<&str>, read: &str, same_data: bool) -> Judgement {
    let Some(synced) = synced.filter(|s| *s != read) else {
        return Judgement::Use;
    };
    match (
        failover_region_of(read),
        failover_region_of(synced),
        same_data,
    ) {
        (None, Some(_), true) => Judgement::UseWithoutRestart,
        (None, _, _) => Judgement::Use,
        (Some(_), _, true) => Judgement::KeepSyncedVersion,
        (Some(_), _, false) => Judgement::KeepSecret,
    }
}

/// The outcome of [`judge_record`] that lets a refresh go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    /// The `syncedVersions` to record.
    pub record: BTreeMap<String, String>,
    /// What the rotation decision compares `record` with (the previous record, except where the
    /// primary's version replaced a failover region's with the same data).
    pub rotation_base: BTreeMap<String, String>,
}

/// A refresh the rule stops: the Secret stays as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    /// The reference (`syncedVersions` key) whose synced value a failover region would replace.
    pub key: String,
    /// The failover region that answered (empty when not known per key).
    pub region: String,
}

/// [`judge`] over a whole record. `previous`: the synced record; `now`: the record this refresh
/// read; `failover_region`: a failover region that answered any of this refresh's reads (also when
/// the record is compacted, where identities are digests); `same_data`: as for [`judge`].
pub fn judge_record(
    previous: &BTreeMap<String, String>,
    now: &BTreeMap<String, String>,
    failover_region: Option<&str>,
    same_data: bool,
) -> Result<Judged, Kept> {
    let unchanged = || Judged {
        record: now.clone(),
        rotation_base: previous.clone(),
    };
    if is_compact(previous) || is_compact(now) {
        return match failover_region {
            Some(_) if previous.is_empty() || previous == now => Ok(unchanged()),
            Some(_) if same_data => Ok(Judged {
                record: previous.clone(),
                rotation_base: previous.clone(),
            }),
            Some(region) => Err(Kept {
                key: now.keys().next().cloned().unwrap_or_default(),
                region: region.to_string(),
            }),
            None => Ok(unchanged()),
        };
    }
    // A key a failover region's answers no longer give (a `find` there matches other parameters) is
    // a change of data like any other.
    if let Some(region) = failover_region
        && !same_data
        && let Some(key) = previous.keys().find(|k| !now.contains_key(*k))
    {
        return Err(Kept {
            key: key.clone(),
            region: region.to_string(),
        });
    }
    let mut judged = unchanged();
    for (key, read) in now {
        let synced = previous.get(key).map(String::as_str);
        match judge(synced, read, same_data) {
            Judgement::Use => {}
            Judgement::UseWithoutRestart => {
                judged.rotation_base.insert(key.clone(), read.clone());
            }
            Judgement::KeepSyncedVersion => {
                if let Some(s) = synced {
                    judged.record.insert(key.clone(), s.to_string());
                }
            }
            Judgement::KeepSecret => {
                return Err(Kept {
                    key: key.clone(),
                    region: failover_region_of(read).unwrap_or_default().to_string(),
                });
            }
        }
    }
    Ok(judged)
}

/// A failover region that answered any of `fetched`'s reads (by the region in its version identity).
pub fn answered_by_failover(fetched: &Fetched) -> Option<&str> {
    let finds = fetched.data_from.iter().flat_map(|f| match f {
        FetchedFrom::Extract(s) => std::slice::from_ref(s),
        FetchedFrom::Find(all) => all.as_slice(),
    });
    fetched
        .data
        .iter()
        .chain(finds)
        .find_map(|s| failover_region_of(&s.version_id))
}

/// Whether the `existing` Secret holds exactly `data` in the keys this controller writes (every
/// wanted key with that value, and no key it owns that is no longer wanted).
pub fn holds(existing: Option<&Secret>, data: &BTreeMap<String, Vec<u8>>) -> bool {
    let Some(existing) = existing else {
        return false;
    };
    let have = existing.data.as_ref();
    data.iter()
        .all(|(k, v)| have.and_then(|h| h.get(k)).is_some_and(|b| b.0 == *v))
        && owned_data_keys(existing, FIELD_MANAGER)
            .iter()
            .all(|k| data.contains_key(k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::failover::answered_in;

    /// Every (synced, read, same data) combination: who answered each, and whether they match.
    #[test]
    fn a_failover_region_fills_and_confirms_but_never_replaces() {
        use Judgement::*;
        let p1 = "3@2026-12-07T03:21:05.123Z";
        let p2 = "4@2026-12-07T04:00:00.000Z";
        let f1 = answered_in("1@2026-12-01T00:00:00.000Z", "us-west-2");
        let f2 = answered_in("2@2026-12-02T00:00:00.000Z", "us-west-2");
        let g1 = answered_in("1@2026-12-01T00:00:00.000Z", "eu-west-1");
        // (synced, read, same data, judgement)
        let cases: Vec<(Option<&str>, &str, bool, Judgement)> = vec![
            // Never synced: any region fills it.
            (None, p1, true, Use),
            (None, p1, false, Use),
            (None, &f1, true, Use),
            (None, &f1, false, Use),
            // Unchanged, whoever answered.
            (Some(p1), p1, true, Use),
            (Some(p1), p1, false, Use),
            (Some(&f1), &f1, true, Use),
            (Some(&f1), &f1, false, Use),
            // The primary moves on: a rotation as always.
            (Some(p1), p2, true, Use),
            (Some(p1), p2, false, Use),
            // The primary returns after a failover region filled the reference.
            (Some(&f1), p1, true, UseWithoutRestart),
            (Some(&f1), p1, false, Use),
            // A failover region answers over a primary's version.
            (Some(p1), &f1, true, KeepSyncedVersion),
            (Some(p1), &f1, false, KeepSecret),
            // ... over its own earlier answer, or another failover region's.
            (Some(&f1), &f2, true, KeepSyncedVersion),
            (Some(&f1), &f2, false, KeepSecret),
            (Some(&f1), &g1, true, KeepSyncedVersion),
            (Some(&f1), &g1, false, KeepSecret),
        ];
        for (synced, read, same, want) in cases {
            assert_eq!(
                judge(synced, read, same),
                want,
                "synced {synced:?}, read {read}, same data {same}"
            );
        }
    }

    #[test]
    fn a_record_keeps_synced_identities_and_stops_at_the_first_different_value() {
        let m = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let f = |v: &str| answered_in(v, "us-west-2");
        let previous = m(&[("/a", "1@t1"), ("/b", "5@t5")]);
        // (previous, now, failover region, same data, result)
        type Case = (
            BTreeMap<String, String>,
            BTreeMap<String, String>,
            Option<&'static str>,
            bool,
            Result<Judged, Kept>,
        );
        let judged = |record: BTreeMap<String, String>, base: BTreeMap<String, String>| {
            Ok(Judged {
                record,
                rotation_base: base,
            })
        };
        let kept = |key: &str| {
            Err(Kept {
                key: key.into(),
                region: "us-west-2".into(),
            })
        };
        let cases: Vec<Case> = vec![
            // The primary answered everything: unchanged rules.
            (
                previous.clone(),
                m(&[("/a", "2@t2"), ("/b", "5@t5")]),
                None,
                false,
                judged(m(&[("/a", "2@t2"), ("/b", "5@t5")]), previous.clone()),
            ),
            // A new ExternalSecret filled by a failover region.
            (
                m(&[]),
                m(&[("/a", &f("9@t9"))]),
                Some("us-west-2"),
                false,
                judged(m(&[("/a", &f("9@t9"))]), m(&[])),
            ),
            // The failover region holds the same value: the synced identities stay.
            (
                previous.clone(),
                m(&[("/a", &f("9@t9")), ("/b", &f("8@t8"))]),
                Some("us-west-2"),
                true,
                judged(previous.clone(), previous.clone()),
            ),
            // ... another value: the Secret is kept.
            (
                previous.clone(),
                m(&[("/a", &f("9@t9")), ("/b", &f("8@t8"))]),
                Some("us-west-2"),
                false,
                kept("/a"),
            ),
            // A synced key the failover region's find does not return, with other data: kept.
            (
                previous.clone(),
                m(&[("/a", "1@t1")]),
                Some("us-west-2"),
                false,
                kept("/b"),
            ),
            // The primary returns with the value the failover region filled: no rotation.
            (
                m(&[("/a", &f("9@t9"))]),
                m(&[("/a", "1@t1")]),
                None,
                true,
                judged(m(&[("/a", "1@t1")]), m(&[("/a", "1@t1")])),
            ),
            // ... with another value: a rotation.
            (
                m(&[("/a", &f("9@t9"))]),
                m(&[("/a", "1@t1")]),
                None,
                false,
                judged(m(&[("/a", "1@t1")]), m(&[("/a", &f("9@t9"))])),
            ),
        ];
        for (previous, now, region, same, want) in cases {
            assert_eq!(
                judge_record(&previous, &now, region, same),
                want,
                "{previous:?} -> {now:?} ({region:?}, same data {same})"
            );
        }
        // Compacted records (a large find): judged as a whole.
        let compact = |n: usize, v: &str| {
            crate::core::versions::bounded(
                (0..n).map(|i| (format!("/k{i}"), v.to_string())).collect(),
            )
        };
        let old = compact(500, "1@t");
        let new = compact(500, &f("2@t"));
        assert_eq!(
            judge_record(&old, &new, Some("us-west-2"), true),
            judged(old.clone(), old.clone())
        );
        assert!(judge_record(&old, &new, Some("us-west-2"), false).is_err());
        assert_eq!(
            judge_record(&m(&[]), &new, Some("us-west-2"), false),
            judged(new.clone(), m(&[]))
        );
        assert_eq!(
            judge_record(&old, &new, None, false),
            judged(new.clone(), old.clone())
        );
    }

    #[test]
    fn a_secret_holds_data_only_with_every_wanted_key_and_value() {
        use k8s_openapi::ByteString;
        let secret = |pairs: &[(&str, &[u8])]| Secret {
            data: Some(
                pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), ByteString(v.to_vec())))
                    .collect(),
            ),
            ..Default::default()
        };
        let data = |pairs: &[(&str, &[u8])]| -> BTreeMap<String, Vec<u8>> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_vec()))
                .collect()
        };
        let s = secret(&[("a", b"1"), ("other", b"x")]);
        assert!(holds(Some(&s), &data(&[("a", b"1")])));
        assert!(!holds(Some(&s), &data(&[("a", b"2")])));
        assert!(!holds(Some(&s), &data(&[("a", b"1"), ("b", b"1")])));
        assert!(!holds(None, &data(&[("a", b"1")])));
    }

    #[test]
    fn any_read_of_a_failover_region_names_it() {
        use crate::core::remote::{Fetched, FetchedFrom, RemoteContent, RemoteSecret};
        let read = |id: &str| RemoteSecret {
            name: "/app/db".into(),
            arn: String::new(),
            version_id: id.to_string(),
            content: RemoteContent::String("v".into()),
        };
        let mut fetched = Fetched::default();
        assert_eq!(answered_by_failover(&fetched), None);
        fetched.data.push(read("3@t"));
        fetched.data_from.push(FetchedFrom::Find(vec![read("1@t")]));
        assert_eq!(answered_by_failover(&fetched), None);
        fetched
            .data_from
            .push(FetchedFrom::Find(vec![read(&answered_in(
                "2@t",
                "us-west-2",
            ))]));
        assert_eq!(answered_by_failover(&fetched), Some("us-west-2"));
        let only_extract = Fetched {
            data_from: vec![FetchedFrom::Extract(read(&answered_in("1@t", "eu-west-1")))],
            ..Fetched::default()
        };
        assert_eq!(answered_by_failover(&only_extract), Some("eu-west-1"));
    }
}
