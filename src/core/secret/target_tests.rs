use super::*;
use crate::api::{SecretTemplate, TemplateMetadata};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{FieldsV1, ManagedFieldsEntry};

pub(super) fn writer() -> Writer {
    Writer {
        name: "db".into(),
        namespace: "team-a".into(),
        uid: "uid-1".into(),
    }
}

pub(super) fn target(policy: CreationPolicy) -> ExternalSecretTarget {
    ExternalSecretTarget {
        creation_policy: policy,
        ..Default::default()
    }
}

pub(super) fn desired(pairs: &[(&str, &str)]) -> DesiredData {
    DesiredData {
        rendered_metadata: None,
        data: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect(),
        synced_versions: BTreeMap::new(),
    }
}

/// What the API server would store after our apply: the desired Secret plus managedFields.
pub(super) fn as_stored(s: &Secret) -> Secret {
    let mut stored = s.clone();
    let keys: serde_json::Map<String, serde_json::Value> = s
        .data
        .iter()
        .flatten()
        .map(|(k, _)| (format!("f:{k}"), serde_json::json!({})))
        .collect();
    stored.metadata.managed_fields = Some(vec![ManagedFieldsEntry {
        manager: Some(FIELD_MANAGER.into()),
        operation: Some("Apply".into()),
        fields_v1: Some(FieldsV1(serde_json::json!({ "f:data": keys }))),
        ..Default::default()
    }]);
    stored.type_ = stored.type_.or(Some("Opaque".into()));
    stored
}

pub(super) fn foreign(type_: &str) -> Secret {
    Secret {
        metadata: ObjectMeta {
            name: Some("db".into()),
            ..Default::default()
        },
        type_: Some(type_.into()),
        ..Default::default()
    }
}

#[test]
fn desired_secret_has_label_annotations_owner_and_data() {
    let mut t = target(CreationPolicy::Owner);
    t.template = Some(SecretTemplate {
        metadata: Some(TemplateMetadata {
            finalizers: Vec::new(),
            labels: [("app".to_string(), "api".to_string())].into(),
            annotations: [("note".to_string(), "x".to_string())].into(),
        }),
        ..Default::default()
    });
    let s = desired_secret(&writer(), &t, &desired(&[("password", "p")]), b"k", None);
    assert_eq!(s.metadata.name.as_deref(), Some("db"));
    assert_eq!(s.type_.as_deref(), Some("Opaque"));
    let labels = s.metadata.labels.clone().unwrap_or_default();
    assert_eq!(labels[MANAGED_BY_LABEL], MANAGED_BY_VALUE);
    assert_eq!(labels["app"], "api");
    let ann = s.metadata.annotations.clone().unwrap_or_default();
    assert_eq!(ann[OWNER_ANNOTATION], "db");
    assert!(ann[DIGEST_ANNOTATION].starts_with(digest::PREFIX));
    assert_eq!(ann["note"], "x");
    let owners = s.metadata.owner_references.clone().unwrap_or_default();
    assert_eq!(owners.len(), 1);
    assert_eq!(owners[0].uid, "uid-1");
    assert_eq!(owners[0].controller, Some(true));
    assert_eq!(s.data.unwrap_or_default()["password"].0, b"p");
}

#[test]
fn orphan_has_no_owner_and_merge_leaves_the_type() {
    let s = desired_secret(
        &writer(),
        &target(CreationPolicy::Orphan),
        &desired(&[]),
        b"k",
        None,
    );
    assert!(s.metadata.owner_references.is_none());
    let s = desired_secret(
        &writer(),
        &target(CreationPolicy::Merge),
        &desired(&[]),
        b"k",
        None,
    );
    assert!(s.type_.is_none());
    assert!(s.metadata.owner_references.is_none());
}

#[test]
fn target_name_defaults_to_the_external_secret() {
    let mut t = target(CreationPolicy::Owner);
    assert_eq!(target_name(&writer(), &t), "db");
    t.name = Some("db-credentials".into());
    assert_eq!(target_name(&writer(), &t), "db-credentials");
}

