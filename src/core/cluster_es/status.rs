//! The ClusterExternalSecret's status: which namespaces hold its ExternalSecret, which failed and
//! why (bounded), and its Ready condition. Pure: the caller passes the clock.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};

use crate::api::{
    ClusterExternalSecret, ClusterExternalSecretNamespaceFailure, ClusterExternalSecretStatus,
};

/// Most failed namespaces listed in the status (the condition gives the total).
const MAX_FAILED_LISTED: usize = 100;
/// The status after a reconcile that provisioned `provisioned` and failed in `failed`.
pub fn status_of(
    ces: &ClusterExternalSecret,
    name: &str,
    mut provisioned: Vec<String>,
    mut failed: Vec<ClusterExternalSecretNamespaceFailure>,
    now: Time,
) -> ClusterExternalSecretStatus {
    provisioned.sort();
    failed.sort_by(|a, b| a.namespace.cmp(&b.namespace));
    let (status, reason, message) = if failed.is_empty() {
        (
            "True",
            "Provisioned",
            format!(
                "ExternalSecret {name:?} kept in {} namespace(s)",
                provisioned.len()
            ),
        )
    } else {
        (
            "False",
            "NamespacesFailed",
            format!(
                "ExternalSecret {name:?} could not be kept in {} namespace(s): see failedNamespaces{}",
                failed.len(),
                if failed.len() > MAX_FAILED_LISTED {
                    format!(" (the first {MAX_FAILED_LISTED})")
                } else {
                    String::new()
                }
            ),
        )
    };
    failed.truncate(MAX_FAILED_LISTED);
    ClusterExternalSecretStatus {
        conditions: vec![ready(ces, status, reason, message, now)],
        observed_generation: ces.metadata.generation,
        external_secret_name: Some(name.to_string()),
        provisioned_namespaces: provisioned,
        failed_namespaces: failed,
    }
}

/// The status of a spec that cannot be used: `Ready=False`, `InvalidSpec`; the namespaces provisioned
/// before stay listed, since their ExternalSecrets are left as they are.
pub fn invalid_status(
    ces: &ClusterExternalSecret,
    name: &str,
    problem: String,
    now: Time,
) -> ClusterExternalSecretStatus {
    let old = ces.status.clone().unwrap_or_default();
    ClusterExternalSecretStatus {
        conditions: vec![ready(
            ces,
            "False",
            "InvalidSpec",
            format!("{problem}; nothing is created, updated or deleted until it is fixed"),
            now,
        )],
        observed_generation: ces.metadata.generation,
        external_secret_name: Some(name.to_string()),
        provisioned_namespaces: old.provisioned_namespaces,
        failed_namespaces: Vec::new(),
    }
}

/// The Ready condition, keeping the transition time while the status stays the same.
fn ready(
    ces: &ClusterExternalSecret,
    status: &str,
    reason: &str,
    message: String,
    now: Time,
) -> Condition {
    let previous = ces
        .status
        .as_ref()
        .and_then(|s| s.conditions.iter().find(|c| c.type_ == "Ready"));
    let same = previous.is_some_and(|c| c.status == status);
    Condition {
        type_: "Ready".into(),
        status: status.into(),
        reason: reason.into(),
        message,
        observed_generation: ces.metadata.generation,
        last_transition_time: match previous {
            Some(c) if same => c.last_transition_time.clone(),
            _ => now,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::Timestamp;

    fn at(secs: i64) -> Time {
        Time(Timestamp::from_second(1_800_000_000 + secs).unwrap_or(Timestamp::UNIX_EPOCH))
    }

    fn spec() -> crate::api::ClusterExternalSecretSpec {
        serde_json::from_value(serde_json::json!({
            "externalSecretSpec": { "secretStoreRef": { "name": "s" }, "data": [] }
        }))
        .expect("spec")
    }

    fn failure(ns: &str) -> ClusterExternalSecretNamespaceFailure {
        ClusterExternalSecretNamespaceFailure {
            namespace: ns.into(),
            reason: "why".into(),
        }
    }

    #[test]
    fn the_status_lists_namespaces_sorted_and_bounded() {
        let mut ces = ClusterExternalSecret::new("shared", spec());
        ces.metadata.generation = Some(3);
        let ok = status_of(&ces, "db", vec!["b".into(), "a".into()], Vec::new(), at(0));
        assert_eq!(ok.provisioned_namespaces, vec!["a", "b"]);
        assert_eq!(ok.conditions[0].status, "True");
        assert_eq!(ok.conditions[0].reason, "Provisioned");
        assert_eq!(ok.observed_generation, Some(3));
        let many: Vec<_> = (0..150)
            .rev()
            .map(|i| failure(&format!("ns-{i:03}")))
            .collect();
        let bad = status_of(&ces, "db", Vec::new(), many, at(1));
        assert_eq!(bad.failed_namespaces.len(), MAX_FAILED_LISTED);
        assert_eq!(bad.failed_namespaces[0].namespace, "ns-000");
        assert_eq!(bad.conditions[0].reason, "NamespacesFailed");
        assert!(bad.conditions[0].message.contains("150 namespace(s)"));
        assert!(bad.conditions[0].message.contains("(the first 100)"));
    }

    #[test]
    fn the_ready_transition_time_moves_only_when_the_status_does() {
        let mut ces = ClusterExternalSecret::new("shared", spec());
        let first = status_of(&ces, "db", vec!["a".into()], Vec::new(), at(0));
        ces.status = Some(first.clone());
        let again = status_of(&ces, "db", vec!["a".into(), "b".into()], Vec::new(), at(10));
        assert_eq!(again.conditions[0].last_transition_time, at(0));
        let failed = status_of(&ces, "db", Vec::new(), vec![failure("a")], at(20));
        assert_eq!(failed.conditions[0].last_transition_time, at(20));
        // An unusable spec keeps the namespaces provisioned before and says nothing is touched.
        let invalid = invalid_status(&ces, "db", "bad selector".into(), at(30));
        assert_eq!(invalid.provisioned_namespaces, vec!["a"]);
        assert_eq!(invalid.conditions[0].reason, "InvalidSpec");
        assert!(
            invalid.conditions[0]
                .message
                .contains("nothing is created, updated or deleted")
        );
        assert!(invalid.failed_namespaces.is_empty());
    }
}
