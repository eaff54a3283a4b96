use std::collections::BTreeMap;
use std::time::Duration;

use jiff::Timestamp;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};

use super::*;
use crate::api::{ExternalSecretData, ExternalSecretSpec, RemoteDeletion, RemoteRef};
use crate::core::deletion::{
    DeletionDecision, DeletionInputs, ObservedTarget, RemoteState, decide_deletion, to_confirm,
};
use crate::core::desired::{DesiredData, validate_spec};
use crate::core::reason::Reason;
use crate::core::target::{
    ADOPT_ANNOTATION, CREATED_BY_ANNOTATION, OWNER_ANNOTATION, SERVICE_ACCOUNT_TOKEN, Writer,
    check_target_with, desired_secret,
};

const CREATION: [CreationPolicy; 5] = [
    CreationPolicy::Owner,
    CreationPolicy::Orphan,
    CreationPolicy::Merge,
    CreationPolicy::CreateOrMerge,
    CreationPolicy::None,
];
const DELETION: [DeletionPolicy; 3] = [
    DeletionPolicy::Retain,
    DeletionPolicy::Delete,
    DeletionPolicy::Merge,
];

/// The target Secret states the table goes over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum T {
    /// No Secret.
    Absent,
    /// Created by this ExternalSecret under Owner (mark and ownerReference).
    OursOwned,
    /// Created by this ExternalSecret without an owner (mark only: Orphan or CreateOrMerge).
    OursMarked,
    /// A user's Secret handed over with `secretsync.io/adopt: app`.
    HandedOver,
    /// A user's Secret (a key of theirs, no mark).
    Foreign,
    /// Owned by another controller (a Deployment's ownerReference).
    ForeignControlled,
    /// Written by another (running) ExternalSecret.
    OtherExternalSecret,
    /// A service-account token Secret.
    Token,
}

const TARGETS: [T; 8] = [
    T::Absent,
    T::OursOwned,
    T::OursMarked,
    T::HandedOver,
    T::Foreign,
    T::ForeignControlled,
    T::OtherExternalSecret,
    T::Token,
];

/// What AWS says about the one remote secret the ExternalSecret reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum R {
    /// It is there: the values are read.
    Present,
    /// Missing, the deletion not confirmed (a typo, an error, a missing version).
    Unconfirmed,
    /// Confirmed deleted, confirmed again after the grace period.
    Deleted,
}

fn writer() -> Writer {
    Writer {
        name: "app".into(),
        namespace: "ns".into(),
        uid: "u-app".into(),
    }
}

fn secret(t: T) -> Option<Secret> {
    let mut annotations = BTreeMap::new();
    let mut owners = Vec::new();
    let mut type_ = "Opaque".to_string();
    let owner = |kind: &str, name: &str, uid: &str| OwnerReference {
        api_version: "v1".into(),
        kind: kind.into(),
        name: name.into(),
        uid: uid.into(),
        controller: Some(true),
        block_owner_deletion: Some(true),
    };
    match t {
        T::Absent => return None,
        T::OursOwned => {
            annotations.insert(CREATED_BY_ANNOTATION.to_string(), "app".to_string());
            annotations.insert(OWNER_ANNOTATION.to_string(), "app".to_string());
            owners.push(owner("ExternalSecret", "app", "u-app"));
        }
        T::OursMarked => {
            annotations.insert(CREATED_BY_ANNOTATION.to_string(), "app".to_string());
            annotations.insert(OWNER_ANNOTATION.to_string(), "app".to_string());
        }
        T::HandedOver => {
            annotations.insert(ADOPT_ANNOTATION.to_string(), "app".to_string());
        }
        T::Foreign => {}
        T::ForeignControlled => owners.push(owner("Deployment", "web", "u-web")),
        T::OtherExternalSecret => {
            annotations.insert(OWNER_ANNOTATION.to_string(), "other".to_string());
            annotations.insert(CREATED_BY_ANNOTATION.to_string(), "other".to_string());
        }
        T::Token => type_ = SERVICE_ACCOUNT_TOKEN.to_string(),
    }
    Some(Secret {
        metadata: ObjectMeta {
            name: Some("app".into()),
            namespace: Some("ns".into()),
            uid: Some("u-secret".into()),
            resource_version: Some("41".into()),
            annotations: Some(annotations),
            owner_references: (!owners.is_empty()).then_some(owners),
            ..Default::default()
        },
        type_: Some(type_),
        data: Some(BTreeMap::from([(
            "theirs".to_string(),
            ByteString(b"keep".to_vec()),
        )])),
        ..Default::default()
    })
}

fn spec(creation: CreationPolicy, deletion: DeletionPolicy) -> ExternalSecretSpec {
    let mut spec = ExternalSecretSpec {
        secret_store_ref: Default::default(),
        refresh_interval: "1h".into(),
        refresh_policy: Default::default(),
        sync_windows: None,
        target: Default::default(),
        data: vec![ExternalSecretData {
            source_ref: None,
            secret_key: "password".into(),
            remote_ref: RemoteRef {
                key: "db".into(),
                ..Default::default()
            },
        }],
        data_from: vec![],
        rollout_restart_targets: vec![],
    };
    spec.target.creation_policy = creation;
    spec.target.deletion_policy = deletion;
    spec
}