#[test]
fn owner_and_orphan_refuse_foreign_secrets() {
    for policy in [CreationPolicy::Owner, CreationPolicy::Orphan] {
        let e = check_target(&writer(), &target(policy), Some(&foreign("Opaque")))
            .expect_err("foreign");
        assert_eq!(e.reason, Reason::TargetConflict);
        assert!(check_target(&writer(), &target(policy), None).is_ok());
    }
}

#[test]
fn owner_accepts_its_own_secret() {
    let t = target(CreationPolicy::Owner);
    let mine = as_stored(&desired_secret(
        &writer(),
        &t,
        &desired(&[("a", "1")]),
        b"k",
        None,
    ));
    assert!(check_target(&writer(), &t, Some(&mine)).is_ok());
}

#[test]
fn secrets_written_by_another_external_secret_conflict() {
    let other = Writer {
        name: "other".into(),
        ..writer()
    };
    for policy in [
        CreationPolicy::Owner,
        CreationPolicy::Orphan,
        CreationPolicy::Merge,
        CreationPolicy::CreateOrMerge,
    ] {
        let theirs = as_stored(&desired_secret(
            &other,
            &target(policy),
            &desired(&[]),
            b"k",
            None,
        ));
        let e = check_target(&writer(), &target(policy), Some(&theirs)).expect_err("conflict");
        assert_eq!(e.reason, Reason::TargetConflict);
        assert!(e.message.contains("other"));
    }
}

#[test]
fn merge_waits_for_the_secret_and_accepts_foreign_ones() {
    let e = check_target(&writer(), &target(CreationPolicy::Merge), None).expect_err("absent");
    assert_eq!(e.reason, Reason::TargetNotFound);
    assert!(
        check_target(
            &writer(),
            &target(CreationPolicy::Merge),
            Some(&foreign("Opaque"))
        )
        .is_ok()
    );
    assert!(
        check_target(
            &writer(),
            &target(CreationPolicy::Merge),
            Some(&foreign("kubernetes.io/tls"))
        )
        .is_ok()
    );
}

#[test]
fn never_writes_service_account_tokens() {
    for policy in [
        CreationPolicy::Owner,
        CreationPolicy::Orphan,
        CreationPolicy::Merge,
        CreationPolicy::CreateOrMerge,
    ] {
        let e = check_target(
            &writer(),
            &target(policy),
            Some(&foreign(SERVICE_ACCOUNT_TOKEN)),
        )
        .expect_err("sa token");
        assert_eq!(e.reason, Reason::TargetConflict);
    }
}

#[test]
fn type_changes_conflict() {
    let t = target(CreationPolicy::Owner);
    let mut mine = as_stored(&desired_secret(&writer(), &t, &desired(&[]), b"k", None));
    mine.type_ = Some("kubernetes.io/tls".into());
    let e = check_target(&writer(), &t, Some(&mine)).expect_err("type");
    assert!(e.message.contains("type"));
}

#[test]
fn no_write_when_nothing_changed() {
    let t = target(CreationPolicy::Owner);
    let d = desired_secret(
        &writer(),
        &t,
        &desired(&[("a", "1"), ("b", "2")]),
        b"k",
        None,
    );
    let stored = as_stored(&d);
    assert!(needs_write(None, &d));
    assert!(!needs_write(Some(&stored), &d));
}

