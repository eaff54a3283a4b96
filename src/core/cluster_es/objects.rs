//! The ExternalSecret a ClusterExternalSecret keeps in each namespace, and how a copy is recognised
//! as its own and as current: pure, so the reconciler only creates, patches and deletes.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;
use kube::{Resource, ResourceExt};

use super::{CLUSTER_EXTERNAL_SECRET_LABEL, label_value};
use crate::api::{ClusterExternalSecret, ExternalSecret};

/// Annotation on each copy: a digest of the spec, labels and annotations it was written with.
pub const SPEC_HASH_ANNOTATION: &str = "secretsync.io/cluster-external-secret-hash";

/// Whether a copy's label or one of its owner references names this ClusterExternalSecret (which
/// ones a copy's events wake).
pub fn names_copy(ces: &ClusterExternalSecret, es: &ExternalSecret) -> bool {
    let name = ces.name_any();
    es.labels().get(CLUSTER_EXTERNAL_SECRET_LABEL) == Some(&label_value(&name))
        || es
            .owner_references()
            .iter()
            .any(|o| o.kind == "ClusterExternalSecret" && o.name == name)
}

/// Whether an ExternalSecret carries this ClusterExternalSecret's label and its uid as an owner.
pub fn is_ours(es: &ExternalSecret, ces_name: &str, uid: &str) -> bool {
    es.labels().get(CLUSTER_EXTERNAL_SECRET_LABEL) == Some(&label_value(ces_name))
        && es
            .owner_references()
            .iter()
            .any(|o| o.kind == "ClusterExternalSecret" && o.uid == uid)
}

/// Whether an ExternalSecret of ours was last written with the desired spec, labels and annotations
/// (a label removed from `externalSecretMetadata` is an update too), and still holds that spec.
pub fn is_current(es: &ExternalSecret, desired: &ExternalSecret) -> bool {
    es.annotations().get(SPEC_HASH_ANNOTATION) == desired.annotations().get(SPEC_HASH_ANNOTATION)
        && es.spec == desired.spec
}

/// A digest of what a copy is written with (not secret data: a spec and metadata).
pub fn spec_hash(es: &ExternalSecret) -> String {
    use sha2::{Digest, Sha256};
    let body = serde_json::json!([es.spec, es.labels(), es.annotations()]).to_string();
    crate::core::versions::hex(&Sha256::digest(body.as_bytes())[..8])
}

/// The ExternalSecret every matching namespace gets (namespace set at write time).
pub fn desired_external_secret(
    ces: &ClusterExternalSecret,
    name: &str,
    uid: &str,
) -> ExternalSecret {
    let mut es = ExternalSecret::new(name, ces.spec.external_secret_spec.clone());
    let meta = ces
        .spec
        .external_secret_metadata
        .clone()
        .unwrap_or_default();
    let mut labels = meta.labels;
    labels.insert(
        CLUSTER_EXTERNAL_SECRET_LABEL.into(),
        label_value(&ces.name_any()),
    );
    es.metadata.labels = Some(labels);
    es.metadata.annotations = Some(meta.annotations);
    let hash = spec_hash(&es);
    es.annotations_mut()
        .insert(SPEC_HASH_ANNOTATION.into(), hash);
    es.metadata.owner_references = Some(vec![OwnerReference {
        api_version: ClusterExternalSecret::api_version(&()).into_owned(),
        kind: ClusterExternalSecret::kind(&()).into_owned(),
        name: ces.name_any(),
        uid: uid.to_string(),
        controller: Some(true),
        block_owner_deletion: None,
    }]);
    es
}

/// The uid of the ClusterExternalSecret a desired copy names as its owner.
pub fn owner_uid(desired: &ExternalSecret) -> String {
    desired
        .owner_references()
        .first()
        .map(|o| o.uid.clone())
        .unwrap_or_default()
}

