use super::{RegionAnswer, Verdict, dropped_find_key, may_replace};
use crate::core::change::VersionStages;
use crate::core::remote::VersionSelector;

fn versions(entries: &[(&str, &[&str])]) -> VersionStages {
    entries
        .iter()
        .map(|(id, stages)| {
            (
                id.to_string(),
                stages.iter().map(|s| s.to_string()).collect(),
            )
        })
        .collect()
}

/// Every combination of (synced, read, selector, who answered, what it knows).
#[test]
fn a_read_replaces_the_synced_version_only_where_the_answering_region_vouches_for_it() {
    use Verdict::*;
    let current = VersionSelector::current();
    let previous = VersionSelector::Stage("AWSPREVIOUS".into());
    let pinned = VersionSelector::Id("v1".into());
    // A rotation from v1 to v2 that the region has seen.
    let rotated = versions(&[("v2", &["AWSCURRENT"]), ("v1", &["AWSPREVIOUS"])]);
    // A region still at v1 (never saw v2).
    let behind = versions(&[("v1", &["AWSCURRENT"])]);
    // A region that rotated again, to v3.
    let moved_on = versions(&[
        ("v3", &["AWSCURRENT"]),
        ("v2", &["AWSPREVIOUS"]),
        ("v1", &[]),
    ]);
    // The secret deleted and made anew: only w1.
    let remade = versions(&[("w1", &["AWSCURRENT"])]);
    let only_v3 = versions(&[("v3", &["AWSCURRENT"])]);
    let previous_rotated = versions(&[
        ("v2", &["AWSCURRENT"]),
        ("v1", &["AWSPREVIOUS"]),
        ("v0", &[]),
    ]);
    let none = versions(&[]);
    let half_rotated = versions(&[("v1", &["AWSCURRENT"]), ("v2", &["AWSPENDING"])]);
    let behind_with_previous = versions(&[("v1", &["AWSCURRENT"]), ("v0", &["AWSPREVIOUS"])]);
    let custom = VersionSelector::Stage("blue".into());
    let custom_moved = versions(&[("v1", &["AWSCURRENT"]), ("v2", &["blue"])]);
    let cases: Vec<(&str, &str, &VersionSelector, RegionAnswer, Verdict)> = vec![
        // Unchanged: nothing to decide, whoever answered (or not).
        ("v1", "v1", &current, RegionAnswer::Missing, Use),
        ("v1", "v1", &pinned, RegionAnswer::Failover(&none), Use),
        // Issue 20 #1: synced v2, a behind replica served v1, the primary answers DescribeSecret.
        (
            "v2",
            "v1",
            &current,
            RegionAnswer::Primary(&rotated),
            KeepNotCurrent,
        ),
        // ... or the behind replica itself answers.
        (
            "v2",
            "v1",
            &current,
            RegionAnswer::Failover(&behind),
            KeepReplicaBehind,
        ),
        // ... or nobody answers.
        ("v2", "v1", &current, RegionAnswer::Missing, KeepNoAnswer),
        // A rotation (v1 → v2) replicated before the primary failed: the replica vouches.
        ("v1", "v2", &current, RegionAnswer::Failover(&rotated), Use),
        // The same rotation confirmed by the primary.
        ("v1", "v2", &current, RegionAnswer::Primary(&rotated), Use),
        // The primary moved on to v3 since: v2 is not what it calls current; the next read gets v3.
        (
            "v1",
            "v2",
            &current,
            RegionAnswer::Primary(&moved_on),
            KeepNotCurrent,
        ),
        // A replica that saw v1 but names another version current than the one read.
        (
            "v1",
            "v2",
            &current,
            RegionAnswer::Failover(&moved_on),
            KeepNotCurrent,
        ),
        // A replica that has the read version but not the synced one is behind.
        (
            "v2",
            "v3",
            &current,
            RegionAnswer::Failover(&only_v3),
            KeepReplicaBehind,
        ),
        // A replica asked about a secret it knows nothing of.
        (
            "v1",
            "v2",
            &current,
            RegionAnswer::Failover(&none),
            KeepReplicaBehind,
        ),
        // Remade secret: the primary is the truth even without the synced version ...
        ("v1", "w1", &current, RegionAnswer::Primary(&remade), Use),
        // ... a replica is not.
        (
            "v1",
            "w1",
            &current,
            RegionAnswer::Failover(&remade),
            KeepReplicaBehind,
        ),
        // Other stages are checked under their own label.
        (
            "v0",
            "v1",
            &previous,
            RegionAnswer::Failover(&previous_rotated),
            Use,
        ),
        (
            "v1",
            "v2",
            &previous,
            RegionAnswer::Primary(&rotated),
            KeepNotCurrent,
        ),
        ("v0", "v1", &previous, RegionAnswer::Primary(&rotated), Use),
        // A pinned version id (only differs when the spec changed): the region must know it.
        ("v9", "v1", &pinned, RegionAnswer::Primary(&behind), Use),
        (
            "v9",
            "v1",
            &pinned,
            RegionAnswer::Primary(&none),
            KeepNotCurrent,
        ),
        (
            "v9",
            "v1",
            &pinned,
            RegionAnswer::Failover(&behind),
            KeepReplicaBehind,
        ),
        ("v9", "v1", &pinned, RegionAnswer::Missing, KeepNoAnswer),
        // A replica half way through a rotation (v1 current, v2 pending) knows the synced v2
        // but serves v1: behind (review of issue 20).
        (
            "v2",
            "v1",
            &current,
            RegionAnswer::Failover(&half_rotated),
            KeepReplicaBehind,
        ),
        // Synced AWSPREVIOUS v1 (the primary rotated to v2); a replica still at v1 current, v0
        // previous serves v0 as AWSPREVIOUS: behind, although it knows v1.
        (
            "v1",
            "v0",
            &previous,
            RegionAnswer::Failover(&behind_with_previous),
            KeepReplicaBehind,
        ),
        // Unlabelled versions are not in DescribeSecret's answer: a replica that rotated twice
        // since the sync cannot vouch (the Secret keeps the synced version until failback).
        (
            "v0",
            "v1",
            &previous,
            RegionAnswer::Failover(&rotated),
            KeepReplicaBehind,
        ),
        // A custom label read from a replica: the synced version still current there is behind.
        (
            "v1",
            "v2",
            &custom,
            RegionAnswer::Failover(&custom_moved),
            KeepReplicaBehind,
        ),
    ];
    for (synced, read, selector, answer, want) in cases {
        assert_eq!(
            may_replace(synced, read, selector, answer),
            want,
            "synced {synced}, read {read} ({selector:?}), answer {answer:?}"
        );
    }
}