fn at(secs: i64) -> Timestamp {
    Timestamp::from_second(1_700_000_000 + secs).expect("valid timestamp")
}

/// What happens, in ESO's terms, spelled out independently of the code: ESO's admission rules, then
/// the checks every policy shares, then what each creation policy does with the Secret in that state,
/// then (remote gone) what each deletion policy does — behind secretsync's confirmation rule.
fn expected(c: CreationPolicy, d: DeletionPolicy, t: T, r: R) -> &'static str {
    use CreationPolicy as P;
    use DeletionPolicy as D;
    if d == D::Delete && c != P::Owner {
        return "invalid";
    }
    if d == D::Merge && c == P::None {
        return "invalid";
    }
    if c == P::None {
        // Never looks at the Secret, whoever's it is: the values are read and checked.
        return if r == R::Present { "read only" } else { "keep" };
    }
    if matches!(t, T::Token | T::OtherExternalSecret) {
        return "conflict";
    }
    let foreign = matches!(t, T::Foreign | T::ForeignControlled);
    if c == P::Merge && t == T::Absent {
        return "wait";
    }
    if matches!(c, P::Owner | P::Orphan) && foreign {
        return "conflict";
    }
    match r {
        R::Present => match (c, t) {
            (P::Owner, T::Absent) => "create owned",
            (_, T::Absent) => "create",
            (P::Owner, _) => "write owned",
            (P::Orphan, _) => "write as creator",
            (P::CreateOrMerge, _) if !foreign => "write as creator",
            _ => "merge keys",
        },
        R::Unconfirmed => "keep",
        R::Deleted => match (d, t) {
            (_, T::Absent) | (D::Retain, _) => "keep",
            (D::Delete, _) => "delete",
            (D::Merge, _) => "remove keys",
        },
    }
}

/// What the code does: validation, the ownership rule, then the desired Secret (remote present) or
/// the deletion rule (remote missing), as the reconcile asks them in that order.
fn actual(c: CreationPolicy, d: DeletionPolicy, t: T, r: R) -> &'static str {
    let spec = spec(c, d);
    if let Err(e) = validate_spec(&spec) {
        assert_eq!(e.reason, Reason::InvalidSpec);
        return "invalid";
    }
    let existing = secret(t);
    match check_target_with(&writer(), &spec.target, existing.as_ref(), false) {
        Err(e) if e.reason == Reason::TargetNotFound => return "wait",
        Err(e) => {
            assert_eq!(e.reason, Reason::TargetConflict, "{e}");
            return "conflict";
        }
        Ok(()) => {}
    }
    let existing = existing.filter(|_| writes_target(c));
    if r == R::Present {
        if !writes_target(c) {
            return "read only";
        }
        let desired = DesiredData {
            rendered_metadata: None,
            data: BTreeMap::from([("password".to_string(), b"p".to_vec())]),
            synced_versions: BTreeMap::from([("db".to_string(), "v1".to_string())]),
        };
        let s = desired_secret(&writer(), &spec.target, &desired, b"k", existing.as_ref());
        // Only this ExternalSecret's keys are ever applied: a key of someone else's is never
        // part of the write, so never removed by it.
        assert_eq!(
            s.data
                .as_ref()
                .map(|d| d.keys().cloned().collect::<Vec<_>>()),
            Some(vec!["password".to_string()])
        );
        let creator = s.type_.is_some();
        let marked = s
            .metadata
            .annotations
            .as_ref()
            .is_some_and(|a| a.get(CREATED_BY_ANNOTATION).is_some());
        let had_mark = matches!(t, T::OursOwned | T::OursMarked);
        // The created-by mark: set by the creator's write, kept (never added) by a merge of keys.
        assert_eq!(marked, creator || had_mark, "{c:?} {t:?}");
        let owned = s.metadata.owner_references.is_some();
        return match (existing.is_some(), owned, creator) {
            (false, true, _) => "create owned",
            (false, false, _) => "create",
            (true, true, _) => "write owned",
            (true, false, true) => "write as creator",
            (true, false, false) => "merge keys",
        };
    }
    let previous = BTreeMap::from([("db".to_string(), "v1".to_string())]);
    let names = match to_confirm(&spec, &previous, existing.is_some(), true) {
        Ok(names) => names,
        Err(_) => return "keep",
    };
    assert_eq!(names, ["db"]);
    let state = match r {
        R::Deleted => RemoteState::Deleted,
        _ => RemoteState::Unknown,
    };
    let remote = [("db".to_string(), state)];
    let observed = existing.as_ref().map(|s| ObservedTarget {
        uid: s.metadata.uid.clone(),
        resource_version: s.metadata.resource_version.clone(),
    });
    let pending = RemoteDeletion {
        confirmed_since: Time(at(0)),
        generation: 1,
    };
    let decision = decide_deletion(&DeletionInputs {
        deletion_policy: d,
        creation_policy: c,
        target: observed.as_ref(),
        remote: &remote,
        spec_changed: false,
        same_source: true,
        generation: Some(1),
        pending: Some(&pending),
        now: at(600),
        grace: Duration::from_secs(60),
    });
    match decision {
        DeletionDecision::Keep(_) => "keep",
        DeletionDecision::StartGrace | DeletionDecision::Wait(_) => "waiting",
        DeletionDecision::Delete(_) => "delete",
        DeletionDecision::RemoveKeys(p) => {
            // The removal writes only over the Secret that was checked.
            assert_eq!(p.resource_version, "41");
            // What it applies: no key of this ExternalSecret, the Secret's ownership as the policy
            // wants it (the Secret itself stays).
            let empty = DesiredData {
                rendered_metadata: None,
                data: BTreeMap::new(),
                synced_versions: BTreeMap::new(),
            };
            let s = desired_secret(&writer(), &spec.target, &empty, b"k", existing.as_ref());
            assert_eq!(s.data, Some(BTreeMap::new()));
            assert_eq!(
                s.metadata.owner_references.is_some(),
                c == CreationPolicy::Owner
            );
            "remove keys"
        }
    }
}

