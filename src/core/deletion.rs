//! When a Secret may be deleted because its remote secrets are gone (`deletionPolicy: Delete`).
//!
//! The rule (invariant 7): delete only when every remote secret the ExternalSecret reads is confirmed
//! deleted by Secrets Manager itself, the confirmation was first seen at the current generation, and it
//! still holds after a grace period. Anything less keeps the Secret.

use std::time::Duration;

use jiff::Timestamp;

use std::collections::BTreeMap;

use super::references::References;
use super::versions::is_compact;
use crate::api::{CreationPolicy, DeletionPolicy, ExternalSecretSpec, RemoteDeletion};

/// What Secrets Manager says about one remote secret the ExternalSecret reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteState {
    /// The secret exists (a missing version, stage or value is not a deletion).
    Present,
    /// Secrets Manager answered with a well-formed ResourceNotFoundException for the secret itself, or
    /// the secret carries a `DeletedDate` (scheduled for deletion).
    Deleted,
    /// No trustworthy answer (transport error, throttling, a response that is not a Secrets Manager
    /// error, access denied, ...).
    Unknown,
}

/// Everything the deletion decision looks at.
#[derive(Debug, Clone)]
pub struct DeletionInputs<'a> {
    /// `target.deletionPolicy`.
    pub deletion_policy: DeletionPolicy,
    /// `target.creationPolicy` (only Owner Secrets are ever deleted).
    pub creation_policy: CreationPolicy,
    /// The target Secret as it was checked (it exists and this ExternalSecret may write it); None:
    /// there is none. Its uid and resourceVersion become the deletion's preconditions.
    pub target: Option<&'a ObservedTarget>,
    /// Every remote secret the ExternalSecret reads, with its confirmed state. Empty: nothing known.
    pub remote: &'a [(String, RemoteState)],
    /// The spec changed since the last reconcile (`metadata.generation` != `status.observedGeneration`).
    pub spec_changed: bool,
    /// The store (identity, region, endpoint, role, credential references) is the one the last sync
    /// read from: a secret missing from another account or region is not a deletion.
    pub same_source: bool,
    /// `metadata.generation` now.
    pub generation: Option<i64>,
    /// A confirmation recorded by an earlier reconcile (`status.remoteDeletion`).
    pub pending: Option<&'a RemoteDeletion>,
    /// Current time.
    pub now: Timestamp,
    /// How long the deletion must stay confirmed.
    pub grace: Duration,
}

/// Every remote secret name the ExternalSecret reads: `data` and `extract` keys, plus the secrets its
/// `find`s matched at the last sync (from the previous record). None — which keeps the Secret — when
/// a referenced name was never synced (a typo in a spec edit names a secret that never existed) or the
/// find matches cannot be known (the record was compacted).
pub fn remote_names(
    spec: &ExternalSecretSpec,
    previous: &BTreeMap<String, String>,
) -> Option<Vec<String>> {
    let refs = References::of(spec);
    let mut names: Vec<String> = Vec::new();
    for r in &refs.named {
        if !previous.contains_key(&r.status_key) {
            return None;
        }
        names.push(r.key().to_string());
    }
    if refs.has_find() {
        if is_compact(previous) {
            return None;
        }
        names.extend(
            previous
                .keys()
                .filter(|k| !refs.named.iter().any(|r| &r.status_key == *k))
                .cloned(),
        );
    }
    names.sort();
    names.dedup();
    Some(names)
}

/// The identity of the target Secret that was checked before the deletion was confirmed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObservedTarget {
    /// `metadata.uid` (None: not known, so the Secret cannot be deleted safely).
    pub uid: Option<String>,
    /// `metadata.resourceVersion` (None: not known).
    pub resource_version: Option<String>,
}

/// What the deletion must still find on the API server: the very Secret that was checked, unchanged
/// since. A Secret replaced or edited meanwhile fails the delete (HTTP 409) and is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preconditions {
    /// The checked Secret's uid.
    pub uid: String,
    /// The checked Secret's resourceVersion.
    pub resource_version: String,
}

/// The decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeletionDecision {
    /// Keep the Secret; clear any recorded confirmation. The string says why (for status).
    Keep(String),
    /// First confirmation: record it (`status.remoteDeletion`) and check again after the grace period.
    StartGrace,
    /// Confirmed before, grace not over: keep, check again after this long.
    Wait(Duration),
    /// Confirmed twice, grace over: delete the Secret, only under these preconditions.
    Delete(Preconditions),
}