#[test]
fn drift_and_changes_need_writes() {
    let t = target(CreationPolicy::Owner);
    let d = desired_secret(
        &writer(),
        &t,
        &desired(&[("a", "1"), ("b", "2")]),
        b"k",
        None,
    );
    let stored = as_stored(&d);

    let mut edited = stored.clone();
    edited
        .data
        .as_mut()
        .map(|m| m.insert("a".into(), ByteString(b"x".to_vec())));
    assert!(needs_write(Some(&edited), &d));

    let mut removed = stored.clone();
    removed.data.as_mut().map(|m| m.remove("b"));
    assert!(needs_write(Some(&removed), &d));

    let mut unlabelled = stored.clone();
    unlabelled.metadata.labels = None;
    assert!(needs_write(Some(&unlabelled), &d));

    let mut orphaned = stored.clone();
    orphaned.metadata.owner_references = None;
    assert!(needs_write(Some(&orphaned), &d));

    // A key we wrote before but no longer want is pruned by a new apply.
    let smaller = desired_secret(&writer(), &t, &desired(&[("a", "1")]), b"k", None);
    assert!(needs_write(Some(&stored), &smaller));
}

#[test]
fn foreign_keys_in_a_merge_target_do_not_cause_writes() {
    let t = target(CreationPolicy::Merge);
    let d = desired_secret(&writer(), &t, &desired(&[("mine", "1")]), b"k", None);
    let mut stored = as_stored(&d);
    stored
        .data
        .as_mut()
        .map(|m| m.insert("theirs".into(), ByteString(b"x".to_vec())));
    assert!(!needs_write(Some(&stored), &d));
    assert!(digest_matches(&stored, b"k"));
}