/// Every (creationPolicy × deletionPolicy × target Secret state × remote state) combination, 360 in
/// all: what the code does is what ESO's semantics (behind secretsync's safety rules) say.
#[test]
fn every_policy_target_and_remote_state() {
    let mut seen = std::collections::BTreeSet::new();
    for c in CREATION {
        for d in DELETION {
            for t in TARGETS {
                for r in [R::Present, R::Unconfirmed, R::Deleted] {
                    let got = actual(c, d, t, r);
                    assert_eq!(got, expected(c, d, t, r), "{c:?} {d:?} {t:?} {r:?}");
                    seen.insert(got);
                }
            }
        }
    }
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        [
            "conflict",
            "create",
            "create owned",
            "delete",
            "invalid",
            "keep",
            "merge keys",
            "read only",
            "remove keys",
            "wait",
            "write as creator",
            "write owned"
        ]
    );
}

/// The claim of each policy on each state, and what it means for the write.
#[test]
fn claims_over_every_policy_and_state() {
    use Claim::*;
    use TargetState::*;
    let table = [
        (CreationPolicy::Owner, [Create, Own, Refuse]),
        (CreationPolicy::Orphan, [Create, Own, Refuse]),
        (CreationPolicy::Merge, [Wait, MergeKeys, MergeKeys]),
        (CreationPolicy::CreateOrMerge, [Create, Own, MergeKeys]),
        (CreationPolicy::None, [Untouched, Untouched, Untouched]),
    ];
    for (policy, claims) in table {
        for (state, want) in [Absent, Ours, Foreign].into_iter().zip(claims) {
            assert_eq!(claim(policy, state), want, "{policy:?} {state:?}");
            assert_eq!(
                want.as_creator(),
                matches!(want, Create | Own),
                "{policy:?} {state:?}"
            );
        }
        assert_eq!(writes_target(policy), policy != CreationPolicy::None);
    }
}

/// What each deletion policy does under each creation policy when the remote data is gone, and which
/// combinations are refused (ESO's webhook rules; `immutable` only where the Secret is ours).
#[test]
fn remote_gone_and_refused_combinations_over_every_pair() {
    for c in CREATION {
        for d in DELETION {
            let gone = on_remote_gone(d, c);
            let want = match (d, c) {
                (DeletionPolicy::Retain, _) => "keep",
                (DeletionPolicy::Delete, CreationPolicy::Owner) => "delete",
                (DeletionPolicy::Delete, _) => "keep",
                (DeletionPolicy::Merge, CreationPolicy::None) => "keep",
                (DeletionPolicy::Merge, _) => "remove keys",
            };
            let got = match gone {
                OnGone::Keep(_) => "keep",
                OnGone::DeleteSecret => "delete",
                OnGone::RemoveKeys => "remove keys",
            };
            assert_eq!(got, want, "{d:?} {c:?}");
            for immutable in [false, true] {
                let mut target = spec(c, d).target;
                target.immutable = immutable;
                let refused = refused_combination(&target);
                let want_refused = (d == DeletionPolicy::Delete && c != CreationPolicy::Owner)
                    || (d == DeletionPolicy::Merge && c == CreationPolicy::None)
                    || (immutable
                        && matches!(c, CreationPolicy::Merge | CreationPolicy::CreateOrMerge));
                assert_eq!(
                    refused.is_some(),
                    want_refused,
                    "{d:?} {c:?} {immutable}: {refused:?}"
                );
                if let Some(why) = refused {
                    let names = if immutable && !why.starts_with("deletionPolicy") {
                        "target.immutable"
                    } else {
                        "deletionPolicy"
                    };
                    assert!(
                        why.contains(names) && why.contains(&format!("{c:?}")),
                        "{why}"
                    );
                }
            }
        }
    }
}
