use super::*;
use crate::core::remote::{FetchedFrom, RemoteContent, RemoteSecret};

fn spec(yaml: &str) -> ExternalSecretSpec {
    serde_yaml_ng::from_str(yaml).expect("test spec parses")
}

/// An ExternalSecret whose default store is Secrets Manager (`sm`) with entries of its own store,
/// of ClusterSecretStore `ssm`, and of SecretStore `other`, interleaved.
const MIXED: &str = "
secretStoreRef: {name: sm}
data:
  - {secretKey: a, remoteRef: {key: app/db}}
  - {secretKey: b, remoteRef: {key: /app/db}, sourceRef: {storeRef: {name: ssm, kind: ClusterSecretStore}}}
  - {secretKey: c, remoteRef: {key: app/x}, sourceRef: {storeRef: {name: sm}}}
  - {secretKey: d, remoteRef: {key: /app/y}, sourceRef: {storeRef: {name: ssm, kind: ClusterSecretStore}}}
dataFrom:
  - {extract: {key: shared}, sourceRef: {storeRef: {name: other}}}
  - {extract: {key: app/all}}
";

fn secret(name: &str, version: &str) -> RemoteSecret {
    RemoteSecret {
        name: name.into(),
        arn: format!("arn:{name}"),
        version_id: version.into(),
        content: RemoteContent::String(version.into()),
    }
}

#[test]
fn entries_group_by_store_default_first_then_in_order_of_appearance() {
    let s = spec(MIXED);
    assert!(has_store_refs(&s));
    let g = groups(&s);
    let stores: Vec<(&str, StoreKind, Option<&str>)> = g
        .iter()
        .map(|g| {
            let r = &g.spec.secret_store_ref;
            (r.name.as_str(), r.kind, g.label.as_deref())
        })
        .collect();
    assert_eq!(
        stores,
        vec![
            ("sm", StoreKind::SecretStore, None),
            ("other", StoreKind::SecretStore, Some("SecretStore/other:")),
            (
                "ssm",
                StoreKind::ClusterSecretStore,
                Some("ClusterSecretStore/ssm:")
            ),
        ]
    );
    // (group, data positions, dataFrom positions); a storeRef naming the default store stays in it.
    let positions: Vec<(Vec<usize>, Vec<usize>)> = g
        .iter()
        .map(|g| (g.data.clone(), g.data_from.clone()))
        .collect();
    assert_eq!(
        positions,
        vec![
            (vec![0, 2], vec![1]),
            (vec![], vec![0]),
            (vec![1, 3], vec![]),
        ]
    );
    for group in &g {
        assert!(group.spec.data.iter().all(|d| d.source_ref.is_none()));
        assert!(group.spec.data_from.iter().all(|d| d.source_ref.is_none()));
        assert_eq!(group.spec.target, s.target);
    }
    assert_eq!(g[2].spec.data[0].remote_ref.key, "/app/db");
}

#[test]
fn a_spec_without_store_refs_is_one_group() {
    for yaml in [
        "secretStoreRef: {name: sm}\ndata: [{secretKey: a, remoteRef: {key: k}}]",
        // Naming the default store itself is no other store.
        "secretStoreRef: {name: sm}\ndata: [{secretKey: a, remoteRef: {key: k}, sourceRef: {storeRef: {name: sm}}}]",
    ] {
        let s = spec(yaml);
        assert!(!has_store_refs(&s), "{yaml}");
        let g = groups(&s);
        assert_eq!(g.len(), 1);
        assert_eq!(g[0].label, None);
        assert_eq!(g[0].data, vec![0]);
    }
}

#[test]
fn reads_store_sees_default_and_entry_stores() {
    let s = spec(MIXED);
    let cases = [
        (StoreKind::SecretStore, "sm", true),
        (StoreKind::SecretStore, "other", true),
        (StoreKind::ClusterSecretStore, "ssm", true),
        (StoreKind::SecretStore, "ssm", false),
        (StoreKind::ClusterSecretStore, "sm", false),
        (StoreKind::SecretStore, "nope", false),
    ];
    for (kind, name, want) in cases {
        assert_eq!(reads_store(&s, kind, name), want, "{kind:?} {name}");
    }
}

#[test]
fn authorisation_of_every_store_ref_before_any_lookup() {
    // (yaml of one data entry's sourceRef, expected reason or none)
    let cases: [(&str, Option<Reason>); 5] = [
        ("{storeRef: {name: ssm, kind: ClusterSecretStore}}", None),
        ("{storeRef: {name: s}}", None),
        ("{storeRef: {name: s, namespace: team-a}}", None),
        (
            "{storeRef: {name: s, namespace: team-b}}",
            Some(Reason::StoreNotAllowed),
        ),
        ("{}", Some(Reason::InvalidSpec)),
    ];
    for (source, want) in cases {
        let s = spec(&format!(
            "secretStoreRef: {{name: sm}}\ndataFrom: [{{extract: {{key: k}}}}]\ndata: [{{secretKey: a, remoteRef: {{key: k}}, sourceRef: {source}}}]"
        ));
        let got = check_store_refs("team-a", &s).err();
        assert_eq!(got.as_ref().map(|e| e.reason), want, "{source}");
        if let Some(e) = got {
            assert!(e.message.starts_with("data[0].sourceRef"), "{}", e.message);
        }
    }
}