#[test]
fn a_find_key_missing_from_a_failover_read_is_reported() {
    use std::collections::{BTreeMap, HashSet};
    let m = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let spec_keys: HashSet<&str> = HashSet::from(["prod/db"]);
    let previous = m(&[("prod/db", "v1"), ("shared/a", "a1"), ("shared/b", "b1")]);
    // (now, the dropped find key)
    let cases: Vec<(BTreeMap<String, String>, Option<&str>)> = vec![
        (previous.clone(), None),
        (
            m(&[("prod/db", "v1"), ("shared/a", "a2"), ("shared/b", "b1")]),
            None,
        ),
        // A new find match is no drop.
        (
            m(&[
                ("prod/db", "v1"),
                ("shared/a", "a1"),
                ("shared/b", "b1"),
                ("shared/c", "c1"),
            ]),
            None,
        ),
        (
            m(&[("prod/db", "v1"), ("shared/a", "a1")]),
            Some("shared/b"),
        ),
        // A key the spec names is not a find match (may_replace and the deletion rule judge it).
        (m(&[("shared/a", "a1"), ("shared/b", "b1")]), None),
    ];
    for (now, want) in cases {
        assert_eq!(
            dropped_find_key(&previous, &now, &spec_keys),
            want,
            "{now:?}"
        );
    }
    let compact = crate::core::versions::bounded(
        (0..500)
            .map(|i| (format!("k{i}"), "v".to_string()))
            .collect(),
    );
    assert_eq!(dropped_find_key(&compact, &m(&[]), &spec_keys), None);
}
