use super::*;
use crate::api::{CreationPolicy, DeletionPolicy, RemoteDeletion};
use crate::core::deletion::{DeletionDecision, DeletionInputs, ObservedTarget, decide_deletion};
use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use std::time::Duration;

fn at(secs: i64) -> Timestamp {
    Timestamp::from_second(1_700_000_000 + secs).expect("valid timestamp")
}

/// What one store may answer: nothing to ask, each of the states for its names, or no answer.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Said {
    Nothing,
    Confirmed,
    StillThere,
    Ambiguous,
    OneOfTwoGone,
    Unusable,
}

const ALL_SAID: [Said; 6] = [
    Said::Nothing,
    Said::Confirmed,
    Said::StillThere,
    Said::Ambiguous,
    Said::OneOfTwoGone,
    Said::Unusable,
];

fn answer(label: Option<&str>, said: Said, same_source: bool) -> StoreAnswer {
    use RemoteState::*;
    let names = |states: &[RemoteState]| {
        Some(
            states
                .iter()
                .enumerate()
                .map(|(i, s)| (format!("n{i}"), *s))
                .collect(),
        )
    };
    StoreAnswer {
        label: label.map(String::from),
        remote: match said {
            Said::Nothing => Some(Vec::new()),
            Said::Confirmed => names(&[Deleted]),
            Said::StillThere => names(&[Present]),
            Said::Ambiguous => names(&[Unknown]),
            Said::OneOfTwoGone => names(&[Deleted, Present]),
            Said::Unusable => None,
        },
        same_source,
    }
}

/// Two stores (Secrets Manager as default, Parameter Store by label) × every answer of each × same
/// source or not × every deletion policy × before, during and after the grace period: the Secret goes
/// (or the keys leave it) only when every asked store confirmed all its names and is the store the
/// Secret was synced from, at least one name was asked, and the grace period is over.
#[test]
fn table_over_stores_answers_policies_and_grace() {
    let target = ObservedTarget {
        uid: Some("u1".into()),
        resource_version: Some("41".into()),
    };
    let confirmed = RemoteDeletion {
        confirmed_since: Time(at(0)),
        generation: 1,
    };
    let grace = Duration::from_secs(60);
    for first in ALL_SAID {
        for second in ALL_SAID {
            for (same_first, same_second) in
                [(true, true), (true, false), (false, true), (false, false)]
            {
                let answers = [
                    answer(None, first, same_first),
                    answer(Some("SecretStore/ssm:"), second, same_second),
                ];
                let (remote, same_source) = across_stores(&answers);
                for policy in [
                    DeletionPolicy::Retain,
                    DeletionPolicy::Delete,
                    DeletionPolicy::Merge,
                ] {
                    for (pending, now) in [
                        (None, at(0)),
                        (Some(&confirmed), at(30)),
                        (Some(&confirmed), at(60)),
                    ] {
                        let i = DeletionInputs {
                            deletion_policy: policy,
                            creation_policy: CreationPolicy::Owner,
                            target: Some(&target),
                            remote: &remote,
                            spec_changed: false,
                            same_source,
                            generation: Some(1),
                            pending,
                            now,
                            grace,
                        };
                        let ok = |s: Said, same: bool| {
                            s == Said::Nothing || (s == Said::Confirmed && same)
                        };
                        let all_confirmed = ok(first, same_first)
                            && ok(second, same_second)
                            && (first, second) != (Said::Nothing, Said::Nothing);
                        let expected = match (policy, all_confirmed, pending, now >= at(60)) {
                            (DeletionPolicy::Retain, ..) | (_, false, ..) => "keep",
                            (_, true, None, _) => "start",
                            (_, true, Some(_), false) => "wait",
                            (DeletionPolicy::Delete, true, Some(_), true) => "delete",
                            (DeletionPolicy::Merge, true, Some(_), true) => "remove keys",
                        };
                        let got = match decide_deletion(&i) {
                            DeletionDecision::Keep(_) => "keep",
                            DeletionDecision::StartGrace => "start",
                            DeletionDecision::Wait(_) => "wait",
                            DeletionDecision::Delete(_) => "delete",
                            DeletionDecision::RemoveKeys(_) => "remove keys",
                        };
                        assert_eq!(
                            got, expected,
                            "{first:?}/{same_first} {second:?}/{same_second} {i:?}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn names_are_labelled_by_store_and_an_unusable_store_is_unconfirmed() {
    let (remote, same) = across_stores(&[
        answer(None, Said::Confirmed, true),
        answer(Some("SecretStore/ssm:"), Said::Unusable, true),
    ]);
    assert!(same);
    assert_eq!(
        remote,
        vec![
            ("n0".to_string(), RemoteState::Deleted),
            (
                "SecretStore/ssm:(store could not be asked)".to_string(),
                RemoteState::Unknown
            ),
        ]
    );
}

#[test]
fn each_store_finds_its_own_recorded_source() {
    let record = sources_record(
        "SecretStore/ns/aws region=us-east-1 endpoint=default role=none credentials=static keys (served by failover region eu-west-1)",
        &[
            (
                "SecretStore/ssm:".to_string(),
                "SecretStore/ns/ssm region=us-east-1".to_string(),
            ),
            (
                "ClusterSecretStore/p:".to_string(),
                "ClusterSecretStore/p region=x".to_string(),
            ),
        ],
    );
    assert!(source_of(&record, None).is_some_and(|s| s.starts_with("SecretStore/ns/aws ")));
    assert_eq!(
        source_of(&record, Some("SecretStore/ssm:")),
        Some("SecretStore/ns/ssm region=us-east-1")
    );
    assert_eq!(
        source_of(&record, Some("ClusterSecretStore/p:")),
        Some("ClusterSecretStore/p region=x")
    );
    assert_eq!(source_of(&record, Some("SecretStore/other:")), None);
    // One store: the record is its source as it is.
    assert_eq!(sources_record("only", &[]), "only");
    assert_eq!(source_of("only", None), Some("only"));
    assert_eq!(source_of("only", Some("SecretStore/ssm:")), None);
}