/// Whether an ExternalSecret found under a copy's name (after a create answered 409) is that copy,
/// written by an earlier reconcile the cache has not shown yet: our label value and our owner uid.
/// Anything else is someone else's and is left alone.
pub fn same_owner(found: &ExternalSecret, desired: &ExternalSecret) -> bool {
    let uid = owner_uid(desired);
    found.labels().get(CLUSTER_EXTERNAL_SECRET_LABEL)
        == desired.labels().get(CLUSTER_EXTERNAL_SECRET_LABEL)
        && found.owner_references().iter().any(|o| o.uid == uid)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ClusterExternalSecretSpec, ExternalSecretMetadata};

    fn ces(name: &str, uid: &str, labels: &[(&str, &str)]) -> ClusterExternalSecret {
        let mut ces = ClusterExternalSecret::new(
            name,
            ClusterExternalSecretSpec {
                external_secret_metadata: Some(ExternalSecretMetadata {
                    labels: labels
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                    annotations: [("team".to_string(), "a".to_string())].into(),
                }),
                ..serde_json::from_value(serde_json::json!({
                    "externalSecretSpec": { "secretStoreRef": { "name": "s" }, "data": [] }
                }))
                .expect("spec")
            },
        );
        ces.metadata.uid = Some(uid.into());
        ces
    }

    #[test]
    fn a_copy_is_ours_only_with_our_label_and_our_uid() {
        let c = ces("shared", "uid-1", &[]);
        let desired = desired_external_secret(&c, "db", "uid-1");
        assert!(is_ours(&desired, "shared", "uid-1"));
        assert_eq!(owner_uid(&desired), "uid-1");
        assert!(same_owner(&desired, &desired));
        assert!(names_copy(&c, &desired));
        // Every forgery fails one check: another uid (a re-created ClusterExternalSecret of the same
        // name), no label, another ClusterExternalSecret's label, no owner.
        let mut other_uid = desired.clone();
        other_uid.metadata.owner_references = Some(vec![OwnerReference {
            uid: "uid-2".into(),
            ..desired.owner_references()[0].clone()
        }]);
        let mut unlabelled = desired.clone();
        unlabelled
            .labels_mut()
            .remove(CLUSTER_EXTERNAL_SECRET_LABEL);
        let mut relabelled = desired.clone();
        relabelled
            .labels_mut()
            .insert(CLUSTER_EXTERNAL_SECRET_LABEL.into(), label_value("other"));
        let mut unowned = desired.clone();
        unowned.metadata.owner_references = None;
        for (what, es, ours, named) in [
            ("another uid", &other_uid, false, true),
            ("no label", &unlabelled, false, true),
            ("another's label", &relabelled, false, true),
            ("no owner", &unowned, false, true),
        ] {
            assert_eq!(is_ours(es, "shared", "uid-1"), ours, "{what}");
            assert_eq!(same_owner(es, &desired), ours, "{what}");
            assert_eq!(names_copy(&c, es), named, "{what}");
        }
        let mut stranger = unowned.clone();
        stranger.labels_mut().remove(CLUSTER_EXTERNAL_SECRET_LABEL);
        assert!(!names_copy(&c, &stranger), "neither label nor owner");
    }

    #[test]
    fn a_copy_is_current_only_with_the_same_spec_and_metadata() {
        let c = ces("shared", "uid-1", &[("app", "db")]);
        let desired = desired_external_secret(&c, "db", "uid-1");
        assert!(is_current(&desired, &desired));
        assert_eq!(desired.labels().get("app").map(String::as_str), Some("db"));
        assert_eq!(
            desired.annotations().get("team").map(String::as_str),
            Some("a")
        );
        // A label dropped from externalSecretMetadata changes the hash: an update.
        let fewer = desired_external_secret(&ces("shared", "uid-1", &[]), "db", "uid-1");
        assert!(!is_current(&desired, &fewer));
        // A spec edited in place (by hand) under the same hash annotation: not current.
        let mut edited = desired.clone();
        edited.spec.refresh_interval = "5m".into();
        assert!(!is_current(&edited, &desired));
        // The hash is stable and short.
        assert_eq!(spec_hash(&desired), spec_hash(&desired.clone()));
        assert_eq!(
            desired
                .annotations()
                .get(SPEC_HASH_ANNOTATION)
                .map(String::len),
            Some(16)
        );
    }
}