/// Whether a missing remote secret is worth asking the service about, and which names to ask
/// (the first step of the deletion rule, before any call): `Err` says why the Secret is kept without
/// asking (`deletionPolicy` Retain, a name that was never synced, not an Owner Secret, no Secret).
pub fn to_confirm(
    spec: &ExternalSecretSpec,
    previous: &BTreeMap<String, String>,
    target_exists: bool,
) -> Result<Vec<String>, String> {
    let t = &spec.target;
    if t.deletion_policy != DeletionPolicy::Delete {
        return Err("deletionPolicy Retain".into());
    }
    let names = remote_names(spec, previous).ok_or_else(|| {
        "the spec names a secret, stage or version that was never synced; a missing one is not a deletion"
            .to_string()
    })?;
    if t.creation_policy != CreationPolicy::Owner {
        return Err("only creationPolicy Owner Secrets are deleted".into());
    }
    if !target_exists {
        return Err("the Secret does not exist".into());
    }
    Ok(names)
}

/// Decides whether the target Secret is deleted now.
pub fn decide_deletion(i: &DeletionInputs<'_>) -> DeletionDecision {
    if i.deletion_policy != DeletionPolicy::Delete {
        return DeletionDecision::Keep("deletionPolicy is Retain".into());
    }
    if i.creation_policy != CreationPolicy::Owner {
        return DeletionDecision::Keep("only creationPolicy Owner Secrets are deleted".into());
    }
    let Some(target) = i.target else {
        return DeletionDecision::Keep("the Secret does not exist".into());
    };
    let (Some(uid), Some(resource_version)) = (
        target.uid.clone().filter(|u| !u.is_empty()),
        target.resource_version.clone().filter(|r| !r.is_empty()),
    ) else {
        return DeletionDecision::Keep(
            "the Secret's uid or resourceVersion is unknown, so it cannot be deleted with preconditions"
                .into(),
        );
    };
    if i.remote.is_empty() {
        return DeletionDecision::Keep("no remote secret is known to have been deleted".into());
    }
    if let Some((name, state)) = i.remote.iter().find(|(_, s)| *s != RemoteState::Deleted) {
        let why = match state {
            RemoteState::Present => format!("remote secret {name:?} still exists"),
            _ => format!("the deletion of remote secret {name:?} is not confirmed"),
        };
        return DeletionDecision::Keep(why);
    }
    if !i.same_source {
        return DeletionDecision::Keep(
            "the store differs from the one the Secret was synced from; a secret missing there is not a deletion"
                .into(),
        );
    }
    if i.spec_changed {
        return DeletionDecision::Keep(
            "the spec just changed; a deletion is never acted on in the reconcile after a spec edit"
                .into(),
        );
    }
    match i.pending.filter(|p| Some(p.generation) == i.generation) {
        None => DeletionDecision::StartGrace,
        Some(p) => {
            let elapsed = Duration::try_from(i.now.duration_since(p.confirmed_since.0))
                .unwrap_or(Duration::ZERO);
            if elapsed >= i.grace {
                DeletionDecision::Delete(Preconditions {
                    uid,
                    resource_version,
                })
            } else {
                DeletionDecision::Wait(i.grace - elapsed)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

    fn at(secs: i64) -> Timestamp {
        Timestamp::from_second(1_700_000_000 + secs).expect("valid timestamp")
    }

    const GRACE: Duration = Duration::from_secs(60);

    /// Every combination of the inputs; the expected decision is spelled out independently.
    #[test]
    fn table_over_all_inputs() {
        use RemoteState::*;
        let remotes: [&[(String, RemoteState)]; 6] = [
            &[],
            &[("a".to_string(), Deleted)],
            &[("a".to_string(), Deleted), ("b".to_string(), Deleted)],
            &[("a".to_string(), Deleted), ("b".to_string(), Present)],
            &[("a".to_string(), Deleted), ("b".to_string(), Unknown)],
            &[("a".to_string(), Present)],
        ];
        let early = RemoteDeletion {
            confirmed_since: Time(at(0)),
            generation: 1,
        };
        let other_generation = RemoteDeletion {
            confirmed_since: Time(at(0)),
            generation: 0,
        };
        let pendings = [None, Some(&early), Some(&other_generation)];
        let full = ObservedTarget {
            uid: Some("u1".into()),
            resource_version: Some("41".into()),
        };
        let no_uid = ObservedTarget {
            uid: None,
            resource_version: Some("41".into()),
        };
        let no_rv = ObservedTarget {
            uid: Some("u1".into()),
            resource_version: None,
        };
        let targets = [None, Some(&full), Some(&no_uid), Some(&no_rv)];
        for deletion_policy in [DeletionPolicy::Retain, DeletionPolicy::Delete] {
            for creation_policy in [
                CreationPolicy::Owner,
                CreationPolicy::Orphan,
                CreationPolicy::Merge,
            ] {
                for target in targets {
                    for remote in remotes {
                        for (spec_changed, same_source) in
                            [(false, true), (true, true), (false, false), (true, false)]
                        {
                            for pending in pendings {
                                for now in [at(10), at(60), at(600)] {
                                    let i = DeletionInputs {
                                        deletion_policy,
                                        creation_policy,
                                        target,
                                        remote,
                                        spec_changed,
                                        same_source,
                                        generation: Some(1),
                                        pending,
                                        now,
                                        grace: GRACE,
                                    };
                                    let got = decide_deletion(&i);
                                    let all_gone = !remote.is_empty()
                                        && remote.iter().all(|(_, s)| *s == Deleted);
                                    let eligible = deletion_policy == DeletionPolicy::Delete
                                        && creation_policy == CreationPolicy::Owner
                                        && target.is_some_and(|t| {
                                            t.uid.is_some() && t.resource_version.is_some()
                                        })
                                        && all_gone
                                        && same_source
                                        && !spec_changed;
                                    let same_gen = pending.is_some_and(|p| p.generation == 1);
                                    let expected_kind = if !eligible {
                                        "keep"
                                    } else if !same_gen {
                                        "start"
                                    } else if now >= at(60) {
                                        "delete"
                                    } else {
                                        "wait"
                                    };
                                    let kind = match &got {
                                        DeletionDecision::Keep(_) => "keep",
                                        DeletionDecision::StartGrace => "start",
                                        DeletionDecision::Wait(_) => "wait",
                                        DeletionDecision::Delete(p) => {
                                            // The preconditions are those of the Secret checked.
                                            let t = target.expect("a deletion has a target");
                                            assert_eq!(Some(&p.uid), t.uid.as_ref());
                                            assert_eq!(
                                                Some(&p.resource_version),
                                                t.resource_version.as_ref()
                                            );
                                            "delete"
                                        }
                                    };
                                    assert_eq!(kind, expected_kind, "{i:?}");
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn remote_names_cover_data_extract_and_previous_find_matches() {
        use crate::api::{ExternalSecretData, ExternalSecretDataFrom, FindRef, RemoteRef};
        let r = |k: &str| RemoteRef {
            key: k.into(),
            ..Default::default()
        };
        let mut spec = ExternalSecretSpec {
            secret_store_ref: Default::default(),
            refresh_interval: "1h".into(),
            refresh_policy: Default::default(),
            target: Default::default(),
            data: vec![ExternalSecretData {
                secret_key: "p".into(),
                remote_ref: RemoteRef {
                    version_stage: Some("AWSPREVIOUS".into()),
                    ..r("prod/db")
                },
            }],
            data_from: vec![],
            rollout_restart_targets: vec![],
        };
        spec.data_from.push(ExternalSecretDataFrom {
            extract: Some(r("prod/app")),
            ..Default::default()
        });
        let previous: BTreeMap<String, String> = [
            ("prod/db@AWSPREVIOUS", "1"),
            ("prod/app", "2"),
            ("prod/shared/x", "3"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(
            remote_names(&spec, &previous),
            Some(vec!["prod/app".to_string(), "prod/db".to_string()]),
            "without a find, earlier record entries are not remote names"
        );
        spec.data_from.push(ExternalSecretDataFrom {
            find: Some(FindRef::default()),
            ..Default::default()
        });
        assert_eq!(
            remote_names(&spec, &previous),
            Some(vec![
                "prod/app".to_string(),
                "prod/db".to_string(),
                "prod/shared/x".to_string()
            ])
        );
        let mut typo = spec.clone();
        typo.data[0].remote_ref.key = "prod/dbb".into();
        assert_eq!(
            remote_names(&typo, &previous),
            None,
            "a name that was never synced is never a deleted secret"
        );
        let compact = crate::core::versions::bounded(
            (0..500)
                .map(|i| (format!("k{i}"), "v".to_string()))
                .collect(),
        );
        assert_eq!(remote_names(&spec, &compact), None);
    }

    fn observed() -> ObservedTarget {
        ObservedTarget {
            uid: Some("u1".into()),
            resource_version: Some("7".into()),
        }
    }

    #[test]
    fn wait_reports_remaining_grace() {
        let pending = RemoteDeletion {
            confirmed_since: Time(at(0)),
            generation: 3,
        };
        let remote = [("a".to_string(), RemoteState::Deleted)];
        let i = DeletionInputs {
            deletion_policy: DeletionPolicy::Delete,
            creation_policy: CreationPolicy::Owner,
            target: Some(&observed()),
            remote: &remote,
            spec_changed: false,
            same_source: true,
            generation: Some(3),
            pending: Some(&pending),
            now: at(15),
            grace: GRACE,
        };
        assert_eq!(
            decide_deletion(&i),
            DeletionDecision::Wait(Duration::from_secs(45))
        );
    }

    #[test]
    fn keep_reasons_name_the_remote_secret() {
        let remote = [
            ("gone".to_string(), RemoteState::Deleted),
            ("prod/db".to_string(), RemoteState::Present),
        ];
        let i = DeletionInputs {
            deletion_policy: DeletionPolicy::Delete,
            creation_policy: CreationPolicy::Owner,
            target: Some(&observed()),
            remote: &remote,
            spec_changed: false,
            same_source: true,
            generation: Some(1),
            pending: None,
            now: at(0),
            grace: GRACE,
        };
        assert_eq!(
            decide_deletion(&i),
            DeletionDecision::Keep("remote secret \"prod/db\" still exists".into())
        );
    }

    /// Every (deletionPolicy, creationPolicy, Secret exists, names synced) combination: only Delete,
    /// Owner, an existing Secret and names all synced ask the service.
    #[test]
    fn only_an_owned_deletable_synced_secret_asks_the_service() {
        use crate::api::{ExternalSecretData, RemoteRef};
        for policy in [DeletionPolicy::Retain, DeletionPolicy::Delete] {
            for creation in [
                CreationPolicy::Owner,
                CreationPolicy::Merge,
                CreationPolicy::Orphan,
            ] {
                for exists in [false, true] {
                    for synced in [false, true] {
                        let mut spec = ExternalSecretSpec {
                            secret_store_ref: Default::default(),
                            refresh_interval: "1h".into(),
                            refresh_policy: Default::default(),
                            target: Default::default(),
                            data: vec![ExternalSecretData {
                                secret_key: "k".into(),
                                remote_ref: RemoteRef {
                                    key: "app/db".into(),
                                    ..Default::default()
                                },
                            }],
                            data_from: vec![],
                            rollout_restart_targets: vec![],
                        };
                        spec.target.deletion_policy = policy;
                        spec.target.creation_policy = creation;
                        let previous: BTreeMap<String, String> = if synced {
                            [("app/db".to_string(), "v1".to_string())].into()
                        } else {
                            BTreeMap::new()
                        };
                        let got = to_confirm(&spec, &previous, exists);
                        let asks = policy == DeletionPolicy::Delete
                            && creation == CreationPolicy::Owner
                            && exists
                            && synced;
                        match got {
                            Ok(names) => {
                                assert!(asks, "{policy:?} {creation:?} {exists} {synced}");
                                assert_eq!(names, ["app/db"]);
                            }
                            Err(why) => {
                                assert!(!asks, "{policy:?} {creation:?} {exists} {synced}: {why}");
                                let expected = if policy == DeletionPolicy::Retain {
                                    "Retain"
                                } else if !synced {
                                    "never synced"
                                } else if creation != CreationPolicy::Owner {
                                    "Owner"
                                } else {
                                    "does not exist"
                                };
                                assert!(why.contains(expected), "{why}");
                            }
                        }
                    }
                }
            }
        }
    }
}