#[test]
fn answers_merge_back_in_spec_order() {
    let s = spec(MIXED);
    let g = groups(&s);
    let fetched = vec![
        Fetched {
            data: vec![secret("app/db", "a"), secret("app/x", "c")],
            data_from: vec![FetchedFrom::Extract(secret("app/all", "all"))],
            ..Default::default()
        },
        Fetched {
            data_from: vec![FetchedFrom::Extract(secret("shared", "sh"))],
            ..Default::default()
        },
        Fetched {
            data: vec![secret("/app/db", "b"), secret("/app/y", "d")],
            ..Default::default()
        },
    ];
    let merged = merge_fetched(&s, &g, fetched.clone()).expect("merges");
    let versions: Vec<&str> = merged.data.iter().map(|d| d.version_id.as_str()).collect();
    assert_eq!(versions, vec!["a", "b", "c", "d"]);
    assert_eq!(
        merged.data_from,
        vec![
            FetchedFrom::Extract(secret("shared", "sh")),
            FetchedFrom::Extract(secret("app/all", "all"))
        ]
    );
    // A group answering the wrong shape, or a missing group, is an internal error, never a partial Secret.
    let mut short = fetched.clone();
    short[2].data.pop();
    assert!(merge_fetched(&s, &g, short).is_err());
    assert!(merge_fetched(&s, &g, fetched[..2].to_vec()).is_err());
}

#[test]
fn merged_spec_takes_each_entry_from_its_own_store_view() {
    let s = spec(MIXED);
    let g = groups(&s);
    let mut prefixed: Vec<ExternalSecretSpec> = g.iter().map(|g| g.spec.clone()).collect();
    prefixed[2].data[0].remote_ref.key = "/team/app/db".into();
    let views: Vec<&ExternalSecretSpec> = prefixed.iter().collect();
    let merged = merged_spec(&s, &g, &views).expect("merges");
    let keys: Vec<&str> = merged
        .data
        .iter()
        .map(|d| d.remote_ref.key.as_str())
        .collect();
    assert_eq!(keys, vec!["app/db", "/team/app/db", "app/x", "/app/y"]);
    assert!(
        merged.data[1].source_ref.is_some(),
        "the spec keeps its storeRefs"
    );
}

#[test]
fn same_name_in_two_stores_keeps_two_records() {
    let parts = vec![
        (
            None,
            BTreeMap::from([("app/db".to_string(), "v-sm".to_string())]),
        ),
        (
            Some("ClusterSecretStore/ssm:".to_string()),
            BTreeMap::from([("app/db".to_string(), "3".to_string())]),
        ),
    ];
    let record = merge_versions(parts);
    assert_eq!(
        record,
        BTreeMap::from([
            ("app/db".to_string(), "v-sm".to_string()),
            ("ClusterSecretStore/ssm:app/db".to_string(), "3".to_string()),
        ])
    );
    assert_eq!(
        versions_of_group(&record, None),
        BTreeMap::from([("app/db".to_string(), "v-sm".to_string())])
    );
    assert_eq!(
        versions_of_group(&record, Some("ClusterSecretStore/ssm:")),
        BTreeMap::from([("app/db".to_string(), "3".to_string())])
    );
    assert!(versions_of_group(&record, Some("SecretStore/ssm:")).is_empty());
    // A default-store secret that merely starts like a label has no `:` and stays the default's.
    let plain = BTreeMap::from([("SecretStore/x".to_string(), "v".to_string())]);
    assert_eq!(versions_of_group(&plain, None), plain);
}

#[test]
fn store_ids_match_the_resolution() {
    let ss = SecretStoreRef {
        name: "aws".into(),
        ..Default::default()
    };
    let css = SecretStoreRef {
        name: "ssm".into(),
        kind: StoreKind::ClusterSecretStore,
        namespace: None,
    };
    assert_eq!(store_id("team-a", &ss), "SecretStore/team-a/aws");
    assert_eq!(store_id("team-a", &css), "ClusterSecretStore/ssm");
}

#[test]
fn detection_over_stores_reads_if_any_changed_and_waits_if_any_is_busy() {
    /// (answers, later, unchanged)
    type Case<'a> = (&'a [(bool, bool)], bool, bool);
    let cases: [Case<'_>; 5] = [
        (&[(false, true)], false, true),
        (&[(false, true), (false, true)], false, true),
        (&[(false, true), (false, false)], false, false),
        (&[(false, false), (true, true)], true, false),
        (&[(true, true), (false, true)], true, true),
    ];
    for (answers, later, unchanged) in cases {
        assert_eq!(
            combine_detections(answers),
            (later, unchanged),
            "{answers:?}"
        );
    }
}

#[test]
fn label_for_names_how_each_store_records() {
    let s = spec(MIXED);
    let cases = [
        ("SecretStore/team-a/sm", Some("")),
        ("SecretStore/team-a/other", Some("SecretStore/other:")),
        ("ClusterSecretStore/ssm", Some("ClusterSecretStore/ssm:")),
        ("SecretStore/team-b/other", None),
        ("ClusterSecretStore/sm", None),
    ];
    for (id, want) in cases {
        assert_eq!(label_for("team-a", &s, id).as_deref(), want, "{id}");
    }
}