#[test]
fn digest_detects_drift_of_owned_keys_only() {
    let t = target(CreationPolicy::Owner);
    let d = desired_secret(&writer(), &t, &desired(&[("a", "1")]), b"k", None);
    let stored = as_stored(&d);
    assert!(digest_matches(&stored, b"k"));
    assert!(!digest_matches(&stored, b"other-key"));
    let mut edited = stored.clone();
    edited
        .data
        .as_mut()
        .map(|m| m.insert("a".into(), ByteString(b"2".to_vec())));
    assert!(!digest_matches(&edited, b"k"));
    let mut deleted_key = stored.clone();
    deleted_key.data = None;
    assert!(!digest_matches(&deleted_key, b"k"));
    let mut no_annotation = stored.clone();
    no_annotation.metadata.annotations = None;
    assert!(!digest_matches(&no_annotation, b"k"));
    let mut versions_edited = stored;
    versions_edited
        .metadata
        .annotations
        .as_mut()
        .map(|a| a.insert(VERSIONS_ANNOTATION.into(), r#"{"x":"forged"}"#.into()));
    assert!(
        !digest_matches(&versions_edited, b"k"),
        "the versions annotation is covered by the digest"
    );
}

#[test]
fn recorded_versions_round_trip() {
    let t = target(CreationPolicy::Owner);
    let mut d = desired(&[("a", "1")]);
    d.synced_versions.insert("prod/db".into(), "v1".into());
    let stored = as_stored(&desired_secret(&writer(), &t, &d, b"k", None));
    assert_eq!(recorded_versions(&stored), d.synced_versions);
    assert!(recorded_versions(&foreign("Opaque")).is_empty());
}

/// A user's own Secret after a Merge write: our label and annotations, no ownership marks.
fn merged_user_secret() -> Secret {
    let t = target(CreationPolicy::Merge);
    let mut merged = as_stored(&desired_secret(
        &writer(),
        &t,
        &desired(&[("mine", "1")]),
        b"k",
        None,
    ));
    merged.type_ = Some("Opaque".into());
    merged
}

#[test]
fn merge_never_marks_a_secret_as_created() {
    let merged = merged_user_secret();
    assert!(!created_by(&writer(), &merged));
    for policy in [CreationPolicy::Owner, CreationPolicy::Orphan] {
        let e = check_target(&writer(), &target(policy), Some(&merged)).expect_err("adopted");
        assert_eq!(e.reason, Reason::TargetConflict, "{policy:?}");
    }
}

#[test]
fn a_template_cannot_forge_a_hand_over_through_merge() {
    // A tenant's Merge ExternalSecret whose template names itself in secretsync's own annotations,
    // then switched to Owner: it must not adopt (and later garbage-collect) someone else's Secret.
    let mut t = target(CreationPolicy::Merge);
    let forged: BTreeMap<String, String> =
        [ADOPT_ANNOTATION, CREATED_BY_ANNOTATION, OWNER_ANNOTATION]
            .iter()
            .map(|k| (k.to_string(), "db".to_string()))
            .collect();
    t.template = Some(SecretTemplate {
        metadata: Some(TemplateMetadata {
            finalizers: Vec::new(),
            labels: [("secretsync.io/x".to_string(), "y".to_string())].into(),
            annotations: forged,
        }),
        ..Default::default()
    });
    let written = desired_secret(&writer(), &t, &desired(&[("mine", "1")]), b"k", None);
    let annotations = written.metadata.annotations.clone().unwrap_or_default();
    assert!(!annotations.contains_key(ADOPT_ANNOTATION));
    assert!(!annotations.contains_key(CREATED_BY_ANNOTATION));
    assert!(
        !written
            .metadata
            .labels
            .clone()
            .unwrap_or_default()
            .contains_key("secretsync.io/x")
    );
    let mut merged = as_stored(&written);
    merged.type_ = Some("Opaque".into());
    for policy in [CreationPolicy::Owner, CreationPolicy::Orphan] {
        let e = check_target(&writer(), &target(policy), Some(&merged)).expect_err("adopted");
        assert_eq!(e.reason, Reason::TargetConflict, "{policy:?}");
    }
}

#[test]
fn a_created_secret_keeps_its_mark_through_merge() {
    let owner = as_stored(&desired_secret(
        &writer(),
        &target(CreationPolicy::Owner),
        &desired(&[("a", "1")]),
        b"k",
        None,
    ));
    assert!(created_by(&writer(), &owner));
    let merged = desired_secret(
        &writer(),
        &target(CreationPolicy::Merge),
        &desired(&[("a", "1")]),
        b"k",
        Some(&owner),
    );
    assert!(created_by(&writer(), &as_stored(&merged)));
    assert!(
        check_target(
            &writer(),
            &target(CreationPolicy::Owner),
            Some(&as_stored(&merged))
        )
        .is_ok()
    );
}

#[test]
fn secrets_from_before_the_created_mark_are_still_recognised() {
    let mut legacy = as_stored(&desired_secret(
        &writer(),
        &target(CreationPolicy::Orphan),
        &desired(&[("a", "1")]),
        b"k",
        None,
    ));
    if let Some(a) = legacy.metadata.annotations.as_mut() {
        a.remove(CREATED_BY_ANNOTATION);
    }
    assert!(!created_by(&writer(), &legacy), "data only: not enough");
    if let Some(m) = legacy.metadata.managed_fields.as_mut() {
        m[0].fields_v1 = Some(FieldsV1(serde_json::json!({ "f:data": {}, "f:type": {} })));
    }
    assert!(created_by(&writer(), &legacy));
}

/// A user's Secret carrying one annotation, optionally controlled by another owner (uid).
fn annotated(key: &str, value: &str, controller: Option<&str>) -> Secret {
    let mut s = foreign("Opaque");
    s.metadata.annotations = Some([(key.to_string(), value.to_string())].into());
    s.metadata.owner_references = controller.map(|uid| {
        vec![OwnerReference {
            api_version: "external-secrets.io/v1".into(),
            kind: "ExternalSecret".into(),
            name: "db".into(),
            uid: uid.into(),
            controller: Some(true),
            block_owner_deletion: Some(true),
        }]
    });
    s
}

/// Adopt/refuse over every policy and every kind of existing Secret.
#[test]
fn adoption_table() {
    let owner_made = as_stored(&desired_secret(
        &writer(),
        &target(CreationPolicy::Owner),
        &desired(&[("a", "1")]),
        b"k",
        None,
    ));
    let orphan_made = as_stored(&desired_secret(
        &writer(),
        &target(CreationPolicy::Orphan),
        &desired(&[("a", "1")]),
        b"k",
        None,
    ));
    let shared = Writer {
        name: "shared".into(),
        uid: "uid-2".into(),
        ..writer()
    };
    let by_another = |policy: CreationPolicy, adopt: Option<&str>| {
        let mut s = as_stored(&desired_secret(
            &shared,
            &target(policy),
            &desired(&[("a", "1")]),
            b"k",
            None,
        ));
        if let (Some(a), Some(to)) = (s.metadata.annotations.as_mut(), adopt) {
            a.insert(ADOPT_ANNOTATION.into(), to.into());
        }
        s
    };
    let cases: Vec<(&str, Option<Secret>)> = vec![
        ("absent", None),
        (
            "another ExternalSecret's (Orphan)",
            Some(by_another(CreationPolicy::Orphan, None)),
        ),
        (
            "another ExternalSecret's (Owner)",
            Some(by_another(CreationPolicy::Owner, None)),
        ),
        (
            "another ExternalSecret's (Orphan), handed over to us",
            Some(by_another(CreationPolicy::Orphan, Some("db"))),
        ),
        (
            "another ExternalSecret's (Orphan), handed over to a third",
            Some(by_another(CreationPolicy::Orphan, Some("third"))),
        ),
        (
            "another ExternalSecret's (Owner, still its controller), handed over to us",
            Some(by_another(CreationPolicy::Owner, Some("db"))),
        ),
        ("user's own", Some(foreign("Opaque"))),
        ("user's, merged into", Some(merged_user_secret())),
        ("created by us (Owner)", Some(owner_made)),
        ("created by us (Orphan)", Some(orphan_made)),
        (
            "service-account token",
            Some(foreign(SERVICE_ACCOUNT_TOKEN)),
        ),
        (
            "handed over to us",
            Some(annotated(ADOPT_ANNOTATION, "db", None)),
        ),
        (
            "handed over to another",
            Some(annotated(ADOPT_ANNOTATION, "other", None)),
        ),
        (
            "handed over, still owned by another controller",
            Some(annotated(ADOPT_ANNOTATION, "db", Some("eso-uid"))),
        ),
        (
            "handed over to us, a service-account token",
            Some(Secret {
                type_: Some(SERVICE_ACCOUNT_TOKEN.into()),
                ..annotated(ADOPT_ANNOTATION, "db", None)
            }),
        ),
    ];
    for (what, existing) in &cases {
        for (policy, gone) in [
            CreationPolicy::Owner,
            CreationPolicy::Orphan,
            CreationPolicy::Merge,
        ]
        .into_iter()
        .flat_map(|p| [(p, false), (p, true)])
        {
            let got = check_target_with(&writer(), &target(policy), existing.as_ref(), gone)
                .map_err(|e| e.reason);
            let expected = match (*what, policy) {
                ("absent", CreationPolicy::Merge) => Err(Reason::TargetNotFound),
                ("absent", _) => Ok(()),
                // Another ExternalSecret's Secret: conflict, whatever the policy, unless that one
                // is gone, no longer controls it, and it was handed over (Owner/Orphan only).
                ("another ExternalSecret's (Orphan), handed over to us", p)
                    if p != CreationPolicy::Merge && gone =>
                {
                    Ok(())
                }
                (w, _) if w.starts_with("another ExternalSecret's") => Err(Reason::TargetConflict),
                ("service-account token" | "handed over to us, a service-account token", _) => {
                    Err(Reason::TargetConflict)
                }
                (_, CreationPolicy::Merge) => Ok(()),
                ("created by us (Owner)" | "created by us (Orphan)" | "handed over to us", _) => {
                    Ok(())
                }
                _ => Err(Reason::TargetConflict),
            };
            assert_eq!(got, expected, "{what} under {policy:?}, other gone: {gone}");
            if !gone {
                assert_eq!(
                    check_target(&writer(), &target(policy), existing.as_ref())
                        .map_err(|e| e.reason),
                    expected,
                    "check_target takes the other as still there"
                );
            }
        }
    }
}

#[test]
fn the_owner_reference_follows_the_policy() {
    let t = target(CreationPolicy::Owner);
    let owned = as_stored(&desired_secret(
        &writer(),
        &t,
        &desired(&[("a", "1")]),
        b"k",
        None,
    ));
    let orphan = desired_secret(
        &writer(),
        &target(CreationPolicy::Orphan),
        &desired(&[("a", "1")]),
        b"k",
        Some(&owned),
    );
    assert!(orphan.metadata.owner_references.is_none());
    assert!(
        needs_write(Some(&owned), &orphan),
        "Owner -> Orphan drops the ownerReference"
    );
    let mut released = owned.clone();
    released.metadata.owner_references = None;
    assert!(!needs_write(Some(&released), &orphan));
    assert!(needs_write(
        Some(&released),
        &desired_secret(
            &writer(),
            &t,
            &desired(&[("a", "1")]),
            b"k",
            Some(&released)
        )
    ));
}

/// The Secret as the API server stores it after our apply of `s`, with the finalizers we applied
/// recorded under our field manager (and `others` set by someone else).
fn stored_with_finalizers(s: &Secret, ours: &[&str], others: &[&str]) -> Secret {
    let mut stored = as_stored(s);
    let applied: serde_json::Map<String, serde_json::Value> = ours
        .iter()
        .map(|f| (format!("v:{}", serde_json::json!(f)), serde_json::json!({})))
        .collect();
    if let Some(m) = stored.metadata.managed_fields.as_mut()
        && let Some(fields) = m[0].fields_v1.as_mut()
    {
        fields.0["f:metadata"] = serde_json::json!({ "f:finalizers": applied });
    }
    let all: Vec<String> = ours.iter().chain(others).map(|f| f.to_string()).collect();
    stored.metadata.finalizers = (!all.is_empty()).then_some(all);
    stored
}

/// Template finalizers: set on the Secret, written only when one is missing or one we set is no
/// longer wanted (never for someone else's finalizer).
#[test]
fn template_finalizers_are_set_and_taken_off_only_when_ours() {
    let with = |finalizers: &[&str]| {
        let mut t = target(CreationPolicy::Owner);
        t.template = Some(SecretTemplate {
            metadata: Some(TemplateMetadata {
                finalizers: finalizers.iter().map(|f| f.to_string()).collect(),
                ..Default::default()
            }),
            ..Default::default()
        });
        desired_secret(&writer(), &t, &desired(&[("password", "p")]), b"k", None)
    };
    let keep = "example.com/keep";
    let other = "other.io/hold";
    assert_eq!(
        with(&[keep]).metadata.finalizers,
        Some(vec![keep.to_string()])
    );
    assert_eq!(with(&[]).metadata.finalizers, None);
    // (wanted, ours on the Secret, someone else's on the Secret) → write?
    type Case<'a> = (&'a [&'a str], &'a [&'a str], &'a [&'a str], bool);
    let cases: [Case<'_>; 7] = [
        (&[keep], &[keep], &[], false),
        (&[keep], &[], &[], true),
        (&[keep], &[], &[keep], false), // present, set by someone else: nothing to do
        (&[], &[keep], &[], true),      // taken out of the template: ours is taken off
        (&[], &[], &[other], false),    // never someone else's
        (&[keep], &[keep], &[other], false),
        (&[], &[], &[], false),
    ];
    for (wanted, ours, others, write) in cases {
        let desired = with(wanted);
        let existing = stored_with_finalizers(&desired, ours, others);
        assert_eq!(
            needs_write(Some(&existing), &desired),
            write,
            "wanted {wanted:?}, ours {ours:?}, others {others:?}"
        );
    }
}
